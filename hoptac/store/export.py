"""Export: the store's tables as CSV, JSON Lines or Parquet, and its network as GraphML or GEXF.

Tables are streamed (``yield_per``), so a store of 100,000 documents is never held in memory
at once; everything is read in one transaction, so the files agree with each other even while
an ingest runs. The network is what analysts open in Gephi or yEd: people, organizations
and agreements, with people joined to the organizations they hold positions in and
agreements to their parties. Entities merged into another count as the survivor, and facts
an analyst deleted are left out of it (the tables keep them, flagged by ``suppressed_by``).
"""
from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from itertools import groupby
from pathlib import Path

import networkx as nx
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import JSON, Connection, Engine, Float, Integer, Table, select

from hoptac.store.schema import entities, facts, links, metadata, search_index

TABLE_FORMATS = ("csv", "jsonl", "parquet")
NETWORK_FORMATS = ("graphml", "gexf")
FORMATS = TABLE_FORMATS + NETWORK_FORMATS
BATCH = 1000  # rows fetched and written at a time
# search_index is derived (folded text) and rebuilt by ingest: nothing in it is worth exporting.
TABLES = [t for t in metadata.sorted_tables if t is not search_index]


def export(engine: Engine, out_dir: Path, formats: set[str]) -> list[Path]:
    unknown = set(formats) - set(FORMATS)
    if unknown:  # checked before anything is written, so a typo leaves no half export behind
        raise ValueError(f"unknown export format {', '.join(sorted(unknown))}; valid formats: {', '.join(FORMATS)}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with engine.connect() as conn:
        for table in TABLES:
            for fmt in (f for f in TABLE_FORMATS if f in formats):
                path = out_dir / f"{table.name}.{fmt}"
                _WRITERS[fmt](_batches(conn, table), table, path)
                written.append(path)
        if formats & set(NETWORK_FORMATS):
            graph = network(conn)
            for fmt in (f for f in NETWORK_FORMATS if f in formats):
                path = out_dir / f"network.{fmt}"
                (nx.write_graphml if fmt == "graphml" else nx.write_gexf)(graph, path)
                written.append(path)
    return written


def _batches(conn: Connection, table: Table) -> Iterator[list[dict]]:
    # yield_per streams from a server-side cursor instead of fetching the whole table.
    result = conn.execution_options(yield_per=BATCH).execute(select(table).order_by(*table.primary_key.columns))
    for rows in result.mappings().partitions():
        yield [dict(row) for row in rows]


def _json_as_text(row: dict, table: Table) -> dict:
    """JSON columns as JSON text, for formats whose cells hold only scalars."""
    return {c.name: json.dumps(row[c.name], ensure_ascii=False) if isinstance(c.type, JSON) and row[c.name] is not None
            else row[c.name] for c in table.columns}


def _write_csv(batches: Iterator[list[dict]], table: Table, path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:  # newline="": the csv module quotes newlines in texts itself
        writer = csv.DictWriter(f, fieldnames=[c.name for c in table.columns])
        writer.writeheader()
        for rows in batches:
            writer.writerows(_json_as_text(row, table) for row in rows)


def _write_jsonl(batches: Iterator[list[dict]], table: Table, path: Path) -> None:
    with path.open("w", encoding="utf-8") as f:
        for rows in batches:  # JSON columns stay nested: JSON Lines can hold them as they are
            f.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def _arrow_type(column) -> pa.DataType:
    if isinstance(column.type, Integer):
        return pa.int64()
    return pa.float64() if isinstance(column.type, Float) else pa.string()


def _write_parquet(batches: Iterator[list[dict]], table: Table, path: Path) -> None:
    # The schema comes from the table, not the data, so empty tables and all-null columns keep their types.
    schema = pa.schema([pa.field(c.name, _arrow_type(c), nullable=c.nullable) for c in table.columns])
    with pq.ParquetWriter(path, schema) as writer:
        for rows in batches:
            writer.write_batch(pa.RecordBatch.from_pylist([_json_as_text(row, table) for row in rows], schema=schema))


_WRITERS = {"csv": _write_csv, "jsonl": _write_jsonl, "parquet": _write_parquet}


def network(conn: Connection) -> nx.MultiDiGraph:
    """People, organizations and agreements; a multigraph, so one person can hold two titles in one organization."""
    graph = nx.MultiDiGraph()
    node = {}  # entity id -> the node it counts as: its own, or its survivor's if merged
    for e in conn.execute(select(entities).where(entities.c.kind.in_(("person", "organization")))):
        node[e.id] = f"{e.kind}:{e.merged_into or e.id}"  # merge() points at the root, never at another merged entity
        if e.merged_into is None:
            graph.add_node(node[e.id], label=e.name, name=e.name, kind=e.kind, org_kind=e.org_kind or "",
                           province=e.province or "", province_now=e.province_now or "")
    live = facts.c.suppressed_by.is_(None)
    for f in conn.execute(select(facts.c.id, facts.c.label, facts.c.data, facts.c.date, facts.c.document_id)
                          .where(facts.c.kind == "agreement", live)):
        graph.add_node(f"agreement:{f.id}", label=f.label, title=f.label, kind=str(f.data.get("kind") or ""),
                       signed_on=f.date or "", document=f.document_id)
    # A position's links name its person (subject) and its organization; an agreement's name its parties.
    rows = conn.execute(select(links.c.fact_id, links.c.role, links.c.entity_id, facts.c.kind, facts.c.label, facts.c.date)
                        .join(facts, facts.c.id == links.c.fact_id)
                        .where(live, facts.c.kind.in_(("agreement", "position")), links.c.role.in_(("subject", "organization", "party")))
                        .order_by(links.c.fact_id))
    for fact_id, group in groupby(rows, key=lambda r: r.fact_id):
        group = [r for r in group if r.entity_id in node]
        ends = {role: [node[r.entity_id] for r in group if r.role == role] for role in ("subject", "organization", "party")}
        if not group:
            continue
        kind, title, date = group[0].kind, group[0].label, group[0].date or ""
        if kind == "agreement":
            for party in ends["party"]:
                graph.add_edge(party, f"agreement:{fact_id}", key="party", relation="party", title="", date=date, weight=1)
        for person in ends["subject"] if kind == "position" else ():
            for organization in ends["organization"]:
                _count(graph, person, organization, title, date)
    return graph


def _count(graph: nx.MultiDiGraph, person: str, organization: str, title: str, date: str) -> None:
    """One edge per person, organization and title; seen again, its weight grows and its date is the latest."""
    edge = graph.get_edge_data(person, organization, key=title)
    if edge is None:
        graph.add_edge(person, organization, key=title, relation="position", title=title, date=date, weight=1)
    else:
        edge["weight"] += 1
        edge["date"] = max(edge["date"], date)
