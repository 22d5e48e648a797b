"""Keep programs in step with extraction: run after every ingest batch, in its transaction.

For the documents just (re-)extracted: their automatic links are dropped (analysts' decisions
stay); each agreement they report joins the program it names, or founds one; each is then
assessed against the programs of the organizations it names; a program founded now is also
assessed against older articles, so the order articles arrive in does not matter. Last, every
program touched gets its fields, points and commitments from its articles again, never over
what an analyst set. ``refresh(conn)`` with no ids rebuilds the links of the whole store.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import Connection, delete, func, insert, or_, select, update

from hoptac.store.db import now
from hoptac.store.schema import (
    action_items, documents, facts, links, program_commitments, program_links, program_notes, program_parties,
    program_points, programs,
)
from hoptac.text.fold import fold
from hoptac.track.dates import parse, stated_due
from hoptac.track.link import Agreement, Article, Assessment, Event, Program, assess
from hoptac.track.parties import Party, match, survivors

_CHUNK = 500  # documents read at once by a full refresh
_SAME_SIGNING_DAYS = 10  # two reports of one signing may date it a few days apart
_TITLE_OVERLAP = 0.5  # word overlap for agreements that give neither a period nor a date


@dataclass
class SyncSummary:
    created: int = 0
    touched: set[int] = field(default_factory=set)
    links: int = 0


def refresh(conn: Connection, document_ids: Iterable[int] | None = None) -> SyncSummary:
    summary = SyncSummary()
    if document_ids is None:
        ids = conn.execute(select(documents.c.id).order_by(documents.c.id)).scalars().all()
        for start in range(0, len(ids), _CHUNK):
            _refresh(conn, ids[start:start + _CHUNK], summary)
    else:
        _refresh(conn, sorted(set(document_ids)), summary)
    return summary


def _refresh(conn: Connection, ids: list[int], summary: SyncSummary) -> None:
    if not ids:
        return
    summary.touched |= set(conn.execute(select(program_links.c.program_id).where(program_links.c.document_id.in_(ids))).scalars())
    conn.execute(delete(program_links).where(program_links.c.document_id.in_(ids), program_links.c.decision.is_(None),
                                             program_links.c.origin == "auto"))
    conn.execute(update(program_links).where(program_links.c.document_id.in_(ids)).values(agreement_key=None))
    articles = articles_of(conn, ids)
    created: list[int] = []
    for article in articles:
        for agreement in article.agreements:
            program_id = _place(conn, article, agreement)
            if program_id is None:
                program_id = _found(conn, article, agreement)
                created.append(program_id)
            summary.touched.add(program_id)
            _mark_member(conn, program_id, article, agreement.key)
    for article in articles:
        summary.links += _attach(conn, article, _candidates(conn, article))
    for program_id in created:
        older = [a for a in articles_of(conn, _documents_of_parties(conn, program_id)) if a.id not in set(ids)]
        program = _programs(conn, [program_id])[program_id]
        for article in older:
            summary.links += _attach(conn, article, {program_id: program})
    summary.created += len(created)
    for program_id in sorted(summary.touched):
        rebuild(conn, program_id)


# ---------------------------------------------------------------------------- reading articles


def articles_of(conn: Connection, ids: list[int]) -> list[Article]:
    if not ids:
        return []
    rows = conn.execute(select(facts.c.id, facts.c.document_id, facts.c.kind, facts.c.key, facts.c.data, facts.c.date)
                        .where(facts.c.document_id.in_(ids), facts.c.kind.in_(("event", "agreement", "organization")),
                               facts.c.suppressed_by.is_(None))).all()
    entity_of: dict[int, list[int]] = defaultdict(list)
    for fact_id, entity_id in conn.execute(select(links.c.fact_id, links.c.entity_id)
                                           .where(links.c.fact_id.in_([r.id for r in rows if r.kind != "event"]),
                                                  links.c.role.in_(("subject", "party")))):
        entity_of[fact_id].append(entity_id)
    party = survivors(conn, {e for es in entity_of.values() for e in es})
    by_doc: dict[int, list] = defaultdict(list)
    for r in rows:
        by_doc[r.document_id].append(r)
    articles = []
    for d in conn.execute(select(documents.c.id, documents.c.key, documents.c.title, documents.c.text, documents.c.published_at)
                          .where(documents.c.id.in_(ids)).order_by(documents.c.id)):
        article = Article(d.id, d.key, None, d.title or "", d.text)
        seen: set[int] = set()
        for r in by_doc[d.id]:
            parties = [party[e] for e in entity_of[r.id] if e in party]
            if r.kind == "event":
                article.events.append(Event(r.data.get("type", "other"), parse(r.date), r.data.get("label") or r.data.get("type", "")))
            elif r.kind == "agreement":
                article.agreements.append(Agreement(r.key, r.data, parties))
            for p in parties:
                if p.entity_id not in seen:
                    seen.add(p.entity_id)
                    article.parties.append(p)
        article.date = parse(d.published_at) or min(
            [e.date for e in article.events if e.date] + [parse(a.data.get("signed_on")) for a in article.agreements if a.data.get("signed_on")],
            default=None)
        articles.append(article)
    return articles


# ---------------------------------------------------------------------------- programs from agreements


def _place(conn: Connection, article: Article, agreement: Agreement) -> int | None:
    """The program this agreement names, among those of its parties; None for a new one."""
    ids = [p.entity_id for p in agreement.parties]
    if not ids:
        return None
    candidates = conn.execute(select(program_parties.c.program_id).where(program_parties.c.entity_id.in_(ids)).distinct()).scalars().all()
    best, best_score = None, (0, 0.0)
    for program_id, program in _programs(conn, candidates).items():
        row = conn.execute(select(programs).where(programs.c.id == program_id)).one()
        score = _same_program(row, program, agreement)
        if score and score > best_score:
            best, best_score = program_id, score
    return best


def _same_program(row, program: Program, agreement: Agreement) -> tuple[int, float] | None:
    data = agreement.data
    period = data.get("period") or {}
    start, end = period.get("start"), period.get("end")
    if row.period_start and start and (row.period_start, row.period_end) != (start, end):
        return None
    signed = parse(data.get("signed_on"))
    if program.signed_on and signed and abs((program.signed_on - signed).days) > _SAME_SIGNING_DAYS:
        return None
    if not ((row.period_start and start) or (program.signed_on and signed)) and _overlap(row.title, data.get("title") or "") < _TITLE_OVERLAP:
        return None
    ours, theirs = sorted((program.parties, agreement.parties), key=len)
    score, exact = match(ours, theirs)
    return (exact, score) if score and exact else None


def _overlap(a: str, b: str) -> float:
    x, y = set(fold(a).split()), set(fold(b).split())
    return len(x & y) / len(x | y) if x | y else 0.0


def _found(conn: Connection, article: Article, agreement: Agreement) -> int:
    stamp = now()
    fields = _fields([(article, agreement)])
    program_id = conn.execute(insert(programs).values(**fields, status="active", created_at=stamp, updated_at=stamp)
                              .returning(programs.c.id)).scalar_one()
    _set_parties(conn, program_id, agreement.parties)
    return program_id


def _set_parties(conn: Connection, program_id: int, parties: list[Party]) -> None:
    conn.execute(delete(program_parties).where(program_parties.c.program_id == program_id))
    if parties:
        conn.execute(insert(program_parties), [{"program_id": program_id, "entity_id": p.entity_id, "side": p.side} for p in parties])


def _fields(members: list[tuple[Article, Agreement]]) -> dict:
    """A program's fields from the articles naming it: what most say, the signing's report first among equals."""
    members = sorted(members, key=lambda m: (not any(e.type == "signing" for e in m[0].events), m[0].date or parse("9999-12-31"), m[0].id))
    data = [a.data for _, a in members]

    def common(values):
        values = [v for v in values if v not in (None, "", [])]
        return Counter(values).most_common(1)[0][0] if values else None

    period = common([(d.get("period") or {}).get("start") and ((d["period"]["start"]), d["period"].get("end")) for d in data])
    parties = _union_parties([a.parties for _, a in members])
    provincial = next((p for p in parties if p.side.startswith("province:")), None) or next((p for p in parties if p.province), None)
    return {
        "kind": common([d.get("kind") for d in data]) or "other",
        "title": data[0].get("title") or " – ".join(p.name for p in parties) or "?",
        "signed_on": common([d.get("signed_on") for d in data]),
        "period_start": period[0] if period else None,
        "period_end": period[1] if period else None,
        "orientation_to": max((d["orientation_to"] for d in data if d.get("orientation_to")), default=None),
        "content_items": max((d["content_items"] for d in data if d.get("content_items")), default=None),
        "province": provincial.province if provincial else None,
        "province_now": provincial.province_now if provincial else None,
        "parties": [{"entity_id": p.entity_id, "name": p.name} for p in parties],
        "known_since": min((m.date.isoformat() for m, _ in members if m.date), default=None),
    }


def _union_parties(lists: list[list[Party]]) -> list[Party]:
    """The first article's parties, and any other article's party of a side not yet there."""
    out: list[Party] = []
    for parties in lists:
        for p in parties:
            if all(p.entity_id != q.entity_id and p.side != q.side for q in out):
                out.append(p)
    return out


def _mark_member(conn: Connection, program_id: int, article: Article, agreement_key: str) -> None:
    existing = conn.execute(select(program_links.c.id).where(program_links.c.program_id == program_id,
                                                             program_links.c.document_id == article.id)).scalar()
    if existing:
        conn.execute(update(program_links).where(program_links.c.id == existing).values(agreement_key=agreement_key))
    else:
        conn.execute(insert(program_links).values(program_id=program_id, document_id=article.id, document_key=article.key,
                                                  agreement_key=agreement_key, role="mention", rule="names_program",
                                                  confidence=0.95, reason="names the program", origin="auto"))


def _programs(conn: Connection, ids: Iterable[int]) -> dict[int, Program]:
    ids = list(ids)
    if not ids:
        return {}
    rows = conn.execute(select(programs).where(programs.c.id.in_(ids))).all()
    party_rows = conn.execute(select(program_parties.c.program_id, program_parties.c.entity_id).where(program_parties.c.program_id.in_(ids))).all()
    party = survivors(conn, {e for _, e in party_rows})
    members: dict[int, set] = defaultdict(set)
    for pid, doc, key in conn.execute(select(program_links.c.program_id, program_links.c.document_id, program_links.c.agreement_key)
                                      .where(program_links.c.program_id.in_(ids), program_links.c.agreement_key.is_not(None))):
        members[pid].add((doc, key))
    out = {}
    for r in rows:
        parties = [party[e] for pid, e in party_rows if pid == r.id and e in party]
        out[r.id] = Program(r.id, r.title, parse(r.signed_on), r.period_start, r.period_end,
                            list({p.entity_id: p for p in parties}.values()), members[r.id])
    return out


# ---------------------------------------------------------------------------- attaching articles


def _candidates(conn: Connection, article: Article) -> dict[int, Program]:
    ids = [p.entity_id for p in article.parties]
    sides = list({p.side for p in article.parties})
    if not ids:
        return {}
    found = conn.execute(select(program_parties.c.program_id)
                         .where(or_(program_parties.c.entity_id.in_(ids), program_parties.c.side.in_(sides))).distinct()).scalars().all()
    return _programs(conn, found)


def _documents_of_parties(conn: Connection, program_id: int) -> list[int]:
    """Articles that name the program's least-named party: every article that can follow it up names some party exactly."""
    parties = conn.execute(select(program_parties.c.entity_id).where(program_parties.c.program_id == program_id)).scalars().all()
    if not parties:
        return []
    counts = {e: conn.execute(select(func.count()).select_from(links).where(links.c.entity_id == e)).scalar_one() for e in parties}
    rarest = min(counts, key=counts.get)
    return conn.execute(select(facts.c.document_id).join(links, links.c.fact_id == facts.c.id)
                        .where(links.c.entity_id == rarest).distinct()).scalars().all()


