"""When the process may not make ids, writes are refused with a retryable 503."""

from collections.abc import Iterator

import httpx
import pytest

from modules.shared_kernel.domain import snowflake
from tests.api.catalogue import assert_problem


@pytest.fixture
def lease_not_confirmed() -> Iterator[None]:
    previous = snowflake.use_generator(
        snowflake.SnowflakeGenerator(snowflake.current_worker_id(), permit=lambda: False)
    )
    yield
    snowflake.use_generator(previous)


async def test_a_create_without_a_confirmed_worker_id_is_503_with_retry_after(
    client: httpx.AsyncClient, lease_not_confirmed: None
) -> None:
    response = await client.post("/authors", json={"first_name": "Han", "last_name": "Kang"})

    assert_problem(response, 503, "ids-unavailable")
    assert response.headers["retry-after"] == "1"
    assert (await client.get("/authors")).json()["items"] == []
