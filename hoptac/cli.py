"""hoptac's command line: the only entry point."""
from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from urllib.parse import urlsplit

import click
from rich.console import Console
from rich.markup import escape as _esc  # every value from articles or users: '[/]' in a title is text
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from hoptac import __version__
from hoptac.extract.pipeline import extract
from hoptac.records import Record
from hoptac.text.decode import DecodeError
from hoptac.text.reader import MAX_BYTES, Failure, expand, read_inputs

PROGRESS_AFTER = 5  # files; fewer finish before a bar would be worth drawing


@click.group()
@click.version_option(__version__, prog_name="hoptac")
def main() -> None:
    """hoptac: a registry of Vietnam's S&T cooperation programs, read from the news."""


max_size_option = click.option("--max-size", "max_size", type=click.IntRange(1), default=MAX_BYTES, show_default=True, envvar="HOPTAC_MAX_SIZE",
                               metavar="BYTES", help="A document larger than this fails with the reason, and the batch goes on.")


@main.command("extract")
@click.argument("paths", nargs=-1, required=True)
@max_size_option
@click.option("--format", "fmt", type=click.Choice(["jsonl", "json", "table"]), default="jsonl", show_default=True,
              help="jsonl: one record per line (the extraction contract); json: one array; table: a summary to read.")
def extract_command(paths: tuple[str, ...], fmt: str, max_size: int) -> None:
    """Extract records from articles: text or HTML files, directories, JSON Lines dumps, or - for stdin."""
    err = Console(stderr=True)
    failures = 0
    writer = {"jsonl": _JsonLines, "json": _JsonArray, "table": _Tables}[fmt]()
    for item in _with_progress(paths, err, max_size):
        if isinstance(item, Failure):
            failures += _report(err, item.name, item.reason)
            continue
        try:
            record = extract(item)
        except DecodeError as e:
            failures += _report(err, item.name, str(e))
            continue
        writer.write(record)
    writer.close()
    if failures:
        err.print(f"[bold red]{failures} document(s) could not be read[/]")
        sys.exit(1)


def _report(err: Console, name: str, reason: str) -> int:
    err.print(f"[red]hoptac: {_esc(name)}: {_esc(reason)}[/]", highlight=False)
    return 1


def _with_progress(paths: tuple[str, ...], err: Console, max_size: int) -> Iterator:
    if not err.is_terminal:
        yield from read_inputs(paths, max_size)
        return
    files = list(expand(paths))
    if len(files) <= PROGRESS_AFTER:
        yield from read_inputs(paths, max_size)
        return
    columns = (TextColumn("extracting"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("extract", total=len(files))
        for f in files:
            yield from read_inputs([str(f)], max_size)
            progress.advance(task)


class _JsonLines:
    def write(self, record: Record) -> None:
        sys.stdout.write(json.dumps(record.to_dict(), ensure_ascii=False) + "\n")

    def close(self) -> None:
        sys.stdout.flush()


class _JsonArray:
    """A JSON array written as records arrive, so memory stays flat on any corpus."""

    def __init__(self) -> None:
        self.count = 0

    def write(self, record: Record) -> None:
        sys.stdout.write(("[\n" if self.count == 0 else ",\n") + json.dumps(record.to_dict(), ensure_ascii=False, indent=1))
        self.count += 1

    def close(self) -> None:
        sys.stdout.write("[]\n" if self.count == 0 else "\n]\n")
        sys.stdout.flush()


class _Tables:
    def __init__(self) -> None:
        self.out = Console()

    def write(self, r: Record) -> None:
        table = Table(title=_esc(r.title or r.doc), title_justify="left", show_header=False, expand=True)
        table.add_column("field", style="bold cyan", no_wrap=True)
        table.add_column("value")
        table.add_row("document", _esc(r.doc + (f"  ({r.url})" if r.url else "")))
        table.add_row("published", _esc(" · ".join(x for x in (r.published_at, r.source, f"{r.views} lượt xem" if r.views else None) if x) or "—"))
        for e in r.events:
            table.add_row("event", _esc(f"{e.type}  {e.date or '?'}" + (f"  {e.part_of_day}" if e.part_of_day else "") + (f"  tại {e.location}" if e.location else "")))
        for a in r.agreements:
            period = f"{a.period.start}–{a.period.end}" if a.period else "?"
            more = f", đến {a.orientation_to}" if a.orientation_to else ""
            points = f", {a.content_items} nội dung" if a.content_items else ""
            table.add_row("agreement", f"[bold]{a.kind}[/] {_esc(a.title or '')}\n  {_esc(' ⇄ '.join(a.parties) or '?')}  · ký {a.signed_on or '?'} · {period}{more}{points}")
        for p in r.persons:
            titles = "; ".join(("nguyên " if x.former else "") + x.title for x in p.positions)
            table.add_row("person", f"{_esc(p.honorific + ' ') if p.honorific else ''}[bold]{_esc(p.name)}[/] — {_esc(titles or '—')}")
        for o in r.organizations:
            table.add_row("organization", f"{_esc(o.name)} [dim]({o.kind}{', ' + o.province if o.province else ''})[/]")
        for ref in r.legal_refs:
            table.add_row("legal", _esc(f"{ref.kind} {ref.number}" + (f" — {ref.issuer}" if ref.issuer else "") + (f", {ref.date}" if ref.date else "")))
        for c in r.commitments:
            table.add_row("commitment", _esc(f"{c.kind}" + (f" — {c.actor}" if c.actor else "")))
        self.out.print(table)

    def close(self) -> None:
        pass


# ---------------------------------------------------------------------------- the store

db_option = click.option("--db", envvar="HOPTAC_DB", default=None, metavar="URL",
                         help="Database: a file path or URL (postgresql://user@host/name). Default: hoptac.db here, or $HOPTAC_DB.")
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
settings_option = click.option("--settings", envvar="HOPTAC_MONITOR_SETTINGS", default=None, metavar="FILE",
                               help="The monitor's rules (TOML; see hoptac/data/monitor.toml). Default: the built-in rules.")
as_of_option = click.option("--as-of", "as_of", default=None, metavar="YYYY-MM-DD",
                            help="Judge as of this day: only what was known then counts. Default: today.")


def _open(db: str | None):
    from hoptac.store.db import StoreError, connect

    try:
        return connect(db)
    except StoreError as e:
        raise click.ClickException(str(e)) from e


def _write(db: str | None):
    """A write transaction on the store (see ``hoptac.store.db.write``)."""
    from hoptac.store.db import write

    return write(_open(db))


def _print_json(data) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=1, default=str) + "\n")


