"""Ingest: read, extract and store documents, idempotently and in crash-safe batches.

A document is known by its URL, or else by its path within the directory given (its file
name when a file is given). Its bytes' SHA-256 decides what
happens to it:

- bytes already stored, facts from the current extractor: **skipped**;
- bytes already stored, facts from another extractor version: **re-extracted**;
- a known document with new bytes: **updated** (a new version);
- otherwise: **added**.

Every batch is one transaction (documents, facts, entities, links, search index, the
corrections re-applied on top, the run's counters), so a crash or a kill at any moment
leaves whole batches only, and a re-run skips what was committed and does the rest.
Extraction runs in worker processes; the parent only hashes, decides and writes.
"""
from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, bindparam, delete, insert, select, update

from hoptac.extract.pipeline import extract, extractor_version
from hoptac.resolve.resolver import Link, Resolver, decisions
from hoptac.store import corrections as corrections_module
from hoptac.store.db import now, write
from hoptac.store.facts import FactRow, fact_rows
from hoptac.store.schema import document_versions, documents, facts, failures, links, runs, search_index
from hoptac.store.search import index_entities
from hoptac.text.decode import DecodeError
from hoptac.text.fold import fold
from hoptac.text.reader import MAX_BYTES, Failure, read_inputs
from hoptac.track import sync as track

BATCH = 200  # documents per transaction: large enough to amortise a commit, small enough to lose little


@dataclass
class Summary:
    run_id: int
    extractor_version: str
    added: int = 0
    updated: int = 0
    reextracted: int = 0
    skipped: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    orphaned: list[int] = field(default_factory=list)  # corrections whose target is gone
    warnings: list[tuple[str, str]] = field(default_factory=list)  # stored, but not exactly as the bytes said
    failures_stored: int = 0

    @property
    def seen(self) -> int:
        return self.added + self.updated + self.reextracted + self.skipped + len(self.failed)

    def counters(self) -> dict[str, int]:
        """The run's row in ``runs``, as far as it has got."""
        return {"added": self.added, "updated": self.updated, "reextracted": self.reextracted,
                "skipped": self.skipped, "failed": len(self.failed)}


@dataclass
class _Pending:
    """A document that needs extracting, and what is known of it before extraction."""

    name: str
    key: str
    sha256: str
    size: int
    action: str  # added | updated | reextracted
    record: dict | None = None
    error: str | None = None
    before: dict[str, Link] = field(default_factory=dict)  # how its mentions were resolved last time
    copies: _Copies | None = None


@dataclass
class _Copies:
    """Files of this run with the same bytes as a document still on its way to the store: they
    share its outcome (skipped when it is stored, failed with its reason when it fails)."""

    original: str  # the name of the one that was sent
    names: list[str] = field(default_factory=list)  # copies seen before its outcome was known
    failure: str | None = None
    done: bool = False

    def settle(self, name: str, summary: Summary) -> None:
        if self.failure is None:
            summary.skipped += 1
        else:
            summary.failed.append((name, f"the same bytes as {self.original}, which failed: {self.failure}"))

    def resolve(self, failure: str | None, summary: Summary) -> None:
        """The original's outcome is known: settle the copies seen so far, and any seen later at once."""
        self.failure, self.done = failure, True
        for name in self.names:
            self.settle(name, summary)
        self.names.clear()


def ingest(engine: Engine, paths: Iterable[str], *, jobs: int | None = None, version: str | None = None,
           progress: Callable[[Summary], None] | None = None, on_batch: Callable[[Summary], None] | None = None,
           max_bytes: int | None = MAX_BYTES) -> Summary:
    """Store everything the paths hold; ``version`` overrides the extractor version (for tests and replays);
    a document over ``max_bytes`` is a failure."""
    version = version or extractor_version()
    summary = Summary(0, version)
    with write(engine) as conn:
        summary.run_id = conn.execute(insert(runs).values(extractor_version=version, started_at=now(), status="running",
                                                          **summary.counters()).returning(runs.c.id)).scalar_one()
        known = _Known.load(conn)
    resolver: Resolver | None = None  # one for the whole run: its memory of blocks spans batches
    try:
        pending = _plan(read_inputs(paths, max_bytes), known, version, summary, progress)
        for batch in _batches(_extracted(pending, jobs), BATCH):
            with write(engine) as conn:
                resolver = resolver or Resolver(conn)
                resolver.conn = conn
                _write_batch(conn, resolver, batch, summary)
            if on_batch:
                on_batch(summary)
    except BaseException:
        _finish(engine, summary, "failed")
        raise
    _finish(engine, summary, "done")
    return summary


