"""The document that every extraction component reads and adds to."""
from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from datetime import date
from typing import TYPE_CHECKING

from hoptac.extract import gazetteer
from hoptac.extract.shadow import Shadow
from hoptac.extract.patterns import title_first_words, title_re
from hoptac.extract.tokens import Tokens, key
from hoptac.records import Span
from hoptac.text.letters import CAP_WORD

if TYPE_CHECKING:
    from hoptac.text.article import Article

# A sentence ends at . ! ? or a line break, but not after the abbreviations that news
# writes with a dot ("TP. Cần Thơ", "TS. Nguyễn", "GS.TS") nor before a lowercase word.
_SENTENCE_END = re.compile(r"\n+|[.!?…]+[”\"')]*(?=\s)")
_WORD = re.compile(r"[^\W\d_]+")
_UNSEEN = object()
_DOTTED = frozenset({"TP", "TS", "ThS", "GS", "PGS", "TX", "KS", "BS", "St", "No", "TT", "Th", "Tp", "ĐH", "Mr", "Ms", "Dr"})


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
    _org_index: tuple[list, dict] | None = field(default=None, repr=False)
    _titles: dict[int, re.Match | None] = field(default_factory=dict, repr=False)
    # what rules work out at a position, kept for the rules that ask again (one document only)
    memo: dict = field(default_factory=dict, repr=False)

    @classmethod
    def from_article(cls, article: Article) -> Doc:
        shadow = Shadow(article.text)
        published = date.fromisoformat(article.published_at[:10]) if article.published_at else None
        return cls(
            name=article.name,
            text=article.text,
            title=article.title,
            published=published,
            shadow=shadow,
            sentences=split_sentences(article.text),
            province=main_province(shadow.text, article.title),
            tokens=Tokens(shadow.text),
        )

    @property
    def when(self) -> date | None:
        """The article's date, for names that changed over time (None: undated)."""
        return self.published

    def title_at(self, pos: int) -> re.Match | None:
        """The title printed at shadow offset ``pos``, if any (looked up once per offset)."""
        found = self._titles.get(pos, _UNSEEN)
        if found is _UNSEEN:
            word = _WORD.match(self.shadow.text, pos)
            found = None
            if word and key(word.group()) in title_first_words():
                found = title_re().match(self.shadow.text, pos)
            self._titles[pos] = found
        return found

    def org_starting(self, pos: int) -> OrgMention | None:
        """The organization mention that starts at shadow offset ``pos``, if any."""
        index = self._org_index
        if index is None or index[0] is not self.orgs:
            index = self._org_index = (self.orgs, {o.start: o for o in reversed(self.orgs)})
        return index[1].get(pos)

    @property
    def s(self) -> str:
        """The shadow text, where rules match."""
        return self.shadow.text

    def sentence_of(self, offset: int) -> tuple[int, int]:
        """The sentence holding a shadow offset, as shadow offsets."""
        a, b = self._sentence_at(self.shadow.original(offset))
        return self.shadow.shadow_offset(a), self.shadow.shadow_offset(b)

    def shadow_sentences(self) -> list[tuple[int, int]]:
        return [(self.shadow.shadow_offset(a), self.shadow.shadow_offset(b)) for a, b in self.sentences]

    def _sentence_at(self, text_offset: int) -> tuple[int, int]:
        i = max(0, bisect_right(self._starts, text_offset) - 1)
        return self.sentences[i] if self.sentences else (0, len(self.text))

    @property
    def _starts(self) -> list[int]:
        return [a for a, _ in self.sentences]

    def evidence(self, *offsets: int) -> list[Span]:
        """The sentences (as text offsets) holding these shadow offsets."""
        spans = []
        for o in offsets:
            span = Span(*self._sentence_at(self.shadow.original(o)))
            if span not in spans:
                spans.append(span)
        return spans


def leading_run(s: str, orgs: list[OrgMention], joiner: re.Pattern, most: int | None = None) -> list[str]:
    """The names of the organizations at the head of ``orgs`` that the text joins by ``joiner``."""
    run: list[OrgMention] = []
    for o in orgs:
        if run and (len(run) == most or not joiner.fullmatch(s[run[-1].end : o.start])):
            break
        run.append(o)
    return list(dict.fromkeys(o.name for o in run))


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


def main_province(s: str, title: str | None) -> gazetteer.Province | None:
    """The province an article is about: the one it names most, the headline counting thrice.

    District names count for their province, so an article about "thị xã Quảng Yên" and
    "thành phố Hạ Long" is a Quảng Ninh article even where it never names the province.
    """
    votes: Counter[str] = Counter()
    for text, weight in ((s, 1), (title or "", 3)):
        for m in province_mentions(text):
            votes[m[2].name] += weight
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


@cache
def _province_re() -> re.Pattern:
    return re.compile(rf"(?<![\wÀ-ỹ])(?:{gazetteer.province_name_pattern()})(?![\wÀ-ỹ])")


_DISTRICT_RE = re.compile(
    r"(?<![\wÀ-ỹ])(?P<type>thị xã|huyện|quận|thành phố|Thị xã|Huyện|Quận|Thành phố)\s+"
    rf"(?P<name>{CAP_WORD}(?:\s+{CAP_WORD}){{0,3}})(?!\w)"
)


def province_mentions(text: str) -> list[tuple[int, int, gazetteer.Province]]:
    """(start, end, Province) for each province named in ``text``, or implied by a district."""
    found = []
    for m in _province_re().finditer(text):
        p = gazetteer.province_lookup(m.group())
        if p and not _is_person_name_context(text, m.start()):
            found.append((m.start(), m.end(), p))
    for m in _DISTRICT_RE.finditer(text):
        if p := district_province(m["type"], m["name"]):
            found.append((m.start(), m.end(), p))
    return found


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
