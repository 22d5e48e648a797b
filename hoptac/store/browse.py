"""Lists, counts and networks over the store: what the web app and the API browse.

``show`` answers "everything about one thing"; this module answers "which things", a page
at a time, with the same filters as search, and the aggregate views (activity by province
and year, the organizations' network). Everything returns plain data.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass
from functools import cache
from importlib import resources
from itertools import combinations

from sqlalchemy import Connection, and_, func, or_, select

from hoptac.extract.gazetteer import province_lookup, provinces
from hoptac.resolve.organizations import org_block
from hoptac.store.schema import audit, documents, entities, facts, links, runs
from hoptac.store.search import Filters, document_filters, entity_members, province_name
from hoptac.store.show import NotFound, parties_of
from hoptac.text.fold import fold

EVENT_TYPES = ("signing", "working_visit", "review", "conference", "other")


@dataclass
class Page:
    items: list[dict]
    total: int
    limit: int
    offset: int

    def to_dict(self) -> dict:
        return asdict(self)


def generation(conn: Connection) -> str:
    """Changes whenever what a reader can see may have changed: an ingest batch or a correction.

    Cheap (two index lookups), so that caches and ETags can ask it on every request.
    """
    run = conn.execute(select(runs.c.id, runs.c.added, runs.c.updated, runs.c.reextracted, runs.c.status)
                       .order_by(runs.c.id.desc()).limit(1)).first()
    last_audit = conn.execute(select(func.max(audit.c.id))).scalar()
    return "-".join(str(x) for x in (*(run or ()), last_audit))


# ---------------------------------------------------------------------------- lists


def documents_page(conn: Connection, filters: Filters, limit: int, offset: int) -> Page:
    conditions = document_filters(conn, filters)
    total = conn.execute(select(func.count()).select_from(documents).where(*conditions)).scalar_one()
    rows = conn.execute(select(documents.c.id, documents.c.title, documents.c.name, documents.c.published_at, documents.c.source,
                               documents.c.url, documents.c.views)
                        .where(*conditions).order_by(*_newest(documents.c.published_at), documents.c.id.desc())
                        .limit(limit).offset(offset))
    return Page([dict(r._mapping) for r in rows], total, limit, offset)


def events_page(conn: Connection, filters: Filters, limit: int, offset: int) -> Page:
    """Events (signings, visits, reviews...), newest first, each with the document that reports it."""
    conditions = [facts.c.kind == "event", facts.c.suppressed_by.is_(None), *document_filters(conn, Filters(province=filters.province))]
    if filters.event_type:
        conditions.append(facts.c.key.like(f"event:{filters.event_type}:%"))
    if filters.date_from:
        conditions.append(facts.c.date >= filters.date_from)
    if filters.date_to:
        conditions.append(facts.c.date <= filters.date_to)
    stmt = select(facts.c.id).join(documents, documents.c.id == facts.c.document_id).where(*conditions)
    total = conn.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    rows = conn.execute(select(facts.c.id, facts.c.label, facts.c.data, facts.c.date, facts.c.sentence, facts.c.confidence,
                               documents.c.id.label("document_id"), documents.c.title.label("document_title"))
                        .join(documents, documents.c.id == facts.c.document_id).where(*conditions)
                        .order_by(*_newest(facts.c.date), facts.c.id.desc()).limit(limit).offset(offset))
    return Page([{"id": r.id, "type": r.data.get("type"), "label": r.label, "date": r.date, "location": r.data.get("location"),
                  "sentence": r.sentence, "confidence": r.confidence, "document_id": r.document_id, "document_title": r.document_title}
                 for r in rows], total, limit, offset)


def agreements_page(conn: Connection, *, province: str | None = None, party: int | None = None,
                    year: int | None = None, limit: int = 50, offset: int = 0) -> Page:
    conditions = [facts.c.kind == "agreement", facts.c.suppressed_by.is_(None)]
    if province:
        conditions += document_filters(conn, Filters(province=province))
    if party is not None:
        conditions.append(facts.c.id.in_(select(links.c.fact_id).where(links.c.role == "party", links.c.entity_id.in_(entity_members(conn, [party])))))
    if year is not None:
        conditions.append(func.substr(facts.c.date, 1, 4) == f"{year:04d}")
    base = select(facts.c.id).join(documents, documents.c.id == facts.c.document_id).where(*conditions)
    total = conn.execute(select(func.count()).select_from(base.subquery())).scalar_one()
    rows = conn.execute(select(facts.c.id, facts.c.label, facts.c.data, facts.c.date, facts.c.document_id)
                        .join(documents, documents.c.id == facts.c.document_id).where(*conditions)
                        .order_by(*_newest(facts.c.date), facts.c.id.desc()).limit(limit).offset(offset)).all()
    parties = parties_of(conn, [r.id for r in rows])
    return Page([{"id": r.id, "title": r.label, "kind": r.data.get("kind"), "signed_on": r.data.get("signed_on"), "period": r.data.get("period"),
                  "content_items": r.data.get("content_items"), "parties": parties.get(r.id, []), "document_id": r.document_id}
                 for r in rows], total, limit, offset)


def entities_page(conn: Connection, kind: str, *, name: str | None = None, province: str | None = None,
                  org_kind: str | None = None, limit: int = 50, offset: int = 0) -> Page:
    """People or organizations (not those merged into another), alphabetically, each with how many articles name it."""
    conditions = [entities.c.kind == kind, entities.c.merged_into.is_(None)]
    if name:
        # An organization's block drops the locality word ("tỉnh", "thành phố"): its full name must find it too.
        keys = {fold(name), org_block(name)} if kind == "organization" else {fold(name)}
        conditions.append(or_(*(entities.c.block.like(f"%{_escape_like(key)}%", escape="\\") for key in keys)))
    if province:
        p = province_name(province)
        conditions.append(or_(entities.c.province == p, entities.c.province_now == p))
    if org_kind:
        conditions.append(entities.c.org_kind == org_kind)
    total = conn.execute(select(func.count()).select_from(entities).where(*conditions)).scalar_one()
    rows = conn.execute(select(entities.c.id, entities.c.name, entities.c.org_kind, entities.c.province, entities.c.province_now)
                        .where(*conditions).order_by(entities.c.block, entities.c.id).limit(limit).offset(offset)).all()
    counts = _document_counts(conn, [r.id for r in rows])
    return Page([{**dict(r._mapping), "documents": counts.get(r.id, 0)} for r in rows], total, limit, offset)


# ---------------------------------------------------------------------------- aggregates


def activity(conn: Connection) -> dict:
    """Documents by province (before and after the 2025 merger) and by year, and the store's totals."""
    def by(column) -> dict[str, int]:
        rows = conn.execute(select(column, func.count(func.distinct(facts.c.document_id)))
                            .where(facts.c.kind == "organization", facts.c.suppressed_by.is_(None), column.is_not(None)).group_by(column))
        return dict(sorted(rows.all(), key=lambda kv: (-kv[1], kv[0])))

    year = func.substr(func.coalesce(documents.c.published_at, _first_event_date()), 1, 4)
    years = conn.execute(select(year, func.count()).where(year.is_not(None)).group_by(year).order_by(year)).all()
    totals = {kind: n for kind, n in conn.execute(select(entities.c.kind, func.count()).where(entities.c.merged_into.is_(None)).group_by(entities.c.kind))}
    totals |= {kind: n for kind, n in conn.execute(select(facts.c.kind, func.count()).where(facts.c.kind.in_(["event", "agreement", "commitment"]),
                                                                                          facts.c.suppressed_by.is_(None)).group_by(facts.c.kind))}
    totals["document"] = conn.execute(select(func.count()).select_from(documents)).scalar_one()
    return {"by_province": {"legacy": by(facts.c.province), "current": by(facts.c.province_now)},
            "by_year": {y: n for y, n in years if y}, "totals": totals}


