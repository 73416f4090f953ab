"""One error format everywhere, and nothing internal in it."""

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from dependency_injector import providers
from fastapi import FastAPI
from sqlalchemy.exc import DBAPIError

from modules.book.infrastructure.unit_of_work import SqlAlchemyBookUnitOfWork
from modules.container import ApplicationContainer
from tests.api.catalogue import assert_problem, book_body, new_book


async def test_an_unknown_route_is_a_404_problem(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/no-such-thing"), 404, "not-found")


async def test_a_method_the_route_lacks_is_a_405_problem(client: httpx.AsyncClient) -> None:
    response = await client.put("/books")

    assert_problem(response, 405, "method-not-allowed")
    assert response.headers["allow"] == "GET, HEAD, POST"


class BrokenQueries:
    async def book(self, book_id: int) -> None:
        raise RuntimeError("SELECT secret FROM books WHERE password = 'hunter2'")


@pytest.fixture
def broken_queries(container: ApplicationContainer) -> Iterator[None]:
    with container.book.queries.override(providers.Object(BrokenQueries())):
        yield


@pytest.fixture
async def lenient_client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client that receives the 500 instead of re-raising the server's exception."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://bookshelf.test") as c:
        yield c


async def test_an_unexpected_failure_is_a_500_problem_that_reveals_nothing(
    lenient_client: httpx.AsyncClient, broken_queries: None
) -> None:
    response = await lenient_client.get("/books/12345")

    problem = assert_problem(response, 500, "internal-error")
    assert "hunter2" not in response.text
    assert "SELECT" not in response.text
    assert "Traceback" not in response.text
    assert problem["detail"] == "the service failed to answer; the error has been logged"


class BlindToIsbns(SqlAlchemyBookUnitOfWork):
    """A Book unit of work whose ISBN check misses the other book (as a racing writer's
    does): only the unique constraint is left to refuse the duplicate."""

    def start(self) -> None:
        super().start()

        async def never_in_use(*_args: object, **_kwargs: object) -> bool:
            return False

        self.books.isbn_in_use = never_in_use  # type: ignore[method-assign]


@pytest.fixture
def isbn_check_missed(container: ApplicationContainer) -> Iterator[None]:
    with container.book.unit_of_work.override(providers.Factory(
            BlindToIsbns, session_factory=container.session_factory,
            publication_log=container.publication_log)):
        yield


async def test_a_constraint_clash_is_a_409_without_echoing_sql(
    client: httpx.AsyncClient, isbn_check_missed: None
) -> None:
    book, other = await new_book(client), await new_book(client)

    # A revision checks the ISBN first; here the check misses and the constraint refuses.
    response = await client.patch(f"/books/{other['id']}", json={"isbn": book["isbn"]})

    problem = assert_problem(response, 409, "isbn-already-used")
    assert problem["detail"] == "another book already has this ISBN"
    for leak in ("UPDATE", "uq_books_isbn", "duplicate key", "UNIQUE constraint", book["isbn"]):
        assert leak not in response.text


async def test_a_new_books_isbn_is_checked_by_the_constraint_alone_and_named_in_the_answer(
    client: httpx.AsyncClient,
) -> None:
    book = await new_book(client)

    response = await client.post("/books", json=book_body(isbn=book["isbn"]))

    problem = assert_problem(response, 409, "isbn-already-used")
    assert problem["detail"] == f"another book already has ISBN {book['isbn']}"
    for leak in ("INSERT", "uq_books_isbn", "duplicate key", "UNIQUE constraint"):
        assert leak not in response.text


class TooManyClients(Exception):
    """What the driver raises when PostgreSQL is at max_connections."""

    sqlstate = "53300"


class FullDatabase:
    async def book(self, _book_id: int) -> None:
        raise DBAPIError("SELECT ...", {}, TooManyClients("sorry, too many clients already"))


async def test_a_database_out_of_connections_is_a_503_to_retry_not_a_500(
    client: httpx.AsyncClient, container: ApplicationContainer
) -> None:
    # Four workers whose pools together passed PostgreSQL's max_connections answered 500.
    with container.book.queries.override(providers.Object(FullDatabase())):
        response = await client.get("/books/1")

    assert_problem(response, 503, "database-unavailable")
    assert response.headers["Retry-After"] == "2"
    assert "too many clients" not in response.text
