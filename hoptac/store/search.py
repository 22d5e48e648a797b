"""Search over documents and entities: accent-insensitive, ranked, filtered.

Everything searchable is stored folded (``Cần Thơ`` as ``can tho``, ``Bộ KH&CN`` as
``bo khcn``) and the query is folded the same way, so the two meet whatever the user typed.
SQLite ranks with FTS5's BM25, PostgreSQL with ``ts_rank_cd``; on both, an exact phrase
outranks the same words apart, titles outrank bodies, and documents come before entities.
Filters (province, organization, person, event type, date range) narrow the documents.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from sqlalchemy import Connection, and_, column, delete, exists, func, insert, literal, literal_column, or_, select, table

from hoptac.extract.gazetteer import province_lookup
from hoptac.store.db import MAX_ID
from hoptac.store.schema import documents, entities, facts, links, search_index
from hoptac.text.fold import fold

DOCUMENT_KINDS = ("document",)
ENTITY_KINDS = ("person", "organization")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")


@dataclass
class Filters:
    province: str | None = None
    organization: str | None = None  # an entity id or a name
    person: str | None = None
    event_type: str | None = None
    date_from: str | None = None  # ISO dates, inclusive
    date_to: str | None = None

    def only_documents(self) -> bool:
        return any((self.organization, self.person, self.event_type, self.date_from, self.date_to))


@dataclass
class Hit:
    kind: str  # document | person | organization
    id: int
    title: str
    snippet: str
    score: float
    date: str | None = None
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


class SearchError(ValueError):
    """A filter that names nothing the store knows (a province that does not exist...)."""


def index_entity(conn: Connection, entity_id: int, name: str, aliases: list[str]) -> None:
    conn.execute(delete(search_index).where(search_index.c.kind == "entity", search_index.c.ref_id == entity_id))
    index_entities(conn, [(entity_id, name, aliases)])


def index_entities(conn: Connection, new: list[tuple[int, str, list[str]]]) -> None:
    """Index entities that have no index row yet: (id, name, aliases)."""
    if new:
        conn.execute(insert(search_index), [{"kind": "entity", "ref_id": i, "title": fold(name), "body": " ".join(aliases)} for i, name, aliases in new])


def search(conn: Connection, query: str, filters: Filters | None = None, *, kinds: tuple[str, ...] | None = None, limit: int = 20,
           snippets: bool = True) -> list[Hit]:
    """Documents first, then people and organizations, best first.

    Without ``snippets`` documents are found without reading their text (kilobytes each);
    ``add_snippets`` fills in the few that will be shown.
    """
    filters = filters or Filters()
    kinds = kinds or (DOCUMENT_KINDS + ENTITY_KINDS)
    q = fold(query)
    hits: list[Hit] = []
    if "document" in kinds:
        hits += _documents(conn, q, filters, limit, snippets)
    entity_kinds = [k for k in kinds if k in ENTITY_KINDS]
    if entity_kinds and q and not filters.only_documents():
        hits += _entities(conn, q, entity_kinds, filters, limit)
    return hits


# ---------------------------------------------------------------------------- ranking


def _in_passes(q: str, limit: int, page: Callable[[bool, list[int], int], list[Hit]]) -> list[Hit]:
    """The exact phrase's hits first; then, for several words, those with all the words anywhere.

    ``page(exact, found, size)`` returns up to ``size`` hits not among the ids ``found``.
    """
    hits: list[Hit] = []
    for exact in (True, False) if len(q.split()) > 1 else (True,):
        hits += page(exact, [h.id for h in hits], limit - len(hits))
        if len(hits) == limit:
            break
    return hits


def _ranked(conn: Connection, q: str, kind: str, exact: bool):
    """A subquery of (ref_id, score) for index rows of one kind matching the folded query."""
    if conn.dialect.name == "sqlite":
        name = _FTS_TABLES[kind]
        fts = table(name, column("rowid"), column("rank"))
        words = [f'"{w}"' for w in q.split()]  # folded: letters, digits and spaces only, so quoting is safe
        match = '"' + q + '"' if exact else " AND ".join(words)
        matching = literal_column(name).op("MATCH")(match)
        # BM25 costs a lookup per matching row. A query as common as "sở khoa học và công nghệ"
        # matches most of the corpus; it ranks only the newest RANK_AT_MOST matches.
        newest = conn.execute(select(fts.c.rowid).where(matching).order_by(fts.c.rowid.desc()).offset(RANK_AT_MOST - 1).limit(1)).scalar()
        return (select(search_index.c.ref_id, (-fts.c.rank).label("score"))
                .select_from(fts.join(search_index, search_index.c.id == fts.c.rowid))
                .where(matching, fts.c.rowid >= (newest or 0)).subquery())
    tsv = literal_column("search_index.tsv")
    query = func.phraseto_tsquery("simple", q) if exact else func.plainto_tsquery("simple", q)
    matched, score = tsv.op("@@")(query), func.ts_rank_cd(tsv, query)
    if kind == "entity" and not exact:  # names typed approximately still find their entity
        matched = or_(matched, search_index.c.title.op("%")(q))
        score = score + func.similarity(search_index.c.title, q)
    return select(search_index.c.ref_id, score.label("score")).where(matched, search_index.c.kind == kind).subquery()


_FTS_TABLES = {"document": "documents_fts", "entity": "entities_fts"}
RANK_AT_MOST = 500


# ---------------------------------------------------------------------------- documents


def add_snippets(conn: Connection, hits: list[Hit], query: str) -> list[Hit]:
    """The sentence best matching ``query`` for each document hit found without snippets."""
    wanted = {h.id: h for h in hits if h.kind == "document"}
    q = fold(query)
    for document_id, title, text in conn.execute(select(documents.c.id, documents.c.title, documents.c.text).where(documents.c.id.in_(wanted))):
        wanted[document_id].snippet = _snippet(_body(title, text), q)
    return hits


def _documents(conn: Connection, q: str, filters: Filters, limit: int, snippets: bool) -> list[Hit]:
    conditions = document_filters(conn, filters)
    columns = [c for c in documents.c if snippets or c.name != "text"]
    if not q:
        stmt = select(*columns, literal(0.0).label("score")).where(*conditions).order_by(documents.c.published_at.desc(), documents.c.id)
        return [_document_hit(row, q) for row in conn.execute(stmt.limit(limit))]

    def page(exact: bool, found: list[int], size: int) -> list[Hit]:
        ranked = _ranked(conn, q, "document", exact)
        # Rank and cut first, then read the few whole rows (an article's text is kilobytes).
        top = (select(documents.c.id, ranked.c.score).join(ranked, ranked.c.ref_id == documents.c.id)
               .where(*conditions, documents.c.id.notin_(found))
               .order_by(ranked.c.score.desc(), documents.c.id).limit(size).subquery())
        stmt = select(*columns, top.c.score).join(top, top.c.id == documents.c.id).order_by(top.c.score.desc(), documents.c.id)
        return [_document_hit(row, q) for row in conn.execute(stmt)]

    return _in_passes(q, limit, page)


def _document_hit(row, q: str) -> Hit:
    snippet = _snippet(_body(row.title, row.text), q) if "text" in row._fields else ""
    return Hit("document", row.id, row.title or row.name, snippet, round(float(row.score), 4),
               (row.published_at or "")[:10] or None, {"source": row.source, "url": row.url, "name": row.name})


def _body(title: str | None, text: str) -> str:
    """The text after its headline: the cleaned text opens with it, and a hit shows it already."""
    return text[len(title):] if title and text.startswith(title) else text


def document_filters(conn: Connection, f: Filters) -> list:
    conditions = []
    if f.province:
        province = province_name(f.province)
        conditions.append(_has_fact("organization", lambda f: or_(f.c.province == province, f.c.province_now == province)))
    if f.event_type:
        conditions.append(_has_fact("event", lambda fact: fact.c.key.like(f"event:{f.event_type}:%")))
    for kind, wanted in (("organization", f.organization), ("person", f.person)):
        if wanted:
            members = entity_members(conn, _entity_ids(conn, kind, wanted))
            fact, link = facts.alias("named_by"), links.alias("naming")
            conditions.append(exists(select(1).select_from(fact.join(link, link.c.fact_id == fact.c.id))
                                     .where(fact.c.document_id == documents.c.id, fact.c.suppressed_by.is_(None), link.c.entity_id.in_(members))))
    if f.date_from or f.date_to:
        # Published in the range, or (many portals print no dateline) reporting an event in it.
        published = func.substr(documents.c.published_at, 1, 10)
        conditions.append(or_(and_(*_within(published, f)), _has_fact("event", lambda fact: and_(*_within(fact.c.date, f)))))
    return conditions


def _within(day, f: Filters) -> list:
    return [c for c in (day >= f.date_from if f.date_from else None, day <= f.date_to if f.date_to else None) if c is not None]


def _has_fact(kind: str, condition: Callable):
    """The document has a fact of ``kind`` meeting ``condition(fact_table)``.

    On an alias of ``facts``, so that it also filters queries that are themselves over facts.
    """
    fact = facts.alias("has_fact")
    return exists(select(1).where(fact.c.document_id == documents.c.id, fact.c.kind == kind, fact.c.suppressed_by.is_(None), condition(fact)))


def province_name(name: str) -> str:
    province = province_lookup(name)
    if province is None:
        raise SearchError(f"no province is called {name!r}")
    return province.name


def _entity_ids(conn: Connection, kind: str, wanted: str) -> list[int]:
    """An entity named by its id ("12") or by a name, which finds the best match."""
    if wanted.isascii() and wanted.isdigit():
        found = None
        if int(wanted) <= MAX_ID:
            found = conn.execute(select(entities.c.id).where(entities.c.id == int(wanted), entities.c.kind == kind)).scalar()
        if found is None:
            raise SearchError(f"no {kind} has the id {wanted}")
        return [found]
    best = _entities(conn, fold(wanted), [kind], Filters(), 1)
    if not best:
        raise SearchError(f"no {kind} matches {wanted!r}")
    return [best[0].id]


def entity_members(conn: Connection, ids: list[int]) -> list[int]:
    """The entities and every entity an analyst merged into them."""
    merged = conn.execute(select(entities.c.id).where(entities.c.merged_into.in_(ids))).scalars().all()
    return [*ids, *merged]


def _snippet(body: str, q: str, width: int = 240) -> str:
    """The first sentence of the original text holding the most query words."""
    sentences = [s for s in _SENTENCE_END.split(body) if s.strip()]
    if not sentences:
        return ""
    best, words = sentences[0], set(q.split())
    if words:
        folded = [fold(s) for s in sentences]
        best = sentences[max(range(len(sentences)), key=lambda i: (q in folded[i], len(words & set(folded[i].split()))))]
    return best if len(best) <= width else best[: width - 1].rstrip() + "…"


# ---------------------------------------------------------------------------- entities


def _entities(conn: Connection, q: str, kinds: list[str], filters: Filters, limit: int) -> list[Hit]:
    province = province_name(filters.province) if filters.province else None

    def page(exact: bool, found: list[int], size: int) -> list[Hit]:
        ranked = _ranked(conn, q, "entity", exact)
        stmt = (select(entities, ranked.c.score).join(ranked, ranked.c.ref_id == entities.c.id)
                .where(entities.c.kind.in_(kinds), entities.c.merged_into.is_(None), entities.c.id.notin_(found))
                .order_by(ranked.c.score.desc(), entities.c.id).limit(size))
        if province:
            stmt = stmt.where(or_(entities.c.province == province, entities.c.province_now == province))
        return [Hit(row.kind, row.id, row.name, _entity_line(row), round(float(row.score), 4), None,
                    {"province": row.province, "province_now": row.province_now, "org_kind": row.org_kind})
                for row in conn.execute(stmt)]

    return _in_passes(q, limit, page)


def _entity_line(row) -> str:
    place = row.province_now if row.province_now and row.province_now != row.province else None
    return " · ".join(x for x in (row.kind, row.org_kind, row.province, f"now {place}" if place else None) if x)