class _Known:
    """What the store already holds, read once so that deciding costs no queries."""

    def __init__(self) -> None:
        self.this_run: dict[str, _Copies] = {}  # sha256 of what this run sends to extraction -> its copies
        self.current: dict[str, tuple[str, str]] = {}  # sha256 of a document's current bytes -> (extractor version, key)
        self.past: set[str] = set()  # sha256 of bytes a document once had
        self.keys: set[str] = set()

    @classmethod
    def load(cls, conn: Connection) -> _Known:
        known = cls()
        for key, sha, version in conn.execute(select(documents.c.key, documents.c.sha256, documents.c.extractor_version)):
            known.keys.add(key)
            known.current[sha] = (version, key)
        known.past.update(conn.execute(select(document_versions.c.sha256)).scalars())
        return known

    def action(self, key: str, sha: str, version: str) -> str:
        if sha in self.current:
            return "skipped" if self.current[sha][0] == version else "reextracted"
        if sha in self.past:
            return "skipped"  # an older text of a document seen again: its newer version stands
        return "updated" if key in self.keys else "added"

    def owner(self, key: str, sha: str) -> str:
        """The key of the document these bytes belong to (the same bytes under another name are that document)."""
        return self.current[sha][1] if sha in self.current else key

    def remember(self, key: str, sha: str, version: str) -> None:
        self.keys.add(key)
        self.current[sha] = (version, key)
        self.past.add(sha)


def _plan(items: Iterator, known: _Known, version: str, summary: Summary, progress) -> Iterator[tuple[object, _Pending]]:
    for item in items:
        if isinstance(item, Failure):
            summary.failed.append((item.name, item.reason))
        else:
            sha = hashlib.sha256(item.data).hexdigest()
            key = known.owner(item.url or item.path or item.name, sha)
            action = known.action(key, sha, version)
            if (copies := known.this_run.get(sha)) is not None:
                if copies.done:
                    copies.settle(item.name, summary)
                else:
                    copies.names.append(item.name)
            elif action == "skipped":
                summary.skipped += 1
            else:
                known.remember(key, sha, version)
                copies = known.this_run[sha] = _Copies(item.name)
                yield item, _Pending(item.name, key, sha, len(item.data), action, copies=copies)
        if progress:
            progress(summary)


def _extract_one(raw) -> tuple[dict | None, str | None]:
    try:
        return extract(raw).to_dict(), None
    except DecodeError as e:
        return None, str(e)


def _extract_many(raws: list) -> list[tuple[dict | None, str | None]]:
    return [_extract_one(raw) for raw in raws]


_CHUNK = 8  # documents per task sent to a worker: fewer round trips
_IN_FLIGHT = 64  # tasks submitted ahead of the writer: workers stay busy, memory stays bounded


def _extracted(pending: Iterator[tuple[object, _Pending]], jobs: int | None) -> Iterator[_Pending]:
    jobs = jobs or min(os.cpu_count() or 1, 4)
    if jobs == 1:
        for raw, p in pending:
            p.record, p.error = _extract_one(raw)
            yield p
        return
    # Workers only extract (a pure function); the parent keeps the order and the database.
    # Pool.imap would read the whole input ahead of a slower writer, so tasks are submitted
    # only as results are taken.
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    with context.Pool(jobs) as pool:
        in_flight: deque = deque()
        for chunk in _batches(pending, _CHUNK):
            in_flight.append((chunk, pool.apply_async(_extract_many, ([raw for raw, _ in chunk],))))
            if len(in_flight) >= _IN_FLIGHT:
                yield from _results(*in_flight.popleft())
        while in_flight:
            yield from _results(*in_flight.popleft())


def _results(chunk: list[tuple[object, _Pending]], task) -> Iterator[_Pending]:
    for (_, p), (record, error) in zip(chunk, task.get(), strict=True):
        p.record, p.error = record, error
        yield p


def _batches(items: Iterator, size: int) -> Iterator[list]:
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _write_batch(conn: Connection, resolver: Resolver, batch: list[_Pending], summary: Summary) -> None:
    stored: list[tuple[int, _Pending, list[FactRow]]] = []
    for p in batch:
        if p.copies is not None:
            p.copies.resolve((p.error or "unreadable") if p.record is None else None, summary)
        if p.record is None:
            summary.failed.append((p.name, p.error or "unreadable"))
            continue
        summary.warnings.extend((p.name, w) for w in p.record.get("warnings", []))
        document_id = _store_document(conn, p, summary)
        stored.append((document_id, p, fact_rows(p.record)))
        setattr(summary, p.action, getattr(summary, p.action) + 1)
    # A document twice in one batch (a page crawled twice into one dump): its last version stands.
    last = {document_id: i for i, (document_id, _, _) in enumerate(stored)}
    stored = [s for i, s in enumerate(stored) if last[s[0]] == i]
    _store_facts(conn, resolver, stored, summary.run_id)
    _index_documents(conn, stored)
    summary.orphaned.extend(corrections_module.reapply(conn, [(document_id, p.key) for document_id, p, _ in stored]))
    track.refresh(conn, [document_id for document_id, _, _ in stored])
    _store_failures(conn, summary)
    conn.execute(update(runs).where(runs.c.id == summary.run_id).values(**summary.counters()))


