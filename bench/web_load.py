"""How many readers can ``hoptac serve`` take: requests/s and p50/p95/p99 latency by page kind under load.

    python bench/web_load.py [--corpus seeds|100k|both] [--duration 20] [--clients 50]
                             [--workers 1,2] [--mix cold,warm] [--http httpx|raw|raw-close] [--think MS] [--kinds ...]
    python bench/web_load.py --corpus 100k --prepare-only      # build the 100,000-article store once
    python bench/web_load.py --corpus 100k --profile 30        # where a request's time goes, in-process

Prepares a store:

- ``seeds``: the seed articles beside the project (``../shared/corpus/seeds``), ingested afresh
  into ``bench/out/web_load/seeds.db`` on every run (seconds);
- ``100k``: ``bench/store_scale.py``'s generated corpus (``extract_speed.build``, seed 7: the
  same 100,000 articles every time), ingested with ``store_scale.timed_ingest`` into
  ``bench/out/web_load/100k.db`` *once*: a marker file beside it (``100k.json``) records a
  finished ingest, and later runs reuse the store (``--rebuild`` to start over; 8-11 minutes
  on 2 cores, 3.3 GB). ``store_scale.py`` itself keeps nothing: it ingests into a temporary
  directory.

Then, for each corpus, four scenarios, in this order: ``hoptac serve --workers 1`` and
``--workers 2``, each under a *cold* and a *warm* request mix. Each scenario starts a fresh
server (a subprocess on a free loopback port, ready when it answers), and the load comes from
*another* process (this script with ``--client``): ``--clients`` closed-loop clients (asyncio;
one ``httpx.AsyncClient`` with keep-alive by default; no think time unless ``--think``; no
``If-None-Match``) that send requests for ``--duration`` seconds after a 3 s untimed warm-up
(whose last requests are waited for). Requests still running 5 s after the end are cut and
counted as errors with the time they had taken, so a scenario stays bounded even when the
server stalls. Each request is one of:

    search page        /search?q=...            (30%)
    search API         /api/v1/search?q=...     (15%)
    person page        /persons/{id}            (15%)
    organization page  /organizations/{id}      (15%)
    article page       /documents/{id}          (15%)
    API entity         /api/v1/persons/{id}     (10%)

Queries mix provinces (with and without accents), people's full names and surnames,
organization phrases ("sở khoa học và công nghệ", alone and with a province) and words such
as "ký kết"; ids are sampled from the store with ``sqlite3`` before the run. *Cold*: every
URL is distinct (each query and id requested once while the pools last; repeats are counted
and shown: the seed store has only a few people and articles), so nothing any cache keeps is
asked for again. *Warm*: a repeating Zipf-like mix (s = 1.1) over a few dozen queries and ids
per kind, as a site's popular pages; whatever the app caches answers most of it.

Prints, per scenario and kind: requests, errors (non-2xx, no answer, or cut), req/s, p50,
p95, p99 and max latency (ms, from sending to the last byte, as the client sees it), and the
CPU used during the timed window by each server process, by the load generator and by
anything else on the machine (from ``/proc``): when the server's processes are near 100% of a
core each, the server's CPU is the bound. With closed-loop clients latency is about clients /
throughput (Little's law), so p95 <= 100 ms at 50 back-to-back clients needs roughly 500+
req/s. Writes everything, with the commit measured, to ``bench/results/web_load.json`` (one
entry per corpus and set of options; later runs replace theirs).

The load generator shares the machine's cores with the server: httpx costs about 1-3 ms of
CPU a request, a core at ~650 req/s, so cached pages measure the client. ``--http raw`` (a
bare HTTP/1.1 keep-alive client, ~0.1 ms a request) measures the server; ``--http raw-close``
opens a connection per request. Keep-alive connections stay with the worker process that
accepted them, so with ``--workers 2`` the per-process CPU shows whether both did work.

``--profile N``: no server; each kind's N requests of the cold mix through
``fastapi.testclient.TestClient`` in this process, one at a time, timed (the service time of
a request with no contention), then the slowest kind (or each of ``--kinds``) again under
cProfile over every thread, with the top functions by own time and by cumulative time.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import hashlib
import importlib.util
import json
import math
import os
import random
import re
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
SEEDS = Path(__file__).resolve().parents[2] / "shared/corpus/seeds"
CACHE = HERE / "out" / "web_load"  # bench/out/ is in .gitignore
RESULTS = HERE / "results" / "web_load.json"
ARTICLES = 100_000

KINDS = [  # (kind, share of requests)
    ("search page", 0.30),
    ("search API", 0.15),
    ("person page", 0.15),
    ("organization page", 0.15),
    ("article page", 0.15),
    ("API entity", 0.10),
]
WARM_POOL = {"search page": 40, "search API": 40, "person page": 60, "organization page": 40, "article page": 60, "API entity": 60}
ZIPF_S = 1.1
PLAN_LENGTH = 120_000  # requests in a plan; more than any scenario sends
WARMUP_SECONDS = 3.0
STATUS = {0: "no answer", -1: "cut at the end"}
GRACE_SECONDS = 5.0  # how long requests still running at the end of a scenario may take


@functools.cache
def store_scale():
    """``bench/store_scale.py`` as a module (it is a script, not a package)."""
    name = "hoptac_bench_store_scale"
    spec = importlib.util.spec_from_file_location(name, HERE / "store_scale.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def phase(what: str) -> None:
    print(what, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------- the stores


def seeds_store() -> Path:
    from hoptac.store.db import connect
    from hoptac.store.ingest import ingest

    if not SEEDS.is_dir():
        sys.exit(f"no seed corpus at {SEEDS}")
    CACHE.mkdir(parents=True, exist_ok=True)
    db = CACHE / "seeds.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    phase(f"ingesting the seed articles ({SEEDS}) into {db}")
    engine = connect(str(db))
    try:
        summary = ingest(engine, [str(SEEDS)])
    finally:
        engine.dispose()
    phase(f"  {summary.added} documents added, {len(summary.failed)} failed")
    return db


def generated_store(rebuild: bool) -> Path:
    """The 100,000-article store, built once (generate, ingest) and reused while its marker says it is complete."""
    CACHE.mkdir(parents=True, exist_ok=True)
    db, marker = CACHE / "100k.db", CACHE / "100k.json"
    if not rebuild and db.exists() and marker.exists():
        info = json.loads(marker.read_text())
        phase(f"reusing {db} ({info['counts']['documents']:,} documents, ingested {info['finished']})")
        return db
    marker.unlink(missing_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    scale = store_scale()
    from hoptac.extract.pipeline import extractor_version
    from hoptac.store.db import connect

    with tempfile.TemporaryDirectory(prefix="hoptac-web-load-") as tmp:
        articles = Path(tmp)
        phase(f"generating {ARTICLES:,} articles (store_scale's generator, seed 7)")
        size = scale.generator.build(articles, ARTICLES)
        phase(f"ingesting into {db} (once; later runs reuse it)")
        engine = connect(str(db))
        try:
            jobs = min(os.cpu_count() or 1, 4)
            result = scale.timed_ingest(engine, articles, jobs, extractor_version(), ARTICLES)
            counts = scale.counts(engine)
        finally:
            engine.dispose()
    s = result["summary"]
    if s.added != ARTICLES or s.failed:
        sys.exit(f"the ingest added {s.added:,} of {ARTICLES:,} articles ({len(s.failed)} failed); not marking {db} complete")
    marker.write_text(json.dumps({"articles": ARTICLES, "corpus_mb": round(size / 1e6, 1), "ingest_seconds": round(result["seconds"], 1),
                                  "counts": counts, "finished": time.strftime("%Y-%m-%d %H:%M:%S")}, indent=1))
    phase(f"  ingested in {result['seconds']:,.0f} s: {counts}")
    return db


def sample_ids(db: Path, limit: int = 50_000, seed: int = 11) -> dict[str, list[int]]:
    """Ids to request, read with sqlite3 directly: documents, and people and organizations not merged away."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        out = {
            "document": [r[0] for r in conn.execute("SELECT id FROM documents")],
            "person": [r[0] for r in conn.execute("SELECT id FROM entities WHERE kind = 'person' AND merged_into IS NULL")],
            "organization": [r[0] for r in conn.execute("SELECT id FROM entities WHERE kind = 'organization' AND merged_into IS NULL")],
        }
    finally:
        conn.close()
    rng = random.Random(seed)
    for kind, ids in out.items():
        if not ids:
            sys.exit(f"{db} holds no {kind}")
        rng.shuffle(ids)
        del ids[limit:]
    return out


