"""The command line as a user runs it: a real process, real files, real exit codes."""
import json
import subprocess
import sys

from conftest import SAMPLE

ARTICLE = "Tiêu đề: Sở KH&CN tỉnh Yên Bái ký kết hợp tác\n\nSáng ngày 6/6/2023, Sở KH&CN tỉnh Yên Bái và Trường Đại học Nông Lâm ký kết Thỏa thuận hợp tác giai đoạn 2023-2028. Ông Nguyễn Văn Tuấn, Giám đốc Sở KH&CN phát biểu."


def hoptac(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "hoptac", *args], input=stdin, capture_output=True, text=True, check=False)


def test_jsonl_in_input_order_with_contract_fields(tmp_path):
    (tmp_path / "b.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "a.txt").write_text(ARTICLE.replace("Yên Bái", "Lào Cai"), encoding="utf-8")
    out = hoptac("extract", str(tmp_path / "b.txt"), str(tmp_path / "a.txt"))
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["doc"] for r in rows] == ["b.txt", "a.txt"]
    for key in ("title", "published_at", "source", "views", "text", "events", "persons", "organizations", "agreements", "legal_refs", "commitments"):
        assert key in rows[0]
    assert rows[0]["agreements"][0]["kind"] == "cooperation_agreement"
    assert all("evidence" in p and "confidence" in p for p in rows[0]["persons"])


def test_unreadable_files_are_reported_and_the_batch_goes_on(tmp_path):
    (tmp_path / "ok.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    out = hoptac("extract", str(tmp_path / "photo.png"), str(tmp_path / "missing.txt"), str(tmp_path / "ok.txt"))
    assert out.returncode == 1
    assert "photo.png" in out.stderr and "missing.txt" in out.stderr
    assert [json.loads(line)["doc"] for line in out.stdout.splitlines()] == ["ok.txt"]


def test_stdin_and_json_array():
    out = hoptac("extract", "-", "--format", "json", stdin=ARTICLE)
    assert out.returncode == 0, out.stderr
    (record,) = json.loads(out.stdout)
    assert record["doc"] == "-"
    assert record["persons"][0]["name"] == "Nguyễn Văn Tuấn"


def test_table_for_a_person_to_read():
    out = hoptac("extract", str(SAMPLE), "--format", "table")
    assert out.returncode == 0, out.stderr
    assert "agreement" in out.stdout and "person" in out.stdout
