"""People and their positions.

News introduces a person in a few shapes, each carrying positions:
  * title (and body) before the name: ``Thứ trưởng Bộ KH&CN Nguyễn Hoàng Giang``,
    ``Bộ trưởng Khoa học và Công nghệ Chu Ngọc Anh``, ``Tổng thống Hàn Quốc Moon Jae In``,
    ``Bộ trưởng, Chủ nhiệm Văn phòng Chính phủ Mai Tiến Dũng`` (one combined title);
  * an address word or honorific, the name, an appositive chain: ``ông Nguyễn Tuấn Khải,
    Cục trưởng An toàn bức xạ và hạt nhân, Bộ KH&CN``, ``bà Irina Bokova``;
  * a bare Vietnamese name, with a chain (``Nguyễn Văn A - Giám đốc Sở KH&CN -``) or alone.
A Vietnamese name begins with a family name; a name after a title or an address word may
be foreign (``Mahathir Mohamad``, ``Kim Hyun Chul``): a run of capitalised words with one
that no Vietnamese syllable is spelt like. A later short reference (``ông Dũng``, ``Thứ
trưởng Tùng``, ``bà Irina``) is the person named in full whose name it ends or, for a
foreign name, contains; it adds positions, never a new person.

A title names its body when the article makes it certain: the body printed after it, a
ministry's field (``Bộ trưởng Y tế``), a unit's name (``Vụ trưởng Tổ chức cán bộ``), a
state (``Thủ tướng Malaysia``), the national body of a Vietnamese national post (``Thủ
tướng`` → ``Thủ tướng Chính phủ``), the body that ends the appositive chain (``giám đốc,
đồng sáng lập AMI``), the clause's body of that kind (``Viện X có ông Y, Viện trưởng``) or,
for a minister, the one ministry the article is about.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache

from hoptac.extract.bodies import books
from hoptac.extract.doc import Doc, OrgMention, remembered, skip_blanks
from hoptac.extract.lexicon import alternation, load
from hoptac.extract.organizations import names_a_kind_of_body
from hoptac.extract.patterns import L, R, former_re, honorific_re, looks_like_full_name, not_names, surnames, words_re
from hoptac.extract.tokens import Leads, Tokens, first_keys, leads
from hoptac.extract import gazetteer
from hoptac.records import Person, Position
from hoptac.text.decode import is_syllable
from hoptac.text.letters import NAME_WORD

_FIRST_SEP = re.compile(r"(?:[ \t]*\((?:giữa|trái|phải|đứng|ngồi|thứ)[^()]{0,30}\))?[ \t]*(?:,|[-–—]|\()[ \t]*")
_DASH = re.compile(r"[ \t]+[-–—][ \t]+")
_NEXT_SEP = re.compile(r"[ \t]*(?:,|;)?[ \t]*(?:kiêm[ \t]+)?|[ \t]*,[ \t]*")
_KIEM = re.compile(r"[ \t]+kiêm[ \t]+")
# "phụ trách Dự án X": the project a post is in charge of
_CHARGE = re.compile(r"[ \t]+(?P<what>(?:dự án|chương trình|đề án|Dự án|Chương trình|Đề án)[ \t]+[A-ZĐ][\wÀ-ỹ]*)")
_COMMA = re.compile(r"[ \t]*,[ \t]*")
_INTRO = re.compile(r"(?:[Vv]ề phía|[Pp]hía|[Đđ]ại diện|[Tt]ừ phía)\s+")
_ACRONYM_AFTER = re.compile(r"[ \t]*\([A-ZĐ][A-Za-z0-9Đ&\-]{1,11}\)")
_GAP = re.compile(r"[ \t]+")
_NAME_TOKEN = re.compile(rf"{NAME_WORD}(?![\wÀ-ỹ])")
_MAX_NAME = 5


@cache
def _spec() -> dict:
    return load("titles")


@cache
def _foreign_org_words() -> frozenset[str]:
    return frozenset(load("organizations")["foreign_org_words"])  # (the words, without their kinds)


@cache
def _title_sets() -> tuple[frozenset[str], dict[str, str], dict[str, str], frozenset[str], dict[str, str], dict[str, str]]:
    spec = _spec()
    return (
        frozenset(t.casefold() for t in spec["party"]),
        spec["member"],
        spec["head_of"],
        frozenset(spec["field_titles"]),
        spec["unit_titles"],
        spec["national"],
    )


@cache
def _complete_titles() -> frozenset[str]:
    return frozenset(_spec()["complete"])


@cache
def _qualifier_re() -> re.Pattern:
    return re.compile(rf"[ \t]+(?P<q>{alternation(_spec()['qualifiers'])}){R}")


@cache
def _acting_re() -> re.Pattern:
    return re.compile(rf"{L}{alternation(_spec()['acting'])}[ \t]+")


@cache
def _occupation_re() -> re.Pattern:
    return words_re(_spec()["occupations"])


# --------------------------------------------------------------------------- posts


@dataclass
class _Post:
    title: str  # canonical title word(s): "Phó Chủ tịch kiêm Tổng Giám đốc", "Bộ trưởng, Chủ nhiệm"
    org: OrgMention | None
    former: bool
    member_of: str | None = None  # "Tỉnh ủy" for "Tỉnh ủy viên"
    country: str | None = None  # "Tổng thống Hàn Quốc"
    qualifier: str | None = None  # "phụ trách Dự án FIRST"
    parents: list[OrgMention] = field(default_factory=list)  # a sub-unit's parents printed after it
    at: int = 0  # where the post is printed
    seat: str | None = None  # "tại Việt Nam": where a foreign body's post sits


@dataclass
class _Mention:
    start: int
    end: int
    name: str
    honorific: str | None
    posts: list[_Post] = field(default_factory=list)
    chain_orgs: list[OrgMention] = field(default_factory=list)  # every body the chain names
    short: bool = False  # a short reference ("ông Dũng"): joins a person named in full
    roster: bool = False  # a plural title before a list of names: each listed holds the posts


def _org_at(doc: Doc, pos: int) -> OrgMention | None:
    """The organization the article names at ``pos``, as it was resolved."""
    return doc.org_starting(pos)


def _post_at(doc: Doc, pos: int) -> tuple[_Post | None, int]:
    """A title at ``pos`` with what belongs to it: former/acting marks, joined titles, its body."""
    s = doc.s
    former = False
    if f := former_re().match(s, pos):
        former, pos = True, f.end()
    acting = None
    if a := _acting_re().match(s, pos):
        acting, pos = "Quyền", a.end()
    t = doc.title_at(pos)
    if not t:
        return None, pos
    titles = [t.name]
    end = t.end
    while (j := _KIEM.match(s, end)) and (t2 := doc.title_at(j.end())):
        titles.append(t2.name)
        end = t2.end
    title = " kiêm ".join(titles)
    if acting:
        title = f"Quyền {title[0].lower()}{title[1:]}" if not title.startswith("Quyền") else title
    post = _Post(title, None, former, at=pos)
    _, members, _, _, _, _ = _title_sets()
    if titles[-1] in members:
        post.member_of = members[titles[-1]]
        post.org = _implied_org(doc, members[titles[-1]])
        return post, end
    end = _take_qualifier(doc, post, end)
    gap = _GAP.match(s, end)
    at = end + gap.end() - gap.start() if gap else end
    if gap and (of := _OF.match(s, at)):
        at = of.end()  # "Giám đốc công nghệ của tập đoàn FPT"
    if gap and (org := _org_at(doc, at)):
        post.org = org
        end = org.end
    elif gap and (country := _country_at(doc, at)):
        post.country, end = country
    elif (org := _org_overlapping(doc, t.start, end)) is not None:
        post.org, end = org, org.end  # "Phó Tổng Thanh tra Chính phủ": the title ends inside the body's name
    if (post.org or post.country) and (seat := _SEAT.match(s, end)) and (where := _seat_at(doc, seat.end())):
        post.seat, end = where  # "Đại sứ Hàn Quốc tại Việt Nam", "Trưởng đại diện JICA tại Việt Nam"
    return post, end


_OF = re.compile(r"của[ \t]+(?=[A-ZĐÀ-Ỹ]|tập đoàn|công ty|tổng công ty)")
_SEAT = re.compile(r"[ \t]+tại[ \t]+")


def _seat_at(doc: Doc, pos: int) -> tuple[str, int] | None:
    """The state or province a foreign body's post sits in, written at ``pos``."""
    toks = doc.tokens
    i = toks.at(pos)
    hit = books().countries.longest(toks, i) if i < toks.n and toks.starts[i] == pos else None
    if hit:
        return hit[1].name, toks[hit[0] - 1].end
    if p := gazetteer.province_name_re().match(doc.s, pos):
        return p.group(), p.end()
    return None


