"""Imperative mapping of the domain dataclasses onto the tables; the domain never sees it."""

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.orderinglist import ordering_list
from sqlalchemy.orm import composite, registry, relationship

from modules.author.domain.author import Author, WrittenBook
from modules.author.domain.name import Name
from modules.book.domain.book import AuthorCredit, Book
from modules.book.domain.isbn import Isbn
from modules.book.domain.money import Money
from persistence.search_keys import search_key
from persistence.tables import author_books, authors, book_authors, books

mapper_registry = registry()


def start_mappers() -> None:
    """Map once per process; calling again is harmless."""
    if mapper_registry.mappers:
        return
    mapper_registry.map_imperatively(AuthorCredit, book_authors)
    mapper_registry.map_imperatively(
        Book,
        books,
        version_id_col=books.c.version,
        properties={
            "_isbn": books.c.isbn,  # the column, under another name than its value object
            "_title_key": books.c.title_key,  # storage's, kept by _fold_title below
            "isbn": composite(Isbn, books.c.isbn),
            "price": composite(Money, books.c.price_amount, books.c.price_currency),
            "credits": relationship(
                AuthorCredit,
                order_by=book_authors.c.position,
                collection_class=ordering_list("position"),
                cascade="all, delete-orphan",
                passive_deletes=True,
                lazy="selectin",
            ),
        },
    )
    mapper_registry.map_imperatively(WrittenBook, author_books)
    mapper_registry.map_imperatively(
        Author,
        authors,
        version_id_col=authors.c.version,
        properties={
            "name": composite(Name, authors.c.first_name, authors.c.last_name),
            "_first_name_key": authors.c.first_name_key,  # kept by _fold_name below
            "_last_name_key": authors.c.last_name_key,
            "written": relationship(
                WrittenBook,
                order_by=author_books.c.book_id,
                cascade="all, delete-orphan",
                passive_deletes=True,
                lazy="selectin",
            ),
        },
    )
    # Before every INSERT and UPDATE the flush writes: the keys follow the domain's values
    # without the domain knowing they exist. A key that did not change is not written.
    for mapped, fold in ((Book, _fold_title), (Author, _fold_name)):
        event.listen(mapped, "before_insert", fold)
        event.listen(mapped, "before_update", fold)


def _fold_title(_mapper: Any, _connection: Any, book: Any) -> None:
    book._title_key = search_key(book.title)


def _fold_name(_mapper: Any, _connection: Any, author: Any) -> None:
    author._first_name_key = search_key(author.name.first)
    author._last_name_key = search_key(author.name.last)
