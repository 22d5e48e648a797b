"""Commitments: the follow-up an article promises or directs.

Two readings of each clause:

* a kind of follow-up (focal point, action plan, periodic review...) said in a clause that
  directs or promises (``chỉ đạo``, ``giao``, ``sẽ``, ``cần``) rather than one reporting what
  was done;
* any other specific future action an identifiable body promises (``A sẽ tổ chức ...``,
  ``A cam kết sẽ tiếp nhận ...``, ``sẽ được A công nhận``) or is directed to do (``giao A
  chủ trì``, ``yêu cầu A báo cáo``, ``chỉ đạo A ...``) — not a general intention (``sẽ tiếp
  tục``, ``tăng cường``, ``tạo mọi điều kiện``), a proposal to others (``đề nghị``,
  ``kiến nghị``, ``mong muốn``), an enterprise's own business (``sẽ ra mắt``) or what was
  already done.

The actor is who is directed (``giao Vụ X``), else the clause's subject: a body, or the body
of the person speaking (``Bộ trưởng X khẳng định sẽ ...``). One record per kind and actor.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from functools import cache

from hoptac.extract.doc import Doc, OrgMention, leading_run, remembered, skip_blanks
from hoptac.extract.lexicon import alternation, load
from hoptac.extract.patterns import L, R, Needing, compiled, words_re
from hoptac.extract.tokens import Leads, leads
from hoptac.records import Commitment

_LISTED = re.compile(r"\s*(?:,|và|cùng|cùng với)\s*")
_PAIRED = re.compile(r"\s*(?:và|cùng|cùng với)\s*")
_COLLECTIVE = re.compile(r"\b(?:hai|các|hai bên|hai đơn vị|các bên|các đơn vị)\s*$", re.IGNORECASE)
_GROUP_AFTER = re.compile(r"\s*(?:hai|các)\b")
_CLAUSES = re.compile(r";|:\s|,\s*(?:đồng thời|sau đó|trong đó)\b", re.IGNORECASE)


@cache
def _spec() -> dict:
    return load("commitments")


@cache
def _kind_patterns() -> list[tuple[str, re.Pattern, tuple[str, ...]]]:
    """(kind, pattern, the words the pattern needs: one of them is in any sentence it matches)."""
    return [(kind, re.compile(p, re.IGNORECASE), tuple(needs)) for kind, p, needs in _spec()["kinds"]]


@cache
def _needed_words() -> frozenset[str]:
    return frozenset(w for _, _, needs in _kind_patterns() for w in needs)


@cache
def _re(name: str, bounded: bool = True) -> re.Pattern | Needing:
    spec = _spec()[name]
    wrap = f"{L}(?:{{}}){R}" if bounded else "{}"
    if not isinstance(spec, list):
        return compiled(spec, wrap)
    # a list of phrases, a few of them patterns ("tổ chức \d")
    patterns = [w for w in spec if re.escape(w).replace("\\ ", " ") != w]
    if not patterns:
        return words_re(spec)
    return compiled("|".join([alternation(set(spec) - set(patterns), fold=True), *patterns]), wrap)


def commitments(doc: Doc) -> list[Commitment]:
    found: dict[tuple[str, str | None], Commitment] = {}

    def add(kind: str, actor: str | None, a: int, b: int) -> None:
        key = (kind, actor)
        if key not in found:
            found[key] = Commitment(
                kind=kind, actor=actor, text=" ".join(doc.s[a:b].split()),
                evidence=doc.evidence(a), confidence=0.75 if actor else 0.6,
            )

    cues = [doc.tokens.starts[i] for i in doc.words_at(_cues())]
    for a, b in doc.shadow_sentences():
        if bisect_left(cues, a) == bisect_left(cues, b):
            continue  # no word that promises or directs: nothing here is a commitment
        sentence = doc.s[a:b]
        if _re("report", bounded=False).search(sentence):
            continue
        if _opens_with(doc, a, b, "requests"):
            continue  # "X kiến nghị Ủy ban ... giao Bộ Nội vụ ...": what is asked for is not directed
        proposed = _opens_with(doc, a, b, "proposal")
        if proposed and _asks_upward(doc, a, b):
            continue  # "Sở đề nghị Bộ hỗ trợ ...": a request to a higher body directs nothing
        typed = _typed(doc, a, b)
        for kind, actor in typed:
            add(kind, actor, a, b)
        if proposed:
            continue  # "X đề nghị Y ...": beyond the follow-up mechanisms above, a proposal
        for kind, actor in _promised_or_directed(doc, a, b):
            if not any(t_actor == actor for _, t_actor in typed):
                add(kind, actor, a, b)
    return list(found.values())


# how high a kind of body stands: a "đề nghị" directs only from above
_RANK = {"ministry": 3, "foreign_government": 3, "provincial_government": 2, "party_body": 2, "provincial_department": 1, "ministry_unit": 1}


def _asks_upward(doc: Doc, a: int, b: int) -> bool:
    """A proposal from a body to one that does not stand below it ("Sở KH&CN đề nghị Bộ
    KH&CN ...", "Viện đề nghị Sở ..."): what it asks for is asked, not directed. A
    ministry's or a province's "đề nghị" to its departments still directs them."""
    asked = _re("proposal").search(doc.s, a, b)
    if asked is None:
        return False
    by = _subject(doc, a, asked.start())
    to = _body_at(doc, skip_blanks(doc.s, asked.end()), b)
    if by is None or to is None:
        return False
    kinds = {o.name: o.kind for o in doc.orgs}
    return _RANK.get(kinds.get(by, ""), 0) <= _RANK.get(kinds.get(to[0], ""), 0)


@cache
def _cues() -> Leads:
    """Every word that directs or promises: a sentence without one commits to nothing."""
    return leads(_spec()["cues"])


def _opens_with(doc: Doc, a: int, b: int, words: str) -> bool:
    """A sentence whose first verb is a proposal or a request (``X kiến nghị ...``): all it
    lists is proposed, not promised or directed."""
    first = _re(words).search(doc.s, a, b)
    if first is None:
        return False
    modal = _first_modal(doc, a, b)
    return modal is None or first.start() <= modal.start()


@remembered
def _first_modal(doc: Doc, a: int, b: int) -> re.Match | None:
    """A word that promises or directs in ``[a, b)``: the first promise, else the first directive."""
    return _re("promise").search(doc.s, a, b) or _re("directive_verbs").search(doc.s, a, b) or _re("directive").search(doc.s, a, b)


# --------------------------------------------------------------------------- typed kinds


def _typed(doc: Doc, a: int, b: int) -> list[tuple[str, str | None]]:
    """Follow-up of a known kind said in a directing or promising sentence."""
    sentence = doc.s[a:b]
    lowered = sentence.lower()
    present = {w for w in _needed_words() if w in lowered}
    directive = _re("directive")
    out: list[tuple[str, str | None]] = []
    for kind, pattern, needs in _kind_patterns():
        if present.isdisjoint(needs):
            continue  # the pattern cannot match: a substring test is far cheaper than the search
        for m in pattern.finditer(sentence):
            if kind == "plan_building" and re.match(r"\s*(?:hành động|triển khai)", sentence[m.end() :]):
                continue
            if not directive.search(sentence, 0, m.end() + 40):
                continue
            if re.search(r"(?:Luật|Nghị định|Chương trình|Đề án)\s+(?:\S+\s+){0,2}$", sentence[max(0, m.start() - 30) : m.start()]):
                continue  # "Luật hỗ trợ doanh nghiệp nhỏ và vừa": a name, not an act
            actors = _actors(doc, a, a + m.start())
            if not actors and not _COLLECTIVE_SUBJECT.search(sentence):
                continue
            if actors:
                out.extend((kind, actor) for actor in actors)
            else:
                out.append((kind, None))
    return out


# "hai bên", "các đơn vị": a follow-up of the parties together, which has no single actor
_COLLECTIVE_SUBJECT = re.compile(r"\b(?:hai|các) (?:bên|đơn vị|cơ quan|ngành|sở|địa phương)\b|\bhai (?:Sở|Bộ|Viện)\b", re.IGNORECASE)


def _actors(doc: Doc, sentence_start: int, at: int) -> list[str]:
    """Who carries it out: the directed organizations, or the clause's subject."""
    clause_start = max(sentence_start, doc.s.rfind(";", sentence_start, at) + 1, doc.s.rfind(":", sentence_start, at) + 1)
    orgs = doc.orgs_within(clause_start, at)
    directed = None
    for m in _re("actor_after", bounded=False).finditer(doc.s, clause_start, at):
        directed = m
    if directed and any(p.start() > directed.end() for p in _re("promise").finditer(doc.s, directed.end(), at)):
        directed = None  # "A sẽ chỉ đạo các sở ... và sẽ đưa vào giám sát": the later promise is A's own
    if directed:
        after = [o for o in orgs if o.start >= directed.end()]
        if after:
            return leading_run(doc.s, after, _LISTED)
        if _GROUP_AFTER.match(doc.s, directed.end()):
            return []
    orgs = [o for o in orgs if not _possessed(doc.s, o)]
    if orgs and not _COLLECTIVE.search(doc.s[clause_start : orgs[0].start]):
        return leading_run(doc.s, orgs, _PAIRED, most=2)  # "Sở KH&CN và Công an thành phố sẽ..."
    return []


# --------------------------------------------------------------------------- any other action


def _promised_or_directed(doc: Doc, a: int, b: int) -> list[tuple[str, str | None]]:
    """Specific future actions promised or directed in the sentence's clauses, as
    (kind, actor): ``other`` unless the action says which kind."""
    s = doc.s
    out: list[tuple[str, str | None]] = []
    bounds = [a] + [m.end() for m in _CLAUSES.finditer(s, a, b)] + [b]
    for start, end in zip(bounds, bounds[1:]):
        clause = s[start:end]
        if _re("proposal").search(clause) or _re("done", bounded=False).search(clause):
            continue
        for actor, action_at in _directed(doc, start, end) + _promised(doc, start, end):
            action = s[action_at:end]
            if actor is None or not _WORD.search(action) or _general(action) or _own_business(doc, actor, action):
                continue
            out.append((_kind_of(action), actor))
    return out


def _directed(doc: Doc, start: int, end: int) -> list[tuple[str | None, int]]:
    """``giao (cho) A ...``, ``yêu cầu A (phải) ...``, ``chỉ đạo A ...``: A, and where its task begins."""
    s = doc.s
    out: list[tuple[str | None, int]] = []
    for m in _re("directive_verbs").finditer(s, start, end):
        if _in_a_name(doc, m):
            continue  # the "giao" of "Bộ Ngoại giao"
        target = _body_at(doc, skip_blanks(s, m.end()), end)
        if target is None:
            continue
        name, after = target
        out.append((name, after))
    return out


def _promised(doc: Doc, start: int, end: int) -> list[tuple[str | None, int]]:
    """``A (cũng) sẽ ...``, ``A cam kết ...``, ``sẽ được A công nhận``: A, and where the promise begins."""
    s = doc.s
    out: list[tuple[str | None, int]] = []
    for m in _re("promise").finditer(s, start, end):
        if _in_a_name(doc, m):
            continue
        passive = _PASSIVE.match(s, m.end(), end)
        if passive or m.group().endswith("được"):  # "sẽ được UNESCO công nhận": the agent is the one who will act
            agent = _body_at(doc, passive.end() if passive else skip_blanks(s, m.end()), end)
            if agent:
                out.append(agent)
            continue
        subject = _subject(doc, start, m.start())
        if subject is not None:
            out.append((subject, m.end()))
    return out


_PASSIVE = re.compile(r"\s*được\s+")
_WORD = re.compile(r"[^\W\d_]")  # an action says something: "... - ông X cam kết." promises nothing more


def _in_a_name(doc: Doc, m: re.Match) -> bool:
    """A word that is part of a body's name ("Bộ Ngoại giao", "Sở Thông tin và Truyền thông")."""
    return doc.org_holding(m.start()) is not None


def _body_at(doc: Doc, pos: int, end: int) -> tuple[str, int] | None:
    """The body named at ``pos`` (directly, or through a person holding a post in it)."""
    s = doc.s
    m = re.match(r"(?:cho\s+)?(?:phía\s+)?", s[pos:end])
    pos += m.end() if m else 0
    if pos >= end:
        return None
    org = doc.org_starting(pos)
    if org is not None and org.end <= end:
        return org.name, org.end
    for a, b, _, held in doc.people:
        if (a <= pos < b or pos <= a < pos + 6) and a < end and held:
            return held[0], b
    return None


def _subject(doc: Doc, start: int, at: int) -> str | None:
    """The subject of a promise: the last body named before it in the clause, unless a
    collective ("hai bên") or a state stands there; else the body of the person speaking."""
    s = doc.s
    window = s[start:at]
    if _re("not_actors").search(window[-40:]):
        return None
    said = None
    for m in _re("reporting").finditer(s, start, at):
        if not _in_a_name(doc, m):  # "Sở Thông tin ..." says nothing
            said = m
    if said is not None:
        # "X cho biết [NP] sẽ ...": the promise is X's only when nothing else stands before it
        between = s[said.end() : at].strip(" ,:")
        if between:
            org = doc.org_starting(skip_blanks(s, said.end()))
            return org.name if org and not s[org.end : at].strip(" ,") else None
    orgs = [o for o in doc.orgs_within(start, at) if not _possessed(s, o)]
    people = [(a, b, held) for a, b, _, held in doc.people if start <= a and b <= at + 1 and held]
    last_org = orgs[-1] if orgs else None
    last_person = people[-1] if people else None
    if last_person and (last_org is None or last_person[0] > last_org.start or last_person[0] <= last_org.start < last_person[1]):
        return last_person[2][0]
    return last_org.name if last_org else None


def _possessed(s: str, o: OrgMention) -> bool:
    """"của Bộ X", "với Sở Y", "tại Viện Z", "hỗ trợ Sở", "mà Hòa Phát đang xây dựng": not
    the one who acts."""
    return bool(_BEFORE_OBJECT.search(s, max(0, o.start - 12), o.start))


_BEFORE_OBJECT = re.compile(r"(?:của|với|tại|cho|từ|đối với|thuộc|về|giữa|trước|lên|cùng|do|hỗ trợ|giúp|giúp đỡ|mà)\s*$")


def _general(action: str) -> bool:
    return bool(_re("general").match(action.lstrip()))


def _own_business(doc: Doc, actor: str, action: str) -> bool:
    """An enterprise's plans for its own business ("sẽ ra mắt điện thoại") are not follow-up."""
    kind = next((o.kind for o in doc.orgs if o.name == actor), None)
    return kind == "enterprise" and bool(_re("business").match(action.lstrip()))


def _kind_of(action: str) -> str:
    for kind, pattern, _ in _kind_patterns():
        if pattern.search(action):
            return kind
    return "other"
