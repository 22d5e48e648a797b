"""Inputs: files, directories (recursive, sorted), JSON Lines dumps and standard input.

Reading yields one item per document, lazily, so a corpus of any size streams through in
constant memory. A document that cannot be read is yielded as a ``Failure`` with its name
and reason, and the batch goes on.
"""
from __future__ import annotations

import json
import stat
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from hoptac.text.article import RawDocument

DUMP_SUFFIXES = (".jsonl", ".ndjson")
# Bytes one document may have: a news article is some kilobytes and extraction runs at about a
# megabyte a second, so a stray 50 MB file fails at once instead of holding the batch.
MAX_BYTES = 5_000_000


@dataclass(frozen=True)
class Failure:
    name: str
    reason: str


def expand(paths: Iterable[str]) -> Iterator[Path | str]:
    """Each path argument as the files it names: a directory means its files, sorted."""
    for p in paths:
        if p == "-":
            yield p
            continue
        path = Path(p)
        if path.is_dir():
            # everything but folders: a FIFO, a socket or a broken link is reported, not passed over
            yield from sorted((f for f in path.rglob("*") if not f.is_dir() and not _hidden(f, path)), key=lambda f: f.as_posix())
        else:
            yield path


def printable_name(name: str) -> str:
    """A file name as text that can be printed and stored: bytes that are not UTF-8 (which
    Python keeps as lone surrogates) written as ``\\xff``."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _hidden(f: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in f.relative_to(root).parts)


def read_inputs(paths: Iterable[str], max_bytes: int | None = MAX_BYTES) -> Iterator[RawDocument | Failure]:
    """Every document the paths hold; one over ``max_bytes`` (None: no limit) is a failure."""
    for argument in paths:
        root = Path(argument) if argument != "-" and Path(argument).is_dir() else None
        for item in expand([argument]):
            if not isinstance(item, Path):  # "-"
                yield RawDocument(name="-", data=sys.stdin.buffer.read())
                continue
            if (shown := printable_name(str(item))) != str(item):
                yield Failure(shown, "its name is not valid UTF-8: rename the file to store it")
                continue
            dump = item.suffix.lower() in DUMP_SUFFIXES
            try:
                found = item.stat()  # before opening: reading a FIFO would wait for a writer forever
                if not stat.S_ISREG(found.st_mode):
                    yield Failure(str(item), f"not a regular file but {_KINDS.get(stat.S_IFMT(found.st_mode), 'a special file')}")
                    continue
                if not dump and max_bytes is not None and found.st_size > max_bytes:
                    yield Failure(str(item), _too_large(found.st_size, max_bytes))
                    continue
                data = item.read_bytes()
            except OSError as e:
                yield Failure(str(item), e.strerror or str(e))
                continue
            path = item.relative_to(root).as_posix() if root else item.name
            if dump:
                yield from read_dump(item.name, data, path, max_bytes)
            else:
                yield RawDocument(name=item.name, data=data, path=path)


_KINDS = {stat.S_IFIFO: "a FIFO (named pipe)", stat.S_IFSOCK: "a socket", stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device"}


def _too_large(size: int, limit: int) -> str:
    return f"{size:,} bytes is over the {limit:,}-byte limit for one document (--max-size)"


def read_dump(name: str, data: bytes, path: str | None = None, max_bytes: int | None = MAX_BYTES) -> Iterator[RawDocument | Failure]:
    """A JSON Lines dump: ``{"url", "html" or "text", ...}`` per line; ``name#N`` per record."""
    for number, line in enumerate(data.splitlines(), start=1):
        if not line.strip():
            continue
        doc = f"{name}#{number}"
        if max_bytes is not None and len(line) > max_bytes:
            yield Failure(doc, f"line {number}: " + _too_large(len(line), max_bytes))
            continue
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            yield Failure(doc, f"line {number} is not valid JSON: {e}")
            continue
        except RecursionError:  # the decoder recurses once per level of nesting
            yield Failure(doc, f"line {number} is JSON nested too deep to be an article")
            continue
        if not isinstance(record, dict):
            yield Failure(doc, f"line {number} is not a JSON object")
            continue
        field = "html" if record.get("html") not in (None, "") else "text"
        body, media = record.get(field), "text/html" if field == "html" else "text/plain"
        if body is not None and not isinstance(body, str):
            yield Failure(doc, f'line {number}: "{field}" is {type(body).__name__}, not text')
            continue
        if not body or not body.strip():
            yield Failure(doc, f'line {number} has neither "html" nor "text"')
            continue
        url = record.get("url") if isinstance(record.get("url"), str) else None
        yield RawDocument(name=doc, data=body.encode("utf-8"), url=url, media_type=media, path=f"{path or name}#{number}")
