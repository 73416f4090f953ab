"""A publication's id is never used twice, not even after old ones are purged: a late,
duplicate delivery of a purged publication must not complete a newer one with its id."""


from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from modules.settings import Settings
from modules.shared_kernel.infrastructure.outbox.operations import PublicationOperations
from persistence.tables import event_publications as log


async def completed_long_ago(engine: AsyncEngine, count: int) -> list[int]:
    """Publish `count` entries, completed at the epoch: past any retention."""
    async with engine.begin() as connection:
        return list((await connection.execute(
            insert(log).returning(log.c.id, sort_by_parameter_order=True),
            [{"event_type": "AuthorAddedToBook", "schema_version": 2,
              "payload": {"book_id": 1, "author_id": n, "sequence": n + 1},
              "aggregate_id": 1, "subscriber": "author", "listener": "author.credit_book",
              "created_at_ms": 0, "attempts": 1, "next_attempt_at_ms": 0,
              "completed_at_ms": 0} for n in range(count)])).scalars())


async def test_ids_are_not_used_again_after_a_purge(own_database: AsyncEngine) -> None:
    # Issue 11: on SQLite an INTEGER key without AUTOINCREMENT hands out max(id) + 1, so
    # once the newest entries were purged their ids came round again.
    used = await completed_long_ago(own_database, 3)
    purged = await PublicationOperations(own_database, Settings(event_retention_s=0)
                                         ).purge_completed()
    async with own_database.connect() as connection:
        assert await connection.scalar(select(func.count()).select_from(log)) == 0
    assert purged == 3

    [new] = await completed_long_ago(own_database, 1)

    assert new > max(used)
