"""The Book module's Unit of Work: its own session and transaction, its own tables only."""

from sqlalchemy.exc import IntegrityError

from modules.book.domain.errors import IsbnAlreadyUsed, UnknownAuthor
from modules.book.infrastructure.repository import SqlAlchemyBookRepository
from modules.shared_kernel.infrastructure.unit_of_work import SqlAlchemyUnitOfWork

ISBN_CONSTRAINT = "uq_books_isbn"


class SqlAlchemyBookUnitOfWork(SqlAlchemyUnitOfWork):
    def start(self) -> None:
        self.books = SqlAlchemyBookRepository(self.session)

    def integrity_error(self, error: IntegrityError) -> Exception:
        text = str(error.orig)
        # Two writers can both see a free ISBN; the unique constraint settles who got it.
        if ISBN_CONSTRAINT in text or "books.isbn" in text:
            return IsbnAlreadyUsed()
        # The author was deleted after the use case checked it existed: the key from
        # credits to authors (the only foreign key a book's rows can break) refuses it.
        if "FOREIGN KEY" in text.upper():
            return UnknownAuthor()
        return super().integrity_error(error)