@main.command("ingest")
@click.argument("paths", nargs=-1, required=True)
@db_option
@click.option("--jobs", type=click.IntRange(1, 64), default=None, help="Extraction processes (default: the cores, at most 4).")
@max_size_option
@json_option
def ingest_command(paths: tuple[str, ...], db: str | None, jobs: int | None, max_size: int, as_json: bool) -> None:
    """Read, extract and store articles; re-running adds only what is new or changed."""
    from hoptac.store.ingest import ingest

    engine = _open(db)
    err = Console(stderr=True)
    total = sum(1 for _ in expand(paths)) if err.is_terminal else None
    columns = (TextColumn("ingesting"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[counts]}"), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as progress:
        task = progress.add_task("ingest", total=total, counts="")

        def on_progress(s) -> None:
            progress.update(task, completed=s.seen, counts=f"+{s.added} ~{s.updated} ↻{s.reextracted} ={s.skipped} ✗{len(s.failed)}")

        def on_batch(s) -> None:
            # Off a terminal, one line per committed batch: logs show how far a run got.
            if not err.is_terminal:
                click.echo(f"committed: {s.added} added, {s.updated} updated, {s.reextracted} re-extracted, {s.skipped} skipped, {len(s.failed)} failed", err=True)

        summary = ingest(engine, paths, jobs=jobs, progress=on_progress if err.is_terminal else None, on_batch=on_batch, max_bytes=max_size)
    result = {"run": summary.run_id, "extractor_version": summary.extractor_version, "added": summary.added, "updated": summary.updated,
              "reextracted": summary.reextracted, "skipped": summary.skipped,
              "failed": [{"name": n, "reason": r} for n, r in summary.failed], "orphaned_corrections": summary.orphaned,
              "warnings": [{"name": n, "warning": w} for n, w in summary.warnings]}
    if as_json:
        _print_json(result)
    else:
        out = Console(soft_wrap=True)
        out.print(f"run {summary.run_id} (extractor {summary.extractor_version}): [green]{summary.added} added[/], "
                  f"{summary.updated} updated, {summary.reextracted} re-extracted, {summary.skipped} skipped, "
                  f"[{'red' if summary.failed else 'green'}]{len(summary.failed)} failed[/]")
        for name, reason in summary.failed:
            out.print(f"  [red]failed[/] {_esc(name)}: {_esc(reason)}", highlight=False)
        for name, warning in summary.warnings:
            out.print(f"  [yellow]stored with a warning[/] {_esc(name)}: {_esc(warning)}", highlight=False)
        if summary.orphaned:
            out.print(f"[yellow]{len(summary.orphaned)} correction(s) lost their target[/]: see `hoptac corrections --status orphaned`")
    if summary.failed:
        sys.exit(1)


@main.command("search")
@click.argument("query", default="")
@db_option
@click.option("--province", help="Documents about organizations in this province (before or after the 2025 merger).")
@click.option("--org", "organization", help="Documents mentioning this organization (id or name).")
@click.option("--person", help="Documents mentioning this person (id or name).")
@click.option("--event-type", type=click.Choice(["signing", "working_visit", "review", "conference", "other"]))
@click.option("--from", "date_from", metavar="YYYY-MM-DD", help="Published (or reporting an event) on or after.")
@click.option("--to", "date_to", metavar="YYYY-MM-DD", help="Published (or reporting an event) on or before.")
@click.option("--type", "kinds", multiple=True, type=click.Choice(["document", "person", "organization"]), help="Only these kinds of result.")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@json_option
def search_command(query: str, db: str | None, kinds: tuple[str, ...], limit: int, as_json: bool, **filters) -> None:
    """Search articles, people and organizations; accents and case do not matter."""
    from hoptac.store.search import Filters, SearchError, search

    for name in ("date_from", "date_to"):
        if filters[name]:
            _check_date(filters[name])
    engine = _open(db)
    try:
        with engine.connect() as conn:
            hits = search(conn, query, Filters(**filters), kinds=kinds or None, limit=limit)
    except SearchError as e:
        raise click.ClickException(str(e)) from e
    if as_json:
        _print_json({"query": query, "filters": {k: v for k, v in filters.items() if v}, "results": [h.to_dict() for h in hits]})
        return
    table = Table(show_header=True, expand=True)
    for column in ("kind", "id", "title", "date"):
        table.add_column(column, no_wrap=column != "title")
    for h in hits:
        table.add_row(h.kind, str(h.id), f"[bold]{_esc(h.title)}[/]\n[dim]{_esc(h.snippet)}[/]", h.date or "")
    Console().print(table if hits else "no results")


def _check_date(value: str) -> None:
    from datetime import date

    try:
        date.fromisoformat(value)
    except ValueError as e:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from e


@main.command("show")
@click.argument("kind", type=click.Choice(["person", "org", "agreement", "document"]))
@click.argument("ident", type=int, metavar="ID")
@db_option
@json_option
def show_command(kind: str, ident: int, db: str | None, as_json: bool) -> None:
    """Show one person, organization, agreement or document with its facts, sources and history."""
    from hoptac.store import show

    reader = {"person": show.person, "org": show.organization, "agreement": show.agreement, "document": show.document}[kind]
    with _open(db).connect() as conn:
        try:
            data = reader(conn, ident)
        except show.NotFound as e:
            raise click.ClickException(str(e)) from e
    if as_json:
        _print_json(data)
    else:
        _print_entity(kind, data)


def _print_entity(kind: str, data: dict) -> None:
    out = Console()
    title = data.get("name") or data.get("title") or data.get("label")
    table = Table(title=_esc(f"{kind} {data['id']}: {title}"), title_justify="left", show_header=False, expand=True)
    table.add_column("field", style="bold cyan", no_wrap=True)
    table.add_column("value")
    for field_name in ("org_kind", "province", "province_now", "kind", "signed_on", "period", "content_items", "published_at", "source", "url", "version"):
        if data.get(field_name) not in (None, "", []):
            table.add_row(field_name, _esc(str(data[field_name])))
    for m in data.get("merged", []):
        table.add_row("merged in", _esc(f"{m['name']} ({m['id']})"))
    for h in data.get("history", []):
        table.add_row("position", f"{_esc(h['title'])}  [dim]{h['first_seen'] or '?'} → {h['last_seen'] or '?'}, {len(h['documents'])} article(s)[/]")
    for p in data.get("people", []):
        table.add_row("person", _esc(f"{p['name']} ({p['id']}): {'; '.join(p['titles'])}"))
    for a in data.get("agreements", []):
        table.add_row("agreement", _esc(f"{a['title'] or a['kind']} ({a['id']}), signed {a.get('signed_on') or '?'}"))
    for p in data.get("parties_resolved", []):
        table.add_row("party", _esc(f"{p['name']} ({p['id']})"))
    for f in data.get("facts", []):
        table.add_row(f.get("kind"), f"{_esc(f['label'])} [dim]#{f['id']}{' (corrected)' if f['corrected'] else ''}[/]")
    for d in data.get("documents", []) + ([data["document"]] if "document" in data else []):
        table.add_row("source", _esc(f"{d['title'] or d['name']} ({d['id']}) {(d['published_at'] or '')[:10]}"))
    for r in data.get("resolution", []):
        table.add_row("resolved", _esc(f"document {r['document_id']}: {r['rule']} ({r['score']}) — {r['reason']}"))
    if data.get("sentence"):
        table.add_row("evidence", _esc(data["sentence"]))
    out.print(table)


# ---------------------------------------------------------------------------- corrections


@main.group("correct")
def correct_group() -> None:
    """Correct a fact or a resolution decision; corrections survive re-extraction."""


def _correction_options(f):
    f = click.option("--reason", required=True, help="Why: kept with the correction and in the audit log.")(f)
    f = click.option("--author", envvar="HOPTAC_USER", default=lambda: __import__("getpass").getuser(), show_default="$HOPTAC_USER or your login")(f)
    return db_option(f)


def _correct(db: str | None, author: str, reason: str, action) -> None:
    from hoptac.store.corrections import Author, CorrectionError

    try:
        who = Author(author, reason)
        with _write(db) as conn:
            correction_id = action(conn, who)
    except CorrectionError as e:
        raise click.ClickException(str(e)) from e
    if correction_id is not None:
        click.echo(f"correction {correction_id} applied")


def _pairs(values: tuple[str, ...]) -> dict:
    out = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r}: expected field=value")
        out[name] = json.loads(value) if value[:1] in "[{" or value in ("true", "false", "null") or value.isdigit() else value
    return out