def _org_overlapping(doc: Doc, start: int, end: int) -> OrgMention | None:
    """A body whose name begins inside the title and goes on after it."""
    return next((o for o in doc.orgs_starting_in(start + 1, end) if o.end > end), None)


def _take_qualifier(doc: Doc, post: _Post, end: int) -> int:
    """"Phó Giám đốc phụ trách", "Phó Giám đốc phụ trách dự án FIRST"."""
    q = _qualifier_re().match(doc.s, end)
    if not q:
        return end
    post.qualifier, end = q["q"].lower(), q.end()
    m = _CHARGE.match(doc.s, end)
    if m:
        what = m["what"]
        post.qualifier = f"{post.qualifier} {what[0].upper()}{what[1:]}"
        end += m.end()
    return end


def _country_at(doc: Doc, pos: int, short_ok: bool = True) -> tuple[str, int] | None:
    toks = doc.tokens
    i = toks.at(pos)
    if i >= toks.n or toks.starts[i] != pos or not toks.texts[i][0].isupper():
        return None
    hit = books().countries.longest(toks, i)
    if hit is None or hit[1].name == "Việt Nam":
        return None
    end, country = hit
    if country.short and not short_ok:
        return None
    nxt = toks.get(end)
    if country.short and nxt is not None and nxt.is_cap and _foreign_or_surname(nxt.text) is False:
        return None
    return country.name, toks.ends[end - 1]


