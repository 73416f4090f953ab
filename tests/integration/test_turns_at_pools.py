"""Reads and units of work are served in the order they asked, under a closed loop: callers
that ask again the moment they are served, as clients on kept-alive connections do. Left to
the pools, the caller that had just given its connection back took it again every time (see
persistence/turns.py), and the benchmark's searches waited up to seconds at p99."""

import pytest
from sqlalchemy import literal_column, select
from sqlalchemy.ext.asyncio import AsyncEngine

from modules.book.infrastructure.unit_of_work import SqlAlchemyBookUnitOfWork
from modules.container import ApplicationContainer
from persistence.database import create_engine, create_session_factory, is_sqlite
from persistence.reads import Reads
from persistence.turns import Turns
from tests.closed_loop import served_in_a_closed_loop
from tests.integration.conftest import RecordingPublicationLog

WORKERS, ROUNDS = 3, 10
ONE = select(literal_column("1").label("one"))  # built once, as the queries' statements are


async def test_reads_on_one_connection_are_served_in_turn(database_url: str) -> None:
    if is_sqlite(database_url):
        pytest.skip("the embedded database's reads go through SQLAlchemy, not asyncpg's pool")
    engine = create_engine(database_url)
    reads = Reads(engine, pool_size=1)
    try:
        served = await served_in_a_closed_loop(lambda: reads.rows(ONE, {}), workers=WORKERS,
                                               rounds=ROUNDS)
    finally:
        await reads.close()
        await engine.dispose()
    assert served == list(range(WORKERS)) * ROUNDS


async def test_units_of_work_on_one_connection_are_served_in_turn(database_url: str) -> None:
    engine: AsyncEngine = create_engine(database_url, pool_size=1)  # and no overflow
    sessions, turns = create_session_factory(engine), Turns(1, wait_s=5)

    async def one_unit_of_work() -> None:
        async with SqlAlchemyBookUnitOfWork(sessions, RecordingPublicationLog(),
                                            turns=turns) as uow:
            await uow.session.execute(ONE)

    try:
        served = await served_in_a_closed_loop(one_unit_of_work, workers=WORKERS,
                                               rounds=ROUNDS)
    finally:
        await engine.dispose()
    assert served == list(range(WORKERS)) * ROUNDS


def test_every_unit_of_work_takes_its_turn_at_the_one_writers_pool(
        container: ApplicationContainer) -> None:
    turns = container.write_turns()
    units = (container.book.unit_of_work(), container.author.unit_of_work(),
             container.outbound_unit_of_work())
    assert all(unit._turns is turns for unit in units)
