"""Starting the real service in its own processes, the way operators run it."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Service:
    url: str
    process: subprocess.Popen[bytes]

    def send(self, sent: signal.Signals) -> None:
        """To the whole process group: uvicorn and, with --workers, its workers."""
        with contextlib.suppress(ProcessLookupError):  # all gone already
            os.killpg(self.process.pid, sent)

    def stop(self, with_signal: signal.Signals) -> int:
        self.send(with_signal)
        try:
            return self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.send(signal.SIGKILL)
            return self.process.wait()


@contextmanager
def started_service(database_url: str, *, workers: int = 1, log: Path, app: str = "app:app",
                    **env: str) -> Iterator[Service]:
    """`uvicorn app:app --workers N` on a free loopback port, in a process group of its own;
    yields it once it answers. The test stops it as it likes; whatever is left at the end is
    killed."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", app, "--loop", "uvloop",
               "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
               "--no-access-log"]
    environment = {**os.environ, "DATABASE_URL": database_url, **env}
    with log.open("wb") as output:
        server = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=output,
                                  stderr=subprocess.STDOUT, start_new_session=True)
        service = Service(f"http://127.0.0.1:{port}", server)
        try:
            _wait_until_answering(service.url, server, log, workers)
            yield service
        finally:
            if server.poll() is None:
                service.stop(signal.SIGKILL)


@contextmanager
def running_service(database_url: str, *, workers: int = 1, log: Path, app: str = "app:app",
                    stop_with: signal.Signals = signal.SIGTERM, **env: str) -> Iterator[str]:
    """`started_service`, yielding its base URL and stopping it afterwards with `stop_with`:
    SIGTERM is a clean shutdown, SIGKILL a crash."""
    with started_service(database_url, workers=workers, log=log, app=app, **env) as service:
        try:
            yield service.url
        finally:
            service.stop(stop_with)


def _wait_until_answering(base_url: str, server: subprocess.Popen[bytes], log: Path,
                          workers: int) -> None:
    """Until it answers, and every worker has started (one answering says nothing of the
    others: a test that needs both would find one)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the service exited at startup:\n{log.read_text()}")
        started = log.read_text(errors="replace").count("Application startup complete")
        try:
            answers = httpx.get(f"{base_url}/authors?limit=1", timeout=1).status_code == 200
        except httpx.HTTPError:
            answers = False
        if answers and started >= workers:
            return
        time.sleep(0.2)  # polling another process: nothing to wait on
    raise RuntimeError(f"the service did not answer within 60 s:\n{log.read_text()}")