def neighbourhood(conn: Connection, entity_id: int, depth: int = 1, limit: int = 150) -> dict:
    """An entity's partners (organizations it signed with or visited) and people, to ``depth`` hops."""
    graph = _Graph()
    frontier = {_survivor(conn, entity_id)}
    seen: set[int] = set()
    for _ in range(depth):
        frontier -= seen
        if not frontier:
            break
        seen |= frontier
        _add_agreements(conn, graph, [links.c.entity_id.in_(entity_members(conn, list(frontier)))])
        _add_visits(conn, graph, frontier=frontier)
        _add_positions(conn, graph, frontier)
        frontier = {n for edge in graph.edges.values() for n in (edge["source"], edge["target"])}
    return graph.to_dict(conn, center=_survivor(conn, entity_id), limit=limit)


def network(conn: Connection, *, province: str | None = None, year_from: int | None = None,
            year_to: int | None = None, limit: int = 150) -> dict:
    """Organizations linked by the agreements they signed together and the visits between them."""
    graph = _Graph()
    dated = [func.substr(facts.c.date, 1, 4) >= f"{year_from:04d}"] if year_from else []
    dated += [func.substr(facts.c.date, 1, 4) <= f"{year_to:04d}"] if year_to else []
    where = dated + (document_filters(conn, Filters(province=province)) if province else [])
    _add_agreements(conn, graph, where)
    _add_visits(conn, graph, where=where)
    return graph.to_dict(conn, center=None, limit=limit)


