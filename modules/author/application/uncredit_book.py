"""Listener "author.uncredit_book": when a book drops an author's credit, the author forgets
the book (and remembers that it did, against a late, older credit)."""

from modules.author.application.unit_of_work import AuthorUnitOfWork
from modules.book.domain.events import AuthorRemovedFromBook


async def uncredit_book(uow: AuthorUnitOfWork, event: AuthorRemovedFromBook) -> None:
    async with uow:
        author = await uow.authors.get_to_learn_of(event.author_id, event.book_id)
        if author is not None:
            author.uncredit_book(event.book_id, sequence=event.sequence)
        await uow.commit()
