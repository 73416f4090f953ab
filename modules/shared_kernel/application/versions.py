"""Changes asked for at a given version (HTTP If-Match): checked on what was loaded, and
again by the commit."""

from modules.shared_kernel.application.unit_of_work import UnitOfWork
from modules.shared_kernel.domain.errors import ConcurrentChange, VersionMismatch


def check_version(version: int, expected_version: int | None) -> None:
    """Refuse to change what is no longer at the version the caller saw; no expected version
    means any will do. Check the aggregate as loaded for the change (locked, where the use
    case locks it), so the answer holds until the commit."""
    if expected_version is not None and version != expected_version:
        raise VersionMismatch(expected_version, version)


async def commit_at_version(uow: UnitOfWork, expected_version: int | None) -> None:
    """Commit; a race lost to another writer is a VersionMismatch when the caller named the
    version it saw (412), and stays a ConcurrentChange when it did not (409)."""
    try:
        await uow.commit()
    except ConcurrentChange:
        if expected_version is None:
            raise
        raise VersionMismatch(expected_version) from None
