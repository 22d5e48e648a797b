"""The site: server-rendered pages in Vietnamese (or English), readable without JavaScript.

Each page handler reads plain data from the store (``show``, ``browse``, ``search``) and
hands it to a template; pictures are SVG drawn here (``charts``). Editors correct what
they read with ordinary forms that carry the session's CSRF token and come back to the
page they were on.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date
from importlib import resources
from typing import Annotated, Literal
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from sqlalchemy import Connection

from hoptac import __version__
from hoptac.store import browse, corrections, show, users
from hoptac.store.db import MAX_ID, write
from hoptac.store.search import Filters, add_snippets, province_name, search
from hoptac.track import edit, monitor, record
from hoptac.track.link import ROLES
from hoptac.track.settings import SEVERITIES
from hoptac.web import charts
from hoptac.web.api import select_alerts
from hoptac.web.auth import (LOGIN_CSRF_COOKIE, SESSION_COOKIE, Admin, Editor, Reader, Refused, Visitor, check_csrf, login_csrf,
                             sign_in, visitor)
from hoptac.web.deps import AsOf, Db, EventType, Id, Page, Year, as_of_day
from hoptac.web.i18n import request_language, translator
from hoptac.web.render import highlight, link, marked_article

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(resources.files("hoptac.web") / "templates"))
templates.env.filters["highlight"] = highlight
templates.env.filters["link"] = link
PAGE = 20
SEARCH_DEPTH = 200  # facets describe this many best results
SOURCES = 50  # newest articles listed on a person's or organization's page



def render(request: Request, template: str, status: int = 200, headers: dict | None = None, **context) -> HTMLResponse:
    lang = request_language(request)
    who = _quiet_visitor(request)
    response = templates.TemplateResponse(request, template, {
        "_": translator(lang), "lang": lang, "who": who, "version": __version__, "query_with": _query_with(request),
        "path": request.url.path + (f"?{request.url.query}" if request.url.query else ""), **context}, status_code=status, headers=headers)
    if request.query_params.get("lang") in ("vi", "en"):
        response.set_cookie("lang", lang, max_age=365 * 86400, samesite="lax", secure=request.app.state.secure_cookies)
    if who.user:
        response.headers["Cache-Control"] = "private, no-cache"
    return response


def _t(request: Request):
    return translator(request_language(request))


def _quiet_visitor(request: Request) -> Visitor:
    try:
        return visitor(request)
    except HTTPException:
        return Visitor()


def _query_with(request: Request):
    def with_(**changes) -> str:
        params = {k: v for k, v in request.query_params.items() if k not in changes}
        params.update({k: v for k, v in changes.items() if v not in (None, "")})
        return request.url.path + ("?" + urlencode(params) if params else "")
    return with_


def error_page(request: Request, status: int, message: str, headers: dict | None = None) -> HTMLResponse:
    return render(request, "error.html", status=status, headers=headers, status_code=status, message=message)


def svg(markup: str) -> Markup:
    return Markup(markup)  # charts escape every string they draw


# ---------------------------------------------------------------------------- reading


@router.get("/", response_class=HTMLResponse)
def home(request: Request, conn: Db, _: Reader):
    stats = request.app.state.memo.get(conn, ("activity",), lambda: browse.activity(conn))
    t = _t(request)
    provinces = [(name, n, _province_link(name)) for name, n in stats["by_province"]["current"].items()]
    years = [(year, n, f"/search?year={year}") for year, n in stats["by_year"].items()]
    return render(request, "home.html", stats=stats, events=browse.recent_events(conn, 8),
                  agreements=browse.agreements_page(conn, limit=6).items,
                  province_chart=svg(charts.bar_chart(provinces[:15], title=t("chart.by_province"), empty=t("none"))),
                  year_chart=svg(charts.bar_chart(years, title=t("chart.by_year"), horizontal=False, empty=t("none"))),
                  tiles=svg(_tile_map(stats, "current", t)))


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, conn: Db, _: Reader, q: Annotated[str, Query(max_length=500)] = "", province: str | None = None,
                org: str | None = None, event_type: Annotated[EventType | Literal[""], Query()] = "", year: Year = None, page: Page = 1):
    filters = Filters(province or None, org or None, None, event_type or None,
                      f"{year:04d}-01-01" if year else None, f"{year:04d}-12-31" if year else None)
    hits = search(conn, q, filters, limit=SEARCH_DEPTH, snippets=False) if (q or filters.province or filters.only_documents()) else []
    documents = [h for h in hits if h.kind == "document"]
    start = (page - 1) * PAGE
    shown = add_snippets(conn, documents[start:start + PAGE], q)
    return render(request, "search.html", q=q, filters=filters, year=year, page=page, more=len(documents) > start + PAGE,
                  documents=shown, entities=[h for h in hits if h.kind != "document"][:12], total=len(documents),
                  facets=browse.facets(conn, [h.id for h in documents]))


@router.get("/documents", response_class=HTMLResponse)
def documents_page(request: Request, conn: Db, _: Reader, province: str | None = None, page: Page = 1):
    listing = browse.documents_page(conn, Filters(province=province or None), PAGE, (page - 1) * PAGE)
    return render(request, "list.html", kind="document", listing=listing, page=page)


@router.get("/documents/{document_id}", response_class=HTMLResponse)
def document_page(request: Request, conn: Db, _: Reader, document_id: Id):
    doc = show.document(conn, document_id)
    return render(request, "document.html", doc=doc, body=marked_article(doc["text"], doc["facts"]), fields=corrections.LABEL_FIELDS,
                  programs=record.programs_of_document(conn, document_id))


@router.get("/events", response_class=HTMLResponse)
def events_page(request: Request, conn: Db, _: Reader, type: Annotated[EventType | Literal[""], Query()] = "", province: str | None = None,
                page: Page = 1):
    listing = browse.events_page(conn, Filters(province=province or None, event_type=type or None), PAGE, (page - 1) * PAGE)
    return render(request, "list.html", kind="event", listing=listing, page=page)


@router.get("/agreements", response_class=HTMLResponse)
def agreements_page(request: Request, conn: Db, _: Reader, province: str | None = None, year: Year = None,
                    page: Page = 1):
    listing = browse.agreements_page(conn, province=province or None, year=year, limit=PAGE, offset=(page - 1) * PAGE)
    return render(request, "list.html", kind="agreement", listing=listing, page=page)


@router.get("/agreements/{fact_id}", response_class=HTMLResponse)
def agreement_page(request: Request, conn: Db, _: Reader, fact_id: Id):
    agreement = show.agreement(conn, fact_id)
    doc = agreement["document"]
    return render(request, "agreement.html", a=agreement, context=browse.context_of(conn, [doc["id"]]),
                  mentions=browse.documents_mentioning_agreement(conn, agreement))


@router.get("/persons", response_class=HTMLResponse)
def persons_page(request: Request, conn: Db, _: Reader, name: str | None = None, province: str | None = None,
                 page: Page = 1):
    listing = browse.entities_page(conn, "person", name=name or None, province=province or None, limit=PAGE, offset=(page - 1) * PAGE)
    return render(request, "list.html", kind="person", listing=listing, page=page)


@router.get("/persons/{entity_id}", response_class=HTMLResponse)
def person_page(request: Request, conn: Db, _: Reader, entity_id: Id):
    person = show.person(conn, entity_id, limit=SOURCES)
    if "redirected_from" in person:
        return RedirectResponse(f"/persons/{person['id']}", status_code=301)
    t = _t(request)
    context = browse.context_of(conn, [d["id"] for d in person["documents"]])
    spans = [{"label": h["title"] if not h["organization"] or h["organization"] in h["title"] else f"{h['title']} · {h['organization']}",
              "start": h["first_seen"], "end": h["last_seen"], "link": f"/documents/{h['documents'][0]}"} for h in person["history"] if h["first_seen"]]
    spans += [{"kind": "event", "label": e["label"], "start": e["date"], "end": e["date"], "link": f"/documents/{e['document_id']}"}
              for e in context["events"] if e["date"]]
    organizations = {x["organization_id"]: x["organization"] for x in person["positions"] if x["organization_id"]}
    return render(request, "person.html", p=person, context=context, organizations=organizations,
                  timeline=svg(charts.timeline(spans, title=t("person.timeline"), empty=t("person.no_dates"), events_label=t("nav.events"))))


@router.get("/organizations", response_class=HTMLResponse)
def organizations_page(request: Request, conn: Db, _: Reader, name: str | None = None, province: str | None = None,
                       kind: str | None = None, page: Page = 1):
    listing = browse.entities_page(conn, "organization", name=name or None, province=province or None, org_kind=kind or None,
                                   limit=PAGE, offset=(page - 1) * PAGE)
    return render(request, "list.html", kind="organization", listing=listing, page=page)


@router.get("/organizations/{entity_id}", response_class=HTMLResponse)
def organization_page(request: Request, conn: Db, _: Reader, entity_id: Id):
    org = show.organization(conn, entity_id, limit=SOURCES)
    if "redirected_from" in org:
        return RedirectResponse(f"/organizations/{org['id']}", status_code=301)
    t = _t(request)
    graph = request.app.state.memo.get(conn, ("neighbourhood", org["id"], 1, 60), lambda: browse.neighbourhood(conn, org["id"], 1, 60))
    return render(request, "organization.html", o=org, units=browse.units(conn, org), context=browse.context_of(conn, [d["id"] for d in org["documents"]]),
                  partners=svg(charts.network(_linked(graph["nodes"]), graph["edges"], title=t("org.partners"), center=org["id"],
                                              width=760, height=460, empty=t("none"), omitted=t("network.omitted"))))


@router.get("/network", response_class=HTMLResponse)
def network_page(request: Request, conn: Db, _: Reader, province: str | None = None, year_from: Year = None, year_to: Year = None):
    t = _t(request)
    graph = request.app.state.memo.get(conn, ("network", province or None, year_from, year_to, 150),
                                       lambda: browse.network(conn, province=province or None, year_from=year_from, year_to=year_to))
    picture = request.app.state.memo.get(conn, ("network.svg", province or None, year_from, year_to, t("network.title")),
                                         lambda: charts.network(_linked(graph["nodes"]), graph["edges"], title=t("network.title"),
                                                                width=1000, height=700, empty=t("none"), omitted=t("network.omitted")))
    return render(request, "network.html", graph=graph, picture=svg(picture), province=province or "", year_from=year_from, year_to=year_to,
                  provinces=browse.province_names())


@router.get("/provinces", response_class=HTMLResponse)
def provinces_page(request: Request, conn: Db, _: Reader, era: str = "current"):
    if era not in ("current", "legacy"):
        raise HTTPException(400, "era is current (34 units, from 1 July 2025) or legacy (63 units, before)")
    t = _t(request)
    stats = request.app.state.memo.get(conn, ("activity",), lambda: browse.activity(conn))
    counts = stats["by_province"][era]
    maps = {e: svg(_tile_map(stats, e, t)) for e in ("current", "legacy")}
    return render(request, "provinces.html", era=era, counts=counts, maps=maps)


@router.get("/provinces/{name}", response_class=HTMLResponse)
def province_page(request: Request, conn: Db, _: Reader, name: str):
    province = browse.province(name)
    return render(request, "province.html", province=province,
                  documents=browse.documents_page(conn, Filters(province=province["name"]), PAGE, 0),
                  agreements=browse.agreements_page(conn, province=province["name"], limit=PAGE),
                  organizations=browse.entities_page(conn, "organization", province=province["name"], limit=50))


@router.get("/corrections", response_class=HTMLResponse)
def corrections_page(request: Request, conn: Db, _: Reader, status: str | None = None):
    if status not in (None, "", "applied", "orphaned", "undone"):
        raise HTTPException(400, "status is applied, orphaned or undone")
    return render(request, "corrections.html", items=list(reversed(corrections.listing(conn, status or None))), chosen=status or "")


def _tile_map(stats: dict, era: str, t) -> str:
    counts = stats["by_province"][era]
    return charts.tile_map(counts, era=era, title=t(f"chart.map_{era}"), legend=("0", str(max(counts.values(), default=0))),
                           links={p: _province_link(p) for p in browse.province_names(era)})


def _province_link(name: str) -> str:
    return "/provinces/" + quote(name)


def _linked(nodes: list[dict]) -> list[dict]:
    return [{**n, "link": f"/{'persons' if n['kind'] == 'person' else 'organizations'}/{n['id']}"} for n in nodes]


# ---------------------------------------------------------------------------- follow-up of programs

FormYear = Annotated[str, Query(pattern=r"^(\d{4})?$")]  # a form's year field, empty for any


@router.get("/programs", response_class=HTMLResponse)
def programs_list(request: Request, conn: Db, _: Reader, province: str | None = None, year: FormYear = "",
                  q: Annotated[str, Query(max_length=500)] = "", page: Page = 1):
    listing = record.programs_page(conn, province=province_name(province) if province else None, year=int(year) if year else None,
                                   q=q or None, limit=PAGE, offset=(page - 1) * PAGE)
    settings, today = request.app.state.monitor_settings, date.today()
    # One program at a time: the whole monitor would also scan every working visit of the store.
    alerts = {p["id"]: len(monitor.alerts(conn, today, settings, program_id=p["id"])) for p in listing.items}
    return render(request, "programs.html", listing=listing, page=page, alerts=alerts, provinces=browse.province_names(),
                  province=province or "", year=year, q=q)


@router.get("/programs/{program_id}", response_class=HTMLResponse)
def program_page(request: Request, conn: Db, _: Reader, program_id: Id, as_of: AsOf = None):
    day, t = as_of_day(as_of), _t(request)
    p = record.program(conn, program_id, as_of=day, settings=request.app.state.monitor_settings, lang=request_language(request))
    return render(request, "program.html", p=p, as_of=day.isoformat(), as_of_given=bool(as_of), timeline=svg(_life(p, day, t)),
                  roles=ROLES, item_statuses=edit.ITEM_STATUSES, point_statuses=edit.POINT_STATUSES)


def _life(p: dict, day: date, t) -> str:
    """The program's life drawn: its period and signing, its milestones, its articles by role, its commitments' deadlines."""
    def mark(start: str | None, kind: str, name: str, detail: str, link: str | None = None, end: str | None = None) -> dict:
        return {"start": start, "end": end, "kind": kind, "name": name, "label": f"{name}: {detail}", "link": link}

    def dated(link: dict) -> str:
        return link["date"] or (link["document"]["published_at"] or "")[:10]

    start, end = p["period_start"], p["period_end"]
    period = [mark(f"{start}-01-01", "period", t("program.period"), f"{start}–{end}", end=f"{end}-12-31")] if start and end else []
    signed = [mark(p["signed_on"], "signing", t("link_role.signing"), p["signed_on"])] if p["signed_on"] else []
    lanes = [
        (t("program.lane_period"), "dot", period + signed),
        (t("program.lane_milestones"), "flag", [mark(m["date"], m["kind"], t("milestone." + m["kind"]), m["date"]) for m in p["milestones"]]),
        (t("program.lane_articles"), "dot", [mark(dated(x), x["role"], t("link_role." + x["role"]), f"{dated(x)} {x['document']['title']}",
                                                  f"/documents/{x['document_id']}") for x in p["links"] if x["decision"] != "rejected"]),
        (t("program.lane_commitments"), "diamond", [mark(c["due_effective"], c["state"], t("state." + c["state"]),
                                                         f"{t('commitment.' + c['kind'])}, {c['due_effective']}", f"#commitment-{c['id']}")
                                                    for c in p["commitments"] if c["due_effective"]]),
    ]
    legend: dict[str, tuple[str, str, str]] = {}
    for _, shape, items in lanes:
        for item in items:
            legend.setdefault(item["kind"], (item["kind"], item["name"], "bar" if item["end"] else shape))
    today = t("program.today" if day == date.today() else "program.as_of_line", day=day.isoformat())
    return charts.program_timeline(lanes, title=t("program.timeline"), today=day.isoformat(), today_label=today,
                                   legend=list(legend.values()), empty=t("program.no_dates"))


@router.get("/monitor", response_class=HTMLResponse)
def monitor_page(request: Request, conn: Db, _: Reader, as_of: AsOf = None, province: str | None = None, rule: str = "",
                 severity: Annotated[Literal[(*SEVERITIES, "")], Query()] = "", resolved: bool = False):
    day, t, lang = as_of_day(as_of), _t(request), request_language(request)
    settings = request.app.state.monitor_settings
    found = select_alerts(conn, settings, day, province=province or None, rule=rule or None, severity=severity or None,
                          include_resolved=resolved, lang=lang)
    rules = {name: r.title(lang) for name, r in settings.rules.items()}
    return render(request, "monitor.html", as_of=day.isoformat(), as_of_given=bool(as_of), total=len(found),
                  groups=[(s, [a for a in found if a.severity == s]) for s in SEVERITIES], rules=rules,
                  provinces=browse.province_names(), chosen={"province": province or "", "rule": rule, "severity": severity, "resolved": resolved},
                  counts=_alert_charts(found, rules, _query_with(request), t))


def _alert_charts(found: list[monitor.Alert], rules: dict[str, str], with_, t) -> list[tuple[str, Markup]]:
    """Alerts counted by severity, rule and province, each with its caption; each bar narrows the page to its alerts."""
    severities = Counter(a.severity for a in found)
    provinces = Counter(a.province_now or a.province for a in found if a.province_now or a.province)
    by_rule = Counter(a.rule for a in found)
    counts = [
        ("monitor.by_severity", [(t("severity." + s), severities[s], with_(severity=s)) for s in SEVERITIES if severities[s]]),
        ("monitor.by_rule", [(rules[r], n, with_(rule=r)) for r, n in by_rule.most_common()]),
        ("monitor.by_province", [(name, n, with_(province=name)) for name, n in provinces.most_common()]),
    ]
    return [(t(title), svg(charts.bar_chart(bars, title=t(title), empty=t("none")))) for title, bars in counts]


# ---------------------------------------------------------------------------- signing in


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/"):
    token = login_csrf(request)
    response = render(request, "login.html", csrf=token, next=_local(next))
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=request.app.state.secure_cookies)
    return response


@router.post("/login")
def login(request: Request, name: Annotated[str, Form(max_length=200)], password: Annotated[str, Form(max_length=1000)],
          csrf: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/"):
    check_csrf(request.cookies.get(LOGIN_CSRF_COOKIE, ""), csrf)
    t = _t(request)
    with write(request.app.state.engine) as conn:
        try:
            user = sign_in(request, conn, name, password)
        except Refused as e:
            message = t("login.throttled", seconds=e.wait) if e.status == 429 else t("login.wrong")
            return render(request, "login.html", status=e.status, headers={"Retry-After": str(e.wait)} if e.wait else None,
                          csrf=csrf, next=_local(next), message=message, name=name)
        token, _ = users.open_session(conn, user, kind="web")
    response = RedirectResponse(_local(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", max_age=12 * 3600, secure=request.app.state.secure_cookies)
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form()] = ""):
    who = visitor(request)
    if who.session:
        check_csrf(who.csrf, csrf)
        with write(request.app.state.engine) as conn:
            users.close_session(conn, request.cookies[SESSION_COOKIE])
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


# ---------------------------------------------------------------------------- curation


@router.post("/corrections")
def correct(request: Request, who: Editor, action: Annotated[str, Form()], reason: Annotated[str, Form(max_length=2000)],
            csrf: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/", fact_id: Annotated[int | None, Form()] = None,
            field: Annotated[str, Form(max_length=100)] = "", value: Annotated[str, Form(max_length=5000)] = "",
            entity_id: Annotated[int | None, Form()] = None, into_id: Annotated[int | None, Form()] = None,
            name: Annotated[str, Form(max_length=500)] = ""):
    """Every correction form of every page posts here, then returns to its page."""
    from hoptac.web.api import CorrectionIn, apply_correction

    check_csrf(who.csrf, csrf)
    if action not in ("set", "delete", "split", "merge", "rename"):
        raise HTTPException(400, f"unknown correction {action!r}")
    if action == "set" and not field:
        raise HTTPException(400, "say which field to change")
    body = CorrectionIn(action=action, reason=reason or " ", fact_id=fact_id, entity_id=entity_id, into_id=into_id, name=name or None,
                        values={field: value} if action == "set" else None)
    with write(request.app.state.engine) as conn:
        apply_correction(conn, body, corrections.Author(who.user.name, reason))
    return RedirectResponse(_local(next), status_code=303)


@router.post("/corrections/{correction_id}/undo")
def undo(request: Request, who: Editor, correction_id: Id, reason: Annotated[str, Form(max_length=2000)],
         csrf: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/corrections"):
    check_csrf(who.csrf, csrf)
    with write(request.app.state.engine) as conn:
        corrections.undo(conn, correction_id, corrections.Author(who.user.name, reason))
    return RedirectResponse(_local(next), status_code=303)


# ---------------------------------------------------------------------------- recording follow-up

Reason = Annotated[str, Form(max_length=2000)]
FormText = Annotated[str, Form(max_length=2000)]


def _recorded(request: Request, who: Visitor, csrf: str, reason: str, next: str, change: Callable[[Connection, corrections.Author], object]):
    """What every follow-up form does: check the form's token, make the change with its author and reason, go back to the page."""
    check_csrf(who.csrf, csrf)
    author = corrections.Author(who.user.name, reason)
    with write(request.app.state.engine) as conn:
        change(conn, author)
    return RedirectResponse(_local(next), status_code=303)


