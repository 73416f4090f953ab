"""Draw the README's pictures from the code, so they cannot drift from it.

`poetry run python images/generate.py` writes images/<picture>.dot and renders
images/<picture>.svg with Graphviz's `dot`. tests/architecture/test_pictures.py redraws the
DOT text in-process and fails when a committed .dot no longer matches the code, so everything
here is sorted and free of timestamps and memory addresses.
"""

import dataclasses
import html
import inspect
import re
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy import Column, ForeignKey, MetaData, Table, UniqueConstraint

IMAGES = Path(__file__).resolve().parent
# `python images/generate.py` puts images/ on sys.path, not the project the imports below need.
sys.path.insert(0, str(IMAGES.parent))

from app import create_app  # noqa: E402
from modules.author.public_api import AuthorDirectory  # noqa: E402
from persistence.tables import event_publications, metadata  # noqa: E402

PICTURES = ("cqrs", "erd", "events", "many_to_many")

# Who owns which table: nothing in the schema says so, tables.py's comments do. A new table
# must be placed here, or generation stops and says so.
MODULE_TABLES = {
    "book": ("books", "book_authors"),
    "author": ("authors", "author_books"),
    "shared_kernel": ("event_publications", "worker_leases"),
}
MODULE_TITLES = {"book": "Book module", "author": "Author module",
                 "shared_kernel": "Shared kernel"}
MODULE_COLOURS = {"book": "#e8f0fb", "author": "#eaf6ea", "shared_kernel": "#f3f3f3"}

# Ids that point into another module's table with no foreign key: events keep them in step.
# Listed by hand because the absence of a constraint cannot be read off the schema. (The other
# way, book_authors.author_id, has a foreign key: see persistence/tables.py.)
EVENT_KEPT_IDS = (("author_books", "book_id", "books"),)

# The optimistic-locking counter belongs to our aggregates, not to the textbook schema.
VERSION_COLUMN = "version"

FONT = "Helvetica"


# --- DOT text ----------------------------------------------------------------------------

class Html(str):
    """A Graphviz HTML-like label: written between <...>, not quoted."""


class Row(str):
    """One row of a table node, as an edge's end: `"table":"port"`, quoted already."""


def row(table: str, port: str) -> Row:
    return Row(f"{quoted(table)}:{quoted(port)}")


def quoted(value: str) -> str:
    if isinstance(value, Row):
        return value
    if isinstance(value, Html):
        return f"<{value}>"
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def attributes(values: dict[str, str]) -> str:
    return "[" + ", ".join(f"{key}={quoted(value)}" for key, value in sorted(values.items())) + "]"


def node(name: str, **values: str) -> str:
    return f"{quoted(name)} {attributes(values)}"


def edge(tail: str, head: str, **values: str) -> str:
    return f"{quoted(tail)} -> {quoted(head)} {attributes(values)}"


def cluster(name: str, title: str, lines: Iterable[str], labelloc: str = "t") -> list[str]:
    colour = MODULE_COLOURS.get(name, "#ffffff")
    style = {"label": title, "labelloc": labelloc, "style": "filled,rounded",
             "fillcolor": colour, "color": "#888888"}
    head = [f"subgraph {quoted('cluster_' + name)} {{", "  graph " + attributes(style)]
    return [*head, *(f"  {line}" for line in sorted(lines)), "}"]


def digraph(name: str, title: str, body: Iterable[str], rankdir: str = "LR") -> str:
    graph = {"label": title, "labelloc": "t", "fontname": FONT, "fontsize": "16",
             "rankdir": rankdir, "nodesep": "0.4", "ranksep": "0.8", "compound": "true"}
    nodes = {"fontname": FONT, "fontsize": "11", "shape": "box", "style": "rounded,filled",
             "fillcolor": "white"}
    edges = {"fontname": FONT, "fontsize": "10", "color": "#444444"}
    head = [f"digraph {quoted(name)} {{", "  graph " + attributes(graph),
            "  node " + attributes(nodes), "  edge " + attributes(edges)]
    return "\n".join([*head, *(f"  {line}" for line in body), "}"]) + "\n"


