"""Several writers on one store at once, as real processes: each waits its turn, none fails.

Two ``hoptac ingest`` of different folders started together into one store (SQLite and
PostgreSQL), and an editor writing through the API while logged-in readers browse during an
ingest: the requests start once the ingest has reported its first committed batch and go on
until it exits, so they overlap it whatever the machine's speed (no sleeps).
"""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import httpx2
import pytest
from sqlalchemy import create_engine, text

from hoptac.store.db import url_of
from hoptac.web.process import served

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = 500  # per folder: three batches, so a second writer always finds the first mid-run
WATCHDOG = 600  # seconds before a hung process fails the test instead of hanging it
PASSWORD = "concurrent-pass-1"


def _folder(directory: Path, prefix: str, seed: int) -> Path:
    """``ARTICLES`` generated articles, named apart from every other folder's."""
    spec = importlib.util.spec_from_file_location("hoptac_bench_extract_speed", ROOT / "bench" / "extract_speed.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    directory.mkdir()
    module.build(directory, ARTICLES, seed=seed)
    for f in directory.iterdir():
        f.rename(f.with_name(f"{prefix}-{f.name}"))
    return directory


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("concurrent")
    return _folder(tmp / "a", "a", 21), _folder(tmp / "b", "b", 22)


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "HOPTAC_DB"}


class _Ingest:
    """``hoptac ingest`` in its own process, its JSON summary going to a file and its stderr
    read by a thread, so that the test can wait for its first committed batch and go on."""

    def __init__(self, folder: Path, db: str) -> None:
        self._out = tempfile.TemporaryFile(mode="w+")
        self.process = subprocess.Popen([sys.executable, "-m", "hoptac", "ingest", str(folder), "--db", db, "--json"],
                                        stdout=self._out, stderr=subprocess.PIPE, text=True, env=_env())
        self.lines: list[str] = []
        self.first_batch = threading.Event()
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        for line in self.process.stderr:
            self.lines.append(line.rstrip("\n"))
            if line.startswith("committed:"):
                self.first_batch.set()
        self.first_batch.set()  # ended without a batch: finish() says why

    def running(self) -> bool:
        return self.process.poll() is None

    def finish(self) -> dict:
        try:
            self.process.wait(WATCHDOG)
        finally:
            self.process.kill()  # a hung ingest fails the test instead of hanging it
            self.process.wait()
        self._reader.join()
        assert self.process.returncode == 0, "ingest failed:\n" + "\n".join(self.lines)
        self._out.seek(0)
        return json.loads(self._out.read())


def _documents(db: str) -> int:
    engine = create_engine(url_of(db))
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM documents")).scalar_one()
    engine.dispose()
    return count


def test_two_ingests_into_one_store_both_finish_and_store_everything(folders, store_url):
    ingests = [_Ingest(folders[0], store_url), _Ingest(folders[1], store_url)]  # at once, as two analysts would
    try:
        results = [i.finish() for i in ingests]
    finally:
        for i in ingests:
            i.process.kill()  # the other one, when the first failed
    assert [r["added"] for r in results] == [ARTICLES, ARTICLES]
    assert [r["failed"] for r in results] == [[], []]
    assert _documents(store_url) == 2 * ARTICLES


def test_web_writes_and_logged_in_reads_during_an_ingest_all_succeed(folders, tmp_path):
    db = str(tmp_path / "shared.db")
    seeds = ROOT / "corpus" / "sample"
    for args in (["ingest", str(seeds), "--db", db], ["user", "add", "ed", "--role", "editor", "--db", db]):
        out = subprocess.run([sys.executable, "-m", "hoptac", *args], capture_output=True, text=True, check=False,
                             env={**_env(), "HOPTAC_PASSWORD": PASSWORD})
        assert out.returncode == 0, out.stderr
    with served(db, log=tmp_path / "serve.log") as server, httpx2.Client(base_url=server.url, timeout=60) as client:
        token = client.post("/api/v1/auth/token", json={"name": "ed", "password": PASSWORD}).json()["token"]
        bearer = {"Authorization": f"Bearer {token}"}
        program = client.get("/api/v1/programs", params={"limit": 1}).json()["items"][0]["id"]
        ingest = _Ingest(folders[0], db)
        ingest.first_batch.wait(WATCHDOG)
        statuses: list[tuple[str, int]] = []
        while ingest.running() or len(statuses) < 20:
            note = client.post(f"/api/v1/programs/{program}/notes", headers=bearer,
                               json={"text": f"ghi chú {len(statuses)}", "reason": "theo dõi"})
            page = client.get("/programs", headers=bearer)
            api = client.get("/api/v1/documents", headers=bearer, params={"limit": 5})
            statuses += [("note", note.status_code), ("page", page.status_code), ("api", api.status_code)]
        result = ingest.finish()
    log = (tmp_path / "serve.log").read_text(errors="replace")
    assert result["added"] == ARTICLES and result["failed"] == []
    failed = [(what, status) for what, status in statuses if status >= 300]
    assert not failed, f"{len(failed)} of {len(statuses)} requests failed during the ingest: {failed[:10]}\n{log[-3000:]}"


def test_a_new_store_opened_while_another_connection_holds_its_lock_waits_for_it(tmp_path):
    """Two processes opening a store that does not exist yet: the second must wait while the
    first creates it (switching the file to WAL takes the lock too), not fail at the door."""
    import sqlite3

    from hoptac.store.db import connect

    path = tmp_path / "store.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    outcome: dict = {}

    def open_store():
        try:
            outcome["engine"] = connect(str(path))
        except Exception as e:  # the failure is the finding, reported below
            outcome["error"] = e

    opener = threading.Thread(target=open_store)
    opener.start()
    # longer than the 5 s sqlite3 waits by default: a connection that does not set its own
    # busy timeout before it first needs the lock has failed by then
    opener.join(7)
    holder.rollback()
    holder.close()
    opener.join(WATCHDOG)
    assert "error" not in outcome, outcome.get("error")
    with outcome["engine"].connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    outcome["engine"].dispose()