@router.post("/programs/{program_id}/action-items")
def add_action_item(request: Request, who: Editor, program_id: Id, title: FormText, reason: Reason, csrf: FormText = "", next: FormText = "/",
                    owner: FormText = "", focal_person: FormText = "", due: FormText = "", status: FormText = "planned", evidence_url: FormText = ""):
    return _recorded(request, who, csrf, reason, next, lambda conn, author: edit.add_action_item(
        conn, program_id, author, title=title, owner=owner, focal_person=focal_person, due=due, status=status, evidence_url=evidence_url))


@router.post("/action-items/{item_id}")
def update_action_item(request: Request, who: Editor, item_id: Id, title: FormText, reason: Reason, csrf: FormText = "", next: FormText = "/",
                       owner: FormText = "", focal_person: FormText = "", due: FormText = "", status: FormText = "planned", evidence_url: FormText = ""):
    return _recorded(request, who, csrf, reason, next, lambda conn, author: edit.update_action_item(
        conn, item_id, author, title=title, owner=owner, focal_person=focal_person, due=due, status=status, evidence_url=evidence_url))


@router.post("/commitments/{commitment_id}")
def update_commitment(request: Request, who: Editor, commitment_id: Id, reason: Reason, csrf: FormText = "", next: FormText = "/",
                      status: FormText = "", evidence: FormText = "", evidence_url: FormText = "", due: FormText = ""):
    """Mark fulfilled (with evidence), drop, reopen, or give a deadline: one form each, all posting here."""
    return _recorded(request, who, csrf, reason, next, lambda conn, author: edit.set_commitment(
        conn, commitment_id, author, status=status or None, evidence=evidence, evidence_url=evidence_url, due=due or None))


