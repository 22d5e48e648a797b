"""Agreements: cooperation programs, agreements, framework programs, memoranda, contracts.

Each mention of an instrument (``Chương trình phối hợp``, ``bản ghi nhớ``, ``hiệp định``, a
bare ``ký kết hợp tác``) is read in its clause for who is bound by it:

* ``giữa A và B`` after it;
* the subject of its signing (``A và B đã ký ...``, ``A cùng B ký kết ...``), the partner
  after it (``A ký ... với B``, ``... cùng B``), and where only people are named, the bodies
  they hold posts in (``Bộ trưởng X cùng Tổng giám đốc Y đã ký``);
* a partner that is an unnamed group (``với hơn 50 trường đại học``) binds the named party
  alone; one that a later sentence lists (``các đơn vị ... gồm: A, B, C``) makes one record
  per pair.

A parent in parentheses or after a dash (``Vụ Công nghệ cao (Bộ KH&CN)``, ``Cục Ngoại vụ -
Bộ Ngoại giao``) and a place of signing (``tại trụ sở Bộ X``) are not parties. Mentions of
the same kind with the same parties are one instrument, whose period, orientation, number
of content points and signing date any of them may give; an instrument with no
identifiable party records nothing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from hoptac.extract.doc import Doc, OrgMention
from hoptac.extract.lexicon import alternation, load
from hoptac.extract.patterns import L, R, Needing, compiled, words_re
from hoptac.extract.tokens import Leads, leads
from hoptac.records import Agreement, Event, Period
from hoptac.text.dates import find_dates, find_orientations, find_periods

_LIST_ITEM = re.compile(r"\((?P<n>\d{1,2})\)\s*(?P<item>[^()]+?)(?=\s*\(\d{1,2}\)|$)")
_WORDED_ITEM = re.compile(r"(?P<n>Một|Hai|Ba|Bốn|Năm|Sáu|Bảy|Tám|Chín|Mười) là,?\s*(?P<item>[^.;]+)")
_SIGNED_ON = re.compile(r"ký(?:\s+kết)?\s+(?:vào\s+)?(?:ngày\s+)?$", re.IGNORECASE)
# what parties do with an instrument: sign it, agree on it, carry it out, review it
# (not the "ký" of "đăng ký", to register, nor of "thư ký", a secretary)
_SIGN = re.compile(rf"{L}(?<!đăng )(?<!thư )(?:ký kết|ký|kí kết|kí|trao|thống nhất|ký thỏa thuận|ký bản ghi nhớ|thực hiện|triển khai|sơ kết|tổng kết){R}", re.IGNORECASE)
_SIGNED_JUST_BEFORE = re.compile(r"(?<!đăng )(?:ký|kí)(?:\s+kết)?\s+(?:(?:\d+|các|những|một)\s+)?$", re.IGNORECASE)
_PASSIVE = re.compile(r"[^.;]{0,80}?\sđược\s+(?P<agents>[^.;]{3,160}?)\s+(?:ký kết|ký|kí kết|kí|thống nhất)(?![\wÀ-ỹ])", re.IGNORECASE)
_BETWEEN = re.compile(rf"{L}giữa{R}", re.IGNORECASE)
_PARTNER = re.compile(r"\s*(?:,\s*)?(?:với|cùng(?: với)?)\s+", re.IGNORECASE)
_JOIN = re.compile(r"\s*(?:\([^()]{0,80}\)\s*)?(?:,|và|với|cùng|cùng với|-|–)\s*(?:các\s+)?", re.IGNORECASE)
_NOT_A_PARTY_BEFORE = re.compile(r"(?:tại|ở|trụ sở|của|thuộc|trực thuộc|\(|-|–|về|cho|do|phía)\s*$", re.IGNORECASE)
_EFFECTIVE_FROM = re.compile(r"hiệu lực[^.;]{0,40}?(?:kể )?từ\s+(?:ngày\s+\d{1,2}\s*[/-]\s*)?(?:tháng\s+)?(?:\d{1,2}\s*[-/]\s*)?(?:năm\s+)?(?P<y>(?:19|20)\d{2})", re.IGNORECASE)
_LISTED = re.compile(r"(?:gồm|bao gồm|là)\s*:\s*", re.IGNORECASE)
# an unnamed group of bodies: "hơn 50 trường đại học", "các đơn vị thụ hưởng"
_GROUP_NOUN = re.compile(r"(?<![\wÀ-ỹ])(?:trường|đơn vị|doanh nghiệp|viện|tổ chức|địa phương|tỉnh|sở|bộ|ngành|hội|công ty|tập đoàn|quỹ|cơ quan|đối tác|nhà)(?![\wÀ-ỹ])", re.IGNORECASE)


@cache
def _spec() -> dict:
    return load("agreements")


@cache
def _kinds() -> tuple[re.Pattern, dict[str, str]]:
    table = {w: kind for kind, words in _spec()["kinds"] for w in words}
    table.update(_spec()["verbs"])
    return re.compile(rf"{L}{alternation(table, fold=True)}{R}", re.IGNORECASE), table


@cache
def _kind_words() -> Leads:
    return leads(_kinds()[1])


@cache
def _count_re() -> re.Pattern | Needing:
    return compiled(_spec()["count"])


@cache
def _group_re() -> re.Pattern:
    return re.compile(rf"(?:{'|'.join(_spec()['groups'])})\s", re.IGNORECASE)


@cache
def _not_signed_re() -> re.Pattern:
    return words_re(_spec()["not_signed"])


@dataclass
class _Mention:
    start: int
    end: int
    kind: str
    scope_end: int  # where what follows stops being about this mention
    title: str | None
    parties: list[list[str]] = field(default_factory=list)  # one or more sets of parties (pairs with a listed group)
    period: tuple[int, int | None] | None = None
    orientation: int | None = None
    count: int | None = None
    points: list[str] = field(default_factory=list)
    signed_on: str | None = None
    signing: bool = False  # the clause reports a signing
    named: bool = True  # the instrument's noun is printed (not only "ký kết hợp tác")


def agreements(doc: Doc) -> list[Agreement]:
    mentions = _mentions(doc)
    merged: list[tuple[Agreement, frozenset[str]]] = []
    loose: list[_Mention] = []
    weak: set[int] = set()  # agreements whose kind no instrument noun has given yet
    for m in mentions:
        if not m.parties:
            loose.append(m)
            continue
        for parties in m.parties:
            key = frozenset(parties)
            # the same parties make one instrument: "ký kết hợp tác", then "thỏa thuận hợp tác này"
            target = next((a for a, k in merged if k == key), None)
            if target is None:
                target = Agreement(kind=m.kind, title=m.title, parties=list(parties), confidence=0.85)
                merged.append((target, key))
                if not m.named or m.kind == "other":
                    weak.add(id(target))
            elif id(target) in weak and m.named and m.kind != "other":
                target.kind = m.kind
                weak.discard(id(target))
            _absorb(doc, target, m)
    agreements_ = [a for a, _ in merged]
    for m in loose:  # "Chương trình gồm 5 nội dung": the instrument already named, if one fits
        fits = [a for a in agreements_ if a.kind == m.kind or m.kind == "other" and len(agreements_) == 1]
        if len(fits) == 1:
            _absorb(doc, fits[0], m)
    _attach_loose_counts(doc, agreements_)
    signing = _signing_date(doc)
    for a in agreements_:
        if a.signed_on is None and signing and a in _signed_in_context(doc, mentions, merged):
            a.signed_on = signing
    return agreements_


def _mentions(doc: Doc) -> list[_Mention]:
    kind_re, table = _kinds()
    s = doc.s
    found = [k for k in doc.matches(kind_re, _kind_words()) if not _inside_legal(doc, k.start())]
    out: list[_Mention] = []
    for i, k in enumerate(found):
        a, b = doc.sentence_of(k.start())
        nxt = found[i + 1].start() if i + 1 < len(found) and found[i + 1].start() < b else b
        semicolon = s.find(";", k.end(), nxt)
        scope_end = semicolon if semicolon != -1 else nxt
        clause_start = max(a, s.rfind(";", a, k.start()) + 1, s.rfind(": ", a, k.start()) + 1)
        kind = _kind(s, k, table)
        m = _Mention(k.start(), k.end(), kind, scope_end, _title(doc, k.start(), k.end(), scope_end))
        m.named = k.group().lower() not in _spec()["verbs"]
        if _not_signed_re().search(s, max(a, k.start() - 30), k.end()):
            continue  # "sẽ ký", "tiến tới ký": not signed yet
        if k.group().lower() in _spec()["signed_only"] and not _SIGNED_JUST_BEFORE.search(s, max(0, k.start() - 20), k.start()):
            continue
        m.signing = bool(_SIGN.search(s, clause_start, scope_end))
        m.parties = _parties(doc, k, clause_start, scope_end, b) or _elided(doc, out, m, k, a, clause_start, scope_end)
        periods = find_periods(s[k.start() : scope_end])
        if periods:
            m.period = (periods[0].first, periods[0].last)
        elif (e := _EFFECTIVE_FROM.search(s, k.start(), b)) or (e := _EFFECTIVE_FROM.search(s, a, b)):
            m.period = (int(e["y"]), None)  # "có hiệu lực trong vòng 5 năm kể từ tháng 1-2019"
        orientations = find_orientations(s[k.start() : scope_end])
        if orientations:
            m.orientation = orientations[0][1]
        count = _count_re().search(s, k.end(), b)
        if count and (i + 1 >= len(found) or count.start() < found[i + 1].start() or found[i + 1].start() >= b):
            m.count = _number(count["n"])
            m.points = _points(s[count.end() : b])
        m.signed_on = _explicit_signing(doc, k.end(), scope_end)
        out.append(m)
    return out


def _inside_legal(doc: Doc, at: int) -> bool:
    return any(a <= at < b for a, b in doc.results.get("legal_spans", []))


def _kind(s: str, k: re.Match, table: dict[str, str]) -> str:
    word = k.group().lower()
    kind = table[word]
    qualified = _spec()["qualified"].get(word)
    if qualified:
        after = s[k.end() : k.end() + 30].lower()
        if any(after.lstrip().startswith(q) for q in qualified.get("other", [])):
            return "other"
        return qualified["default"]
    return kind


def _title(doc: Doc, start: int, end: int, scope_end: int) -> str | None:
    """The instrument's name when printed: quoted, or capitalised with what it is about."""
    s = doc.s
    q = s.rfind("“", max(0, start - 3), start + 1)
    if q != -1:
        close = s.find("”", end)
        if close != -1:
            return " ".join(s[q + 1 : close].split())
    if not s[start].isupper():
        return None
    stop = re.search(r"\s(?:giữa|với|được|đã|sẽ|do|tại|nhằm|cùng|cho)\s|[;:(]", s[end:scope_end])
    title_end = end + stop.start() if stop else scope_end
    title = s[start:title_end].strip(" ,.")
    period = find_periods(s[title_end:scope_end])
    if period and "giai đoạn" not in title:
        title += f" giai đoạn {period[0].first}-{period[0].last}"
    return " ".join(title.split()) or None


