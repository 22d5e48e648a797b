"""What analysts change on a program: link decisions, action items, commitments, points, notes, alerts.

Each change names its author and reason (``corrections.Author``) and goes to the audit log.
These rows are never rewritten by extraction: a link's decision survives re-ingest, a
commitment's status and a point an analyst edited stay as they were set.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, insert, select, update

from hoptac.store.corrections import Author, CorrectionError, audit_entry
from hoptac.store.db import now
from hoptac.store.schema import (
    action_items, alert_decisions, documents, program_commitments, program_links, program_notes, program_points, programs,
)
from hoptac.store.show import NotFound
from hoptac.text.dates import FIRST_DAY, LAST_DAY, in_range
from hoptac.track.link import ROLES
from hoptac.track.sync import rebuild

DECISIONS = ("confirmed", "rejected")
ITEM_STATUSES = ("planned", "in_progress", "done", "cancelled")
COMMITMENT_STATUSES = ("open", "fulfilled", "dropped")
POINT_STATUSES = ("unknown", "not_started", "in_progress", "done")
COMMITMENT_KINDS = ("action_plan", "focal_point", "periodic_review", "annual_monitoring", "support_tasks", "report_difficulties",
                    "plan_building", "enterprise_support", "other")


class EditError(CorrectionError):
    """A change that makes no sense: an unknown status, a fulfilment without evidence."""


def decide_link(conn: Connection, link_id: int, decision: str, author: Author) -> None:
    _one_of(decision, DECISIONS, "decision")
    link = _row(conn, program_links, link_id, "link")
    conn.execute(update(program_links).where(program_links.c.id == link_id).values(
        decision=decision, decided_by=author.name, decided_at=now(), decision_reason=author.reason))
    audit_entry(conn, author, f"link.{decision}", f"program:{link.program_id}",
                {"link": link_id, "document": link.document_id, "role": link.role})
    rebuild(conn, [link.program_id])


def attach(conn: Connection, program_id: int, document_id: int, role: str, author: Author) -> int:
    """Attach an article the rules missed; it stands as confirmed."""
    _one_of(role, ROLES, "role")
    _row(conn, programs, program_id, "program")
    doc = _row(conn, documents, document_id, "document")
    existing = conn.execute(select(program_links.c.id).where(program_links.c.program_id == program_id,
                                                             program_links.c.document_id == document_id)).scalar()
    values = {"role": role, "decision": "confirmed", "decided_by": author.name, "decided_at": now(), "decision_reason": author.reason}
    if existing:
        conn.execute(update(program_links).where(program_links.c.id == existing).values(origin="analyst", **values))
        link_id = existing
    else:
        link_id = conn.execute(insert(program_links).values(
            program_id=program_id, document_id=document_id, document_key=doc.key, date=(doc.published_at or "")[:10] or None,
            rule="analyst", confidence=1.0, reason=f"attached by {author.name}: {author.reason}", origin="analyst", **values)
            .returning(program_links.c.id)).scalar_one()
    audit_entry(conn, author, "link.attach", f"program:{program_id}", {"link": link_id, "document": document_id, "role": role})
    rebuild(conn, [program_id])
    return link_id


def add_action_item(conn: Connection, program_id: int, author: Author, *, title: str, owner: str | None = None,
                    focal_person: str | None = None, due: str | None = None, status: str = "planned",
                    evidence_url: str | None = None) -> int:
    _row(conn, programs, program_id, "program")
    values = _item_values(title=title, owner=owner, focal_person=focal_person, due=due, status=status, evidence_url=evidence_url)
    stamp = now()
    item_id = conn.execute(insert(action_items).values(program_id=program_id, created_by=author.name, created_at=stamp,
                                                       updated_by=author.name, updated_at=stamp, **values)
                           .returning(action_items.c.id)).scalar_one()
    audit_entry(conn, author, "action_item.add", f"program:{program_id}", {"item": item_id, **values})
    return item_id


def update_action_item(conn: Connection, item_id: int, author: Author, **fields) -> None:
    item = _row(conn, action_items, item_id, "action item")
    merged = {k: getattr(item, k) for k in ("title", "owner", "focal_person", "due", "status", "evidence_url")}
    unknown = set(fields) - set(merged)
    if unknown:
        raise EditError(f"an action item has no field {', '.join(sorted(unknown))}")
    merged.update(fields)
    values = _item_values(**merged)
    conn.execute(update(action_items).where(action_items.c.id == item_id).values(updated_by=author.name, updated_at=now(), **values))
    audit_entry(conn, author, "action_item.update", f"program:{item.program_id}", {"item": item_id, **fields})


def _item_values(*, title, owner, focal_person, due, status, evidence_url) -> dict:
    if not (title or "").strip():
        raise EditError("an action item needs a title")
    _one_of(status, ITEM_STATUSES, "status")
    return {"title": title.strip(), "owner": _blank(owner), "focal_person": _blank(focal_person), "due": _day(due),
            "status": status, "evidence_url": _url(evidence_url)}


def set_commitment(conn: Connection, commitment_id: int, author: Author, *, status: str | None = None, evidence: str | None = None,
                   evidence_url: str | None = None, due: str | None = None) -> None:
    """Mark a commitment fulfilled (with evidence), dropped or open again, or give it a deadline."""
    c = _row(conn, program_commitments, commitment_id, "commitment")
    values: dict = {}
    if due is not None:
        values["due"] = _day(due)
    if status is not None:
        _one_of(status, COMMITMENT_STATUSES, "status")
        evidence, evidence_url = _blank(evidence), _url(evidence_url)
        if status == "fulfilled" and not (evidence or evidence_url):
            raise EditError("say what shows the commitment fulfilled: a sentence, a document or a link")
        values.update(status=status, evidence=evidence, evidence_url=evidence_url, status_by=author.name, status_at=now())
    if not values:
        raise EditError("say what to change: a status or a deadline")
    conn.execute(update(program_commitments).where(program_commitments.c.id == commitment_id).values(**values))
    audit_entry(conn, author, "commitment.update", f"program:{c.program_id}", {"commitment": commitment_id, **values})


def add_commitment(conn: Connection, program_id: int, author: Author, *, kind: str, text: str, actor: str | None = None,
                   due: str | None = None, made_on: str | None = None) -> int:
    _row(conn, programs, program_id, "program")
    _one_of(kind, COMMITMENT_KINDS, "kind")
    if not (text or "").strip():
        raise EditError("a commitment needs its text")
    stamp = now()
    values = {"kind": kind, "text": text.strip(), "actor": _blank(actor), "due": _day(due), "made_on": _day(made_on) or stamp[:10]}
    commitment_id = conn.execute(insert(program_commitments).values(
        program_id=program_id, origin="analyst", status="open", created_by=author.name, status_at=stamp, **values)
        .returning(program_commitments.c.id)).scalar_one()
    audit_entry(conn, author, "commitment.add", f"program:{program_id}", {"commitment": commitment_id, **values})
    return commitment_id


def set_point(conn: Connection, program_id: int, number: int, author: Author, *, text: str | None = None,
              status: str | None = None) -> None:
    """Edit a content point's text or status (a new number adds a point)."""
    _row(conn, programs, program_id, "program")
    if number < 1:
        raise EditError("points are numbered from 1")
    values: dict = {"updated_by": author.name, "updated_at": now()}
    if text is not None:
        values["text"] = _blank(text)
    if status is not None:
        _one_of(status, POINT_STATUSES, "status")
        values["status"] = status
    existing = conn.execute(select(program_points.c.id).where(program_points.c.program_id == program_id,
                                                              program_points.c.number == number)).scalar()
    if existing:
        conn.execute(update(program_points).where(program_points.c.id == existing).values(**values))
    else:
        conn.execute(insert(program_points).values(program_id=program_id, number=number, origin="analyst",
                                                   status=values.pop("status", "unknown"), **values))
    audit_entry(conn, author, "point.update", f"program:{program_id}", {"number": number, "text": text, "status": status})


