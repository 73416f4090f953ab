"""Several workers starting at once on a fresh database: each comes up, none crashes.

The example this project grows from crashed one worker in 1 of 3 such starts
(DuplicateTableError); here migrations run under a lock (advisory on PostgreSQL, a file lock
on SQLite), and the others find the schema at head. `BOOKSHELF_FRESH_START_ROUNDS` sets how
many starts (default 3).
"""

import os
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from persistence.clock import database_now_ms
from persistence.tables import worker_leases
from tests.eventually import eventually
from tests.system.databases import fresh_database
from tests.system.servers import running_service

ROUNDS = int(os.environ.get("BOOKSHELF_FRESH_START_ROUNDS", "3"))
WORKERS = 4


async def test_four_workers_starting_together_on_a_fresh_database_all_come_up(
    database_url: str, tmp_path: Path
) -> None:
    for round_number in range(ROUNDS):
        folder = tmp_path / f"round{round_number}"
        folder.mkdir()
        async with fresh_database(database_url, folder) as url:
            engine = create_async_engine(url)
            log = folder / "uvicorn.log"
            with running_service(url, workers=WORKERS, log=log):

                async def live_leases(engine: AsyncEngine = engine) -> int:
                    async with engine.connect() as connection:
                        return int(await connection.scalar(select(func.count()).where(
                            worker_leases.c.expires_at_ms > database_now_ms())))

                await eventually(live_leases, lambda n: n == WORKERS, within_s=60)
            await engine.dispose()
            output = log.read_text()
            assert output.count("Application startup complete") == WORKERS, output
            assert "Traceback" not in output, output
