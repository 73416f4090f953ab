"""The Book module's wiring; the application container supplies its dependencies."""

from dependency_injector import containers, providers
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from modules.book.application.author_directory import AuthorDirectory
from modules.book.infrastructure.queries import SqlBookQueries
from modules.book.infrastructure.unit_of_work import SqlAlchemyBookUnitOfWork
from modules.shared_kernel.application.message_bus import Deliver, MessageBus
from modules.shared_kernel.infrastructure.outbox.publication_log import PublicationLog
from persistence.reads import Reads
from persistence.turns import Turns


class BookContainer(containers.DeclarativeContainer):
    reads: providers.Dependency[Reads] = providers.Dependency()
    session_factory: providers.Dependency[async_sessionmaker[AsyncSession]] = providers.Dependency()
    write_turns: providers.Dependency[Turns] = providers.Dependency()
    publication_log: providers.Dependency[PublicationLog] = providers.Dependency()
    deliver: providers.Dependency[Deliver] = providers.Dependency()
    author_directory: providers.Dependency[AuthorDirectory] = providers.Dependency()

    # A new Unit of Work (and session) for every use-case call.
    unit_of_work = providers.Factory(
        SqlAlchemyBookUnitOfWork, session_factory=session_factory,
        publication_log=publication_log, turns=write_turns,
    )
    bus = providers.Singleton(MessageBus, unit_of_work=unit_of_work.provider, deliver=deliver)
    queries = providers.Singleton(SqlBookQueries, reads=reads)
