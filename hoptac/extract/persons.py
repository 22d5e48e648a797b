"""People and their positions.

Vietnamese news names a person in three shapes, and each carries positions:
  * address or honorific, name, appositive chain: ``Đ/c Nguyễn Hoàng Giang, Ủy viên Ban Cán
    sự đảng, Thứ trưởng Bộ KH&CN`` / ``GS.TS Đỗ Hoài Nam – Nguyên Phó Chủ tịch ...``;
  * title (and organization) before the name: ``Thứ trưởng Bộ KH&CN Nguyễn Hoàng Giang``;
  * a bare name followed by a chain: ``Nguyễn Văn A, Giám đốc Sở KH&CN``.
A name is a run of capitalised syllables; without an address word it must begin with a
Vietnamese family name. A title without its organization takes it from the chain (party
posts: ``Bí thư Đảng ủy, Viện trưởng Viện X``) or from the clause that introduces the person
(``Viện X có Đ/c Y, Viện trưởng``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from hoptac.extract import gazetteer
from hoptac.extract.doc import Doc, OrgMention
from hoptac.extract.lexicon import load
from hoptac.extract.organizations import org_at
from hoptac.extract.patterns import (
    address_re,
    canonical_titles,
    former_re,
    honorific_re,
    looks_like_full_name,
    name_run_re,
    not_names,
    title_re,
)
from hoptac.records import Person, Position

_FIRST_SEP = re.compile(r"\s*(?:,|[-–—]|\()\s*")
_NEXT_SEP = re.compile(r"\s*(?:,|kiêm|và)\s+|\s*,\s*")
_JOIN = re.compile(r"\s+kiêm\s+")
_INTRO = re.compile(r"(?:[Vv]ề phía|[Pp]hía|[Đđ]ại diện|[Tt]ừ phía)\s+")
_QUALIFIER = re.compile(rf"\s+(?P<q>{'|'.join(load('titles')['qualifiers'])})(?!\w)")


@dataclass
class _Post:
    title: str  # canonical title word(s), "Phó Chủ tịch kiêm Tổng Thư ký"
    org: OrgMention | None
    former: bool
    member_of: str | None = None  # "Tỉnh ủy" for "Tỉnh ủy viên"


@dataclass
class _Mention:
    start: int
    end: int
    name: str
    honorific: str | None
    posts: list[_Post] = field(default_factory=list)


@cache
def _title_spec() -> tuple[frozenset[str], dict[str, str], dict[str, str]]:
    spec = load("titles")
    return frozenset(t.casefold() for t in spec["party"]), spec["member"], spec["head_of"]


def find_persons(doc: Doc) -> list[_Mention]:
    s = doc.s
    mentions: list[_Mention] = []
    taken: set[int] = set()
    for m in name_run_re().finditer(s):
        if m.start() in taken:
            continue
        name = _trim_name(doc, m)
        if name is None:
            continue
        mention = _introduced(doc, m, name) or _after_title(doc, m, name) or _before_chain(doc, m, name)
        if mention:
            mentions.append(mention)
            taken.update(range(m.start(), m.end()))
    return mentions


def _introduced(doc: Doc, m: re.Match, name: str) -> _Mention | None:
    """``Đ/c X, ...`` / ``GS.TS X – ...`` / ``ông X``."""
    before = doc.s[max(0, m.start() - 24) : m.start()]
    honorific = None
    h = _ends_with(honorific_re()).search(before)
    if h:
        honorific = h["h"]
        before = before[: h.start()]
    a = _ends_with(address_re()).search(before)
    if not (honorific or a):
        return None
    end = m.start() + len(name)
    posts, chain_end = _chain(doc, end)
    return _Mention(m.start(), max(end, chain_end), name, honorific, posts)


@cache
def _ends_with(pattern: re.Pattern) -> re.Pattern:
    """The pattern, anchored at the end of a window of text before a name."""
    return re.compile(rf"(?:{pattern.pattern})\s*$")


def _after_title(doc: Doc, m: re.Match, name: str) -> _Mention | None:
    """``Thứ trưởng Bộ KH&CN Nguyễn Hoàng Giang``: the posts end right where the name starts."""
    if not looks_like_full_name(name):
        return None
    sentence_start = doc.sentence_of(m.start())[0]
    window_start = max(sentence_start, m.start() - 160)
    for t in title_re().finditer(doc.s, window_start, m.start()):
        post, end = _post_at(doc, t.start())
        if post and doc.s[end : m.start()].strip() == "":
            post.former = bool(_ends_with(former_re()).search(doc.s[max(0, t.start() - 8) : t.start()]))
            return _Mention(m.start(), m.start() + len(name), name, None, [post])
    return None


def _before_chain(doc: Doc, m: re.Match, name: str) -> _Mention | None:
    """``Nguyễn Văn A, Giám đốc Sở ...`` with no address word."""
    if not looks_like_full_name(name):
        return None
    posts, end = _chain(doc, m.start() + len(name))
    if not posts:
        return None
    return _Mention(m.start(), end, name, None, posts)


def _trim_name(doc: Doc, m: re.Match) -> str | None:
    """The name part of a capitalised run: stop before a title or organization glued to it."""
    words = m.group().split()
    at = m.start()
    kept = []
    for w in words:
        pos = doc.s.index(w, at)
        if kept and (title_re().match(doc.s, pos) or _names_org(doc, pos)):
            break
        kept.append(w)
        at = pos + len(w)
    name = " ".join(kept)
    if len(kept) < 2 or title_re().match(doc.s, m.start()) or _names_org(doc, m.start()) or _is_place(doc.s, m.start(), name):
        return None
    return name


def _names_org(doc: Doc, pos: int) -> bool:
    org = org_at(doc.s, pos, doc.province)
    return org is not None and not org.head_only


def _is_place(s: str, at: int, name: str) -> bool:
    """"Cao Bằng", "Hàn Quốc", "thành phố Hạ Long": a place, whatever its first word."""
    words = name.split()
    if name.startswith(not_names()) or any(gazetteer.province_lookup(" ".join(words[:n])) for n in range(2, len(words) + 1)):
        return True
    before = re.search(r"(?:thị xã|huyện|quận|thành phố|Thành phố)\s+$", s[max(0, at - 12) : at])
    return bool(before) and bool(gazetteer.districts_named(f"{before.group().strip()} {name}"))


def _chain(doc: Doc, pos: int) -> tuple[list[_Post], int]:
    """The appositive positions after a name: ``, Ủy viên ..., Thứ trưởng Bộ KH&CN``."""
    posts: list[_Post] = []
    sep = _FIRST_SEP.match(doc.s, pos)
    end = pos
    while sep:
        post, post_end = _post_at(doc, sep.end())
        if post is None:
            break
        posts.append(post)
        end = post_end
        sep = _NEXT_SEP.match(doc.s, end)
    return posts, end


def _post_at(doc: Doc, pos: int) -> tuple[_Post | None, int]:
    s = doc.s
    former = False
    if f := former_re().match(s, pos):
        former, pos = True, f.end()
    t = title_re().match(s, pos)
    if not t:
        return None, pos
    titles = [canonical_titles()[t.group().casefold()]]
    end = t.end()
    while (j := _JOIN.match(s, end)) and (t2 := title_re().match(s, j.end())):
        titles.append(canonical_titles()[t2.group().casefold()])
        end = t2.end()
    title = " kiêm ".join(titles)
    if q := _QUALIFIER.match(s, end):
        title, end = f"{title} {q['q'].lower()}", q.end()
    _, members, _ = _title_spec()
    if title in members:
        return _Post(title, _implied_org(doc, members[title]), former, member_of=members[title]), end
    org = None
    gap = re.match(r"[ \t]+", s[end:])
    if gap:
        org = _org_mention_at(doc, end + gap.end())
        if org:
            end = org.end
    return _Post(title, org, former), end


def _org_mention_at(doc: Doc, pos: int) -> OrgMention | None:
    """The organization at ``pos``, as the article resolved it (``Sở`` → its Sở KH&CN)."""
    for o in doc.orgs:
        if o.start == pos:
            return o
    return org_at(doc.s, pos, doc.province)


def _implied_org(doc: Doc, head: str) -> OrgMention | None:
    mention = org_at(head, 0, doc.province)
    return mention if mention and mention.province else None


def _resolve_posts(doc: Doc, mention: _Mention) -> None:
    """Give organization-less titles the organization the chain or the clause implies."""
    party, _, head_of = _title_spec()
    for post in mention.posts:
        if post.org is None and post.title.casefold() not in party and post.title in head_of:
            post.org = _clause_org(doc, mention.start, head_of[post.title])
    for i, post in enumerate(mention.posts):
        if post.org is None and post.title.casefold() in party:
            post.org = next((p.org for p in mention.posts[i + 1 :] if p.org and not p.member_of), None)


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


def _position(post: _Post) -> Position:
    if post.member_of:
        place = post.org.name.removeprefix(post.member_of).strip() if post.org else ""
        return Position(title=f"{post.title} {place}".strip(), organization=post.org.name if post.org else None, former=post.former)
    org = post.org.name if post.org else None
    return Position(title=f"{post.title} {org}" if org else post.title, organization=org, former=post.former)


def persons(doc: Doc) -> list[Person]:
    """The component: each person once, with every position the article gives them."""
    by_name: dict[str, Person] = {}
    for mention in find_persons(doc):
        _resolve_posts(doc, mention)
        person = by_name.get(mention.name)
        if person is None:
            person = by_name[mention.name] = Person(name=mention.name, honorific=mention.honorific, confidence=0.6)
        person.honorific = person.honorific or mention.honorific
        for post in mention.posts:
            _add_position(person, _position(post))
        if mention.posts:
            person.confidence = 0.9
        for span in doc.evidence(mention.start):
            if span not in person.evidence and len(person.evidence) < 5:
                person.evidence.append(span)
    for person in by_name.values():
        person.positions = _drop_subsumed(person.positions)
    return list(by_name.values())


def _add_position(person: Person, position: Position) -> None:
    key = position.title.casefold()
    if all(p.title.casefold() != key for p in person.positions):
        person.positions.append(position)


def _drop_subsumed(positions: list[Position]) -> list[Position]:
    """``Thứ trưởng`` adds nothing beside ``Thứ trưởng Bộ Khoa học và Công nghệ``."""
    return [
        p for p in positions
        if p.organization or not any(q is not p and q.organization and q.title.casefold().startswith(p.title.casefold() + " ") for q in positions)
    ]