@correct_group.command("set")
@click.argument("fact_id", type=int)
@click.argument("values", nargs=-1, required=True, metavar="FIELD=VALUE...")
@_correction_options
def correct_set(fact_id: int, values: tuple[str, ...], db, author, reason) -> None:
    """Change fields of a fact: hoptac correct set 12 title="Phó Giám đốc Sở" --reason "..."."""
    from hoptac.store.corrections import set_fields

    _correct(db, author, reason, lambda conn, who: set_fields(conn, fact_id, _pairs(values), who))


@correct_group.command("delete")
@click.argument("fact_id", type=int)
@_correction_options
def correct_delete(fact_id: int, db, author, reason) -> None:
    """Mark a fact as false; it stays deleted after re-extraction."""
    from hoptac.store.corrections import delete_fact

    _correct(db, author, reason, lambda conn, who: delete_fact(conn, fact_id, who))


@correct_group.command("add")
@click.argument("document_id", type=int)
@click.argument("kind", type=click.Choice(["event", "person", "position", "organization", "agreement", "legal_ref", "commitment"]))
@click.argument("values", nargs=-1, required=True, metavar="FIELD=VALUE...")
@click.option("--sentence", default="", help="The sentence of the article it was read from.")
@_correction_options
def correct_add(document_id: int, kind: str, values: tuple[str, ...], sentence: str, db, author, reason) -> None:
    """Add a fact extraction missed."""
    from hoptac.store.corrections import add_fact

    _correct(db, author, reason, lambda conn, who: add_fact(conn, document_id, kind, _pairs(values), who, sentence))


