"""The document that every extraction component reads and adds to."""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from functools import cache, wraps
from datetime import date
from typing import TYPE_CHECKING, NamedTuple

from hoptac.extract import gazetteer
from hoptac.extract.shadow import Shadow
from hoptac.extract.patterns import title_leads, titles
from hoptac.extract.tokens import Leads, Tokens, leads, piece
from hoptac.records import Span
from hoptac.text.letters import CAP_WORD

if TYPE_CHECKING:
    from hoptac.text.article import Article

# A sentence ends at . ! ? or a line break, but not after the abbreviations that news
# writes with a dot ("TP. Cần Thơ", "TS. Nguyễn", "GS.TS") nor before a lowercase word.
# (One character class first: the regex engine then skips straight to the next candidate.)
_SENTENCE_END = re.compile(r"[\n.!?…](?:(?<=\n)\n*|(?<!\n)[.!?…]*[”\"')]*(?=\s))")
_UNSEEN = object()
_DOTTED = frozenset({"TP", "TS", "ThS", "GS", "PGS", "TX", "KS", "BS", "St", "No", "TT", "Th", "Tp", "ĐH", "Mr", "Ms", "Dr"})


class Title(NamedTuple):
    """A position title printed at ``[start, end)`` of the shadow text."""

    start: int
    end: int
    name: str  # as the lexicon spells it


@dataclass(frozen=True)
class OrgMention:
    """An organization named at ``[start, end)`` of the shadow text."""

    start: int
    end: int
    name: str  # canonical
    kind: str
    province: str | None
    head_only: bool = False  # "Sở", "Viện Hàn lâm": a head written alone, to resolve
    printed: str | None = None  # the acronym or brand it was named by ("FPT", "UNESCO")


