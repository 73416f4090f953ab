import pytest

from modules.book.domain.isbn import InvalidIsbn, Isbn


@pytest.mark.parametrize(
    ("isbn10", "isbn13"),
    [
        ("89-364-3401-2", "9788936434014"),
        ("0-306-40615-2", "9780306406157"),
        ("0-8044-2957-X", "9780804429573"),
    ],
)
def test_an_isbn_10_is_kept_as_its_isbn_13(isbn10: str, isbn13: str) -> None:
    assert Isbn.parse(isbn10).value == isbn13


def test_spaces_and_hyphens_are_ignored() -> None:
    assert Isbn.parse(" 978 0-306 40615-7 ").value == "9780306406157"


def test_a_lowercase_x_check_digit_is_accepted() -> None:
    assert Isbn.parse("080442957x").value == "9780804429573"


def test_an_isbn_13_is_kept_as_is() -> None:
    assert Isbn.parse("978-89-364-3401-4").value == "9788936434014"


def test_str_is_the_isbn_13() -> None:
    assert str(Isbn.parse("0-306-40615-2")) == "9780306406157"


@pytest.mark.parametrize("text", ["0-306-40615-3", "978-0-306-40615-8"])
def test_a_wrong_check_digit_is_rejected(text: str) -> None:
    with pytest.raises(InvalidIsbn) as error:
        Isbn.parse(text)
    assert error.value.field == "isbn"


@pytest.mark.parametrize("text", ["", "030640615", "03064061522", "978030640615", "97803064061571"])
def test_a_wrong_length_is_rejected(text: str) -> None:
    with pytest.raises(InvalidIsbn):
        Isbn.parse(text)


@pytest.mark.parametrize(
    "text",
    [
        "03064O6152",
        "X306406152",
        "978030640615X",
        "97803064O6157",
        "978030640615\uff17",  # a fullwidth 7
    ],
)
def test_non_digits_are_rejected(text: str) -> None:
    with pytest.raises(InvalidIsbn):
        Isbn.parse(text)


@pytest.mark.parametrize(("text", "message"), [
    ("030640615", "an ISBN has 10 or 13 digits (hyphens and spaces are allowed)"),
    ("03064O6152", "an ISBN-10 has 9 digits and a check digit (0-9 or X)"),
    ("0-306-40615-3", "the ISBN's check digit does not match"),
    ("97803064O6157", "an ISBN-13 has exactly 13 digits"),
    ("978-0-306-40615-8", "the ISBN's check digit does not match"),
])
def test_a_refused_isbn_is_told_why(text: str, message: str) -> None:
    with pytest.raises(InvalidIsbn) as refused:
        Isbn.parse(text)
    assert str(refused.value) == message


def test_the_value_object_itself_checks_the_check_digit() -> None:
    with pytest.raises(InvalidIsbn):
        Isbn("9780306406158")
