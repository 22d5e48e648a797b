"""The domain's vocabulary, read once from the package's data files."""
from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any


@cache
def load(name: str) -> Any:
    return json.loads(resources.files("hoptac").joinpath(f"data/{name}.json").read_text("utf-8"))


def longest_first(words) -> list[str]:
    return sorted(set(words), key=lambda w: (-len(w), w))


def alternation(words, fold: bool = False) -> str:
    """A regex group matching any of ``words`` literally, the longest where several match.

    The words are laid out as a trie (``Phó (?:Chủ tịch|Giám đốc)``), not as one branch per
    word: the regex engine then tries a handful of branches at each letter instead of
    every word, which matters for case-insensitive lists of hundreds of titles or
    triggers. A greedy optional tail tries the longer word first, as a longest-first
    alternation would. ``fold``: the pattern is compiled case-insensitively, so words that
    differ only by case are one branch.
    """
    trie: dict = {}
    for w in set(words):
        node = trie
        for c in w.lower() if fold else w:
            node = node.setdefault(c, {})
        node[""] = {}
    return f"(?:{_branches(trie)})" if trie else "(?!)"


def _branches(node: dict) -> str:
    parts = [re.escape(c) + _tail(child) for c, child in sorted(node.items()) if c]
    body = parts[0] if len(parts) == 1 else f"(?:{'|'.join(parts)})"
    if "" in node:
        return f"(?:{body})?" if parts else ""
    return body


def _tail(node: dict) -> str:
    """The rest of the words below a letter, one letter at a time while there is no choice."""
    out = []
    while len(node) == 1 and "" not in node:
        (c, node), = node.items()
        out.append(re.escape(c))
    return "".join(out) + (_branches(node) if node and node != {"": {}} else "")
