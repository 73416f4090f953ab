"""Searching by part of a title or a name: any case, any Unicode form, on every engine, and
LIKE's wildcards are plain text."""

import unicodedata

import httpx
import pytest

from tests.api.catalogue import new_author, new_book


def nfd(text: str) -> str:
    """The decomposed form: "é" as "e" and a combining acute, "한" as three jamo."""
    decomposed = unicodedata.normalize("NFD", text)
    assert decomposed != text
    return decomposed


# (what is stored, what is searched for): each search finds what is stored.
SAME_TEXT = [
    pytest.param("Émile", "émile", id="accented, lower case"),
    pytest.param("Émile", "ÉMILE", id="accented, upper case"),
    pytest.param("émile", "Émile", id="accented, stored lower"),
    pytest.param("Straße", "STRASSE", id="a letter that folds to two"),
    pytest.param(nfd("Émile"), "émile", id="stored decomposed"),
    pytest.param("Émile", nfd("émile"), id="searched decomposed"),
    pytest.param("채식주의자", "주의", id="Korean substring"),
    pytest.param(nfd("채식주의자"), "채식", id="Korean stored decomposed"),
    pytest.param("채식주의자", nfd("식주"), id="Korean searched decomposed"),
]


async def titles_found(client: httpx.AsyncClient, term: str) -> list[str]:
    page = (await client.get("/books", params={"title": term})).json()
    return [book["title"] for book in page["items"]]


async def names_found(client: httpx.AsyncClient, term: str) -> list[str]:
    page = (await client.get("/authors", params={"name": term})).json()
    return [f"{author['first_name']} {author['last_name']}" for author in page["items"]]


@pytest.mark.parametrize(("stored", "searched"), SAME_TEXT)
async def test_a_title_is_found_whatever_its_case_and_unicode_form(
    client: httpx.AsyncClient, stored: str, searched: str,
) -> None:
    await new_book(client, title=f"{stored} Tales")
    await new_book(client, title="Human Acts")

    assert await titles_found(client, searched) == [f"{stored} Tales"]


@pytest.mark.parametrize(("stored", "searched"), SAME_TEXT)
async def test_a_first_name_is_found_whatever_its_case_and_unicode_form(
    client: httpx.AsyncClient, stored: str, searched: str,
) -> None:
    await new_author(client, stored, "Kim")
    await new_author(client, "Han", "Kang")

    assert await names_found(client, searched) == [f"{stored} Kim"]


@pytest.mark.parametrize(("stored", "searched"), SAME_TEXT)
async def test_a_last_name_is_found_whatever_its_case_and_unicode_form(
    client: httpx.AsyncClient, stored: str, searched: str,
) -> None:
    await new_author(client, "Ann", stored)
    await new_author(client, "Han", "Kang")

    assert await names_found(client, searched) == [f"Ann {stored}"]


async def test_a_renamed_book_is_found_by_its_new_title_only(client: httpx.AsyncClient) -> None:
    book = await new_book(client, title="Human Acts")

    await client.patch(f"/books/{book['id']}", json={"title": "Émile"})

    assert await titles_found(client, "ÉMILE") == ["Émile"]
    assert await titles_found(client, "human") == []


async def test_a_renamed_author_is_found_by_the_new_name_only(client: httpx.AsyncClient) -> None:
    author = await new_author(client, "Han", "Kang")

    await client.patch(f"/authors/{author['id']}", json={"last_name": "Zoé"})

    assert await names_found(client, "ZOÉ") == ["Han Zoé"]
    assert await names_found(client, "kang") == []


@pytest.mark.parametrize(("term", "found"), [
    ("%", ["100% Kimchi"]),
    ("0%", ["100% Kimchi"]),
    ("_", ["snake_case"]),
    ("e_c", ["snake_case"]),
    ("/", ["AC/DC"]),  # the escape character itself
    ("c/d", ["AC/DC"]),
])
async def test_like_wildcards_in_a_title_search_are_plain_text(
    client: httpx.AsyncClient, term: str, found: list[str],
) -> None:
    for title in ["100% Kimchi", "1000 Kimchi", "snake_case", "snakes case", "AC/DC", "ACDC"]:
        await new_book(client, title=title)

    assert await titles_found(client, term) == found


@pytest.mark.parametrize(("term", "found"), [
    ("%", ["Ann 100%"]),
    ("_", ["Jo_e Lee"]),
])
async def test_like_wildcards_in_a_name_search_are_plain_text(
    client: httpx.AsyncClient, term: str, found: list[str],
) -> None:
    await new_author(client, "Ann", "100%")
    await new_author(client, "Ann", "1000")
    await new_author(client, "Jo_e", "Lee")
    await new_author(client, "Joe", "Lee")

    assert await names_found(client, term) == found


@pytest.mark.parametrize("term", ["'n'", "rock 'n", "c:\\b", "?", "$1", "'; drop table books; --"])
async def test_quotes_backslashes_and_placeholders_in_a_term_are_plain_text(
    client: httpx.AsyncClient, term: str,
) -> None:
    # Whatever reaches the SQL, the term stays text: no quoting, escaping or placeholder leaks.
    title = f"Rock 'n' Roll, C:\\Books ? $1 {term}"
    await new_book(client, title=title)
    await new_book(client, title="Rock and Roll")

    assert await titles_found(client, term) == [title]
