"""How does the store hold up at scale: ingest rate, resolution cost, size on disk, search latency.

    python bench/store_scale.py [--articles 100000] [--db URL] [--jobs N] [--queries 200] [--reset]

Generates articles with ``extract_speed.build`` (provinces, people, dates varied) into a
temporary directory, then, in this process, runs ``hoptac ingest``'s path
(``hoptac.store.ingest.ingest``, extraction in worker processes as the CLI does) into a
fresh store: an SQLite file in the temporary directory, or ``--db`` (a file or a PostgreSQL
URL; it must be empty, or ``--reset`` empties it first, dropping PostgreSQL's ``public``
schema). Prints, as one table:

- generation time (not part of the ingest), then the end-to-end ingest rate and time, and
  inside it the time spent writing batches and resolving people and organizations;
- what the store holds (documents, facts, entities, links) and its size on disk;
- the parent's memory at several points of the ingest;
- search latency (p50/p95/max) over ~200 queries (provinces, people, organization phrases,
  with and without accents, some with a province filter), and the same queries as a naive
  case-insensitive substring scan of the documents' text, with how many queries found anything
  each way: what the folded full-text index buys;
- the re-run rate: ingesting the same directory again, where every document is skipped.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, func, or_, select, text
from sqlalchemy.exc import DBAPIError

from hoptac.extract import gazetteer
from hoptac.extract.pipeline import extractor_version
from hoptac.resolve.resolver import Resolver
from hoptac.store import ingest as ingest_module
from hoptac.store.db import connect, url_of
from hoptac.store.schema import (
    document_versions,
    documents,
    entities,
    facts,
    links,
    program_links,
    programs,
    search_index,
)
from hoptac.store.search import Filters, search
from hoptac.text.fold import fold
from hoptac.track import sync

HERE = Path(__file__).resolve().parent
SLOW = 10.0  # seconds: a query is stopped there, and its kind not timed again


def _generator():
    spec = importlib.util.spec_from_file_location("hoptac_bench_extract_speed", HERE / "extract_speed.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generator = _generator()

ORGANIZATION_PHRASES = [
    "so khoa hoc", "Sở Khoa học và Công nghệ", "khoa hoc va cong nghe can tho", "can tho", "Cần Thơ",
    "ky ket chuong trinh", "ký kết chương trình", "thoa thuan hop tac", "Thỏa thuận hợp tác", "dai hoc",
    "Trường Đại học", "vien han lam", "hoi nong dan", "doi moi sang tao", "chuyển đổi số", "nghi quyet 57",
    "so huu tri tue", "năng lượng nguyên tử", "khoi nghiep", "bach khoa", "bien ban ghi nho", "uy ban nhan dan",
]


# ---------------------------------------------------------------------------- timing helpers


class Stopwatch:
    """Total time spent inside a wrapped function."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.calls = 0

    def wrap(self, fn: Callable) -> Callable:
        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start
                self.calls += 1
        return timed


def rss_mb() -> float:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return peak_mb()


def peak_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / (1024 if sys.platform == "darwin" else 1)  # bytes on macOS, KiB elsewhere


def percentiles(ms: list[float]) -> str:
    if not ms:
        return "-"
    ordered = sorted(ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered):.1f} / p95 {p95:.1f} / max {ordered[-1]:.1f} ms"


# ---------------------------------------------------------------------------- the store


def open_store(db: str | None, directory: Path, reset: bool) -> Engine:
    db = db or str(directory / "bench.db")
    url = url_of(db)
    if reset:
        if url.startswith("sqlite"):
            for suffix in ("", "-wal", "-shm"):
                Path(url.split("///", 1)[1] + suffix).unlink(missing_ok=True)
        else:
            import psycopg

            with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://", 1), autocommit=True) as conn:
                conn.execute("DROP SCHEMA public CASCADE")
                conn.execute("CREATE SCHEMA public")
    engine = connect(db)
    with engine.connect() as conn:
        if conn.execute(select(func.count()).select_from(documents)).scalar_one():
            engine.dispose()
            sys.exit(f"{engine.url.render_as_string(hide_password=True)} already holds documents: use an empty store, or --reset")
    return engine