# --------------------------------------------------------------------------- parties


def _parties(doc: Doc, k: re.Match, clause_start: int, scope_end: int, sentence_end: int) -> list[list[str]]:
    """The sets of bodies the mention binds: one, or one per listed partner."""
    s = doc.s
    between = _BETWEEN.search(s, k.end(), scope_end)
    if between:
        names = _run(doc, doc.orgs_within(between.end(), scope_end))
        group = _group_after(doc, between.end(), scope_end)
        if len(names) >= 2:
            return [names]
        if len(names) == 1 and group:
            return _with_listed(doc, names, sentence_end) or [names]
    passive = _PASSIVE.match(s, k.end(), scope_end)
    if passive:  # "Chương trình được A và B ký kết ngày ...": the agents are the parties
        names = _run(doc, doc.orgs_within(passive.start("agents"), passive.end("agents")))
        return [names] if len(names) >= 2 else []
    sign = _sign_before(doc, clause_start, k)
    signed_after = re.match(r"\s*(?:\([^()]*\)\s*)?(?:đã|được)?\s*(?:ký|kí)", s[k.end() : scope_end])
    if sign is None and not signed_after:
        return []  # named, not reported as signed or carried out here
    subject_end = sign.start() if sign else k.start()
    subject = _subject(doc, _subject_start(doc, clause_start, subject_end), subject_end)
    partner, group = _partner(doc, k.end(), scope_end)
    if partner:
        names = _unique(subject + partner)
        return [names] if len(names) >= 2 else []
    if group and subject:
        return _with_listed(doc, subject, sentence_end) or [subject]
    if len(subject) >= 2:
        return [subject]
    return []


