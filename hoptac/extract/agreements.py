"""Agreements: cooperation programs, agreements, framework programs, memoranda.

Each mention of an instrument (``Chương trình phối hợp``, ``Thỏa thuận hợp tác``...) is read
with its parties (``giữa A và B``, ``A ... với B``, ``A và B thống nhất``, ``A - B: Ký kết``),
period, orientation and number of content points; mentions that can be the same instrument
(same kind, no conflicting parties or period) are merged into one agreement.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from hoptac.extract.doc import Doc, OrgMention, leading_run
from hoptac.extract.lexicon import load, longest_first
from hoptac.extract.patterns import L, R
from hoptac.records import Agreement, Event, Period
from hoptac.text.dates import find_dates, find_orientations, find_periods

_LIST_ITEM = re.compile(r"\((?P<n>\d{1,2})\)\s*(?P<item>[^()]+?)(?=\s*\(\d{1,2}\)|$)")
_WORDED_ITEM = re.compile(r"(?P<n>Một|Hai|Ba|Bốn|Năm|Sáu|Bảy|Tám|Chín|Mười) là,?\s*(?P<item>[^.;]+)")
_JOINED = re.compile(r"\s*(?:\([^()]{0,80}\)\s*)?(?:,|và|với|cùng|-|–)\s*(?:các\s+)?")
_SIGNED_ON = re.compile(r"ký(?:\s+kết)?\s+(?:vào\s+)?(?:ngày\s+)?$", re.IGNORECASE)


@cache
def _kinds() -> tuple[re.Pattern, dict[str, str]]:
    table = {w: kind for kind, words in load("agreements")["kinds"] for w in words}
    return re.compile(rf"{L}(?:{'|'.join(map(re.escape, longest_first(table)))}){R}", re.IGNORECASE), table


@cache
def _count_re() -> re.Pattern:
    return re.compile(load("agreements")["count"], re.IGNORECASE)


@dataclass
class _Mention:
    start: int
    end: int
    kind: str
    scope_end: int  # where what follows stops being about this mention
    title: str
    parties: list[str] = field(default_factory=list)
    period: tuple[int, int] | None = None
    orientation: int | None = None
    count: int | None = None
    points: list[str] = field(default_factory=list)
    signed_on: str | None = None
    weak: bool = False  # parties read as "the sentence's subject ... với B"


def agreements(doc: Doc) -> list[Agreement]:
    mentions = _mentions(doc)
    merged: list[tuple[Agreement, list[_Mention]]] = []
    for m in mentions:
        target = next((a for a, ms in merged if _compatible(a, m)), None)
        if target is None:
            target = Agreement(kind=m.kind, title=m.title, confidence=0.6)
            merged.append((target, []))
        _absorb(doc, target, m)
        next(ms for a, ms in merged if a is target).append(m)
    _attach_loose_counts(doc, [a for a, _ in merged])
    signing = _signing_date(doc)
    out = []
    for a, ms in merged:
        a.signed_on = a.signed_on or (signing if any(_in_signing_context(doc, m) for m in ms) else None)
        if a.parties:
            a.confidence = 0.85
        out.append(a)
    # an instrument named in passing ("các hợp đồng, biên bản ghi nhớ được ký kết") records nothing
    return [a for a in out if a.parties]


def _mentions(doc: Doc) -> list[_Mention]:
    kind_re, table = _kinds()
    found = list(kind_re.finditer(doc.s))
    out = []
    for i, k in enumerate(found):
        a, b = doc.sentence_of(k.start())
        nxt = found[i + 1].start() if i + 1 < len(found) and found[i + 1].start() < b else b
        semicolon = doc.s.find(";", k.end(), nxt)
        scope_end = semicolon if semicolon != -1 else nxt
        m = _Mention(k.start(), k.end(), table[k.group().lower()], scope_end, _title(doc, k.start(), k.end(), scope_end))
        m.parties, m.weak = _parties(doc, k.start(), k.end(), scope_end, a)
        periods = [p for p in find_periods(doc.s[k.start() : scope_end])]
        if periods:
            m.period = (periods[0].first, periods[0].last)
        orientations = find_orientations(doc.s[k.start() : scope_end])
        if orientations:
            m.orientation = orientations[0][1]
        count = _count_re().search(doc.s, k.end(), b)
        if count and (i + 1 >= len(found) or count.start() < found[i + 1].start() or found[i + 1].start() >= b):
            m.count = _number(count["n"])
            m.points = _points(doc.s[count.end() : b])
        m.signed_on = _explicit_signing(doc, k.end(), scope_end)
        out.append(m)
    return out


def _title(doc: Doc, start: int, end: int, scope_end: int) -> str:
    """The instrument's name: the quoted title around it, or its words up to the parties."""
    s = doc.s
    q = s.rfind("“", max(0, start - 3), start + 1)
    if q != -1:
        close = s.find("”", end)
        if close != -1:
            return " ".join(s[q + 1 : close].split())
    stop = re.search(r"\s(?:giữa|với|được|đã|sẽ|do|tại|nhằm)\s|[;:]", s[end:scope_end])
    title_end = end + stop.start() if stop else scope_end
    title = s[start:title_end].strip(" ,.")
    period = find_periods(s[title_end:scope_end])
    if period and "giai đoạn" not in title:
        title += f" giai đoạn {period[0].first}-{period[0].last}"
    return " ".join(title.split())


