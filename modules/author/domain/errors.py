"""The ways a request about authors can break the catalogue's rules."""

from modules.shared_kernel.domain.errors import Conflict, InvalidValue, NotFound


class AuthorNotFound(NotFound):
    def __init__(self, author_id: int) -> None:
        super().__init__(f"there is no author {author_id}")
        self.author_id = author_id


class AuthorStillHasBooks(Conflict):
    def __init__(self, author_id: int | None = None) -> None:
        who = f"author {author_id}" if author_id is not None else "the author"
        super().__init__(
            f"{who} is credited on at least one book; remove the credits from those books first"
        )
        self.author_id = author_id


class InvalidBiography(InvalidValue):
    pass
