"""Search keys: one folded form for every case and Unicode form of the same text."""

import unicodedata

import pytest

from persistence.search_keys import search_key


@pytest.mark.parametrize(("text", "key"), [
    ("Émile", "émile"),
    ("ÉMILE", "émile"),
    ("E\u0301mile", "émile"),  # decomposed: E and a combining acute accent
    ("Straße", "strasse"),
    ("ΣΟΦΟΣ σοφος", "σοφοσ σοφοσ"),  # final sigma folds like the others
    ("한강", "한강"),
])
def test_a_key_is_the_text_composed_and_case_folded(text: str, key: str) -> None:
    assert search_key(text) == key
    assert unicodedata.is_normalized("NFC", search_key(text))


def test_decomposed_hangul_gives_the_same_key_as_composed() -> None:
    decomposed = unicodedata.normalize("NFD", "채식주의자")
    assert len(decomposed) > len("채식주의자")  # jamo, not syllables

    assert search_key(decomposed) == search_key("채식주의자") == "채식주의자"


def test_text_that_case_folding_decomposes_is_composed_again() -> None:
    # "ΐ" folds to three code points, "Ϊ́" (capital, then a combining accent) to two: the
    # same letter either way once composed.
    assert search_key("\u0390") == search_key("\u03aa\u0301") == "\u0390"
