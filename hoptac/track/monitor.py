"""The monitor: what each program promised, judged against a reference date.

The reference date judges the program's life: only articles dated by then count, and only
deadlines passed by then are due, so ``--as-of 2022-05-01`` replays what the articles had
shown that day. Analysts' records (link decisions, statuses, action items, resolutions)
complete the record and count as they stand now, whatever the date. An alert has a stable key
(``rule/program/subject``) so that an analyst can resolve it once, with a note.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import cache

from sqlalchemy import Connection, or_, select

from hoptac.extract.lexicon import load
from hoptac.store.schema import (
    action_items, alert_decisions, documents, entities, facts, links, program_commitments, program_links, programs,
)
from hoptac.track.dates import add_days, add_months, midpoint, parse, period_bounds
from hoptac.track.link import FOLLOW_UPS
from hoptac.track.parties import in_province
from hoptac.track.settings import Rule, Settings

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


@dataclass
class Alert:
    key: str
    rule: str
    title: str
    severity: str
    since: str  # the day the alert became due
    age_days: int
    message: str
    explanation: str
    thresholds: dict
    program_id: int | None = None
    program_title: str | None = None
    province: str | None = None
    province_now: str | None = None
    subject: dict = field(default_factory=dict)  # the commitment or visit it is about
    resolved: dict | None = None  # an analyst's resolution, when listing resolved alerts too

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Link:
    id: int
    document_id: int
    role: str
    date: date | None


@dataclass
class Commitment:
    id: int
    kind: str
    actor: str | None
    text: str
    made_on: date | None
    due: date | None
    due_source: str | None
    status: str
    document_key: str | None


@dataclass
class State:
    """A program as known on the reference date."""

    id: int
    title: str
    kind: str
    signed_on: date | None
    period: tuple[date, date] | None
    province: str | None
    province_now: str | None
    links: list[Link]
    commitments: list[Commitment]
    action_items: int  # recorded by analysts, not cancelled

    @property
    def start(self) -> date | None:
        """When the clock starts: the signing, else the period's first day."""
        return self.signed_on or (self.period[0] if self.period else None)

    def follow_ups(self, *roles: str, after: date | None = None) -> list[Link]:
        return [link for link in self.links if link.role in (roles or FOLLOW_UPS) and (after is None or (link.date and link.date > after))]


def alerts(conn: Connection, as_of: date, settings: Settings, *, province: str | None = None, program_id: int | None = None,
           include_resolved: bool = False, lang: str = "en") -> list[Alert]:
    states = load_states(conn, as_of, settings, province=province, program_id=program_id)
    found: list[Alert] = []
    for state in states:
        for check in (_action_plan, _interim_review, _final_review, _commitments_without_evidence, _commitments_overdue):
            found.extend(check(state, as_of, settings, lang))
    if program_id is None:
        found.extend(_visits(conn, as_of, settings, lang, province))
    decisions = _decisions(conn)
    out = []
    for alert in found:
        decision = decisions.get(alert.key)
        if decision and decision["decision"] == "resolved":
            if not include_resolved:
                continue
            alert.resolved = decision
        out.append(alert)
    return sorted(out, key=lambda a: (SEVERITY_ORDER[a.severity], -a.age_days, a.key))


def _alert(rule: Rule, state: State | None, as_of: date, since: date, about: str, message: str, lang: str,
           severity: str | None = None, **extra) -> Alert:
    return Alert(key=f"{rule.name}/{state.id if state else '-'}/{about}", rule=rule.name, title=rule.title(lang),
                 severity=severity or rule["severity"], since=since.isoformat(), age_days=(as_of - since).days, message=message,
                 explanation=rule.explanation(lang), thresholds=rule.thresholds(),
                 program_id=state.id if state else None, program_title=state.title if state else None,
                 province=state.province if state else extra.pop("province", None),
                 province_now=state.province_now if state else extra.pop("province_now", None), **extra)


# ---------------------------------------------------------------------------- the rules


def action_plan_due(state: State, settings: Settings) -> date | None:
    """When a plan is due: a deadline stated for it at signing, else some months after signing."""
    rule = settings["action_plan_missing"]
    stated = [c.due for c in state.commitments if c.kind == "action_plan" and c.due and c.due_source in ("stated", "analyst")]
    by_rule = add_months(state.start, rule["months_after_signing"]) if state.start else None
    return min([d for d in [*stated, by_rule] if d], default=None)


