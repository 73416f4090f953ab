"""The Book module's Unit of Work: its own session and transaction, its own tables only."""

from sqlalchemy.exc import IntegrityError

from modules.book.domain.errors import IsbnAlreadyUsed
from modules.book.infrastructure.repository import SqlAlchemyBookRepository
from modules.shared_kernel.infrastructure.unit_of_work import SqlAlchemyUnitOfWork

ISBN_CONSTRAINT = "uq_books_isbn"


class SqlAlchemyBookUnitOfWork(SqlAlchemyUnitOfWork):
    def start(self) -> None:
        self.books = SqlAlchemyBookRepository(self.session)

    def integrity_error(self, error: IntegrityError) -> Exception:
        # Two writers can both see a free ISBN; the unique constraint settles who got it.
        text = str(error.orig)
        if ISBN_CONSTRAINT in text or "books.isbn" in text:
            return IsbnAlreadyUsed()
        return super().integrity_error(error)