def _elided(doc: Doc, earlier: list[_Mention], m: _Mention, k: re.Match, sentence_start: int, clause_start: int, scope_end: int) -> list[list[str]]:
    """"Sở KH&CN đã ký kết Thỏa thuận ... với Viện X; ký kết Chương trình ... với Hội Y": a
    clause that opens with the verb shares the sentence's subject."""
    if clause_start == sentence_start or not re.match(r"\s*(?:và\s+)?(?:ký|kí)", doc.s[clause_start : k.start()]):
        return []
    before = next((e for e in reversed(earlier) if e.parties and e.start >= sentence_start), None)
    partner, _ = _partner(doc, k.end(), scope_end)
    if before is None or not partner:
        return []
    subject = [p for p in before.parties[0] if p not in _partner(doc, before.end, before.scope_end)[0]]
    names = _unique(subject[:1] + partner)
    return [names] if len(names) >= 2 else []


def _party_like(doc: Doc, o: OrgMention, floor: int) -> bool:
    """Not a parent, a place of signing or a possessor: "(Bộ KH&CN)", "tại trụ sở Bộ X"."""
    return not _NOT_A_PARTY_BEFORE.search(doc.s, max(floor, o.start - 12), o.start)


def _run(doc: Doc, orgs: list[OrgMention]) -> list[str]:
    """The leading run of parties joined by "và", "với", "cùng", commas or dashes."""
    run: list[OrgMention] = []
    for o in orgs:
        if run and not _JOIN.fullmatch(doc.s[run[-1].end : o.start]):
            if _NOT_A_PARTY_BEFORE.search(doc.s, run[-1].end, o.start):
                continue  # a parent after a dash or in parentheses
            break
        if run and not _party_like(doc, o, run[-1].end):
            continue
        run.append(o)
    return _unique([o.name for o in run])


