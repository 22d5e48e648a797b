"""Accent- and case-insensitive keys: how search and resolution compare Vietnamese words.

``fold("Sở KH&CN TP. Cần Thơ")`` is ``"so khcn tp can tho"``: tone marks and vowel hats
dropped, ``đ`` read as ``d``, an ampersand inside an abbreviation joined (``KH&CN`` is typed
``khcn``), every other mark a word break.
"""
from __future__ import annotations

import re
import unicodedata

_JOINED_AMPERSAND = re.compile(r"(?<=\w)\s*&\s*(?=\w)")
_NON_WORD = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    text = _JOINED_AMPERSAND.sub("", text)
    stripped = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    stripped = stripped.replace("đ", "d").replace("Đ", "D").casefold()
    return _NON_WORD.sub(" ", stripped).strip()
