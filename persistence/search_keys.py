"""Search keys: text folded so that "part of it, in any case" means the same on every engine.

A title or a name is stored beside its key (books.title_key, authors.first_name_key and
last_name_key; the mappers keep them in step), and a search folds its term the same way and
looks for it in the key with a plain LIKE. Both sides are folded already, so the engines' own
case rules play no part: SQLite's LIKE and lower() fold ASCII only, so "émile" missed "Émile"
there, and neither engine takes a decomposed "é" for "é".
"""

import unicodedata

from sqlalchemy import BindParameter, ColumnElement


def search_key(text: str) -> str:
    """`text` folded for searching: "Émile", "ÉMILE" and "E\\u0301mile" all give "émile".

    NFC first, so composed and decomposed input agree ("é" typed as one character or as "e"
    and a combining accent; a Hangul syllable or its three jamo). casefold rather than lower,
    so "Straße" matches "STRASSE". NFC again, because case folding can leave text decomposed:
    "ΐ" folds to three code points, while "Ϊ́" folds to two.
    """
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).casefold())


LIKE_ESCAPE = "/"


def like_term(term: str) -> str:
    """`term` folded, its LIKE wildcards (and the escape character) made plain text: the
    value of the parameter `contains_term` compares with."""
    return (search_key(term).replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
            .replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_"))


def contains_term(key: ColumnElement[str], term: BindParameter[str]) -> ColumnElement[bool]:
    """`key LIKE '%' || :term || '%'`, for a term given as `like_term(...)`. A parameter,
    not the term itself: the statement is built and compiled once for every term."""
    return key.contains(term, escape=LIKE_ESCAPE)
