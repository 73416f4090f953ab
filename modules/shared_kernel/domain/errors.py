"""Domain errors, grouped by what went wrong from the caller's point of view.

Each module names its own errors (IsbnAlreadyUsed, AuthorNotFound, ...) as subclasses of one of
these kinds, so the HTTP layer can answer every one of them from a single place.
"""

from typing import ClassVar


class DomainError(Exception):
    """A rule of the catalogue was broken; `message` is safe to show to a client."""

    # The problem type clients see; None: the class name, in kebab case. Set where two
    # errors are one kind of problem to a client (a stable name is part of the API).
    kind: ClassVar[str | None] = None

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidValue(DomainError):
    """A value can never be valid (a bad check digit, a negative price)."""


class NotFound(DomainError):
    """The thing asked for does not exist (any more)."""


class Conflict(DomainError):
    """The request is well formed but clashes with what is stored."""


class VersionMismatch(DomainError):
    """The caller changed what it saw at one version, but it is at another now."""

    def __init__(self, expected: int, actual: int | None = None) -> None:
        now = f" (it is at version {actual})" if actual is not None else ""
        super().__init__(f"it has changed since version {expected}{now}; read it again")
        self.expected = expected


class ConcurrentChange(Conflict):
    """Someone else changed the same thing at the same time; trying again may succeed."""

    def __init__(self) -> None:
        super().__init__("the change clashed with a concurrent change; try again")