@correct_group.command("merge")
@click.argument("entity_id", type=int)
@click.argument("into_id", type=int)
@_correction_options
def correct_merge(entity_id: int, into_id: int, db, author, reason) -> None:
    """Two entities are one: ENTITY_ID is merged into INTO_ID."""
    from hoptac.store.corrections import merge

    _correct(db, author, reason, lambda conn, who: merge(conn, entity_id, into_id, who))


@correct_group.command("split")
@click.argument("fact_id", type=int)
@_correction_options
def correct_split(fact_id: int, db, author, reason) -> None:
    """A person or organization mention is not the entity it was resolved to: give it its own."""
    from hoptac.store.corrections import split

    _correct(db, author, reason, lambda conn, who: split(conn, fact_id, who))


@correct_group.command("rename")
@click.argument("entity_id", type=int)
@click.argument("name")
@_correction_options
def correct_rename(entity_id: int, name: str, db, author, reason) -> None:
    """Give an entity its right name."""
    from hoptac.store.corrections import rename

    _correct(db, author, reason, lambda conn, who: rename(conn, entity_id, name, who))


@correct_group.command("undo")
@click.argument("correction_id", type=int)
@_correction_options
def correct_undo(correction_id: int, db, author, reason) -> None:
    """Undo a correction."""
    from hoptac.store.corrections import undo

    _correct(db, author, reason, lambda conn, who: undo(conn, correction_id, who))
    click.echo(f"correction {correction_id} undone")


@main.command("corrections")
@db_option
@click.option("--status", type=click.Choice(["applied", "orphaned", "undone"]))
@json_option
def corrections_command(db: str | None, status: str | None, as_json: bool) -> None:
    """List analysts' corrections; orphaned ones lost their target to a re-extraction."""
    from hoptac.store.corrections import listing

    with _open(db).connect() as conn:
        rows = listing(conn, status)
    if as_json:
        _print_json(rows)
        return
    table = Table("id", "action", "target", "author", "reason", "status", expand=True)
    for r in rows:
        target = f"{r['document_key']} {r['fact_key']}" if r["fact_key"] else f"entity {r['entity_id']}" + (f" → {r['other_entity_id']}" if r["other_entity_id"] else "")
        table.add_row(str(r["id"]), r["action"], _esc(target), _esc(r["author"]), _esc(r["reason"]), r["status"] + (f"\n[dim]{_esc(r['status_detail'])}[/]" if r["status_detail"] else ""))
    Console().print(table)