def recent_events(conn: Connection, limit: int = 8) -> list[dict]:
    """The newest events, one per article (a signing article often reports a meeting too)."""
    by_document: dict[int, dict] = {}
    for event in events_page(conn, Filters(), limit * 3, 0).items:
        by_document.setdefault(event["document_id"], event)
    return list(by_document.values())[:limit]


def facets(conn: Connection, document_ids: list[int]) -> dict:
    """How search results spread over provinces, organizations, kinds of event and years."""
    if not document_ids:
        return {"province": [], "organization": [], "event_type": [], "year": []}
    ids = document_ids
    provinces = conn.execute(select(facts.c.province, func.count(func.distinct(facts.c.document_id)).label("n"))
                             .where(facts.c.document_id.in_(ids), facts.c.kind == "organization", facts.c.province.is_not(None),
                                    facts.c.suppressed_by.is_(None)).group_by(facts.c.province)).all()
    orgs = conn.execute(select(func.coalesce(entities.c.merged_into, entities.c.id), func.min(entities.c.name),
                               func.count(func.distinct(facts.c.document_id)).label("n"))
                        .select_from(facts.join(links, links.c.fact_id == facts.c.id).join(entities, entities.c.id == links.c.entity_id))
                        .where(facts.c.document_id.in_(ids), facts.c.kind == "organization", links.c.role == "subject",
                               facts.c.suppressed_by.is_(None))
                        .group_by(func.coalesce(entities.c.merged_into, entities.c.id))).all()
    typed = {(doc, key.split(":")[1]) for doc, key in conn.execute(  # each kind once per document
        select(facts.c.document_id, facts.c.key).where(facts.c.document_id.in_(ids), facts.c.kind == "event", facts.c.suppressed_by.is_(None)))}
    year = func.substr(func.coalesce(documents.c.published_at, _first_event_date()), 1, 4)
    years = conn.execute(select(year, func.count()).where(documents.c.id.in_(ids), year.is_not(None)).group_by(year)).all()

    def top(pairs, n=12):
        return sorted(pairs, key=lambda p: (-p[-1], str(p[0])))[:n]
    return {"province": top(provinces), "organization": top(orgs, 10),
            "event_type": top(Counter(t for _, t in typed).items()), "year": sorted(y for y in years if y[0])}


