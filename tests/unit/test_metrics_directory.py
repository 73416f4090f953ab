"""The metrics directory of a run: emptied when another run left it, shared by the workers
of one run, removed once its run has ended."""

import os
import subprocess
import sys
from pathlib import Path

from modules.shared_kernel.infrastructure.metrics.directory import (
    MARKER,
    PREFIX,
    claim,
    remove_ended_runs,
    run_key,
)


def test_a_directory_another_run_left_is_emptied_and_marked_for_this_one(tmp_path: Path) -> None:
    directory = tmp_path / f"{PREFIX}1"
    claim(directory, "1.100")
    (directory / "counter_7.db").write_bytes(b"the last run's counts")

    claim(directory, "1.200")  # the same pid, started later: another run

    assert sorted(p.name for p in directory.iterdir()) == [MARKER]
    assert (directory / MARKER).read_text() == "1.200"


def test_the_workers_of_one_run_keep_each_other_s_files(tmp_path: Path) -> None:
    directory = tmp_path / f"{PREFIX}1"
    claim(directory, "1.100")
    (directory / "counter_7.db").write_bytes(b"the first worker's counts")

    claim(directory, "1.100")  # the second worker of the same run

    assert (directory / "counter_7.db").read_bytes() == b"the first worker's counts"


def test_directories_of_runs_whose_process_is_gone_are_removed(tmp_path: Path) -> None:
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)
    gone, alive = tmp_path / f"{PREFIX}{ended.stdout.strip()}", tmp_path / f"{PREFIX}{os.getppid()}"
    for directory in (gone, alive):
        claim(directory, "key")

    remove_ended_runs(tmp_path, keep=os.getpid())

    assert not gone.exists()
    assert alive.exists()


def test_a_process_started_on_its_own_is_a_run_by_itself() -> None:
    pid, key = run_key()

    assert pid == os.getpid()  # pytest is no multiprocessing child
    assert key.startswith(f"{pid}.")
