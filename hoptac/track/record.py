"""A program read back whole — what the program page, ``hoptac program show`` and the API show — and lists of programs.

Everything is plain data. Dates are judged against a reference date (``as_of``) like the
monitor's, so a commitment's state on the page agrees with the alerts beside it.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, func, or_, select

from hoptac.store.browse import Page
from hoptac.store.schema import (
    action_items, documents, entities, facts, links, program_commitments, program_links, program_notes, program_parties,
    program_points, programs,
)
from hoptac.store.show import NotFound
from hoptac.text.fold import fold
from hoptac.track import monitor
from hoptac.track.link import FOLLOW_UPS
from hoptac.track.parties import in_province
from hoptac.track.settings import Settings

PROGRAM_FIELDS = ("id", "kind", "title", "signed_on", "period_start", "period_end", "orientation_to", "content_items",
                  "province", "province_now", "known_since", "status")


def programs_page(conn: Connection, *, province: str | None = None, year: int | None = None, q: str | None = None,
                  party: int | None = None, limit: int = 50, offset: int = 0) -> Page:
    """Programs, newest signing first; ``year`` is a year the period covers (or the signing's)."""
    conditions = []
    if year:
        conditions.append(or_(programs.c.period_start <= year, programs.c.signed_on < f"{year + 1}"))
        conditions.append(or_(programs.c.period_end >= year, programs.c.signed_on >= f"{year}"))
    if party:
        conditions.append(programs.c.id.in_(select(program_parties.c.program_id).where(program_parties.c.entity_id == party)))
    rows = conn.execute(select(*[programs.c[f] for f in PROGRAM_FIELDS], programs.c.parties).where(*conditions)
                        .order_by(programs.c.signed_on.desc().nulls_last(), programs.c.id.desc())).all()
    if province:  # as the monitor does: without accents or case, before or after the merger
        rows = [r for r in rows if in_province(province, r.province, r.province_now)]
    if q:
        words = fold(q).split()
        rows = [r for r in rows if all(w in fold(r.title + " " + " ".join(p["name"] for p in r.parties)) for w in words)]
    page = rows[offset:offset + limit]
    counts = _follow_up_counts(conn, [r.id for r in page])
    return Page([{**dict(r._mapping), "follow_ups": counts.get(r.id, 0)} for r in page], len(rows), limit, offset)


def _follow_up_counts(conn: Connection, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    return dict(conn.execute(select(program_links.c.program_id, func.count()).where(
        program_links.c.program_id.in_(ids), program_links.c.role.in_(FOLLOW_UPS),
        or_(program_links.c.decision.is_(None), program_links.c.decision != "rejected")).group_by(program_links.c.program_id)).all())


def program(conn: Connection, program_id: int, *, as_of: date, settings: Settings, lang: str = "en") -> dict:
    row = conn.execute(select(programs).where(programs.c.id == program_id)).first()
    if row is None:
        raise NotFound(f"no program {program_id}")
    out = {f: getattr(row, f) for f in PROGRAM_FIELDS}
    out["parties"] = _parties(conn, program_id, row.parties)
    out["links"] = _links(conn, program_id)
    out["signatories"] = _signatories(conn, out["links"], [p["entity_id"] for p in out["parties"]])
    out["points"] = [dict(r._mapping) for r in conn.execute(select(program_points).where(program_points.c.program_id == program_id)
                                                            .order_by(program_points.c.number))]
    out["commitments"] = _commitments(conn, row, out["links"], as_of, settings)
    out["action_items"] = [dict(r._mapping) for r in conn.execute(select(action_items).where(action_items.c.program_id == program_id)
                                                                  .order_by(action_items.c.due.nulls_last(), action_items.c.id))]
    out["notes"] = [dict(r._mapping) for r in conn.execute(select(program_notes).where(program_notes.c.program_id == program_id)
                                                           .order_by(program_notes.c.id))]
    out["milestones"] = milestones(conn, row, settings)
    out["alerts"] = [a.to_dict() for a in monitor.alerts(conn, as_of, settings, program_id=program_id, include_resolved=True, lang=lang)]
    out["as_of"] = as_of.isoformat()
    return out


def _parties(conn: Connection, program_id: int, named: list[dict]) -> list[dict]:
    rows = conn.execute(select(entities.c.id, entities.c.name, entities.c.org_kind, entities.c.province, entities.c.province_now)
                        .join(program_parties, program_parties.c.entity_id == entities.c.id)
                        .where(program_parties.c.program_id == program_id)).all()
    by_id = {r.id: r for r in rows}
    order = [p["entity_id"] for p in named if p["entity_id"] in by_id] + [i for i in by_id if i not in {p["entity_id"] for p in named}]
    return [{"entity_id": i, "name": by_id[i].name, "org_kind": by_id[i].org_kind, "province": by_id[i].province,
             "province_now": by_id[i].province_now} for i in order]


def _links(conn: Connection, program_id: int) -> list[dict]:
    rows = conn.execute(select(program_links, documents.c.title, documents.c.name, documents.c.url, documents.c.published_at)
                        .join(documents, documents.c.id == program_links.c.document_id)
                        .where(program_links.c.program_id == program_id)).all()
    out = [{**{k: v for k, v in r._mapping.items() if k not in ("title", "name", "url", "published_at")},
            "document": {"id": r.document_id, "title": r.title or r.name, "url": r.url, "published_at": r.published_at}} for r in rows]
    return sorted(out, key=lambda link: (link["date"] or (link["document"]["published_at"] or "")[:10] or "9999", link["id"]))


def _signatories(conn: Connection, program_links: list[dict], party_ids: list[int]) -> list[dict]:
    """The parties' people in the article reporting the signing: who signed, or at least led each side there."""
    signing = [link["document_id"] for link in program_links if link["role"] == "signing" and link["decision"] != "rejected"]
    if not signing or not party_ids:
        return []
    person = links.alias("person")
    rows = conn.execute(select(facts.c.data, person.c.entity_id).join(links, links.c.fact_id == facts.c.id)
                        .join(person, (person.c.fact_id == facts.c.id) & (person.c.role == "subject"))
                        .where(facts.c.document_id == signing[0], facts.c.kind == "position", facts.c.suppressed_by.is_(None),
                               links.c.role == "organization", links.c.entity_id.in_(party_ids)).order_by(facts.c.id)).all()
    seen, out = set(), []
    for data, person_id in rows:
        if person_id not in seen and not data.get("former"):
            seen.add(person_id)
            out.append({"person_id": person_id, "name": data.get("person"), "title": data.get("title"), "organization": data.get("organization")})
    return out


def _commitments(conn: Connection, row, program_links: list[dict], as_of: date, settings: Settings) -> list[dict]:
    """The commitments made by ``as_of``, each in the state the monitor judges it."""
    states = monitor.load_states(conn, as_of, settings, program_id=row.id)
    judged = {c.id: (c, monitor.commitment_state(c, states[0], as_of)) for c in (states[0].commitments if states else [])}
    titles = {link["document"]["id"]: link["document"]["title"] for link in program_links}
    ids = {link["document_key"]: link["document_id"] for link in program_links}
    out = []
    for c in conn.execute(select(program_commitments).where(program_commitments.c.program_id == row.id).order_by(program_commitments.c.id)):
        if c.id not in judged:
            continue  # not made yet on the reference date
        seen, state = judged[c.id]
        document_id = ids.get(c.document_key)
        out.append({**dict(c._mapping), "due_effective": seen.due.isoformat() if seen.due else None, "due_source": seen.due_source,
                    "state": state, "document_id": document_id, "document_title": titles.get(document_id),
                    "fact_id": _fact_id(conn, document_id, c.fact_key)})
    return out


def _fact_id(conn: Connection, document_id: int | None, fact_key: str | None) -> int | None:
    if document_id is None or fact_key is None:
        return None
    return conn.execute(select(facts.c.id).where(facts.c.document_id == document_id, facts.c.key == fact_key)).scalar()


def milestones(conn: Connection, row, settings: Settings) -> list[dict]:
    """The dates a program is judged by: plan due, the reviews' deadlines, the end of its period."""
    states = monitor.load_states(conn, date.max, settings, program_id=row.id)
    return [{"kind": kind, "date": day.isoformat()} for kind, day, _ in (monitor.milestones(states[0], settings) if states else [])]


def programs_of_document(conn: Connection, document_id: int) -> list[dict]:
    """The programs an article is attached to, for its page."""
    rows = conn.execute(select(program_links.c.program_id, program_links.c.role, program_links.c.confidence, program_links.c.decision,
                               programs.c.title).join(programs, programs.c.id == program_links.c.program_id)
                        .where(program_links.c.document_id == document_id)).all()
    return [dict(r._mapping) for r in rows]
