"""An expanded view of a text: abbreviations spelt out, old tone placement modernised.

Rules match on the shadow (``Bộ KH&CN`` reads ``Bộ Khoa học và Công nghệ``), so canonical
names come straight out of a match; ``original()`` maps shadow offsets back to the text,
so evidence still points at what the article printed.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from functools import cache

from hoptac.extract.lexicon import load


@cache
def _pattern() -> tuple[re.Pattern, dict[str, str]]:
    """One pattern for every abbreviation and old spelling, and what each stands for.

    Each alternative opens with the letter it begins with and only then looks at what comes
    before it (no letter: a word's start), and ends with an empty group naming it. With a
    letter first, the regex engine skips from one candidate letter to the next rather than
    trying every alternative at every character of the article.
    """
    spec = load("abbreviations")
    by_first: dict[tuple[str, str], list[str]] = {}
    replacements = {}
    entries = [(short, full, r"[\w&/\-]") for short, full in spec["expand"]]
    entries += [(re.escape(old), new, r"\w") for old, new in sorted(spec["tone_variants"].items(), key=lambda x: -len(x[0]))]
    for i, (short, full, joined) in enumerate(entries):
        for j, alt in enumerate(_top_level(short)):
            name = f"a{i}_{j}"
            replacements[name] = full
            by_first.setdefault((alt[0], joined), []).append(f"{alt[1:]}(?P<{name}>)")
    branches = [
        rf"{re.escape(first)}(?<!{joined}{re.escape(first)})(?:{'|'.join(rests)})(?!{joined})" for (first, joined), rests in by_first.items()
    ]
    return re.compile("|".join(branches)), replacements


def _top_level(pattern: str) -> list[str]:
    """The alternatives of a pattern at its top level (``TP\\.|TP`` → ``TP\\.``, ``TP``)."""
    parts, depth, start, escaped = [], 0, 0, False
    for k, c in enumerate(pattern):
        if escaped:
            escaped = False
        elif c == "\\":
            escaped = True
        elif c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == "|" and depth == 0:
            parts.append(pattern[start:k])
            start = k + 1
    return parts + [pattern[start:]]


class Shadow:
    __slots__ = ("text", "_shadow_starts", "_orig_starts", "_exact")

    def __init__(self, original: str) -> None:
        pattern, replacements = _pattern()
        pieces: list[str] = []
        self._shadow_starts: list[int] = []
        self._orig_starts: list[int] = []
        self._exact: list[bool] = []  # False where a segment was rewritten
        pos = shadow_len = 0
        for m in pattern.finditer(original):
            full = replacements[m.lastgroup or ""]  # (every alternative ends in a named group)
            if m.start() > pos:
                self._add(pieces, original[pos : m.start()], shadow_len, pos, True)
                shadow_len += m.start() - pos
            self._add(pieces, full, shadow_len, m.start(), len(full) == m.end() - m.start())
            shadow_len += len(full)
            pos = m.end()
        self._add(pieces, original[pos:], shadow_len, pos, True)
        self.text = "".join(pieces)

    def _add(self, pieces: list[str], piece: str, shadow_at: int, orig_at: int, exact: bool) -> None:
        pieces.append(piece)
        self._shadow_starts.append(shadow_at)
        self._orig_starts.append(orig_at)
        self._exact.append(exact)

    def original(self, offset: int, end: bool = False) -> int:
        """The text offset that a shadow offset stands for (an end offset rounds up)."""
        i = bisect_right(self._shadow_starts, offset) - 1
        if i < 0:
            return 0
        delta = offset - self._shadow_starts[i]
        if self._exact[i] or delta == 0:
            return self._orig_starts[i] + delta
        # inside an expansion: the whole abbreviation is the evidence
        nxt = self._orig_starts[i + 1] if i + 1 < len(self._orig_starts) else self._orig_starts[i]
        return nxt if end else self._orig_starts[i]


    def shadow_offset(self, offset: int) -> int:
        """The shadow offset of a text offset (inside an abbreviation: its expansion's start)."""
        i = bisect_right(self._orig_starts, offset) - 1
        if i < 0:
            return 0
        delta = offset - self._orig_starts[i]
        return self._shadow_starts[i] + (delta if self._exact[i] else 0)


def expand(s: str) -> str:
    """A string with abbreviations spelt out and white space collapsed."""
    return " ".join(Shadow(s).text.split())
