"""From an extraction record to the rows of the ``facts`` table.

Each fact gets a key that names it within its document by what it says, not where it was
read: ``position:nguyen hoang giang:thu truong bo khoa hoc va cong nghe``. A newer extractor
that finds the same thing gives the same key, so an analyst's correction finds its fact
again; one that no longer finds it leaves the correction orphaned, and that is reported.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from hoptac.text.fold import fold

_KEY_PART = 160  # characters of each folded part; keys stay short enough for an index


@dataclass
class FactRow:
    kind: str
    key: str
    label: str
    data: dict[str, Any]
    evidence: list[list[int]]
    sentence: str
    confidence: float
    date: str | None = None
    province: str | None = None
    province_now: str | None = None
    # Names this fact is about, resolved to entities after it is stored: (role, kind, name).
    mentions: list[tuple[str, str, str]] = field(default_factory=list)


def key_part(text: str | None) -> str:
    return fold(text or "")[:_KEY_PART]


def fact_rows(record: dict[str, Any]) -> list[FactRow]:
    text = record["text"]
    # When a position was held: the day of publication, or for a page without a dateline the
    # first dated event it reports.
    day = (record.get("published_at") or "")[:10] or min((e["date"] for e in record["events"] if e.get("date")), default=None)
    rows: list[FactRow] = []

    def add(kind: str, key: str, label: str, item: dict, **extra) -> FactRow:
        spans = [[s["start"], s["end"]] for s in item.get("evidence", [])]
        data = {k: v for k, v in item.items() if k not in ("evidence", "confidence")}
        row = FactRow(kind, key, label, data, spans, _sentence(text, spans), item.get("confidence", 0.5), **extra)
        rows.append(row)
        return row

    for o in record["organizations"]:
        add("organization", f"organization:{key_part(o['name'])}", o["name"], o,
            province=o.get("province"), province_now=o.get("province_now")).mentions.append(("subject", "organization", o["name"]))
    for p in record["persons"]:
        person = {k: v for k, v in p.items() if k != "positions"}
        add("person", f"person:{key_part(p['name'])}", p["name"], person).mentions.append(("subject", "person", p["name"]))
        for pos in p["positions"]:
            item = {**pos, "person": p["name"], "evidence": p.get("evidence", []), "confidence": p.get("confidence", 0.5)}
            row = add("position", f"position:{key_part(p['name'])}:{key_part(pos['title'])}", pos["title"], item, date=day)
            row.mentions.append(("subject", "person", p["name"]))
            if pos.get("organization"):
                row.mentions.append(("organization", "organization", pos["organization"]))
    for e in record["events"]:
        add("event", f"event:{e['type']}:{e.get('date') or '-'}:{key_part(e.get('label'))}", e.get("label") or e["type"], e, date=e.get("date"))
    for a in record["agreements"]:
        label = a.get("title") or " – ".join(a["parties"]) or a["kind"]
        row = add("agreement", f"agreement:{a['kind']}:{key_part(label)}", label, a, date=a.get("signed_on"))
        row.mentions.extend(("party", "organization", party) for party in a["parties"])
    for ref in record["legal_refs"]:
        label = " ".join(x for x in (ref.get("kind"), ref.get("number")) if x) or ref.get("subject") or "legal reference"
        add("legal_ref", f"legal_ref:{key_part(ref.get('number') or ref.get('subject'))}", label, ref, date=ref.get("date"))
    for c in record["commitments"]:
        digest = hashlib.sha1(fold(c.get("text", "")).encode()).hexdigest()[:12]
        row = add("commitment", f"commitment:{c['kind']}:{digest}", c["kind"], c)
        if c.get("actor"):
            row.mentions.append(("actor", "organization", c["actor"]))
    _number_duplicates(rows)
    return rows


def _sentence(text: str, spans: list[list[int]]) -> str:
    return " … ".join(text[start:end] for start, end in spans)


def _number_duplicates(rows: list[FactRow]) -> None:
    """Two facts that say the same thing in one document become ``key`` and ``key#2``."""
    seen: Counter[str] = Counter()
    for row in rows:
        seen[row.key] += 1
        if seen[row.key] > 1:
            row.key = f"{row.key}#{seen[row.key]}"
