"""The monitor's output for other tools: alerts as an Atom feed, due dates as an iCalendar file.

Both are deterministic for a given store and reference date (no clock is read), so a feed reader
or a calendar sees an entry change only when the store does. Identifiers are stable: an alert's
entry is named by the alert's key (``rule/program/subject``), a due date's event by what is due
(``commitment-12``, ``action-item-3``, ``program-21-final_review_due``), whatever the server's
address.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date
from urllib.parse import quote

from sqlalchemy import Connection, select

from hoptac.store.schema import action_items
from hoptac.track import monitor
from hoptac.track.dates import add_days
from hoptac.track.report import province_name
from hoptac.track.settings import Settings

ATOM = "http://www.w3.org/2005/Atom"
_XML_INVALID = re.compile(r"[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


# ---------------------------------------------------------------------------- Atom


def alert_id(key: str) -> str:
    """An alert's permanent entry id: a URN made of its key, the same on every server."""
    return "urn:hoptac:alert:" + quote(key, safe="/-_.")


def atom(alerts, *, base_url: str, as_of: date, title: str) -> str:
    """Atom 1.0 (RFC 4287): one entry per alert, newest due first; ``updated`` is the day it fell due.

    ``alerts`` are ``monitor.Alert`` objects or their ``to_dict()``. Each entry links to its
    program's page, or for a working visit to the article reporting it.
    """
    items = [a.to_dict() if hasattr(a, "to_dict") else dict(a) for a in alerts]
    items.sort(key=lambda a: (a["since"], a["key"]), reverse=True)
    base = base_url.rstrip("/")
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _sub(feed, "title", title)
    _sub(feed, "subtitle", f"as of {as_of.isoformat()}")
    _sub(feed, "id", f"urn:hoptac:alerts:{quote(title, safe='')}")
    _sub(feed, "updated", _instant(max([as_of.isoformat(), *(a["since"] for a in items)])))
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=f"{base}/reports")
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _sub(author, "name", "hoptac")
    _sub(feed, "generator", "hoptac")
    for a in items:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        about = a.get("program_title") or (a.get("subject") or {}).get("title") or ""
        _sub(entry, "title", f"[{a['severity']}] {a['title']}" + (f": {about}" if about else ""))
        _sub(entry, "id", alert_id(a["key"]))
        _sub(entry, "updated", _instant(a["since"]))
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=base + _page_of(a))
        ET.SubElement(entry, f"{{{ATOM}}}category", term=a["rule"], label=a["title"])
        ET.SubElement(entry, f"{{{ATOM}}}category", term=f"severity:{a['severity']}")
        _sub(entry, "summary", f"{a['message']}\n\n{a['explanation']}", type="text")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"


def _page_of(alert: dict) -> str:
    if alert.get("program_id"):
        return f"/programs/{int(alert['program_id'])}"
    document = (alert.get("subject") or {}).get("document_id")
    return f"/documents/{int(document)}" if document else "/reports"


def _sub(parent: ET.Element, tag: str, text: str, **attributes) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", **attributes)
    element.text = _XML_INVALID.sub("", text)
    return element


def _instant(day: str) -> str:
    return f"{day[:10]}T00:00:00Z"


# ---------------------------------------------------------------------------- iCalendar


def ical(conn: Connection, *, base_url: str, settings: Settings, province: str | None = None, as_of: date) -> str:
    """iCalendar (RFC 5545): an all-day VEVENT per date something is due, as known on ``as_of``.

    * commitments not fulfilled nor dropped, on their deadline (an editor's, the sentence's, or the rule's);
    * action items neither done nor cancelled, on their due date;
    * each program's milestones not yet met: the action plan's deadline, the interim review's
      (the period's middle plus the rule's grace) and the final review's (its end plus the grace).
    """
    place = province_name(province)
    states = monitor.load_states(conn, as_of, settings, province=place)
    base = base_url.rstrip("/")
    events: list[dict] = []
    for state in states:
        page = f"{base}/programs/{state.id}"
        for c in state.commitments:
            if c.due is None or monitor.closed(c):
                continue
            events.append({"uid": f"commitment-{c.id}", "day": c.due, "url": page, "category": "commitment",
                           "summary": f"{c.kind.replace('_', ' ')}: {state.title}",
                           "description": f"{c.text}\n\n{('by ' + c.actor + '. ') if c.actor else ''}deadline: {c.due_source}; program: {state.title}"})
        for name, day, met in monitor.milestones(state, settings):
            if met:
                continue
            events.append({"uid": f"program-{state.id}-{name}", "day": day, "url": page, "category": "milestone",
                           "summary": f"{name.replace('_', ' ')}: {state.title}",
                           "description": f"{name.replace('_', ' ')} of the program {state.title}"})
    ids = [s.id for s in states]
    titles = {s.id: s.title for s in states}
    if ids:
        for item in conn.execute(select(action_items).where(action_items.c.program_id.in_(ids), action_items.c.due.is_not(None),
                                                            action_items.c.status.not_in(("done", "cancelled")))
                                 .order_by(action_items.c.id)):
            day = _day(item.due)
            if day is None or (item.created_at or "")[:10] > as_of.isoformat():
                continue
            who = ", ".join(x for x in (item.owner, item.focal_person) if x)
            events.append({"uid": f"action-item-{item.id}", "day": day, "url": f"{base}/programs/{item.program_id}",
                           "category": "action item", "summary": f"{item.title} ({titles[item.program_id]})",
                           "description": f"{item.title}\n\n{('owner: ' + who + '. ') if who else ''}status: {item.status}; program: {titles[item.program_id]}"})
    events.sort(key=lambda e: (e["day"], e["uid"]))
    stamp = as_of.strftime("%Y%m%dT000000Z")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//hoptac//follow-up due dates//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             "X-WR-CALNAME:" + _text("hoptac" + (f" · {place}" if place else ""))]
    for e in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{e['uid']}@hoptac",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{e['day'].strftime('%Y%m%d')}",
            f"DTEND;VALUE=DATE:{add_days(e['day'], 1).strftime('%Y%m%d')}",
            "SUMMARY:" + _text(e["summary"]),
            "DESCRIPTION:" + _text(e["description"]),
            "CATEGORIES:" + _text(e["category"]),
            "URL:" + e["url"],
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _text(value: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and line breaks escaped."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
    return re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", value)


def _fold(line: str) -> str:
    """A content line folded (RFC 5545 §3.1): at most 75 octets a line, never inside a UTF-8 character."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts, start, limit = [], 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # a continuation byte: cut before its character
            end -= 1
        parts.append(data[start:end].decode("utf-8"))
        start, limit = end, 74  # continuation lines begin with a space
    return "\r\n ".join(parts)
