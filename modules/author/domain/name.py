"""An author's name as the catalogue prints it."""

from dataclasses import dataclass

from modules.shared_kernel.domain.errors import InvalidValue

MAX_NAME_PART = 100


class InvalidName(InvalidValue):
    pass


def valid_name_part(value: str, field: str = "name") -> str:
    """A first or last name, trimmed: 1 to MAX_NAME_PART characters."""
    trimmed = value.strip()
    if not 1 <= len(trimmed) <= MAX_NAME_PART:
        raise InvalidName(f"a {field.replace('_', ' ')} has 1 to {MAX_NAME_PART} characters",
                          field=field)
    return trimmed


@dataclass(frozen=True)
class Name:
    first: str
    last: str

    def __post_init__(self) -> None:
        # Frozen: normalise via object.__setattr__ so Name(" Ann ", "Lee") == Name("Ann", "Lee")
        object.__setattr__(self, "first", valid_name_part(self.first, "first_name"))
        object.__setattr__(self, "last", valid_name_part(self.last, "last_name"))

    def __str__(self) -> str:
        return f"{self.first} {self.last}"
