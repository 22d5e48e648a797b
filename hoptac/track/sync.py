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

from sqlalchemy import Connection, bindparam, delete, func, insert, or_, select, update

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
    before = conn.execute(select(program_links.c.program_id, program_links.c.document_id, program_links.c.agreement_key)
                          .where(program_links.c.document_id.in_(ids))).all()
    summary.touched |= {pid for pid, _, _ in before}
    # An agreement stays in the program it was in, even when a correction or a newer extractor changed its fields.
    was_in = {(doc, key): pid for pid, doc, key in before if key}
    conn.execute(delete(program_links).where(program_links.c.document_id.in_(ids), program_links.c.decision.is_(None),
                                             program_links.c.origin == "auto"))
    conn.execute(update(program_links).where(program_links.c.document_id.in_(ids)).values(agreement_key=None))
    articles = articles_of(conn, ids)
    created: list[int] = []
    for article in articles:
        for agreement in article.agreements:
            program_id = was_in.get((article.id, agreement.key)) or _place(conn, article, agreement)
            if program_id is None:
                program_id = _found(conn, article, agreement)
                created.append(program_id)
            summary.touched.add(program_id)
            _mark_member(conn, program_id, article, agreement.key)
    parties = _Parties(conn, articles)
    for article in articles:
        summary.links += _attach(conn, article, parties.candidates(article))
    if created:  # older articles may follow up a program first named now
        older = articles_of(conn, sorted({d for pid in created for d in _documents_of_parties(conn, pid)} - set(ids)))
        fresh = _Parties(conn, older, only=set(created))
        for article in older:
            summary.links += _attach(conn, article, fresh.candidates(article))
    summary.created += len(created)
    rebuild(conn, summary.touched, {a.id: a for a in articles})


def refresh_entities(conn: Connection, entity_ids: list[int]) -> None:
    """After an analyst merged, split or renamed organizations: their programs' parties and fields again."""
    if entity_ids:
        rebuild(conn, conn.execute(select(program_parties.c.program_id).where(program_parties.c.entity_id.in_(entity_ids)).distinct()).scalars())


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
    ids = {p.entity_id for p in agreement.parties}
    if not ids:
        return None
    sides = {p.side for p in agreement.parties}
    having = select(program_parties.c.program_id).where(program_parties.c.entity_id.in_(ids))
    parties: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for pid, entity_id, side in conn.execute(select(program_parties.c.program_id, program_parties.c.entity_id, program_parties.c.side)
                                             .where(program_parties.c.program_id.in_(having))):
        parties[pid].append((entity_id, side))
    theirs = {(p.entity_id, p.side) for p in agreement.parties}
    # The cheap test first: one side's parties all among the other's (by entity or side).
    plausible = [pid for pid, ours in parties.items()
                 if _covered(ours, ids, sides) or _covered(theirs, {e for e, _ in ours}, {side for _, side in ours})]
    rows = {r.id: r for r in conn.execute(select(programs).where(programs.c.id.in_(plausible)))} if plausible else {}
    best, best_score = None, (0, 0.0)
    for program_id, program in _programs(conn, list(rows)).items():
        score = _same_program(rows[program_id], program, agreement)
        if score and score > best_score:
            best, best_score = program_id, score
    return best


def _covered(parties, ids: set[int], sides: set[str]) -> bool:
    """Every (entity, side) party is among these entities or sides: the cheap test before a program is loaded."""
    return all(e in ids or side in sides for e, side in parties)


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
    if agreement.parties:  # rebuild() sets them again with the others' at the end of the batch
        conn.execute(insert(program_parties), [{"program_id": program_id, "entity_id": p.entity_id, "side": p.side}
                                               for p in {p.entity_id: p for p in agreement.parties}.values()])
    return program_id


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
    for i, parties in enumerate(lists):
        for p in parties:
            # the first article's parties are all parties, even two of one province's side
            # (its Sở and its police); a later article adds only a side not yet there
            if all(p.entity_id != q.entity_id for q in out) and (i == 0 or all(p.side != q.side for q in out)):
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


