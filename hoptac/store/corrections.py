"""Analysts' corrections: stored apart from what extraction found, and re-applied over it.

A correction names its target by what outlives a re-extraction: a document's key and a
fact's key (see ``facts.py``), or an entity id (entities are never rebuilt). Each
correction is applied at once, and again on top of every later extraction of its document;
one whose fact a newer extractor no longer produces is marked ``orphaned`` and reported,
and applies again should the fact come back. Every change is written to the audit log.

Actions on facts: ``set`` fields, ``delete``, ``add``; on entities: ``merge`` one into
another, ``split`` one document's mention off into an entity of its own (which undoes a
merge resolution made), ``rename``. Any correction can be undone.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, insert, select, update

from hoptac.store import fact_schema
from hoptac.store.db import now
from hoptac.store.schema import audit, corrections, documents, entities, facts, links
from hoptac.store.search import index_entity
from hoptac.store.show import NotFound
from hoptac.track import sync as track

FACT_ACTIONS = ("set", "delete", "split")  # what is re-applied after each extraction
LABEL_FIELDS = {"person": "name", "organization": "name", "position": "title", "agreement": "title", "event": "label"}


class CorrectionError(ValueError):
    """A correction that cannot be made: its target does not exist, or it makes no sense."""


@dataclass(frozen=True)
class Author:
    name: str
    reason: str

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise CorrectionError("a correction needs an author")
        if not self.reason.strip():
            raise CorrectionError("a correction needs a reason")


# ---------------------------------------------------------------------------- making corrections


def set_fields(conn: Connection, fact_id: int, values: dict, author: Author) -> int:
    fact = _fact(conn, fact_id)
    if not values:
        raise CorrectionError("say which fields to set")
    unknown = set(values) - set(fact.data)
    if unknown:
        raise CorrectionError(f"fact {fact_id} ({fact.kind}) has no field {', '.join(sorted(unknown))}; it has {', '.join(sorted(fact.data))}")
    schema = fact_schema.KINDS.get(fact.kind)
    if schema is not None:  # the fact as it would read after the change must still be a fact of its kind
        merged = {k: v for k, v in {**fact.data, **values}.items() if k in schema.model_fields}
        valid = _checked(fact.kind, merged)
        values = {k: valid[k] if k in valid else v for k, v in values.items()}
    payload = {"set": values, "old": {k: fact.data[k] for k in values}}
    return _record(conn, "set", author, payload, fact=fact)


def delete_fact(conn: Connection, fact_id: int, author: Author) -> int:
    fact = _fact(conn, fact_id)
    return _record(conn, "delete", author, {"label": fact.label}, fact=fact)


def add_fact(conn: Connection, document_id: int, kind: str, data: dict, author: Author, sentence: str = "") -> int:
    document = conn.execute(select(documents.c.key, documents.c.run_id).where(documents.c.id == document_id)).first()
    if document is None:
        raise CorrectionError(f"no document {document_id}")
    data = _checked(kind, data)
    correction_id = _record(conn, "add", author, {"kind": kind, "data": data, "sentence": sentence}, document_key=document.key)
    conn.execute(insert(facts).values(
        document_id=document_id, run_id=document.run_id, kind=kind, key=f"analyst:{correction_id}", label=_label(kind, data, kind),
        data=data, evidence=[], sentence=sentence, confidence=1.0, origin="analyst", corrected_by=correction_id))
    return correction_id


def merge(conn: Connection, entity_id: int, into_id: int, author: Author) -> int:
    """Entity ``entity_id`` is the same as ``into_id``: reads of either show both."""
    if entity_id == into_id:
        raise CorrectionError(f"entity {entity_id} cannot be merged into itself")
    source, target = _entity(conn, entity_id), _entity(conn, into_id)
    if source.kind != target.kind:
        raise CorrectionError(f"cannot merge a {source.kind} into a {target.kind}")
    root = target.merged_into or target.id
    if root == source.id:
        raise CorrectionError(f"entity {into_id} is already merged into {entity_id}")
    children = conn.execute(select(entities.c.id).where(entities.c.merged_into == source.id)).scalars().all()
    correction_id = _record(conn, "merge", author, {"children": children, "name": source.name}, entity_id=source.id, other_entity_id=root)
    conn.execute(update(entities).where(entities.c.id.in_([source.id, *children])).values(merged_into=root))
    return correction_id


def split(conn: Connection, fact_id: int, author: Author) -> int:
    """This document's mention is not the entity resolution put it in: give it its own."""
    fact = _fact(conn, fact_id)
    if fact.kind not in ("person", "organization"):
        raise CorrectionError(f"fact {fact_id} is a {fact.kind}; only a person or an organization mention can be split off")
    link = conn.execute(select(links.c.entity_id).where(links.c.fact_id == fact_id, links.c.role == "subject")).scalar()
    if link is None:
        raise CorrectionError(f"fact {fact_id} is not linked to an entity")
    old = _entity(conn, link)
    into = conn.execute(insert(entities).values(kind=old.kind, name=fact.label, block=old.block, org_kind=old.org_kind,
                                                province=old.province, province_now=old.province_now, aliases=[],
                                                created_at=now()).returning(entities.c.id)).scalar_one()
    index_entity(conn, into, fact.label, [])
    return _record(conn, "split", author, {"from": old.id, "into": into}, fact=fact, entity_id=old.id, other_entity_id=into)


