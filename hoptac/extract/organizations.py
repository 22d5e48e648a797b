"""Organizations: named by a head word (Sở, Bộ, Viện, Ủy ban nhân dân...) and what follows.

Vietnamese names an organization as head + name + locality: ``Sở Khoa học và Công nghệ tỉnh
Cao Bằng``. A name runs until punctuation, a place (which closes it), a coordinated second
organization (``và Sở...``) or the verb of the sentence; known names are matched first. A
body that belongs to one locality but is written without it (``Sở KH&CN``, ``Công an thành
phố``) takes the article's locality.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache

from hoptac.extract import gazetteer
from hoptac.extract.doc import Doc, OrgMention, district_province
from hoptac.extract.lexicon import load, longest_first
from hoptac.extract.patterns import L, R, address_re, looks_like_full_name, name_run_re, starts_with_surname, title_re
from hoptac.extract.shadow import expand
from hoptac.records import Organization
from hoptac.text.letters import CAP_WORD

_TOKEN = re.compile(r"[ \t]+(?P<w>[^\s,;:()“”\"‘’.!?…]+)")
_PLACE_TYPE = re.compile(rf"{L}(?P<t>tỉnh|thành phố|thị xã|huyện|quận|xã|phường|Tỉnh|Thành phố|Thị xã|Huyện|Quận){R}")
_DISTRICT_TYPES = {"thị xã", "huyện", "quận", "xã", "phường"}
_PLURAL_BEFORE = re.compile(rf"{L}(?:các|những|mọi|nhiều|hai|ba|\d+|cùng các)\s+$", re.IGNORECASE)
_MAX_WORDS = 14
_ONE_WORD = re.compile(rf"{CAP_WORD}{R}")


@dataclass(frozen=True)
class Head:
    word: str
    kind: str
    local: bool
    bare: bool
    implied: bool
    place_only: bool
    names: str | None  # a closed list of names that may follow ("departments" of a Sở)
    brand: bool


@cache
def _heads() -> tuple[re.Pattern, dict[str, Head]]:
    heads = {
        h["head"].casefold(): Head(h["head"], h["kind"], h.get("local", False), h.get("bare", False), h.get("implied", False), h.get("place_only", False), h.get("names"), h.get("brand", False))
        for h in load("organizations")["heads"]
    }
    # a capital marks a name; the rest may be in any case ("Liên hiệp các hội")
    return _first_letter_as_printed([h.word for h in heads.values()]), heads


@cache
def _known() -> tuple[re.Pattern, dict[str, tuple[str, str]]]:
    """Known organizations: a pattern of every spelling, and spelling (folded) → (name, kind)."""
    table: dict[str, tuple[str, str]] = {}
    spellings = []
    for canonical, kind, *aliases in load("organizations")["known"]:
        for spelling in [canonical, *aliases]:
            spellings.append(expand(spelling))
            table[spellings[-1].casefold()] = (canonical, kind)
    # "tiến bộ khoa học và công nghệ" is not the Ministry
    return _first_letter_as_printed(spellings), table


def _first_letter_as_printed(words: list[str]) -> re.Pattern:
    """Any of ``words`` (longest first), the first letter in its case, the rest in any case."""
    alternatives = [f"{re.escape(w[0])}(?i:{re.escape(w[1:])})" for w in longest_first(words)]
    return re.compile(rf"{L}(?:{'|'.join(alternatives)}){R}")


@cache
def _stops() -> tuple[frozenset[str], frozenset[str]]:
    spec = load("organizations")["name_stops"]
    return frozenset(spec["words"]), frozenset(spec["pairs"])


@cache
def _province_at() -> re.Pattern:
    return re.compile(rf"(?:{gazetteer.province_name_pattern()}){R}")


def find_orgs(s: str, province: gazetteer.Province | None) -> list[OrgMention]:
    """Every organization mentioned in the shadow text ``s``, in order."""
    found: list[OrgMention] = []
    taken: list[tuple[int, int]] = []
    known_re, known = _known()
    for m in known_re.finditer(s):
        name, kind = known[m.group().casefold()]
        found.append(OrgMention(m.start(), m.end(), name, kind, None))
        taken.append((m.start(), m.end()))
    heads_re, heads = _heads()
    for m in heads_re.finditer(s):
        if any(a <= m.start() < b for a, b in taken) or _PLURAL_BEFORE.search(s, max(0, m.start() - 12), m.start()):
            continue
        mention = org_at(s, m.start(), province)
        if mention:
            found.append(mention)
            taken.append((mention.start, mention.end))
    return sorted(found, key=lambda o: o.start)


def org_at(s: str, start: int, province: gazetteer.Province | None) -> OrgMention | None:
    """The organization whose head word starts at ``start``, or None."""
    known_re, known = _known()
    if k := known_re.match(s, start):
        name, kind = known[k.group().casefold()]
        return OrgMention(start, k.end(), name, kind, None)
    heads_re, heads = _heads()
    m = heads_re.match(s, start)
    if not m:
        return None
    head = heads[m.group().casefold()]
    if head.bare:
        return OrgMention(start, m.end(), head.word, head.kind, None)
    if (t := title_re().match(s, start)) and t.end() > m.end():
        return None  # "Tỉnh ủy viên" is a title, not the committee
    # a person's name may follow a name ("Giám đốc Sở KH&CN Hoàng Bá Nam"), except where
    # names are made of people's names ("Trường Đại học Tôn Đức Thắng")
    if head.place_only or head.names:
        words, after = _listed_name(s, m.end(), head)
        place = _place_at(s, after)
        end, place = (place[0], place[1]) if place else (after, None)
    else:
        words, end, place = _scan_name(s, m.end(), person_stops=head.kind != "university")
    if place is None and not words:
        if head.implied and province is not None:
            return OrgMention(start, end, f"{head.word} {_locality(head, province)}", head.kind, province.name)
        # "Giám đốc Sở", "lãnh đạo Viện Hàn lâm": the head alone, resolved against the article
        return OrgMention(start, end, head.word, head.kind, None, head_only=True)
    if head.brand:
        words, end = _to_last_capital(s, m.end(), words, end)
    if words and not (words[0][:1].isupper() or words[0][:1].isdigit()) and not head.local and not head.brand:
        return None  # "Viện trưởng", "Hội nghị", "Vụ chức năng": not a name
    kind, prov, locality = _place(head, place, province)
    if head.local and locality is None and prov is None:
        return None  # "công an" in general, "Ủy ban nhân dân các cấp"
    name = " ".join([head.word, *words] + ([locality] if locality else []))
    return OrgMention(start, end, name, kind, prov)


@dataclass(frozen=True)
class _Place:
    type: str | None  # the type word as printed (lowercased), or None for a bare province name
    province: gazetteer.Province | None
    text: str  # "tỉnh Cao Bằng", "thị xã Quảng Yên", "thành phố" (implied)
    district: bool = False  # below the province: "thị xã Quảng Yên", "thành phố Hạ Long"


def _place(head: Head, place: _Place | None, province: gazetteer.Province | None):
    """(kind, province name, locality suffix) for a head and the place written after it."""
    kind = head.kind
    if place is None:
        if head.local and province is not None:
            return kind, province.name, _locality(head, province)
        return kind, None, None
    if place.district:
        kind = "local_government" if head.kind == "provincial_government" else kind
        return kind, place.province.name if place.province else None, place.text
    if place.province is None:  # "thành phố" alone: the article's
        return (kind, province.name, _locality(head, province)) if province else (kind, None, place.text)
    if not head.local:  # part of a proper name, as printed: "Đại học Thái Nguyên"
        return kind, place.province.name, place.text
    return kind, place.province.name, _locality(head, place.province)


def _locality(head: Head, p: gazetteer.Province) -> str:
    # a province's own committees are named without a type word: "Tỉnh ủy Cao Bằng", "Tỉnh Đoàn Đắk Lắk"
    return p.name if head.word.startswith(("Tỉnh", "Thành", "Huyện")) else gazetteer.display(p)


def _scan_name(s: str, pos: int, person_stops: bool) -> tuple[list[str], int, _Place | None]:
    """The words of a name after its head, where it ends, and the place that closes it."""
    words: list[str] = []
    end = pos
    single, pairs = _stops()
    heads_re, _ = _heads()
    while len(words) < _MAX_WORDS:
        if place := _place_at(s, end):
            return words, place[0], place[1]
        t = _TOKEN.match(s, end)
        if not t:
            break
        w, w_start = t["w"], t.start("w")
        nxt = _TOKEN.match(s, t.end())
        pair = f"{w} {nxt['w']}" if nxt else w
        if w[0].islower() and (w in single or pair in pairs) and words:
            break
        if w in ("-", "–") and (not nxt or _starts_entity(s, nxt.start("w"))):
            break
        if w in ("và", "với", "cùng") and (not words or not nxt or _starts_entity(s, nxt.start("w"))):
            break
        if w[0].islower() and (w in single or pair in pairs):
            break
        if words and (title_re().match(s, w_start) or address_re().match(s, w_start)):
            break
        if person_stops and words and w[0].isupper() and _person_at(s, w_start):
            break
        if words and heads_re.match(s, w_start) and w[0].isupper() and words[-1] in ("và", "với", "-", "–"):
            words.pop()
            break
        words.append(w)
        end = t.end()
    while words and (words[-1] in ("và", "với", "-", "–", "các") or words[-1][0].islower() and words[-1] in single):
        words.pop()
        end = s.rfind(" ", 0, end) if " " in s[:end] else end
    return words, _word_end(s, pos, words) if words else pos, None


@cache
def _name_lists() -> dict[str, re.Pattern]:
    spec = load("organizations")
    return {key: re.compile(rf"[ \t]+(?:{'|'.join(re.escape(expand(n)) for n in longest_first(spec[key]))}){R}")
            for key in {h["names"] for h in spec["heads"] if h.get("names")}}


def _listed_name(s: str, pos: int, head: Head) -> tuple[list[str], int]:
    """The name after a head whose names form a closed list ("Sở" + a department)."""
    if head.names and (m := _name_lists()[head.names].match(s, pos)):
        return m.group().split(), m.end()
    return [], pos


def _to_last_capital(s: str, pos: int, words: list[str], end: int) -> tuple[list[str], int]:
    """An enterprise's name ends with its brand: drop the lowercase words that trail it."""
    last = max((i for i, w in enumerate(words) if w[:1].isupper() or w[:1].isdigit()), default=-1)
    if last < 0:
        return [], pos
    words = words[: last + 1]
    return words, _word_end(s, pos, words)


