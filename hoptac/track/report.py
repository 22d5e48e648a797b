"""Reports of follow-up: a province's or a year's programs, what was done for them and what is missing.

``build`` gathers plain data (JSON-ready: dates are ISO strings); ``render_html`` makes a
standalone printable page of it, ``render_pdf`` the same content as a PDF. Everything is
judged as the monitor judges it, against a reference date ``as_of``: only what was known that
day counts (programs named by then, articles published by then, editors' records made by then).

Which programs
    Those known by ``as_of`` (an article naming them was published by then). With a province:
    those whose province at signing (``programs.province``) or today's province after the 2025
    merger (``province_now``) is it, compared without accents or case; a province may be named
    any way the gazetteer knows ("TP. Cần Thơ", "can tho"). With a year: those whose period
    covers the year, or that were signed in it.

Follow-up rate (of programs)
    Of the programs that started at least N months before ``as_of`` — started: signed, or when
    the signing date is unknown, the first day of the period; N is the action-plan rule's
    ``months_after_signing``, 6 by default, the time a program is given to show it is alive —
    the share with at least one follow-up recorded by ``as_of``: an article reporting an action
    plan, an interim or final review, a working visit, a task carried out under the program or a
    response to recommendations (the link roles of ``track.link.FOLLOW_UPS``, links an editor
    rejected left out), or an action item an editor entered. Programs too young to be judged
    are counted apart, never as failures.

Commitment rate
    Of the commitments made by ``as_of`` and not dropped, the share fulfilled (an editor recorded
    it, with evidence) or followed up (a follow-up article about the program came after the
    commitment was made). The other states are ``overdue`` (past its deadline) and ``open``.

Open alerts are the monitor's (``monitor.alerts``) not resolved by an analyst: those of the
report's programs, and the unanswered working visits of the province (of the year, with a year).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from functools import cache
from importlib import resources

from sqlalchemy import Connection, or_, select

from hoptac.extract.gazetteer import province_lookup
from hoptac.store.schema import entities, facts, program_parties, programs
from hoptac.text.fold import fold
from hoptac.track import monitor
from hoptac.track.dates import add_months, period_bounds
from hoptac.track.link import FOLLOW_UPS
from hoptac.track.parties import in_province
from hoptac.track.settings import Settings
from hoptac.web.i18n import translator

COMMITMENT_STATES = ("fulfilled", "followed_up", "open", "overdue", "dropped")
SEVERITIES = ("high", "medium", "low")
TIMELINE_ROWS = 40  # programs drawn on the timeline; the tables list them all


# ---------------------------------------------------------------------------- data


def build(conn: Connection, *, province: str | None, year: int | None, as_of: date, settings: Settings) -> dict:
    """A report's data: the programs of ``province`` and/or ``year`` as known on ``as_of``.

    The follow-up rate is the share of programs started (signed, else the period's first day)
    at least ``action_plan_missing.months_after_signing`` months (6) before ``as_of`` that have
    at least one follow-up recorded by then — an article reporting an action plan, a review, a
    working visit, a task or a response, or an editor's action item. The commitment rate is the
    share of commitments made by ``as_of`` and not dropped that are fulfilled or followed up.
    See the module's docstring for the details; the report prints both definitions.
    """
    months = settings["action_plan_missing"]["months_after_signing"]
    place = province_name(province)
    rows = conn.execute(select(programs).where(or_(programs.c.known_since.is_(None), programs.c.known_since <= as_of.isoformat()))
                        .order_by(programs.c.id)).all()
    if year:
        rows = [r for r in rows if _covers(r, year)]
    states = {s.id: s for s in monitor.load_states(conn, as_of, settings)}
    rows = [r for r in rows if r.id in states]
    judged = {r.id: _judge(states[r.id], as_of, months) for r in rows}

    chosen = [r for r in rows if in_province(place, r.province, r.province_now)] if place else rows
    alerts = [a.to_dict() for a in monitor.alerts(conn, as_of, settings, province=place)]
    ids = {r.id for r in chosen}
    visit_days = _visit_days(conn, [a["subject"].get("document_id") for a in alerts if a["program_id"] is None])
    alerts = [a for a in alerts if a["program_id"] in ids
              or (a["program_id"] is None and (not year or (visit_days.get(a["subject"].get("document_id")) or "")[:4] == str(year)))]
    by_program: dict[int, list[dict]] = defaultdict(list)
    for a in alerts:
        rule = settings[a["rule"]]
        a["titles"] = {lang: rule.title(lang) for lang in ("vi", "en")}
        a["explanations"] = {lang: rule.explanation(lang) for lang in ("vi", "en")}
        if a["program_id"] is not None:
            by_program[a["program_id"]].append(a)

    parties = _parties(conn, [r.id for r in chosen])
    items = []
    for r in sorted(chosen, key=lambda r: ((states[r.id].start or date.max), r.id)):
        state, j = states[r.id], judged[r.id]
        bounds = period_bounds(r.period_start, r.period_end)
        items.append({
            "id": r.id, "title": r.title, "kind": r.kind, "signed_on": r.signed_on, "period_start": r.period_start,
            "period_end": r.period_end, "period": _period(r.period_start, r.period_end), "province": r.province,
            "province_now": r.province_now, "known_since": r.known_since, "status": r.status,
            "parties": parties.get(r.id) or [p.get("name") for p in r.parties or [] if p.get("name")],
            "start": state.start.isoformat() if state.start else None,
            "period_bounds": [bounds[0].isoformat(), bounds[1].isoformat()] if bounds else None,
            "eligible": j["eligible"], "followed": j["followed"],
            "follow_ups": j["roles"], "follow_ups_total": sum(j["roles"].values()), "action_items": state.action_items,
            "commitments": j["commitments"], "commitments_total": sum(j["commitments"].values()),
            "marks": [{"role": link.role, "date": link.date.isoformat(), "document_id": link.document_id}
                      for link in sorted(state.links, key=lambda k: (k.date or date.min, k.id)) if link.date and link.role in FOLLOW_UPS],
            "alerts": by_program.get(r.id, []),
            "alerts_by_severity": _by_severity(by_program.get(r.id, [])),
            "link": f"/programs/{r.id}",
        })

    mine = [judged[r.id] for r in chosen]
    commitments = Counter()
    roles = Counter()
    for j in mine:
        commitments.update(j["commitments"])
        roles.update(j["roles"])
    national = _rate(list(judged.values()))
    rates = [{**_rate(mine), "label": place, "chosen": True, "national": False}, {**national, "label": None, "national": True, "chosen": False}] \
        if place else [{**national, "label": None, "national": True, "chosen": False}] + _by_province(rows, judged)
    return {
        "province": place,
        "province_asked": province,
        "year": year,
        "as_of": as_of.isoformat(),
        "settings": {"source": settings.source, "months": months},
        "programs": items,
        "totals": {
            "programs": len(items),
            "eligible": sum(j["eligible"] for j in mine),
            "followed": sum(j["followed"] for j in mine),
            "follow_ups": sum(roles.values()),
            "follow_ups_by_role": {role: roles.get(role, 0) for role in FOLLOW_UPS},
            "action_items": sum(states[r.id].action_items for r in chosen),
            "commitments": sum(commitments.values()),
            "commitments_by_state": {s: commitments.get(s, 0) for s in COMMITMENT_STATES},
            "alerts": len(alerts),
        },
        "follow_up_rate": _rate(mine),
        "commitment_rate": _commitment_rate(commitments),
        "alerts": alerts,
        "alerts_by_severity": _by_severity(alerts),
        "alerts_by_rule": _by_rule(alerts, settings),
        "rates_by_province": rates,
        "national_rate": national,
    }


def province_name(province: str | None) -> str | None:
    """The gazetteer's name for what was asked ("can tho" is Cần Thơ); else as typed."""
    if not province or not province.strip():
        return None
    found = province_lookup(province.strip())
    return found.name if found else province.strip()


def _covers(row, year: int) -> bool:
    """The program's period covers ``year``, or it was signed in it."""
    start, end = row.period_start, row.period_end or row.period_start
    if start and start <= year <= end:
        return True
    return bool(row.signed_on and row.signed_on[:4] == f"{year:04d}")


def _period(start: int | None, end: int | None) -> str | None:
    if not start:
        return None
    return f"{start}–{end}" if end and end != start else str(start)


def _judge(state: monitor.State, as_of: date, months: int) -> dict:
    """One program's part in the rates: old enough to be judged, followed up, its follow-ups and commitments."""
    links = [link for link in state.links if link.role in FOLLOW_UPS and (link.date is None or link.date <= as_of)]
    roles = Counter(link.role for link in links)
    eligible = bool(state.start and add_months(state.start, months) <= as_of)
    return {
        "eligible": eligible,
        "followed": eligible and bool(links or state.action_items),
        "roles": {role: roles.get(role, 0) for role in FOLLOW_UPS},
        "commitments": dict(Counter(monitor.commitment_state(c, state, as_of) for c in state.commitments)),
    }




def _rate(judged: list[dict]) -> dict:
    eligible = sum(j["eligible"] for j in judged)
    followed = sum(j["followed"] for j in judged)
    return {"numerator": followed, "denominator": eligible, "rate": followed / eligible if eligible else None,
            "programs": len(judged)}


def _commitment_rate(states: Counter) -> dict:
    done = states.get("fulfilled", 0) + states.get("followed_up", 0)
    counted = sum(states.values()) - states.get("dropped", 0)
    return {"numerator": done, "denominator": counted, "rate": done / counted if counted else None}


def _by_province(rows, judged: dict[int, dict]) -> list[dict]:
    """Each province's rate, by today's provinces (after the 2025 merger); best first, the unjudged last."""
    groups: dict[str | None, list[dict]] = defaultdict(list)
    for r in rows:
        groups[r.province_now or r.province].append(judged[r.id])
    out = [{**_rate(js), "label": name, "national": False, "chosen": False} for name, js in groups.items()]
    return sorted(out, key=lambda x: (x["rate"] is None, -(x["rate"] or 0), -x["denominator"], fold(x["label"] or "~")))


def _by_severity(alerts: list[dict]) -> dict[str, int]:
    counts = Counter(a["severity"] for a in alerts)
    return {s: counts.get(s, 0) for s in SEVERITIES}


def _by_rule(alerts: list[dict], settings: Settings) -> list[dict]:
    out = []
    for name in settings.rules:
        mine = [a for a in alerts if a["rule"] == name]
        if mine:
            out.append({"rule": name, "title": mine[0]["title"], "titles": {lang: settings[name].title(lang) for lang in ("vi", "en")},
                        "total": len(mine), **_by_severity(mine)})
    return out


def _parties(conn: Connection, ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    if ids:
        for pid, name in conn.execute(select(program_parties.c.program_id, entities.c.name)
                                      .join(entities, entities.c.id == program_parties.c.entity_id)
                                      .where(program_parties.c.program_id.in_(ids)).order_by(program_parties.c.program_id, entities.c.id)):
            out[pid].append(name)
    return out


def _visit_days(conn: Connection, doc_ids: list[int | None]) -> dict[int, str]:
    """The first working visit's date in each article (what a visit alert is about)."""
    ids = [d for d in doc_ids if d]
    if not ids:
        return {}
    out: dict[int, str] = {}
    for doc, day in conn.execute(select(facts.c.document_id, facts.c.date).where(
            facts.c.document_id.in_(ids), facts.c.kind == "event", facts.c.key.like("event:working_visit:%"),
            facts.c.suppressed_by.is_(None), facts.c.date.is_not(None))):
        if doc not in out or day < out[doc]:
            out[doc] = day
    return out


# ---------------------------------------------------------------------------- HTML


def render_html(data: dict, lang: str = "vi") -> str:
    """A standalone printable HTML document (styles inside, charts as inline SVG) of ``build``'s data."""
    return page(data, lang)


def page(data: dict, lang: str = "vi", *, stylesheet: str | None = None, form: dict | None = None) -> str:
    """The report page. ``stylesheet``: link this CSS instead of inlining it (the served page: its
    Content-Security-Policy forbids inline styles); ``form``: the web page's choices, shown above."""
    _ = translator(lang)
    return _templates().get_template("report.html").render(
        r=data, lang=lang, _=_, charts=charts_of(data, lang), labels=labels(lang), stylesheet=stylesheet,
        css="" if stylesheet else _css(), form=form, title=title(data, lang))


def title(data: dict, lang: str) -> str:
    _ = translator(lang)
    where = data["province"] or _("report.national")
    return f"{_('report.title')} · {where}" + (f" · {data['year']}" if data.get("year") else "")


def labels(lang: str) -> dict:
    """The words the charts and tables need: rule titles come with the alerts, these do not."""
    _ = translator(lang)
    keys = [*FOLLOW_UPS, *COMMITMENT_STATES, *SEVERITIES, "signing", "as_of", "period", "national", "no_province", "more", "other"]
    return {k: _(f"report.{k}") for k in keys}


def charts_of(data: dict, lang: str) -> dict[str, str]:
    """The two pictures as SVG markup (every string in them escaped by ``charts``)."""
    from hoptac.web import charts
    words = labels(lang)
    rates = [{"label": words["national"] if x["national"] else (x["label"] or words["no_province"]),
              "numerator": x["numerator"], "denominator": x["denominator"], "reference": x["national"],
              "link": None} for x in data["rates_by_province"]]
    rows = [{"label": f"#{p['id']} {p['title']}", "start": p["period_bounds"][0] if p["period_bounds"] else None,
             "end": p["period_bounds"][1] if p["period_bounds"] else None, "signed": p["signed_on"],
             "marks": [{"kind": m["role"], "date": m["date"]} for m in p["marks"]],
             "link": p["link"]} for p in data["programs"]]
    _ = translator(lang)
    return {
        "rates": charts.followup_rates(rates, title=_("report.chart_rates"), empty=_("none")),
        "timeline": charts.programs_timeline(rows, title=_("report.chart_timeline"), as_of=data["as_of"], empty=_("none"),
                                            labels=words, max_rows=TIMELINE_ROWS, more=_("report.more")),
    }


@cache
def _templates():
    from jinja2 import Environment, FileSystemLoader, select_autoescape
    env = Environment(loader=FileSystemLoader(str(resources.files("hoptac.web") / "templates")),
                      autoescape=select_autoescape(("html",)), trim_blocks=True, lstrip_blocks=True)
    env.filters["pct"] = percent
    return env


def _css() -> str:
    return (resources.files("hoptac.web") / "static" / "report.css").read_text("utf-8")


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{round(rate * 100)}%"


# ---------------------------------------------------------------------------- PDF


def render_pdf(data: dict, lang: str = "vi") -> bytes:
    """The report as a PDF: the HTML's content, DejaVu Sans (shipped in the package) for Vietnamese,
    the two charts drawn as vector paths from their SVG."""
    from hoptac.track.report_pdf import report_pdf
    return report_pdf(data, lang)