def plan_recorded(state: State) -> bool:
    """An action plan reported by an article, recorded as items by analysts, or its commitment marked fulfilled."""
    return bool(state.follow_ups("action_plan") or state.action_items
                or any(c.kind == "action_plan" and c.status == "fulfilled" for c in state.commitments))


def interim_review_due(state: State, settings: Settings) -> date | None:
    return add_months(midpoint(*state.period), settings["interim_review_missing"]["grace_months"]) if state.period else None


def final_review_due(state: State, settings: Settings) -> date | None:
    return add_months(state.period[1], settings["final_review_missing"]["grace_months"]) if state.period else None


def milestones(state: State, settings: Settings) -> list[tuple[str, date, bool]]:
    """The dates a program is judged by, each with whether it was met: the plan's deadline, the reviews', the period's end."""
    out = []
    if due := action_plan_due(state, settings):
        out.append(("action_plan_due", due, plan_recorded(state)))
    if state.period:
        out.append(("interim_review_due", interim_review_due(state, settings), bool(state.follow_ups("review_interim", "review_final"))))
        out.append(("period_end", state.period[1], True))
        out.append(("final_review_due", final_review_due(state, settings), bool(state.follow_ups("review_final"))))
    return sorted(out, key=lambda m: m[1])


def _action_plan(state: State, as_of: date, settings: Settings, lang: str) -> list[Alert]:
    rule = settings["action_plan_missing"]
    due = action_plan_due(state, settings)
    if not rule.enabled or due is None or as_of <= due or plan_recorded(state):
        return []
    promised = any(c.kind in ("action_plan", "plan_building") for c in state.commitments)
    signed = f"signed {state.signed_on}" if state.signed_on else f"period starting {state.start} (signing date unknown)"
    return [_alert(rule, state, as_of, due, "program",
                   f"{signed}; no action plan recorded by {due}" + ("; one was directed at signing" if promised else ""),
                   lang, severity=rule["severity"] if promised else rule["severity_unpromised"])]


def _interim_review(state: State, as_of: date, settings: Settings, lang: str) -> list[Alert]:
    rule = settings["interim_review_missing"]
    due = interim_review_due(state, settings)
    if not rule.enabled or due is None or as_of <= due or state.follow_ups("review_interim", "review_final"):
        return []
    return [_alert(rule, state, as_of, due, "program",
                   f"period {state.period[0].year}–{state.period[1].year}, middle {midpoint(*state.period)}; "
                   f"no interim review reported by {due}", lang)]


def _final_review(state: State, as_of: date, settings: Settings, lang: str) -> list[Alert]:
    rule = settings["final_review_missing"]
    due = final_review_due(state, settings)
    if not rule.enabled or due is None or as_of <= due or state.follow_ups("review_final"):
        return []
    return [_alert(rule, state, as_of, due, "program",
                   f"period ended {state.period[1]}; no final review reported by {due}", lang)]


def _commitments_without_evidence(state: State, as_of: date, settings: Settings, lang: str) -> list[Alert]:
    rule = settings["commitment_without_evidence"]
    if not rule.enabled:
        return []
    out = []
    for c in state.commitments:
        if c.kind not in rule["kinds"] or c.made_on is None or closed(c):
            continue
        due = min(d for d in (c.due, add_months(c.made_on, rule["months"])) if d)
        if as_of <= due or state.follow_ups(after=c.made_on):
            continue
        out.append(_alert(rule, state, as_of, due, f"commitment-{c.id}",
                          f"{c.kind.replace('_', ' ')}" + (f" ({c.actor})" if c.actor else "") + f", made {c.made_on}: no later follow-up by {due}",
                          lang, subject={"commitment_id": c.id, "kind": c.kind, "text": c.text}))
    return out


_EVIDENCE_OF = {"periodic_review": ("review_interim", "review_final"), "support_tasks": ("task", "review_interim", "review_final")}


