"""The Author module's Unit of Work: its own session and transaction, its own tables only."""

from sqlalchemy.exc import IntegrityError

from modules.author.domain.errors import AuthorStillHasBooks
from modules.author.infrastructure.repository import SqlAlchemyAuthorRepository
from modules.shared_kernel.infrastructure.unit_of_work import SqlAlchemyUnitOfWork


class SqlAlchemyAuthorUnitOfWork(SqlAlchemyUnitOfWork):
    def start(self) -> None:
        self.authors = SqlAlchemyAuthorRepository(self.session)

    def integrity_error(self, error: IntegrityError) -> Exception:
        # Deleting an author some book credits: the key from credits to authors refuses.
        if "FOREIGN KEY" in str(error.orig).upper():
            return AuthorStillHasBooks()
        return super().integrity_error(error)
