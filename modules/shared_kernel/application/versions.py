"""Committing a change that was asked for at a given version (HTTP If-Match)."""

from modules.shared_kernel.application.unit_of_work import UnitOfWork
from modules.shared_kernel.domain.errors import ConcurrentChange, VersionMismatch


async def commit_at_version(uow: UnitOfWork, expected_version: int | None) -> None:
    """Commit; a race lost to another writer is a VersionMismatch when the caller named the
    version it saw (412), and stays a ConcurrentChange when it did not (409)."""
    try:
        await uow.commit()
    except ConcurrentChange:
        if expected_version is None:
            raise
        raise VersionMismatch(expected_version) from None