def _commitments_overdue(state: State, as_of: date, settings: Settings, lang: str) -> list[Alert]:
    rule = settings["commitment_overdue"]
    without_evidence = settings["commitment_without_evidence"]
    if not rule.enabled:
        return []
    out = []
    for c in state.commitments:
        # action plans have their own rule, and directed commitments theirs
        if c.kind == "action_plan" or (without_evidence.enabled and c.kind in without_evidence["kinds"]):
            continue
        if c.due is None or c.due_source not in ("stated", "analyst") or closed(c):
            continue
        due = add_days(c.due, rule["grace_days"])
        if as_of <= due or state.follow_ups(*_EVIDENCE_OF.get(c.kind, FOLLOW_UPS), after=c.made_on):
            continue
        out.append(_alert(rule, state, as_of, due, f"commitment-{c.id}",
                          f"{c.kind.replace('_', ' ')}" + (f" ({c.actor})" if c.actor else "") + f", due {c.due}: nothing of its kind recorded since {c.made_on}",
                          lang, subject={"commitment_id": c.id, "kind": c.kind, "text": c.text}))
    return out


def closed(c: Commitment) -> bool:
    """An editor marked it fulfilled or dropped."""
    return c.status in ("fulfilled", "dropped")


def commitment_state(c: Commitment, state: State, as_of: date) -> str:
    """fulfilled or dropped (an editor's word), followed_up (a follow-up came after it), overdue, or open."""
    if closed(c):
        return c.status
    if c.made_on and state.follow_ups(after=c.made_on):
        return "followed_up"
    if c.due and c.due < as_of:
        return "overdue"
    return "open"


@cache
def _words() -> tuple[re.Pattern, re.Pattern]:
    spec = load("followup")
    return re.compile(spec["recommendations"], re.IGNORECASE), re.compile(spec["response"], re.IGNORECASE)


def _visits(conn: Connection, as_of: date, settings: Settings, lang: str, province: str | None) -> list[Alert]:
    """Working visits that asked for something, with no later article between the same bodies answering it."""
    rule = settings["visit_recommendations_unanswered"]
    if not rule.enabled:
        return []
    asks, answers = _words()
    visits = conn.execute(select(facts.c.document_id, facts.c.date).where(
        facts.c.kind == "event", facts.c.key.like("event:working_visit:%"), facts.c.suppressed_by.is_(None),
        facts.c.date.is_not(None), facts.c.date <= as_of.isoformat())).all()
    first_visit: dict[int, date] = {}
    for doc, day in visits:
        d = parse(day)
        if d and (doc not in first_visit or d < first_visit[doc]):
            first_visit[doc] = d
    if not first_visit:
        return []
    bodies = _bodies(conn, list(first_visit))
    out = []
    for doc_id, title, text, prov, prov_now in _documents(conn, list(first_visit)):
        day = first_visit[doc_id]
        due = add_months(day, rule["months"])
        if as_of <= due or not asks.search(text) or answers.search(text):
            continue  # nothing asked, or the article is itself a response
        if province and not in_province(province, prov, prov_now):
            continue
        if _answered(conn, doc_id, day, as_of, bodies.get(doc_id, set()), answers):
            continue
        out.append(_alert(rule, None, as_of, due, f"visit-{doc_id}",
                          f"working visit on {day} ({title}): no response reported by {due}", lang,
                          subject={"document_id": doc_id, "title": title}, province=prov, province_now=prov_now))
    return out


def _bodies(conn: Connection, doc_ids: list[int]) -> dict[int, set[int]]:
    """Each visit's bodies other than the ministry's: the ministry meets every province, so it ties no two articles."""
    out: dict[int, set[int]] = defaultdict(set)
    for doc, entity in conn.execute(select(facts.c.document_id, links.c.entity_id).join(links, links.c.fact_id == facts.c.id)
                                    .join(entities, entities.c.id == links.c.entity_id)
                                    .where(facts.c.document_id.in_(doc_ids), facts.c.kind == "organization",
                                           or_(entities.c.org_kind.is_(None), entities.c.org_kind.not_in(("ministry", "ministry_unit"))))):
        out[doc].add(entity)
    return out


def _documents(conn: Connection, doc_ids: list[int]):
    """Each visit's article, with the province its organizations are most in."""
    rows = conn.execute(select(documents.c.id, documents.c.title, documents.c.text).where(documents.c.id.in_(doc_ids))).all()
    provinces: dict[int, tuple] = {}
    for doc, prov, prov_now in conn.execute(select(facts.c.document_id, facts.c.province, facts.c.province_now)
                                            .where(facts.c.document_id.in_(doc_ids), facts.c.kind == "organization",
                                                   facts.c.province.is_not(None)).order_by(facts.c.id)):
        provinces.setdefault(doc, (prov, prov_now))
    return [(r.id, r.title or "", r.text, *provinces.get(r.id, (None, None))) for r in rows]