def _foreign_or_surname(word: str) -> bool:
    return word in surnames() or not is_syllable(word)


def _implied_org(doc: Doc, head: str) -> OrgMention | None:
    """"Tỉnh ủy viên" in a Gia Lai article: the Tỉnh ủy Gia Lai."""
    if doc.province is None:
        return None
    return OrgMention(0, 0, f"{head} {doc.province.name}", "party_body", doc.province.name)


def _chain(doc: Doc, pos: int) -> tuple[list[_Post], list[OrgMention], int]:
    """The appositive positions after a name: ``, Ủy viên ..., Thứ trưởng Bộ KH&CN``;
    ``- thanh tra viên chính, trưởng Phòng nghiệp vụ 3, Vụ III, Thanh tra Chính phủ``."""
    s = doc.s
    posts: list[_Post] = []
    orgs: list[OrgMention] = []
    sep = _FIRST_SEP.match(s, pos)
    end = pos
    while sep:
        at = sep.end()
        post, post_end = _post_at(doc, at)
        if post is not None and _names_someone_else(doc, post_end):
            break  # ", Giám đốc Sở Z Nguyễn Văn B": that post is B's
        if post is not None:
            posts.append(post)
            if post.org:
                orgs.append(post.org)
            end = post_end
        elif posts and (org := _org_at(doc, at)):
            # "Cục trưởng ..., Bộ KH&CN": the body the previous post belongs to
            posts[-1].parents.append(org)
            orgs.append(org)
            end = org.end
        elif (occ := _occupation_re().match(s, at)) and posts:
            # "giám đốc, đồng sáng lập AMI": an occupation; its body still closes the chain
            after = _GAP.match(s, occ.end())
            org = _org_at(doc, occ.end() + (after.end() - after.start() if after else 0))
            if org is None:
                break
            orgs.append(org)
            end = org.end
        else:
            break
        sep = _COMMA.match(s, end) or _KIEM.match(s, end)
    return posts, orgs, end


def _abroad(post: _Post) -> bool:
    """A post in a foreign state ("Thủ tướng Lào", "Bộ trưởng Bộ Khoa học và Công nghệ Lào")."""
    return post.country is not None or (post.org is not None and post.org.kind == "foreign_government")


def _names_someone_else(doc: Doc, pos: int) -> bool:
    gap = _GAP.match(doc.s, pos)
    return gap is not None and _name_at(doc, gap.end(), True) is not None and not _is_short_at(doc, gap.end())


def _is_short_at(doc: Doc, pos: int) -> bool:
    named = _name_at(doc, pos, True)
    return named is None or _is_short(named[0], named[2])


# --------------------------------------------------------------------------- names


