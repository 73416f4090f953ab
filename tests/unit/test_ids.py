import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from modules.shared_kernel.application.ids import ID_PATTERN, MAX_ID, parse_id


@given(st.integers(1, MAX_ID))
def test_every_id_in_range_matches_the_published_pattern(number: int) -> None:
    assert re.match(ID_PATTERN, str(number))
    assert parse_id(str(number)) == number


@pytest.mark.parametrize("text", ["0", "007", "-1", "+1", " 1", "1.0", str(MAX_ID + 1),
                                  str(2**64), "9" * 19, "", "١٢"])
def test_anything_else_is_refused_by_pattern_and_parser_alike(text: str) -> None:
    assert not re.match(ID_PATTERN, text)
    with pytest.raises(ValueError, match="an id is"):
        parse_id(text)


def test_an_id_with_a_trailing_newline_is_refused() -> None:
    # `$` in the pattern also matches before a final newline: /books/123%0A was book 123.
    with pytest.raises(ValueError, match="string of digits"):
        parse_id("123\n")
