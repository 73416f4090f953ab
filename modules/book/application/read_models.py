"""What the book queries return: shaped for the views, filled straight from SQL (CQRS)."""

from datetime import datetime
from typing import Protocol

from pydantic import BaseModel, Field

from modules.book.domain.book import Book
from modules.shared_kernel.application.ids import Id
from modules.shared_kernel.application.pages import Slice
from modules.shared_kernel.domain.snowflake import decode


class PriceDTO(BaseModel):
    amount: int = Field(description="In the currency's minor unit (won, cents).")
    currency: str = Field(description="ISO 4217 code.")


class BookAuthorDTO(BaseModel):
    id: Id
    first_name: str
    last_name: str


class BookDTO(BaseModel):
    id: Id
    version: int = Field(exclude=True)  # shown as the ETag header, not in the body
    created_at: datetime = Field(description="When it was catalogued, read from its id.")
    title: str
    isbn: str = Field(description="ISBN-13, digits only.")
    pages: int
    price: PriceDTO
    publication_year: int
    authors: list[BookAuthorDTO] = Field(description="In the order they are credited.")


class BookQueries(Protocol):
    async def book(self, book_id: int) -> BookDTO | None: ...

    async def books(
        self, *, title: str | None, isbn: str | None, after: int | None, limit: int
    ) -> Slice[BookDTO]: ...


def book_as_stored(book: Book) -> BookDTO:
    """A new book shown from the aggregate just stored, not read back: a round trip less for
    its answer. Only for a book that credits no one: the names of its authors are the Author
    module's, read with the book (BookQueries.book)."""
    if book.credits:
        raise ValueError("a book that credits authors is shown as read, with their names")
    return BookDTO.model_validate({
        "id": book.id, "version": book.version, "created_at": decode(book.id).created_at,
        "title": book.title, "isbn": book.isbn.value, "pages": book.pages,
        "price": {"amount": book.price.amount, "currency": book.price.currency},
        "publication_year": book.publication_year, "authors": []})