@remembered
def _name_at(doc: Doc, pos: int, foreign_ok: bool) -> tuple[str, int, bool] | None:
    """The personal name written at ``pos``: (name, end, foreign). Vietnamese names begin
    with a family name; foreign ones need ``foreign_ok`` (a title or address word before)."""
    s = doc.s
    words: list[str] = []
    at = pos
    while len(words) < _MAX_NAME:
        m = _NAME_TOKEN.match(s, at)
        if not m or (words and _stops_name(doc, m.start())):
            break
        words.append(m.group())
        at = m.end()
        if len(m.group()) == 1 and s[at : at + 1] == "." and words[:-1]:
            words[-1], at = m.group() + ".", at + 1  # a foreign middle initial: "Barry C. Barish"
        after = skip_blanks(s, at)
        if after == at or not _NAME_TOKEN.match(s, after):
            break
        at = after
    if not words:
        return None
    name = " ".join(words)
    foreign = any(not is_syllable(w) for w in words)
    if _is_place_or_org(doc, pos, name):
        return None
    if words[0] in surnames() and not foreign and not name.startswith(not_names()):
        return name, _end_of(s, pos, words), False
    if foreign_ok and foreign:
        return name, _end_of(s, pos, words), True
    if foreign_ok and len(words) == 1:
        return name, _end_of(s, pos, words), not is_syllable(words[0])
    if foreign_ok and len(words) <= 2 and words[0] not in surnames():
        return name, _end_of(s, pos, words), False  # "ông Ngọc Anh": a short reference
    return None


def _end_of(s: str, pos: int, words: list[str]) -> int:
    at = pos
    for w in words:
        at = s.index(w, at) + len(w)
    return at


def _stops_name(doc: Doc, at: int) -> bool:
    """A title, an organization or a state glued to a name ends it; a state whose name is
    also a given name ("Anh", "Nhật") does not."""
    if doc.title_at(at):
        return True
    org = doc.org_starting(at)
    if org is not None:
        return True
    return _country_at(doc, at, short_ok=False) is not None


def _is_place_or_org(doc: Doc, at: int, name: str) -> bool:
    if doc.org_starting(at) is not None or _country_at(doc, at) is not None or names_a_kind_of_body(doc, at):
        return True
    words = name.split()
    if not _foreign_org_words().isdisjoint(words):
        return True  # "General Motors", "Saigon Food": a company's name
    if name.startswith(not_names()) or any(gazetteer.province_lookup(" ".join(words[:n])) for n in range(2, len(words) + 1)):
        return True
    before = re.search(r"(?:thị xã|huyện|quận|thành phố|Thành phố|xã|phường)\s+$", doc.s[max(0, at - 14) : at])
    if before:  # "thành phố Hạ Long", not "Chủ tịch HĐND thành phố Nguyễn Thị Quyết Tâm"
        return any(gazetteer.districts_named(f"{before.group().strip()} {' '.join(words[:n])}") for n in range(1, len(words) + 1))
    return bool(re.search(r"(?:đường|phố|Đường|Phố|tư tưởng|Lăng|lăng|Bác|giải thưởng|Giải thưởng)\s+$", doc.s[max(0, at - 14) : at]))


# --------------------------------------------------------------------------- mentions


def find_persons(doc: Doc) -> list[_Mention]:
    mentions: list[_Mention] = []
    taken = bytearray(len(doc.s))  # 1 where a mention already is

    def free(a: int, b: int) -> bool:
        return taken.find(1, a, b) == -1

    def add(m: _Mention) -> None:
        mentions.append(m)
        taken[m.start : m.end] = b"\x01" * (m.end - m.start)

    # 1. an address word or honorific before the name: the surest introduction
    for a in doc.matches(_introducers(), _introducer_words()):
        if not free(a.start(), a.end()):
            continue
        m = _introduced(doc, a)
        if m and free(m.start, m.end):
            add(m)
    # 2. title (and body) before the name
    for t in doc.titles():
        if not free(t.start, t.end):
            continue
        m = _title_led(doc, t.start)
        if m and free(m.start, m.end):
            add(m)
    # 3. a bare Vietnamese name, with or without a chain
    for run in doc.matches(_bare_runs(), _surname_keys()):
        if not free(run.start(), run.end()):
            continue
        m = _bare(doc, run.start())
        if m and free(m.start, m.end):
            add(m)
    # 4. a name after what the person is: "nhà khoa học Rainer Weiss", "kinh tế gia người Mỹ Richard Thaler"
    for noun in doc.matches(_person_nouns(), _person_noun_words()):
        named = _named_after_noun(doc, noun.end())
        if named and free(named[0], named[1]):
            add(_Mention(named[0], named[1], named[2], None, [], [], short=False))
    # 5. the rest of a list of people: "Rainer Weiss, Barry C. Barish và Kip S. Thorne"
    for m in sorted(mentions, key=lambda m: m.start):
        for at, end, name in _listed_after(doc, m.end):
            if free(at, end):
                add(_Mention(at, end, name, None, list(m.posts) if m.roster else [], [], short=False))
            elif m.roster and (listed := next((n for n in mentions if n.start == at and not n.posts), None)):
                listed.posts = list(m.posts)  # found already as a bare name: the roster's title is its post
    return sorted(mentions, key=lambda m: m.start)


