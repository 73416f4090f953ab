"""The service's own tables: every message it applied (once per message id), the credits they
leave, and what it dropped or refused. SQLite, one file, one connection.

Idempotent by message id: a message is applied in the same transaction that records its id,
so a message sent twice (bookshelf sends at least once) changes nothing the second time.
Order is bookshelf's promise (one book's messages arrive in `sequence` order), so messages
are applied as they come.
"""

import sqlite3
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS received (
    position INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    book_id TEXT NOT NULL,
    sequence INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS credits (
    author_id TEXT NOT NULL,
    book_id TEXT NOT NULL,
    PRIMARY KEY (author_id, book_id)
);
CREATE TABLE IF NOT EXISTS dropped_duplicates (message_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS refused (message_id TEXT, reason TEXT NOT NULL);
"""


class AuthorStatistics:
    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(path, isolation_level=None)
        self._db.executescript(SCHEMA)

    def apply(self, message_id: str, event: dict[str, Any]) -> bool:
        """Apply one integration event; False if its message id was applied before."""
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            try:
                db.execute("INSERT INTO received (message_id, type, book_id, sequence) "
                           "VALUES (?, ?, ?, ?)",
                           (message_id, event["type"], event["book_id"], event["sequence"]))
            except sqlite3.IntegrityError:
                db.execute("INSERT INTO dropped_duplicates VALUES (?)", (message_id,))
                db.execute("COMMIT")
                return False
            self._change_credits(event)
            db.execute("COMMIT")
            return True
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def _change_credits(self, event: dict[str, Any]) -> None:
        book = event["book_id"]
        if event["type"] == "AuthorAddedToBook":
            self._db.execute("INSERT OR IGNORE INTO credits VALUES (?, ?)",
                             (event["author_id"], book))
        elif event["type"] == "AuthorRemovedFromBook":
            self._db.execute("DELETE FROM credits WHERE author_id = ? AND book_id = ?",
                             (event["author_id"], book))
        elif event["type"] == "BookDeleted":
            self._db.execute("DELETE FROM credits WHERE book_id = ?", (book,))

    def refuse(self, message_id: str | None, reason: str) -> None:
        self._db.execute("INSERT INTO refused VALUES (?, ?)", (message_id, reason))

    def books_credited(self, author_id: str) -> int:
        return int(self._db.execute("SELECT count(*) FROM credits WHERE author_id = ?",
                                    (author_id,)).fetchone()[0])

    def received(self) -> list[tuple[str, str, str, int]]:
        """(message id, type, book id, sequence) of every message applied, in arrival order."""
        return [tuple(row) for row in self._db.execute(
            "SELECT message_id, type, book_id, sequence FROM received ORDER BY position")]

    def dropped_duplicates(self) -> list[str]:
        return [row[0] for row in self._db.execute("SELECT message_id FROM dropped_duplicates")]

    def refusals(self) -> list[tuple[str | None, str]]:
        return [tuple(row) for row in self._db.execute("SELECT * FROM refused")]

    def close(self) -> None:
        self._db.close()
