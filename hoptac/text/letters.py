"""Character classes for Vietnamese letters, for use inside regular expressions.

The code-point range À-ỹ mixes upper- and lowercase letters, so the classes are built from
Unicode's own case properties instead.
"""
from __future__ import annotations

import re

_LETTERS = [chr(c) for c in range(0xC0, 0x1EFA) if chr(c).isalpha() and chr(c) not in "×÷"]
UPPER = "A-Z" + re.escape("".join(c for c in _LETTERS if c.isupper()))
LOWER = "a-z" + re.escape("".join(c for c in _LETTERS if c.islower()))
# one capitalised syllable of a proper name
CAP_WORD = rf"[{UPPER}][{LOWER}']*"
# one syllable of a personal name, also "H'Ngọc", "Ji-hoon" (minority and foreign names)
NAME_WORD = rf"[{UPPER}][{LOWER}]*(?:(?<=[{LOWER}])[{UPPER}][{LOWER}]+)?(?:['’][{UPPER}]?[{LOWER}]+)?(?:-[{UPPER}]?[{LOWER}]+)?"