def units(conn: Connection, entity: dict) -> dict:
    """Parent and child units of an organization, by how the administration is built.

    A Sở answers to its province's People's Committee; a ministry's Vụ/Cục/Viện to the
    ministry; and "Đảng ủy Viện X" or "Phòng Y của Sở Z" is a unit of what it names.
    """
    rows = conn.execute(select(entities.c.id, entities.c.name, entities.c.org_kind, entities.c.province)
                        .where(entities.c.kind == "organization", entities.c.merged_into.is_(None), entities.c.id != entity["id"])).all()
    rules = _hierarchy()
    parents, children = [], []
    for r in rows:
        if _parent_of(rules, r._mapping, entity):
            parents.append({"id": r.id, "name": r.name})
        elif _parent_of(rules, entity, r._mapping):
            children.append({"id": r.id, "name": r.name})
    return {"parents": parents, "children": children}


def _parent_of(rules: list[dict], parent, child) -> bool:
    if child["name"] != parent["name"] and child["name"].endswith(" " + parent["name"]):
        return True
    for rule in rules:
        if child["org_kind"] == rule["child"] and parent["org_kind"] == rule["parent"] and parent["name"].startswith(tuple(rule["names"])):
            if not rule.get("same_province") or (child["province"] and child["province"] == parent["province"]):
                return True
    return False


@cache
def _hierarchy() -> list[dict]:
    return json.loads(resources.files("hoptac.data").joinpath("hierarchy.json").read_text(encoding="utf-8"))["rules"]


def context_of(conn: Connection, document_ids: list[int]) -> dict:
    """The events and agreements of some documents: what a person or organization took part in."""
    if not document_ids:
        return {"events": [], "agreements": []}
    rows = conn.execute(select(facts.c.id, facts.c.kind, facts.c.label, facts.c.data, facts.c.date, facts.c.document_id)
                        .where(facts.c.document_id.in_(document_ids), facts.c.kind.in_(["event", "agreement"]), facts.c.suppressed_by.is_(None))
                        .order_by(*_newest(facts.c.date), facts.c.id)).all()
    return {"events": [{"id": r.id, "type": r.data.get("type"), "label": r.label, "date": r.date, "document_id": r.document_id}
                       for r in rows if r.kind == "event"],
            "agreements": [{"id": r.id, "title": r.label, "signed_on": r.data.get("signed_on"), "period": r.data.get("period"),
                            "document_id": r.document_id} for r in rows if r.kind == "agreement"]}


def documents_mentioning_agreement(conn: Connection, agreement: dict) -> list[dict]:
    """Articles that name the same agreement (same title), the one it was read from first."""
    rows = conn.execute(select(documents.c.id, documents.c.title, documents.c.published_at, documents.c.source)
                        .join(facts, facts.c.document_id == documents.c.id)
                        .where(facts.c.kind == "agreement", facts.c.label == agreement["title"], facts.c.suppressed_by.is_(None))
                        .distinct().order_by(documents.c.id)).all()
    first = agreement["document"]["id"]
    return sorted((dict(r._mapping) for r in rows), key=lambda d: (d["id"] != first, d["id"]))


def province_names(era: str | None = None) -> list[str]:
    """Province-level units, all or those of one era (legacy: before 1 July 2025; current: after)."""
    return sorted(p.name for p in provinces().values() if era is None or getattr(p, era))


def province(name: str) -> dict:
    """A province by any spelling, with what it became or what it was made of in 2025."""
    found = province_lookup(name)
    if found is None:
        raise NotFound(f"no province is called {name!r}")
    merged_from = sorted(p.name for p in provinces().values() if p.legacy and p.now == found.name and p.name != found.name)
    return {"name": found.name, "type": found.type, "legacy": found.legacy, "current": found.current, "now": found.now,
            "merged_from": merged_from if found.current else []}