@cache
def _person_nouns() -> re.Pattern:
    return words_re(_spec()["person_nouns"])


@cache
def _person_noun_words() -> Leads:
    return leads(_spec()["person_nouns"])


def _named_after_noun(doc: Doc, pos: int) -> tuple[int, int, str] | None:
    """The person a noun such as "nhà khoa học" introduces, after a few lowercase words and
    the person's nationality ("vật lý thiên văn người Thụy Sĩ"): a foreign name, or a
    Vietnamese name in full."""
    toks = doc.tokens
    j = toks.at(pos)
    stop = min(toks.n, j + 4)
    while j < stop and toks.texts[j][0].islower() and toks.keys[j] != "người":
        j += 1
    if j < toks.n and toks.keys[j] == "người" and (country := books().countries.longest(toks, j + 1)):
        j = country[0]
    if j >= toks.n or not toks.texts[j][0].isupper():
        return None
    named = _name_at(doc, toks.starts[j], True)
    if named is None:
        return None
    name, end, foreign = named
    if not (foreign and len(name.split()) >= 2 or looks_like_full_name(name)):
        return None
    return toks.starts[j], end, name


_NEXT_IN_LIST = re.compile(r"[ \t]*(?:,|và)[ \t]+(?:(?:GS|TS|PGS|ông|bà)\.?[ \t]+)?")


def _listed_after(doc: Doc, pos: int) -> list[tuple[int, int, str]]:
    """The names listed after a person's: ", Barry C. Barish và Kip S. Thorne" (foreign
    names of two words or more, or Vietnamese names in full)."""
    out = []
    while (sep := _NEXT_IN_LIST.match(doc.s, pos)) is not None:
        named = _name_at(doc, sep.end(), True)
        if named is None:
            break
        name, end, foreign = named
        if not (foreign and len(name.split()) >= 2 or looks_like_full_name(name)):
            break
        out.append((sep.end(), end, name))
        pos = end
    return out


def _title_led(doc: Doc, pos: int) -> _Mention | None:
    """``TITLE [BODY] NAME``, ``TITLE1, TITLE2 BODY NAME``, ``TITLE BODY (ACR) NAME``."""
    s = doc.s
    post, end = _post_at(doc, pos)
    if post is None:
        return None
    posts = [post]
    # "Bộ trưởng, Chủ nhiệm Văn phòng Chính phủ Mai Tiến Dũng": one combined title; but
    # "Phó Thủ tướng, Bộ trưởng Bộ Ngoại giao X": a national post names its body, so two posts
    if post.org is None and post.country is None and (c := _COMMA.match(s, end)):
        second, second_end = _post_at(doc, c.end())
        if second is not None and (second.org or second.country) and _national(post.title):
            posts, end = [post, second], second_end
        elif second is not None and (second.org or second.country):
            second.title = f"{post.title}, {second.title}"
            second.former = second.former or post.former
            posts, end = [second], second_end
    if (acr := _ACRONYM_AFTER.match(s, end)) and posts[-1].org:
        end = acr.end()
    plural = _PLURAL_BEFORE.search(s, max(0, pos - 12), pos) is not None
    gap = (_ROSTER.match(s, end) if plural else None) or _GAP.match(s, end)
    if not gap:
        return None
    at = gap.end()
    named = _name_at(doc, at, True)
    if named is None:
        return None
    name, name_end, foreign = named
    # "TITLE NAME - other post" and "TITLE NAME, other post." are his; but what follows
    # "TITLE NAME," is the next item of a list when a post after it names someone else
    more, orgs, chain_end = _chain(doc, name_end) if _DASH.match(s, name_end) or _COMMA.match(s, name_end) else ([], [], name_end)
    if any(_abroad(p) != _abroad(posts[0]) for p in more):
        # "Phó thủ tướng X, Bộ trưởng Khoa học Lào": one person holds no posts of two states
        more, orgs, chain_end = [], [], name_end
    return _Mention(pos, max(name_end, chain_end), name, None, posts + more, [p.org for p in posts if p.org] + orgs, short=_is_short(name, foreign), roster=plural)