@main.command("merges")
@click.argument("entity_id", type=int, required=False)
@db_option
@json_option
def merges_command(entity_id: int | None, db: str | None, as_json: bool) -> None:
    """List resolution's merges (a mention joined an existing entity) and why; undo one with `correct split`."""
    from hoptac.store.show import merges

    with _open(db).connect() as conn:
        rows = merges(conn, entity_id)
    if as_json:
        _print_json(rows)
        return
    table = Table("entity", "mention (fact)", "document", "rule", "score", "reason", expand=True)
    for r in rows:
        table.add_row(_esc(f"{r['name']} ({r['entity_id']})"), _esc(f"{r['label']} ({r['fact_id']})"), str(r["document_id"]), r["rule"], f"{r['score']:.2f}", _esc(r["reason"]))
    Console().print(table)


@main.command("export")
@click.argument("out_dir", type=click.Path(file_okay=False))
@db_option
@click.option("--format", "formats", default="csv,jsonl", show_default=True,
              help="Comma-separated: csv, jsonl, parquet (one file per table), graphml, gexf (the organization–person–agreement network).")
def export_command(out_dir: str, db: str | None, formats: str) -> None:
    """Export the store's tables and its network for spreadsheets, pandas, Gephi or networkx."""
    from pathlib import Path

    from hoptac.store.export import export

    wanted = {f.strip() for f in formats.split(",") if f.strip()}
    try:
        written = export(_open(db), Path(out_dir), wanted)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--format") from e
    for path in written:
        click.echo(path)


# ---------------------------------------------------------------------------- the web app and its users


@main.command("serve")
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0 for every interface).")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--private", is_flag=True, envvar="HOPTAC_PRIVATE", help="Reading needs a login too (any role).")
@click.option("--secure-cookies", is_flag=True, help="Send session cookies over HTTPS only (behind TLS).")
@click.option("--workers", type=click.IntRange(1, 32), default=1, show_default=True,
              help="Server processes. Login throttling counts per process.")
@click.option("--base-url", envvar="HOPTAC_BASE_URL", metavar="URL",
              help="Where readers reach the app (https://hoptac.example.vn/), for the feeds' links. Default: the address served.")
@click.option("--trusted-host", "trusted_hosts", multiple=True, envvar="HOPTAC_TRUSTED_HOSTS", metavar="NAME",
              help="A Host header to answer (repeat it; *.example.vn allowed); others get a 400. "
                   "Default: the base URL's host and localhost, or any host when listening on every interface.")
@click.option("--trusted-proxy", "trusted_proxies", multiple=True, envvar="HOPTAC_TRUSTED_PROXIES", metavar="ADDRESS",
              help="A reverse proxy's address (repeat it): requests from it are taken to come from its X-Forwarded-For "
                   "client, which login throttling counts by. Default: none, every client is the socket's address.")
@settings_option
def serve_command(db: str | None, host: str, port: int, private: bool, secure_cookies: bool, workers: int,
                  base_url: str | None, trusted_hosts: tuple[str, ...], trusted_proxies: tuple[str, ...], settings: str | None) -> None:
    """Serve the web app and the REST API (docs at /api/docs)."""
    import os

    import uvicorn

    engine = _open(db)  # migrate and report a bad URL here, before the server starts
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    _settings(settings)  # a broken rules file is reported here too
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
    base_url = base_url or f"http://{shown}:{port}/"
    public = urlsplit(base_url)
    if public.scheme not in ("http", "https") or not public.hostname:
        raise click.BadParameter(f"{base_url!r} is not an http(s) address", param_hint="--base-url")
    if not trusted_hosts and host != "0.0.0.0":
        trusted_hosts = (public.hostname, "localhost", "127.0.0.1", host)
    os.environ.update(HOPTAC_SERVE_DB=url, HOPTAC_SERVE_PRIVATE="1" if private else "", HOPTAC_SERVE_SECURE="1" if secure_cookies else "",
                      HOPTAC_SERVE_SETTINGS=settings or "", HOPTAC_SERVE_BASE_URL=base_url,
                      HOPTAC_SERVE_TRUSTED_HOSTS=",".join(dict.fromkeys(trusted_hosts)))
    click.echo(f"hoptac: serving {engine.url.render_as_string(hide_password=True)} at http://{shown}:{port}/ (API docs: http://{shown}:{port}/api/docs)", err=True)
    uvicorn.run("hoptac.web.app:from_environment", factory=True, host=host, port=port, workers=workers, log_level="warning",
                proxy_headers=bool(trusted_proxies), forwarded_allow_ips=",".join(trusted_proxies) or None)


@main.group("user")
def user_group() -> None:
    """Accounts for the web app and API: viewer (reads a private store), editor (corrects), admin."""


def _users(db: str | None, action):
    from hoptac.store.users import UserError

    try:
        with _write(db) as conn:
            return action(conn)
    except UserError as e:
        raise click.ClickException(str(e)) from e


def _actor() -> str:
    import getpass
    import os

    return os.environ.get("HOPTAC_USER") or getpass.getuser()


@user_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["viewer", "editor", "admin"]), default="editor", show_default=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True, envvar="HOPTAC_PASSWORD",
              help="Asked for when not given (or set $HOPTAC_PASSWORD).")
