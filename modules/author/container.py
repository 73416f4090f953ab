"""The Author module's wiring; the application container supplies its dependencies."""

from dependency_injector import containers, providers
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from modules.author.application.add_author import AddAuthor
from modules.author.application.delete_author import DeleteAuthor
from modules.author.application.on_author_added_to_book import CreditBookToAuthor
from modules.author.application.on_author_removed_from_book import UncreditBookFromAuthor
from modules.author.application.on_book_deleted import ForgetDeletedBook
from modules.author.application.revise_author import ReviseAuthor
from modules.author.infrastructure.queries import SqlAuthorQueries
from modules.author.infrastructure.unit_of_work import SqlAlchemyAuthorUnitOfWork
from modules.author.public_api import AuthorDirectory
from modules.shared_kernel.infrastructure.outbox import Outbox


class AuthorContainer(containers.DeclarativeContainer):
    engine: providers.Dependency[AsyncEngine] = providers.Dependency()
    session_factory: providers.Dependency[async_sessionmaker[AsyncSession]] = providers.Dependency()
    outbox: providers.Dependency[Outbox] = providers.Dependency()

    unit_of_work = providers.Factory(
        SqlAlchemyAuthorUnitOfWork, session_factory=session_factory, outbox=outbox
    )

    add_author = providers.Factory(AddAuthor, unit_of_work=unit_of_work.provider)
    revise_author = providers.Factory(ReviseAuthor, unit_of_work=unit_of_work.provider)
    delete_author = providers.Factory(DeleteAuthor, unit_of_work=unit_of_work.provider)

    # Handlers of the Book module's events (subscribed in modules/author/subscriptions.py).
    credit_book = providers.Factory(CreditBookToAuthor, unit_of_work=unit_of_work.provider)
    uncredit_book = providers.Factory(UncreditBookFromAuthor, unit_of_work=unit_of_work.provider)
    forget_deleted_book = providers.Factory(ForgetDeletedBook, unit_of_work=unit_of_work.provider)

    queries = providers.Singleton(SqlAuthorQueries, engine=engine)
    directory = providers.Singleton(AuthorDirectory, engine=engine)
