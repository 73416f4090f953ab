"""Generated requests against the published OpenAPI schema (schemathesis): no 5xx, no
response that breaks the documented schema, no undocumented status code.

Driven through schemathesis's Python API (each operation's Hypothesis strategy, valid and
invalid data, derandomized so every run sends the same cases) against a real uvicorn process.
"""

import hashlib
from collections import Counter
from collections.abc import AsyncIterator

import pytest
import schemathesis
from hypothesis import HealthCheck, assume, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode, checks

from tests.system.databases import fresh_database
from tests.system.servers import running_service

CASES_PER_OPERATION_AND_MODE = 40

# What the service promises: no 5xx; every status, content type, header and body as
# published; schema-violating requests refused; undeclared methods answered 405.
# Not positive_data_acceptance: rules JSON Schema cannot express (an ISBN's check digit,
# whether author_ids name existing authors) rightly turn some schema-valid bodies into 422s.
# Not ignored_auth/missing_required_header: the token is sent with every case here; who may
# write is tested in tests/api/test_access.py.
CHECKS = [
    checks.not_a_server_error, checks.status_code_conformance,
    checks.content_type_conformance, checks.response_headers_conformance,
    checks.response_schema_conformance, checks.negative_data_rejection,
    checks.unsupported_method,
]


TOKEN = "contract-test-token"
AUTHORIZED = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
async def service(database_url: str,
                  tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """Writes need a token, so schemathesis also checks they refuse bad credentials. A
    database of its own: on SQLite, sharing the suite's file with the suite's own app (whose
    event loop this synchronous test holds, mid-transaction maybe) could lock it out."""
    folder = tmp_path_factory.mktemp("contract")
    async with fresh_database(database_url, folder) as url:
        with running_service(url, log=folder / "uvicorn.log",
                             API_TOKEN_HASHES=hashlib.sha256(TOKEN.encode()).hexdigest()) as base:
            yield base


def test_the_api_keeps_its_published_contract(service: str) -> None:
    schema = schemathesis.openapi.from_url(f"{service}/openapi.json")
    sent: Counter[str] = Counter()
    failures: dict[str, str] = {}

    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            label = operation.label

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=CASES_PER_OPERATION_AND_MODE, derandomize=True,
                      deadline=None, database=None, suppress_health_check=list(HealthCheck))
            def keeps_the_contract(case: schemathesis.Case) -> None:
                # A query parameter generated as None or an empty list is not sent at all, so
                # a "negative" case whose only fault it is reaches the service as a valid
                # request (seen once: `?after=10`, flagged as a violation that was accepted).
                assume(all(value is not None and value != [] for value in
                           (case.query or {}).values()))
                sent[label] += 1  # noqa: B023  (runs before the loop moves on)
                case.call_and_validate(headers=AUTHORIZED, checks=CHECKS)

            try:
                keeps_the_contract()
            except Unsatisfiable:  # nothing invalid to send (a route without parameters)
                assert mode is GenerationMode.NEGATIVE, label
            except (Exception, BaseExceptionGroup) as failure:  # all of them, one report
                failures[f"{operation.label} ({mode.value})"] = str(failure)[:3000]

    print(f"\n{sum(sent.values())} generated requests over {len(sent)} operations")
    assert not failures, "\n\n".join(f"{where}:\n{what}" for where, what in failures.items())
    assert len(sent) == 16
    assert sum(sent.values()) >= 1000
