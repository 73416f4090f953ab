"""Use case: change an author's name or biography."""

from dataclasses import dataclass

from modules.author.application.unit_of_work import AuthorUnitOfWork
from modules.author.domain.errors import AuthorNotFound
from modules.author.domain.name import Name
from modules.shared_kernel.application.versions import check_version, commit_at_version


@dataclass(frozen=True)
class AuthorRevision:
    """What to change. Names: None keeps them. Biography: only when `new_biography` is set,
    because None is a valid biography (none at all)."""

    first_name: str | None = None
    last_name: str | None = None
    new_biography: bool = False
    biography: str | None = None


async def revise_author(uow: AuthorUnitOfWork, author_id: int, revision: AuthorRevision, *,
                        expected_version: int | None = None) -> None:
    """`expected_version`: change the author only if still at that version."""
    async with uow:
        author = await uow.authors.get(author_id)
        if author is None:
            raise AuthorNotFound(author_id)
        check_version(author.version, expected_version)
        if revision.first_name is not None or revision.last_name is not None:
            first, last = revision.first_name, revision.last_name
            author.rename(Name(first=author.name.first if first is None else first,
                               last=author.name.last if last is None else last))
        if revision.new_biography:
            author.rewrite_biography(revision.biography)
        await commit_at_version(uow, expected_version)