# "các Thứ trưởng", "5 thứ trưởng": a title held by the people listed after it
_PLURAL_BEFORE = re.compile(r"(?:\b(?:các|những|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười)|\d+)[ \t]+$", re.IGNORECASE)
_ROSTER = re.compile(r"[ \t]+là[ \t]+(?:các[ \t]+)?(?:ông|bà|đồng chí)?[ \t]*:?[ \t]*|[ \t]*:[ \t]*")


@cache
def _introducers() -> re.Pattern:
    spec = _spec()
    return re.compile(rf"{L}{alternation(spec['address'] + spec['honorifics'])}\.?(?:[ \t]+|(?=[A-ZĐ]))(?=[A-ZĐÀ-Ỹ])")


def _introduced(doc: Doc, a: re.Match) -> _Mention | None:
    """``ông X, ...`` / ``GS.TS X – ...`` / ``Tiến sĩ X, ...`` / ``bà Irina``."""
    s = doc.s
    word = a.group().strip().rstrip(".")
    honorific = _honorific(word)
    start = a.start()
    # "ông PGS.TS X": an address word then an honorific
    at = a.end()
    if honorific is None and (h := honorific_re().match(s, at)):
        honorific, at = _honorific(h["h"]), skip_blanks(s, h.end())
    named = _name_at(doc, at, True)
    if named is None:
        return None
    name, name_end, foreign = named
    posts, orgs, chain_end = _chain(doc, name_end)
    return _Mention(start, max(name_end, chain_end), name, honorific, posts, orgs, short=_is_short(name, foreign))


def _honorific(word: str) -> str | None:
    spec = _spec()
    forms = spec["honorific_forms"]
    if word.casefold() in forms:
        return forms[word.casefold()]
    return word if word in spec["honorifics"] else None


def _is_short(name: str, foreign: bool) -> bool:
    words = name.split()
    if foreign:
        return len(words) == 1
    return words[0] not in surnames() or len(words) == 1


@cache
def _introducer_words() -> frozenset[str]:
    spec = _spec()
    return first_keys(spec["address"] + spec["honorifics"])


@cache
def _surname_keys() -> frozenset[str]:
    return first_keys(surnames())


@cache
def _bare_runs() -> re.Pattern:
    names = "|".join(sorted(surnames(), key=len, reverse=True))
    return re.compile(rf"{L}(?:{names})[ \t]+{NAME_WORD}(?:[ \t]+{NAME_WORD}){{1,3}}{R}")


def _bare(doc: Doc, pos: int) -> _Mention | None:
    """``Nguyễn Văn A, Giám đốc ...`` or a full Vietnamese name standing alone."""
    named = _name_at(doc, pos, False)
    if named is None:
        return None
    name, name_end, _ = named
    if not looks_like_full_name(name):
        return None
    posts, orgs, chain_end = _chain(doc, name_end)
    if not posts and not _stands_as_a_person(doc, pos, name_end):
        return None
    return _Mention(pos, max(name_end, chain_end), name, None, posts, orgs)


def _stands_as_a_person(doc: Doc, start: int, end: int) -> bool:
    """A full name alone is a person when it is a clause's subject or object, not part of a
    longer proper name (a street, a prize, a school: "Giải thưởng Trần Đại Nghĩa")."""
    before = doc.s[max(0, start - 16) : start]
    if re.search(r"(?:Trường|trường|Giải|giải|Quỹ|quỹ|Học bổng|học bổng|Bệnh viện|Cầu|cầu|Nhà|khu|Khu|Viện|Công viên)[ \t]*(?:[\wÀ-ỹ]+[ \t]+)?$", before):
        return False
    after = doc.s[end : end + 2]
    return not after[:1].isalnum() and not (after.strip()[:1].isupper())


# --------------------------------------------------------------------------- positions


