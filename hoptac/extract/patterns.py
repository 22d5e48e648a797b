"""Regular expressions built from the lexicons: titles, address words, honorifics, names."""
from __future__ import annotations

import re
from functools import cache

from hoptac.extract.lexicon import alternation, load
from hoptac.extract.tokens import Leads, PhraseBook, leads
from hoptac.text.letters import NAME_WORD

# lookarounds that stand for \b with Vietnamese letters
L, R = r"(?<![\wÀ-ỹ])", r"(?![\wÀ-ỹ])"


class Needing:
    """A pattern that cannot match without one of ``needs`` (lowercase words) in the text it
    reads: text without any is not searched, a substring test being far cheaper."""

    __slots__ = ("pattern", "needs")

    def __init__(self, pattern: re.Pattern, needs) -> None:
        self.pattern, self.needs = pattern, tuple(w.lower() for w in needs)

    def _possible(self, s: str, a: int, b: int | None) -> bool:
        span = s[a:b].lower()
        return any(w in span for w in self.needs)

    def search(self, s: str, a: int = 0, b: int | None = None) -> re.Match | None:
        return self.pattern.search(s, a, len(s) if b is None else b) if self._possible(s, a, b) else None

    def match(self, s: str, a: int = 0, b: int | None = None) -> re.Match | None:
        return self.pattern.match(s, a, len(s) if b is None else b) if self._possible(s, a, b) else None

    def finditer(self, s: str, a: int = 0, b: int | None = None):
        return self.pattern.finditer(s, a, len(s) if b is None else b) if self._possible(s, a, b) else iter(())


def compiled(spec, wrap: str = "{}", flags: int = re.IGNORECASE) -> re.Pattern | Needing:
    """A pattern from a lexicon: a string, or ``{"pattern": …, "needs": [words]}``; ``wrap``
    places it in a larger pattern (``"{L}(?:{})"``)."""
    if isinstance(spec, dict):
        return Needing(re.compile(wrap.replace("{}", spec["pattern"]), flags), spec["needs"])
    return re.compile(wrap.replace("{}", spec), flags)


def words_re(words) -> re.Pattern:
    """Any of ``words`` as whole words, in any case: ``L(?:w1|w2|…)R``, built for searching.

    Each branch opens with a letter as printed (both cases), and only then looks behind it
    for a word's start: with a literal first, the regex engine jumps from one candidate
    letter to the next instead of trying the whole list at every character of a sentence.
    """
    tails: dict[str, list[str]] = {}
    for w in words:
        w = w.lower()
        tails.setdefault(w[0], []).append(w[1:])
    branches = []
    for first, rest in sorted(tails.items()):
        for c in dict.fromkeys([first, first.upper()] if len(first.upper()) == 1 else [first]):
            branches.append(rf"{re.escape(c)}(?<![\wÀ-ỹ]{re.escape(c)})(?i:{alternation(rest, fold=True)})")
    return re.compile(rf"(?:{'|'.join(branches)}){R}")


@cache
def titles() -> PhraseBook[str]:
    """Position titles, each to its spelling in the lexicon (``phó chủ tịch`` → ``Phó Chủ tịch``)."""
    spec = load("titles")
    return PhraseBook((t, t) for t in spec["titles"] + spec["party"] + list(spec["member"]))


@cache
def title_first_words() -> frozenset[str]:
    """The first word of every title, as a token key: most words start none."""
    return titles().first_words()


@cache
def title_leads() -> Leads:
    """The first two words of every title ("phó" starts titles only before "chủ", "giám"…)."""
    spec = load("titles")
    return leads(spec["titles"] + spec["party"] + list(spec["member"]))


@cache
def address_re() -> re.Pattern:
    return re.compile(rf"{L}{alternation(load('titles')['address'])}(?=\s)")


@cache
def honorific_re() -> re.Pattern:
    return re.compile(rf"{L}(?P<h>{alternation(load('titles')['honorifics'])})\.?(?=\s)")


@cache
def former_re() -> re.Pattern:
    return re.compile(rf"{L}(?:{'|'.join(load('titles')['former'])})\s+")


@cache
def surnames() -> frozenset[str]:
    return frozenset(load("surnames")["surnames"])


@cache
def name_run_re() -> re.Pattern:
    """Two to five capitalised syllables: the shape of a personal name (not led by "Ông", "Đồng chí")."""
    address = alternation(w for w in load("titles")["address"] if w[0].isupper())
    return re.compile(rf"{L}(?!{address}\s){NAME_WORD}(?:[ \t]+{NAME_WORD}){{1,4}}{R}")


@cache
def not_names() -> tuple[str, ...]:
    return tuple(load("surnames")["not_names"])


def starts_with_surname(name: str) -> bool:
    return name.split(" ", 1)[0] in surnames() and not name.startswith(not_names())


def looks_like_full_name(name: str) -> bool:
    """A name written with no address word: a family name and at least two more syllables."""
    return starts_with_surname(name) and len(name.split()) >= 3