def rename(conn: Connection, entity_id: int, name: str, author: Author) -> int:
    entity = _entity(conn, entity_id)
    if not name.strip():
        raise CorrectionError("a name cannot be empty")
    correction_id = _record(conn, "rename", author, {"old": entity.name, "new": name}, entity_id=entity_id)
    _rename(conn, entity_id, name)
    return correction_id


def undo(conn: Connection, correction_id: int, author: Author) -> None:
    c = conn.execute(select(corrections).where(corrections.c.id == correction_id)).first()
    if c is None:
        raise CorrectionError(f"no correction {correction_id}")
    if c.status == "undone":
        raise CorrectionError(f"correction {correction_id} is already undone")
    conn.execute(update(corrections).where(corrections.c.id == correction_id).values(status="undone", status_detail=f"undone by {author.name}: {author.reason}"))
    if c.action in ("set", "delete", "add"):
        conn.execute(update(facts).where(facts.c.corrected_by == correction_id).values(corrected_by=None))
        conn.execute(update(facts).where(facts.c.suppressed_by == correction_id).values(suppressed_by=None))
        if c.action == "set":
            _undo_set(conn, c)
        if c.action == "add":
            conn.execute(facts.delete().where(facts.c.key == f"analyst:{correction_id}"))
    elif c.action == "merge":
        conn.execute(update(entities).where(entities.c.id == c.entity_id).values(merged_into=None))
        conn.execute(update(entities).where(entities.c.id.in_(c.payload["children"])).values(merged_into=c.entity_id))
    elif c.action == "split":
        conn.execute(update(links).where(links.c.entity_id == c.other_entity_id)
                     .values(entity_id=c.entity_id, rule="analyst", reason=f"split undone by {author.name}"))
    elif c.action == "rename":
        _rename(conn, c.entity_id, c.payload["old"])
    audit_entry(conn, author, "undo", f"correction:{correction_id}", {"action": c.action})
    _follow(conn, c.document_key, [c.entity_id, c.other_entity_id])


# ---------------------------------------------------------------------------- re-applying


def reapply(conn: Connection, docs: list[tuple[int, str]]) -> list[int]:
    """Re-apply the corrections of freshly extracted documents; returns those now orphaned."""
    by_key = {key: document_id for document_id, key in docs}
    if not by_key:
        return []
    pending = conn.execute(select(corrections).where(
        corrections.c.document_key.in_(by_key), corrections.c.action.in_(FACT_ACTIONS), corrections.c.status != "undone")
        .order_by(corrections.c.id)).all()
    orphaned = []
    for c in pending:
        fact = conn.execute(select(facts).where(facts.c.document_id == by_key[c.document_key], facts.c.key == c.fact_key)).first()
        if fact is None:
            orphaned.append(c.id)
            conn.execute(update(corrections).where(corrections.c.id == c.id).values(
                status="orphaned", status_detail=f"{c.fact_key} is no longer extracted from {c.document_key} ({now()})"))
            continue
        _apply(conn, c, fact)
        if c.status != "applied":
            conn.execute(update(corrections).where(corrections.c.id == c.id).values(status="applied", status_detail=None))
    return orphaned


def _apply(conn: Connection, c, fact) -> None:
    if c.action == "set":
        data = {**fact.data, **c.payload["set"]}
        conn.execute(update(facts).where(facts.c.id == fact.id).values(data=data, label=_label(fact.kind, data, fact.label), corrected_by=c.id))
    elif c.action == "delete":
        conn.execute(update(facts).where(facts.c.id == fact.id).values(suppressed_by=c.id))
    elif c.action == "split":
        mention = [fact.id]
        if fact.kind == "person":  # the person's positions in this document go with them
            prefix = "position:" + fact.key.removeprefix("person:") + ":"
            mention += conn.execute(select(facts.c.id).where(facts.c.document_id == fact.document_id,
                                                             facts.c.key.startswith(prefix, autoescape=True))).scalars().all()
        conn.execute(update(links).where(links.c.fact_id.in_(mention), links.c.entity_id == c.entity_id, links.c.role == "subject")
                     .values(entity_id=c.other_entity_id, rule="analyst", score=1.0, reason=f"split off by correction {c.id}"))


