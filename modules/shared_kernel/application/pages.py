"""Keyset pages: the items after a given id, in ascending id order."""

from dataclasses import dataclass
from typing import Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


@dataclass(frozen=True)
class Slice(Generic[T]):
    """The rows of one page and whether any follow."""

    items: list[T]
    more: bool


class Page(BaseModel, Generic[T]):
    items: list[T]
    next: str | None = Field(
        description="Relative link (path and query) to the next page (same filters, "
        "`after` the last id), or null."
    )