def _resolve(doc: Doc, m: _Mention) -> None:
    """Give body-less titles the body the chain, the clause or the article implies."""
    party, _, head_of, field_titles, _, _ = _title_sets()
    complete = _complete_titles()
    # party posts take the body of the post after them, so those are resolved first
    order = sorted(range(len(m.posts)), key=lambda i: m.posts[i].title.split(" kiêm ")[-1].casefold() in party)
    for i in order:
        post = m.posts[i]
        if post.org or post.member_of or post.country or post.title in complete:
            continue
        base = post.title.split(" kiêm ")[-1].split(", ")[-1]
        # the body that closes the chain after this post: "thanh tra viên chính, ..., Thanh
        # tra Chính phủ", "giám đốc, đồng sáng lập AMI"
        later = [o for o in m.chain_orgs if o.start > post.at]
        last_org = later[-1] if later else None
        if base.casefold() in party:
            post.org = next((p.org for p in m.posts[i + 1 :] if p.org and not p.member_of), None) or last_org
        elif base in head_of and head_of[base] not in ("Bộ",):
            head = head_of[base]
            post.org = _clause_org(doc, m.start, head) or (last_org if last_org and _fits(last_org, head) else None) or _only_one(doc, head)
        elif last_org is not None and not _national(base) and base not in field_titles:
            post.org = last_org


def _only_one(doc: Doc, head: str) -> OrgMention | None:
    """The body a head-of title belongs to when the article names one body of its kind
    ("Phó Hiệu trưởng" in an article about one Trường)."""
    fitting = {o.name: o for o in doc.orgs if head and _fits(o, head) and not o.head_only}
    return next(iter(fitting.values())) if len(fitting) == 1 else None


def _fits(org: OrgMention, head: str) -> bool:
    return not head or org.name.startswith(head + " ")


def _national(title: str) -> bool:
    return title in _title_sets()[5]


def _clause_org(doc: Doc, at: int, head: str) -> OrgMention | None:
    """The organization a title without one belongs to.

    The nearest fitting organization in the person's clause; else the one that introduces
    the list the person is in (``Về phía Cục X có ông A, Cục trưởng; bà B, Phó Cục trưởng``).
    """
    sentence = doc.sentence_of(at)[0]
    clause = max(sentence, doc.s.rfind(";", 0, at) + 1)
    fits = [o for o in doc.orgs if sentence <= o.start and o.end <= at and (not head or o.name.startswith(head + " "))]
    in_clause = [o for o in fits if o.start >= clause]
    if in_clause:
        return in_clause[-1]
    for intro in _INTRO.finditer(doc.s, sentence, at):
        introduced = [o for o in fits if o.start == intro.end()]
        if introduced:
            return introduced[-1]
    return None


def _title_text(post: _Post, foreign: bool) -> str:
    """The full title: the post with its qualifier and its body (or state)."""
    title = post.title
    if post.qualifier:
        title = f"{title} {post.qualifier}"
    if post.member_of:
        place = post.org.name.removeprefix(post.member_of).strip() if post.org else ""
        return f"{title} {place}".strip()
    seat = f" tại {post.seat}" if post.seat else ""
    if post.country:
        return f"{title} {post.country}{seat}"
    if post.org is None:
        national = _title_sets()[5]
        return national.get(title, title) if not foreign else title
    # "Chủ tịch Hội đồng quản trị FPT": a body named by its acronym or brand keeps it
    own = post.org.printed or post.org.name
    body = " ".join([own, *(p.name for p in post.parents if _is_sub(post.org))])
    return _joined(title, body) + seat


def _is_sub(org: OrgMention) -> bool:
    return org.name.startswith(("Phòng ", "Khoa ", "Bộ môn ", "Ban ", "Tổ "))


def _joined(title: str, body: str) -> str:
    """"Trưởng ban" + "Ban Quản lý ..." is "Trưởng ban Quản lý ...", "Phó Tổng Thanh tra" +
    "Thanh tra Chính phủ" is "Phó Tổng Thanh tra Chính phủ": the title ends with the body's head."""
    t, b = title.split(), body.split()
    for k in range(min(len(t), len(b) - 1), 0, -1):
        if [w.casefold() for w in t[-k:]] == [w.casefold() for w in b[:k]]:
            return " ".join(t + b[k:])
    return f"{title} {body}"


def _position(post: _Post, foreign: bool) -> Position:
    org = post.org.name if post.org else None
    if post.member_of:
        return Position(title=_title_text(post, foreign), organization=org, former=post.former)
    return Position(title=_title_text(post, foreign), organization=org, former=post.former)