@dataclass
class Doc:
    name: str
    text: str
    title: str | None
    published: date | None
    shadow: Shadow
    sentences: list[tuple[int, int]]  # text offsets
    province: gazetteer.Province | None  # the locality the article is about
    tokens: Tokens  # of the shadow text
    orgs: list[OrgMention] = field(default_factory=list)
    # (start, end, name, bodies of the posts given there) of each person mentioned
    people: list[tuple[int, int, str, list[str]]] = field(default_factory=list)
    # filled by components, in pipeline order
    results: dict[str, list] = field(default_factory=dict)
    _titles: dict[int, Title | None] = field(default_factory=dict, repr=False)
    # what rules work out at a position, kept for the rules that ask again (one document only)
    memo: dict = field(default_factory=dict, repr=False)

    @classmethod
    def from_article(cls, article: Article) -> Doc:
        shadow = Shadow(article.text)
        published = date.fromisoformat(article.published_at[:10]) if article.published_at else None
        doc = cls(
            name=article.name,
            text=article.text,
            title=article.title,
            published=published,
            shadow=shadow,
            sentences=split_sentences(article.text),
            province=None,
            tokens=Tokens(shadow.text),
        )
        doc.province = main_province(doc)
        return doc

    @property
    def when(self) -> date | None:
        """The article's date, for names that changed over time (None: undated)."""
        return self.published

    def title_at(self, pos: int) -> Title | None:
        """The title printed at shadow offset ``pos``, if any (looked up once per offset)."""
        if pos in self._titles:
            return self._titles[pos]
        toks, found = self.tokens, None
        i = toks.at(pos)
        if i < len(toks.starts) and toks.starts[i] == pos and (hit := titles().longest(toks, i, loose=False)):
            found = Title(pos, toks.ends[hit[0] - 1], hit[1])
        self._titles[pos] = found
        return found

    def titles(self) -> list[Title]:
        """Every title printed, in order, none inside another."""
        found: list[Title] = []
        for i in self.words_at(title_leads()):
            at = self.tokens.starts[i]
            if (not found or at >= found[-1].end) and (t := self.title_at(at)):
                found.append(t)
        return found

    def matches(self, pattern: re.Pattern, first_words: frozenset[str] | Leads, start: int = 0, end: int | None = None) -> list[re.Match]:
        """The non-overlapping matches of ``pattern`` that begin at a word whose key is one of
        ``first_words`` (followed by one of the words ``Leads`` allow), in order. The same as
        ``finditer`` for a pattern that only matches at such words, without running a large
        alternation at every character."""
        s = self.shadow.text
        end = len(s) if end is None else end
        starts = self.tokens.starts
        found, after = [], start
        for i in self.words_at(first_words):
            at = starts[i]
            if at < after:
                continue
            if at >= end:
                break
            if m := pattern.match(s, at, end):
                found.append(m)
                after = m.end()
        return found

    def words_at(self, first_words: frozenset[str] | Leads) -> list[int]:
        """The indices of the tokens whose key is one of ``first_words`` (followed by one of
        the words ``Leads`` allow), in order."""
        where = self._where()
        if isinstance(first_words, frozenset):
            return sorted(i for k in first_words.intersection(where) for i in where[k])
        keys, last = self.tokens.keys, len(self.tokens.keys) - 1
        found: list[int] = []
        for k in first_words.keys() & where.keys():
            seconds = first_words[k]
            found.extend(where[k] if seconds is None else (i for i in where[k] if i < last and piece(keys[i + 1]) in seconds))
        return sorted(found)

    def _where(self) -> dict[str, list[int]]:
        """Token indices by key, made once: rules look up the few words they start with."""
        where = self.memo.get("where")
        if where is None:
            where = self.memo["where"] = {}
            for i, k in enumerate(self.tokens.keys):
                where.setdefault(k, []).append(i)
        return where

    def orgs_starting_in(self, a: int, b: int) -> list[OrgMention]:
        """The organization mentions that start at a shadow offset in ``[a, b)``, in order:
        found by bisection, so that rules asking about every sentence of a long text do not
        scan every mention each time."""
        starts = self._org_spans()[0]
        return self.orgs[bisect_left(starts, a) : bisect_left(starts, b)]

    def orgs_within(self, a: int, b: int) -> list[OrgMention]:
        """The organization mentions wholly inside ``[a, b)`` (end at ``b`` or before)."""
        return [o for o in self.orgs_starting_in(a, b) if o.end <= b]

    def org_holding(self, pos: int) -> OrgMention | None:
        """An organization mention whose name covers shadow offset ``pos``."""
        starts, reach = self._org_spans()
        i = bisect_right(starts, pos) - 1
        while i >= 0 and reach[i] > pos:  # reach: the furthest end of the mentions up to i
            if self.orgs[i].end > pos:
                return self.orgs[i]
            i -= 1
        return None

    def _org_spans(self) -> tuple[list[int], list[int]]:
        index = self.memo.get("org spans")
        if index is None or index[0] is not self.orgs or index[1] != len(self.orgs):
            starts, reach, furthest = [], [], 0
            for o in self.orgs:
                starts.append(o.start)
                furthest = max(furthest, o.end)
                reach.append(furthest)
            index = self.memo["org spans"] = (self.orgs, len(self.orgs), starts, reach)
        return index[2], index[3]

    def org_starting(self, pos: int) -> OrgMention | None:
        """The organization mention that starts at shadow offset ``pos``, if any (the first named there)."""
        starts = self._org_spans()[0]
        i = bisect_left(starts, pos)
        return self.orgs[i] if i < len(starts) and starts[i] == pos else None

    @property
    def s(self) -> str:
        """The shadow text, where rules match."""
        return self.shadow.text

    def sentence_of(self, offset: int) -> tuple[int, int]:
        """The sentence holding a shadow offset, as shadow offsets."""
        spans = self.shadow_sentences()
        return spans[self._sentence_index(offset)] if spans else (0, len(self.s))

    def shadow_sentences(self) -> list[tuple[int, int]]:
        """The sentences as shadow offsets (worked out once)."""
        spans = self.memo.get("sentences")
        if spans is None:
            spans = self.memo["sentences"] = [(self.shadow.shadow_offset(a), self.shadow.shadow_offset(b)) for a, b in self.sentences]
            self.memo["sentence starts"] = [a for a, _ in spans]
        return spans

    def _sentence_index(self, offset: int) -> int:
        self.shadow_sentences()
        return max(0, bisect_right(self.memo["sentence starts"], offset) - 1)

    def evidence(self, *offsets: int) -> list[Span]:
        """The sentences (as text offsets) holding these shadow offsets."""
        spans = []
        for o in offsets:
            span = Span(*self.sentences[self._sentence_index(o)]) if self.sentences else Span(0, len(self.text))
            if span not in spans:
                spans.append(span)
        return spans


def remembered(rule):
    """``rule(doc, *at)`` worked out once per document and position: rules ask one another
    about the same token many times (is a body named here? a place?)."""

    @wraps(rule)
    def ask(doc: Doc, *at):
        slot = (rule, at)
        found = doc.memo.get(slot, _UNSEEN)
        if found is _UNSEEN:
            found = doc.memo[slot] = rule(doc, *at)
        return found

    return ask


def leading_run(s: str, orgs: list[OrgMention], joiner: re.Pattern, most: int | None = None) -> list[str]:
    """The names of the organizations at the head of ``orgs`` that the text joins by ``joiner``."""
    run: list[OrgMention] = []
    for o in orgs:
        if run and (len(run) == most or not joiner.fullmatch(s[run[-1].end : o.start])):
            break
        run.append(o)
    return list(dict.fromkeys(o.name for o in run))


