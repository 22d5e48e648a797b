"""hoptac's command line: the only entry point."""
from __future__ import annotations

import json
import sys
from collections.abc import Iterator

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from hoptac import __version__
from hoptac.extract.pipeline import extract
from hoptac.records import Record
from hoptac.text.decode import DecodeError
from hoptac.text.reader import Failure, expand, read_inputs

PROGRESS_AFTER = 5  # files; fewer finish before a bar would be worth drawing


@click.group()
@click.version_option(__version__, prog_name="hoptac")
def main() -> None:
    """hoptac: a registry of Vietnam's S&T cooperation programs, read from the news."""


@main.command("extract")
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["jsonl", "json", "table"]), default="jsonl", show_default=True,
              help="jsonl: one record per line (the extraction contract); json: one array; table: a summary to read.")
def extract_command(paths: tuple[str, ...], fmt: str) -> None:
    """Extract records from articles: text or HTML files, directories, JSON Lines dumps, or - for stdin."""
    err = Console(stderr=True)
    failures = 0
    writer = {"jsonl": _JsonLines, "json": _JsonArray, "table": _Tables}[fmt]()
    for item in _with_progress(paths, err):
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
    err.print(f"[red]hoptac: {name}: {reason}[/]", highlight=False)
    return 1


def _with_progress(paths: tuple[str, ...], err: Console) -> Iterator:
    if not err.is_terminal:
        yield from read_inputs(paths)
        return
    files = list(expand(paths))
    if len(files) <= PROGRESS_AFTER:
        yield from read_inputs(paths)
        return
    columns = (TextColumn("extracting"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("extract", total=len(files))
        for f in files:
            yield from read_inputs([str(f)])
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
        table = Table(title=r.title or r.doc, title_justify="left", show_header=False, expand=True)
        table.add_column("field", style="bold cyan", no_wrap=True)
        table.add_column("value")
        table.add_row("document", r.doc + (f"  ({r.url})" if r.url else ""))
        table.add_row("published", " · ".join(x for x in (r.published_at, r.source, f"{r.views} lượt xem" if r.views else None) if x) or "—")
        for e in r.events:
            table.add_row("event", f"{e.type}  {e.date or '?'}" + (f"  {e.part_of_day}" if e.part_of_day else "") + (f"  tại {e.location}" if e.location else ""))
        for a in r.agreements:
            period = f"{a.period.start}–{a.period.end}" if a.period else "?"
            more = f", đến {a.orientation_to}" if a.orientation_to else ""
            points = f", {a.content_items} nội dung" if a.content_items else ""
            table.add_row("agreement", f"[bold]{a.kind}[/] {a.title or ''}\n  {' ⇄ '.join(a.parties) or '?'}  · ký {a.signed_on or '?'} · {period}{more}{points}")
        for p in r.persons:
            titles = "; ".join(("nguyên " if x.former else "") + x.title for x in p.positions)
            table.add_row("person", f"{(p.honorific + ' ') if p.honorific else ''}[bold]{p.name}[/] — {titles or '—'}")
        for o in r.organizations:
            table.add_row("organization", f"{o.name} [dim]({o.kind}{', ' + o.province if o.province else ''})[/]")
        for ref in r.legal_refs:
            table.add_row("legal", f"{ref.kind} {ref.number}" + (f" — {ref.issuer}" if ref.issuer else "") + (f", {ref.date}" if ref.date else ""))
        for c in r.commitments:
            table.add_row("commitment", f"{c.kind}" + (f" — {c.actor}" if c.actor else ""))
        self.out.print(table)

    def close(self) -> None:
        pass
