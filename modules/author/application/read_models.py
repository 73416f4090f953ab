"""What the author queries return: shaped for the views, filled straight from SQL (CQRS)."""

from typing import Protocol

from pydantic import BaseModel

from modules.shared_kernel.application.ids import Id
from modules.shared_kernel.application.pages import Slice


class AuthorBookDTO(BaseModel):
    id: Id
    title: str


class AuthorDTO(BaseModel):
    id: Id
    first_name: str
    last_name: str
    biography: str | None
    books: list[AuthorBookDTO]


class AuthorQueries(Protocol):
    async def author(self, author_id: int) -> AuthorDTO | None: ...

    async def authors(
        self, *, name: str | None, after: int | None, limit: int
    ) -> Slice[AuthorDTO]: ...
