"""The Book module's wiring; the application container supplies its three dependencies."""

from dependency_injector import containers, providers
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from modules.book.application.add_author_to_book import AddAuthorToBook
from modules.book.application.add_book import AddBook
from modules.book.application.author_directory import AuthorDirectory
from modules.book.application.delete_book import DeleteBook
from modules.book.application.remove_author_from_book import RemoveAuthorFromBook
from modules.book.application.revise_book import ReviseBook
from modules.book.infrastructure.queries import SqlBookQueries
from modules.book.infrastructure.unit_of_work import SqlAlchemyBookUnitOfWork
from modules.shared_kernel.infrastructure.outbox import Outbox


class BookContainer(containers.DeclarativeContainer):
    engine: providers.Dependency[AsyncEngine] = providers.Dependency()
    session_factory: providers.Dependency[async_sessionmaker[AsyncSession]] = providers.Dependency()
    outbox: providers.Dependency[Outbox] = providers.Dependency()
    author_directory: providers.Dependency[AuthorDirectory] = providers.Dependency()

    # A new Unit of Work (and session) for every use-case call: `.provider` passes the factory.
    unit_of_work = providers.Factory(
        SqlAlchemyBookUnitOfWork, session_factory=session_factory, outbox=outbox
    )

    add_book = providers.Factory(
        AddBook, unit_of_work=unit_of_work.provider, authors=author_directory
    )
    revise_book = providers.Factory(ReviseBook, unit_of_work=unit_of_work.provider)
    add_author_to_book = providers.Factory(
        AddAuthorToBook, unit_of_work=unit_of_work.provider, authors=author_directory
    )
    remove_author_from_book = providers.Factory(
        RemoveAuthorFromBook, unit_of_work=unit_of_work.provider
    )
    delete_book = providers.Factory(DeleteBook, unit_of_work=unit_of_work.provider)

    queries = providers.Singleton(SqlBookQueries, engine=engine)