def persons(doc: Doc) -> list[Person]:
    """The component: each person once, with every position the article gives them."""
    mentions = find_persons(doc)
    full = [m for m in mentions if not m.short]
    by_name: dict[str, Person] = {}
    said: list[tuple[int, int, str, list[str]]] = []  # each mention: where, who, the bodies its posts name
    foreign_names: set[str] = set()
    for m in full:
        if any(not is_syllable(w) for w in m.name.split()):
            foreign_names.add(m.name)
    for m in mentions:
        # a short name joins the full one; a foreign one the article never gives in full, with
        # a post, is the name the person goes by ("Ông Muralidhar, giám đốc điều hành ...")
        target = m.name if not m.short else _full_name_for(m, full) or (m.name if m.posts and not is_syllable(m.name) else None)
        if target is None:
            continue
        _resolve(doc, m)
        person = by_name.get(target)
        if person is None:
            person = by_name[target] = Person(name=target, honorific=m.honorific, confidence=0.6)
        person.honorific = person.honorific or m.honorific
        held: list[str] = []
        for post in m.posts:
            position = _position(post, target in foreign_names)
            _add_position(person, position, post.title)
            if position.organization:
                held.append(position.organization)
        said.append((m.start, m.end, target, held))
        if m.posts:
            person.confidence = 0.9
        for span in doc.evidence(m.start):
            if span not in person.evidence and len(person.evidence) < 5:
                person.evidence.append(span)
    ministry = _main_ministry(doc)
    for person in by_name.values():
        others = {p.title for other in by_name.values() if other is not person for p in other.positions if not p.former}
        person.positions = _drop_subsumed(_with_ministry(person.positions, ministry, others))
    # a mention that gives no post ("Bà Hạnh cam kết ...") speaks for the bodies the person is of
    for a, b, name, bodies in said:
        doc.people.append((a, b, name, bodies or [p.organization for p in by_name[name].positions if p.organization and not p.former]))
    return list(by_name.values())


def _full_name_for(short: _Mention, full: list[_Mention]) -> str | None:
    """The person a short reference is: the nearest one named in full before it whose name
    ends with it (Vietnamese) or holds it (foreign); else the first after it."""
    words = short.name.split()
    def fits(name: str) -> bool:
        parts = name.split()
        if parts[-len(words) :] == words:
            return True
        return len(words) == 1 and words[0] in parts and any(not is_syllable(w) for w in parts)
    before = [m for m in full if m.start < short.start and fits(m.name)]
    if before:
        return before[-1].name
    after = [m for m in full if fits(m.name)]
    return after[0].name if after else None


def _main_ministry(doc: Doc) -> str | None:
    """The Vietnamese ministry the article names most, when one clearly leads."""
    counts = Counter(o.name for o in doc.orgs if o.kind == "ministry")
    if not counts:
        return None
    (first, n), *rest = counts.most_common(2)
    return first if not rest or n > rest[0][1] else None


def _with_ministry(positions: list[Position], ministry: str | None, held: set[str]) -> list[Position]:
    """"Bộ trưởng Chu Ngọc Anh" in an article about one ministry is its minister, unless
    the article gives that post to someone else (``held``: the others' posts)."""
    field_titles = _title_sets()[3]
    if ministry is None or any(p.organization and p.title.startswith(tuple(field_titles)) for p in positions):
        return positions
    out = []
    for p in positions:
        full = f"{p.title} {ministry}"
        if p.organization is None and p.title in field_titles and not (p.title in _single_holder() and full in held):
            p = Position(title=full, organization=ministry, former=p.former)
        out.append(p)
    return out


@cache
def _single_holder() -> frozenset[str]:
    return frozenset(_spec()["single_holder"])


def _add_position(person: Person, position: Position, post_title: str) -> None:
    """Once each; a post in a body named in full replaces the same post named by acronym
    ("Tổng giám đốc UNESCO" after "Tổng giám đốc Tổ chức Giáo dục, ...")."""
    key = position.title.casefold()
    if any(p.title.casefold() == key for p in person.positions):
        return
    base = post_title.casefold()
    for i, p in enumerate(person.positions):
        if p.organization and p.organization == position.organization and p.former == position.former and p.title.casefold().startswith(base):
            if len(position.title) > len(p.title):
                person.positions[i] = position
            return
    person.positions.append(position)


def _drop_subsumed(positions: list[Position]) -> list[Position]:
    """``Thứ trưởng`` adds nothing beside ``Thứ trưởng Bộ Khoa học và Công nghệ``."""
    return [
        p for p in positions
        if p.organization or not any(q is not p and q.title.casefold().startswith(p.title.casefold() + " ") for q in positions)
    ]


__all__ = ["persons", "find_persons", "Tokens"]
