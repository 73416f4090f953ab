from collections.abc import Callable

import pytest

from modules.author.domain.author import Author
from modules.author.domain.errors import InvalidBiography
from modules.author.domain.name import InvalidName, Name, valid_name_part


def author(biography: str | None = None) -> Author:
    return Author(name=Name("Ursula", "Le Guin"), biography=biography)


def test_a_name_is_trimmed() -> None:
    assert str(Name("  Ann ", "\tLee\n")) == "Ann Lee"


def test_names_equal_after_trimming_are_equal() -> None:
    assert Name("  Ann ", "Lee ") == Name("Ann", "Lee")


@pytest.mark.parametrize("part", ["a", "a" * 100])
def test_name_parts_of_1_to_100_characters_are_accepted(part: str) -> None:
    assert Name(part, part) == Name(first=part, last=part)


@pytest.mark.parametrize("first", ["", "   ", "a" * 101])
def test_a_first_name_outside_1_to_100_characters_is_rejected(first: str) -> None:
    with pytest.raises(InvalidName) as error:
        Name(first, "Lee")
    assert error.value.field == "first_name"


@pytest.mark.parametrize("last", ["", "   ", "a" * 101])
def test_a_last_name_outside_1_to_100_characters_is_rejected(last: str) -> None:
    with pytest.raises(InvalidName) as error:
        Name("Ann", last)
    assert error.value.field == "last_name"


@pytest.mark.parametrize(("refuse", "message"), [
    (lambda: Name("", "Lee"), "a first name has 1 to 100 characters"),
    (lambda: Name("Ann", ""), "a last name has 1 to 100 characters"),
    (lambda: valid_name_part(""), "a name has 1 to 100 characters"),
])
def test_a_refused_name_is_told_why(refuse: Callable[[], object], message: str) -> None:
    with pytest.raises(InvalidName) as refused:
        refuse()
    assert str(refused.value) == message


def test_the_biography_is_trimmed() -> None:
    assert author("  Wrote Earthsea.\n").biography == "Wrote Earthsea."


@pytest.mark.parametrize("biography", [None, "", "  \n "])
def test_an_empty_biography_is_none(biography: str | None) -> None:
    assert author(biography).biography is None


def test_a_biography_of_5000_characters_is_accepted() -> None:
    assert author("b" * 5000).biography == "b" * 5000


def test_a_biography_over_5000_characters_is_rejected() -> None:
    with pytest.raises(InvalidBiography) as refused:
        author("b" * 5001)
    assert (refused.value.field, str(refused.value)) == (
        "biography", "a biography has at most 5000 characters")


def test_rewriting_the_biography_trims_it() -> None:
    writer = author("old")
    writer.rewrite_biography("  new ")
    assert writer.biography == "new"


def test_books_are_listed_in_the_order_credited() -> None:
    writer = author()
    for book_id in (30, 10, 20):
        writer.credit_book(book_id, sequence=1)
    assert writer.book_ids == (30, 10, 20)


def test_crediting_a_new_book_returns_true() -> None:
    assert author().credit_book(1, sequence=1) is True


def test_crediting_a_book_again_returns_false() -> None:
    writer = author()
    writer.credit_book(1, sequence=1)
    assert writer.credit_book(1, sequence=1) is False


def test_crediting_a_book_again_lists_it_once() -> None:
    writer = author()
    writer.credit_book(1, sequence=1)
    writer.credit_book(1, sequence=1)
    assert writer.book_ids == (1,)


def test_uncrediting_a_book_forgets_it() -> None:
    writer = author()
    writer.credit_book(1, sequence=1)
    writer.credit_book(2, sequence=1)
    writer.uncredit_book(1, sequence=2)
    assert writer.book_ids == (2,)


def test_uncrediting_an_unlisted_book_lists_nothing() -> None:
    # The author remembers the uncredit (see the next test), but lists no book.
    writer = author()
    writer.uncredit_book(1, sequence=1)
    assert writer.book_ids == ()


def test_an_uncredited_book_is_remembered_as_not_credited() -> None:
    writer = author()
    writer.uncredit_book(1, sequence=1)
    assert [(book.book_id, book.credited, book.book_sequence) for book in writer.written] == [
        (1, False, 1)]


def test_an_older_credit_arriving_after_the_uncredit_changes_nothing() -> None:
    writer = author()
    writer.uncredit_book(1, sequence=2)
    assert writer.credit_book(1, sequence=1) is False
    assert writer.book_ids == ()


def test_uncrediting_a_book_again_returns_false() -> None:
    writer = author()
    writer.credit_book(1, sequence=1)
    writer.uncredit_book(1, sequence=2)
    assert writer.uncredit_book(1, sequence=2) is False


def test_a_newer_credit_lists_an_uncredited_book_again() -> None:
    writer = author()
    writer.credit_book(1, sequence=1)
    writer.uncredit_book(1, sequence=2)
    assert writer.credit_book(1, sequence=3) is True
    assert writer.book_ids == (1,)


# Whether an author may be deleted is no longer the author's to say: the key from credits to
# authors decides (tests/integration/test_author_unit_of_work.py, tests/api/test_authors.py).
