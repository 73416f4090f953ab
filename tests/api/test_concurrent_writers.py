"""Many writers at once on one aggregate: nothing lost, nothing refused."""

import asyncio

import httpx

from tests.api.catalogue import new_author, new_book


async def test_books_created_at_once_for_one_author_are_all_listed_by_the_author(
    client: httpx.AsyncClient,
) -> None:
    han = await new_author(client)

    books = await asyncio.gather(
        *[new_book(client, title=f"Book {i}", author_ids=[han["id"]]) for i in range(30)]
    )

    listed = (await client.get(f"/authors/{han['id']}")).json()["books"]
    assert sorted(b["id"] for b in listed) == sorted(b["id"] for b in books)


async def test_fifty_authors_credited_at_once_on_one_book_are_all_kept_on_both_sides(
    client: httpx.AsyncClient,
) -> None:
    book = await new_book(client)
    authors = [await new_author(client, f"Writer{i}", "Lee") for i in range(50)]

    responses = await asyncio.gather(
        *[client.put(f"/books/{book['id']}/authors/{a['id']}") for a in authors]
    )

    assert [r.status_code for r in responses] == [200] * 50
    credited = (await client.get(f"/books/{book['id']}")).json()["authors"]
    assert sorted(a["id"] for a in credited) == sorted(a["id"] for a in authors)
    for author in authors:
        shown = (await client.get(f"/authors/{author['id']}")).json()["books"]
        assert [b["id"] for b in shown] == [book["id"]]


async def test_authors_removed_at_once_from_one_book_are_all_gone_on_both_sides(
    client: httpx.AsyncClient,
) -> None:
    authors = [await new_author(client, f"Writer{i}", "Park") for i in range(20)]
    book = await new_book(client, author_ids=[a["id"] for a in authors])

    responses = await asyncio.gather(
        *[client.delete(f"/books/{book['id']}/authors/{a['id']}") for a in authors]
    )

    assert [r.status_code for r in responses] == [200] * 20
    assert (await client.get(f"/books/{book['id']}")).json()["authors"] == []
    for author in authors:
        assert (await client.get(f"/authors/{author['id']}")).json()["books"] == []
