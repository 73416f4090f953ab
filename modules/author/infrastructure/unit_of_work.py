"""The Author module's Unit of Work: its own session and transaction, its own tables only."""

from modules.author.infrastructure.repository import SqlAlchemyAuthorRepository
from modules.shared_kernel.infrastructure.unit_of_work import SqlAlchemyUnitOfWork


class SqlAlchemyAuthorUnitOfWork(SqlAlchemyUnitOfWork):
    def start(self) -> None:
        self.authors = SqlAlchemyAuthorRepository(self.session)
