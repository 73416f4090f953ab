"""Unit tests make ids with a generator of their own.

They store nothing the service shares, so they need no lease. In the whole suite a running
app (tests/conftest.py) installs its lease-guarded generator process-wide, and a long
synchronous test (a system test waiting on another process) holds the event loop that renews
that lease: ids asked of it afterwards may be refused until it is renewed.
"""

from collections.abc import Iterator

import pytest

from modules.shared_kernel.domain.snowflake import MAX_WORKER_ID, SnowflakeGenerator, use_generator


@pytest.fixture(autouse=True)
def ids_of_their_own() -> Iterator[None]:
    previous = use_generator(SnowflakeGenerator(MAX_WORKER_ID))
    yield
    use_generator(previous)
