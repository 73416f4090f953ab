"""Use case: change an author's name or biography."""

from collections.abc import Callable
from dataclasses import dataclass

from modules.author.application.unit_of_work import AuthorUnitOfWork
from modules.author.domain.errors import AuthorNotFound
from modules.author.domain.name import Name
from modules.shared_kernel.application.versions import commit_at_version
from modules.shared_kernel.domain.errors import VersionMismatch


@dataclass(frozen=True)
class AuthorRevision:
    """What to change. Names: None keeps them. Biography: only when `new_biography` is set,
    because None is a valid biography (none at all)."""

    first_name: str | None = None
    last_name: str | None = None
    new_biography: bool = False
    biography: str | None = None


class ReviseAuthor:
    def __init__(self, unit_of_work: Callable[[], AuthorUnitOfWork]) -> None:
        self._unit_of_work = unit_of_work

    async def __call__(
        self, author_id: int, revision: AuthorRevision, *, expected_version: int | None = None
    ) -> None:
        """`expected_version`: change the author only if still at that version."""
        async with self._unit_of_work() as uow:
            author = await uow.authors.get(author_id)
            if author is None:
                raise AuthorNotFound(author_id)
            if expected_version is not None and author.version != expected_version:
                raise VersionMismatch(expected_version, author.version)
            if revision.first_name is not None or revision.last_name is not None:
                first, last = revision.first_name, revision.last_name
                author.rename(Name(first=author.name.first if first is None else first,
                                   last=author.name.last if last is None else last))
            if revision.new_biography:
                author.rewrite_biography(revision.biography)
            await commit_at_version(uow, expected_version)
