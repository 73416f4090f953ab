"""The lease table's contract, kept by the SQL table and by the in-memory one the unit tests
use: each test runs on both."""

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from modules.shared_kernel.infrastructure.lease_table import LeaseTable
from modules.shared_kernel.infrastructure.sql_lease_table import SqlLeaseTable
from tests.in_memory_lease_table import InMemoryLeaseTable
from tests.integration.leases import lowest_worker_id_never_leased

TTL_MS = 60_000


@pytest.fixture(params=["sql", "in memory"])
def table(request: pytest.FixtureRequest, engine: AsyncEngine, leases: None) -> LeaseTable:
    return SqlLeaseTable(engine) if request.param == "sql" else InMemoryLeaseTable()


@pytest.fixture
async def free_id(engine: AsyncEngine) -> int:
    return await lowest_worker_id_never_leased(engine)


async def test_a_worker_id_is_claimed_new_only_once(table: LeaseTable, free_id: int) -> None:
    assert await table.claim_new(free_id, "test-a", TTL_MS)
    assert not await table.claim_new(free_id, "test-b", TTL_MS)
    assert (await table.records())[free_id].holder == "test-a"


async def test_a_claim_expires_one_ttl_after_the_database_clock(
    table: LeaseTable, free_id: int
) -> None:
    before = await table.now_ms()
    await table.claim_new(free_id, "test-a", TTL_MS)
    after = await table.now_ms()

    assert before + TTL_MS <= (await table.records())[free_id].expires_at_ms <= after + TTL_MS


async def test_a_live_lease_is_not_taken_over(table: LeaseTable, free_id: int) -> None:
    await table.claim_new(free_id, "test-a", TTL_MS)
    expiry = (await table.records())[free_id].expires_at_ms

    assert not await table.take_over(free_id, "test-b", expiry, TTL_MS)


async def test_an_expired_lease_is_taken_over_once(table: LeaseTable, free_id: int) -> None:
    await table.claim_new(free_id, "test-a", 0)
    expiry = (await table.records())[free_id].expires_at_ms

    assert await table.take_over(free_id, "test-b", expiry, TTL_MS)
    assert not await table.take_over(free_id, "test-c", expiry, TTL_MS)
    assert (await table.records())[free_id].holder == "test-b"


async def test_only_the_holder_extends_or_releases(table: LeaseTable, free_id: int) -> None:
    await table.claim_new(free_id, "test-a", TTL_MS)
    expiry = (await table.records())[free_id].expires_at_ms

    assert not await table.extend(free_id, "test-b", 2 * TTL_MS)
    await table.release(free_id, "test-b", None)
    assert (await table.records())[free_id].expires_at_ms == expiry
    assert await table.extend(free_id, "test-a", 2 * TTL_MS)


async def test_a_released_lease_has_expired(table: LeaseTable, free_id: int) -> None:
    await table.claim_new(free_id, "test-a", TTL_MS)

    await table.release(free_id, "test-a", None)

    assert (await table.records())[free_id].expires_at_ms <= await table.now_ms()


async def test_a_released_lease_expires_no_earlier_than_its_last_stamp(
    table: LeaseTable, free_id: int
) -> None:
    await table.claim_new(free_id, "test-a", TTL_MS)
    ahead = await table.now_ms() + 5_000

    await table.release(free_id, "test-a", ahead)

    assert (await table.records())[free_id].expires_at_ms == ahead
