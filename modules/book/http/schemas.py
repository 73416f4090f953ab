"""Request bodies of the book routes; every rule is the domain's own."""

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from modules.book.application.revise_book import NewPrice
from modules.book.domain.book import (
    MAX_AUTHORS,
    MAX_PAGES,
    MAX_TITLE,
    valid_publication_year,
    valid_title,
)
from modules.book.domain.isbn import Isbn
from modules.book.domain.money import DEFAULT_CURRENCY, MAX_AMOUNT, Money, valid_currency
from modules.shared_kernel.application.ids import IdInput
from modules.shared_kernel.http.validation import Text, WholeNumber, domain_rule, reject_nulls

# min/max/pattern publish the domain's rule exactly: 1-255 characters, not all blank.
Title = Annotated[Text, Field(min_length=1, max_length=MAX_TITLE, pattern=r"\S"),
                  domain_rule(valid_title)]
IsbnText = Annotated[
    Text, Field(max_length=32, examples=["978-89-374-6044-9"]),
    domain_rule(lambda text: Isbn.parse(text).value),
]
Pages = Annotated[WholeNumber, Field(ge=1, le=MAX_PAGES)]
Year = Annotated[WholeNumber, domain_rule(valid_publication_year)]
Amount = Annotated[WholeNumber, Field(ge=0, le=MAX_AMOUNT)]
Currency = Annotated[str, Field(pattern="^[A-Z]{3}$", description="ISO 4217 code."),
                     domain_rule(valid_currency)]


class PriceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Amount
    currency: Currency = DEFAULT_CURRENCY

    def to_money(self) -> Money:
        return Money(self.amount, self.currency)


class PriceChange(BaseModel):
    """A PATCH's price: without `currency` the book keeps its own (no default applies)."""

    model_config = ConfigDict(extra="forbid")

    amount: Amount
    currency: Currency | None = Field(
        None, description="ISO 4217 code; leave it out to keep the book's currency.")

    @model_validator(mode="before")
    @classmethod
    def _no_nulls(cls, data: Any) -> Any:
        if isinstance(data, dict):
            reject_nulls(data, {"currency"})
        return data

    def to_new_price(self) -> NewPrice:
        return NewPrice(self.amount, self.currency)


class NewBook(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{
            "title": "The Vegetarian", "isbn": "978-89-364-3401-4", "pages": 192,
            "price": {"amount": 13500, "currency": "KRW"}, "publication_year": 2007,
            "author_ids": [],
        }]},
    )

    title: Title
    isbn: IsbnText
    pages: Pages
    price: PriceIn
    publication_year: Year
    author_ids: list[IdInput] = Field(
        default_factory=list, max_length=MAX_AUTHORS,
        description="Authors in credit order; each at most once, each must exist.",
    )


class BookChanges(BaseModel):
    """PATCH body: send only what changes; a field sent as null is refused."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"title": "The Vegetarian (new edition)", "pages": 208}]},
    )

    title: Title | None = None
    isbn: IsbnText | None = None
    pages: Pages | None = None
    price: PriceChange | None = None
    publication_year: Year | None = None

    @model_validator(mode="before")
    @classmethod
    def _no_nulls(cls, data: Any) -> Any:
        if isinstance(data, dict):
            reject_nulls(data, set(cls.model_fields))
        return data
