"""``hoptac serve`` in a child process on a free loopback port: for the browser tests, the
screenshots and anything else that needs the real server rather than the app in-process.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


class ServerError(RuntimeError):
    """The server exited or did not answer; the message holds what it logged."""


@dataclass(frozen=True)
class Served:
    url: str
    process: subprocess.Popen


@contextmanager
def served(db: str, *, workers: int = 1, log: Path | None = None, ready_within: float = 30.0, args: tuple[str, ...] = ()) -> Iterator[Served]:
    """The server over ``db``, public whatever ``$HOPTAC_PRIVATE`` says, until the block ends;
    ``args``: more of ``hoptac serve``'s options."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with tempfile.TemporaryDirectory(prefix="hoptac-serve-") as tmp:
        log = log or Path(tmp) / "serve.log"
        with log.open("wb") as out:
            process = subprocess.Popen([sys.executable, "-m", "hoptac", "serve", "--db", db, "--port", str(port), "--workers", str(workers), *args],
                                       stdout=out, stderr=subprocess.STDOUT, env={k: v for k, v in os.environ.items() if k != "HOPTAC_PRIVATE"})
        try:
            _wait(process, f"http://127.0.0.1:{port}", log, ready_within)
            yield Served(f"http://127.0.0.1:{port}", process)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait(process: subprocess.Popen, url: str, log: Path, ready_within: float) -> None:
    deadline = time.monotonic() + ready_within
    while True:
        if process.poll() is not None:
            raise ServerError(f"hoptac serve exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url + "/api/v1/stats", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            raise ServerError(f"hoptac serve did not answer at {url} within {ready_within:.0f} s:\n{log.read_text(errors='replace')}")
        time.sleep(0.1)  # polling for readiness