def _attach(conn: Connection, article: Article, candidates: dict[int, Program]) -> int:
    found = {pid: a for pid, p in candidates.items() if (a := assess(article, p))}
    found = _one_per_parties(found, candidates, article)
    for program_id, a in found.items():
        _upsert_link(conn, program_id, article, a)
    return len(found)


def _one_per_parties(found: dict[int, Assessment], programs_: dict[int, Program], article: Article) -> dict[int, Assessment]:
    """Between the same parties, an article that names no program follows the one running at its date (else the newest)."""
    groups: dict[frozenset, list[int]] = defaultdict(list)
    for pid, a in found.items():
        if a.rule != "names_program":
            groups[frozenset(p.side for p in programs_[pid].parties)].append(pid)
    for pids in groups.values():
        if len(pids) > 1:
            def key(pid: int):
                p = programs_[pid]
                running = bool(article.date and p.period_start and p.period_start <= article.date.year <= (p.period_end or p.period_start))
                return (running, p.signed_on or parse("0001-01-01"), pid)
            keep = max(pids, key=key)
            for pid in pids:
                if pid != keep:
                    del found[pid]
    return found


def _upsert_link(conn: Connection, program_id: int, article: Article, a: Assessment) -> None:
    values = {"role": a.role, "date": a.date.isoformat() if a.date else None, "rule": a.rule, "confidence": a.confidence,
              "reason": a.reason[:2000]}
    existing = conn.execute(select(program_links.c.id, program_links.c.origin).where(program_links.c.program_id == program_id,
                                                                                   program_links.c.document_id == article.id)).first()
    if existing is None:
        conn.execute(insert(program_links).values(program_id=program_id, document_id=article.id, document_key=article.key,
                                                  agreement_key=a.agreement_key, origin="auto", **values))
    elif existing.origin == "auto":
        conn.execute(update(program_links).where(program_links.c.id == existing.id).values(agreement_key=a.agreement_key, **values))


