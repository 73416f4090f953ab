"""Snowflake ids as the API shows them: JSON strings of digits.

Snowflakes exceed 2^53, so a JSON number would be rounded by JavaScript clients (Swagger UI
included). Ids travel as strings; inside the service they are ints.
"""

import re
from typing import Annotated

from pydantic import PlainSerializer, PlainValidator, WithJsonSchema

MAX_ID = (1 << 63) - 1  # PostgreSQL BIGINT


def _pattern_up_to(largest: int) -> str:
    """A regex for exactly the decimal numbers 1..largest, without leading zeros, so the
    published schema admits every id the service accepts and no other."""
    digits = str(largest)
    parts = [f"[1-9][0-9]{{0,{len(digits) - 2}}}"]  # every number with fewer digits
    for i, digit in enumerate(map(int, digits)):
        lowest = 1 if i == 0 else 0
        if digit > lowest:
            rest = len(digits) - i - 1
            below = f"[{lowest}-{digit - 1}]" if digit - 1 > lowest else str(lowest)
            parts.append(digits[:i] + below + (f"[0-9]{{{rest}}}" if rest else ""))
    parts.append(digits)
    return "^(?:" + "|".join(parts) + ")$"


ID_PATTERN = _pattern_up_to(MAX_ID)
_ID = re.compile(ID_PATTERN)
ID_JSON_SCHEMA = {
    "type": "string",
    "pattern": ID_PATTERN,
    "description": f"A snowflake id: digits, 1 to {MAX_ID}, no leading zeros.",
    "examples": ["7398571942117376"],
}


def parse_id(value: object) -> int:
    """Accept only a string of digits naming an id in 1..2^63-1."""
    # fullmatch: `$` would also match before a final newline ("123\n").
    if isinstance(value, str) and _ID.fullmatch(value):
        return int(value)
    raise ValueError(f"an id is a string of digits between 1 and {MAX_ID}, no leading zeros")


def _id_from_storage(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return parse_id(value)


# An id a client sends (body, path or query): strictly a string of digits.
IdInput = Annotated[int, PlainValidator(parse_id, json_schema_input_type=str),
                    WithJsonSchema(ID_JSON_SCHEMA)]

# An id the service shows: built from an int, written as a string.
Id = Annotated[int, PlainValidator(_id_from_storage), PlainSerializer(str, return_type=str),
               WithJsonSchema(ID_JSON_SCHEMA)]
