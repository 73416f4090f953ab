"""Where this run's processes keep their metric values.

prometheus-client's multiprocess mode keeps each process's values in files of one directory
(PROMETHEUS_MULTIPROC_DIR), and a scrape, answered by whichever worker, adds up all of them.
A *run* is one start of the server: `uvicorn --workers N` spawns its workers through
multiprocessing, so they share their master as parent; a process started on its own is a
run by itself. Its directory is `<tmp>/bookshelf-metrics-<pid>` (pid: the master's, or the
process's own), and a marker in it names the run (that pid and the time it started).

Counters start from zero at every start: a process that finds the directory marked by
another run (its pid reused, as a container's pid 1 is after a restart) empties it first,
while the workers of one run keep each other's files. Directories of runs whose process is
gone are removed. A directory the operator names in PROMETHEUS_MULTIPROC_DIR is theirs: used
as it is, never emptied.
"""

import contextlib
import fcntl
import multiprocessing
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

DIRECTORY = "PROMETHEUS_MULTIPROC_DIR"
# Set beside DIRECTORY when this code chose it: a process started by this one (a test starting
# a server) inherits both, sees another run's key, and chooses its own.
CHOSEN_FOR = "BOOKSHELF_METRICS_RUN"
PREFIX = "bookshelf-metrics-"
MARKER = "run"


def directory_for_this_run() -> Path:
    given = os.environ.get(DIRECTORY)
    if given and os.environ.get(CHOSEN_FOR) is None:
        directory = Path(given)
        directory.mkdir(parents=True, exist_ok=True)
        return directory
    pid, key = run_key()
    base = Path(tempfile.gettempdir())
    remove_ended_runs(base, keep=pid)
    directory = base / f"{PREFIX}{pid}"
    claim(directory, key)
    os.environ[DIRECTORY], os.environ[CHOSEN_FOR] = str(directory), key
    return directory


def run_key() -> tuple[int, str]:
    """The pid the run is known by, and a key that a later run with the same pid differs in:
    the pid with that process's start time (Linux; elsewhere the pid alone)."""
    parent = multiprocessing.parent_process()
    pid = parent.pid if parent is not None and parent.pid is not None else os.getpid()
    return pid, f"{pid}.{_started(pid)}"


def _started(pid: int) -> str:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return "?"
    return stat.rpartition(")")[2].split()[19]  # field 22, starttime: after the command name


def claim(directory: Path, key: str) -> None:
    directory.mkdir(mode=0o700, exist_ok=True)
    with _locked(directory):
        marker = directory / MARKER
        found = marker.read_text() if marker.exists() else None
        if found != key:
            _empty(directory)
            marker.write_text(key)


def remove_ended_runs(base: Path, *, keep: int) -> None:
    for directory in base.glob(f"{PREFIX}*"):
        pid = directory.name.removeprefix(PREFIX)
        if not pid.isdigit() or int(pid) == keep or _alive(int(pid)):
            continue
        # Another process of this run may be removing it too; someone else's is left alone.
        with contextlib.suppress(OSError), _locked(directory):
            if not _alive(int(pid)):  # not started again meanwhile with the same pid
                shutil.rmtree(directory)


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """Held by one process at a time: the workers of a run start together."""
    if not _ours(directory):  # /tmp is everyone's: never trust values someone else left
        raise PermissionError(f"{directory} belongs to another user")
    handle = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)


def _empty(directory: Path) -> None:
    for entry in directory.iterdir():
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def _ours(directory: Path) -> bool:
    return directory.stat().st_uid == os.getuid()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True
