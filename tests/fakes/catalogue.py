"""An in-memory catalogue: both modules' aggregates and the outbox, kept like the database
keeps them, for use-case and listener tests that run in milliseconds.

It keeps the rules storage keeps, so the fakes cannot pass where the database would refuse:
each aggregate's version is checked and bumped on commit (a stale writer loses with
ConcurrentChange), a book credits only authors that exist, and an author a book credits
cannot be deleted (the foreign key of persistence/tables.py). It cannot block, but it notes
which rows a writer read for update, in order, so the tests can check the lock order.
"""

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from modules.author.domain.author import Author
from modules.book.domain.book import Book
from modules.shared_kernel.application.listeners import Listeners
from modules.shared_kernel.application.publications import Publication
from modules.shared_kernel.domain.events import DomainEvent


@dataclass
class InMemoryCatalogue:
    listeners: Listeners = field(default_factory=Listeners)
    books: dict[int, Book] = field(default_factory=dict)
    authors: dict[int, Author] = field(default_factory=dict)
    publications: list[Publication] = field(default_factory=list)
    completed: set[int] = field(default_factory=set)
    locked: list[int] = field(default_factory=list)  # ids read `for_update`, in that order

    def loaded(self, store: dict[int, Any], key: int) -> Any:
        """A copy, as a new session would load it: changes stay private until commit."""
        found = store.get(key)
        return clone(found) if found is not None else None

    def credited_author_ids(self) -> set[int]:
        return {author_id for book in self.books.values() for author_id in book.author_ids}

    def publish(self, aggregate_id: int, event: DomainEvent) -> list[Publication]:
        made = [Publication(id=len(self.publications) + 1, listener=listener.name,
                            event=event, aggregate_id=aggregate_id, attempts=0,
                            created_at_ms=0)
                for listener in self.listeners.of(type(event))]
        self.publications.extend(made)
        return made

    def open_publications(self) -> list[Publication]:
        return [p for p in self.publications if p.id not in self.completed]


def clone(aggregate: Any) -> Any:
    """A fresh copy through the dataclass's own constructor (a deep copy would copy the
    ORM's instrumentation too, when the mappers are installed in this process)."""
    values = {f.name: [clone(item) for item in value] if isinstance(value, list) else value
              for f in dataclasses.fields(aggregate) if f.init
              for value in [getattr(aggregate, f.name)]}
    return type(aggregate)(**values)
