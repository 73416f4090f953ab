"""Which integration events the Book module publishes, at which version, on which channel."""

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMAS = Path(__file__).parent / "schemas"
# The digest of every schema version published; append only.
PUBLISHED_DIGESTS = SCHEMAS / "published.json"
CHANNEL_PREFIX = "bookshelf.book"


@dataclass(frozen=True)
class IntegrationEvent:
    name: str  # as consumers see it in `type`, e.g. "AuthorAddedToBook"
    topic: str  # the channel's and the schema file's word for it, e.g. "author_added_to_book"
    version: int

    @property
    def channel(self) -> str:
        """The routing key (RabbitMQ) or subject (NATS): the version is part of it, so a
        consumer of v1 never receives a v2 it cannot read."""
        return f"{CHANNEL_PREFIX}.{self.topic}.v{self.version}"

    @property
    def schema_file(self) -> Path:
        return SCHEMAS / f"{self.topic}.v{self.version}.json"

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = json.loads(self.schema_file.read_text())
        return schema

    def digest(self) -> str:
        """What the schema says, whatever its layout: a change of meaning changes it."""
        canonical = json.dumps(self.schema(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


AUTHOR_ADDED_TO_BOOK = IntegrationEvent("AuthorAddedToBook", "author_added_to_book", 1)
AUTHOR_REMOVED_FROM_BOOK = IntegrationEvent("AuthorRemovedFromBook", "author_removed_from_book", 1)
BOOK_DELETED = IntegrationEvent("BookDeleted", "book_deleted", 1)

PUBLISHED = (AUTHOR_ADDED_TO_BOOK, AUTHOR_REMOVED_FROM_BOOK, BOOK_DELETED)