def _parties(doc: Doc, start: int, end: int, scope_end: int, sentence_start: int) -> tuple[list[str], bool]:
    """The parties a mention names, and whether they were only inferred from the sentence's subject."""
    s = doc.s
    orgs_in = lambda a, b: [o for o in doc.orgs if a <= o.start and o.end <= b]  # noqa: E731
    # "giữa A và B" / "giữa A, B và C"
    between = re.compile(r"\sgiữa\s").search(s, end, scope_end)
    if between:
        names = _coordinated(s, orgs_in(between.end(), scope_end))
        if len(names) >= 2:
            return names, False
    # "A ... với B": the sentence's subject and the partner after "với"
    with_ = re.compile(r"\svới\s").search(s, end, scope_end)
    before = orgs_in(sentence_start, start)
    if with_:
        partner = orgs_in(with_.end(), scope_end)
        if partner and partner[0].start - with_.end() < 3 and before:
            return _unique([before[0].name, partner[0].name]), True
    # "A và B (đã) thống nhất/ký kết KIND" and "A - B: Ký kết KIND"
    names = _coordinated(s, before)
    return (names if len(names) >= 2 else []), False


def _coordinated(s: str, orgs: list[OrgMention]) -> list[str]:
    """The leading run of organizations joined by "và", "với", commas or dashes."""
    # "Cục Đổi mới sáng tạo (Bộ KH&CN)": the parent in parentheses is not a party
    return leading_run(s, [o for o in orgs if not s[: o.start].rstrip().endswith("(")], _JOINED)


def _unique(names: list[str]) -> list[str]:
    return list(dict.fromkeys(names))


def _compatible(a: Agreement, m: _Mention) -> bool:
    if a.kind != m.kind:
        return False
    if a.parties and m.parties and set(a.parties) != set(m.parties):
        # "Sở ... khẳng định Chương trình phối hợp với B": the known program with B
        return m.weak and m.parties[-1] in a.parties
    if a.period and m.period and (a.period.start, a.period.end) != m.period:
        return False
    return True


def _absorb(doc: Doc, a: Agreement, m: _Mention) -> None:
    a.parties = a.parties or m.parties
    if m.period and not a.period:
        a.period = Period(*m.period)
    a.orientation_to = a.orientation_to or m.orientation
    a.content_items = a.content_items or m.count or (len(m.points) or None)
    a.content_points = a.content_points or m.points
    a.signed_on = a.signed_on or m.signed_on
    if len(m.title) > len(a.title or "") and (m.parties or not a.parties):
        a.title = m.title
    for span in doc.evidence(m.start):
        if span not in a.evidence:
            a.evidence.append(span)


def _attach_loose_counts(doc: Doc, agreements: list[Agreement]) -> None:
    """"Hai bên thống nhất 6 nội dung", "Chương trình gồm 5 nội dung": the article's only agreement."""
    if len(agreements) != 1 or agreements[0].content_items:
        return
    reference = re.compile(load("agreements")["reference"])
    for a, b in doc.shadow_sentences():
        sentence = doc.s[a:b]
        speaks_of_it = re.search(r"hai bên|các bên|hai đơn vị|hai cơ quan", sentence, re.IGNORECASE) or reference.match(sentence)
        if speaks_of_it and (c := _count_re().search(sentence)):
            agreements[0].content_items = _number(c["n"])
            agreements[0].content_points = agreements[0].content_points or _points(sentence[c.end() :])
            return


def _points(tail: str) -> list[str]:
    items = [" ".join(m["item"].split()).strip(" ;,.") for m in _LIST_ITEM.finditer(tail)]
    if len(items) < 2:
        items = [" ".join(m["item"].split()).strip(" ;,.") for m in _WORDED_ITEM.finditer(tail)]
    return [i for i in items if i] if len(items) >= 2 else []


def _number(word: str) -> int:
    return int(word) if word.isdigit() else load("agreements")["numbers"][word.lower()]


def _explicit_signing(doc: Doc, start: int, end: int) -> str | None:
    """"ký kết ngày 15/3/2021" in the mention's scope."""
    for d in find_dates(doc.s[start:end]):
        if _SIGNED_ON.search(doc.s[max(start, start + d.start - 25) : start + d.start]) and d.year:
            day = d.resolve(None)
            return day.isoformat() if day else None
    return None


def _signing_date(doc: Doc) -> str | None:
    signings: list[Event] = [e for e in doc.results.get("events", []) if e.type == "signing" and e.date]
    return signings[0].date if signings else None


def _in_signing_context(doc: Doc, m: _Mention) -> bool:
    a, b = doc.sentence_of(m.start)
    return bool(re.search(r"ký|thống nhất", doc.s[a:b], re.IGNORECASE))
