"""Quality as evaluation measures it: the seed articles, the shipped sample corpus and the 30
real news articles in ../shared (floors at what the extractor reaches, so a rule that helps
one article by hurting others shows here)."""
import importlib.util
import json
from pathlib import Path


from conftest import ROOT, SAMPLE
from hoptac.extract.pipeline import extract
from hoptac.text.reader import read_inputs

MIN_F1 = 0.95


def load_scorer(shared: Path):
    spec = importlib.util.spec_from_file_location("score", shared / "eval" / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def overall(scorer, gold_path: Path, corpus: Path) -> tuple[float, dict]:
    pred = {}
    for item in read_inputs([str(corpus)]):
        record = extract(item).to_dict()
        pred[record["doc"]] = json.loads(json.dumps(record))
    gold = {json.loads(line)["doc"]: json.loads(line) for line in gold_path.read_text("utf-8").splitlines() if line.strip()}
    facets = scorer.score(gold, pred)
    f1s = {name: t.prf()[2] for name, t in facets.items() if t.tp + t.fp + t.fn}
    return sum(f1s.values()) / len(f1s), {name: (f1s[name], facets[name].tp + facets[name].fn) for name in f1s}


def test_seed_articles_score_at_least_095(shared):
    f1, facets = overall(load_scorer(shared), shared / "corpus" / "seeds.gold.jsonl", shared / "corpus" / "seeds")
    assert f1 >= MIN_F1, facets


def test_sample_corpus_scores_at_least_090(shared):
    gold = ROOT / "corpus" / "sample.gold.jsonl"
    f1, facets = overall(load_scorer(shared), gold, SAMPLE)
    assert f1 >= 0.90, facets


def test_real_news_scores_at_least_095_and_every_large_facet_at_least_070(shared):
    f1, facets = overall(load_scorer(shared), shared / "corpus" / "real.gold.jsonl", shared / "corpus" / "real")
    assert f1 >= 0.95, facets
    assert all(score >= 0.70 for score, gold_items in facets.values() if gold_items >= 10), facets
