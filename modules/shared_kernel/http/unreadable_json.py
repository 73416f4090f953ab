"""Why a JSON body that FastAPI could not parse is unreadable, field by field.

Python's parser refuses two kinds of well-formed JSON: an integer of more digits than `int()`
will convert (sys.get_int_max_str_digits, 4 300 by default; the limit guards against quadratic
conversions), and nesting deeper than its recursion limit. FastAPI answers both with a bare 400;
these reasons let us answer 422 on the field, as for any other invalid input. They are worked
out only after a parse has failed, so a readable body costs nothing extra.
"""

import json
import re
import sys
from collections import deque
from collections.abc import Iterator
from typing import Any

_TOO_LONG = object()  # stands in for an integer with too many digits, to find where it was
# A JSON string (escapes included) or one of the marks that open, close or name a member.
_STRUCTURE = re.compile(r'"[^"\\]*(?:\\[\s\S][^"\\]*)*"|[\[\]{}:]')


def unreadable_json(body: bytes, failure: Exception) -> list[dict[str, str]]:
    """The field errors of a body the parser refused with `failure`, not a syntax error."""
    if isinstance(failure, UnicodeDecodeError):  # the request guard lets none through
        return [_error("", "the body is not valid UTF-8")]
    text = body.decode("utf-8", errors="replace")  # never a second failure here
    if isinstance(failure, RecursionError):  # not parsed again: this stack may be shallower
        return [_nested_too_deeply(text)]
    try:
        parsed = json.loads(text, parse_int=_bounded_int)
    except RecursionError:
        return [_nested_too_deeply(text)]
    except ValueError:
        parsed = None
    fields = list(_fields_holding(_TOO_LONG, parsed))
    if not fields:
        return [_error("", "the body is not valid JSON")]
    limit = sys.get_int_max_str_digits()
    return [_error(field, f"the number has more than {limit} digits") for field in fields]


def _error(field: str, message: str) -> dict[str, str]:
    return {"in": "body", "field": field, "message": message}


def _nested_too_deeply(text: str) -> dict[str, str]:
    return _error(_deepest_member(text), "the value is nested too deeply")


def _bounded_int(digits: str) -> Any:
    limit = sys.get_int_max_str_digits()  # 0: no limit
    if limit and len(digits.lstrip("-")) > limit:
        return _TOO_LONG
    return int(digits)


def _fields_holding(marker: object, parsed: Any) -> Iterator[str]:
    """Dotted paths (price.amount, author_ids.0) of the values that are `marker`."""
    # A loop, not recursion: the body may nest almost as deep as the parser allows.
    pending: deque[tuple[str, Any]] = deque([("", parsed)])
    while pending:
        path, value = pending.popleft()
        if value is marker:
            yield path
        elif isinstance(value, dict | list):
            items = value.items() if isinstance(value, dict) else enumerate(value)
            pending.extend((f"{path}.{key}".lstrip("."), item) for key, item in items)


def _deepest_member(text: str) -> str:
    """The top-level member whose value nests deepest; '' when the body is not an object."""
    depth, deepest, member, deepest_member, last_string = 0, 0, "", "", ""
    for token in _STRUCTURE.finditer(text):
        mark = token.group()
        if mark[0] == '"':
            last_string = mark
        elif mark == ":" and depth == 1:  # only a top-level object has members at depth 1
            member = last_string
        elif mark in ("[", "{"):
            depth += 1
            if depth > deepest:
                deepest, deepest_member = depth, member
        elif mark in ("]", "}"):
            depth -= 1
    return _unquoted(deepest_member) if deepest_member else ""


def _unquoted(string: str) -> str:
    try:
        return str(json.loads(string))
    except ValueError:
        return string[1:-1]
