"""Migrations run in a child process, so that the serving process never loads Alembic.

Alembic and its script directory stay resident once imported (about 13 MB of each worker's
memory, issue 12), and the service needs them for a moment at startup only. So the lifespan
runs `python -m persistence.migrate`: the child brings the database to the newest schema
(unless told only to look) and prints that schema's revision, which the readiness check
compares with the database's. The child gets the URL through its environment, never its
command line, where any user of the machine could read a password.
"""

import asyncio
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_URL, _TIMEOUT = "BOOKSHELF_MIGRATE_URL", "BOOKSHELF_MIGRATE_CONNECT_TIMEOUT_S"


class MigrationFailed(RuntimeError):
    """The database could not be brought to the newest schema; says why, in one line."""


async def migrate_apart(url: str, *, upgrade: bool, connect_timeout_s: float) -> str | None:
    """Upgrade the database at `url` to the newest schema in a child process (or, with
    `upgrade` false, leave it alone), and return that schema's revision."""
    env = {**os.environ, _URL: url, _TIMEOUT: str(connect_timeout_s),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "persistence.migrate", *([] if upgrade else ["--head-only"]),
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        out, err = await child.communicate()
    except asyncio.CancelledError:  # startup given up on: the child goes too
        child.kill()
        await child.wait()
        raise
    if child.returncode != 0:
        lines = err.decode(errors="replace").strip().splitlines()
        raise MigrationFailed(lines[-1] if lines else f"exit status {child.returncode}")
    return out.decode().strip() or None


def main() -> None:
    from sqlalchemy.exc import SQLAlchemyError

    from persistence.database import create_engine
    from persistence.migrations import schema_head, upgrade_to_head

    if "--head-only" not in sys.argv:
        engine = create_engine(os.environ[_URL], connect_timeout_s=float(os.environ[_TIMEOUT]))

        async def upgrade() -> None:
            try:
                await upgrade_to_head(engine)
            finally:
                await engine.dispose()

        try:
            asyncio.run(upgrade())
        except (OSError, SQLAlchemyError) as error:
            # One line for the parent's log: the kind of failure, and what it said.
            print(f"{type(error).__name__}: {str(error) or 'no answer in time'}", file=sys.stderr)
            sys.exit(1)
    print(schema_head() or "")


if __name__ == "__main__":
    main()
