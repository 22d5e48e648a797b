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

_TOKEN = re.compile(r"[^\W_]+(?:(?:['’./]|-(?=[^\W\d_]))[^\W_]+)*|[^\w\s]")
# marks a phrase book does not compare
_LOOSE = frozenset({"-", ","})
# dashes of every width are one mark
_DASHES = str.maketrans({"–": "-", "—": "-", "‑": "-", "−": "-"})


@lru_cache(maxsize=1 << 16)
def key(word: str) -> str:
    """The comparison form of one word: case-folded, modern tone placement, one dash."""
    return tone_key(word.translate(_DASHES).casefold())


def keys(phrase: str) -> tuple[str, ...]:
    return tuple(key(m.group()) for m in _TOKEN.finditer(phrase))


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
    """The tokens of one text, with their start offsets for lookups by position."""

    __slots__ = ("items", "_starts")

    def __init__(self, text: str) -> None:
        spans = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
        new, k = Token._make, key
        self.items = [new((a, b, w, k(w))) for a, b, w in spans]
        self._starts = [a for a, _, _ in spans]

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i: int) -> Token:
        return self.items[i]

    def at(self, offset: int) -> int:
        """The index of the first token starting at or after ``offset``."""
        return bisect_left(self._starts, offset)

    def get(self, i: int) -> Token | None:
        return self.items[i] if 0 <= i < len(self.items) else None


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

    def longest(self, tokens: Tokens, i: int, stop: int | None = None) -> tuple[int, V] | None:
        """(index after the match, value) of the longest phrase starting at token ``i``.

        Dashes and commas inside a phrase are not compared: news writes ``Bộ Lao động -
        Thương binh và Xã hội`` with a comma, a dash or neither.
        """
        node, best, end = self._root, None, len(tokens) if stop is None else stop
        j = i
        while j < end:
            k = tokens.items[j].key
            nxt = node.get(k)
            if nxt is None:
                if k in _LOOSE and j > i:
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
            node = node.get(k)
            if node is None:
                return None
        return node.get(None)

    def __contains__(self, phrase: str) -> bool:
        return self.get(phrase) is not None
