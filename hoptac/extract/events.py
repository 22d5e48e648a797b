"""Events: a dated clause and the words that say what happened in it.

``Sáng ngày 25/4/2022, tại trụ sở Viện..., đã diễn ra Lễ ký kết`` is a signing on
2022-04-25, in the morning, at the Viện's seat. A date without a year takes the publication
year; dates inside legal references (``Nghị quyết số 59-NQ/TW ngày 05 tháng 8 năm 2020``)
are not events.
"""
from __future__ import annotations

import re
from collections import Counter
from functools import cache

from hoptac.extract.doc import Doc
from hoptac.extract.lexicon import load, longest_first
from hoptac.extract.patterns import L, R
from hoptac.records import Event
from hoptac.text.dates import find_dates

_PLACE = re.compile(r"\btại\s+(?P<where>[^,;.:]{3,90})")
_BACKGROUND_DAYS = 90
_YEAR = re.compile(r"(?<!\d)(20\d{2}|19\d{2})(?!\d)")


@cache
def _triggers() -> tuple[re.Pattern, dict[str, str]]:
    spec = load("events")
    table = {w: kind for kind, words in spec["types"] for w in words}
    return re.compile(rf"{L}(?:{'|'.join(map(re.escape, longest_first(table)))}){R}", re.IGNORECASE), table


def events(doc: Doc) -> list[Event]:
    trigger_re, table = _triggers()
    legal = doc.results.get("legal_spans", [])
    default_year = doc.published.year if doc.published else _likely_year(doc)
    found: dict[tuple[str, str | None], Event] = {}
    for d in find_dates(doc.s):
        if any(a <= d.start <= b for a, b in legal) or _is_deadline(doc.s, d.start) or _reported_signing(doc.s, d.start):
            continue
        a, b = doc.sentence_of(d.start)
        triggers = list(trigger_re.finditer(doc.s, a, b))
        if not triggers:
            continue
        t = _nearest(triggers, d.start - a, d.start, d.end)
        day = d.resolve(default_year)
        if day and doc.published and (doc.published - day).days > _BACKGROUND_DAYS:
            continue  # a date recalled from the past, not the news the article reports
        kind = table[t.group().lower()]
        key = (kind, day.isoformat() if day else None)
        if key in found:
            continue
        where = _PLACE.search(doc.s, d.end, b)
        found[key] = Event(
            type=kind,
            date=key[1],
            part_of_day=d.part_of_day,
            location=where["where"].strip() if where else None,
            label=t.group(),
            evidence=doc.evidence(d.start),
            confidence=0.9 if d.year or doc.published else 0.6,
        )
    return list(found.values())


def _nearest(triggers: list[re.Match], offset_in_sentence: int, start: int, end: int) -> re.Match:
    """A clause-initial date ("Sáng ngày X, ...") governs what follows it; otherwise the closest trigger."""
    after = [t for t in triggers if t.start() >= end]
    if offset_in_sentence <= load("events")["clause_initial"] and after:
        return after[0]
    before = [t for t in triggers if t.end() <= start]
    if before:
        return before[-1]
    return min(triggers, key=lambda t: abs(t.start() - start))


def _is_deadline(s: str, at: int) -> bool:
    # "trước ngày 30/6", "hạn chót 15/12": a due date, not a happening
    return bool(re.search(r"(?:trước|chậm nhất|hạn chót|hạn|đến)\s+(?:ngày\s+)?$", s[max(0, at - 20) : at], re.IGNORECASE))


def _reported_signing(s: str, at: int) -> bool:
    # "Chương trình ... được (hai bên) ký kết ngày 18/5/2022": a past signing recalled
    return bool(re.search(r"được\s+(?:\S+\s+){0,3}ký(?:\s+kết)?\s+(?:vào\s+)?(?:ngày\s+)?$", s[max(0, at - 50) : at], re.IGNORECASE))


def _likely_year(doc: Doc) -> int | None:
    """With no dateline, the year the article itself names most."""
    years = Counter(int(y) for y in _YEAR.findall(doc.s))
    return years.most_common(1)[0][0] if years else None
