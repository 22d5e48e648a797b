"""The domain's vocabulary, read once from the package's data files."""
from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def load(name: str) -> Any:
    return json.loads(resources.files("hoptac").joinpath(f"data/{name}.json").read_text("utf-8"))


def longest_first(words) -> list[str]:
    return sorted(set(words), key=lambda w: (-len(w), w))
