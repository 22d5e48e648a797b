"""How fast is the whole read–clean–extract path, and how does it compare with a general NER tagger?

    python bench/extract_speed.py [--articles 10000] [--ner-sample 200]

Builds a corpus of generated articles from the shipped sample corpus (provinces, people,
dates and numbers varied so no two articles are alike), writes it to a temporary directory,
and runs ``hoptac extract``'s path over the files in one process (one core). Prints
articles/s and MB/s, peak memory at several points of the run (it should stay flat: the
corpus is streamed), and, in the same run, underthesea's NER over a sample of the same
articles, for the ratio.
"""
from __future__ import annotations

import argparse
import random
import re
import resource
import tempfile
import time
from pathlib import Path

from hoptac.extract import gazetteer
from hoptac.extract.pipeline import extract
from hoptac.text.reader import read_inputs

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "corpus" / "sample"
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Đức", "Ngọc", "Thanh", "Quang", "Xuân", "Anh"]
GIVEN = ["Hùng", "Lan", "Tuấn", "Hà", "Sơn", "Thảo", "Khoa", "Nam", "Bình", "Tín", "Giang", "Hải"]


def templates() -> list[tuple[str, str]]:
    out = []
    for path in sorted(SAMPLE.iterdir()):
        if path.suffix in (".txt", ".html"):
            text = path.read_bytes().decode("utf-8", errors="ignore")
            if text.strip():
                out.append((path.suffix, text))
    return out


def vary(text: str, rng: random.Random, provinces: list[str]) -> str:
    names = {n: f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}" for n in sorted(set(re.findall(r"(?:Nguyễn|Trần|Lê|Phạm|Hoàng|Vũ|Bùi|Đỗ|Ngô) [A-ZĐ]\w+ [A-ZĐ]\w+", text)))}
    for old, new in names.items():
        text = text.replace(old, new)
    for p in sorted(p for p in provinces if p in text):
        text = text.replace(p, rng.choice(provinces))
    year = rng.randint(2015, 2026)
    text = re.sub(r"(?<=/)20\d\d\b", str(year), text)
    return text + f"\n\nBài số {rng.randint(1, 10**9)}."


def build(directory: Path, count: int, seed: int = 7) -> int:
    rng = random.Random(seed)
    provinces = sorted(gazetteer.provinces())
    base = templates()
    size = 0
    for i in range(count):
        suffix, text = base[i % len(base)]
        data = vary(text, rng, provinces).encode("utf-8")
        (directory / f"{i:06d}{suffix}").write_bytes(data)
        size += len(data)
    return size


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_hoptac(directory: Path, count: int) -> tuple[float, list[tuple[int, float]]]:
    checkpoints, marks = {count // 10, count // 2, count}, []
    done = 0
    start = time.perf_counter()
    for item in read_inputs([str(directory)]):
        extract(item)
        done += 1
        if done in checkpoints:
            marks.append((done, peak_mb()))
    return time.perf_counter() - start, marks


def run_underthesea(directory: Path, sample: int) -> float | None:
    try:
        from underthesea import ner
    except ImportError:
        return None
    texts = []
    for item in read_inputs([str(directory)]):
        texts.append(item.data.decode("utf-8", errors="ignore"))
        if len(texts) >= sample:
            break
    start = time.perf_counter()
    for text in texts:
        for paragraph in text.split("\n"):
            if paragraph.strip():
                ner(paragraph)
    return len(texts) / (time.perf_counter() - start)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--ner-sample", type=int, default=200)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="hoptac-bench-") as tmp:
        directory = Path(tmp)
        size = build(directory, a.articles)
        extract(next(iter(read_inputs([str(directory)]))))  # load lexicons once, outside the timing
        seconds, marks = run_hoptac(directory, a.articles)
        ner_rate = run_underthesea(directory, a.ner_sample)
    rate = a.articles / seconds
    print(f"corpus: {a.articles} articles, {size / 1e6:.1f} MB (generated from {len(templates())} sample articles)")
    print(f"hoptac read+clean+extract, one core: {rate:,.0f} articles/s, {size / 1e6 / seconds:.2f} MB/s ({seconds:.1f} s)")
    print("peak memory (RSS) after " + ", ".join(f"{n:,} articles: {mb:.0f} MB" for n, mb in marks))
    if ner_rate is None:
        print("underthesea not installed: `pip install -e '.[bench]'` for the comparison")
    else:
        print(f"underthesea NER alone, same articles ({a.ner_sample}): {ner_rate:,.1f} articles/s")
        print(f"ratio: hoptac is {rate / ner_rate:,.0f}x faster while also cleaning and extracting every fact kind")


if __name__ == "__main__":
    main()