def _word_end(s: str, pos: int, words: list[str]) -> int:
    at = pos
    for w in words:
        at = s.index(w, at) + len(w)
    return at


def _starts_entity(s: str, at: int) -> bool:
    heads_re, _ = _heads()
    return bool(heads_re.match(s, at) or title_re().match(s, at) or address_re().match(s, at) or _known()[0].match(s, at) or _person_at(s, at))


def _person_at(s: str, at: int) -> bool:
    m = name_run_re().match(s, at)
    return bool(m) and looks_like_full_name(m.group()) and not _province_at().match(s, at)


def _place_at(s: str, pos: int) -> tuple[int, _Place] | None:
    """A place written at ``pos`` (after spaces): "tỉnh Cao Bằng", "Quảng Ninh", "thị xã Quảng Yên", "thành phố"."""
    at = pos + len(s[pos:]) - len(s[pos:].lstrip(" \t"))
    if at == pos and pos > 0 and not s[pos - 1].isspace():
        return None
    if p := _province_at().match(s, at):
        prov = gazetteer.province_lookup(p.group())
        return p.end(), _Place(None, prov, p.group())
    t = _PLACE_TYPE.match(s, at)
    if not t:
        return None
    type_word = t["t"].lower()
    rest = t.end() + len(s[t.end():]) - len(s[t.end():].lstrip(" \t"))
    if p := _province_at().match(s, rest):
        prov = gazetteer.province_lookup(p.group())
        if prov and type_word in ("tỉnh", "thành phố"):
            return p.end(), _Place(type_word, prov, f"{type_word} {p.group()}")
    if d := name_run_re().match(s, rest) or _ONE_WORD.match(s, rest):
        run = d.group()
        if type_word in _DISTRICT_TYPES | {"thành phố"} and not starts_with_surname(run):
            prov = district_province(type_word, run)
            words = run.split()
            if prov or type_word in ("xã", "phường"):
                # the district's own words only: stop where the run stops being its name
                name = " ".join(words[: _district_words(type_word, words)])
                return rest + len(name), _Place(type_word, prov, f"{type_word} {name}", district=True)
    if type_word in ("tỉnh", "thành phố"):
        return t.end(), _Place(type_word, None, type_word)  # implied: the article's province
    return None