# ---------------------------------------------------------------------------- what clients ask for


def query_pool(seed: int = 5) -> list[str]:
    """Distinct search queries in a realistic order, each with and without accents.

    Drawn by category: provinces 20%, people's full names 25%, surnames (alone or with a given
    name) 10%, organization phrases (alone or with a province) 25%, words such as "ký kết" (alone
    or with a province) 20%; a category that runs out stops being drawn.
    """
    scale = store_scale()
    from hoptac.extract import gazetteer
    from hoptac.text.fold import fold

    g = scale.generator
    rng = random.Random(seed)
    provinces = sorted(gazetteer.provinces())
    organizations = ["sở khoa học và công nghệ", "Sở Khoa học và Công nghệ", "ủy ban nhân dân", "Trường Đại học", "viện hàn lâm",
                     "hội nông dân", "đại học bách khoa"] + scale.ORGANIZATION_PHRASES
    verbs = ["ký kết", "hợp tác", "thỏa thuận hợp tác", "biên bản ghi nhớ", "chuyển giao công nghệ", "đổi mới sáng tạo"]
    categories = [
        (0.20, provinces),
        (0.25, [f"{s} {m} {n}" for s in g.SURNAMES for m in g.MIDDLE for n in g.GIVEN]),
        (0.10, g.SURNAMES + [f"{s} {n}" for s in g.SURNAMES for n in g.GIVEN]),
        (0.25, organizations + [f"{o} {p}" for o in organizations[:7] for p in provinces]),
        (0.20, verbs + [f"{v} {p}" for v in verbs for p in provinces]),
    ]
    pools = []
    for _, queries in categories:
        both = list(dict.fromkeys(q for query in queries for q in (query, fold(query))))
        rng.shuffle(both)
        pools.append(both)
    out, seen = [], set()
    while any(pools):
        live = [i for i, pool in enumerate(pools) if pool]
        pool = pools[rng.choices(live, weights=[categories[i][0] for i in live])[0]]
        if (q := pool.pop()) not in seen:
            seen.add(q)
            out.append(q)
    return out


