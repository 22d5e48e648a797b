"""Organizations: bodies known by name, and names built from a head word and what follows.

Vietnamese names an organization as head + name + locality: ``Sở Khoa học và Công nghệ tỉnh
Cao Bằng``, ``Bộ Việc làm và Lao động Hàn Quốc``, ``tập đoàn Vingroup``. Bodies the package
knows (``hoptac/data``: ministries, their units, national institutions, international
organizations and foreign agencies, well-known enterprises) are matched first, in any of
their spellings, and acronyms and brands as printed (``WIPO``, ``FPT``). Other names are read
word by word after their head:

* a place or a state closes the name (``... tỉnh Cao Bằng``, ``... Hàn Quốc``);
* a capitalised word continues it, unless it starts a person, a title or a second body;
* a lowercase word continues it only if it is a word organizations are named with
  (``khoa học``, ``ứng dụng``, ``chất lượng cao``), and never once the name has reached a
  brand or acronym (``Đại học Laval tiên phong`` stops after Laval) or, in a name written
  in title case, after a lowercase word (``... Đo lường Chất lượng nghiên cứu`` stops);
* verbs and function words (``cho biết``, ``đã``, ``sáng``) end it.

A body of one locality written without its place (``Sở KH&CN``, ``Công an thành phố``) takes
the article's; a head written alone (``Sở``, ``Viện Hàn lâm``) stands for the body of that head
the article names most.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache

from hoptac.extract import gazetteer
from hoptac.extract.bodies import Country, books, known, pick
from hoptac.extract.doc import Doc, OrgMention, district_province, remembered
from hoptac.extract.lexicon import load
from hoptac.extract.patterns import address_re, title_first_words, looks_like_full_name, name_run_re, starts_with_surname, surnames
from hoptac.extract.shadow import expand
from hoptac.extract.tokens import PhraseBook, Tokens, first_keys, key, keys
from hoptac.records import Organization
from hoptac.text.decode import is_syllable
from hoptac.text.letters import CAP_WORD

_PLACE_TYPE = re.compile(r"(?<![\wÀ-ỹ])(?P<t>tỉnh|thành phố|thị xã|huyện|quận|xã|phường|Tỉnh|Thành phố|Thị xã|Huyện|Quận)(?![\wÀ-ỹ])")
_DISTRICT_TYPES = {"thị xã", "huyện", "quận", "xã", "phường"}
_PLURAL = frozenset({"các", "những", "mọi", "nhiều", "hai", "ba", "bốn", "năm", "mấy", "một số", "cùng các"})
_MAX_WORDS = 16
_ONE_WORD = re.compile(rf"{CAP_WORD}(?![\wÀ-ỹ])")
_VIETNAM = ("việt", "nam")
# Vietnamese state bodies are named without "Việt Nam" ("Bộ Xây dựng Việt Nam" is the Bộ Xây dựng)
_STATE = frozenset({"ministry", "foreign_government"})
# kinds of the state's own bodies, written without the "Việt Nam" news may print after them
_NATIONAL = frozenset({"ministry", "other", "party_body"})
# an enterprise's legal form, written inside its name ("Công ty TNHH thủy sản Minh Hàn")
_LEGAL_FORMS = frozenset({"TNHH", "CP", "MTV", "JSC", "Co", "Ltd"})
# the last word of a legal form: the capitalised words after it are the brand, even a
# family name's ("Công ty cổ phần Lâm Việt", "Công ty TNHH Trần Gia")
_LEGAL_FORM_KEYS = frozenset({"tnhh", "cp", "mtv", "jsc", "phần", "hạn"})


@dataclass(frozen=True)
class Head:
    word: str
    kind: str
    local: bool = False  # a body of one locality: without a place it takes the article's
    implied: bool = False  # written alone it still means the article's locality
    bare: bool = False  # the head alone is a complete name ("Quốc hội")
    place_only: bool = False  # nothing but a place may follow ("Tỉnh ủy Yên Bái")
    names: str | None = None  # a closed list of names follows ("Sở" + a department)
    brand: bool = False  # an enterprise: its name ends at its last capitalised word
    sub: bool = False  # a sub-unit: the parent printed right after it is part of its name
    lower: bool = False  # may be printed in lowercase before a capitalised name ("tập đoàn Vingroup")


@cache
def _heads() -> PhraseBook[Head]:
    fields = Head.__dataclass_fields__
    return PhraseBook((h["head"], Head(**{k: v for k, v in h.items() if k in fields and k != "head"}, word=h["head"])) for h in load("organizations")["heads"])


@cache
def _vocabulary() -> tuple[PhraseBook[bool], frozenset[str], frozenset[tuple[str, str]]]:
    """Words organizations are named with, and the words and pairs that end a name."""
    spec = load("organizations")
    words = PhraseBook((w, True) for w in spec["name_words"])
    stops = spec["name_stops"]
    return words, frozenset(stops["words"]), frozenset(tuple(p.split()) for p in stops["pairs"])


# --------------------------------------------------------------------------- finding


def find_orgs(doc: Doc) -> list[OrgMention]:
    """Every organization mentioned in the shadow text, in order, without overlaps."""
    toks = doc.tokens
    found: list[OrgMention] = []
    starts, lower_starts, acronyms = _starters(), _lower_starters(), books().acronyms
    keys, texts = toks.keys, toks.texts
    after = 0
    for i in doc.words_at(_starter_keys()):
        k, text = keys[i], texts[i]
        if i < after or not (k in lower_starts or (text[0].isupper() and (k in starts or text in acronyms))) or not _may_start(doc, i) or (_plural_before(toks, i) and not _two_of_a_kind(doc, i)):
            continue
        hit = _titled_body(doc, i)
        if hit is None and (past := _past_title(doc, i)) is not None:
            after = past  # "Ủy viên Ban Thường vụ Tỉnh ủy": no body inside a title
            continue
        hit = hit or _org_at_token(doc, i)
        if hit is None:
            continue
        mentions, after = hit
        found.extend(mentions)
    found = _with_ellipses(doc, found)
    found += _named_in_english(doc, found)
    return sorted(found, key=lambda o: o.start)


def _named_in_english(doc: Doc, found: list[OrgMention]) -> list[OrgMention]:
    """Bodies named in English, with no Vietnamese head word to announce them ("General
    Motors", "Saigon Food", "Harvard University"): a run of capitalised foreign words that
    holds a word naming a kind of body; the last such word gives the kind."""
    toks, kinds = doc.tokens, _english_kinds()
    taken = bytearray(toks.n)
    for o in found:
        taken[toks.at(o.start) : toks.at(o.end)] = b"\x01" * (toks.at(o.end) - toks.at(o.start))
    out: list[OrgMention] = []
    after = 0
    for k in doc.words_at(_english_keys()):
        if k < after or toks.texts[k] not in kinds or taken[k]:
            continue
        a, b = k, k + 1
        while a > 0 and _english_word(toks.texts[a - 1]) and not taken[a - 1]:
            a -= 1
        while b < toks.n and _english_word(toks.texts[b]) and not taken[b]:
            b += 1
        if b - a >= 2:
            kind = kinds[next(toks.texts[j] for j in reversed(range(a, b)) if toks.texts[j] in kinds)]
            out.append(OrgMention(toks.starts[a], toks.ends[b - 1], " ".join(toks.texts[a:b]), kind, None))
        after = b
    return out


def _english_word(text: str) -> bool:
    """A capitalised word no Vietnamese syllable is spelt like, or an acronym ("SEA")."""
    return text[0].isupper() and (not is_syllable(text) or text.isupper() or text in _english_kinds())


@cache
def _english_kinds() -> dict[str, str]:
    return load("organizations")["foreign_org_words"]


@cache
def _english_keys() -> frozenset[str]:
    return frozenset(map(key, _english_kinds()))


def _may_start(doc: Doc, i: int) -> bool:
    """The cheap test before the rules: a known name, a head or a title begins here."""
    toks = doc.tokens
    return bool(books().names.longest(toks, i) or _heads().longest(toks, i) or toks.texts[i] in books().acronyms or doc.title_at(toks.starts[i]))


@cache
def _starters() -> frozenset[str]:
    """Every word a body's name, a head or a title can begin with."""
    return books().names.first_words() | _heads().first_words() | title_first_words()


@cache
def _starter_keys() -> frozenset[str]:
    """The key of every word an organization's name may begin with, in either case."""
    return _starters() | _lower_starters() | frozenset(map(key, books().acronyms))


@cache
def _lower_starters() -> frozenset[str]:
    """The words a body or a title that names one may begin with in lowercase: heads news
    writes so ("tập đoàn Vingroup"), and titles ("phó trưởng Phòng ...", "bộ trưởng Y tế")."""
    fields, units = _title_kinds()
    heads = {h["head"] for h in load("organizations")["heads"] if h.get("lower")}
    return first_keys(heads | fields | set(units)) | _LOWER_FIRST


def names_a_kind_of_body(doc: Doc, pos: int) -> bool:
    """A head word and the words bodies are named with, at shadow offset ``pos`` ("Sở Khoa
    học và Công nghệ" in "Hội nghị giám đốc Sở Khoa học và Công nghệ"): a body, or a class of
    them where no one body can be told, but never a person's name."""
    toks = doc.tokens
    i = toks.at(pos)
    if i >= toks.n or toks.starts[i] != pos or (hit := _heads().longest(toks, i)) is None:
        return False
    return _vocabulary()[0].longest(toks, hit[0]) is not None


def org_at(doc: Doc, pos: int) -> OrgMention | None:
    """The organization whose name starts at shadow offset ``pos``, or None."""
    i = doc.tokens.at(pos)
    if i >= doc.tokens.n or doc.tokens.starts[i] != pos:
        return None
    hit = _org_at_token(doc, i)
    return hit[0][0] if hit else None


@remembered
def _org_at_token(doc: Doc, i: int) -> tuple[list[OrgMention], int] | None:
    """The mentions an organization starting at token ``i`` makes (itself, and a parent it
    embeds), and the token index after it."""
    known = _known_at(doc, i)
    if known and known[0][0].kind != "ministry" and _country_at(doc.tokens, known[1]) is None:
        return known  # only a state after it can make the name another state's body
    headed = _headed_at(doc, i)
    if known and headed and headed[1] > known[1] and _foreign(headed[0][0]):
        return headed  # "Bộ Khoa học Lào" is Laos's ministry, not ours
    return known or headed


def _two_of_a_kind(doc: Doc, i: int) -> bool:
    """"hai đại học Bách khoa Hà Nội và TP HCM": two bodies, one head, two places."""
    prev = doc.tokens.get(i - 1)
    if prev is None or prev.key != "hai":
        return False
    hit = _headed_at(doc, i)
    if hit is None or not hit[0][0].province:
        return False
    sep = doc.tokens.get(hit[1])
    return sep is not None and sep.key in ("và", ",") and _place_at(doc, hit[1] + 1) is not None


def _plural_before(toks: Tokens, i: int) -> bool:
    """"các Sở", "32 Sở khoa học công nghệ", "hai đại học": a class of bodies, not one."""
    return i > 0 and (toks.keys[i - 1] in _PLURAL or toks.texts[i - 1].isdigit())


def _foreign(m: OrgMention) -> bool:
    return m.kind == "foreign_government"


# --------------------------------------------------------------------------- bodies in titles


@cache
def _title_kinds() -> tuple[frozenset[str], dict[str, str]]:
    spec = load("titles")
    return frozenset(spec["field_titles"]), spec["unit_titles"]


def _titled_body(doc: Doc, i: int) -> tuple[list[OrgMention], int] | None:
    """The body a title names without its head word: a ministry by its field (``Bộ trưởng
    Y tế``, ``Bộ trưởng Khoa học Lào``, ``các Bộ trưởng: Y tế, Nông nghiệp``) or a unit by
    its name (``Cục trưởng An toàn bức xạ và hạt nhân``). The title itself is not a body."""
    toks = doc.tokens
    t = doc.title_at(toks.starts[i])
    if not t:
        return None
    fields, units = _title_kinds()
    title = t.name
    j = toks.at(t.end)
    if j >= toks.n or ((hit := _org_at_token(doc, j)) is not None and not hit[0][0].head_only):
        return None
    if title in fields:
        found, end = [], j
        if (colon := toks.get(j)) is not None and colon.text == ":":
            end = j + 1
        while (hit := _field_at(doc, end)) is not None:
            found.append(hit[0])
            end = hit[1]
            sep = toks.get(end)
            if not found or sep is None or sep.key not in (",", "và") or _field_at(doc, end + 1) is None:
                break
            end += 1
        return (found, end) if found else None
    if title in units and (known_body := _known_from_head(doc, j - 1, units[title])) is not None:
        return known_body
    capitalised = toks.texts[j][0].isupper() or doc.s[t.start : t.end].split()[-1][0].isupper()
    if title in units and (capitalised or _vocabulary()[0].longest(toks, j) is not None):
        unit = _heads().get(units[title])
        if unit is None:
            return None
        head = Head(word=units[title], kind=unit.kind, sub=units[title] in ("Phòng", "Khoa", "Bộ môn"))
        scan = _scan(doc, j, head)
        if not scan.words or not (capitalised or any(toks.texts[w][0].isupper() for w in scan.words) or scan.place or scan.parent):
            return None  # "trưởng ban tổ chức sự kiện": a role, not a body's name in sentence case
        surface = _surface(doc, scan.words)
        printed = " ".join([head.word, surface[0].upper() + surface[1:]])  # "Phó trưởng ban tổ chức Trung ương": Ban Tổ chức Trung ương
        body = known(printed, doc.when)
        name, kind = (body.name, body.kind) if body else (printed, head.kind)
        if scan.parent is not None:
            name = f"{name} {scan.parent.name}"
        mention = OrgMention(toks.starts[j], toks.ends[scan.end - 1], name, kind, scan.parent.province if scan.parent else None)
        return [mention] + ([scan.parent] if scan.parent else []), scan.end
    return None


def _known_from_head(doc: Doc, h: int, head: str) -> tuple[list[OrgMention], int] | None:
    """A known body whose name begins with the head word that ends a unit's title at token
    ``h`` ("Phó trưởng ban tổ chức Trung ương" heads the Ban Tổ chức Trung ương)."""
    toks = doc.tokens
    if h < 0 or keys(head) != (toks.keys[h],):
        return None
    hit = books().names.longest(toks, h)
    if hit is None or hit[0] <= h + 1:
        return None
    body = pick(hit[1], doc.when)
    return [OrgMention(toks.starts[h + 1], toks.ends[hit[0] - 1], body.name, body.kind, body.province)], hit[0]


def _past_title(doc: Doc, i: int) -> int | None:
    """The token after a title starting at token ``i``, or at the head word that ends it
    ("Trưởng Ban" + "Ban Quản lý ...", "Phó Tổng Thanh tra" + "Thanh tra Chính phủ")."""
    toks = doc.tokens
    t = doc.title_at(toks.starts[i])
    if not t:
        return None
    end = toks.at(t.end)
    for j in range(max(i + 1, end - 2), end):
        if (hit := _heads().longest(toks, j)) is not None and hit[0] >= end:
            return j
    return end


def _field_at(doc: Doc, j: int) -> tuple[OrgMention, int] | None:
    """A ministry written by its field at token ``j``, with a state after it if foreign."""
    toks = doc.tokens
    if j >= toks.n or not toks.texts[j][0].isupper():
        return None
    hit = books().fields.longest(toks, j)
    if hit is None:
        return None
    end, candidates = hit
    body = pick(candidates, doc.when)
    start, stop = toks.starts[j], toks.ends[end - 1]
    if (country := _country_at(toks, end)) and not _vietnam(country[0]):
        return OrgMention(start, toks[country[1] - 1].end, f"Bộ {body.field} {country[0].name}", "foreign_government", None), country[1]
    if _is_vietnam_at(toks, end):
        end, stop = end + 2, toks.ends[end + 1]
    return OrgMention(start, stop, body.name, body.kind, None), end


# --------------------------------------------------------------------------- known bodies


def _known_at(doc: Doc, i: int) -> tuple[list[OrgMention], int] | None:
    toks = doc.tokens
    t = toks[i]
    b = books()
    hit = b.names.longest(toks, i)
    end = None
    if hit and _printed_like_a_name(toks, i, hit[0]):
        end, candidates = hit
    elif t.text in b.acronyms and _stands_alone(toks, i):
        end, candidates = i + 1, b.acronyms[t.text]
    if end is None:
        return None
    body = pick(candidates, doc.when)
    printed = t.text if end == i + 1 and t.text in b.acronyms else None
    if printed is None and body.kind not in _STATE and body.kind != "ministry" and not _covers(doc, i, end, body.name):
        printed = _surface(doc, list(range(i, end)))  # "Đại học Kinh tế - Luật", "General Electric": what the article calls it
    start, stop = t.start, toks.ends[end - 1]
    if body.kind == "ministry" and body.name.startswith("Bộ ") and (country := _country_at(toks, end)):
        # "Bộ Xây dựng Lào": that state's ministry, named as printed
        c, cend = country
        if _vietnam(c):
            return [OrgMention(start, toks.ends[cend - 1], body.name, body.kind, None)], cend
        return [OrgMention(start, toks.ends[cend - 1], f"{_surface(doc, list(range(i, end)))} {c.name}", "foreign_government", None)], cend
    if not body.country and body.kind in _NATIONAL and _is_vietnam_at(toks, end):
        stop, end = toks.ends[end + 1], end + 2  # "Bộ Xây dựng Việt Nam" is the Bộ Xây dựng
    mentions = [OrgMention(start, stop, body.name, body.kind, body.province, printed=printed)]
    return mentions + _parents_inside(doc, i, end), end


def _covers(doc: Doc, i: int, end: int, canonical: str) -> bool:
    """Whether the words printed hold the canonical name's words, but for "và" and marks:
    a spelling of the name, not a shorter one."""
    printed = {doc.tokens.keys[j] for j in range(i, end)}
    wanted = set(keys(canonical)) - {"và", "-", ","}
    return len(printed & wanted) >= 0.8 * len(wanted)


def _parents_inside(doc: Doc, i: int, end: int) -> list[OrgMention]:
    """"Trường Đại học Bách khoa - Đại học Quốc gia TP HCM": a parent named inside a known
    name, after a dash, is a body of its own too."""
    toks = doc.tokens
    for j in range(i + 1, end - 1):
        if toks.texts[j] == "-" and (hit := _org_at_token(doc, j + 1)) is not None and hit[1] <= end:
            return [hit[0][0]]
    return []


def _printed_like_a_name(toks: Tokens, i: int, end: int) -> bool:
    """A known name written in lowercase counts only beside a capital ("bộ KH & CN"), and
    never inside a compound ("tiến bộ khoa học và công nghệ")."""
    if toks.texts[i][0].isupper():
        return True
    prev = toks.get(i - 1)
    if prev is not None and prev.key in ("tiến", "bộ", "toàn", "đồng", "cán", "nội", "thông"):
        return False
    if toks.keys[i] not in _LOWER_FIRST:
        return False  # "thanh tra Bộ ...": a verb and its object
    return end - i >= 2 and any(toks.texts[j][0].isupper() for j in range(i + 1, end))


# first words of names news prints in lowercase ("bộ KH & CN", "tập đoàn Vingroup")
_LOWER_FIRST = frozenset({"bộ", "tập", "công", "tổng", "viện", "trường", "đại", "ngân", "sở"})


def _stands_alone(toks: Tokens, i: int) -> bool:
    """An acronym names a body unless it is part of a code or a model ("ISO 9001", "VB-01")."""
    nxt = toks.get(i + 1)
    return not (nxt is not None and (nxt.text[0].isdigit() or nxt.text == "-" and (n2 := toks.get(i + 2)) is not None and n2.text[0].isdigit()))


def _country_at(toks: Tokens, i: int) -> tuple[Country, int] | None:
    """A state named at token ``i`` ("Hàn Quốc", "nước Đại hàn Dân quốc")."""
    j = i + 1 if (t := toks.get(i)) is not None and t.key == "nước" else i
    if j >= toks.n or not toks.texts[j][0].isupper():
        return None
    hit = books().countries.longest(toks, j)
    if not hit:
        return None
    end, country = hit
    if country.short and (_continues_name(toks, end) or ((nxt := toks.get(end)) is not None and nxt.is_lower and nxt.key not in _AFTER_A_STATE)):
        return None  # "Anh Tuấn", "Nga Sơn", "Pháp ngữ": a name or a word, not the state
    return country, end


# words that may follow a state's name in a sentence ("Bộ Y tế Lào và ...")
_AFTER_A_STATE = frozenset({"và", "với", "tại", "đã", "sẽ", "cho", "về", "là", "có", "cùng", "trong", "của", "ở", "đến", "từ"})


def _continues_name(toks: Tokens, i: int) -> bool:
    t = toks.get(i)
    return t is not None and t.is_cap and t.is_word


def _vietnam(c: Country) -> bool:
    return c.name == "Việt Nam"


def _is_vietnam_at(toks: Tokens, i: int) -> bool:
    a, b = toks.get(i), toks.get(i + 1)
    return a is not None and b is not None and (a.key, b.key) == _VIETNAM and a.is_cap


# --------------------------------------------------------------------------- head + name


def _headed_at(doc: Doc, i: int) -> tuple[list[OrgMention], int] | None:
    toks = doc.tokens
    hit = _heads().longest(toks, i)
    if hit is None:
        return None
    head_end, head = hit
    first = toks[i]
    if not first.is_cap and not (head.lower and (_continues_name(toks, head_end) or any(toks.texts[k][0].isupper() for k in range(i + 1, head_end)))):
        return None
    if _head_is_name_word(doc, i, head_end) or _inside_personal_name(toks, i):
        return None
    if _is_title_here(doc, i, head_end):
        return None  # "Tỉnh ủy viên", "Viện trưởng": a title, not the body
    start = first.start
    if head.bare:
        country = _country_at(toks, head_end)
        if country and not _vietnam(country[0]):
            c, cend = country
            return [OrgMention(start, toks.ends[cend - 1], f"{head.word} {c.name}", "foreign_government", None)], cend
        if country:  # "Chính phủ Việt Nam"
            return [OrgMention(start, toks[country[1] - 1].end, head.word, head.kind, None)], country[1]
        return [OrgMention(start, toks.ends[head_end - 1], head.word, head.kind, None)], head_end
    if head.place_only or head.names:
        return _listed(doc, i, head_end, head)
    scan = _scan(doc, head_end, head)
    if scan.words and scan.place is None and scan.country is None and _after_title(doc, i):
        _drop_trailing_name(toks, scan)
    words = scan.words
    if not words and scan.place is None and scan.country is None:
        if head.implied and doc.province is not None:
            return [OrgMention(start, toks.ends[head_end - 1], f"{head.word} {_locality(head, doc.province)}", head.kind, doc.province.name)], head_end
        # "Giám đốc Sở", "lãnh đạo Viện Hàn lâm": the head alone, resolved against the article
        return [OrgMention(start, toks.ends[head_end - 1], head.word, head.kind, None, head_only=True)], head_end
    if words and not _named(toks, words, scan, head):
        return None
    if not first.is_cap and not any(_brand_token(toks[w]) for w in words):
        return None  # "trở thành tập đoàn Công nghệ - Công nghiệp": a description, not a name
    if head.sub and words and toks[words[0]].is_cap and _vocabulary()[0].longest(toks, words[0]) is None:
        return None  # "Phòng Thành", "Khoa Điềm": a proper name, not a unit's
    mentions = []
    name = f"{head.word} {_surface(doc, words)}" if words else head.word
    kind, prov = head.kind, None
    if scan.country is not None:
        if not _vietnam(scan.country):
            name, kind = f"{name} {scan.country.name}", "foreign_government"
    elif scan.place is None and head.local and _of_many_places(toks, scan.end):
        return None  # "Công an các tỉnh": one kind of body in many places
    elif scan.place is not None or head.local:
        kind, prov, locality = _place(head, scan.place, doc.province)
        if head.local and locality is None and prov is None:
            return None  # "công an" in general
        if locality:
            name = f"{name} {locality}"
    if scan.parent is not None:
        name = f"{name} {scan.parent.name}"
        mentions.append(scan.parent)
    end_offset = toks.ends[scan.end - 1]
    mentions.insert(0, OrgMention(start, end_offset, name, kind, prov if prov else (scan.parent.province if scan.parent else None)))
    return mentions, scan.end


def _of_many_places(toks: Tokens, i: int) -> bool:
    """"các tỉnh", "63 tỉnh, thành phố", "những địa phương" at token ``i``."""
    second = toks.get(i + 1)
    return second is not None and second.key in _PLACE_CLASSES and _plural_before(toks, i + 1)


# the words for a class of localities
_PLACE_CLASSES = frozenset({"tỉnh", "thành", "địa", "quận", "huyện", "xã", "vùng", "miền"})


def _brand_token(t) -> bool:
    """A brand or acronym: a capitalised word no Vietnamese syllable is spelt like ("Vingroup", "CLS")."""
    return t.is_cap and (not is_syllable(t.text) or t.is_acronym)


def _inside_personal_name(toks: Tokens, i: int) -> bool:
    """"Đặng Trường Giang", "Nguyễn Khoa Điềm": a head word after a family name is a name."""
    prev = toks.get(i - 1)
    return prev is not None and prev.is_cap and prev.text in surnames() and toks.texts[i][0].isupper()


def _after_title(doc: Doc, i: int) -> bool:
    """The body follows a title ("Chủ tịch Ủy ban ... Kim Hyun Chul")."""
    toks = doc.tokens
    if i == 0 or toks.ends[i - 1] == toks.starts[i]:
        return False
    return any((t := doc.title_at(toks.starts[j])) and t.end == toks.ends[i - 1] for j in range(max(0, i - 6), i))


def _drop_trailing_name(toks: Tokens, scan: "_Scan") -> None:
    """"TITLE BODY NAME": a foreign or Vietnamese personal name that closed the body's
    name is the person's, not the body's."""
    words = scan.words
    for k in range(max(1, len(words) - 4), len(words) - 1):
        tail = [toks[w] for w in words[k:]]
        if not all(t.is_cap and t.is_word and not t.text[0].isdigit() for t in tail) or toks[words[k - 1]].text == "-":
            continue
        if toks.keys[words[k - 1]] in _LEGAL_FORM_KEYS:
            return  # "Giám đốc Công ty TNHH Lê Hoàng": after a legal form comes the brand
        foreign = any(not is_syllable(t.text) for t in tail)
        if foreign or tail[0].text in surnames():
            scan.words = words[:k]
            scan.end = words[k]
            return


def _is_title_here(doc: Doc, i: int, head_end: int) -> bool:
    t = doc.title_at(doc.tokens.starts[i])
    return t is not None and t.end > doc.tokens.ends[head_end - 1]


def _named(toks: Tokens, words: list[int], scan: "_Scan", head: Head) -> bool:
    """A name must name: start with a capital, or, in lowercase, carry something proper
    ("Trung tâm vệ tinh quốc gia", "Viện nghiên cứu Viettel"), not describe ("Viện nghiên
    cứu trong nước")."""
    first = toks[words[0]]
    if first.is_cap or first.text[0].isdigit() or head.brand or head.local:
        return True
    if scan.place or scan.country:
        return True
    return any(toks.texts[w][0].isupper() for w in words) or _ends_defined(toks, words)


_DEFINERS = frozenset({("quốc", "gia"), ("quốc", "tế"), ("thế", "giới"), ("trung", "ương")})


def _ends_defined(toks: Tokens, words: list[int]) -> bool:
    return len(words) >= 2 and (toks[words[-2]].key, toks[words[-1]].key) in _DEFINERS


def _surface(doc: Doc, words: list[int]) -> str:
    """The words of a name as printed (in the shadow), spaces made single."""
    if not words:
        return ""
    return " ".join(doc.s[doc.tokens[words[0]].start : doc.tokens[words[-1]].end].split())


@dataclass
class _Scan:
    words: list[int]
    end: int  # token index after the name, its place and its parent
    place: "_Place | None" = None
    country: Country | None = None
    parent: OrgMention | None = None


def _scan(doc: Doc, j: int, head: Head) -> _Scan:
    """The words of a name after its head, where it ends, and what closes it."""
    toks = doc.tokens
    vocab, stop_words, stop_pairs = _vocabulary()
    start = j
    words: list[int] = []
    capital_words = 0  # capitalised words so far: two and no lowercase one is title case
    lowered = False
    proper = False  # the name has reached a brand, an acronym or a number
    n = toks.n
    while j < n and len(words) < _MAX_WORDS:
        t = toks[j]
        if "\n" in doc.s[toks.ends[j - 1] : t.start]:
            break  # a caption or a heading ends where its line does
        if (place := _place_at(doc, j)) is not None:
            return _Scan(_trim(toks, words), place[0], place=place[1])
        if (words or head.kind in ("ministry", "other")) and (country := _country_at(toks, j)):
            if not _vietnam(country[0]) or head.kind in _STATE:
                return _Scan(_trim(toks, words), country[1], country=country[0])
            # "Công ty Coca - Cola Việt Nam", "Hiệp hội ... hàng Việt Nam chất lượng cao": part of the name
            words.extend(range(j, country[1]))
            j = country[1]
            capital_words += 1
            continue
        if not t.is_word:
            if t.text == "-" and words and _joins(doc, j + 1):
                words.append(j)
                j += 1
                continue
            if t.text == "," and words and (k := _enumeration(doc, j, head)):
                words.extend(range(j, k))
                j = k
                continue
            break
        if t.is_cap or t.text[0].isdigit():
            branded = head.brand and words and toks.keys[words[-1]] in _LEGAL_FORM_KEYS and not doc.title_at(t.start)
            if (words or t.text in surnames()) and not branded and _starts_entity(doc, j):
                if words and head.sub and (parent := _org_at_token(doc, j)):
                    return _Scan(_trim(toks, words), parent[1], parent=parent[0][0])
                break
            phrase = vocab.longest(toks, j)
            step = phrase[0] if phrase else j + 1
            if not phrase and _word_tail(doc, j, stop_words, stop_pairs):
                step = j + 2  # "Gặp gỡ", "Điều hành": a word's second syllable is written in lowercase
            if any(toks.texts[k] == "," for k in range(j, step)):
                lowered = True  # "Giám sát, thẩm định": a list in sentence case
            if not phrase and not is_syllable(t.text) and t.text not in _LEGAL_FORMS:
                proper = True
            if t.text[0].isdigit():
                proper = True
            capital_words += 1
            words.extend(range(j, step))
            j = step
            continue
        # lowercase
        if t.key == "về" and words and (lowered or capital_words < 2) and not proper and (after := vocab.longest(toks, j + 1)):
            lowered = True  # "Viện Đào tạo quốc tế về khoa học vật liệu"
            words.extend(range(j, after[0]))
            j = after[0]
            continue
        if head.brand and words and toks[words[-1]].text in _LEGAL_FORMS and (brand := _brand_after(doc, j)):
            words.extend(range(j, brand))  # "Công ty TNHH sản xuất và thương mại Tân Á"
            j = brand
            continue
        pair = (t.key, toks.keys[j + 1]) if j + 1 < n else None
        phrase = vocab.longest(toks, j)
        if (t.key in stop_words or pair in stop_pairs) and not (_multiword(phrase, j) and pair not in stop_pairs):
            break
        if t.key == "và":
            if words and _and_continues(doc, j + 1, lowered or capital_words < 2):
                words.append(j)
                j += 1
                continue
            break
        if proper or (capital_words >= 2 and not lowered and not _runs_to_boundary(doc, j)):
            break
        if phrase is None:
            break
        lowered = True
        words.extend(range(j, phrase[0]))
        j = phrase[0]
    words = _trim(toks, words)
    if head.brand:
        while words and toks[words[-1]].is_lower:
            words.pop()  # an enterprise's name ends at its brand
    return _Scan(words, words[-1] + 1 if words else start)


# where a name may end: punctuation, or a word that follows a body's name
_BOUNDARY_KEYS = frozenset({",", ".", ";", ":", "(", ")", "-", "của", "tại", "thuộc", "đã", "sẽ", "cho", "với"})


def _runs_to_boundary(doc: Doc, j: int) -> bool:
    """Name words in lowercase after a title-case name go on to where a name may end ("Ban
    quản lý Dự án Đầu tư xây dựng chuyên ngành khoa học và công nghệ,"): they are its tail in
    sentence case, not the sentence going on ("Bộ Khoa học Công nghệ tổ chức hội thảo")."""
    toks, vocab = doc.tokens, _vocabulary()[0]
    while j < toks.n:
        if toks.keys[j] in _BOUNDARY_KEYS:
            return True
        if toks.keys[j] == "và":
            j += 1
            continue
        phrase = vocab.longest(toks, j)
        if phrase is None or not toks.texts[j][0].islower():
            return False
        j = phrase[0]
    return True


def _brand_after(doc: Doc, j: int) -> int | None:
    """After an enterprise's legal form, lowercase words up to its capitalised brand: the
    index of the brand's first word, if one comes within a few words."""
    toks = doc.tokens
    for k in range(j, min(toks.n, j + 7)):
        t = toks[k]
        if not t.is_word or "\n" in doc.s[toks.ends[k - 1] : t.start]:
            return None
        if t.is_cap:
            return k if k > j else None
    return None


def _word_tail(doc: Doc, j: int, stop_words: frozenset[str], stop_pairs: frozenset[tuple[str, str]]) -> bool:
    """The lowercase syllable right after a capitalised Vietnamese one belongs to its word,
    unless it begins the sentence's verb ("Viện Pasteur cho biết" has no such word)."""
    toks = doc.tokens
    t, nxt = toks[j], toks.get(j + 1)
    if nxt is None or not nxt.is_lower or not is_syllable(t.text) or "\n" in doc.s[t.end : nxt.start]:
        return False
    after = toks.get(j + 2)
    pair = (nxt.key, after.key) if after is not None else None
    return nxt.key not in stop_words and pair not in stop_pairs and nxt.key not in ("và", "của", "về", "tại", "là", "có")


def _multiword(phrase: tuple[int, bool] | None, j: int) -> bool:
    """A name word of two or more words ("sau thanh tra") outweighs a stop word it starts with."""
    return phrase is not None and phrase[0] - j >= 2


def _trim(toks: Tokens, words: list[int]) -> list[int]:
    """No name ends on a joining word or mark."""
    while words and toks[words[-1]].key in ("và", "-", ",", "của", "về"):
        words.pop()
    return words


def _joins(doc: Doc, j: int) -> bool:
    """A dash inside a name ("Mỹ - ASEAN", "Coca - Cola", "Lao động - Thương binh"), not one
    before a second body or a title ("Cục Ngoại vụ - Bộ Ngoại giao")."""
    t = doc.tokens.get(j)
    return t is not None and t.is_cap and not _starts_entity(doc, j)


def _and_continues(doc: Doc, j: int, lowercase_ok: bool) -> bool:
    """"và" inside a name ("Ứng dụng và Phát triển công nghệ"), not between two bodies."""
    t = doc.tokens.get(j)
    if t is None:
        return False
    if t.is_cap:
        return not _starts_entity(doc, j)
    vocab, _, _ = _vocabulary()
    return lowercase_ok and vocab.longest(doc.tokens, j) is not None


def _enumeration(doc: Doc, j: int, head: Head) -> int | None:
    """", thẩm định và xử lý sau thanh tra": a list inside a unit's name, ending before a
    parenthesis, a dash or the end of the clause. Returns the index after it."""
    if head.kind not in ("ministry", "ministry_unit", "institute", "other", "international_org"):
        return None
    toks = doc.tokens
    vocab, stop_words, _ = _vocabulary()
    k, saw_and = j + 1, False
    while k < toks.n:
        t = toks[k]
        if t.key in ("và", ","):
            saw_and = saw_and or t.key == "và"
            k += 1
            continue
        phrase = vocab.longest(toks, k)
        if not t.is_word or (t.key in stop_words and not _multiword(phrase, k)) or (t.is_cap and _starts_entity(doc, k)):
            break
        if phrase is None and not t.is_cap:
            break
        k = phrase[0] if phrase else k + 1
    nxt = toks.get(k)
    closes = nxt is None or nxt.text in ("(", "-", ".", ";", ")", ":") or nxt.key in _CLAUSE_VERBS
    return k if saw_and and closes and toks.keys[k - 1] not in ("và", ",") else None


# what follows a subject: the end of a list inside a name
_CLAUSE_VERBS = frozenset({"tổ", "cho", "là", "làm", "đã", "sẽ", "có", "được", "đang", "vừa", "cùng", "với", "tại", "ký", "phối", "chủ"})


@remembered
def _starts_entity(doc: Doc, j: int) -> bool:
    """A second body, a title, an address word or a person begins at token ``j``."""
    t = doc.tokens[j]
    s, at = doc.s, t.start
    if _heads().longest(doc.tokens, j) and t.is_cap and not _is_title_here(doc, j, j + 1):
        hit = _heads().longest(doc.tokens, j)
        return hit is not None and not _head_is_name_word(doc, j, hit[0])
    if books().names.longest(doc.tokens, j) and t.is_cap:
        prev = doc.tokens.get(j - 1)
        # "Ủy ban Liên Chính phủ": a known name glued to a capitalised word is part of the name
        return prev is None or not (prev.is_cap and prev.is_word)
    return bool(doc.title_at(at) or address_re().match(s, at) or _person_at(s, at))


def _head_is_name_word(doc: Doc, j: int, end: int) -> bool:
    """"Hội" in "Hiệp hội", "Khoa" in "Khoa học": a head word that is part of a longer word."""
    nxt = doc.tokens.get(end)
    return doc.tokens.keys[j] == "khoa" and nxt is not None and nxt.key == "học"


def _person_at(s: str, at: int) -> bool:
    m = name_run_re().match(s, at)
    return m is not None and looks_like_full_name(m.group()) and not gazetteer.province_name_re().match(s, at)


def _listed(doc: Doc, i: int, head_end: int, head: Head) -> tuple[list[OrgMention], int] | None:
    """A head whose names form a closed list ("Sở" + a department) or that only a place
    follows ("Tỉnh ủy Yên Bái")."""
    toks = doc.tokens
    j = head_end
    words: list[int] = []
    department = None
    if head.names and (m := _department_at(doc, j, head.names)):
        words, department = list(range(j, m[0])), m[1]
        j = m[0]
    place = _place_at(doc, j)
    start = toks.starts[i]
    if place is None and head.local and _of_many_places(toks, j):
        return None  # "Sở Khoa học và Công nghệ các tỉnh phía Bắc": one kind of body in many places
    if place is None:
        if head.implied and doc.province is not None and not words:
            return [OrgMention(start, toks.ends[head_end - 1], f"{head.word} {_locality(head, doc.province)}", head.kind, doc.province.name)], head_end
        if not words:
            return [OrgMention(start, toks.ends[head_end - 1], head.word, head.kind, None, head_only=True)], head_end
    name_words = [head.word, department or _surface(doc, words)] if words else [head.word]
    kind, prov, locality = _place(head, place[1] if place else None, doc.province)
    if head.local and locality is None and prov is None:
        return None
    end = place[0] if place else j
    name = " ".join(name_words + ([locality] if locality else []))
    return [OrgMention(start, toks.ends[end - 1], name, kind, prov)], end


@cache
def _name_lists() -> dict[str, PhraseBook[str]]:
    spec = load("organizations")
    return {h["names"]: PhraseBook((expand(n), n) for n in spec[h["names"]]) for h in spec["heads"] if h.get("names")}


def _department_at(doc: Doc, j: int, names: str) -> tuple[int, str] | None:
    """A province's department by its name ("Sở Nội vụ") or, as news shortens it, by the
    field of the ministry it answers to ("Sở Khoa học công nghệ", "Sở Khoa học"). The name
    is capitalised: "hỗ trợ Sở xây dựng kế hoạch" is a verb after the department."""
    if j >= doc.tokens.n or not doc.tokens.texts[j][0].isupper():
        return None
    own = _name_lists()[names].longest(doc.tokens, j)
    field = books().fields.longest(doc.tokens, j)
    if field and (own is None or field[0] > own[0]) and (name := pick(field[1], doc.when).field):
        return field[0], name
    return own


# --------------------------------------------------------------------------- places


@dataclass(frozen=True)
class _Place:
    type: str | None  # the type word as printed (lowercased), or None for a bare province name
    province: gazetteer.Province | None
    text: str  # "tỉnh Cao Bằng", "thị xã Quảng Yên", "thành phố" (implied)
    district: bool = False  # below the province: "thị xã Quảng Yên", "thành phố Hạ Long"


@remembered
def _place_at(doc: Doc, j: int) -> tuple[int, _Place] | None:
    """A place written at token ``j``: "tỉnh Cao Bằng", "Quảng Ninh", "thị xã Quảng Yên", "thành phố"."""
    toks, s = doc.tokens, doc.s
    if j >= toks.n:
        return None
    at = toks.starts[j]
    if toks.texts[j][0].isupper() and (p := gazetteer.province_name_re().match(s, at)):
        prov = gazetteer.province_lookup(p.group())
        return toks.at(p.end()), _Place(None, prov, p.group())
    t = _PLACE_TYPE.match(s, at)
    if not t:
        return None
    type_word = t["t"].lower()
    rest_i = toks.at(t.end())
    if rest_i >= toks.n:
        return None
    rest = toks.starts[rest_i]
    if p := gazetteer.province_name_re().match(s, rest):
        prov = gazetteer.province_lookup(p.group())
        if prov and type_word in ("tỉnh", "thành phố"):
            return toks.at(p.end()), _Place(type_word, prov, f"{type_word} {p.group()}")
    if d := name_run_re().match(s, rest) or _ONE_WORD.match(s, rest):
        run = d.group()
        if type_word in _DISTRICT_TYPES | {"thành phố"} and (not starts_with_surname(run) or type_word != "thành phố"):
            prov = district_province(type_word, run)
            words = run.split()
            if prov or type_word in ("xã", "phường"):
                name = " ".join(words[: _district_words(type_word, words)])
                return toks.at(rest + len(name)), _Place(type_word, prov, f"{type_word} {name}", district=True)
    if type_word in ("tỉnh", "thành phố"):
        return toks.at(t.end()), _Place(type_word, None, type_word)  # implied: the article's province
    return None


def _district_words(type_word: str, words: list[str]) -> int:
    for n in range(len(words), 0, -1):
        if gazetteer.districts_named(f"{type_word} {' '.join(words[:n])}"):
            return n
    return len(words)


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
        return kind, place.province.name, _printed_place(place)
    return kind, place.province.name, _locality(head, place.province)


def _printed_place(place: _Place) -> str:
    # "Thành phố Hồ Chí Minh" is how the shadow spells "TP HCM"; names write it in lowercase
    return place.text.replace("Thành phố", "thành phố", 1) if place.text.startswith("Thành phố ") else place.text


def _locality(head: Head, p: gazetteer.Province) -> str:
    # a province's own committees are named without a type word: "Tỉnh ủy Cao Bằng", "Tỉnh Đoàn Đắk Lắk"
    return p.name if head.word.startswith(("Tỉnh", "Thành", "Huyện")) else gazetteer.display(p)


# --------------------------------------------------------------------------- ellipses


def _with_ellipses(doc: Doc, mentions: list[OrgMention]) -> list[OrgMention]:
    """"UBND TP Hà Nội, TP HCM", "Đại học Bách khoa Hà Nội và TP HCM": the same head with a
    second place is a second body."""
    toks = doc.tokens
    out = list(mentions)
    for m in mentions:
        if not m.province:
            continue
        j = toks.at(m.end)
        while (sep := toks.get(j)) is not None and sep.key in (",", "và"):
            place = _place_at(doc, j + 1)
            if place is None or place[1].province is None or place[1].district:
                break
            prov = place[1].province
            stem = _without_place(m.name, m.province)
            if stem is None:
                break
            out.append(OrgMention(toks.starts[j + 1], toks[place[0] - 1].end, f"{stem} {gazetteer.display(prov)}", m.kind, prov.name))
            j = place[0]
    return out


def _without_place(name: str, province: str) -> str | None:
    for suffix in (f" thành phố {province}", f" tỉnh {province}", f" Thành phố {province}", f" {province}"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return None


# --------------------------------------------------------------------------- the component


def resolve_bare(mentions: list[OrgMention], doc: Doc) -> list[OrgMention]:
    """A head written alone stands for the organization of that head the article names most.

    "Giám đốc Sở" in a Cao Bằng article is the Sở KH&CN tỉnh Cao Bằng; "Huyện ủy" beside
    "huyện Hương Sơn" is Huyện ủy Hương Sơn. Where the article names none, the head is dropped.
    """
    out, targets = [], {}  # by head: the same answer for every bare mention of it
    for m in mentions:
        if m.head_only:
            if m.name not in targets:
                targets[m.name] = _most_named(mentions, m.name, doc.province) or _default(doc.s, m.name, doc.province)
            target = targets[m.name]
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
    counts: dict[tuple[str, str | None], int] = {}
    for n in named:
        counts[n] = counts.get(n, 0) + 1
    own = province.name if province else None
    order = {n: i for i, n in reversed(list(enumerate(named)))}
    return max(counts, key=lambda n: (counts[n], n[1] == own, -order[n]))


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
    mentions = resolve_bare(find_orgs(doc), doc)
    mentions = _without_venues(doc, with_short_names(doc, mentions))
    return merge_orgs(doc, mentions)


_EVENT_HERE = re.compile(r"(?:diễn ra|tổ chức|khai mạc|bế mạc|cuộc trao đổi|gặp gỡ|hội thảo|hội nghị|lễ|triển lãm)[^.;]*?\btại\s+$", re.IGNORECASE)


def _without_venues(doc: Doc, mentions: list[OrgMention]) -> list[OrgMention]:
    """A body named only as the place a happening is held ("sẽ diễn ra tại Đại học FPT") is a
    venue, not an organization of the news."""
    def venue(m: OrgMention) -> bool:
        if not doc.s[max(0, m.start - 5) : m.start].rstrip().endswith("tại"):
            return False
        a, _ = doc.sentence_of(m.start)
        return bool(_EVENT_HERE.search(doc.s, a, m.start))
    named_elsewhere = {m.name for m in mentions if not venue(m)}
    return [m for m in mentions if m.name in named_elsewhere]


_DEFINED_AS = re.compile(r"\s*\((?P<a>[A-ZĐ][A-Za-z0-9Đ&\-]{1,11})\)")
_DEFINED_DASH = re.compile(r"\s*[-–]\s*(?P<a>[A-Z][A-Za-z]+(?: [A-Z][A-Za-z]+)?)(?![\wÀ-ỹ])")


def with_short_names(doc: Doc, mentions: list[OrgMention]) -> list[OrgMention]:
    """The mentions, with the later ones by a shorter name the article has given: an acronym
    defined after the name (``Viện Khoa học và Công nghệ Hàn Quốc (KIST)``, ``Ngân hàng Thế
    giới - World Bank``) or an enterprise's brand (``Tập đoàn Vingroup`` → ``Vingroup``,
    ``Công ty cổ phần trí tuệ nhân tạo AMI`` → ``AMI``)."""
    s = doc.s
    defined: dict[str, OrgMention] = {}
    for m in mentions:
        d = _DEFINED_AS.match(s, m.end)
        if d is None and (d := _DEFINED_DASH.match(s, m.end)) and _is_vietnamese_name(d["a"]):
            d = None
        if d and d["a"] not in defined and not _place_or_country(d["a"]):
            defined[d["a"]] = m
        for brand in _brands(m):
            defined.setdefault(brand, m)
    # an acronym the article defines is its own, whatever a body elsewhere is called by it
    kept = [m for m in mentions if not (m.printed in defined and defined[m.printed].name != m.name and m.printed not in _brands(defined[m.printed]))]
    taken = bytearray(len(s) + 1)  # offsets already inside a mention: a look-up, not a scan of every mention
    for m in kept:
        taken[m.start : m.end] = b"\x01" * (m.end - m.start)
    found = []
    for alias, org in defined.items():
        for at in _word_occurrences(s, alias):
            if not taken[at]:
                found.append(replace(org, start=at, end=at + len(alias)))
                taken[at : at + len(alias)] = b"\x01" * len(alias)
    return kept + found


def _word_occurrences(s: str, word: str) -> list[int]:
    """Where ``word`` is printed as a whole word ("KIST", not the "KIST" of "VKIST")."""
    found, at = [], s.find(word)
    while at != -1:
        before, after = s[at - 1 : at] if at else "", s[at + len(word) : at + len(word) + 1]
        if not _JOINS_WORD.match(before) and not _JOINS_WORD.match(after):
            found.append(at)
        at = s.find(word, at + 1)
    return found


_JOINS_WORD = re.compile(r"[\w&-]")


def _brands(m: OrgMention) -> list[str]:
    """The names an enterprise goes by without its head: "Vingroup", "Coca - Cola Việt Nam",
    "Coca - Cola", "AMI"."""
    if m.kind != "enterprise":
        return []
    head = next((h for h in ("Tổng công ty", "Tập đoàn", "Công ty") if m.name.startswith(h + " ")), None)
    if head is None:
        return []
    rest = m.name[len(head) + 1 :]
    words = rest.split()
    out = []
    if words[0][0].isupper() and not is_syllable(words[0]) or words[0].isupper():
        out.append(rest)
        if rest.endswith(" Việt Nam"):
            out.append(rest.removesuffix(" Việt Nam"))
    last = words[-1]
    if len(words) > 1 and (last.isupper() and len(last) >= 2 or not is_syllable(last) and last[0].isupper()):
        out.append(last)
    return [b for b in out if len(b) >= 2]


def _is_vietnamese_name(words: str) -> bool:
    return all(is_syllable(w) for w in words.split())


def _place_or_country(word: str) -> bool:
    return bool(gazetteer.province_lookup(word)) or books().countries.longest(Tokens(word), 0) is not None


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
    renamed.update(_brand_only(mentions, orgs))
    doc.orgs = sorted((m if m.name not in renamed else replace(m, name=renamed[m.name]) for m in mentions), key=lambda o: o.start)
    return orgs


def _brand_only(mentions: list[OrgMention], orgs: list[Organization]) -> dict[str, str]:
    """A body the article names only by its acronym or brand goes by it ("FPT", "Viettel")."""
    printed: dict[str, list[str | None]] = {}
    for m in mentions:
        printed.setdefault(m.name, []).append(m.printed)
    renamed = {}
    for org in orgs:
        forms = printed.get(org.name, [])
        spelled = [f for f in forms if f]
        if forms and len(spelled) == len(forms):
            renamed[org.name] = org.name = max(spelled, key=len)
    return renamed


def _key(m: OrgMention) -> str:
    """Names that differ only by case, tone placement or the type word before their province are one name."""
    name = m.name
    if m.province and name.endswith(" " + m.province):
        stem = name[: -len(m.province)].rstrip()
        stem = re.sub(r"\s(?:tỉnh|thành phố|Thành phố)$", "", stem)
        name = f"{stem} {m.province}"
    return " ".join(keys(name))


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