# ---------------------------------------------------------------------------- a program's own rows


def rebuild(conn: Connection, program_id: int) -> None:
    """A program's fields, points and commitments again from the articles naming it; analysts' rows stay."""
    members = conn.execute(select(program_links.c.document_id, program_links.c.agreement_key)
                           .where(program_links.c.program_id == program_id, program_links.c.agreement_key.is_not(None),
                                  or_(program_links.c.decision.is_(None), program_links.c.decision != "rejected"))).all()
    articles = {a.id: a for a in articles_of(conn, sorted({d for d, _ in members}))}
    pairs = [(articles[d], ag) for d, key in members if d in articles for ag in articles[d].agreements if ag.key == key]
    if not pairs:
        if _has_analyst_work(conn, program_id):
            conn.execute(update(programs).where(programs.c.id == program_id).values(status="orphaned", updated_at=now()))
        else:
            conn.execute(delete(programs).where(programs.c.id == program_id))
        return
    fields = _fields(pairs)
    conn.execute(update(programs).where(programs.c.id == program_id).values(**fields, status="active", updated_at=now()))
    parties = survivors(conn, {p["entity_id"] for p in fields["parties"]})
    _set_parties(conn, program_id, list({p.entity_id: p for p in parties.values()}.values()))
    _sync_points(conn, program_id, [ag.data for _, ag in pairs], fields["content_items"])
    _sync_commitments(conn, program_id, fields)