@router.post("/programs/{program_id}/points/{number}")
def set_point(request: Request, who: Editor, program_id: Id, number: Annotated[int, Path(ge=1, le=1000)], reason: Reason,
              csrf: FormText = "", next: FormText = "/", text: Annotated[str, Form(max_length=5000)] = "", status: FormText = "unknown"):
    return _recorded(request, who, csrf, reason, next, lambda conn, author: edit.set_point(conn, program_id, number, author, text=text,
                                                                                        status=status))


@router.post("/programs/{program_id}/notes")
def add_note(request: Request, who: Editor, program_id: Id, text: Annotated[str, Form(max_length=10000)], reason: Reason,
             csrf: FormText = "", next: FormText = "/"):
    return _recorded(request, who, csrf, reason, next, lambda conn, author: edit.add_note(conn, program_id, text, author))


@router.post("/program-links/{link_id}/decision")
def decide_link(request: Request, who: Editor, link_id: Id, decision: FormText, reason: Reason, csrf: FormText = "", next: FormText = "/"):
    return _recorded(request, who, csrf, reason, next, lambda conn, author: edit.decide_link(conn, link_id, decision, author))


@router.post("/programs/{program_id}/links")
def attach_document(request: Request, who: Editor, program_id: Id, document_id: Annotated[int, Form(ge=1, le=MAX_ID)], role: FormText,
                    reason: Reason, csrf: FormText = "", next: FormText = "/"):
    return _recorded(request, who, csrf, reason, next, lambda conn, author: edit.attach(conn, program_id, document_id, role, author))


