"""The ways a request about books can break the catalogue's rules."""

from modules.shared_kernel.domain.errors import Conflict, InvalidValue, NotFound


class BookNotFound(NotFound):
    def __init__(self, book_id: int) -> None:
        super().__init__(f"there is no book {book_id}")
        self.book_id = book_id


class IsbnAlreadyUsed(Conflict):
    def __init__(self, isbn: str | None = None) -> None:
        which = f"ISBN {isbn}" if isbn else "this ISBN"
        super().__init__(f"another book already has {which}", field="isbn")
        self.isbn = isbn


class UnknownAuthors(InvalidValue):
    """Some author ids given for a new book name no author."""

    def __init__(self, author_ids: list[int]) -> None:
        listed = ", ".join(str(i) for i in author_ids)
        super().__init__(f"no author with id {listed}", field="author_ids")
        self.author_ids = author_ids


class UnknownAuthor(NotFound):
    """Crediting an author id that names no author (or no longer does)."""

    kind = "author-not-found"

    def __init__(self, author_id: int | None = None) -> None:
        super().__init__(f"there is no author {author_id}" if author_id is not None
                         else "an author credited on the book does not exist")
        self.author_id = author_id


class AuthorNotCredited(NotFound):
    kind = "author-not-found"

    def __init__(self, book_id: int, author_id: int) -> None:
        super().__init__(f"author {author_id} is not credited on book {book_id}")
        self.author_id = author_id


class InvalidBook(InvalidValue):
    """A title, page count, year or author list outside what a book can have."""