def module_of(python_module: str) -> str:
    """`modules.book.domain.events` -> `book`."""
    return python_module.split(".")[1]


def title_of(module: str) -> str:
    return MODULE_TITLES.get(module, f"{module.replace('_', ' ').capitalize()} module")


def owner_of(table: str) -> str:
    for module, tables in MODULE_TABLES.items():
        if table in tables:
            return module
    raise LookupError(f"table {table!r} has no owner: add it to MODULE_TABLES in {__file__}")


# --- Schemas: the one we have, and the one we do not use ---------------------------------

def column_marks(table: Table, column: Column) -> str:
    unique = column.unique or any(isinstance(constraint, UniqueConstraint)
                                  and column.name in constraint.columns
                                  for constraint in table.constraints)
    marks = [("PK", column.primary_key), ("FK", bool(column.foreign_keys)), ("UQ", unique),
             ("null", column.nullable and not column.primary_key)]
    return " ".join(mark for mark, present in marks if present)


def table_node(table: Table) -> str:
    rows = [f'<TR><TD COLSPAN="3" BGCOLOR="#d9d9d9"><B>{html.escape(table.name)}</B></TD></TR>']
    # Columns stay in declaration order: it is deterministic and reads like tables.py.
    # Edges leave a row on its right (`<column>.out`) and arrive on its left (`<column>`).
    for column in table.columns:
        rows.append(
            f'<TR><TD PORT="{html.escape(column.name)}" ALIGN="LEFT">'
            f"{html.escape(column.name)}</TD>"
            f'<TD ALIGN="LEFT">{html.escape(str(column.type))}</TD>'
            f'<TD PORT="{html.escape(column.name)}.out" ALIGN="LEFT">'
            f"{column_marks(table, column)}</TD></TR>"
        )
    label = Html('<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4">'
                 + "".join(rows) + "</TABLE>")
    return node(table.name, label=label, shape="plain", style="")


def foreign_key_edges(schema: MetaData, *, modules: bool = False) -> Iterator[str]:
    """An edge per foreign key; `modules`: mark the ones from one module's table to another's."""
    for table in schema.tables.values():
        for key in table.foreign_keys:
            note = f"FK, on delete {key.ondelete.lower()}" if key.ondelete else "FK"
            referred = key.column.table.name
            tail, head = row(table.name, f"{key.parent.name}.out"), row(referred, key.column.name)
            if modules and owner_of(table.name) != owner_of(referred):
                yield edge(tail, head, label=f"{note}\nacross modules", color="#c0392b",
                           fontcolor="#c0392b", penwidth="2")
            else:
                yield edge(tail, head, label=note)


def keys_across_modules(schema: MetaData) -> list[str]:
    return sorted(f"{table.name}.{key.parent.name}" for table in schema.tables.values()
                  for key in table.foreign_keys
                  if owner_of(table.name) != owner_of(key.column.table.name))


def erd() -> str:
    by_owner: dict[str, list[str]] = {}
    for table in metadata.tables.values():
        by_owner.setdefault(owner_of(table.name), []).append(table_node(table))
    body = [line for module in sorted(by_owner)
            for line in cluster(module, title_of(module), by_owner[module])]
    body += sorted(foreign_key_edges(metadata, modules=True))
    for table, column, referred in EVENT_KEPT_IDS:
        if metadata.tables[table].c[column].foreign_keys:
            raise ValueError(f"{table}.{column} has a foreign key now: update EVENT_KEPT_IDS")
        body.append(edge(row(table, f"{column}.out"), row(referred, "id"),
                         label="ids, kept in step by events", style="dashed",
                         color="#1f6fb2", fontcolor="#1f6fb2", constraint="false"))
    across = keys_across_modules(metadata)
    crossing = (f"one foreign key crosses modules ({across[0]})" if len(across) == 1
                else f"foreign keys across modules: {', '.join(across)}" if across
                else "no foreign key crosses a module")
    return digraph("erd", f"bookshelf's schema: each module owns its tables; {crossing}", body)


def own_columns(table: Table) -> list[Column]:
    return [Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable,
                   unique=c.unique) for c in table.columns if c.name != VERSION_COLUMN]


