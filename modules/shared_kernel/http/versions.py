"""Versions as HTTP validators: `ETag` out, `If-Match` in (RFC 9110)."""

from typing import Annotated

from fastapi import Header

from modules.shared_kernel.domain.errors import DomainError, VersionMismatch

IfMatch = Annotated[
    str | None,
    Header(description='The ETag of the version you changed, e.g. "3". A stale one is a 412; '
                       "without it, a change that races another is a 409."),
]


class UnmatchableIfMatch(VersionMismatch):
    def __init__(self) -> None:
        DomainError.__init__(self, 'If-Match names no version of ours: send the ETag, e.g. "3"')
        self.expected = -1


def expected_version(if_match: str | None) -> int | None:
    """The version `If-Match` names; None when absent or `*` (any version will do)."""
    if if_match is None or if_match.strip() == "*":
        return None
    tag = if_match.strip()
    # One strong validator; a weak one (W/"3") never matches If-Match.
    if len(tag) > 2 and tag[0] == tag[-1] == '"' and tag[1:-1].isdigit() and len(tag) < 12:
        return int(tag[1:-1])
    raise UnmatchableIfMatch()