# ---------------------------------------------------------------------------- the graph


class _Graph:
    def __init__(self) -> None:
        self.edges: dict[tuple, dict] = {}

    def add(self, a: int, b: int, kind: str, label: str, fact_id: int) -> None:
        if a == b:
            return
        source, target = sorted((a, b))
        edge = self.edges.setdefault((source, target, kind), {"source": source, "target": target, "kind": kind, "labels": [], "facts": [], "weight": 0})
        edge["weight"] += 1
        edge["facts"].append(fact_id)
        if label not in edge["labels"]:
            edge["labels"].append(label)

    def to_dict(self, conn: Connection, center: int | None, limit: int) -> dict:
        degree: Counter = Counter()
        for e in self.edges.values():
            degree[e["source"]] += e["weight"]
            degree[e["target"]] += e["weight"]
        keep = {n for n, _ in degree.most_common(limit)} | ({center} if center else set())
        edges = [{**e, "label": "; ".join(e.pop("labels")[:3])} for e in self.edges.values() if e["source"] in keep and e["target"] in keep]
        rows = conn.execute(select(entities.c.id, entities.c.name, entities.c.kind, entities.c.org_kind, entities.c.province)
                            .where(entities.c.id.in_(keep))).all()
        nodes = [{"id": r.id, "label": r.name, "kind": r.kind, "org_kind": r.org_kind, "province": r.province, "weight": degree[r.id]}
                 for r in sorted(rows, key=lambda r: (-degree[r.id], r.id))]
        return {"center": center, "nodes": nodes, "edges": edges, "omitted": max(0, len(degree) - len(keep))}


def _add_agreements(conn: Connection, graph: _Graph, where: list) -> None:
    """Every two parties of one agreement are partners."""
    chosen = select(facts.c.id).join(links, links.c.fact_id == facts.c.id).join(documents, documents.c.id == facts.c.document_id).where(
        facts.c.kind == "agreement", facts.c.suppressed_by.is_(None), links.c.role == "party", *where)
    rows = conn.execute(select(links.c.fact_id, facts.c.label, func.coalesce(entities.c.merged_into, entities.c.id))
                        .join(facts, facts.c.id == links.c.fact_id).join(entities, entities.c.id == links.c.entity_id)
                        .where(links.c.role == "party", links.c.fact_id.in_(chosen)).order_by(links.c.fact_id, links.c.id)).all()
    by_fact: dict[int, tuple[str, list[int]]] = {}
    for fact_id, label, entity in rows:
        by_fact.setdefault(fact_id, (label, []))[1].append(entity)
    for fact_id, (label, parties) in by_fact.items():
        for a, b in combinations(dict.fromkeys(parties), 2):
            graph.add(a, b, "agreement", label, fact_id)


def _add_visits(conn: Connection, graph: _Graph, *, where: list | None = None, frontier: set[int] | None = None) -> None:
    """A working visit links the organizations its headline names ("A thăm và làm việc với B")."""
    visits = select(facts.c.document_id).join(documents, documents.c.id == facts.c.document_id).where(
        facts.c.kind == "event", facts.c.key.like("event:working_visit:%"), facts.c.suppressed_by.is_(None), *(where or []))
    if frontier is not None:
        named = select(facts.c.document_id).join(links, links.c.fact_id == facts.c.id).where(
            facts.c.kind == "organization", links.c.entity_id.in_(entity_members(conn, list(frontier))))
        visits = visits.where(facts.c.document_id.in_(named))
    rows = conn.execute(select(facts.c.id, facts.c.document_id, facts.c.evidence, func.length(documents.c.title).label("headline"),
                               documents.c.title, func.coalesce(entities.c.merged_into, entities.c.id).label("entity"))
                        .join(documents, documents.c.id == facts.c.document_id)
                        .join(links, and_(links.c.fact_id == facts.c.id, links.c.role == "subject"))
                        .join(entities, entities.c.id == links.c.entity_id)
                        .where(facts.c.kind == "organization", facts.c.suppressed_by.is_(None), facts.c.document_id.in_(visits.distinct()))
                        .order_by(facts.c.document_id, facts.c.id)).all()
    by_document: dict[int, tuple[str, list[tuple[int, int]]]] = {}
    for r in rows:
        # The cleaned text starts with the headline, so evidence starting inside it was read there.
        if r.headline and r.evidence and r.evidence[0][0] < r.headline:
            by_document.setdefault(r.document_id, (r.title, []))[1].append((r.entity, r.id))
    for title, named in by_document.values():
        for (a, fact_a), (b, _) in combinations(dict.fromkeys(named), 2):
            graph.add(a, b, "visit", title, fact_a)