def _sign_before(doc: Doc, clause_start: int, k: re.Match) -> re.Match | None:
    """The signing verb that governs the mention: the last before it in its clause."""
    last = None
    for m in _SIGN.finditer(doc.s, clause_start, k.end()):
        if m.start() <= k.start() or m.end() <= k.end():
            last = m
    return last


def _subject_start(doc: Doc, clause_start: int, end: int) -> int:
    """The subject is the phrase just before the verb: after the clause's opening adverbials
    ("Ngày 3/4, tại Hà Nội, A và B ký" starts at A; "Sau khi ..., hai bên ký" at "hai bên")
    and, in a passive, after "được". A comma inside a body's name does not count."""
    s = doc.s
    passive = s.rfind(" được ", clause_start, end)
    if passive != -1:
        return passive + 6
    start = clause_start
    for c in re.finditer(r",", s[clause_start:end]):
        at = clause_start + c.start()
        if doc.org_holding(at) is None and not _in_parentheses(s, clause_start, at):
            start = at + 1
    return start


def _in_parentheses(s: str, a: int, at: int) -> bool:
    return s.count("(", a, at) > s.count(")", a, at)


def _subject(doc: Doc, start: int, end: int) -> list[str]:
    """The signing parties named before the verb: bodies, or the bodies of the people named."""
    orgs = [o for o in doc.orgs_within(start, end) if _party_like(doc, o, start)]
    names = _unique([o.name for o in orgs])
    if names:
        return names
    bodies: list[str] = []
    for a, b, _, held in doc.people:
        if start <= a and b <= end:
            bodies.extend(held[:1])
    return _unique(bodies) or _the_two(doc, start, end)


_TWO = re.compile(r"hai\s+(?:vị\s+)?", re.IGNORECASE)
# "hai bộ", "hai bên": the two bodies of that kind the article has named (None: of any kind)
_TWO_OF = {"bộ": "Bộ ", "sở": "Sở ", "viện": "Viện ", "trường": "Trường ", "bên": None, "đơn vị": None, "cơ quan": None}
_TWO_OF_RE = re.compile(rf"hai\s+(?P<of>{'|'.join(sorted(_TWO_OF, key=len, reverse=True))})(?![\wÀ-ỹ])", re.IGNORECASE)


