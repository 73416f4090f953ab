"""Request-field checks that reuse the domain's own rules, so each rule is written once."""

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, Strict

from modules.shared_kernel.domain.errors import DomainError

T = TypeVar("T")
R = TypeVar("R")


def domain_rule(rule: Callable[[T], R]) -> AfterValidator:
    """Run a domain rule on a field; its error becomes that field's validation error."""

    def check(value: T) -> R:
        try:
            return rule(value)
        except DomainError as error:
            raise ValueError(error.message) from None

    return AfterValidator(check)


def _storable(text: str) -> str:
    # PostgreSQL text cannot hold NUL, and a lone surrogate is not encodable as UTF-8.
    if "\x00" in text:
        raise ValueError("text may not contain NUL characters")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text must be valid Unicode (no lone surrogates)") from None
    return text


Text = Annotated[str, AfterValidator(_storable)]
WholeNumber = Annotated[int, Strict()]  # 12, not "12", 12.0 or true


def reject_nulls(values: dict[str, Any], fields: set[str]) -> None:
    """For PATCH: a field that is sent must not be null (leave it out to keep it)."""
    for name in fields:
        if name in values and values[name] is None:
            raise ValueError(f"{name} cannot be null; leave it out to keep the current value")
