"""HTTP routes of the Book module: translate requests into use cases and queries."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from modules.book.application.add_author_to_book import add_author_to_book
from modules.book.application.add_book import add_book
from modules.book.application.delete_book import delete_book
from modules.book.application.read_models import BookDTO, book_as_stored
from modules.book.application.remove_author_from_book import remove_author_from_book
from modules.book.application.revise_book import BookRevision, revise_book
from modules.book.container import BookContainer
from modules.book.domain.book import MAX_TITLE
from modules.book.domain.errors import BookNotFound
from modules.book.domain.isbn import Isbn
from modules.book.http.schemas import BookChanges, IsbnText, NewBook
from modules.shared_kernel.application.ids import IdInput
from modules.shared_kernel.application.pages import DEFAULT_LIMIT, MAX_LIMIT, Page
from modules.shared_kernel.http.access import read, write
from modules.shared_kernel.http.pages import page_of
from modules.shared_kernel.http.plain_reads import PlainReads
from modules.shared_kernel.http.problems import problem_responses
from modules.shared_kernel.http.responses import ModelResponse, location
from modules.shared_kernel.http.validation import Text
from modules.shared_kernel.http.versions import IfMatch, etag, expected_version

router = APIRouter(prefix="/books", tags=["books"], route_class=PlainReads)


def _book_module(request: Request) -> BookContainer:
    # Read from the app's container by each route, not resolved as a dependency: FastAPI's
    # dependency resolution was the largest part of a read's CPU (issue 12).
    container: BookContainer = request.app.state.container.book
    return container


BookId = Annotated[IdInput, "book id"]
AuthorId = Annotated[IdInput, "author id"]


async def _shown(books: BookContainer, book_id: int, status_code: int = 200) -> ModelResponse:
    found = await books.queries().book(book_id)
    if found is None:  # deleted between the change and this read
        raise BookNotFound(book_id)
    return ModelResponse(found, status_code, headers=etag(found.version))


@router.post(
    "", name="add_book",
    response_model=BookDTO,
    status_code=status.HTTP_201_CREATED,
    summary="Add a book to the catalogue", responses=problem_responses(401, 409, 413, 422, 503),
)
@write
async def post_book(body: NewBook, request: Request) -> Response:
    books = _book_module(request)
    book = await books.bus().run(
        add_book,
        title=body.title,
        isbn=Isbn(body.isbn),
        pages=body.pages,
        price=body.price.to_money(),
        publication_year=body.publication_year,
        author_ids=body.author_ids,
        authors=books.author_directory(),
    )
    if book.credits:
        response = await _shown(books, book.id, status.HTTP_201_CREATED)
    else:
        response = ModelResponse(book_as_stored(book), status.HTTP_201_CREATED,
                                 headers=etag(book.version))
    response.headers["Location"] = location(request, router.prefix, book.id)
    return response


@router.get("/{book_id}", response_model=BookDTO, summary="One book with its authors",
            responses=problem_responses(401, 404, 422))
@read
async def get_book(book_id: BookId, request: Request) -> Response:
    books = _book_module(request)
    return await _shown(books, book_id)


@router.get("", response_model=Page[BookDTO], summary="Books, by title or ISBN, a page at a time",
            responses=problem_responses(401, 422))
@read
async def list_books(
    request: Request,
    title: Annotated[
        Text | None,
        Query(max_length=MAX_TITLE, description="Case-insensitive part of the title."),
    ] = None,
    isbn: Annotated[IsbnText | None, Query(description="ISBN-10 or ISBN-13.")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    after: Annotated[IdInput | None, Query(description="Id of the last book seen.")] = None,
) -> Response:
    books = _book_module(request)
    found = await books.queries().books(title=title, isbn=isbn, after=after, limit=limit)
    return ModelResponse(page_of(found, request, BookDTO))


@router.patch("/{book_id}", name="revise_book", response_model=BookDTO,
              summary="Change a book's details",
              responses=problem_responses(401, 404, 409, 412, 413, 422))
@write
async def patch_book(book_id: BookId, body: BookChanges, request: Request,
                     if_match: IfMatch = None) -> Response:
    books = _book_module(request)
    revision = BookRevision(
        title=body.title,
        isbn=Isbn(body.isbn) if body.isbn is not None else None,
        pages=body.pages,
        price=body.price.to_new_price() if body.price is not None else None,
        publication_year=body.publication_year,
    )
    await books.bus().run(revise_book, book_id, revision,
                          expected_version=expected_version(if_match))
    return await _shown(books, book_id)


@router.put("/{book_id}/authors/{author_id}", name="add_author_to_book", response_model=BookDTO,
            summary="Credit an author on a book (AuthorAddedToBook)",
            responses=problem_responses(401, 404, 409, 412, 422))
@write
async def put_book_author(book_id: BookId, author_id: AuthorId, request: Request,
                          if_match: IfMatch = None) -> Response:
    books = _book_module(request)
    await books.bus().run(add_author_to_book, book_id, author_id,
                          expected_version=expected_version(if_match))
    return await _shown(books, book_id)


@router.delete("/{book_id}/authors/{author_id}", name="remove_author_from_book",
               response_model=BookDTO, summary="Remove an author's credit (AuthorRemovedFromBook)",
               responses=problem_responses(401, 404, 409, 412, 422))
@write
async def delete_book_author(book_id: BookId, author_id: AuthorId, request: Request,
                             if_match: IfMatch = None) -> Response:
    books = _book_module(request)
    await books.bus().run(remove_author_from_book, book_id, author_id,
                          expected_version=expected_version(if_match))
    return await _shown(books, book_id)


@router.delete("/{book_id}", name="delete_book", status_code=status.HTTP_204_NO_CONTENT,
               summary="Remove a book from the catalogue (BookDeleted)",
               responses=problem_responses(401, 404, 409, 412, 422))
@write
async def delete_book_by_id(book_id: BookId, request: Request, if_match: IfMatch = None) -> None:
    books = _book_module(request)
    await books.bus().run(delete_book, book_id, expected_version=expected_version(if_match))
