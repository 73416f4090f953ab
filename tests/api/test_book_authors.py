"""Crediting authors on books, and the Author side following by events."""

import httpx

from tests.api.catalogue import assert_problem, books_of, new_author, new_book


async def test_after_adding_an_author_the_author_lists_the_book(
    client: httpx.AsyncClient,
) -> None:
    han = await new_author(client)
    book = await new_book(client)

    response = await client.put(f"/books/{book['id']}/authors/{han['id']}")

    assert response.status_code == 200
    assert [a["id"] for a in response.json()["authors"]] == [han["id"]]
    assert await books_of(client, han) == [book["id"]]
    author = (await client.get(f"/authors/{han['id']}")).json()
    assert author["books"] == [{"id": book["id"], "title": book["title"]}]


async def test_adding_the_same_author_twice_changes_nothing(client: httpx.AsyncClient) -> None:
    han = await new_author(client)
    book = await new_book(client, author_ids=[han["id"]])

    response = await client.put(f"/books/{book['id']}/authors/{han['id']}")

    assert response.status_code == 200
    assert response.json() == (await client.get(f"/books/{book['id']}")).json()
    assert [a["id"] for a in response.json()["authors"]] == [han["id"]]
    assert await books_of(client, han) == [book["id"]]


async def test_authors_keep_the_order_they_were_added_in(client: httpx.AsyncClient) -> None:
    first, second, third = [await new_author(client, f"A{i}", "Kim") for i in range(3)]
    book = await new_book(client, author_ids=[second["id"]])

    await client.put(f"/books/{book['id']}/authors/{third['id']}")
    await client.put(f"/books/{book['id']}/authors/{first['id']}")
    await client.delete(f"/books/{book['id']}/authors/{third['id']}")
    await client.put(f"/books/{book['id']}/authors/{third['id']}")

    shown = (await client.get(f"/books/{book['id']}")).json()["authors"]
    assert [a["id"] for a in shown] == [second["id"], first["id"], third["id"]]


async def test_after_removing_the_author_the_author_no_longer_lists_the_book(
    client: httpx.AsyncClient,
) -> None:
    han = await new_author(client)
    book = await new_book(client, author_ids=[han["id"]])

    response = await client.delete(f"/books/{book['id']}/authors/{han['id']}")

    assert response.status_code == 200
    assert response.json()["authors"] == []
    assert await books_of(client, han) == []


async def test_after_deleting_the_book_its_authors_no_longer_list_it(
    client: httpx.AsyncClient,
) -> None:
    han = await new_author(client)
    shin = await new_author(client, "Kyung-sook", "Shin")
    kept = await new_book(client, author_ids=[han["id"]])
    book = await new_book(client, author_ids=[han["id"], shin["id"]])

    await client.delete(f"/books/{book['id']}")

    assert await books_of(client, han) == [kept["id"]]
    assert await books_of(client, shin) == []
    assert (await client.delete(f"/authors/{shin['id']}")).status_code == 204


async def test_adding_an_unknown_author_is_404_and_changes_nothing(
    client: httpx.AsyncClient,
) -> None:
    book = await new_book(client)

    response = await client.put(f"/books/{book['id']}/authors/987654321")

    assert_problem(response, 404, "author-not-found")
    assert (await client.get(f"/books/{book['id']}")).json()["authors"] == []


async def test_adding_an_author_to_an_unknown_book_is_404(client: httpx.AsyncClient) -> None:
    han = await new_author(client)

    assert_problem(await client.put(f"/books/5/authors/{han['id']}"), 404, "book-not-found")


async def test_removing_an_author_who_is_not_credited_is_404(client: httpx.AsyncClient) -> None:
    han = await new_author(client)
    book = await new_book(client)

    response = await client.delete(f"/books/{book['id']}/authors/{han['id']}")

    assert_problem(response, 404, "author-not-found")


async def test_removing_an_author_from_an_unknown_book_is_404(client: httpx.AsyncClient) -> None:
    assert_problem(await client.delete("/books/5/authors/6"), 404, "book-not-found")


async def test_malformed_ids_in_the_author_routes_are_422(client: httpx.AsyncClient) -> None:
    book = await new_book(client)

    assert_problem(await client.put(f"/books/{book['id']}/authors/x1"), 422)
    assert_problem(await client.delete(f"/books/{book['id']}/authors/0"), 422)
