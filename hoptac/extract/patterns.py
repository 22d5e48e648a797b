"""Regular expressions built from the lexicons: titles, address words, honorifics, names."""
from __future__ import annotations

import re
from functools import cache

from hoptac.extract.lexicon import alternation, load
from hoptac.extract.tokens import PhraseBook
from hoptac.text.letters import NAME_WORD

# lookarounds that stand for \b with Vietnamese letters
L, R = r"(?<![\wÀ-ỹ])", r"(?![\wÀ-ỹ])"


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