class _Parties:
    """Which programs each party is in, read once for a batch: the cheap test before a program is loaded."""

    def __init__(self, conn: Connection, articles: list[Article], only: set[int] | None = None) -> None:
        entity_ids = {p.entity_id for a in articles for p in a.parties}
        self.of_program: dict[int, list[tuple[int, str]]] = defaultdict(list)
        if entity_ids:
            having = select(program_parties.c.program_id).where(program_parties.c.entity_id.in_(entity_ids))
            if only is not None:
                having = having.where(program_parties.c.program_id.in_(only))
            for pid, entity_id, side in conn.execute(select(program_parties.c.program_id, program_parties.c.entity_id, program_parties.c.side)
                                                     .where(program_parties.c.program_id.in_(having))):
                self.of_program[pid].append((entity_id, side))
        self.members: dict[int, set[int]] = defaultdict(set)  # article -> the programs whose agreement it reports
        for doc, pid in conn.execute(select(program_links.c.document_id, program_links.c.program_id).where(
                program_links.c.document_id.in_([a.id for a in articles]), program_links.c.agreement_key.is_not(None))):
            if only is None or pid in only:
                self.members[doc].add(pid)
        self.loaded: dict[int, Program] = {}
        self.conn = conn

    def candidates(self, article: Article) -> dict[int, Program]:
        """Programs all of whose parties the article names (one at least exactly), or whose agreement it reports."""
        ids = {p.entity_id for p in article.parties}
        sides = {p.side for p in article.parties}
        named = self.members[article.id] | {pid for pid, parties in self.of_program.items()
                                            if any(e in ids for e, _ in parties) and _covered(parties, ids, sides)}
        missing = named - set(self.loaded)
        self.loaded.update(_programs(self.conn, missing))
        return {pid: self.loaded[pid] for pid in named if pid in self.loaded}


def _documents_of_parties(conn: Connection, program_id: int) -> list[int]:
    """Articles since the program began that name its least-named party: every article that can follow it up names one exactly."""
    parties = conn.execute(select(program_parties.c.entity_id).where(program_parties.c.program_id == program_id)).scalars().all()
    if not parties:
        return []
    counts = {e: conn.execute(select(func.count()).select_from(links).where(links.c.entity_id == e)).scalar_one() for e in parties}
    rarest = min(counts, key=counts.get)
    start = conn.execute(select(func.coalesce(programs.c.signed_on, programs.c.known_since)).where(programs.c.id == program_id)).scalar()
    query = (select(facts.c.document_id).join(links, links.c.fact_id == facts.c.id).join(documents, documents.c.id == facts.c.document_id)
             .where(links.c.entity_id == rarest))
    if start:
        query = query.where(or_(documents.c.published_at.is_(None), documents.c.published_at >= start))
    return conn.execute(query.distinct()).scalars().all()


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


def rebuild(conn: Connection, program_ids: Iterable[int], known: dict[int, Article] | None = None) -> None:
    """Programs' fields, parties, points and commitments again from the articles naming them; analysts' rows stay.

    All the programs at once, a few statements for the lot: a batch touches hundreds.
    ``known``: articles already read (a batch's), so that they are not read again.
    """
    ids = sorted(set(program_ids))
    if not ids:
        return
    members = conn.execute(select(program_links.c.program_id, program_links.c.document_id, program_links.c.agreement_key)
                           .where(program_links.c.program_id.in_(ids), program_links.c.agreement_key.is_not(None),
                                  or_(program_links.c.decision.is_(None), program_links.c.decision != "rejected"))).all()
    articles = {d: known[d] for _, d, _ in members if known and d in known}
    articles.update((a.id, a) for a in articles_of(conn, sorted({d for _, d, _ in members} - set(articles))))
    pairs: dict[int, list[tuple[Article, Agreement]]] = defaultdict(list)
    for pid, d, key in members:
        pairs[pid].extend((articles[d], ag) for ag in (articles[d].agreements if d in articles else []) if ag.key == key)
    for pid in ids:
        if not pairs[pid]:
            _retire(conn, pid)
    fields = {pid: _fields(pairs[pid]) for pid in ids if pairs[pid]}
    if not fields:
        return
    stamp = now()
    conn.execute(update(programs).where(programs.c.id == bindparam("pid")),
                 [{"pid": pid, **f, "status": "active", "updated_at": stamp} for pid, f in fields.items()])
    party = survivors(conn, {p["entity_id"] for f in fields.values() for p in f["parties"]})
    conn.execute(delete(program_parties).where(program_parties.c.program_id.in_(list(fields))))
    rows = {(pid, party[p["entity_id"]].entity_id): party[p["entity_id"]].side
            for pid, f in fields.items() for p in f["parties"] if p["entity_id"] in party}
    if rows:
        conn.execute(insert(program_parties), [{"program_id": pid, "entity_id": e, "side": side} for (pid, e), side in rows.items()])
    _sync_points(conn, {pid: ([ag.data for _, ag in pairs[pid]], f["content_items"]) for pid, f in fields.items()})
    _sync_commitments(conn, fields)