def _has_analyst_work(conn: Connection, program_id: int) -> bool:
    checks = [
        select(program_links.c.id).where(program_links.c.program_id == program_id,
                                         or_(program_links.c.decision.is_not(None), program_links.c.origin != "auto")),
        select(program_commitments.c.id).where(program_commitments.c.program_id == program_id,
                                               or_(program_commitments.c.origin == "analyst", program_commitments.c.status_by.is_not(None))),
        select(program_points.c.id).where(program_points.c.program_id == program_id, program_points.c.updated_by.is_not(None)),
        select(action_items.c.id).where(action_items.c.program_id == program_id),
        select(program_notes.c.id).where(program_notes.c.program_id == program_id),
    ]
    return any(conn.execute(q.limit(1)).first() for q in checks)


def _sync_points(conn: Connection, program_id: int, data: list[dict], count: int | None) -> None:
    texts = max((d.get("content_points") or [] for d in data), key=len, default=[])
    n = max(count or 0, len(texts))
    existing = {r.number: r for r in conn.execute(select(program_points).where(program_points.c.program_id == program_id))}
    for number in range(1, n + 1):
        text = texts[number - 1] if number <= len(texts) else None
        row = existing.get(number)
        if row is None:
            conn.execute(insert(program_points).values(program_id=program_id, number=number, text=text, status="unknown", origin="extracted"))
        elif row.updated_by is None and row.text != text:
            conn.execute(update(program_points).where(program_points.c.id == row.id).values(text=text))
    conn.execute(delete(program_points).where(program_points.c.program_id == program_id, program_points.c.number > n,
                                              program_points.c.updated_by.is_(None), program_points.c.origin == "extracted"))


