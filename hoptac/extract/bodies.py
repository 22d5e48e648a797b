"""Bodies known by name: ministries and their units, national institutions, international
organizations, foreign agencies, well-known enterprises; and the states of the world.

Read once from ``hoptac/data/{ministries,institutions,international,countries}.json``. A
body is found by any spelling the data gives (matched case-insensitively, word by word) or,
for an acronym or brand, by the token exactly as printed (``WIPO``, ``FPT``). A ministry
also has its field (``Khoa học và Công nghệ``, ``Y tế``), the words a title takes without
the word "Bộ" (``Bộ trưởng Y tế``); fields and names that changed in the 2025
reorganisation carry the dates they were in force, and the article's date picks one.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from functools import cache

from hoptac.extract.lexicon import load
from hoptac.extract.shadow import expand
from hoptac.extract.tokens import PhraseBook


@dataclass(frozen=True)
class Body:
    name: str
    kind: str
    province: str | None = None
    country: str | None = None  # a foreign body's state
    since: date | None = None
    until: date | None = None
    field: str | None = None  # a ministry's field, as its name writes it

    def in_force(self, when: date | None) -> bool:
        if when is None:
            return True
        return (self.since is None or self.since <= when) and (self.until is None or when <= self.until)


@dataclass(frozen=True)
class Country:
    name: str
    short: bool  # one syllable or a common word ("Anh", "Nga", "Lào"): trusted in safe places only


def _day(s: str | None) -> date | None:
    return date.fromisoformat(s) if s else None


def _body(row: dict, kind: str | None = None) -> Body:
    return Body(
        name=row["name"], kind=kind or row["kind"], province=row.get("province"), country=row.get("country"),
        since=_day(row.get("from")), until=_day(row.get("until")),
    )


@dataclass(frozen=True)
class _Books:
    names: PhraseBook[tuple[Body, ...]]
    acronyms: dict[str, tuple[Body, ...]]
    fields: PhraseBook[tuple[Body, ...]]
    countries: PhraseBook[Country]


def _rows() -> list[tuple[dict, list[str], list[str]]]:
    """Every known body with its spellings and its acronyms."""
    out = []
    ministries = load("ministries")
    for group in ("ministries", "units"):
        for row in ministries[group]:
            out.append((row, row.get("aliases", []), row.get("acronyms", [])))
    for file in ("institutions", "international"):
        for row in load(file)["bodies"]:
            out.append((row, row.get("aliases", []), row.get("acronyms", [])))
    return out


@cache
def books() -> _Books:
    names: dict[str, list[Body]] = {}
    acronyms: dict[str, list[Body]] = {}
    for row, aliases, acr in _rows():
        body = _body(row)
        for spelling in dict.fromkeys([row["name"], *aliases]):
            names.setdefault(expand(spelling), []).append(body)
        for a in acr:
            acronyms.setdefault(a, []).append(body)
    fields: dict[str, list[Body]] = {}
    for row in load("ministries")["ministries"]:
        body = _body(row)
        body = replace(body, field=row["name"].removeprefix("Bộ ").strip())
        for f in row.get("field", []):
            fields.setdefault(expand(f), []).append(body)
    countries: PhraseBook[Country] = PhraseBook()
    for row in load("countries")["countries"]:
        short = set(row.get("short", []))
        for spelling in [row["name"], *row.get("aliases", [])]:
            countries.add(spelling, Country(row["name"], spelling in short))
    return _Books(
        names=PhraseBook((k, _by_age(v)) for k, v in names.items()),
        acronyms={k: _by_age(v) for k, v in acronyms.items()},
        fields=PhraseBook((k, _by_age(v)) for k, v in fields.items()),
        countries=countries,
    )


def _by_age(bodies: list[Body]) -> tuple[Body, ...]:
    return tuple(sorted(bodies, key=lambda b: b.since or date.min))


def pick(candidates: tuple[Body, ...], when: date | None) -> Body:
    """The body in force on ``when`` among same-spelt ones.

    An undated article takes the earliest: news without a date is archive news, and a
    spelling shared across the 2025 reorganisation ("Bộ trưởng Nông nghiệp") named the
    older ministry for far longer.
    """
    if when is None or len(candidates) == 1:
        return candidates[0]  # (the books keep same-spelt bodies oldest first)
    live = [b for b in candidates if b.in_force(when)]
    return live[0] if live else candidates[-1]


def known(name: str, when: date | None) -> Body | None:
    """The body this exact name (any known spelling) is, if the package knows it."""
    candidates = books().names.get(expand(name))
    return pick(candidates, when) if candidates else None
