"""Portal chrome: lines a page shows around an article that are not the article.

Lines are recognised by the job they do (counter, rating widget, share bar...), with the
patterns kept in ``data/chrome.json`` so new portals are handled by data, not code.
"""
from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources


@cache
def _rules() -> tuple[re.Pattern, re.Pattern, int]:
    spec = json.loads(resources.files("hoptac").joinpath("data/chrome.json").read_text("utf-8"))
    line = re.compile("|".join(f"(?:{p})" for p in spec["line"].values()), re.IGNORECASE)
    truncate = re.compile("|".join(f"(?:{p})" for p in spec["truncate_at"]), re.IGNORECASE)
    return line, truncate, spec["max_line_length"]


def is_chrome(line: str) -> bool:
    line_re, _, longest = _rules()
    s = line.strip()
    return bool(s) and len(s) <= longest and line_re.fullmatch(s) is not None


def starts_trailer(line: str) -> bool:
    """A heading after which a page lists other articles ("Bài viết liên quan")."""
    _, truncate_re, longest = _rules()
    s = line.strip()
    return bool(s) and len(s) <= longest and truncate_re.fullmatch(s) is not None
