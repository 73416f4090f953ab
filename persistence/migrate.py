"""Migrations run in a child process, so that the serving process never loads Alembic.

Alembic and its script directory stay resident once imported (about 13 MB of each worker's
memory, issue 12), and the service needs them for a moment at startup only. So the lifespan
runs `python -m persistence.migrate`, and the child brings the database to the newest
schema, SCHEMA_HEAD, which the readiness check compares with the database's. The child gets
the URL through its environment, never its command line, where any user of the machine could
read a password.

A database already at the newest schema (every start but the first after a release) needs no
child: one look at its alembic_version settles it, which spares each start a second Python
process and its imports (about two seconds).
"""

import asyncio
import os
import sys
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

ROOT = Path(__file__).resolve().parent.parent
# The newest revision in alembic/versions, known without importing Alembic; a test keeps the
# two equal (tests/integration/test_migrations.py).
SCHEMA_HEAD = "0008"
_URL, _TIMEOUT = "BOOKSHELF_MIGRATE_URL", "BOOKSHELF_MIGRATE_CONNECT_TIMEOUT_S"


class MigrationFailed(RuntimeError):
    """The database could not be brought to the newest schema; says why, in one line."""


async def migrate_apart(engine: AsyncEngine, *, upgrade: bool, connect_timeout_s: float) -> str:
    """Upgrade `engine`'s database to the newest schema in a child process, unless it is
    there already or `upgrade` is false, and return that schema's revision."""
    if not upgrade or await _revision_of(engine) == SCHEMA_HEAD:
        return SCHEMA_HEAD
    url = engine.url.render_as_string(hide_password=False)
    env = {**os.environ, _URL: url, _TIMEOUT: str(connect_timeout_s),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "persistence.migrate", env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    try:
        _, err = await child.communicate()
    except asyncio.CancelledError:  # startup given up on: the child goes too
        child.kill()
        await child.wait()
        raise
    if child.returncode != 0:
        lines = err.decode(errors="replace").strip().splitlines()
        raise MigrationFailed(lines[-1] if lines else f"exit status {child.returncode}")
    return SCHEMA_HEAD


async def _revision_of(engine: AsyncEngine) -> str | None:
    """The database's schema revision; None when it has none yet (or it cannot be read, which
    the child, holding the migration lock, will find out properly)."""
    try:
        async with engine.connect() as connection:
            try:
                return await connection.scalar(text("SELECT version_num FROM alembic_version"))
            except SQLAlchemyError:
                return None
    except (OSError, SQLAlchemyError) as error:
        raise MigrationFailed(_one_line(error)) from None


def _one_line(error: BaseException) -> str:
    """The kind of failure and what it said, for the log line that explains a failed start."""
    return f"{type(error).__name__}: {str(error) or 'no answer in time'}"


def main() -> None:
    from persistence.database import create_engine
    from persistence.migrations import upgrade_to_head

    engine = create_engine(os.environ[_URL], connect_timeout_s=float(os.environ[_TIMEOUT]))

    async def upgrade() -> None:
        try:
            await upgrade_to_head(engine)
        finally:
            await engine.dispose()

    try:
        asyncio.run(upgrade())
    except (OSError, SQLAlchemyError) as error:
        print(_one_line(error), file=sys.stderr)  # one line for the parent's log
        sys.exit(1)


if __name__ == "__main__":
    main()
