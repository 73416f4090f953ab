import pytest

from modules.author.domain.author import Author
from modules.author.domain.errors import AuthorStillHasBooks, InvalidBiography
from modules.author.domain.name import InvalidName, Name


def author(biography: str | None = None) -> Author:
    return Author(name=Name("Ursula", "Le Guin"), biography=biography)


def test_a_name_is_trimmed() -> None:
    assert str(Name("  Ann ", "\tLee\n")) == "Ann Lee"


def test_names_equal_after_trimming_are_equal() -> None:
    assert Name("  Ann ", "Lee ") == Name("Ann", "Lee")


def test_name_parts_of_100_characters_are_accepted() -> None:
    assert Name("a" * 100, "b" * 100).first == "a" * 100


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


def test_the_biography_is_trimmed() -> None:
    assert author("  Wrote Earthsea.\n").biography == "Wrote Earthsea."


@pytest.mark.parametrize("biography", [None, "", "  \n "])
def test_an_empty_biography_is_none(biography: str | None) -> None:
    assert author(biography).biography is None


def test_a_biography_of_5000_characters_is_accepted() -> None:
    assert author("b" * 5000).biography == "b" * 5000


def test_a_biography_over_5000_characters_is_rejected() -> None:
    with pytest.raises(InvalidBiography):
        author("b" * 5001)


def test_rewriting_the_biography_trims_it() -> None:
    writer = author("old")
    writer.rewrite_biography("  new ")
    assert writer.biography == "new"


def test_books_are_listed_in_the_order_credited() -> None:
    writer = author()
    for book_id in (30, 10, 20):
        writer.credit_book(book_id)
    assert writer.book_ids == (30, 10, 20)


def test_crediting_a_book_again_returns_false() -> None:
    writer = author()
    writer.credit_book(1)
    assert writer.credit_book(1) is False


def test_crediting_a_book_again_lists_it_once() -> None:
    writer = author()
    writer.credit_book(1)
    writer.credit_book(1)
    assert writer.book_ids == (1,)


def test_uncrediting_a_book_forgets_it() -> None:
    writer = author()
    writer.credit_book(1)
    writer.credit_book(2)
    writer.uncredit_book(1)
    assert writer.book_ids == (2,)


def test_uncrediting_an_unlisted_book_returns_false() -> None:
    assert author().uncredit_book(1) is False


def test_an_author_without_books_can_be_deleted() -> None:
    assert author().ensure_can_be_deleted() is None  # AuthorStillHasBooks otherwise


def test_an_author_with_books_cannot_be_deleted() -> None:
    writer = author()
    writer.credit_book(1)
    with pytest.raises(AuthorStillHasBooks):
        writer.ensure_can_be_deleted()


def test_an_author_whose_last_book_is_uncredited_can_be_deleted() -> None:
    writer = author()
    writer.credit_book(1)
    writer.uncredit_book(1)
    assert writer.ensure_can_be_deleted() is None  # AuthorStillHasBooks otherwise
