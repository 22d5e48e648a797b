"""Regular expressions built from the lexicons: titles, address words, honorifics, names."""
from __future__ import annotations

import re
from functools import cache

from hoptac.extract.lexicon import load, longest_first
from hoptac.text.letters import NAME_WORD

# lookarounds that stand for \b with Vietnamese letters
L, R = r"(?<![\wÀ-ỹ])", r"(?![\wÀ-ỹ])"


@cache
def title_re() -> re.Pattern:
    """A position title; case-insensitive after its first letter is matched as printed."""
    spec = load("titles")
    words = longest_first(spec["titles"] + spec["party"] + list(spec["member"]))
    return re.compile(rf"{L}(?:{'|'.join(map(re.escape, words))}){R}", re.IGNORECASE)


@cache
def title_first_words() -> frozenset[str]:
    """The first word of every title, as a token key: most words start none, and need no regex."""
    from hoptac.extract.tokens import key

    spec = load("titles")
    return frozenset(key(t.split()[0]) for t in spec["titles"] + spec["party"] + list(spec["member"]))


@cache
def canonical_titles() -> dict[str, str]:
    spec = load("titles")
    return {t.casefold(): t for t in spec["titles"] + spec["party"] + list(spec["member"])}


@cache
def address_re() -> re.Pattern:
    words = longest_first(load("titles")["address"])
    return re.compile(rf"{L}(?:{'|'.join(map(re.escape, words))})(?=\s)")


@cache
def honorific_re() -> re.Pattern:
    words = longest_first(load("titles")["honorifics"])
    return re.compile(rf"{L}(?P<h>{'|'.join(map(re.escape, words))})\.?(?=\s)")


@cache
def former_re() -> re.Pattern:
    return re.compile(rf"{L}(?:{'|'.join(load('titles')['former'])})\s+")


@cache
def surnames() -> frozenset[str]:
    return frozenset(load("surnames")["surnames"])


@cache
def name_run_re() -> re.Pattern:
    """Two to five capitalised syllables: the shape of a personal name (not led by "Ông", "Đồng chí")."""
    address = "|".join(re.escape(w) for w in longest_first(load("titles")["address"]) if w[0].isupper())
    return re.compile(rf"{L}(?!(?:{address})\s){NAME_WORD}(?:[ \t]+{NAME_WORD}){{1,4}}{R}")


@cache
def not_names() -> tuple[str, ...]:
    return tuple(load("surnames")["not_names"])


def starts_with_surname(name: str) -> bool:
    return name.split(" ", 1)[0] in surnames() and not name.startswith(not_names())


def looks_like_full_name(name: str) -> bool:
    """A name written with no address word: a family name and at least two more syllables."""
    return starts_with_surname(name) and len(name.split()) >= 3
