"""How fast is the whole read–clean–extract path, and how does it compare with a general NER tagger?

    python bench/extract_speed.py [--corpus generated|seeds|real|sizes|all] [--articles N] [--ner-sample N]

Three corpora, each timed beside underthesea's NER over a sample of the same files in the
same run (absolute rates on shared machines vary from day to day; the ratio is the figure):

* ``seeds``: the five portal pages in ``../shared/corpus/seeds`` as they are (4.5 KB of HTML
  with menus and footers each), copied until there are ``--articles`` files;
* ``real``: the 30 real news articles in ``../shared/corpus/real``, copied the same way;
* ``generated``: articles made from the shipped sample corpus, with provinces, people,
  dates and numbers varied so that no two are alike;
* ``sizes``: one document of 10 KB, 100 KB and 1 MB each (the sample articles end to end),
  its time per kilobyte beside the smallest's: extraction is linear in the text's length.

The corpus is written to a temporary directory and read back file by file through
``hoptac extract``'s path in one process (run it under ``taskset -c 0`` for one core). Peak
memory is printed at several points of the run: it should stay flat, the corpus is streamed.
"""
from __future__ import annotations

import argparse
import random
import re
import resource
import shutil
import tempfile
import time
from pathlib import Path

from hoptac.extract import gazetteer
from hoptac.extract.pipeline import extract
from hoptac.text.article import RawDocument, read
from hoptac.text.reader import read_inputs

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "corpus" / "sample"
SHARED = ROOT.parent / "shared" / "corpus"
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Đức", "Ngọc", "Thanh", "Quang", "Xuân", "Anh"]
GIVEN = ["Hùng", "Lan", "Tuấn", "Hà", "Sơn", "Thảo", "Khoa", "Nam", "Bình", "Tín", "Giang", "Hải"]


def articles_in(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.suffix in (".txt", ".html") and p.stat().st_size)


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
    """``count`` articles varied from the sample corpus (also used by the store benchmark and
    the crash tests); returns their size in bytes."""
    rng = random.Random(seed)
    provinces = sorted(gazetteer.provinces())
    base = [(p.suffix, p.read_bytes().decode("utf-8", errors="ignore")) for p in articles_in(SAMPLE)]
    size = 0
    for i in range(count):
        suffix, text = base[i % len(base)]
        data = vary(text, rng, provinces).encode("utf-8")
        (directory / f"{i:06d}{suffix}").write_bytes(data)
        size += len(data)
    return size


def build_copies(directory: Path, source: Path, count: int) -> None:
    """``count`` files, the articles of ``source`` over and over, byte for byte."""
    base = articles_in(source)
    for i in range(count):
        shutil.copyfile(base[i % len(base)], directory / f"{i:06d}{base[i % len(base)].suffix}")


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
    """Articles per second of underthesea's ``ner`` over the first ``sample`` files, one
    call per paragraph (the tagger reads sentences, not whole pages)."""
    try:
        from underthesea import ner
    except ImportError:
        return None
    texts = []
    for item in read_inputs([str(directory)]):
        texts.append(item.data.decode("utf-8", errors="ignore"))
        if len(texts) >= sample:
            break
    ner("Khởi động mô hình.")  # loading the model is not tagging
    start = time.perf_counter()
    for text in texts:
        for paragraph in text.split("\n"):
            if paragraph.strip():
                ner(paragraph)
    return len(texts) / (time.perf_counter() - start)


def bench(corpus: str, count: int, ner_sample: int) -> None:
    with tempfile.TemporaryDirectory(prefix="hoptac-bench-") as tmp:
        directory = Path(tmp)
        if corpus == "generated":
            build(directory, count)
        else:
            build_copies(directory, SHARED / corpus, count)
        size = sum(p.stat().st_size for p in directory.iterdir())
        extract(next(iter(read_inputs([str(directory)]))))  # load lexicons once, outside the timing
        seconds, marks = run_hoptac(directory, count)
        ner_rate = run_underthesea(directory, ner_sample)
    rate = count / seconds
    print(f"== {corpus}: {count:,} articles, {size / 1e6:.1f} MB ({size / count / 1e3:.1f} KB each)")
    print(f"hoptac read+clean+extract, one process: {rate:,.0f} articles/s, {size / 1e6 / seconds:.2f} MB/s ({seconds:.1f} s)")
    print("peak memory (RSS) after " + ", ".join(f"{n:,} articles: {mb:.0f} MB" for n, mb in marks))
    if ner_rate is None:
        print("underthesea not installed: `pip install -e '.[bench]'` for the comparison")
    else:
        print(f"underthesea NER alone, first {ner_sample} of the same files: {ner_rate:,.2f} articles/s")
        print(f"ratio: hoptac is {rate / ner_rate:,.0f}x faster while also cleaning and extracting every fact kind")


def bench_sizes(sizes_kb: tuple[int, ...] = (10, 100, 1000)) -> None:
    """One document of each size, made of the sample articles end to end: extraction time
    should grow with the text (the same milliseconds per kilobyte), not with its square."""
    # the articles as read (clean text, one encoding), so that the whole document is one body of news
    texts = [read(RawDocument(p.name, p.read_bytes())).text for p in articles_in(SAMPLE) if p.suffix in (".txt", ".html")]
    extract(RawDocument("warm.txt", texts[0].encode("utf-8")))
    print("== sizes: one document each, read+clean+extract")
    base = None
    for kb in sizes_kb:
        parts, size, i = [], 0, 0
        while size < kb * 1000:
            parts.append(texts[i % len(texts)])
            size += len(parts[-1].encode("utf-8"))
            i += 1
        data = "\n\n".join(parts).encode("utf-8")
        start = time.perf_counter()
        extract(RawDocument(f"{kb}kb.txt", data))
        seconds = time.perf_counter() - start
        per_kb = seconds * 1000 / (len(data) / 1000)
        base = base or per_kb
        print(f"{len(data) / 1000:>7,.0f} KB: {seconds:6.2f} s, {per_kb:.2f} ms per KB ({per_kb / base:.1f}x the smallest's)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", choices=["generated", "seeds", "real", "sizes", "all"], default="all")
    ap.add_argument("--articles", type=int, default=None, help="files per corpus (default: 600 copies of seeds/real, 10,000 generated)")
    ap.add_argument("--ner-sample", type=int, default=20)
    a = ap.parse_args()
    for corpus in ["seeds", "real", "generated", "sizes"] if a.corpus == "all" else [a.corpus]:
        if corpus == "sizes":
            bench_sizes()
        else:
            bench(corpus, a.articles or (10_000 if corpus == "generated" else 600), a.ner_sample)


if __name__ == "__main__":
    main()