@db_option
def user_add(name: str, role: str, password: str, db: str | None) -> None:
    """Create an account."""
    from hoptac.store.users import add_user

    user = _users(db, lambda conn: add_user(conn, name, password, role, actor=_actor()))
    click.echo(f"user {user.name} ({user.role}) added")


@user_group.command("passwd")
@click.argument("name")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True, envvar="HOPTAC_PASSWORD")
@db_option
def user_passwd(name: str, password: str, db: str | None) -> None:
    """Set an account's password and close its open sessions."""
    from hoptac.store.users import close_sessions, set_password, user_named

    def change(conn) -> None:
        set_password(conn, name, password, actor=_actor())
        close_sessions(conn, user_named(conn, name))
    _users(db, change)
    click.echo(f"password of {name} changed; its sessions and tokens are closed")


@user_group.command("role")
@click.argument("name")
@click.argument("role", type=click.Choice(["viewer", "editor", "admin"]))
@db_option
def user_role(name: str, role: str, db: str | None) -> None:
    """Change an account's role."""
    from hoptac.store.users import set_role

    user = _users(db, lambda conn: set_role(conn, name, role, actor=_actor()))
    click.echo(f"{user.name} is now {user.role}")


@user_group.command("disable")
@click.argument("name")
@db_option
def user_disable(name: str, db: str | None) -> None:
    """Stop an account from logging in; its sessions and tokens end at once."""
    from hoptac.store.users import disable_user

    _users(db, lambda conn: disable_user(conn, name, actor=_actor()))
    click.echo(f"{name} disabled")


@user_group.command("list")
@db_option
@json_option
def user_list(db: str | None, as_json: bool) -> None:
    """Accounts and their roles."""
    from dataclasses import asdict

    from hoptac.store.users import list_users

    found = _users(db, list_users)
    if as_json:
        _print_json([asdict(u) for u in found])
        return
    table = Table("name", "role", "created", "disabled")
    for u in found:
        table.add_row(_esc(u.name), u.role, u.created_at[:16], "yes" if u.disabled else "")
    Console().print(table)


@user_group.command("token")
@click.argument("name")
@click.option("--label", default="", help="What the token is for.")
@click.option("--days", type=click.IntRange(1, 3650), default=90, show_default=True)
@db_option
def user_token(name: str, label: str, days: int, db: str | None) -> None:
    """Print a new API token for an account (send it as Authorization: Bearer TOKEN)."""
    from hoptac.store.users import open_session, user_named

    def issue(conn) -> str:
        return open_session(conn, user_named(conn, name), kind="api", ttl_hours=24 * days, label=label)[0]
    click.echo(_users(db, issue))


# ---------------------------------------------------------------------------- follow-up tracking


def _settings(path: str | None):
    from hoptac.track.settings import SettingsError, load

    try:
        return load(path)
    except SettingsError as e:
        raise click.ClickException(str(e)) from e


def _as_of(value: str | None):
    from datetime import date

    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint="--as-of") from None


_SEVERITY_STYLE = {"high": "bold red", "medium": "yellow", "low": "cyan"}


