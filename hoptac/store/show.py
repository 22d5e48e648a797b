"""One thing with everything known about it: a person, an organization, an agreement, a document.

Each function returns plain data (dicts and lists) that the CLI prints and the web app
renders. Analysts' corrections are already applied in the stored facts; facts an analyst
deleted are left out; entities merged into another are read as that one.
"""
from __future__ import annotations

from sqlalchemy import Connection, func, select

from hoptac.store.schema import corrections, document_versions, documents, entities, facts, links
from hoptac.store.search import entity_members


class NotFound(LookupError):
    pass


def person(conn: Connection, entity_id: int, limit: int | None = None) -> dict:
    """A person; ``limit`` caps the sources listed (newest first), ``documents_total`` counts them all."""
    entity = _entity(conn, entity_id, "person")
    members = entity_members(conn, [entity["id"]])
    org = links.alias("org")
    org_entity = entities.alias("org_entity")
    rows = conn.execute(
        select(facts, org_entity.c.id.label("org_id"), org_entity.c.name.label("org_name"))
        .select_from(facts.join(links, links.c.fact_id == facts.c.id)
                     .outerjoin(org, (org.c.fact_id == facts.c.id) & (org.c.role == "organization"))
                     .outerjoin(org_entity, org_entity.c.id == org.c.entity_id))
        .where(links.c.entity_id.in_(members), links.c.role == "subject", facts.c.kind == "position", facts.c.suppressed_by.is_(None))
        .order_by(*_dated_first()))
    positions = [{"title": r.label, "organization": r.org_name, "organization_id": r.org_id, "former": r.data.get("former", False),
                  "date": r.date, "document_id": r.document_id, "fact_id": r.id, "sentence": r.sentence} for r in rows]
    return {**entity, "positions": positions, "history": _history(positions), **_mentions(conn, members, limit)}


def organization(conn: Connection, entity_id: int, limit: int | None = None) -> dict:
    """An organization; ``limit`` caps its agreements and sources listed (a ministry is named in thousands)."""
    entity = _entity(conn, entity_id, "organization")
    members = entity_members(conn, [entity["id"]])
    people = _people_of(conn, members)
    agreements = _agreements(conn, conn.execute(
        select(facts.c.id).join(links, links.c.fact_id == facts.c.id)
        .where(links.c.entity_id.in_(members), links.c.role == "party", facts.c.kind == "agreement", facts.c.suppressed_by.is_(None))
        .order_by(*_dated_first()).limit(limit)).scalars().all())
    return {**entity, "people": people, "agreements": agreements, **_mentions(conn, members, limit)}


def agreement(conn: Connection, fact_id: int) -> dict:
    found = _agreements(conn, [fact_id])
    if not found:
        raise NotFound(f"no agreement {fact_id}")
    return found[0]


def _agreements(conn: Connection, fact_ids: list[int]) -> list[dict]:
    """Agreements with their parties and documents, in the order given: three queries for all."""
    rows = {f.id: f for f in conn.execute(select(facts).where(facts.c.id.in_(fact_ids), facts.c.kind == "agreement"))}
    parties = parties_of(conn, list(rows))
    found = [rows[i] for i in fact_ids if i in rows]
    documents = list(dict.fromkeys(f.document_id for f in found))
    refs = dict(zip(documents, _document_refs(conn, documents)))
    return [{"id": f.id, **f.data, "deleted": f.suppressed_by is not None, "parties_resolved": parties.get(f.id, []),
             "document": refs[f.document_id], "sentence": f.sentence, "confidence": f.confidence} for f in found]


def parties_of(conn: Connection, fact_ids: list[int]) -> dict[int, list[dict]]:
    """Each agreement's parties as resolved (merged entities read as their survivor), in the article's order."""
    parties: dict[int, list[dict]] = {}
    for fact_id, entity_id, merged_into, name in conn.execute(
            select(links.c.fact_id, entities.c.id, entities.c.merged_into, entities.c.name).join(entities, entities.c.id == links.c.entity_id)
            .where(links.c.fact_id.in_(fact_ids), links.c.role == "party").order_by(links.c.id)):
        parties.setdefault(fact_id, []).append({"id": merged_into or entity_id, "name": name})
    return parties


def document(conn: Connection, document_id: int) -> dict:
    row = conn.execute(select(documents).where(documents.c.id == document_id)).first()
    if row is None:
        raise NotFound(f"no document {document_id}")
    out = dict(row._mapping)
    out["versions"] = [dict(v._mapping) for v in conn.execute(
        select(document_versions.c.version, document_versions.c.sha256, document_versions.c.size, document_versions.c.seen_at)
        .where(document_versions.c.document_id == document_id).order_by(document_versions.c.version))]
    entity_of = {}
    for fact_id, entity_id, role, name, kind in conn.execute(
            select(links.c.fact_id, links.c.entity_id, links.c.role, entities.c.name, entities.c.kind)
            .join(entities, entities.c.id == links.c.entity_id).join(facts, facts.c.id == links.c.fact_id)
            .where(facts.c.document_id == document_id)):
        entity_of.setdefault(fact_id, []).append({"role": role, "entity_id": entity_id, "name": name, "kind": kind})
    out["facts"] = [{"id": f.id, "kind": f.kind, "key": f.key, "label": f.label, "data": f.data, "evidence": f.evidence,
                     "sentence": f.sentence, "confidence": f.confidence, "origin": f.origin, "corrected": f.corrected_by is not None,
                     "entities": entity_of.get(f.id, [])}
                    for f in conn.execute(select(facts).where(facts.c.document_id == document_id, facts.c.suppressed_by.is_(None)).order_by(facts.c.id))]
    out["corrections"] = [dict(c._mapping) for c in conn.execute(select(corrections).where(corrections.c.document_key == row.key).order_by(corrections.c.id))]
    return out


