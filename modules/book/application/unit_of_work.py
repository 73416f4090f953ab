"""The Book module's transaction boundary, as its use cases see it."""

from typing import Protocol

from modules.book.domain.repository import BookRepository
from modules.shared_kernel.application.unit_of_work import UnitOfWork


class BookUnitOfWork(UnitOfWork, Protocol):
    books: BookRepository
