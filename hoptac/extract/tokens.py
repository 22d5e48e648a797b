"""Words of the shadow text, and phrase books looked up over them.

Rules that need to know what word comes next (an organization's name, a title, a country)
read tokens rather than characters: a token is a run of letters and digits (``Ji-hoon``,
``H'Mông``, ``4.0`` and ``138/QĐ-TTCP`` stay whole) or one mark of punctuation. Each token
carries a key, its case-folded form with tone marks placed the modern way, so a phrase book
of thousands of names is matched by dictionary steps instead of one regular expression per
name, and ``Uỷ ban`` finds ``Ủy ban``.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable
from functools import lru_cache
from typing import Generic, NamedTuple, TypeVar

from hoptac.extract.gazetteer import tone_key

V = TypeVar("V")

_TOKEN = re.compile(r"\w+(?:(?:['’./]|-(?=[^\W\d_]))\w+)*|[^\w\s]")
# marks a phrase book does not compare
_LOOSE = frozenset({"-", ","})
# dashes of every width are one mark
_DASHES = str.maketrans({"–": "-", "—": "-", "‑": "-", "−": "-"})


@lru_cache(maxsize=1 << 16)
def key(word: str) -> str:
    """The comparison form of one word: case-folded, modern tone placement, one dash."""
    return tone_key(word.translate(_DASHES).casefold())


@lru_cache(maxsize=1 << 14)
def keys(phrase: str) -> tuple[str, ...]:
    return tuple(key(m.group()) for m in _TOKEN.finditer(phrase))


def first_keys(phrases) -> frozenset[str]:
    """The key of each phrase's first word: where a match of any of them can begin."""
    return frozenset(k[0] for p in phrases if (k := keys(p)))


# Where a match of one of many phrases can begin: first word → the first pieces of the word
# after it, or None where a one-word phrase begins (any word may follow).
Leads = dict[str, "frozenset[str] | None"]


def leads(phrases) -> Leads:
    """The first two words of each phrase, for ``Doc.matches``: "công" does not start "Công
    Thương" at "công nghệ", and a province list need not be tried at every "nghệ" of
    "khoa học và công nghệ" because of "Nghệ An"."""
    seconds: dict[str, set[str] | None] = {}
    for p in phrases:
        k = keys(p)
        if not k:
            continue
        known = seconds.get(k[0], set())
        if len(k) == 1 or known is None:
            seconds[k[0]] = None
        else:
            known.add(piece(k[1]))
            seconds[k[0]] = known
    return {first: None if second is None else frozenset(second) for first, second in seconds.items()}


_PIECES = re.compile(r"[-./'’]")


@lru_cache(maxsize=1 << 16)
def piece(k: str) -> str:
    """The first piece of a word key: "nội" of "nội-hải", as a regex sees the word end."""
    return _PIECES.split(k, 1)[0]


class Token(NamedTuple):
    start: int
    end: int
    text: str
    key: str

    @property
    def is_word(self) -> bool:
        return self.text[0].isalnum()

    @property
    def is_cap(self) -> bool:
        """Begins with a capital letter (``Khoa``, ``FPT``, ``Ji-hoon``)."""
        return self.text[0].isupper()

    @property
    def is_lower(self) -> bool:
        return self.text[0].islower()

    @property
    def is_acronym(self) -> bool:
        """``WIPO``, ``KOICA``, ``VKIST``, ``5G``: two or more capitals, no lowercase run."""
        t = self.text
        return len(t) >= 2 and sum(c.isupper() for c in t) >= 2 and not any(a.islower() and b.islower() for a, b in zip(t, t[1:]))


class Tokens:
    """The tokens of one text, kept as parallel lists (a ``Token`` is made when asked for):
    a rule that scans every token reads ``keys`` and ``texts`` without building one."""

    __slots__ = ("starts", "ends", "texts", "keys", "n", "_made")

    def __init__(self, text: str) -> None:
        found = list(_TOKEN.finditer(text))
        self.starts = list(map(re.Match.start, found))
        self.ends = list(map(re.Match.end, found))
        self.texts = list(map(re.Match.group, found))
        self.keys = list(map(key, self.texts))
        self.n = len(found)  # (an attribute: rules ask often, and len() would call Python)
        self._made: list[Token | None] = [None] * self.n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> Token:
        t = self._made[i]
        if t is None:
            t = self._made[i] = Token(self.starts[i], self.ends[i], self.texts[i], self.keys[i])
        return t

    def at(self, offset: int) -> int:
        """The index of the first token starting at or after ``offset``."""
        return bisect_left(self.starts, offset)

    def get(self, i: int) -> Token | None:
        return self[i] if 0 <= i < self.n else None


class PhraseBook(Generic[V]):
    """Phrases (sequences of word keys) with a value each; longest match at a token."""

    __slots__ = ("_root",)

    def __init__(self, entries: Iterable[tuple[str, V]] = ()) -> None:
        self._root: dict = {}
        for phrase, value in entries:
            self.add(phrase, value)

    def add(self, phrase: str, value: V) -> None:
        node = self._root
        for k in keys(phrase):
            if k not in _LOOSE:
                node = node.setdefault(k, {})
        node.setdefault(None, value)  # the first value given for a phrase wins

    def longest(self, tokens: Tokens, i: int, stop: int | None = None, loose: bool = True) -> tuple[int, V] | None:
        """(index after the match, value) of the longest phrase starting at token ``i``.

        Dashes and commas inside a phrase are not compared (``loose``): news writes ``Bộ Lao
        động - Thương binh và Xã hội`` with a comma, a dash or neither.
        """
        node, best, end = self._root, None, len(tokens) if stop is None else stop
        keys = tokens.keys
        j = i
        while j < end:
            k = keys[j]
            nxt = node.get(k)
            if nxt is None:
                if loose and k in _LOOSE and j > i:
                    j += 1
                    continue
                break
            node, j = nxt, j + 1
            if None in node:
                best = (j, node[None])
        return best

    def first_words(self) -> frozenset[str]:
        """The keys any phrase can start with: a token outside them starts none."""
        return frozenset(k for k in self._root if k is not None)

    def get(self, phrase: str) -> V | None:
        """The value of exactly this phrase, if the book has it."""
        node = self._root
        for k in keys(phrase):
            if k in _LOOSE:
                continue
            nxt = node.get(k)
            if nxt is None:
                return None
            node = nxt
        return node.get(None)

    def __contains__(self, phrase: str) -> bool:
        return self.get(phrase) is not None
