"""Versions as HTTP validators: `ETag` out, `If-Match` in (RFC 9110)."""

import re
from typing import Annotated

from fastapi import Header

from modules.shared_kernel.domain.errors import DomainError, VersionMismatch

IfMatch = Annotated[
    str | None,
    Header(description='The ETag of the version you saw, e.g. "3" (for a credit, the '
                       "book's): the write goes ahead only at that version; a stale one is "
                       "a 412. Without it, a PATCH that races another is a 409."),
]


# One strong validator of ASCII digits; a weak one (W/"3") never matches If-Match. Not
# str.isdigit: header bytes arrive as Latin-1, where 0xB2 is "²", a digit to isdigit but not to
# int. Nine digits at most, so a version never outgrows the column.
_OUR_ETAG = re.compile(r'"([0-9]{1,9})"')


def etag(version: int) -> dict[str, str]:
    """The header that shows a version, as `expected_version` reads it back from If-Match."""
    return {"ETag": f'"{version}"'}


class UnmatchableIfMatch(VersionMismatch):
    def __init__(self) -> None:
        DomainError.__init__(self, 'If-Match names no version of ours: send the ETag, e.g. "3"')
        self.expected = -1


def expected_version(if_match: str | None) -> int | None:
    """The version `If-Match` names; None when absent or `*` (any version will do)."""
    if if_match is None or if_match.strip() == "*":
        return None
    tag = _OUR_ETAG.fullmatch(if_match.strip())
    if tag is None:
        raise UnmatchableIfMatch()
    return int(tag[1])