# Statements built once: executing a prepared statement with parameters reuses its
# compiled form, where building one per document would compile it every time.
_FIND_DOCUMENT = select(documents.c.id, documents.c.version).where(documents.c.key == bindparam("key"))
_INSERT_DOCUMENT = insert(documents).returning(documents.c.id)
_UPDATE_DOCUMENT = update(documents).where(documents.c.id == bindparam("document_id"))
_DELETE_EXTRACTED = delete(facts).where(facts.c.document_id == bindparam("document_id"), facts.c.origin == "extracted")
_INSERT_VERSION = insert(document_versions)


def _store_document(conn: Connection, p: _Pending, summary: Summary) -> int:
    r = p.record
    stamp = now()
    fields = {"name": r["doc"], "url": r.get("url"), "title": r.get("title"), "source": r.get("source"),
              "published_at": r.get("published_at"), "views": r.get("views"), "encoding": r.get("encoding"),
              "text": r["text"], "sha256": p.sha256, "extractor_version": summary.extractor_version,
              "run_id": summary.run_id, "updated_at": stamp}
    existing = conn.execute(_FIND_DOCUMENT, {"key": p.key}).first()
    if existing is None:
        version = 1
        document_id = conn.execute(_INSERT_DOCUMENT, {"key": p.key, "version": version, "first_seen": stamp, **fields}).scalar_one()
    else:
        document_id, version = existing.id, existing.version + (p.action == "updated")
        p.before = decisions(conn, document_id)  # read before the links go with the old facts
        conn.execute(_DELETE_EXTRACTED, {"document_id": document_id})
        conn.execute(_UPDATE_DOCUMENT, {"document_id": document_id, "version": version, **fields})
    if p.action != "reextracted":
        conn.execute(_INSERT_VERSION, {"document_id": document_id, "version": version, "sha256": p.sha256,
                                       "size": p.size, "run_id": summary.run_id, "seen_at": stamp})
    return document_id


def _store_facts(conn: Connection, resolver: Resolver, stored: list[tuple[int, _Pending, list[FactRow]]], run_id: int) -> None:
    values, mentions = [], []
    for document_id, p, rows in stored:
        mentions.extend(resolver.resolve(rows, p.before))
        values.extend({"document_id": document_id, "run_id": run_id, "kind": r.kind, "key": r.key, "label": r.label,
                       "data": r.data, "evidence": r.evidence, "sentence": r.sentence, "confidence": r.confidence,
                       "date": r.date, "province": r.province, "province_now": r.province_now, "origin": "extracted"}
                      for r in rows)
    if not values:
        return
    ids = conn.execute(insert(facts).returning(facts.c.id, sort_by_parameter_order=True), values).scalars().all()
    link_values = [{"fact_id": fact_id, "entity_id": link.entity_id, "role": role, "rule": link.rule, "score": link.score, "reason": link.reason}
                   for fact_id, pairs in zip(ids, mentions, strict=True) for role, link in pairs]
    if link_values:
        conn.execute(insert(links), link_values)
    index_entities(conn, resolver.take_created())


def _index_documents(conn: Connection, stored: list[tuple[int, _Pending, list[FactRow]]]) -> None:
    ids = [document_id for document_id, _, _ in stored]
    if not ids:
        return
    conn.execute(delete(search_index).where(search_index.c.kind == "document", search_index.c.ref_id.in_(ids)))
    conn.execute(insert(search_index), [
        {"kind": "document", "ref_id": document_id, "title": fold(p.record.get("title") or ""),
         # Organizations' full names go in too, so "khoa hoc va cong nghe can tho" finds "Sở KH&CN TP. Cần Thơ".
         "body": fold(p.record["text"] + "\n" + "\n".join(o["name"] for o in p.record["organizations"]))}
        for document_id, p, _ in stored])


def _store_failures(conn: Connection, summary: Summary) -> None:
    new = summary.failed[summary.failures_stored:]
    if new:
        conn.execute(insert(failures), [{"run_id": summary.run_id, "name": n, "reason": r} for n, r in new])
        summary.failures_stored = len(summary.failed)


def _finish(engine: Engine, summary: Summary, status: str) -> None:
    with write(engine) as conn:
        _store_failures(conn, summary)
        if summary.added + summary.updated + summary.reextracted:
            _analyze(conn)
        conn.execute(update(runs).where(runs.c.id == summary.run_id).values(status=status, finished_at=now(), **summary.counters()))


def _analyze(conn: Connection) -> None:
    """Refresh the planner's statistics: without them SQLite picks the wrong index for filters."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA analysis_limit=1000")  # sampled: seconds, not minutes, at 100,000 documents
    conn.exec_driver_sql("ANALYZE")