def _district_words(type_word: str, words: list[str]) -> int:
    for n in range(len(words), 0, -1):
        if gazetteer.districts_named(f"{type_word} {' '.join(words[:n])}"):
            return n
    return len(words)


def resolve_bare(s: str, mentions: list[OrgMention], province: gazetteer.Province | None) -> list[OrgMention]:
    """A head written alone stands for the organization of that head the article names most.

    "Giám đốc Sở" in a Cao Bằng article is the Sở KH&CN tỉnh Cao Bằng; "Huyện ủy" beside
    "huyện Hương Sơn" is Huyện ủy Hương Sơn. Where the article names none, the head is dropped.
    """
    out = []
    for m in mentions:
        if m.head_only:
            target = _most_named(mentions, m.name, province) or _default(s, m.name, province)
            if target is None:
                continue
            m = replace(m, name=target[0], province=target[1], head_only=False)
        out.append(m)
    return out


def _most_named(mentions: list[OrgMention], head: str, province: gazetteer.Province | None) -> tuple[str, str | None] | None:
    """The most named; on a tie, the one of the article's own province, then the first named."""
    named = [(m.name, m.province) for m in mentions if not m.head_only and m.name.startswith(head + " ")]
    if not named:
        return None
    own = province.name if province else None
    return max(dict.fromkeys(named), key=lambda n: (named.count(n), n[1] == own, -named.index(n)))