def _answered(conn: Connection, doc_id: int, day: date, as_of: date, bodies: set[int], answers: re.Pattern) -> bool:
    """A later article naming two of the visit's (non-ministry) bodies and reporting a response to recommendations."""
    if len(bodies) < 2:
        return False
    shared: dict[int, set[int]] = defaultdict(set)
    for doc, entity in conn.execute(select(facts.c.document_id, links.c.entity_id).join(links, links.c.fact_id == facts.c.id)
                                    .where(links.c.entity_id.in_(bodies), facts.c.kind == "organization", facts.c.document_id != doc_id)):
        shared[doc].add(entity)
    later = [doc for doc, es in shared.items() if len(es) >= 2]
    if not later:
        return False
    for r in conn.execute(select(documents.c.id, documents.c.text, documents.c.published_at).where(documents.c.id.in_(later))):
        published = parse(r.published_at)
        if published and day < published <= as_of and answers.search(r.text):
            return True
    return False


# ---------------------------------------------------------------------------- loading


def load_states(conn: Connection, as_of: date, settings: Settings, *, province: str | None = None,
                program_id: int | None = None) -> list[State]:
    query = select(programs).where(or_(programs.c.known_since.is_(None), programs.c.known_since <= as_of.isoformat()))
    if program_id is not None:
        query = query.where(programs.c.id == program_id)
    rows = conn.execute(query.order_by(programs.c.id)).all()
    if province:
        rows = [r for r in rows if in_province(province, r.province, r.province_now)]
    ids = [r.id for r in rows]
    if not ids:
        return []
    link_rows: dict[int, list[Link]] = defaultdict(list)
    for r in conn.execute(select(program_links.c.id, program_links.c.program_id, program_links.c.document_id, program_links.c.role,
                                 program_links.c.date, program_links.c.decision, documents.c.published_at)
                          .join(documents, documents.c.id == program_links.c.document_id)
                          .where(program_links.c.program_id.in_(ids))):
        day = parse(r.date) or parse(r.published_at)
        known = parse(r.published_at) or day
        if r.decision == "rejected" or (known and known > as_of):
            continue
        link_rows[r.program_id].append(Link(r.id, r.document_id, r.role, day))
    items: dict[int, int] = defaultdict(int)
    for pid, status in conn.execute(select(action_items.c.program_id, action_items.c.status).where(action_items.c.program_id.in_(ids))):
        if status != "cancelled":
            items[pid] += 1
    by_program = {r.id: r for r in rows}
    commitments: dict[int, list[Commitment]] = defaultdict(list)
    for c in conn.execute(select(program_commitments).where(program_commitments.c.program_id.in_(ids)).order_by(program_commitments.c.id)):
        made_on = parse(c.made_on)
        if made_on and made_on > as_of:
            continue
        due, source = commitment_due(c, by_program[c.program_id], settings)
        commitments[c.program_id].append(Commitment(c.id, c.kind, c.actor, c.text, made_on, due, source, c.status, c.document_key))
    return [State(r.id, r.title, r.kind, parse(r.signed_on), period_bounds(r.period_start, r.period_end), r.province, r.province_now,
                  link_rows[r.id], commitments[r.id], items[r.id]) for r in rows]


def commitment_due(c, program, settings: Settings) -> tuple[date | None, str | None]:
    """A commitment's deadline and where it comes from: an analyst, the sentence, or a rule."""
    if c.due:
        return parse(c.due), "analyst"
    if c.due_stated:
        return parse(c.due_stated), "stated"
    made_on = parse(c.made_on)
    if made_on is None:
        return None, None
    if c.kind == "action_plan":
        return add_months(made_on, settings["action_plan_missing"]["months_after_signing"]), "rule"
    if c.kind in settings["commitment_without_evidence"]["kinds"]:
        return add_months(made_on, settings["commitment_without_evidence"]["months"]), "rule"
    bounds = period_bounds(program.period_start, program.period_end)
    if c.kind == "periodic_review" and bounds:
        return add_months(midpoint(*bounds), settings["interim_review_missing"]["grace_months"]), "rule"
    return None, None


def _decisions(conn: Connection) -> dict[str, dict]:
    return {r.alert_key: {"decision": r.decision, "note": r.note, "author": r.author, "at": r.at} for r in conn.execute(select(alert_decisions))}

