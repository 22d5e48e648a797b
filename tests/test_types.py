"""The reading and extraction stages type-check: a None that can reach a rule which does not
expect one is found here, not on the article that carries it, and the modules stay ready to
be compiled (mypyc refuses code that does not type-check)."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_text_and_extract_stages_type_check():
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--ignore-missing-imports", "--no-incremental", "hoptac/text", "hoptac/extract"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