def entity_kind(conn: Connection, entity_id: int) -> str:
    kind = conn.execute(select(entities.c.kind).where(entities.c.id == entity_id)).scalar()
    if kind is None:
        raise NotFound(f"no person or organization {entity_id}")
    return kind


def merges(conn: Connection, entity_id: int | None = None, limit: int = 200) -> list[dict]:
    """Resolution's decisions to put a mention in an existing entity, with their reasons."""
    stmt = (select(links.c.id, links.c.fact_id, links.c.entity_id, entities.c.name, entities.c.kind, links.c.rule, links.c.score,
                   links.c.reason, facts.c.document_id, facts.c.label, facts.c.sentence)
            .join(entities, entities.c.id == links.c.entity_id).join(facts, facts.c.id == links.c.fact_id)
            .where(links.c.rule.notin_(["new"]), links.c.role == "subject", facts.c.kind.in_(["person", "organization"]))
            .order_by(links.c.entity_id, links.c.id).limit(limit))
    if entity_id is not None:
        stmt = stmt.where(links.c.entity_id.in_(entity_members(conn, [entity_id])))
    return [dict(r._mapping) for r in conn.execute(stmt)]


# ---------------------------------------------------------------------------- helpers


def _entity(conn: Connection, entity_id: int, kind: str) -> dict:
    row = conn.execute(select(entities).where(entities.c.id == entity_id, entities.c.kind == kind)).first()
    if row is None:
        raise NotFound(f"no {kind} {entity_id}")
    if row.merged_into:
        return {**_entity(conn, row.merged_into, kind), "redirected_from": entity_id}
    merged = conn.execute(select(entities.c.id, entities.c.name).where(entities.c.merged_into == entity_id)).all()
    return {**dict(row._mapping), "merged": [{"id": m.id, "name": m.name} for m in merged]}


def _people_of(conn: Connection, org_members: list[int]) -> list[dict]:
    """Who held positions in this organization, with their titles and when."""
    person = links.alias("person")
    rows = conn.execute(
        select(entities.c.id, entities.c.name, entities.c.merged_into, facts.c.label, facts.c.date)
        .select_from(links.join(facts, facts.c.id == links.c.fact_id)
                     .join(person, (person.c.fact_id == facts.c.id) & (person.c.role == "subject"))
                     .join(entities, entities.c.id == person.c.entity_id))
        .where(links.c.entity_id.in_(org_members), links.c.role == "organization", facts.c.kind == "position", facts.c.suppressed_by.is_(None))
        .order_by(*_dated_first()))
    people: dict[int, dict] = {}
    for r in rows:
        p = people.setdefault(r.merged_into or r.id, {"id": r.merged_into or r.id, "name": r.name, "titles": []})
        if r.label not in p["titles"]:
            p["titles"].append(r.label)
    return list(people.values())


def _dated_first() -> tuple:
    # Undated facts last on both databases (SQLite sorts NULL first, PostgreSQL last).
    return facts.c.date.is_(None), facts.c.date, facts.c.id


def _history(positions: list[dict]) -> list[dict]:
    """Positions over time: each title with the first and last date it was seen."""
    spans: dict[str, dict] = {}
    for p in positions:
        span = spans.setdefault(p["title"], {"title": p["title"], "organization": p["organization"], "first_seen": None, "last_seen": None, "documents": []})
        if p["date"]:
            span["first_seen"] = min(filter(None, (span["first_seen"], p["date"])))
            span["last_seen"] = max(filter(None, (span["last_seen"], p["date"])))
        if p["document_id"] not in span["documents"]:
            span["documents"].append(p["document_id"])
    return sorted(spans.values(), key=lambda s: (s["first_seen"] or "", s["title"]))


def _mentions(conn: Connection, members: list[int], limit: int | None = None) -> dict:
    """The documents naming the entity (newest first) and why each mention was joined to it."""
    mentioned = (facts.join(links, links.c.fact_id == facts.c.id), links.c.entity_id.in_(members), links.c.role == "subject",
                 facts.c.kind.in_(["person", "organization"]), facts.c.suppressed_by.is_(None))
    source, *where = mentioned
    total = conn.execute(select(func.count(func.distinct(facts.c.document_id))).select_from(source).where(*where)).scalar_one()
    newest = (select(documents.c.id).where(documents.c.id.in_(select(facts.c.document_id).select_from(source).where(*where)))
              .order_by(documents.c.published_at.is_(None), documents.c.published_at.desc(), documents.c.id.desc()).limit(limit))
    document_ids = conn.execute(newest).scalars().all()
    rows = conn.execute(select(facts.c.document_id, links.c.rule, links.c.score, links.c.reason, facts.c.id).select_from(source)
                        .where(*where, facts.c.document_id.in_(document_ids)).order_by(facts.c.document_id, facts.c.id)).all()
    return {"documents": _document_refs(conn, document_ids), "documents_total": total,
            "resolution": [{"fact_id": r.id, "document_id": r.document_id, "rule": r.rule, "score": r.score, "reason": r.reason} for r in rows]}


def _document_refs(conn: Connection, document_ids: list[int]) -> list[dict]:
    """Title, date and source of each document, in the order given: one query for all."""
    rows = conn.execute(select(documents.c.id, documents.c.title, documents.c.name, documents.c.published_at, documents.c.source, documents.c.url)
                        .where(documents.c.id.in_(document_ids)))
    by_id = {row.id: dict(row._mapping) for row in rows}
    return [by_id[d] for d in document_ids]