def _add_positions(conn: Connection, graph: _Graph, frontier: set[int]) -> None:
    """People and the organizations they hold (or held) positions in."""
    person, org = links.alias("person"), links.alias("org")
    person_entity, org_entity = entities.alias("pe"), entities.alias("oe")
    members = entity_members(conn, list(frontier))
    rows = conn.execute(
        select(facts.c.id, facts.c.label, func.coalesce(person_entity.c.merged_into, person_entity.c.id),
               func.coalesce(org_entity.c.merged_into, org_entity.c.id))
        .select_from(facts.join(person, and_(person.c.fact_id == facts.c.id, person.c.role == "subject"))
                     .join(org, and_(org.c.fact_id == facts.c.id, org.c.role == "organization"))
                     .join(person_entity, person_entity.c.id == person.c.entity_id).join(org_entity, org_entity.c.id == org.c.entity_id))
        # Facts found by their links first: an OR across the two joined links would scan them all.
        .where(facts.c.id.in_(select(links.c.fact_id).where(links.c.entity_id.in_(members), links.c.role.in_(["subject", "organization"]))),
               facts.c.kind == "position", facts.c.suppressed_by.is_(None))
        .order_by(facts.c.id)).all()
    for fact_id, title, person_id, org_id in rows:
        graph.add(person_id, org_id, "position", title, fact_id)


# ---------------------------------------------------------------------------- helpers


def _document_counts(conn: Connection, entity_ids: list[int]) -> dict[int, int]:
    members = entity_members(conn, entity_ids)
    rows = conn.execute(select(func.coalesce(entities.c.merged_into, entities.c.id), func.count(func.distinct(facts.c.document_id)))
                        .select_from(links.join(facts, facts.c.id == links.c.fact_id).join(entities, entities.c.id == links.c.entity_id))
                        # From the links of these entities (and those merged into them) to their facts: left to
                        # itself SQLite starts from every person and organization fact and takes seconds.
                        .where(links.c.entity_id.in_(members), links.c.role == "subject", facts.c.suppressed_by.is_(None),
                               facts.c.id.in_(select(links.c.fact_id).where(links.c.entity_id.in_(members))),
                               facts.c.kind.in_(["person", "organization"]))
                        .group_by(func.coalesce(entities.c.merged_into, entities.c.id)))
    return dict(rows.all())


def _survivor(conn: Connection, entity_id: int) -> int:
    merged_into = conn.execute(select(entities.c.merged_into).where(entities.c.id == entity_id)).scalar()
    return merged_into or entity_id


def _first_event_date():
    return select(func.min(facts.c.date)).where(facts.c.document_id == documents.c.id, facts.c.kind == "event").scalar_subquery()


def _newest(column) -> tuple:
    # Undated last on both databases: descending, PostgreSQL puts NULL first and SQLite last.
    return column.is_(None), column.desc()


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def audit_entries(conn: Connection, limit: int = 100) -> list[dict]:
    """The newest entries of the audit log: who changed what, when and why."""
    return [dict(r._mapping) for r in conn.execute(select(audit).order_by(audit.c.id.desc()).limit(limit))]
