from __future__ import annotations

import csv
import json
import sys
import unicodedata
from pathlib import Path

import networkx as nx
import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, select

from hoptac.store import corrections
from hoptac.store.corrections import Author
from hoptac.store.db import connect
from hoptac.store.export import FORMATS, TABLES, export
from hoptac.store.ingest import ingest
from hoptac.store.schema import documents, entities, facts

SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "seeds"
GIANG, MOST = "Nguyễn Hoàng Giang", "Bộ Khoa học và Công nghệ"
CAN_THO_DOST, CAN_THO_POLICE = "Sở Khoa học và Công nghệ thành phố Cần Thơ", "Công an thành phố Cần Thơ"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    if not SEEDS.is_dir():
        pytest.skip(f"the seed corpus is not beside the project ({SEEDS})")
    engine = connect(str(tmp_path_factory.mktemp("store") / "store.db"))
    ingest(engine, [str(SEEDS)], jobs=1)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def exported(store, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("export")
    written = export(store, out, set(FORMATS))
    assert sorted(p.name for p in written) == sorted(
        [f"{t.name}.{fmt}" for t in TABLES for fmt in ("csv", "jsonl", "parquet")] + ["network.graphml", "network.gexf"])
    assert all(p.parent == out and p.is_file() for p in written)
    return out


def count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def node_named(graph: nx.Graph, name: str) -> str:
    [node] = [n for n, d in graph.nodes(data=True) if d.get("name") == name]
    return node


def agreement_between(graph: nx.Graph, a: str, b: str) -> str:
    """The one agreement node both organizations are party to."""
    [node] = set(graph.successors(node_named(graph, a))) & set(graph.successors(node_named(graph, b)))
    assert node.startswith("agreement:")
    return node


def test_csv_documents_keep_vietnamese_text(store, exported):
    csv.field_size_limit(sys.maxsize)  # an article's text can outgrow the csv module's default 128 KiB field
    with (exported / "documents.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 5
    with store.connect() as conn:
        texts = dict(conn.execute(select(documents.c.id, documents.c.text)).all())
    for row in rows:
        assert row["text"] == texts[int(row["id"])]
        assert unicodedata.is_normalized("NFC", row["text"])
    assert any("Khoa học và Công nghệ" in row["text"] for row in rows)


def test_csv_serializes_json_columns_as_json(exported):
    with (exported / "facts.csv").open(encoding="utf-8", newline="") as f:
        row = next(csv.DictReader(f))
    assert isinstance(json.loads(row["data"]), dict)
    assert isinstance(json.loads(row["evidence"]), list)


def test_jsonl_has_every_fact(store, exported):
    lines = (exported / "facts.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == count(store, facts) > 0
    agreements = [json.loads(line) for line in lines if json.loads(line)["kind"] == "agreement"]
    assert any(CAN_THO_POLICE in a["data"]["parties"] for a in agreements)
    assert "\\u" not in (exported / "facts.jsonl").read_text(encoding="utf-8")  # ensure_ascii=False


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_parquet_row_counts(store, exported, table):
    parquet = pq.read_table(exported / f"{table.name}.parquet")
    assert parquet.num_rows == count(store, table)
    assert parquet.column_names == [c.name for c in table.columns]


def test_parquet_json_columns_are_strings(exported):
    parquet = pq.read_table(exported / "entities.parquet")
    assert all(isinstance(json.loads(a), list) for a in parquet.column("aliases").to_pylist())


def test_graphml_positions_and_parties(exported):
    graph = nx.read_graphml(exported / "network.graphml")
    giang, most = node_named(graph, GIANG), node_named(graph, MOST)
    assert giang.startswith("person:") and most.startswith("organization:")
    titles = {d["title"]: d for d in graph.get_edge_data(giang, most).values()}
    assert "Thứ trưởng Bộ Khoa học và Công nghệ" in titles
    assert titles["Thứ trưởng Bộ Khoa học và Công nghệ"]["weight"] == 2  # named in two articles
    program = agreement_between(graph, CAN_THO_DOST, CAN_THO_POLICE)
    assert graph.nodes[program]["kind"] == "cooperation_program"
    assert graph.nodes[program]["signed_on"] == "2022-03-03"
    assert "Chương trình phối hợp hoạt động khoa học và công nghệ" in graph.nodes[program]["title"]


def test_gexf_reads_back_the_same_network(exported):
    graphml = nx.read_graphml(exported / "network.graphml")
    gexf = nx.read_gexf(exported / "network.gexf")
    assert set(gexf.nodes) == set(graphml.nodes)
    assert gexf.number_of_edges() == graphml.number_of_edges()
    assert gexf.nodes[node_named(gexf, GIANG)]["kind"] == "person"


def test_merged_entity_is_one_node_and_suppressed_fact_is_gone(tmp_path):
    if not SEEDS.is_dir():
        pytest.skip(f"the seed corpus is not beside the project ({SEEDS})")
    engine = connect(str(tmp_path / "store.db"))
    ingest(engine, [str(SEEDS)], jobs=1)
    with engine.begin() as conn:
        ids = dict(conn.execute(select(entities.c.name, entities.c.id)).all())
        corrections.merge(conn, ids[CAN_THO_POLICE], ids[CAN_THO_DOST], Author("t", "r"))
        [party_program] = conn.execute(select(facts.c.id).where(facts.c.kind == "agreement",
                                                                facts.c.label.like("Thỏa thuận%"))).scalars().all()
        corrections.delete_fact(conn, party_program, Author("t", "r"))
    export(engine, tmp_path / "out", {"graphml"})
    engine.dispose()
    graph = nx.read_graphml(tmp_path / "out" / "network.graphml")
    assert f"organization:{ids[CAN_THO_POLICE]}" not in graph
    assert not any(d.get("name") == CAN_THO_POLICE for _, d in graph.nodes(data=True))
    dost = f"organization:{ids[CAN_THO_DOST]}"
    # The police's party link and its director's position now lead to the department it was merged into.
    assert any(n.startswith("agreement:") for n in graph.successors(dost))
    assert graph.has_edge(node_named(graph, "Nguyễn Văn Thuận"), dost)
    assert f"agreement:{party_program}" not in graph
    assert not any("Thỏa thuận hợp tác" in d.get("title", "") for _, d in graph.nodes(data=True))


def test_suppressed_fact_stays_in_tables_with_its_flag(tmp_path):
    if not SEEDS.is_dir():
        pytest.skip(f"the seed corpus is not beside the project ({SEEDS})")
    engine = connect(str(tmp_path / "store.db"))
    ingest(engine, [str(SEEDS)], jobs=1)
    with engine.begin() as conn:
        fact_id = conn.execute(select(facts.c.id).where(facts.c.kind == "agreement").limit(1)).scalar_one()
        correction_id = corrections.delete_fact(conn, fact_id, Author("t", "r"))
    export(engine, tmp_path / "out", {"jsonl"})
    engine.dispose()
    rows = [json.loads(line) for line in (tmp_path / "out" / "facts.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["suppressed_by"] for r in rows if r["id"] == fact_id] == [correction_id]


def test_unknown_format_is_refused(tmp_path):
    engine = connect(str(tmp_path / "store.db"))
    with pytest.raises(ValueError, match="graphml"):
        export(engine, tmp_path / "out", {"csv", "xlsx"})
    engine.dispose()
    assert not (tmp_path / "out").exists()