def _retire(conn: Connection, program_id: int) -> None:
    """No article names the program any more: it goes, unless analysts worked on it."""
    if _has_analyst_work(conn, program_id):
        conn.execute(update(programs).where(programs.c.id == program_id).values(status="orphaned", updated_at=now()))
    else:
        conn.execute(delete(programs).where(programs.c.id == program_id))


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


def _sync_points(conn: Connection, wanted: dict[int, tuple[list[dict], int | None]]) -> None:
    existing: dict[int, dict[int, object]] = defaultdict(dict)
    for r in conn.execute(select(program_points).where(program_points.c.program_id.in_(list(wanted)))):
        existing[r.program_id][r.number] = r
    new, extra = [], []
    for pid, (data, count) in wanted.items():
        texts = max((d.get("content_points") or [] for d in data), key=len, default=[])
        n = max(count or 0, len(texts))
        for number in range(1, n + 1):
            text = texts[number - 1] if number <= len(texts) else None
            row = existing[pid].get(number)
            if row is None:
                new.append({"program_id": pid, "number": number, "text": text, "status": "unknown", "origin": "extracted"})
            elif row.updated_by is None and row.text != text:
                conn.execute(update(program_points).where(program_points.c.id == row.id).values(text=text))
        extra += [r.id for number, r in existing[pid].items() if number > n and r.updated_by is None and r.origin == "extracted"]
    if new:
        conn.execute(insert(program_points), new)
    if extra:
        conn.execute(delete(program_points).where(program_points.c.id.in_(extra)))


def _sync_commitments(conn: Connection, fields: dict[int, dict]) -> None:
    """Commitments made in the programs' articles; an article about several programs gives each the ones its parties make."""
    ids = list(fields)
    linked = conn.execute(select(program_links.c.program_id, program_links.c.document_id, documents.c.key, documents.c.published_at,
                                 program_links.c.date).join(documents, documents.c.id == program_links.c.document_id)
                          .where(program_links.c.program_id.in_(ids),
                                 or_(program_links.c.decision.is_(None), program_links.c.decision != "rejected"))).all()
    doc_ids = list({r.document_id for r in linked})
    shared = {d for d, n in conn.execute(select(program_links.c.document_id, func.count()).where(program_links.c.document_id.in_(doc_ids))
                                         .group_by(program_links.c.document_id)) if n > 1}
    by_doc: dict[int, list] = defaultdict(list)
    for f in conn.execute(select(facts.c.document_id, facts.c.key, facts.c.data).where(
            facts.c.document_id.in_(doc_ids), facts.c.kind == "commitment", facts.c.suppressed_by.is_(None))):
        by_doc[f.document_id].append(f)
    wanted: dict[tuple, dict] = {}
    for link in linked:
        party_names = {fold(p["name"]) for p in fields[link.program_id]["parties"]}
        made_on = parse(link.published_at) or parse(link.date)
        for f in by_doc[link.document_id]:
            actor = f.data.get("actor")
            if link.document_id in shared and actor and fold(actor) not in party_names:
                continue
            text = f.data.get("text") or ""
            due = stated_due(text, made_on)
            wanted[(link.program_id, link.key, f.key)] = {
                "kind": f.data.get("kind") or "other", "actor": actor, "text": text,
                "made_on": made_on.isoformat() if made_on else None, "due_stated": due.isoformat() if due else None}
    existing = {(r.program_id, r.document_key, r.fact_key): r for r in conn.execute(
        select(program_commitments).where(program_commitments.c.program_id.in_(ids), program_commitments.c.origin == "extracted"))}
    new = []
    for key, values in wanted.items():
        row = existing.get(key)
        if row is None:
            new.append({"program_id": key[0], "origin": "extracted", "document_key": key[1], "fact_key": key[2], "status": "open", **values})
        elif any(getattr(row, k) != v for k, v in values.items()):
            conn.execute(update(program_commitments).where(program_commitments.c.id == row.id).values(**values))
    if new:
        conn.execute(insert(program_commitments), new)
    gone = [r.id for key, r in existing.items() if key not in wanted and r.status_by is None]
    if gone:
        conn.execute(delete(program_commitments).where(program_commitments.c.id.in_(gone)))
