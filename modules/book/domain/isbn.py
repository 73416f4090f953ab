"""ISBN: accepted as ISBN-10 or ISBN-13, always kept as ISBN-13."""

import re
from dataclasses import dataclass

from modules.shared_kernel.domain.errors import InvalidValue

_SEPARATORS = re.compile(r"[\s-]")


class InvalidIsbn(InvalidValue):
    def __init__(self, message: str) -> None:
        super().__init__(message, field="isbn")


def _isbn13_check_digit(first12: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return str((10 - total % 10) % 10)


def _isbn10_is_valid(isbn10: str) -> bool:
    total = sum((10 - i) * (10 if c == "X" else int(c)) for i, c in enumerate(isbn10))
    return total % 11 == 0


@dataclass(frozen=True)
class Isbn:
    """An ISBN-13 of 13 digits with a verified check digit."""

    value: str

    def __post_init__(self) -> None:
        if not (len(self.value) == 13 and self.value.isascii() and self.value.isdigit()):
            raise InvalidIsbn("an ISBN-13 has exactly 13 digits")
        if _isbn13_check_digit(self.value[:12]) != self.value[12]:
            raise InvalidIsbn("the ISBN's check digit does not match")

    @classmethod
    def parse(cls, text: str) -> "Isbn":
        """Read an ISBN-10 or ISBN-13 written with or without hyphens and spaces."""
        compact = _SEPARATORS.sub("", text).upper()
        if len(compact) == 10:
            if not re.fullmatch(r"[0-9]{9}[0-9X]", compact):
                raise InvalidIsbn("an ISBN-10 has 9 digits and a check digit (0-9 or X)")
            if not _isbn10_is_valid(compact):
                raise InvalidIsbn("the ISBN's check digit does not match")
            first12 = "978" + compact[:9]
            return cls(first12 + _isbn13_check_digit(first12))
        if len(compact) == 13:
            return cls(compact)
        raise InvalidIsbn("an ISBN has 10 or 13 digits (hyphens and spaces are allowed)")

    def __str__(self) -> str:
        return self.value
