"""Organizations across articles: one entity per body, however it was written.

The extractor already spells abbreviations out and makes implied localities explicit, so
most spellings meet at the *block key*: the folded name with the locality's type word
dropped (``tỉnh``, ``thành phố``, ``TP.``) and the province written one way. What remains
are acronyms and short forms an article defined for itself ("… Hàn Quốc (KIST)"); those
meet through the aliases each entity collects.
"""
from __future__ import annotations

import re
from functools import cache

from hoptac.extract.gazetteer import province_lookup
from hoptac.extract.lexicon import load
from hoptac.text.fold import fold

_LOCALITY_WORD = re.compile(r"\b(?:tinh|thanh pho|tp|thu do) ")
# Only acronyms travel between articles; short forms ("Sở KH&CN", "Công an thành phố")
# mean a different body in every article that uses them.
_ACRONYM = re.compile(r"^[A-ZĐ][A-ZĐ0-9&-]{2,}$")


def org_block(name: str) -> str:
    """``Sở KH&CN TP. Cần Thơ`` and ``Sở Khoa học và Công nghệ thành phố Cần Thơ`` → one key."""
    folded = fold(name)
    for m in _LOCALITY_WORD.finditer(folded):
        province = province_lookup(folded[m.end():])
        if province is not None:
            return f"{folded[: m.start()]}{fold(province.name)}".strip()
    return folded


def alias_keys(name: str, written: list[str]) -> set[str]:
    """The folded forms an organization is known by beyond its block key: its own acronyms.

    A generic abbreviation ("UBND", "HĐND") is every province's: it names no body by itself.
    """
    return {fold(w) for w in written if _ACRONYM.match(w) and not _generic(w)} - {org_block(name), ""}


@cache
def _generic_re() -> re.Pattern:
    return re.compile("|".join(f"(?:{pattern})" for pattern, _ in load("abbreviations")["expand"]))


def _generic(written: str) -> bool:
    return _generic_re().fullmatch(written) is not None
