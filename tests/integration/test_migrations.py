"""The schema comes only from the migrations, and they match the tables in the code."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from persistence.migrate import SCHEMA_HEAD
from persistence.migrations import alembic_config
from persistence.tables import metadata


async def test_autogenerate_finds_no_difference_after_migrating(engine) -> None:
    def differences(connection):  # type: ignore[no-untyped-def]
        context = MigrationContext.configure(connection, opts={
            "compare_type": True,
            # PostgreSQL-only trigram indexes live in the migrations alone (0004, 0007).
            "include_object": lambda obj, name, kind, *_: not (
                kind == "index" and name and name.endswith("_trgm")),
        })
        return compare_metadata(context, metadata)

    async with engine.connect() as connection:
        assert await connection.run_sync(differences) == []


async def test_the_database_is_at_the_newest_revision(engine) -> None:
    head = ScriptDirectory.from_config(alembic_config(str(engine.url))).get_current_head()

    async with engine.connect() as connection:
        current = await connection.scalar(text("SELECT version_num FROM alembic_version"))

    assert current == head


def test_the_service_knows_the_newest_revision_without_alembic() -> None:
    # The service skips the migration child when the database is at SCHEMA_HEAD: a new
    # migration that leaves the constant behind would never run on an existing database.
    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert scripts.get_current_head() == SCHEMA_HEAD
