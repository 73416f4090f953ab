"""The Author module's transaction boundary, as its use cases see it."""

from typing import Protocol

from modules.author.domain.repository import AuthorRepository
from modules.shared_kernel.application.unit_of_work import UnitOfWork


class AuthorUnitOfWork(UnitOfWork, Protocol):
    authors: AuthorRepository