def _undo_set(conn: Connection, c) -> None:
    """Put back the values this correction replaced, keeping later corrections of the same fact."""
    fact = conn.execute(select(facts).join(documents, documents.c.id == facts.c.document_id)
                        .where(documents.c.key == c.document_key, facts.c.key == c.fact_key)).first()
    if fact is None:
        return
    data, latest = {**fact.data, **c.payload["old"]}, None
    for later in conn.execute(select(corrections).where(
            corrections.c.document_key == c.document_key, corrections.c.fact_key == c.fact_key, corrections.c.action == "set",
            corrections.c.status == "applied", corrections.c.id > c.id).order_by(corrections.c.id)):
        data.update(later.payload["set"])
        latest = later.id
    conn.execute(update(facts).where(facts.c.id == fact.id).values(data=data, label=_label(fact.kind, data, fact.label), corrected_by=latest))


def _checked(kind: str, data: object) -> dict:
    try:
        return fact_schema.checked(kind, data)
    except ValueError as e:
        raise CorrectionError(str(e)) from None


def _label(kind: str, data: dict, fallback: str) -> str:
    return str(data.get(LABEL_FIELDS.get(kind, "")) or fallback)


# ---------------------------------------------------------------------------- helpers


def _record(conn: Connection, action: str, author: Author, payload: dict, *, fact=None, document_key: str | None = None,
            entity_id: int | None = None, other_entity_id: int | None = None) -> int:
    if fact is not None:
        document_key = conn.execute(select(documents.c.key).where(documents.c.id == fact.document_id)).scalar_one()
    correction_id = conn.execute(insert(corrections).values(
        action=action, document_key=document_key, fact_key=fact.key if fact is not None else None, entity_id=entity_id,
        other_entity_id=other_entity_id, payload=payload, author=author.name, reason=author.reason, created_at=now(),
        status="applied").returning(corrections.c.id)).scalar_one()
    if fact is not None and action in FACT_ACTIONS:
        _apply(conn, conn.execute(select(corrections).where(corrections.c.id == correction_id)).first(), fact)
    target = f"fact:{fact.id}" if fact is not None else f"entity:{entity_id}" if entity_id else f"document:{document_key}"
    audit_entry(conn, author, action, target, {"correction": correction_id, **payload})
    _follow(conn, document_key, [entity_id, other_entity_id])
    return correction_id


def _follow(conn: Connection, document_key: str | None, entity_ids: list[int | None]) -> None:
    """Programs read what was just corrected: the document's links, or the programs of the entities."""
    if document_key is not None:
        track.refresh(conn, conn.execute(select(documents.c.id).where(documents.c.key == document_key)).scalars().all())
    track.refresh_entities(conn, [e for e in entity_ids if e])


def audit_entry(conn: Connection, author: Author, action: str, target: str, detail: dict) -> None:
    # A document key (URL) can outgrow the column; the detail keeps the whole of it.
    conn.execute(insert(audit).values(at=now(), actor=author.name[:200], action=action, target=target[:200],
                                      detail={"reason": author.reason, "target": target, **detail}))


def _fact(conn: Connection, fact_id: int):
    fact = conn.execute(select(facts).where(facts.c.id == fact_id)).first()
    if fact is None:
        raise CorrectionError(f"no fact {fact_id}")
    return fact


def _entity(conn: Connection, entity_id: int):
    entity = conn.execute(select(entities).where(entities.c.id == entity_id)).first()
    if entity is None:
        raise CorrectionError(f"no entity {entity_id}")
    return entity


def _rename(conn: Connection, entity_id: int, name: str) -> None:
    conn.execute(update(entities).where(entities.c.id == entity_id).values(name=name))
    aliases = conn.execute(select(entities.c.aliases).where(entities.c.id == entity_id)).scalar_one()
    index_entity(conn, entity_id, name, aliases)


# ---------------------------------------------------------------------------- reading


def listing(conn: Connection, status: str | None = None, limit: int | None = None, offset: int = 0) -> list[dict]:
    """Corrections, newest last, optionally only those with a status (applied | orphaned | undone)."""
    stmt = select(corrections).order_by(corrections.c.id).offset(offset)
    if status:
        stmt = stmt.where(corrections.c.status == status)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [dict(r._mapping) for r in conn.execute(stmt)]


def count(conn: Connection, status: str | None = None) -> int:
    stmt = select(func.count()).select_from(corrections)
    return conn.execute(stmt.where(corrections.c.status == status) if status else stmt).scalar_one()


def get(conn: Connection, correction_id: int) -> dict:
    row = conn.execute(select(corrections).where(corrections.c.id == correction_id)).first()
    if row is None:
        raise NotFound(f"no correction {correction_id}")
    return dict(row._mapping)