def many_to_many() -> str:
    """The textbook design, built from our books and authors so it follows their columns."""
    books, authors = metadata.tables["books"], metadata.tables["authors"]
    textbook = MetaData()
    Table("books", textbook, *own_columns(books))
    Table("authors", textbook, *own_columns(authors))
    Table("book_author", textbook,
          Column("book_id", books.c.id.type, ForeignKey("books.id"), primary_key=True),
          Column("author_id", authors.c.id.type, ForeignKey("authors.id"), primary_key=True))
    body = [table_node(table) for table in textbook.tables.values()]
    return digraph("many_to_many", "The schema most people would draw: many-to-many through "
                   "one association table\n(NOT the design bookshelf uses)",
                   sorted(body) + sorted(foreign_key_edges(textbook)))


# --- Events and the public API between modules --------------------------------------------

def public_async_methods(cls: type) -> list[str]:
    return sorted(name for name, member in inspect.getmembers(cls, inspect.iscoroutinefunction)
                  if not name.startswith("_"))


def events(app: FastAPI) -> str:
    container = app.state.container
    log, delivery, relay = (container.publication_log.cls.__name__,
                            container.event_delivery.cls.__name__,
                            container.event_relay.cls.__name__)
    # module -> {node name: node line}; a module's first node anchors edges to its border.
    clusters: dict[str, dict[str, str]] = {"shared_kernel": {
        log: node(log, label=f"{log}\n{event_publications.name}:\none row per event and listener",
                  shape="cylinder"),
        delivery: node(delivery, label=f"{delivery}\noldest first, per aggregate and module"),
        relay: node(relay, label=f"{relay}\nfor what is left open"),
    }}
    edges = [edge(log, delivery, label="claims", style="dashed"),
             edge(relay, delivery, label="delivers again", style="dashed")]
    recording: set[str] = set()  # modules that record events
    listening: set[str] = set()  # modules that take them
    for listener in container.listeners().all():
        event_type = listener.event_type
        fields = ", ".join(field.name for field in dataclasses.fields(event_type))
        event, source = event_type.__name__, module_of(event_type.__module__)
        recording.add(source)
        clusters.setdefault(source, {})[event] = node(
            event, label=f"{event}\n({fields})", shape="note", fillcolor="#fde2dd")
        target = listener.subscriber  # "author.credit_book": the Author module listens
        listening.add(target)
        label = f"{listener.name}\n{listener.handler().__name__}(unit of work, event)"
        clusters.setdefault(target, {})[listener.name] = node(listener.name, label=label)
        edges.append(edge(event, listener.name, color="#c0392b"))
    # The Book module asks the Author module's facade; it imports nothing else of it.
    api, methods = AuthorDirectory.__name__, public_async_methods(AuthorDirectory)
    clusters.setdefault(module_of(AuthorDirectory.__module__), {})[api] = node(
        api, label=f"{api} (public API)\n" + "\n".join(f"{name}()" for name in methods),
        fillcolor="#fff7d6")
    if not clusters.setdefault("book", {}):  # a module that records no event still asks
        clusters["book"]["book"] = node("book", label="Book module")
    # Edges to or from a module's border: `ltail`/`lhead` name its cluster, and the node the
    # edge is drawn from (any node inside) stays hidden behind the border.
    edges.append(edge(min(clusters["book"]), api, label="asks: " + ", ".join(methods),
                      color="#1f6fb2", fontcolor="#1f6fb2", ltail="cluster_book"))
    for module in recording:
        edges.append(edge(min(clusters[module]), log, label="records, in the\nsame transaction",
                          style="dashed", ltail=f"cluster_{module}"))
    for module in listening:
        edges.append(edge(delivery, min(clusters[module]),
                          label="delivers after the commit;\nthe listener's commit completes it",
                          style="dashed", lhead=f"cluster_{module}"))
    # The shared kernel sits below the modules: its title goes under it, clear of the edges.
    body = [line for module in sorted(clusters)
            for line in cluster(module, title_of(module), clusters[module].values(),
                                labelloc="b" if module == "shared_kernel" else "t")]
    return digraph("events", "Modules and the events between them", body + sorted(set(edges)))


# --- Commands and queries ------------------------------------------------------------------