def store_size(engine: Engine) -> str:
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            size = conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
            return f"{size / 1e6:,.1f} MB (pg_database_size)"
    path = Path(engine.url.database)
    main, wal = path.stat().st_size, path.with_name(path.name + "-wal")
    wal_size = wal.stat().st_size if wal.exists() else 0
    return f"{(main + wal_size) / 1e6:,.1f} MB (file {main / 1e6:,.1f} + WAL {wal_size / 1e6:,.1f})"


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        def n(table, *where) -> int:
            return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()
        return {"documents": n(documents), "versions": n(document_versions), "facts": n(facts),
                "people": n(entities, entities.c.kind == "person"), "organizations": n(entities, entities.c.kind == "organization"),
                "links": n(links), "index rows": n(search_index), "programs": n(programs), "program links": n(program_links)}


# ---------------------------------------------------------------------------- ingest


def timed_ingest(engine: Engine, directory: Path, jobs: int | None, version: str, total: int) -> dict:
    """One ingest with resolution and batch writing timed, and the parent's memory sampled."""
    resolve, write, track = Stopwatch(), Stopwatch(), Stopwatch()
    original_resolve, original_write, original_track = Resolver.resolve, ingest_module._write_batch, ingest_module.track.refresh
    Resolver.resolve = resolve.wrap(original_resolve)
    ingest_module._write_batch = write.wrap(original_write)
    ingest_module.track.refresh = track.wrap(original_track)
    memory: list[tuple[int, float]] = []
    marks = [total // 10, total // 2]  # sample the memory when these many documents are done
    step, shown = max(1, total // 20), [0]
    start = time.perf_counter()

    def on_batch(summary) -> None:
        done = summary.seen
        while marks and done >= marks[0]:
            marks.pop(0)
            if not memory or memory[-1][0] != done:
                memory.append((done, rss_mb()))
        if done - shown[0] >= step:
            shown[0] = done
            print(f"  ... {done:,}/{total:,} documents, {time.perf_counter() - start:,.0f} s", file=sys.stderr, flush=True)

    try:
        summary = ingest_module.ingest(engine, [str(directory)], jobs=jobs, version=version, on_batch=on_batch)
    finally:
        Resolver.resolve, ingest_module._write_batch, ingest_module.track.refresh = original_resolve, original_write, original_track
    seconds = time.perf_counter() - start
    if not memory or memory[-1][0] != summary.seen:
        memory.append((summary.seen, rss_mb()))
    return {"summary": summary, "seconds": seconds, "resolve": resolve, "write": write, "track": track, "memory": memory}


# ---------------------------------------------------------------------------- search


def queries(count: int, seed: int = 5) -> list[tuple[str, str | None]]:
    """(query, province filter) pairs: provinces, people, organization phrases; accented and folded."""
    rng = random.Random(seed)
    provinces = sorted(gazetteer.provinces())
    people = [f"{rng.choice(generator.SURNAMES)} {rng.choice(generator.MIDDLE)} {rng.choice(generator.GIVEN)}" for _ in range(count)]

    def either(q: str) -> str:
        return q if rng.random() < 0.5 else fold(q)

    out: list[tuple[str, str | None]] = []
    for i in range(count):
        match i % 5:
            case 0:
                out.append((either(rng.choice(provinces)), None))
            case 1 | 2:
                out.append((either(people[i]), None))
            case 3:
                out.append((either(rng.choice(ORGANIZATION_PHRASES)), None))
            case 4:  # a filter: organization phrases or people, in one province
                q = rng.choice(ORGANIZATION_PHRASES) if rng.random() < 0.7 else people[i]
                out.append((either(q), either(rng.choice(provinces))))
    return out


def naive(conn, q: str, province: str | None, limit: int = 20) -> list[int]:
    """The store without its index: a case-insensitive substring scan of the text (accents must match)."""
    stmt = select(documents.c.id, documents.c.title, documents.c.text)
    if q:
        stmt = stmt.where(documents.c.text.ilike(f"%{q}%"))
    if province:
        name = gazetteer.province_lookup(province).name
        in_province = select(facts.c.document_id).where(facts.c.kind == "organization", or_(facts.c.province == name, facts.c.province_now == name))
        stmt = stmt.where(documents.c.id.in_(in_province))
    return [row.id for row in conn.execute(stmt.order_by(documents.c.id).limit(limit))]


def fts(conn, q: str, province: str | None) -> list:
    return search(conn, q, Filters(province=province), limit=20)


@dataclass
class Latency:
    ms: dict[str, list[float]] = field(default_factory=lambda: {"all": [], "no filter": [], "province filter": []})
    found: int = 0
    # kind -> (the slow query's seconds, whether it was stopped there, how many queries of the kind were left out)
    given_up: dict[str, tuple[float, bool, int]] = field(default_factory=dict)

    def line(self, kind: str, total: int) -> str:
        out = percentiles(self.ms[kind])
        if kind in self.given_up:
            seconds, stopped, left = self.given_up[kind]
            took = f"was stopped after {seconds:,.1f} s" if stopped else f"took {seconds:,.1f} s"
            out += f" over {total - left} queries: one {took}, the other {left} not run"
        return out


def time_queries(engine: Engine, pairs: list[tuple[str, str | None]], run: Callable) -> Latency:
    """Milliseconds per query, all and by kind (with or without a filter), and how many found something.

    A query is stopped after SLOW seconds, and its kind is not run again: one pathological
    plan should show in the figures, not keep the benchmark running for hours at large sizes.
    """
    result = Latency()
    with engine.connect() as conn:
        deadline = _deadline(conn)
        run(conn, *pairs[0])  # warm the connection and the caches, untimed
        for q, province in pairs:
            kind = "province filter" if province else "no filter"
            if kind in result.given_up:
                seconds, stopped, left = result.given_up[kind]
                result.given_up[kind] = (seconds, stopped, left + 1)
                continue
            start = time.perf_counter()
            deadline[0] = start + SLOW
            try:
                hits, stopped = run(conn, q, province), False
            except DBAPIError:  # stopped by the deadline
                conn.rollback()
                hits, stopped = [], True
            elapsed = time.perf_counter() - start
            result.ms["all"].append(elapsed * 1000)
            result.ms[kind].append(elapsed * 1000)
            result.found += bool(hits)
            if stopped or elapsed > SLOW:
                result.given_up[kind] = (elapsed, stopped, 0)
    return result


def _deadline(conn) -> list[float]:
    """Make the connection stop any statement running past ``deadline[0]`` (SQLite) or SLOW seconds (PostgreSQL)."""
    deadline = [float("inf")]
    if conn.dialect.name == "sqlite":
        conn.connection.driver_connection.set_progress_handler(lambda: time.perf_counter() > deadline[0], 10_000)
    elif conn.dialect.name == "postgresql":
        conn.execute(text(f"SET statement_timeout = {int(SLOW * 1000)}"))
        conn.commit()
    return deadline


# ---------------------------------------------------------------------------- main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=100_000)
    ap.add_argument("--db", help="a file path or PostgreSQL URL (default: an SQLite file in the temporary directory)")
    ap.add_argument("--jobs", type=int, default=None, help="extraction processes (default: as `hoptac ingest`, the cores, at most 4)")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--reset", action="store_true", help="empty the --db store first (PostgreSQL: drops the public schema)")
    a = ap.parse_args()
    cores = os.cpu_count() or 1
    jobs = a.jobs or min(cores, 4)
    version = extractor_version()  # fixed once, so that the re-run skips even if the sources change meanwhile
    table: list[tuple[str, str]] = []

    def row(label: str, value: str) -> None:
        table.append((label, value))

    def phase(what: str) -> None:
        print(what, file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="hoptac-store-bench-") as tmp:
        articles = Path(tmp) / "articles"
        articles.mkdir()
        phase(f"generating {a.articles:,} articles")
        start = time.perf_counter()
        size = generator.build(articles, a.articles)
        row("machine", f"{cores} cores; {jobs} extraction processes; Python {sys.version.split()[0]}")
        row("corpus", f"{a.articles:,} articles, {size / 1e6:,.1f} MB, generated in {time.perf_counter() - start:,.1f} s (not timed below)")

        engine = open_store(a.db, Path(tmp), a.reset)
        row("store", f"{engine.dialect.name} {engine.url.render_as_string(hide_password=True)}")
        try:
            phase("ingesting")
            first = timed_ingest(engine, articles, jobs, version, a.articles)
            s, seconds = first["summary"], first["seconds"]
            row("ingest, end to end", f"{s.seen / seconds:,.0f} articles/s ({seconds:,.1f} s; {s.added:,} added, {len(s.failed)} failed)")
            write, resolve = first["write"], first["resolve"]
            row("  writing batches", f"{write.seconds:,.1f} s ({write.seconds / seconds:.0%} of the ingest, {write.calls} batches, "
                                     f"{write.seconds / max(1, write.calls) * 1000:,.0f} ms each)")
            row("  of which resolution", f"{resolve.seconds:,.1f} s ({resolve.seconds / seconds:.0%}; "
                                         f"{resolve.seconds / max(1, resolve.calls) * 1000:.2f} ms a document)")
            track = first["track"]
            row("  of which program tracking", f"{track.seconds:,.1f} s ({track.seconds / seconds:.0%}; grouping agreements into "
                                               f"programs and attaching follow-ups, hoptac.track.sync)")
            row("  parent memory (RSS)", ", ".join(f"{mb:,.0f} MB after {n:,}" for n, mb in first["memory"]) + f"; peak {max(peak_mb(), *(mb for _, mb in first['memory'])):,.0f} MB")
            c = counts(engine)
            row("stored", f"{c['documents']:,} documents ({c['versions']:,} versions), {c['facts']:,} facts, {c['links']:,} links")
            row("entities", f"{c['people']:,} people, {c['organizations']:,} organizations; {c['index rows']:,} search index rows")
            row("size on disk", store_size(engine))
            row("programs", f"{c['programs']:,} programs, {c['program links']:,} articles attached")
            start = time.perf_counter()
            with engine.begin() as conn:
                sync.refresh(conn)
            row("  full rebuild (hoptac programs refresh)", f"{time.perf_counter() - start:,.1f} s")

            phase(f"searching ({a.queries} queries, twice)")
            pairs = queries(a.queries)
            filtered = sum(1 for _, p in pairs if p)
            for label, run in (("search (hoptac.store.search)", fts), ("naive ILIKE '%q%' scan", naive)):
                latency = time_queries(engine, pairs, run)
                timed = len(latency.ms["all"])
                row(label, f"{percentiles(latency.ms['all'])}; found something for {latency.found}/{timed}")
                row("  without filter", latency.line("no filter", len(pairs) - filtered))
                row(f"  with --province ({filtered})", latency.line("province filter", filtered))
                if run is fts:
                    analyzed_row = len(table)  # filled in at the end, once the store has statistics

            phase("ingesting again")
            again = timed_ingest(engine, articles, jobs, version, a.articles)
            s2, seconds2 = again["summary"], again["seconds"]
            row("re-run (all skipped)", f"{s2.seen / seconds2:,.0f} documents/s ({seconds2:,.1f} s; {s2.skipped:,} skipped, "
                                        f"{s2.added + s2.updated + s2.reextracted} written)")
            row("size on disk after re-run", store_size(engine))

            # Diagnostic: the same filtered searches once the database has statistics to plan with
            # (hoptac never runs ANALYZE itself; PostgreSQL's autovacuum does, sooner or later).
            phase("searching with a province filter after ANALYZE")
            with engine.begin() as conn:
                conn.execute(text("ANALYZE"))
            latency = time_queries(engine, [pair for pair in pairs if pair[1]], fts)
            table.insert(analyzed_row, ("  with --province, after ANALYZE", latency.line("province filter", filtered)))
        finally:
            engine.dispose()

    width = max(len(label) for label, _ in table)
    print()
    print(f"{'':{width}}  hoptac store at {a.articles:,} articles")
    print(f"{'-' * width}  {'-' * 40}")
    for label, value in table:
        print(f"{label:{width}}  {value}")


if __name__ == "__main__":
    main()
