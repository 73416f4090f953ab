"""What a refusal tells the client: its message (the problem's `detail`), the field it is
about, and the id it names. Each error is made inside the test, where mutation testing sees
the test run its constructor."""

from typing import Any

import pytest

from modules.author.domain.errors import AuthorNotFound, AuthorStillHasBooks
from modules.book.domain.errors import (
    AuthorNotCredited,
    BookNotFound,
    IsbnAlreadyUsed,
    UnknownAuthor,
    UnknownAuthors,
)
from modules.shared_kernel.domain.errors import ConcurrentChange, VersionMismatch

STILL_CREDITED = "is credited on at least one book; remove the credits from those books first"


@pytest.mark.parametrize(("error", "args", "message", "field"), [
    (BookNotFound, [7], "there is no book 7", None),
    (IsbnAlreadyUsed, ["9788936433598"], "another book already has ISBN 9788936433598", "isbn"),
    (IsbnAlreadyUsed, [], "another book already has this ISBN", "isbn"),
    (UnknownAuthors, [[4, 2]], "no author with id 4, 2", "author_ids"),
    (UnknownAuthor, [42], "there is no author 42", None),
    (UnknownAuthor, [], "an author credited on the book does not exist", None),
    (AuthorNotCredited, [7, 42], "author 42 is not credited on book 7", None),
    (AuthorNotFound, [42], "there is no author 42", None),
    (AuthorStillHasBooks, [42], f"author 42 {STILL_CREDITED}", None),
    (AuthorStillHasBooks, [], f"the author {STILL_CREDITED}", None),
    (VersionMismatch, [3, 5], "it has changed since version 3 (it is at version 5); read it again",
     None),
    (VersionMismatch, [3], "it has changed since version 3; read it again", None),
    (ConcurrentChange, [], "the change clashed with a concurrent change; try again", None),
])
def test_an_error_reads_as_its_message_about_its_field(error: Any, args: list[Any], message: str,
                                                       field: str | None) -> None:
    made = error(*args)
    assert (str(made), made.message, made.field) == (message, message, field)


@pytest.mark.parametrize(("error", "args", "named"), [
    (BookNotFound, [7], {"book_id": 7}),
    (IsbnAlreadyUsed, ["9788936433598"], {"isbn": "9788936433598"}),
    (UnknownAuthors, [[4, 2]], {"author_ids": [4, 2]}),
    (UnknownAuthor, [42], {"author_id": 42}),
    (AuthorNotCredited, [7, 42], {"author_id": 42}),
    (AuthorNotFound, [42], {"author_id": 42}),
    (AuthorStillHasBooks, [42], {"author_id": 42}),
    (VersionMismatch, [3, 5], {"expected": 3}),
])
def test_an_error_keeps_what_it_names(error: Any, args: list[Any],
                                      named: dict[str, object]) -> None:
    made = error(*args)
    assert {name: getattr(made, name) for name in named} == named
