"""One WORKER_ID for several workers (say, in a .env read by `--workers 2`) must not give two
processes one worker id: the second finds the pin leased, and the service does not start."""

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.system.databases import fresh_database
from tests.system.servers import ROOT, free_port


async def test_two_workers_with_one_pinned_worker_id_do_not_start(
    database_url: str, tmp_path: Path
) -> None:
    async with fresh_database(database_url, tmp_path) as url:
        service = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "uvicorn", "app:app", "--host", "127.0.0.1",
            "--port", str(free_port()), "--workers", "2",
            cwd=ROOT, env={**os.environ, "DATABASE_URL": url, "WORKER_ID": "5"},
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            # uvicorn stops the parent (exit status 0) when a worker fails to start.
            output = (await asyncio.wait_for(service.communicate(), timeout=60))[0].decode()
        finally:
            if service.returncode is None:  # both started: stop them, the test has failed
                os.killpg(service.pid, signal.SIGKILL)
                await service.wait()

    refusals = [line for line in output.splitlines() if "cannot start" in line]
    assert len(refusals) == 1, output
    assert "cannot start: worker id 5 (pinned by WORKER_ID) is leased to" in refusals[0]
    assert output.count("Application startup complete") == 1, output
