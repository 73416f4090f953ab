"""The Author module's wiring; the application container supplies its dependencies."""

from dependency_injector import containers, providers
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from modules.author.application.credit_book import credit_book
from modules.author.application.forget_deleted_book import forget_deleted_book
from modules.author.application.uncredit_book import uncredit_book
from modules.author.infrastructure.queries import SqlAuthorQueries
from modules.author.infrastructure.unit_of_work import SqlAlchemyAuthorUnitOfWork
from modules.author.public_api import AuthorDirectory
from modules.shared_kernel.application.message_bus import Deliver, MessageBus
from modules.shared_kernel.infrastructure.outbox.publication_log import PublicationLog
from persistence.reads import Reads
from persistence.turns import Turns


class AuthorContainer(containers.DeclarativeContainer):
    engine: providers.Dependency[AsyncEngine] = providers.Dependency()
    reads: providers.Dependency[Reads] = providers.Dependency()
    session_factory: providers.Dependency[async_sessionmaker[AsyncSession]] = providers.Dependency()
    write_turns: providers.Dependency[Turns] = providers.Dependency()
    publication_log: providers.Dependency[PublicationLog] = providers.Dependency()
    deliver: providers.Dependency[Deliver] = providers.Dependency()

    # A new Unit of Work (and session) for every use-case call and every delivery.
    unit_of_work = providers.Factory(
        SqlAlchemyAuthorUnitOfWork, session_factory=session_factory,
        publication_log=publication_log, turns=write_turns,
    )
    bus = providers.Singleton(MessageBus, unit_of_work=unit_of_work.provider, deliver=deliver)

    # The listeners to the Book module's events (subscribed in modules/author/subscriptions.py);
    # providers, so a test can put another handler in one's place.
    credit_book = providers.Object(credit_book)
    uncredit_book = providers.Object(uncredit_book)
    forget_deleted_book = providers.Object(forget_deleted_book)

    queries = providers.Singleton(SqlAuthorQueries, reads=reads)
    directory = providers.Singleton(AuthorDirectory, engine=engine)
