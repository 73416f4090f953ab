"""Versions as ETags: no edit silently overwrites another."""

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from dependency_injector import providers

from modules.container import ApplicationContainer
from persistence.database import is_sqlite
from tests.api.catalogue import assert_problem, new_author, new_book


async def test_a_book_carries_its_version_as_etag_and_each_change_moves_it(
    client: httpx.AsyncClient,
) -> None:
    book = await new_book(client)
    han = await new_author(client)
    first = (await client.get(f"/books/{book['id']}")).headers["etag"]

    credited = await client.put(f"/books/{book['id']}/authors/{han['id']}")
    patched = await client.patch(f"/books/{book['id']}", json={"pages": 300})

    assert first == '"1"'
    assert credited.headers["etag"] == '"2"'  # a new credit alone moves the version too
    assert patched.headers["etag"] == '"3"'
    assert "version" not in patched.json()


async def test_patch_with_the_current_etag_succeeds(client: httpx.AsyncClient) -> None:
    book = await new_book(client)
    etag = (await client.get(f"/books/{book['id']}")).headers["etag"]

    response = await client.patch(f"/books/{book['id']}", json={"pages": 300},
                                  headers={"If-Match": etag})

    assert response.status_code == 200
    assert response.json()["pages"] == 300


@pytest.mark.parametrize("if_match", ['"7"', 'W/"1"', "1", "garbage", '"99999999999999"'])
async def test_patch_with_a_stale_or_unreadable_if_match_is_412_and_changes_nothing(
    client: httpx.AsyncClient, if_match: str
) -> None:
    book = await new_book(client)

    response = await client.patch(f"/books/{book['id']}", json={"pages": 300},
                                  headers={"If-Match": if_match})

    assert_problem(response, 412, "version-mismatch")
    assert (await client.get(f"/books/{book['id']}")).json()["pages"] == book["pages"]


@pytest.mark.parametrize("if_match", [b'"\xb2"', b'"\xb3"', b'"\xb9"', b'"1\xb9"'])
async def test_if_match_with_superscript_digits_is_412_not_a_crash(
    client: httpx.AsyncClient, if_match: bytes
) -> None:
    # Header bytes arrive as Latin-1: 0xB2 is "²", which str.isdigit accepts and int refuses.
    book = await new_book(client)

    response = await client.patch(f"/books/{book['id']}", json={"pages": 300},
                                  headers={"If-Match": if_match})

    assert_problem(response, 412, "version-mismatch")


async def test_if_match_star_accepts_any_version(client: httpx.AsyncClient) -> None:
    author = await new_author(client)

    response = await client.patch(f"/authors/{author['id']}", json={"last_name": "Gang"},
                                  headers={"If-Match": "*"})

    assert response.status_code == 200


async def test_two_patches_racing_with_one_if_match_give_one_200_and_one_412(
    client: httpx.AsyncClient,
) -> None:
    book = await new_book(client)
    etag = (await client.get(f"/books/{book['id']}")).headers["etag"]

    responses = await asyncio.gather(
        client.patch(f"/books/{book['id']}", json={"title": "Mine"}, headers={"If-Match": etag}),
        client.patch(f"/books/{book['id']}", json={"title": "Theirs"},
                     headers={"If-Match": etag}),
    )

    assert sorted(r.status_code for r in responses) == [200, 412]
    winner = next(r for r in responses if r.status_code == 200).json()["title"]
    assert (await client.get(f"/books/{book['id']}")).json()["title"] == winner


async def test_two_authors_patches_racing_with_one_if_match_give_one_200_and_one_412(
    client: httpx.AsyncClient,
) -> None:
    author = await new_author(client)
    etag = (await client.get(f"/authors/{author['id']}")).headers["etag"]

    responses = await asyncio.gather(*[
        client.patch(f"/authors/{author['id']}", json={"biography": text},
                     headers={"If-Match": etag}) for text in ("Mine.", "Theirs.")
    ])

    assert sorted(r.status_code for r in responses) == [200, 412]


