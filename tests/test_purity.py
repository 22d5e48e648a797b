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
