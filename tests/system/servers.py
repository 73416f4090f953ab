"""Starting the real service in its own processes, the way operators run it."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_service(database_url: str, *, workers: int = 1, log: Path,
                    stop_with: signal.Signals = signal.SIGTERM, **env: str) -> Iterator[str]:
    """`uvicorn app:app --workers N` on a free loopback port; yields its base URL and stops
    it afterwards with `stop_with`: SIGTERM is a clean shutdown, SIGKILL a crash."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "app:app", "--loop", "uvloop",
               "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
               "--no-access-log"]
    environment = {**os.environ, "DATABASE_URL": database_url, **env}
    with log.open("wb") as output:
        server = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=output,
                                  stderr=subprocess.STDOUT, start_new_session=True)
        base_url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_answering(base_url, server, log)
            yield base_url
        finally:
            os.killpg(server.pid, stop_with)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()


def _wait_until_answering(base_url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the service exited at startup:\n{log.read_text()}")
        try:
            if httpx.get(f"{base_url}/authors?limit=1", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the service did not answer within 60 s:\n{log.read_text()}")