class HeldBeforeCommit:
    """Units of work whose first commit once armed waits until the test lets it go: a
    writer that has read the aggregate and changed it, caught between read and commit."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.waiting, self.go = asyncio.Event(), asyncio.Event()
        self.held = True  # armed by the test, once its setup is stored

    def arm(self) -> None:
        self.held = False

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        unit = self.real(*args, **kwargs)
        commit = unit.commit

        async def held_commit() -> None:
            if not self.held:
                self.held = True
                self.waiting.set()
                await self.go.wait()
            await commit()

        unit.commit = held_commit
        return unit


@pytest.fixture
def overtaking_possible(database_url: str) -> None:
    if is_sqlite(database_url):
        pytest.skip("SQLite serialises writers from their first statement (BEGIN IMMEDIATE): "
                    "a writer cannot be overtaken between its read and its commit there")


@pytest.fixture
def first_book_writer_held(container: ApplicationContainer,
                           overtaking_possible: None) -> Iterator[HeldBeforeCommit]:
    held = HeldBeforeCommit(container.book.unit_of_work.cls)
    with container.book.unit_of_work.override(providers.Factory(
            held, session_factory=container.session_factory,
            publication_log=container.publication_log)):
        yield held


@pytest.fixture
def first_author_writer_held(container: ApplicationContainer,
                             overtaking_possible: None) -> Iterator[HeldBeforeCommit]:
    held = HeldBeforeCommit(container.author.unit_of_work.cls)
    with container.author.unit_of_work.override(providers.Factory(
            held, session_factory=container.session_factory,
            publication_log=container.publication_log)):
        yield held


async def test_a_book_writer_overtaken_between_its_read_and_its_commit_gets_409(
    client: httpx.AsyncClient, first_book_writer_held: HeldBeforeCommit
) -> None:
    # A last-write-wins service would answer both 200 and keep "Second" or "First" silently.
    book = await new_book(client)
    first_book_writer_held.arm()
    first = asyncio.create_task(client.patch(f"/books/{book['id']}", json={"title": "First"}))
    await first_book_writer_held.waiting.wait()  # the first has read version 1 and changed it

    second = await client.patch(f"/books/{book['id']}", json={"title": "Second"})
    first_book_writer_held.go.set()

    assert second.status_code == 200
    assert_problem(await first, 409, "concurrent-change")
    assert (await client.get(f"/books/{book['id']}")).json()["title"] == "Second"


async def test_an_author_writer_overtaken_between_its_read_and_its_commit_gets_409(
    client: httpx.AsyncClient, first_author_writer_held: HeldBeforeCommit
) -> None:
    author = await new_author(client)
    first_author_writer_held.arm()
    first = asyncio.create_task(
        client.patch(f"/authors/{author['id']}", json={"biography": "First."}))
    await first_author_writer_held.waiting.wait()

    second = await client.patch(f"/authors/{author['id']}", json={"biography": "Second."})
    first_author_writer_held.go.set()

    assert second.status_code == 200
    assert_problem(await first, 409, "concurrent-change")
    assert (await client.get(f"/authors/{author['id']}")).json()["biography"] == "Second."


async def test_many_writers_of_one_version_give_exactly_one_200(
    client: httpx.AsyncClient,
) -> None:
    book = await new_book(client)
    etag = (await client.get(f"/books/{book['id']}")).headers["etag"]

    responses = await asyncio.gather(*[
        client.patch(f"/books/{book['id']}", json={"pages": pages}, headers={"If-Match": etag})
        for pages in range(10, 20)])

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [412] * 9
    winner = next(r for r in responses if r.status_code == 200).json()["pages"]
    assert (await client.get(f"/books/{book['id']}")).json()["pages"] == winner


# Issue 11: RFC 9110 13.1.1 — a server with a current representation evaluates If-Match on
# every write, not only on PATCH. A delete or a credit change asked for at a stale version is
# a 412 and changes nothing; at the current one it goes ahead.

async def test_deleting_a_book_at_a_stale_version_is_412_and_keeps_it(
    client: httpx.AsyncClient,
) -> None:
    book = await new_book(client)
    path = f"/books/{book['id']}"

    assert_problem(await client.delete(path, headers={"If-Match": '"7"'}), 412,
                   "version-mismatch")
    assert (await client.get(path)).status_code == 200
    assert (await client.delete(path, headers={"If-Match": '"1"'})).status_code == 204


async def test_deleting_an_author_at_a_stale_version_is_412_and_keeps_them(
    client: httpx.AsyncClient,
) -> None:
    author = await new_author(client)
    path = f"/authors/{author['id']}"

    assert_problem(await client.delete(path, headers={"If-Match": '"7"'}), 412,
                   "version-mismatch")
    assert (await client.get(path)).status_code == 200
    etag = (await client.get(path)).headers["etag"]
    assert (await client.delete(path, headers={"If-Match": etag})).status_code == 204


async def test_crediting_at_a_stale_book_version_is_412_and_credits_nobody(
    client: httpx.AsyncClient,
) -> None:
    book, han = await new_book(client), await new_author(client)
    path = f"/books/{book['id']}/authors/{han['id']}"

    assert_problem(await client.put(path, headers={"If-Match": '"7"'}), 412, "version-mismatch")
    assert (await client.get(f"/books/{book['id']}")).json()["authors"] == []
    credited = await client.put(path, headers={"If-Match": '"1"'})
    assert credited.status_code == 200
    assert [a["id"] for a in credited.json()["authors"]] == [han["id"]]


async def test_uncrediting_at_a_stale_book_version_is_412_and_keeps_the_credit(
    client: httpx.AsyncClient,
) -> None:
    han = await new_author(client)
    book = await new_book(client, author_ids=[han["id"]])
    path = f"/books/{book['id']}/authors/{han['id']}"
    etag = (await client.get(f"/books/{book['id']}")).headers["etag"]
    await client.patch(f"/books/{book['id']}", json={"pages": 300})  # the version moves on

    assert_problem(await client.delete(path, headers={"If-Match": etag}), 412,
                   "version-mismatch")
    assert [a["id"] for a in (await client.get(f"/books/{book['id']}")).json()["authors"]] \
        == [han["id"]]
    current = (await client.get(f"/books/{book['id']}")).headers["etag"]
    assert (await client.delete(path, headers={"If-Match": current})).status_code == 200


async def test_every_write_that_takes_if_match_documents_412(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]

    for path, method in [("/books/{book_id}", "delete"), ("/authors/{author_id}", "delete"),
                         ("/books/{book_id}/authors/{author_id}", "put"),
                         ("/books/{book_id}/authors/{author_id}", "delete")]:
        operation = paths[path][method]
        assert "412" in operation["responses"], (method, path)
        assert "if-match" in [p["name"].lower() for p in operation["parameters"]], (method, path)
