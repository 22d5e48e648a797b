"""Extraction is a pure function of one document's bytes and name."""
import socket

import pytest

from conftest import SAMPLE
from hoptac.extract.pipeline import extract
from hoptac.text.reader import read_inputs


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("extraction tried to open a network connection")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_same_bytes_same_record_whatever_came_before(no_network):
    docs = [d for d in read_inputs([str(SAMPLE)])]
    first = [extract(d).to_dict() for d in docs]
    again = [extract(d).to_dict() for d in reversed(docs)][::-1]
    assert first == again


def test_output_does_not_depend_on_the_process(tmp_path):
    """Two runs with different hash seeds give byte-identical records (no set-order ties)."""
    import os
    import subprocess
    import sys

    runs = []
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-m", "hoptac", "extract", str(SAMPLE)], capture_output=True, env=env, check=True)
        runs.append(out.stdout)
    assert runs[0] == runs[1] == runs[2]
