"""Accent- and case-insensitive keys: how search and resolution compare Vietnamese words.

``fold("Sở KH&CN TP. Cần Thơ")`` is ``"so khcn tp can tho"``: tone marks and vowel hats
dropped, ``đ`` read as ``d``, an ampersand inside an abbreviation joined (``KH&CN`` is typed
``khcn``), every other mark a word break.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_JOINED_AMPERSAND = re.compile(r"(?<=\w)\s*&\s*(?=\w)")
_NON_WORD = re.compile(r"[\W_]+")


def _base_letters() -> dict[int, str | None]:
    # Every precomposed Latin letter maps to its letter without marks, so that a whole
    # article folds in one str.translate instead of a Python loop over its characters.
    table: dict[int, str | None] = {}
    for code in (*range(0x00C0, 0x0250), *range(0x1E00, 0x1F00)):
        base = "".join(c for c in unicodedata.normalize("NFD", chr(code)) if not unicodedata.combining(c))
        if base != chr(code):
            table[code] = base
    table.update({ord("đ"): "d", ord("Đ"): "D"})
    table.update(dict.fromkeys(range(0x0300, 0x0370)))  # combining marks left by NFD input
    return table


_BASE_LETTERS = _base_letters()


def fold(text: str) -> str:
    if len(text) <= _CACHED_LENGTH:
        return _fold_short(text)
    return _fold(text)


def _fold(text: str) -> str:
    text = _JOINED_AMPERSAND.sub("", text).translate(_BASE_LETTERS).casefold()
    return _NON_WORD.sub(" ", text).strip()


_CACHED_LENGTH = 200  # names and titles repeat across a corpus; article bodies do not
_fold_short = lru_cache(maxsize=1 << 16)(_fold)
