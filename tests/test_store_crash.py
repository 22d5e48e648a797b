"""A real kill in the middle of an ingest: the store holds whole batches only, and a re-run finishes the job.

``hoptac ingest`` runs as its own process over a few thousand generated articles; once it
has reported some committed batches on stderr it gets SIGKILL (no sleeps, no timing: the
kill lands wherever the process happens to be, often inside a batch's transaction). Then:

- the store is consistent (SQLite's own checks, and every row's references and counts);
- what was committed is exactly what the killed run's counters say, and that run stays
  ``running``, which is how an interrupted run shows;
- re-running the same command completes: every document once, each with exactly the facts
  its extraction gives, what the killed run committed skipped and the rest added.

The same on PostgreSQL when ``HOPTAC_TEST_PG`` names a server (a database ``<name>_crash``
is created beside the one named, and its schema is dropped first).
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlalchemy import Engine, create_engine, text

from hoptac.extract.pipeline import extract
from hoptac.store.db import url_of
from hoptac.store.facts import fact_rows
from hoptac.store.ingest import BATCH
from hoptac.text.reader import RawDocument, read_inputs

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = 2000
KILL_AFTER = 3  # committed batches reported before the kill
WATCHDOG = 600  # seconds: a hung ingest is killed and the test fails instead of hanging


def _generator():
    spec = importlib.util.spec_from_file_location("hoptac_bench_extract_speed", ROOT / "bench" / "extract_speed.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class Corpus:
    directory: Path
    files: int
    keys: set[str]  # the documents the store must end with
    shas: set[str]  # their distinct contents
    fact_keys: dict[str, Counter]  # document key -> the keys of the facts its extraction gives


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Corpus:
    directory = tmp_path_factory.mktemp("articles")
    _generator().build(directory, ARTICLES, seed=11)
    keys, shas, fact_keys, files = set(), set(), {}, 0
    # What the store should hold, worked out independently of it: a document is known by its
    # URL or else its name, and the same bytes under another name are the same document.
    for item in read_inputs([str(directory)]):
        assert isinstance(item, RawDocument), item
        files += 1
        sha = hashlib.sha256(item.data).hexdigest()
        if sha in shas:
            continue
        shas.add(sha)
        key = item.url or item.name
        keys.add(key)
        fact_keys[key] = Counter(r.key for r in fact_rows(extract(item).to_dict()))
    assert files == ARTICLES
    return Corpus(directory, files, keys, shas, fact_keys)


# ---------------------------------------------------------------------------- the process


def _hoptac(*args: str) -> list[str]:
    return [sys.executable, "-m", "hoptac", *args]


def _ingest_and_kill(corpus: Corpus, db: str) -> list[str]:
    """Start an ingest, SIGKILL it once it has reported KILL_AFTER committed batches; its stderr lines."""
    env = {k: v for k, v in os.environ.items() if k != "HOPTAC_DB"}
    # A session of its own, so that its extraction workers can be found and ended afterwards.
    proc = subprocess.Popen(_hoptac("ingest", str(corpus.directory), "--db", db), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, env=env, start_new_session=True)
    watchdog = threading.Timer(WATCHDOG, _kill_group, [proc.pid])
    watchdog.start()
    lines: list[str] = []
    try:
        for line in proc.stderr:
            lines.append(line.rstrip("\n"))
            if sum(x.startswith("committed:") for x in lines) == KILL_AFTER:
                os.kill(proc.pid, signal.SIGKILL)
                break
        returncode = proc.wait(timeout=60)
    finally:
        watchdog.cancel()
        _kill_group(proc.pid)  # the workers, if any outlived their parent
        proc.stderr.close()
    assert returncode == -signal.SIGKILL, f"the ingest ended by itself ({returncode}) before {KILL_AFTER} batches:\n" + "\n".join(lines)
    return lines


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _ingest(corpus: Corpus, db: str) -> tuple[dict, list[str]]:
    env = {k: v for k, v in os.environ.items() if k != "HOPTAC_DB"}
    out = subprocess.run(_hoptac("ingest", str(corpus.directory), "--db", db, "--json"), capture_output=True, text=True,
                         env=env, timeout=WATCHDOG, check=False)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout), out.stderr.splitlines()


def _reported_added(line: str) -> int:
    # committed: N added, N updated, N re-extracted, N skipped, N failed
    return int(line.split()[1])


# ---------------------------------------------------------------------------- checks


def _rows(engine: Engine, sql: str) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def _count(engine: Engine, sql: str) -> int:
    return _rows(engine, sql)[0][0]


# Each query lists what would break an invariant; all must come back empty.
VIOLATIONS = {
    "a document's versions are not 1..version": """
        SELECT d.id FROM documents d
        WHERE (SELECT count(*) FROM document_versions v WHERE v.document_id = d.id) != d.version
           OR (SELECT min(v.version) FROM document_versions v WHERE v.document_id = d.id) != 1
           OR (SELECT max(v.version) FROM document_versions v WHERE v.document_id = d.id) != d.version""",
    "a document's current bytes are not its latest version": """
        SELECT d.id FROM documents d WHERE NOT EXISTS (
            SELECT 1 FROM document_versions v WHERE v.document_id = d.id AND v.version = d.version AND v.sha256 = d.sha256)""",
    "a version without its document": """
        SELECT v.id FROM document_versions v LEFT JOIN documents d ON d.id = v.document_id WHERE d.id IS NULL""",
    "the same bytes stored twice": "SELECT sha256 FROM document_versions GROUP BY sha256 HAVING count(*) > 1",
    "the same document twice": "SELECT key FROM documents GROUP BY key HAVING count(*) > 1",
    "a fact without its document": "SELECT f.id FROM facts f LEFT JOIN documents d ON d.id = f.document_id WHERE d.id IS NULL",
    "a fact twice in a document": "SELECT document_id, key FROM facts GROUP BY document_id, key HAVING count(*) > 1",
    # Facts are written with their document, in the same batch: another run's facts on a document means a torn write.
    "extracted facts from another run than their document's": """
        SELECT f.id FROM facts f JOIN documents d ON d.id = f.document_id WHERE f.origin = 'extracted' AND f.run_id != d.run_id""",
    "a link without its fact": "SELECT l.id FROM links l LEFT JOIN facts f ON f.id = l.fact_id WHERE f.id IS NULL",
    "a link without its entity": "SELECT l.id FROM links l LEFT JOIN entities e ON e.id = l.entity_id WHERE e.id IS NULL",
    # Entities are created only to be linked, in the batch that links them: one with no link is a rolled-back leftover.
    "an entity nothing links to": "SELECT e.id FROM entities e WHERE NOT EXISTS (SELECT 1 FROM links l WHERE l.entity_id = e.id)",
    "a document not indexed exactly once": """
        SELECT d.id FROM documents d
        WHERE (SELECT count(*) FROM search_index s WHERE s.kind = 'document' AND s.ref_id = d.id) != 1""",
    "an index row for no document": """
        SELECT s.id FROM search_index s LEFT JOIN documents d ON d.id = s.ref_id WHERE s.kind = 'document' AND d.id IS NULL""",
    "an entity not indexed exactly once": """
        SELECT e.id FROM entities e
        WHERE (SELECT count(*) FROM search_index s WHERE s.kind = 'entity' AND s.ref_id = e.id) != 1""",
    "an index row for no entity": """
        SELECT s.id FROM search_index s LEFT JOIN entities e ON e.id = s.ref_id WHERE s.kind = 'entity' AND e.id IS NULL""",
    "an index row of an unknown kind": "SELECT id FROM search_index WHERE kind NOT IN ('document', 'entity')",
    "a row from no run": """
        SELECT 'document', id FROM documents WHERE run_id NOT IN (SELECT id FROM runs)
        UNION ALL SELECT 'fact', id FROM facts WHERE run_id NOT IN (SELECT id FROM runs)
        UNION ALL SELECT 'version', id FROM document_versions WHERE run_id NOT IN (SELECT id FROM runs)""",
    # A run's counters are written in each batch's transaction, so they say exactly what it committed.
    "a run's counter disagrees with what it committed": """
        SELECT r.id FROM runs r
        WHERE r.added + r.updated != (SELECT count(*) FROM document_versions v WHERE v.run_id = r.id)
           OR r.added != (SELECT count(*) FROM document_versions v WHERE v.run_id = r.id AND v.version = 1)""",
}


def _check_consistent(engine: Engine) -> None:
    if engine.dialect.name == "sqlite":
        _check_sqlite_file(engine.url.database)
    broken = {what: rows[:5] for what, sql in VIOLATIONS.items() if (rows := _rows(engine, sql))}
    assert not broken, broken


def _check_sqlite_file(path: str) -> None:
    # Opened with the sqlite3 module alone, as a fresh process after a crash would: the WAL is recovered here.
    conn = sqlite3.connect(path)
    try:
        assert (problems := conn.execute("PRAGMA integrity_check").fetchall()) == [("ok",)], problems
        assert (dangling := conn.execute("PRAGMA foreign_key_check").fetchall()) == [], dangling[:5]
        # Each FTS5 index is sound (raises if not) and holds one entry per search_index row of its kind.
        for fts, kind in (("documents_fts", "document"), ("entities_fts", "entity")):
            conn.execute(f"INSERT INTO {fts}({fts}, rank) VALUES ('integrity-check', 0)")
            indexed = conn.execute(f"SELECT count(*) FROM {fts}_docsize").fetchone()
            assert indexed == conn.execute("SELECT count(*) FROM search_index WHERE kind = ?", (kind,)).fetchone()
        conn.rollback()
    finally:
        conn.close()


def _check_facts(engine: Engine, corpus: Corpus) -> None:
    """Every document holds exactly the facts its extraction gives: no fact lost, none left over."""
    stored: dict[str, Counter] = {key: Counter() for key in corpus.keys}
    for key, fact_key in _rows(engine, "SELECT d.key, f.key FROM facts f JOIN documents d ON d.id = f.document_id"):
        stored.setdefault(key, Counter())[fact_key] += 1
    wrong = [key for key in sorted(stored) if stored[key] != corpus.fact_keys.get(key)]
    assert not wrong, f"{len(wrong)} documents without exactly their facts, e.g. {wrong[:5]}"


# ---------------------------------------------------------------------------- the scenario


def _kill_then_resume(corpus: Corpus, db: str) -> None:
    engine = create_engine(url_of(db))
    try:
        lines = _ingest_and_kill(corpus, db)
        reported = [line for line in lines if line.startswith("committed:")]
        assert len(reported) == KILL_AFTER, lines

        # The wreck: consistent, holding what the run committed and no more.
        _check_consistent(engine)
        ((killed, status, finished, added, skipped, failed),) = _rows(
            engine, "SELECT id, status, finished_at, added, skipped, failed FROM runs")
        assert (status, finished) == ("running", None)
        committed = _count(engine, "SELECT count(*) FROM documents")
        # At least what it reported; perhaps a batch more, committed between its last line and the kill.
        assert _reported_added(reported[-1]) <= committed < corpus.files
        assert (added, failed) == (committed, 0)
        if corpus.files == len(corpus.shas):
            assert skipped == 0
        assert _count(engine, "SELECT count(*) FROM document_versions") == committed

        # The re-run finishes the job: what was committed is skipped, the rest added.
        summary, err = _ingest(corpus, db)
        assert summary["failed"] == [] and summary["updated"] == 0 and summary["reextracted"] == 0, summary
        assert summary["added"] == len(corpus.keys) - committed
        assert summary["skipped"] == corpus.files - summary["added"]
        if corpus.files == len(corpus.shas):  # no two generated files alike: skipped is exactly what was committed
            assert summary["skipped"] == committed
        assert sum(line.startswith("committed:") for line in err) == -(-summary["added"] // BATCH)

        _check_consistent(engine)
        assert {r[0] for r in _rows(engine, "SELECT key FROM documents")} == corpus.keys
        assert {r[0] for r in _rows(engine, "SELECT sha256 FROM document_versions")} == corpus.shas
        assert _count(engine, "SELECT count(*) FROM documents") == len(corpus.keys)
        _check_facts(engine, corpus)
        runs = _rows(engine, "SELECT id, status, added, skipped FROM runs ORDER BY id")
        assert runs == [(killed, "running", committed, 0), (summary["run"], "done", summary["added"], summary["skipped"])]
    finally:
        engine.dispose()


def test_sqlite_ingest_killed_midway_then_resumed(corpus, tmp_path):
    _kill_then_resume(corpus, str(tmp_path / "x.db"))


# ---------------------------------------------------------------------------- PostgreSQL


@pytest.fixture
def pg_url() -> str:
    url = os.environ.get("HOPTAC_TEST_PG")
    if not url:
        pytest.skip("HOPTAC_TEST_PG is not set (a PostgreSQL URL, e.g. postgresql://postgres@/hoptac_test?host=/tmp/pg); "
                    "the kill test then runs on SQLite only")
    psycopg = pytest.importorskip("psycopg")
    url = url.replace("postgresql+psycopg://", "postgresql://", 1).replace("postgres://", "postgresql://", 1)
    # A database of its own beside the one named, so that other tests using that one are not disturbed.
    parts = urlsplit(url)
    name = parts.path.lstrip("/") + "_crash"
    with psycopg.connect(url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            try:
                conn.execute(f'CREATE DATABASE "{name}"')
            except psycopg.errors.DuplicateDatabase:
                pass  # created meanwhile by another run
    crash_url = urlunsplit(parts._replace(path="/" + name))
    with psycopg.connect(crash_url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
    return crash_url


def test_postgresql_ingest_killed_midway_then_resumed(corpus, pg_url):
    _kill_then_resume(corpus, pg_url)
