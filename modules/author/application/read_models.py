"""What the author queries return: shaped for the views, filled straight from SQL (CQRS)."""

from datetime import datetime
from typing import Protocol

from pydantic import BaseModel, Field

from modules.shared_kernel.application.ids import Id
from modules.shared_kernel.application.pages import Slice


class AuthorBookDTO(BaseModel):
    id: Id
    title: str


class AuthorDTO(BaseModel):
    id: Id
    version: int = Field(exclude=True)  # shown as the ETag header, not in the body
    created_at: datetime = Field(description="When it was registered, read from its id.")
    first_name: str
    last_name: str
    biography: str | None
    books: list[AuthorBookDTO]


class AuthorQueries(Protocol):
    async def author(self, author_id: int) -> AuthorDTO | None: ...

    async def authors(
        self, *, name: str | None, after: int | None, limit: int
    ) -> Slice[AuthorDTO]: ...
