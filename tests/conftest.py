from __future__ import annotations

from pathlib import Path

import pytest

from hoptac.extract.pipeline import extract
from hoptac.records import Record
from hoptac.text.article import RawDocument

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SAMPLE = ROOT / "corpus" / "sample"


def run(text: str, name: str = "article.txt") -> Record:
    """Extract one article given as text, through the same path as the CLI."""
    return extract(RawDocument(name=name, data=text.encode("utf-8")))


@pytest.fixture
def shared() -> Path:
    if not (SHARED / "corpus" / "seeds").is_dir():
        pytest.skip(f"../shared is not beside the project ({SHARED}); the seed evaluation needs it")
    return SHARED
