"""Request bodies of the author routes; every rule is the domain's own."""

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from modules.author.domain.author import MAX_BIOGRAPHY, valid_biography
from modules.author.domain.name import MAX_NAME_PART, valid_name_part
from modules.shared_kernel.http.validation import Text, domain_rule, reject_nulls

NamePart = Annotated[
    Text, Field(min_length=1, max_length=MAX_NAME_PART, pattern=r"\S"),
    domain_rule(valid_name_part),
]
Biography = Annotated[Text, Field(max_length=MAX_BIOGRAPHY), domain_rule(valid_biography)]


class NewAuthor(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{
            "first_name": "Han", "last_name": "Kang",
            "biography": "South Korean writer, Nobel Prize in Literature 2024.",
        }]},
    )

    first_name: NamePart
    last_name: NamePart
    biography: Biography | None = None


class AuthorChanges(BaseModel):
    """PATCH body: send only what changes; `biography: null` removes the biography."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"biography": "Born in Gwangju in 1970."}]},
    )

    first_name: NamePart | None = None
    last_name: NamePart | None = None
    biography: Biography | None = None

    @model_validator(mode="before")
    @classmethod
    def _no_null_names(cls, data: Any) -> Any:
        if isinstance(data, dict):
            reject_nulls(data, {"first_name", "last_name"})
        return data