def _the_two(doc: Doc, start: int, end: int) -> list[str]:
    """"hai Bộ trưởng đã ký": the two people the article last named before, by their bodies;
    "Lãnh đạo hai bộ ký", "hai bên ký kết": the two bodies of the kind the article has named,
    when it has named exactly two."""
    two = next((m for m in _TWO.finditer(doc.s, start, end) if doc.title_at(m.end())), None)
    if two is not None:
        people: dict[str, str] = {}
        for a, _, name, held in doc.people:
            if a < two.start() and held:
                people.pop(name, None)
                people[name] = held[0]
        bodies = list(people.values())[-2:]
        return bodies if len(set(bodies)) == 2 else []
    of = _TWO_OF_RE.search(doc.s, start, end)
    if of is None:
        return []
    head = _TWO_OF[of["of"].lower()]
    named = list(dict.fromkeys(o.name for o in doc.orgs if o.start < of.start() and (head is None or o.name.startswith(head))))
    return named if len(named) == 2 else []


def _partner(doc: Doc, pos: int, scope_end: int) -> tuple[list[str], bool]:
    """``... với B`` / ``... cùng B`` after the instrument; whether the partner is an unnamed group."""
    s = doc.s
    m = _PARTNER.search(s, pos, scope_end)
    if m is None or m.start() - pos > 220:
        return [], False
    if _group_re().match(s, m.end()) and _GROUP_NOUN.search(s, m.end(), min(scope_end, m.end() + 40)):
        return [], True
    orgs = doc.orgs_within(m.end(), scope_end)
    if not orgs or orgs[0].start - m.end() > 3:
        return [], False
    return _run(doc, orgs), False


def _group_after(doc: Doc, pos: int, end: int) -> bool:
    m = re.search(r"\s(?:và|với)\s+(?:các|những|hơn|\d+)\s", doc.s[pos:end])
    return m is not None and bool(_GROUP_NOUN.search(doc.s, pos + m.end(), min(end, pos + m.end() + 40)))


def _with_listed(doc: Doc, named: list[str], sentence_end: int) -> list[list[str]]:
    """"... ký thỏa thuận tài trợ cho các đơn vị thụ hưởng" then "Các đơn vị ... gồm: A, B, C":
    one instrument per partner listed in the next sentences."""
    s = doc.s
    horizon = min(len(s), sentence_end + 600)
    listed = _LISTED.search(s, sentence_end, horizon)
    if listed is None:
        return []
    end = s.find("\n", listed.end())
    end = len(s) if end == -1 else end
    partners = [o for o in doc.orgs_within(listed.end(), end) if o.name not in named and _party_like(doc, o, listed.end())]
    return [[named[0], p] for p in _unique([o.name for o in partners])] if len(partners) >= 2 else []


def _unique(names: list[str]) -> list[str]:
    return list(dict.fromkeys(names))


# --------------------------------------------------------------------------- fields


def _absorb(doc: Doc, a: Agreement, m: _Mention) -> None:
    if m.period and not a.period:
        a.period = Period(*m.period)
    a.orientation_to = a.orientation_to or m.orientation
    a.content_items = a.content_items or m.count or (len(m.points) or None)
    a.content_points = a.content_points or m.points
    a.signed_on = a.signed_on or m.signed_on
    if m.title and len(m.title) > len(a.title or ""):
        a.title = m.title
    for span in doc.evidence(m.start):
        if span not in a.evidence:
            a.evidence.append(span)


def _attach_loose_counts(doc: Doc, agreements: list[Agreement]) -> None:
    """"Hai bên thống nhất 6 nội dung", "Theo thỏa thuận, ... sẽ hợp tác 4 nội dung": the
    article's only agreement."""
    if len(agreements) != 1 or agreements[0].content_items:
        return
    reference = re.compile(_spec()["reference"])
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
    return int(word) if word.isdigit() else _spec()["numbers"][word.lower()]


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


def _signed_in_context(doc: Doc, mentions: list[_Mention], merged: list[tuple[Agreement, frozenset[str]]]) -> list[Agreement]:
    """The agreements some mention of which reports the signing the article is about."""
    out = []
    for a, key in merged:
        if any(m.signing and any(frozenset(p) == key for p in m.parties) and not _recalled(doc, m) for m in mentions):
            out.append(a)
    return out


def _recalled(doc: Doc, m: _Mention) -> bool:
    a, _ = doc.sentence_of(m.start)
    return bool(re.search(r"trước đó|năm \d{4}|được[^.;]{0,40}ký", doc.s[a : m.end], re.IGNORECASE))