@main.command("monitor")
@db_option
@as_of_option
@click.option("--province", help="Programs of this province (before or after the 2025 merger).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@settings_option
def monitor_command(db: str | None, as_of: str | None, province: str | None, fmt: str, settings: str | None) -> None:
    """Alerts: what programs promised and have not shown. Exits 1 when there are alerts (for scheduled jobs)."""
    from hoptac.track.monitor import alerts

    rules = _settings(settings)
    day = _as_of(as_of)
    with _open(db).connect() as conn:
        found = alerts(conn, day, rules, province=province)
    if fmt == "json":
        _print_json({"as_of": day.isoformat(), "settings": rules.source, "alerts": [a.to_dict() for a in found]})
    elif fmt == "csv":
        _alerts_csv(found)
    else:
        _alerts_table(found, day)
    sys.exit(1 if found else 0)


def _alerts_csv(found) -> None:
    import csv

    writer = csv.writer(sys.stdout)
    writer.writerow(["severity", "rule", "since", "age_days", "program_id", "program", "province", "province_now", "message", "key"])
    for a in found:
        writer.writerow([a.severity, a.rule, a.since, a.age_days, a.program_id or "", a.program_title or "", a.province or "",
                         a.province_now or "", a.message, a.key])


def _alerts_table(found, day) -> None:
    """Two lines an alert: a table's columns would wrap every field in a terminal."""
    out = Console(soft_wrap=True, highlight=False)
    if not found:
        out.print(f"no alerts as of {day}")
        return
    out.print(f"[bold]{len(found)} alert(s) as of {day}[/]")
    for a in found:
        where = f"program {a.program_id}: {a.program_title}" if a.program_id else a.subject.get("title", "")
        out.print(f"[{_SEVERITY_STYLE[a.severity]}]{a.severity.upper():6}[/] {_esc(a.title)} — since {a.since} ({a.age_days} days)")
        out.print(_esc(f"       {where}" + (f" ({a.province})" if a.province else "") + f": {a.message}"))


@main.group("programs")
def programs_group() -> None:
    """Cooperation programs followed across articles: list, show, and analysts' follow-up records."""


@programs_group.command("list")
@db_option
@click.option("--province")
@click.option("--year", type=click.IntRange(1900, 2100), help="Programs whose period (or signing) covers this year.")
@click.option("--limit", type=click.IntRange(1, 10000), default=100, show_default=True)
@json_option
def programs_list(db: str | None, province: str | None, year: int | None, limit: int, as_json: bool) -> None:
    """Programs, newest signing first, with how many follow-ups each has."""
    from hoptac.track.record import programs_page

    with _open(db).connect() as conn:
        page = programs_page(conn, province=province, year=year, limit=limit)
    if as_json:
        _print_json(page.to_dict())
        return
    table = Table("id", "signed", "period", "program", "parties", "province", "follow-ups", title=f"{page.total} program(s)")
    for p in page.items:
        period = f"{p['period_start']}–{p['period_end']}" if p["period_start"] else ""
        table.add_row(str(p["id"]), p["signed_on"] or "", period, _esc(p["title"]), _esc("; ".join(x["name"] for x in p["parties"])),
                      p["province"] or "", str(p["follow_ups"]))
    Console().print(table)


@programs_group.command("show")
@click.argument("program_id", type=int)
@db_option
@as_of_option
@settings_option
@json_option
def programs_show(program_id: int, db: str | None, as_of: str | None, settings: str | None, as_json: bool) -> None:
    """A program's record: parties, points, commitments, linked articles, action items, notes, alerts."""
    from hoptac.store.show import NotFound
    from hoptac.track.record import program

    try:
        with _open(db).connect() as conn:
            data = program(conn, program_id, as_of=_as_of(as_of), settings=_settings(settings))
    except NotFound as e:
        raise click.ClickException(str(e)) from e
    if as_json:
        _print_json(data)
        return
    _print_program(data)


def _print_program(p: dict) -> None:
    out = Console(soft_wrap=True)
    period = f"{p['period_start']}–{p['period_end']}" if p["period_start"] else "period not stated"
    out.print(f"[bold]{_esc(p['title'])}[/] ({p['kind']}, program {p['id']})", highlight=False)
    out.print(f"  signed {p['signed_on'] or '?'}; {period}" + (f", to {p['orientation_to']}" if p["orientation_to"] else "")
              + (f"; {p['content_items']} points" if p["content_items"] else ""), highlight=False)
    out.print(_esc("  parties: " + "; ".join(f"{x['name']} [{x['entity_id']}]" for x in p["parties"])), highlight=False)
    if p["signatories"]:
        out.print(_esc("  signatories: " + "; ".join(f"{s['name']} ({s['title']})" for s in p["signatories"])), highlight=False)
    links = Table("id", "date", "role", "confidence", "decision", "article", "why", title="life")
    for link in p["links"]:
        links.add_row(str(link["id"]), link["date"] or "", link["role"], f"{link['confidence']:.2f}", link["decision"] or "",
                      _esc(link["document"]["title"]), _esc(link["reason"]))
    out.print(links)
    if p["commitments"]:
        table = Table("id", "kind", "actor", "made", "due", "state", "text", title="commitments")
        for c in p["commitments"]:
            due = f"{c['due_effective']} ({c['due_source']})" if c["due_effective"] else ""
            table.add_row(str(c["id"]), c["kind"], _esc(c["actor"] or ""), c["made_on"] or "", due, c["state"], _esc(c["text"][:160]))
        out.print(table)
    for item in p["action_items"]:
        out.print(_esc(f"  action item {item['id']}: {item['title']} — {item['status']}" + (f", due {item['due']}" if item["due"] else "")),
                  highlight=False)
    for note in p["notes"]:
        out.print(_esc(f"  note by {note['author']} ({note['created_at'][:10]}): {note['text']}"), highlight=False)
    for a in p["alerts"]:
        state = " (resolved)" if a["resolved"] else ""
        out.print(f"  [{_SEVERITY_STYLE[a['severity']]}]{a['severity']}[/] {_esc(a['title'])}{state}: {_esc(a['message'])}", highlight=False)


@programs_group.command("refresh")
@db_option
def programs_refresh(db: str | None) -> None:
    """Rebuild programs and their links from the whole store (after an upgrade, or after merging organizations)."""
    from hoptac.track.sync import refresh

    with _write(db) as conn:
        summary = refresh(conn)
    click.echo(f"{summary.created} program(s) created, {len(summary.touched)} refreshed, {summary.links} link(s) found")


def _edit(db: str | None, author: str, reason: str, action) -> None:
    from hoptac.store.corrections import Author, CorrectionError
    from hoptac.store.show import NotFound

    try:
        who = Author(author, reason)
        with _write(db) as conn:
            message = action(conn, who)
    except (CorrectionError, NotFound) as e:
        raise click.ClickException(str(e)) from e
    click.echo(message)


@programs_group.command("link")
@click.argument("link_id", type=int)
@click.argument("decision", type=click.Choice(["confirmed", "rejected"]))
@_correction_options
def programs_link(link_id: int, decision: str, db, author, reason) -> None:
    """Confirm or reject an article's link to a program; the decision survives re-ingest."""
    from hoptac.track.edit import decide_link

    _edit(db, author, reason, lambda conn, who: decide_link(conn, link_id, decision, who) or f"link {link_id} {decision}")


@programs_group.command("attach")
@click.argument("program_id", type=int)
@click.argument("document_id", type=int)
@click.option("--role", type=click.Choice(["signing", "action_plan", "review_interim", "review_final", "visit", "task", "response", "mention"]),
              required=True)
@_correction_options
def programs_attach(program_id: int, document_id: int, role: str, db, author, reason) -> None:
    """Attach an article the rules missed to a program."""
    from hoptac.track.edit import attach

    _edit(db, author, reason, lambda conn, who: f"link {attach(conn, program_id, document_id, role, who)} confirmed")


@programs_group.command("commitment")
@click.argument("commitment_id", type=int)
@click.option("--status", type=click.Choice(["open", "fulfilled", "dropped"]))
@click.option("--evidence", help="What shows it fulfilled (a sentence, a document number).")
@click.option("--evidence-url", help="A link to the evidence.")
@click.option("--due", metavar="YYYY-MM-DD", help="Its deadline, over any stated or derived one.")
@_correction_options
def programs_commitment(commitment_id: int, status, evidence, evidence_url, due, db, author, reason) -> None:
    """Mark a commitment fulfilled (with evidence) or dropped, or give it a deadline."""
    from hoptac.track.edit import set_commitment

    _edit(db, author, reason, lambda conn, who: set_commitment(conn, commitment_id, who, status=status, evidence=evidence,
                                                               evidence_url=evidence_url, due=due) or f"commitment {commitment_id} updated")


@programs_group.command("action-item")
@click.argument("program_id", type=int)
@click.option("--title", required=True)
@click.option("--owner", help="The organization responsible.")
@click.option("--focal-person")
@click.option("--due", metavar="YYYY-MM-DD")
@click.option("--status", type=click.Choice(["planned", "in_progress", "done", "cancelled"]), default="planned", show_default=True)
@click.option("--evidence-url")
@_correction_options
def programs_action_item(program_id: int, title, owner, focal_person, due, status, evidence_url, db, author, reason) -> None:
    """Record an item of a program's action plan."""
    from hoptac.track.edit import add_action_item

    _edit(db, author, reason, lambda conn, who: f"action item {add_action_item(conn, program_id, who, title=title, owner=owner, focal_person=focal_person, due=due, status=status, evidence_url=evidence_url)} added")


@programs_group.command("note")
@click.argument("program_id", type=int)
@click.argument("text")
@_correction_options
def programs_note(program_id: int, text: str, db, author, reason) -> None:
    """Add a note to a program."""
    from hoptac.track.edit import add_note

    _edit(db, author, reason, lambda conn, who: f"note {add_note(conn, program_id, text, who)} added")


@programs_group.command("resolve")
@click.argument("alert_key")
@click.option("--reopen", is_flag=True, help="Open a resolved alert again.")
@_correction_options
def programs_resolve(alert_key: str, reopen: bool, db, author, reason) -> None:
    """Resolve an alert (its key is in `hoptac monitor --format json`); the reason is kept as its note."""
    from hoptac.track.edit import decide_alert

    decision = "reopened" if reopen else "resolved"
    _edit(db, author, reason, lambda conn, who: decide_alert(conn, alert_key, decision, who) or f"alert {alert_key} {decision}")


@main.command("report")
@db_option
@click.option("--province")
@click.option("--year", type=click.IntRange(1900, 2100))
@as_of_option
@click.option("--format", "fmt", type=click.Choice(["html", "pdf"]), default="html", show_default=True)
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True, help="The file to write.")
@settings_option
def report_command(db, province, year, as_of, fmt, lang, output, settings) -> None:
    """A report of programs, commitments, follow-up rate and open alerts, for a province and/or a year."""
    from pathlib import Path

    from hoptac.track import report

    with _open(db).connect() as conn:
        data = report.build(conn, province=province, year=year, as_of=_as_of(as_of), settings=_settings(settings))
    if fmt == "pdf":
        Path(output).write_bytes(report.render_pdf(data, lang))
    else:
        Path(output).write_text(report.render_html(data, lang), encoding="utf-8")
    click.echo(f"report written to {output}")