USE_CASE_CALL = re.compile(r"\.bus\(\)\.run\(\s*(\w+)")  # books.bus().run(add_book, ...)


def module_routes(app: FastAPI) -> Iterator[tuple[str, str, str, APIRoute]]:
    """(module, method, path, route) of each route of the books and authors tags."""
    # Each route, whether the app holds it flat or within an included router.
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and {"books", "authors"} & set(context.tags):
            for method in sorted(context.methods):
                yield module_of(route.endpoint.__module__), method, context.path, route


def use_cases_called(route: APIRoute) -> list[str]:
    """The names of the use cases the route runs on its module's message bus."""
    source = inspect.getsource(route.endpoint)
    known = route.endpoint.__globals__
    return sorted({known[name].__name__ for name in USE_CASE_CALL.findall(source)
                   if callable(known.get(name))})


def tables_read_by(queries: type) -> list[str]:
    """The tables the queries' module refers to: one SQL statement may join several."""
    names = vars(inspect.getmodule(queries))
    return sorted(value.name for value in names.values()
                  if isinstance(value, Table) and value.name in metadata.tables)


def cqrs(app: FastAPI) -> str:
    container = app.state.container
    clusters: dict[str, set[str]] = {}
    edges: set[str] = set()
    tables = {event_publications.name}
    for module, method, path, route in module_routes(app):
        wiring = getattr(container, module)  # the module's own container
        route_name = f"{method} {path}"
        lines = clusters.setdefault(module, set())
        if method == "GET":
            queries = wiring.queries.cls.__name__
            lines.add(node(route_name, fillcolor="#e3f0fb"))
            lines.add(node(queries, label=f"{queries}\n(SQL → read DTO)", fillcolor="#e3f0fb"))
            edges.add(edge(route_name, queries, color="#1f6fb2"))
            for table in tables_read_by(wiring.queries.cls):
                tables.add(table)
                edges.add(edge(queries, table, label="reads", color="#1f6fb2",
                               fontcolor="#1f6fb2", style="dashed"))
            continue
        unit_of_work = wiring.unit_of_work.cls.__name__
        lines.add(node(route_name, fillcolor="#fdebd3"))
        lines.add(node(unit_of_work, label=f"{unit_of_work}\n(one transaction)",
                       fillcolor="#fdebd3"))
        for use_case in use_cases_called(route):
            lines.add(node(use_case, label=f"{use_case}()", fillcolor="#fdebd3"))
            edges.add(edge(route_name, use_case, color="#c0562b"))
            edges.add(edge(use_case, unit_of_work, color="#c0562b"))
        for table in MODULE_TABLES[module]:
            tables.add(table)
            edges.add(edge(unit_of_work, table, label="writes", color="#c0562b",
                           fontcolor="#c0562b"))
        edges.add(edge(unit_of_work, event_publications.name, label="events",
                       color="#c0562b", fontcolor="#c0562b", style="dashed"))
    for table in tables:
        clusters.setdefault(owner_of(table), set()).add(node(table, shape="cylinder",
                                                             fillcolor="#eeeeee"))
    body = [line for module in sorted(clusters)
            for line in cluster(module, title_of(module), clusters[module])]
    return digraph("cqrs", "Commands go through a use case and its Unit of Work; "
                   "queries read the tables straight into DTOs", body + sorted(edges))


# --- Writing ------------------------------------------------------------------------------

def pictures() -> dict[str, str]:
    """Each picture's DOT text, by name."""
    app = create_app()  # builds the container, the bus and the routes; no lifespan runs
    drawn = {"cqrs": cqrs(app), "erd": erd(), "events": events(app),
             "many_to_many": many_to_many()}
    assert tuple(sorted(drawn)) == PICTURES
    return drawn


def main() -> None:
    for name, text in pictures().items():
        dot_file = IMAGES / f"{name}.dot"
        dot_file.write_text(text, encoding="utf-8", newline="\n")
        subprocess.run(["dot", "-Tsvg", str(dot_file), "-o", str(IMAGES / f"{name}.svg")],
                       check=True)
        print(f"wrote {dot_file.relative_to(IMAGES.parent)} and {name}.svg")


if __name__ == "__main__":
    main()
