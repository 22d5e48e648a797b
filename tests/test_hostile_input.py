"""A folder of hostile inputs through ``hoptac extract`` and ``hoptac ingest``, as real processes.

Each input has its expected outcome: stored, or failed with its name (printed as text, never
as markup or a crash) and its reason. The batch always goes on, and every good article in the
folder is stored. The folder is made by the test (a file name that is not UTF-8 cannot live in
git), from articles written for it.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ARTICLE = ("Sở Khoa học và Công nghệ tỉnh {province} và Trường Đại học {school} ký kết chương trình phối hợp "
           "giai đoạn 2024-2028 ngày 12/3/2024, gồm 5 nội dung.")


@dataclass(frozen=True)
class Case:
    path: bytes  # relative to the folder, as the file system holds it
    data: bytes
    shown: str  # the name the report gives it
    failure: str | None  # None: stored; otherwise what the reason says


def _article(province: str, school: str, title: str | None = None) -> bytes:
    body = ARTICLE.format(province=province, school=school)
    return ((title + "\n\n" if title else "") + body).encode()


CASES = [
    Case(b"good.txt", _article("Hà Giang", "Thái Nguyên"), "good.txt", None),
    # a path holding "[/y]": rich would read it as a closing tag
    Case(b"odd [/y]/name-\xff\xfe.txt", _article("Lào Cai", "Tây Bắc"), "odd [/y]/name-\\xff\\xfe.txt", "not valid UTF-8"),
    Case(b"deep.jsonl", b'{"text": ' + b"[" * 50_000 + b"]" * 50_000 + b"}\n"
         + json.dumps({"text": _article("Yên Bái", "Hùng Vương").decode()}, ensure_ascii=False).encode() + b"\n",
         "deep.jsonl#1", "nested too deep"),
    Case(b"markup [bold/title [red].txt", _article("Sơn La", "Tây Bắc", title="Tin [/] ngắn [bold]đặc biệt"), "title [red].txt", None),
    Case(b"markup [bold/[bold]broken.jsonl", b"{not json\n", "[bold]broken.jsonl#1", "not valid JSON"),
    # over the size cap the tests set (LIMIT): read no further, whatever is inside
    Case(b"huge.txt", _article("Lai Châu", "Tân Trào") * 2000, "huge.txt", "over the 150,000-byte limit"),
    Case(b"huge.jsonl", json.dumps({"text": "x" * 200_000}).encode() + b"\n", "huge.jsonl#1", "over the 150,000-byte limit"),
    Case(b"empty.txt", b"", "empty.txt", "no article text in it"),
    Case(b"nul-ff.txt", b"\x00\xff" * 500, "nul-ff.txt", "not text"),  # decodes as UTF-16 "ÿÿÿ", which is no text
    Case(b"photo.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "photo.txt", "PNG"),
    Case(b"photo2.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "photo2.txt", "same bytes as photo.txt, which failed"),
    Case(b"numbers.jsonl", b'{"html": 123}\n', "numbers.jsonl#1", '"html" is int, not text'),
    # stored, with a warning: one byte is not UTF-8 among many characters that are
    Case(b"damaged.txt", _article("Bắc Kạn", "Thái Nguyên").replace(b" ", b" \xff ", 1), "damaged.txt", None),
]
# made by the fixture: what git cannot hold
SPECIAL = {"pipe.txt": "not a regular file but a FIFO", "loop": "Too many levels of symbolic links"}
LIMIT = "150000"
# deep.jsonl's second line is a good article too
STORED = sum(c.failure is None for c in CASES) + 1


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    for case in CASES:
        path = os.path.join(os.fsencode(root), case.path)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(case.data)
    os.mkfifo(root / "pipe.txt")  # reading it would wait for a writer forever
    (root / "loop").symlink_to("loop")
    return root


def _hoptac(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "HOPTAC_DB"}
    return subprocess.run([sys.executable, "-m", "hoptac", *args], capture_output=True, text=True, env=env, timeout=300, check=False)


def test_ingest_stores_every_good_article_and_names_every_bad_input_with_its_reason(folder, tmp_path):
    db = str(tmp_path / "hostile.db")
    out = _hoptac("ingest", str(folder), "--db", db, "--json", "--max-size", LIMIT)
    assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr  # 1: some input failed
    result = json.loads(out.stdout)
    assert result["added"] == STORED
    failed = {f["name"]: f["reason"] for f in result["failed"]}
    for case in (c for c in CASES if c.failure):
        (name,) = [n for n in failed if n.endswith(case.shown)]
        assert case.failure in failed[name]
    for name, reason in SPECIAL.items():
        (shown,) = [n for n in failed if n.endswith(name)]
        assert reason in failed[shown]
    assert len(failed) == sum(c.failure is not None for c in CASES) + len(SPECIAL)
    assert [(w["name"], w["warning"]) for w in result["warnings"]] == [("damaged.txt", "1 byte(s) not valid in utf-8 were replaced by \ufffd or cut")]
    text = _hoptac("ingest", str(folder), "--db", str(tmp_path / "again.db"), "--max-size", LIMIT)  # the report for people
    assert text.returncode == 1 and "Traceback" not in text.stderr, text.stderr
    assert all(c.shown in text.stdout for c in CASES if c.failure), text.stdout
    assert "stored with a warning damaged.txt" in text.stdout


def test_titles_holding_markup_are_printed_as_text_by_every_command(folder, tmp_path):
    db = str(tmp_path / "markup.db")
    assert _hoptac("ingest", str(folder), "--db", db, "--max-size", LIMIT).returncode == 1
    table = _hoptac("extract", str(folder / "markup [bold"), "--format", "table")
    assert "Traceback" not in table.stderr and "Tin [/] ngắn [bold]đặc biệt" in table.stdout, table.stderr
    assert "[bold]broken.jsonl#1" in table.stderr
    found = _hoptac("search", "tin ngan dac biet", "--db", db)
    assert found.returncode == 0 and "Tin [/] ngắn [bold]đặc biệt" in found.stdout, found.stderr
    doc = json.loads(_hoptac("search", "tin ngan dac biet", "--db", db, "--json").stdout)["results"][0]
    shown = _hoptac("show", "document", str(doc["id"]), "--db", db)
    assert shown.returncode == 0 and "title [red].txt" in shown.stdout, shown.stderr