@router.post("/alerts/decision")
def decide_alert(request: Request, who: Editor, key: FormText, decision: FormText, reason: Reason, csrf: FormText = "", next: FormText = "/monitor"):
    return _recorded(request, who, csrf, reason, next, lambda conn, author: edit.decide_alert(conn, key, decision, author))


# ---------------------------------------------------------------------------- administration




@router.get("/admin", response_class=HTMLResponse)
def admin_page(request: Request, conn: Db, who: Admin):
    return render(request, "admin.html", users=users.list_users(conn), audit=browse.audit_entries(conn, 100), roles=users.ROLES)


@router.post("/admin/users")
def admin_user(request: Request, who: Admin, name: Annotated[str, Form(max_length=200)], csrf: Annotated[str, Form()] = "",
               role: Annotated[str, Form()] = "editor", password: Annotated[str, Form(max_length=1000)] = "",
               action: Annotated[str, Form()] = "add"):
    """Add an account, change its role or disable it; every change is in the audit log."""
    check_csrf(who.csrf, csrf)
    with write(request.app.state.engine) as conn:
        match action:
            case "add":
                users.add_user(conn, name, password, role, actor=who.user.name)
            case "role":
                users.set_role(conn, name, role, actor=who.user.name)
            case "disable":
                users.disable_user(conn, name, actor=who.user.name)
            case _:
                raise HTTPException(400, f"unknown action {action!r}")
    return RedirectResponse("/admin", status_code=303)


def _local(target: str) -> str:
    """Only paths of this site: a login link must not send anyone elsewhere afterwards."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"