def skip_blanks(s: str, i: int) -> int:
    """Where the spaces and tabs from ``i`` end (often none, seldom more than one)."""
    while i < len(s) and s[i] in " \t":
        i += 1
    return i


def split_sentences(s: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for m in _SENTENCE_END.finditer(s):
        if m.group()[0] != "\n" and _inside_sentence(s, m.start(), m.end()):
            continue
        end = m.start() if m.group()[0] == "\n" else m.end()
        if s[pos:end].strip():
            spans.append(_trim(s, pos, end))
        pos = m.end()
    if s[pos:].strip():
        spans.append(_trim(s, pos, len(s)))
    return spans


def _inside_sentence(s: str, dot: int, after: int) -> bool:
    nxt = s[after : after + 3].lstrip()
    if nxt[:1].islower():
        return True  # "v.v. và": a dot inside a sentence
    word = s[max(0, dot - 4) : dot].rsplit(None, 1)[-1] if s[max(0, dot - 4) : dot].strip() else ""
    return word.split(".")[-1] in _DOTTED


def _trim(s: str, a: int, b: int) -> tuple[int, int]:
    while a < b and s[a].isspace():
        a += 1
    while b > a and s[b - 1].isspace():
        b -= 1
    return a, b


def main_province(doc: Doc) -> gazetteer.Province | None:
    """The province an article is about: the one it names most, the headline counting thrice.

    District names count for their province, so an article about "thị xã Quảng Yên" and
    "thành phố Hạ Long" is a Quảng Ninh article even where it never names the province.
    """
    # the text opens with the headline: a province named there counts three times more
    title_end = doc.shadow.shadow_offset(len(doc.title)) if doc.title and doc.text.startswith(doc.title) else 0
    votes: Counter[str] = Counter()
    for start, _, province in province_mentions(doc):
        votes[province.name] += 4 if start < title_end else 1
    if not votes:
        return None
    # "Huế" is the new name of "Thừa Thiên Huế": an article that prints the old one is of its time
    for new, old in _renamed().items():
        if new in votes and votes[old]:
            votes[old] += votes.pop(new)
    return gazetteer.province_lookup(votes.most_common(1)[0][0])


@cache
def _renamed() -> dict[str, str]:
    """Provinces the 2025 reform renamed without merging: new name → old name."""
    provinces = gazetteer.provinces().values()
    out = {}
    for p in provinces:
        if p.current and not p.legacy:
            old = [q for q in provinces if q.legacy and not q.current and q.now == p.name]
            if len(old) == 1:
                out[p.name] = old[0].name
    return out


_DISTRICT_RE = re.compile(
    r"(?<![\wÀ-ỹ])(?P<type>thị xã|huyện|quận|thành phố|Thị xã|Huyện|Quận|Thành phố)\s+"
    rf"(?P<name>{CAP_WORD}(?:\s+{CAP_WORD}){{0,3}})(?!\w)"
)


def province_mentions(doc: Doc) -> list[tuple[int, int, gazetteer.Province]]:
    """(start, end, Province) for each province named in the shadow text, or implied by a district."""
    text = doc.shadow.text
    found = []
    for m in doc.matches(gazetteer.province_name_re(), _province_words()):
        p = gazetteer.province_lookup(m.group())
        if p and not _is_person_name_context(text, m.start()):
            found.append((m.start(), m.end(), p))
    for m in doc.matches(_DISTRICT_RE, _DISTRICT_WORDS):
        if p := district_province(m["type"], m["name"]):
            found.append((m.start(), m.end(), p))
    return found


@cache
def _province_words() -> Leads:
    return leads(gazetteer.province_name_pattern_spellings())


_DISTRICT_WORDS: Leads = {"thị": frozenset({"xã"}), "thành": frozenset({"phố"}), "huyện": None, "quận": None}


def district_province(type_word: str, name: str) -> gazetteer.Province | None:
    """The province of a district-level unit, when its name (or a prefix of it) is unambiguous."""
    words = name.split()
    for n in range(len(words), 0, -1):
        candidate = " ".join(words[:n])
        if gazetteer.province_lookup(candidate):
            return None  # "thành phố Cần Thơ" is the province itself
        provinces = {d.province for d in gazetteer.districts_named(f"{type_word} {candidate}")}
        if len(provinces) == 1:
            return gazetteer.province_lookup(provinces.pop())
    return None


def _is_person_name_context(text: str, at: int) -> bool:
    # "tư tưởng Hồ Chí Minh", "Chủ tịch Hồ Chí Minh": the person, not the city
    return text[max(0, at - 12) : at].rstrip().lower().endswith(("tưởng", "chủ tịch", "bác", "lăng"))
