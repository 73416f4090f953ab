"""Listener "author.credit_book": when a book credits an author, the author lists the book.

Runs in the Author module's own transaction, which also completes the publication it serves
(so it always commits, changed or not).
"""

from modules.author.application.unit_of_work import AuthorUnitOfWork
from modules.book.domain.events import AuthorAddedToBook


async def credit_book(uow: AuthorUnitOfWork, event: AuthorAddedToBook) -> None:
    async with uow:
        # Locked: events for one author queue up instead of failing each other. No author:
        # deleted after the credit was removed again (storage lets no book credit a deleted
        # author), so there is nothing to keep in step.
        author = await uow.authors.get_to_learn_of(event.author_id, event.book_id)
        if author is not None:
            author.credit_book(event.book_id, sequence=event.sequence)
        await uow.commit()
