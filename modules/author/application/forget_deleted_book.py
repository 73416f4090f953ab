"""Listener "author.forget_deleted_book": when a book leaves the catalogue, each of its
authors forgets it."""

from modules.author.application.unit_of_work import AuthorUnitOfWork
from modules.book.domain.events import BookDeleted


async def forget_deleted_book(uow: AuthorUnitOfWork, event: BookDeleted) -> None:
    async with uow:
        # Lock order: authors by ascending id, so two deleted books that share authors
        # cannot each hold one author the other waits for.
        for author_id in sorted(event.author_ids):
            author = await uow.authors.get_to_learn_of(author_id, event.book_id)
            if author is not None:
                author.uncredit_book(event.book_id, sequence=event.sequence)
        await uow.commit()