def _sync_commitments(conn: Connection, program_id: int, fields: dict) -> None:
    """Commitments made in the program's articles; an article about several programs gives each the ones its parties make."""
    linked = conn.execute(select(program_links.c.document_id, documents.c.key, documents.c.published_at, program_links.c.date)
                          .join(documents, documents.c.id == program_links.c.document_id)
                          .where(program_links.c.program_id == program_id,
                                 or_(program_links.c.decision.is_(None), program_links.c.decision != "rejected"))).all()
    doc_ids = [r.document_id for r in linked]
    shared = {d for d, n in conn.execute(select(program_links.c.document_id, func.count()).where(program_links.c.document_id.in_(doc_ids))
                                         .group_by(program_links.c.document_id)) if n > 1}
    party_names = {fold(p["name"]) for p in fields["parties"]}
    wanted = {}
    for f in conn.execute(select(facts.c.document_id, facts.c.key, facts.c.data).where(
            facts.c.document_id.in_(doc_ids), facts.c.kind == "commitment", facts.c.suppressed_by.is_(None))):
        actor = f.data.get("actor")
        if f.document_id in shared and actor and fold(actor) not in party_names:
            continue
        doc = next(r for r in linked if r.document_id == f.document_id)
        made_on = parse(doc.published_at) or parse(doc.date)
        text = f.data.get("text") or ""
        due = stated_due(text, made_on)
        wanted[(doc.key, f.key)] = {"kind": f.data.get("kind") or "other", "actor": actor, "text": text,
                                    "made_on": made_on.isoformat() if made_on else None,
                                    "due_stated": due.isoformat() if due else None}
    existing = {(r.document_key, r.fact_key): r for r in conn.execute(
        select(program_commitments).where(program_commitments.c.program_id == program_id, program_commitments.c.origin == "extracted"))}
    for key, values in wanted.items():
        if key in existing:
            conn.execute(update(program_commitments).where(program_commitments.c.id == existing[key].id).values(**values))
        else:
            conn.execute(insert(program_commitments).values(program_id=program_id, origin="extracted", document_key=key[0],
                                                            fact_key=key[1], status="open", **values))
    gone = [r.id for key, r in existing.items() if key not in wanted and r.status_by is None]
    if gone:
        conn.execute(delete(program_commitments).where(program_commitments.c.id.in_(gone)))