def paths(kind: str, queries: list[str], ids: dict[str, list[int]]) -> list[str]:
    match kind:
        case "search page":
            return [f"/search?q={quote(q)}" for q in queries]
        case "search API":
            return [f"/api/v1/search?q={quote(q)}" for q in queries]
        case "person page":
            return [f"/persons/{i}" for i in ids["person"]]
        case "organization page":
            return [f"/organizations/{i}" for i in ids["organization"]]
        case "article page":
            return [f"/documents/{i}" for i in ids["document"]]
        case "API entity":
            return [f"/api/v1/persons/{i}" for i in ids["person"]]
    raise ValueError(kind)


def plans(ids: dict[str, list[int]], seed: int = 3, kinds: set[str] | None = None) -> dict[str, dict]:
    """The cold, warm and warm-up request sequences: [(kind index, path)], plus how many distinct paths each kind has."""
    queries = query_pool()
    # separate queries for the page and the API, and people for the page and the API entity, so that cold stays cold
    pools = {"search page": paths("search page", queries[0::2], ids), "search API": paths("search API", queries[1::2], ids),
             "person page": paths("person page", [], {"person": ids["person"][0::2]}),
             "API entity": paths("API entity", [], {"person": ids["person"][1::2] or ids["person"]}),
             "organization page": paths("organization page", [], ids), "article page": paths("article page", [], ids)}
    names = [k for k, _ in KINDS]
    rng = random.Random(seed)
    sequence = rng.choices(range(len(KINDS)), weights=[w if kinds is None or k in kinds else 0 for k, w in KINDS], k=PLAN_LENGTH)
    warmup = [(k, pools[name][-1 - (j % max(1, len(pools[name]) // 10))]) for j, k in enumerate(sequence[:2000]) for name in [names[k]]]
    used = dict.fromkeys(names, 0)
    cold = []
    for k in sequence:
        pool = pools[names[k]]
        cold.append((k, pool[used[names[k]] % len(pool)]))
        used[names[k]] += 1
    hot = {name: pool[:WARM_POOL[name]] for name, pool in pools.items()}
    zipf = {name: [1 / (r + 1) ** ZIPF_S for r in range(len(pool))] for name, pool in hot.items()}
    warm = [(k, rng.choices(hot[names[k]], weights=zipf[names[k]])[0]) for k in sequence]
    return {"cold": {"requests": cold, "distinct": {n: len(p) for n, p in pools.items()}},
            "warm": {"requests": warm, "distinct": {n: len(p) for n, p in hot.items()}},
            "warmup": {"requests": warmup}}


# ---------------------------------------------------------------------------- CPU, from /proc

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2:].split()  # fields from the 3rd (state) on


def tree_cpu(root: int) -> dict[int, float]:
    """CPU seconds (user + system) used so far by ``root`` and each of its descendants alive now."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))):
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    out, todo = {}, [root]
    while todo:
        pid = todo.pop()
        if fields := _stat(pid):
            out[pid] = (int(fields[11]) + int(fields[12])) / TICK
        todo += children.get(pid, [])
    return out


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except OSError:
        return 0.0, 0.0
    idle = values[3] + values[4]
    return (sum(values) - idle) / TICK, sum(values) / TICK


# ---------------------------------------------------------------------------- the load generator (its own process)


def percentile(ordered: list[float], p: float) -> float:
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))] if ordered else float("nan")


def summary(ms: list[float], errors: int, seconds: float) -> dict:
    ordered = sorted(ms)
    return {"requests": len(ms), "errors": errors, "rps": len(ms) / seconds if seconds else 0.0,
            "p50": percentile(ordered, 50), "p95": percentile(ordered, 95), "p99": percentile(ordered, 99),
            "max": ordered[-1] if ordered else float("nan"), "mean": statistics.fmean(ordered) if ordered else float("nan")}


class RawClient:
    """A bare HTTP/1.1 keep-alive GET over asyncio streams, one connection per closed-loop client.

    The alternative to httpx: the same requests for a fraction of the load generator's CPU, which
    on a 2-core machine is CPU taken from the server.
    """

    def __init__(self, base: str, close: bool = False) -> None:
        self.close_each = close  # a new connection for every request, as clients without keep-alive
        host, _, port = base.removeprefix("http://").partition(":")
        self.host, self.port = host, int(port or 80)
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> int:
        for attempt in (0, 1):  # a kept-alive connection the server closed meanwhile: reconnect once
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            try:
                connection = "Connection: close\r\n" if self.close_each else ""
                self.writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nAccept: */*\r\n{connection}\r\n".encode("ascii"))
                head = await self.reader.readuntil(b"\r\n\r\n")
                break
            except (ConnectionError, asyncio.IncompleteReadError):
                await self.close()
                if attempt:
                    raise
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
        if "content-length" in headers:
            await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            while size := int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16):
                await self.reader.readexactly(size + 2)
            await self.reader.readuntil(b"\r\n")
        if self.close_each or headers.get("connection", "").lower() == "close":
            await self.close()
        return status

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(Exception):
                await self.writer.wait_closed()
        self.reader = self.writer = None


async def drive(base: str, plan: list, clients: int, seconds: float, record: bool, http: str = "httpx", think: float = 0.0,
                grace: float = GRACE_SECONDS):
    """``clients`` closed-loop clients taking the plan's next request until ``seconds`` have passed.

    Requests still running ``grace`` seconds after that are cut: recorded with status -1 and
    the time they had taken so far (a lower bound), so that the scenario stays bounded in time
    and a server that has stalled still shows in the percentiles.
    """
    import httpx

    position = 0
    results: list[tuple[int, float, int]] = []  # (kind index, ms, status; 0: no answer, -1: cut)
    running: dict[int, tuple[int, float]] = {}  # client -> (kind index, start) of its request in flight
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=httpx.Timeout(60.0)) as client:
        deadline = time.perf_counter() + seconds

        async def one_client(me: int) -> None:
            nonlocal position
            raw = RawClient(base, close=http == "raw-close") if http.startswith("raw") else None
            pause = random.Random(me)
            if think:  # clients that think are spread out from the start, not a burst of all of them at once
                await asyncio.sleep(min(pause.expovariate(1000 / think), seconds))
            try:
                while time.perf_counter() < deadline:
                    kind, path = plan[position % len(plan)]
                    position += 1
                    start = time.perf_counter()
                    running[me] = (kind, start)
                    try:
                        if raw:
                            status = await asyncio.wait_for(raw.get(path), 60.0)
                        else:
                            status = (await client.get(path)).status_code
                    except (TimeoutError, httpx.HTTPError, OSError, asyncio.IncompleteReadError, ValueError):
                        status = 0
                        if raw:
                            await raw.close()
                    del running[me]
                    if record:
                        results.append((kind, (time.perf_counter() - start) * 1000, status))
                    if think:  # but not past the end: the window would stretch while nobody asks anything
                        await asyncio.sleep(min(pause.expovariate(1000 / think), max(0.0, deadline - time.perf_counter())))
            finally:
                if raw:
                    await raw.close()

        started = time.perf_counter()
        tasks = [asyncio.create_task(one_client(i)) for i in range(clients)]
        _, late = await asyncio.wait(tasks, timeout=seconds + grace)
        stopped = time.perf_counter()
        if record:
            results += [(kind, (stopped - start) * 1000, -1) for kind, start in running.values()]
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)
        elapsed = (stopped if late else time.perf_counter()) - started
    return results, elapsed, position


def client_main(a: argparse.Namespace) -> None:
    """``--client``: warm up, then load the server for the duration; a JSON summary on stdout."""
    plan = json.loads(Path(a.plan).read_text())
    try:
        import uvloop
        uvloop.install()
    except ImportError:
        pass
    # the warm-up's last requests are waited for (not cut): the server would go on with them into the timed window
    asyncio.run(drive(a.base, plan["warmup"]["requests"], a.clients, WARMUP_SECONDS, record=False, http=a.http, think=a.think, grace=60))
    server0, self0, (busy0, total0) = tree_cpu(a.server_pid), time.process_time(), machine_cpu()
    results, elapsed, sent = asyncio.run(drive(a.base, plan["requests"], a.clients, a.duration, record=True, http=a.http, think=a.think))
    server1, self1, (busy1, total1) = tree_cpu(a.server_pid), time.process_time(), machine_cpu()
    names = [k for k, _ in KINDS]
    by_kind: dict[str, dict] = {}
    for name, mine in [(name, [r for r in results if r[0] == i]) for i, name in enumerate(names)] + [("all", results)]:
        by_kind[name] = summary([ms for _, ms, _ in mine], sum(1 for *_, s in mine if not 200 <= s < 300), elapsed)
        by_kind[name]["statuses"] = {STATUS.get(s, str(s)): n for s in sorted({s for *_, s in mine}) for n in [sum(1 for *_, x in mine if x == s)]}
    per_process = sorted(((t - server0.get(pid, 0.0)) / elapsed for pid, t in server1.items()), reverse=True)
    print(json.dumps({"seconds": elapsed, "sent": sent, "kinds": by_kind,
                      "cpu": {"server": sum(per_process), "server_processes": [round(x, 3) for x in per_process if x >= 0.005], "client": (self1 - self0) / elapsed,
                              "machine_busy": (busy1 - busy0) / max(1e-9, total1 - total0), "cores": os.cpu_count(),
                              # everything else the machine ran meanwhile (other users' jobs): server and client subtracted
                              "other": max(0.0, (busy1 - busy0) / elapsed - sum(per_process) - (self1 - self0) / elapsed)}}))


# ---------------------------------------------------------------------------- the server (its own process)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def server(db: Path, workers: int, log: Path):
    import httpx

    port = free_port()
    with open(log, "ab") as err:
        process = subprocess.Popen([sys.executable, "-m", "hoptac", "serve", "--db", str(db), "--port", str(port), "--workers", str(workers)],
                                   stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                sys.exit(f"hoptac serve exited with {process.returncode}; see {log}")
            try:
                if httpx.get(f"{base}/api/v1/persons?limit=1", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                sys.exit(f"hoptac serve did not answer within 90 s; see {log}")
            time.sleep(0.2)
        yield base, process.pid
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # its own session: only what this script started
            process.wait()


def scenario(db: Path, workers: int, mix: str, http: str, plan: dict, a: argparse.Namespace, log: Path) -> dict:
    phase(f"  --workers {workers}, {mix} mix, {http} clients: {a.clients} for {a.duration:g} s")
    code = code_version()
    with tempfile.NamedTemporaryFile("w", suffix=".json", prefix="hoptac-web-load-plan-", delete=False) as f:
        json.dump({"requests": plan[mix]["requests"], "warmup": plan["warmup"]}, f)
    try:
        with server(db, workers, log) as (base, pid):
            out = subprocess.run([sys.executable, __file__, "--client", "--plan", f.name, "--base", base, "--clients", str(a.clients),
                                  "--duration", str(a.duration), "--server-pid", str(pid), "--http", http, "--think", str(a.think)],
                                 check=False, capture_output=True, text=True, timeout=a.duration + WARMUP_SECONDS + GRACE_SECONDS + 180)
    finally:
        os.unlink(f.name)
    if out.returncode:
        sys.exit(f"the load generator failed:\n{out.stderr}")
    result = json.loads(out.stdout)
    result.update(code=code, workers=workers, mix=mix, http=http, clients=a.clients, think_ms=a.think, only=a.kinds, distinct=plan[mix]["distinct"])
    names = [k for k, _ in KINDS]
    for name in names:  # cold: how many requests of a kind had to repeat a URL (its pool ran out)
        result["kinds"][name]["repeated"] = max(0, result["kinds"][name]["requests"] - plan[mix]["distinct"][name]) if mix == "cold" else None
    return result


# ---------------------------------------------------------------------------- report


def ms(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def table(corpus: str, r: dict) -> str:
    cpu = r["cpu"]
    think = f" thinking {r['think_ms']:g} ms" if r.get("think_ms") else ""
    think += f" (only {r['only']})" if r.get("only") else ""
    head = (f"{corpus}, --workers {r['workers']}, {r['mix']}: {r['clients']} {r['http']} clients{think}, {r['seconds']:.1f} s; CPU (cores): "
            f"server {cpu['server']:.2f}{_split(cpu)}, load generator {cpu['client']:.2f}, anything else {cpu['other']:.2f}; "
            f"machine {cpu['machine_busy']:.0%} busy of {cpu['cores']}")
    lines = [head, f"  {'kind':<18} {'requests':>8} {'errors':>6} {'req/s':>7} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}  (ms)"]
    for name, k in r["kinds"].items():
        if not k["requests"] and name != "all":
            continue  # left out with --kinds
        note = ""
        if k.get("repeated"):
            note = f"  ({k['repeated']:,} repeats: {r['distinct'][name]:,} distinct)"
        if k["errors"]:
            note += "  statuses " + ", ".join(f"{s}: {n}" for s, n in k["statuses"].items())
        lines.append(f"  {name:<18} {k['requests']:>8,} {k['errors']:>6,} {k['rps']:>7.1f} {ms(k['p50']):>7} {ms(k['p95']):>7} {ms(k['p99']):>7} {ms(k['max']):>7}{note}")
    return "\n".join(lines)


def _split(cpu: dict) -> str:
    """How the server's CPU divides between its processes (uneven: keep-alive connections stuck to one worker)."""
    shares = cpu.get("server_processes") or []
    return f" ({' + '.join(f'{x:.2f}' for x in shares)})" if len(shares) > 1 else ""


def overview(results: dict) -> str:
    width = max(6, *(len(c) for c in results))
    lines = [f"{'corpus':<{width}} {'workers':>7} {'mix':<5} {'client':<9} {'req/s':>7} {'p50':>7} {'p95':>7} {'p99':>7}  {'server CPU':>10} {'client CPU':>10} {'other CPU':>9} {'machine':>7}  slowest kind by p95"]
    for corpus, entry in results.items():
        for r in entry["scenarios"]:
            a, cpu = r["kinds"]["all"], r["cpu"]
            slowest = max((n for n in r["kinds"] if n != "all" and r["kinds"][n]["requests"]), key=lambda n: r["kinds"][n]["p95"])
            lines.append(f"{corpus:<{width}} {r['workers']:>7} {r['mix']:<5} {r['http']:<9} {a['rps']:>7.1f} {ms(a['p50']):>7} {ms(a['p95']):>7} {ms(a['p99']):>7}  "
                         f"{cpu['server']:>10.2f} {cpu['client']:>10.2f} {cpu['other']:>9.2f} {cpu['machine_busy']:>7.0%}  {slowest} ({ms(r['kinds'][slowest]['p95'])} ms)")
    return "\n".join(lines)


def verdict(results: dict, target: float = 100.0) -> str:
    out = []
    for corpus, entry in results.items():
        for r in entry["scenarios"]:
            p95, cpu = r["kinds"]["all"]["p95"], r["cpu"]
            met = "meets" if p95 <= target else "misses"
            bound = ""
            if cpu["server"] >= 0.85 * min(r["workers"], cpu["cores"] or 1):
                bound = f"; the server is CPU-bound ({cpu['server']:.2f} cores for {r['workers']} process(es))"
            elif cpu["machine_busy"] >= 0.9:
                bound = f"; the machine is CPU-bound ({cpu['machine_busy']:.0%}: server {cpu['server']:.2f} + load generator {cpu['client']:.2f} cores)"
            rps, think = max(1e-9, r["kinds"]["all"]["rps"]), r.get("think_ms") or 0
            little = (f"Little: {r['clients']} / {rps:.0f} req/s" + (f" - {think:g} ms thinking" if think else "")
                      + f" = {r['clients'] / rps * 1000 - think:.0f} ms")
            out.append(f"{corpus}, --workers {r['workers']}, {r['mix']}, {r['http']}: p95 {ms(p95)} ms {met} the {target:.0f} ms target "
                       f"at {r['clients']} clients ({little}){bound}")
    return "\n".join(out)


def code_version() -> str:
    """The commit measured, and the files changed since (figures move with the code)."""
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=HERE.parent, capture_output=True, text=True, timeout=10, check=False).stdout
        except OSError:
            return ""
    changed = [line[3:] for line in git("status", "--porcelain", "--untracked-files=no", "--", "hoptac").splitlines()]
    digest = hashlib.blake2b(git("diff", "HEAD", "--", "hoptac").encode(), digest_size=4).hexdigest()
    return git("rev-parse", "--short", "HEAD").strip() + (f" + uncommitted changes to {', '.join(changed)} (diff {digest})" if changed else "")


def save(results: dict) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    old = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    old.update(results)
    RESULTS.write_text(json.dumps(old, indent=1, ensure_ascii=False))


# ---------------------------------------------------------------------------- profile (in-process)


def profile(db: Path, n: int, only: set[str] | None = None) -> None:

    from fastapi.testclient import TestClient

    from hoptac.web.app import create_app

    plan = plans(sample_ids(db))["cold"]["requests"]
    names = [k for k, _ in KINDS]
    by_kind = {name: [p for k, p in plan if names[k] == name][:n] for name in names}
    with TestClient(create_app(str(db))) as client:
        for name in names:  # warm templates, pools, the page cache, untimed
            for path in by_kind[name][-3:]:
                client.get(path)
        service: dict[str, list[float]] = {}
        for name, urls in by_kind.items():
            service[name] = []
            for path in urls:
                start = time.perf_counter()
                response = client.get(path)
                service[name].append((time.perf_counter() - start) * 1000)
                if response.status_code != 200:
                    phase(f"  {path}: {response.status_code}")
        print(f"\nservice time, one request at a time in-process (TestClient), {n} cold requests a kind, {db.name}")
        print(f"  {'kind':<18} {'mean':>7} {'p50':>7} {'p95':>7} {'max':>7}  (ms)   => at most req/s on one core")
        for name, values in service.items():
            o = sorted(values)
            print(f"  {name:<18} {ms(statistics.fmean(o)):>7} {ms(percentile(o, 50)):>7} {ms(percentile(o, 95)):>7} {ms(o[-1]):>7}"
                  f"          {1000 / statistics.fmean(o):,.0f}")
        mix = sum(w * statistics.fmean(service[name]) for name, w in KINDS)
        print(f"  the mix's weighted mean: {mix:.1f} ms => about {1000 / mix:,.0f} req/s a core, before the HTTP server's own cost")
    # The app runs on TestClient's event-loop thread and the endpoints on anyio's worker threads:
    # profile every thread started from here on, each with its own profiler, and merge them.
    for kind in sorted(only or {max(names, key=lambda k: statistics.fmean(service[k]))}, key=names.index):
        _profile_kind(db, kind, by_kind[kind])


def _profile_kind(db: Path, slowest: str, urls: list[str]) -> None:
    import cProfile
    import io
    import pstats

    from fastapi.testclient import TestClient

    from hoptac.web.app import create_app

    profilers: list[cProfile.Profile] = []

    def start_profiling(*_) -> None:
        profiler = cProfile.Profile()
        profilers.append(profiler)
        profiler.enable()  # replaces this hook in its thread

    threading.setprofile(start_profiling)
    try:
        with TestClient(create_app(str(db))) as client:
            for path in urls[-5:]:  # a new app builds its routes lazily: not what a request costs
                client.get(path)
            for profiler in profilers:  # their threads are idle here, blocked without the GIL
                profiler.clear()
            for path in urls:
                client.get(path)
    finally:
        threading.setprofile(None)
    stats = pstats.Stats(*profilers, stream=(stream := io.StringIO()))
    waits = r"(acquire|wait|_worker|get|select|run_forever|_run_once|run|poll|__call__)'? ?\)?$"  # threads waiting, not working
    for order in ("tottime", "cumulative"):
        stream.seek(0)
        stream.truncate()
        stats.sort_stats(order).print_stats(r"hoptac|sqlalchemy|jinja2|starlette|fastapi|pydantic|sqlite3|json|markupsafe|re\.|built-in", 30)
        print(f"\ncProfile, {len(urls)} {slowest} requests, every thread, by {order}:")
        print("\n".join(line for line in stream.getvalue().splitlines() if line.strip() and not re.search(waits, line)))


# ---------------------------------------------------------------------------- main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", choices=["seeds", "100k", "both"], default="both")
    ap.add_argument("--duration", type=float, default=20.0, help="timed seconds per scenario (after a 3 s warm-up)")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--workers", default="1,2", help="the --workers values to compare")
    ap.add_argument("--mix", default="cold,warm", help="cold, warm or both")
    ap.add_argument("--http", default="httpx",
                    help="the load generator's HTTP client(s) to compare: httpx (httpx.AsyncClient, keep-alive), raw (a bare "
                         "HTTP/1.1 keep-alive client that costs far less CPU), raw-close (the same, a new connection per request, "
                         "which spreads requests over --workers), or several, comma-separated")
    ap.add_argument("--think", type=float, default=0.0, metavar="MS",
                    help="each client's mean pause between requests (exponential; default 0: back to back, the worst case)")
    ap.add_argument("--kinds", help="only these kinds of request, comma-separated (their shares kept in proportion), "
                                    "e.g. to measure the rest without one slow page")
    ap.add_argument("--rebuild", action="store_true", help="build the 100k store again even if one is complete")
    ap.add_argument("--prepare-only", action="store_true", help="build the stores and stop")
    ap.add_argument("--profile", type=int, metavar="N", help="no load: N requests a kind in-process, timed, and the slowest kind under cProfile")
    ap.add_argument("--no-save", action="store_true", help=f"do not write {RESULTS.relative_to(HERE.parent)}")
    # the load generator's own mode
    ap.add_argument("--client", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--plan", help=argparse.SUPPRESS)
    ap.add_argument("--base", help=argparse.SUPPRESS)
    ap.add_argument("--server-pid", type=int, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.client:
        return client_main(a)

    corpora = ["seeds", "100k"] if a.corpus == "both" else [a.corpus]
    stores = {c: seeds_store() if c == "seeds" else generated_store(a.rebuild) for c in corpora}
    if a.prepare_only:
        return
    if a.profile:
        for db in stores.values():
            profile(db, a.profile, {k.strip() for k in a.kinds.split(",")} if a.kinds else None)
        return
    workers = [int(w) for w in a.workers.split(",")]
    kinds = {k.strip() for k in a.kinds.split(",")} if a.kinds else None
    if kinds and kinds - {k for k, _ in KINDS}:
        sys.exit(f"--kinds takes some of: {', '.join(k for k, _ in KINDS)}")
    mixes = [m for m in a.mix.split(",") if m]
    https = [h for h in a.http.split(",") if h]
    if set(mixes) - {"cold", "warm"} or set(https) - {"httpx", "raw", "raw-close"}:
        sys.exit("--mix takes cold and/or warm, --http httpx, raw and/or raw-close")
    results: dict[str, dict] = {}
    log = CACHE / "serve.log"
    for corpus, db in stores.items():
        phase(f"{corpus}: sampling ids and building the request plans")
        ids = sample_ids(db)
        plan = plans(ids, kinds=kinds)
        variant = ", ".join(x for x in (a.kinds and f"only {a.kinds}", a.http != "httpx" and f"--http {a.http}",
                                        a.think and f"--think {a.think:g}", a.clients != 50 and f"--clients {a.clients}") if x)
        entry = results[f"{corpus} ({variant})" if variant else corpus] = {"db": str(db), "ids": {k: len(v) for k, v in ids.items()}, "machine": f"{os.cpu_count()} cores, Python {sys.version.split()[0]}",
                                   "started": time.strftime("%Y-%m-%d %H:%M:%S"), "code": code_version(), "duration": a.duration,
                                   "clients": a.clients, "scenarios": []}
        for w in workers:
            for mix in mixes:
                for http in https:
                    r = scenario(db, w, mix, http, plan, a, log)
                    if r["code"] != entry["code"]:
                        phase(f"  warning: the code changed during the run (now {r['code']}); figures compare different versions")
                    entry["scenarios"].append(r)
                    print(table(corpus, r) + "\n", flush=True)
    print("overview (all kinds together; CPU in cores used during the timed window)")
    print(overview(results))
    print()
    print(verdict(results))
    if not a.no_save:
        save(results)
        print(f"\nwritten to {RESULTS}")


if __name__ == "__main__":
    main()