_DISTRICT_OF = {"Huyện ủy": "huyện", "Thị ủy": "thị xã", "Quận ủy": "quận"}


def _default(s: str, head: str, province: gazetteer.Province | None) -> tuple[str, str | None] | None:
    if head == "Sở" and province is not None:
        return f"Sở Khoa học và Công nghệ {gazetteer.display(province)}", province.name
    if head in _DISTRICT_OF:
        names = re.findall(rf"{_DISTRICT_OF[head]}\s+({CAP_WORD}(?:\s+{CAP_WORD})?)", s)
        if names:
            name = max(dict.fromkeys(names), key=lambda n: (names.count(n), -names.index(n)))
            return f"{head} {name}", province.name if province else None
    return None


def organizations(doc: Doc) -> list[Organization]:
    """The component: each organization once, with the sentences that name it."""
    mentions = resolve_bare(doc.s, find_orgs(doc.s, doc.province), doc.province)
    return merge_orgs(doc, mentions + acronym_mentions(doc.s, mentions))


_DEFINED_AS = re.compile(r"\s*\((?P<a>[A-ZĐ][A-Z0-9Đ&\-]{1,11})\)")


def acronym_mentions(s: str, mentions: list[OrgMention]) -> list[OrgMention]:
    """``Viện Khoa học và Công nghệ Hàn Quốc (KIST)``: later, "KIST" names that institute."""
    defined = {}
    for m in mentions:
        if (d := _DEFINED_AS.match(s, m.end)) and d["a"] not in defined:
            defined[d["a"]] = (m, d.start("a"))
    found = []
    for acronym, (org, at) in defined.items():
        for a in re.finditer(rf"(?<![\w&-]){re.escape(acronym)}(?![\w&-])", s):
            if a.start() != at:
                found.append(replace(org, start=a.start(), end=a.end()))
    return found


def merge_orgs(doc: Doc, mentions: list[OrgMention]) -> list[Organization]:
    """Mentions to organizations; ``doc.orgs`` keeps the mentions, under their final names."""
    by_key: dict[str, Organization] = {}
    for m in mentions:
        key = _key(m)
        org = by_key.get(key)
        if org is not None and len(m.name) > len(org.name):
            org.name = m.name  # "... thành phố Hải Phòng" over "... Hải Phòng"
        if org is None:
            prov = gazetteer.province_lookup(m.province) if m.province else None
            org = by_key[key] = Organization(
                name=m.name, kind=m.kind, province=m.province, province_now=prov.now if prov else None,
                confidence=0.9 if m.kind != "other" else 0.7,
            )
        surface = doc.text[doc.shadow.original(m.start) : doc.shadow.original(m.end, end=True)]
        if surface not in org.mentions:
            org.mentions.append(surface)
        for span in doc.evidence(m.start):
            if span not in org.evidence and len(org.evidence) < 5:
                org.evidence.append(span)
    orgs, renamed = _fold_unplaced(list(by_key.values()))
    doc.orgs = [m if m.name not in renamed else replace(m, name=renamed[m.name]) for m in mentions]
    return orgs


def _key(m: OrgMention) -> str:
    """Names that differ only by the type word before their province are one name."""
    name = m.name
    if m.province and name.endswith(" " + m.province):
        stem = name[: -len(m.province)].rstrip()
        stem = re.sub(r"\s(?:tỉnh|thành phố|Thành phố)$", "", stem)
        name = f"{stem} {m.province}"
    return name.casefold()


def _fold_unplaced(orgs: list[Organization]) -> tuple[list[Organization], dict[str, str]]:
    """One organization written with and without its place is one organization."""
    placed = [o for o in orgs if o.province]
    kept, renamed = [], {}
    for o in orgs:
        fuller = next((p for p in placed if o.province is None and p.name.startswith(o.name + " ")), None)
        if fuller is None:
            kept.append(o)
            continue
        renamed[o.name] = fuller.name
        fuller.mentions.extend(m for m in o.mentions if m not in fuller.mentions)
        fuller.evidence.extend(e for e in o.evidence if e not in fuller.evidence)
    return kept, renamed
