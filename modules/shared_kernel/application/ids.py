"""Snowflake ids as the API shows them: JSON strings of digits.

Snowflakes exceed 2^53, so a JSON number would be rounded by JavaScript clients (Swagger UI
included). Ids travel as strings; inside the service they are ints.
"""

import re
from typing import Annotated

from pydantic import PlainSerializer, PlainValidator, WithJsonSchema

MAX_ID = (1 << 63) - 1  # PostgreSQL BIGINT
_DIGITS = re.compile(r"[0-9]{1,19}")
ID_JSON_SCHEMA = {
    "type": "string",
    "pattern": "^[0-9]{1,19}$",
    "description": f"A snowflake id: digits, 1 to {MAX_ID}.",
    "examples": ["7398571942117376"],
}


def parse_id(value: object) -> int:
    """Accept only a string of digits naming an id in 1..2^63-1."""
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        number = int(value)
        if 1 <= number <= MAX_ID:
            return number
    raise ValueError(f"an id is a string of digits between 1 and {MAX_ID}")


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