def add_note(conn: Connection, program_id: int, text: str, author: Author) -> int:
    _row(conn, programs, program_id, "program")
    if not (text or "").strip():
        raise EditError("a note needs text")
    note_id = conn.execute(insert(program_notes).values(program_id=program_id, author=author.name, text=text.strip(), created_at=now())
                           .returning(program_notes.c.id)).scalar_one()
    audit_entry(conn, author, "note.add", f"program:{program_id}", {"note": note_id})
    return note_id


def decide_alert(conn: Connection, alert_key: str, decision: str, author: Author) -> None:
    """Resolve an alert with a note (the reason), or reopen it."""
    _one_of(decision, ("resolved", "reopened"), "decision")
    if not alert_key or len(alert_key) > 200 or alert_key.count("/") != 2:
        raise EditError(f"not an alert key: {alert_key!r}")
    values = {"decision": decision, "note": author.reason, "author": author.name, "at": now()}
    existing = conn.execute(select(alert_decisions.c.id).where(alert_decisions.c.alert_key == alert_key)).scalar()
    if existing:
        conn.execute(update(alert_decisions).where(alert_decisions.c.id == existing).values(**values))
    else:
        conn.execute(insert(alert_decisions).values(alert_key=alert_key, **values))
    audit_entry(conn, author, f"alert.{decision}", f"alert:{alert_key}", {})


# ---------------------------------------------------------------------------- checks


def _row(conn: Connection, table, row_id: int, what: str):
    row = conn.execute(select(table).where(table.c.id == row_id)).first()
    if row is None:
        raise NotFound(f"no {what} {row_id}")
    return row


def _one_of(value: str, allowed: tuple[str, ...], what: str) -> None:
    if value not in allowed:
        raise EditError(f"{what} must be one of {', '.join(allowed)}, not {value!r}")


def _blank(value: str | None) -> str | None:
    return value.strip() or None if value else None


def _day(value: str | None) -> str | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise EditError(f"not a date (YYYY-MM-DD): {value!r}") from None
    if not in_range(day):
        raise EditError(f"{value!r} is outside the dates a program can have ({FIRST_DAY} to {LAST_DAY})")
    return day.isoformat()


def _url(value: str | None) -> str | None:
    value = _blank(value)
    if value and not value.startswith(("http://", "https://", "/")):
        raise EditError(f"a link must start with http://, https:// or / (a page of this site): {value!r}")
    return value
