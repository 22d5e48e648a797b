"""The JSON API, ``/api/v1``: the store's lists, things, search, network and corrections, and the
follow-up of cooperation programs (programs, alerts, and what analysts record about them).

Every list pages with ``limit``/``offset`` and answers ``{items, total, limit, offset}``;
every read carries an ETag; every change needs an editor (API token, or a session cookie
with its CSRF token in ``X-CSRF-Token``) and lands in the audit log.
"""
from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Depends, HTTPException, Path, Query, Request, Response
from pydantic import BaseModel, Field, model_validator
from sqlalchemy import Connection

from hoptac.store import browse, corrections, show, users
from hoptac.store.db import write
from hoptac.store.search import Filters, add_snippets, province_name, search
from hoptac.track import edit, monitor, record
from hoptac.track.link import ROLES
from hoptac.track.settings import SEVERITIES, Settings
from hoptac.web.auth import Editor, Reader, Refused, Visitor, sign_in, visitor
from hoptac.web.deps import MAX_ID, AsOf, Day, Db, EventType, Id, Limit, Offset, Year, as_of_day


router = APIRouter(prefix="/api/v1", tags=["read"])
Sources = Annotated[int, Query(ge=1, le=1000, description="At most this many source articles (newest first) and agreements.")]


class ErrorBody(BaseModel):
    status: int
    code: str
    message: str
    details: list[dict] = []


class Error(BaseModel):
    error: ErrorBody


class PageOut(BaseModel):
    items: list[dict]
    total: int
    limit: int
    offset: int


ERRORS = {400: {"model": Error, "description": "Bad parameters"}, 404: {"model": Error, "description": "No such thing"}}
WRITE_ERRORS = ERRORS | {401: {"model": Error, "description": "Not logged in"}, 403: {"model": Error, "description": "Not an editor"}}



# ---------------------------------------------------------------------------- lists


@router.get("/documents", response_model=PageOut, responses=ERRORS, summary="Articles, newest first")
def list_documents(conn: Db, _: Reader, limit: Limit = 20, offset: Offset = 0, province: str | None = None,
                   org: str | None = None, person: str | None = None, event_type: EventType | None = None,
                   date_from: Annotated[Day, Query(alias="from")] = None, date_to: Annotated[Day, Query(alias="to")] = None):
    filters = Filters(province, org, person, event_type, date_from, date_to)
    return browse.documents_page(conn, filters, limit, offset).to_dict()


@router.get("/events", response_model=PageOut, responses=ERRORS, summary="Signings, visits, reviews, conferences, newest first")
def list_events(conn: Db, _: Reader, limit: Limit = 20, offset: Offset = 0, type: EventType | None = None, province: str | None = None,
                date_from: Annotated[Day, Query(alias="from")] = None, date_to: Annotated[Day, Query(alias="to")] = None):
    return browse.events_page(conn, Filters(province=province, event_type=type, date_from=date_from, date_to=date_to), limit, offset).to_dict()


@router.get("/agreements", response_model=PageOut, responses=ERRORS, summary="Cooperation programs and agreements")
def list_agreements(conn: Db, _: Reader, limit: Limit = 20, offset: Offset = 0, province: str | None = None,
                    party: Annotated[int | None, Query(ge=1, le=MAX_ID, description="An organization's id.")] = None, year: Year = None):
    return browse.agreements_page(conn, province=province, party=party, year=year, limit=limit, offset=offset).to_dict()


@router.get("/persons", response_model=PageOut, responses=ERRORS, summary="People, by name")
def list_persons(conn: Db, _: Reader, limit: Limit = 20, offset: Offset = 0, name: str | None = None, province: str | None = None):
    return browse.entities_page(conn, "person", name=name, province=province, limit=limit, offset=offset).to_dict()


@router.get("/organizations", response_model=PageOut, responses=ERRORS, summary="Organizations, by name")
def list_organizations(conn: Db, _: Reader, limit: Limit = 20, offset: Offset = 0, name: str | None = None, province: str | None = None,
                       kind: str | None = None):
    return browse.entities_page(conn, "organization", name=name, province=province, org_kind=kind, limit=limit, offset=offset).to_dict()


# ---------------------------------------------------------------------------- one thing


@router.get("/documents/{document_id}", responses=ERRORS, summary="An article: its clean text and every fact read from it, with evidence")
def get_document(document_id: Id, conn: Db, _: Reader):
    return show.document(conn, document_id)


@router.get("/persons/{entity_id}", responses=ERRORS, summary="A person: positions over time, sources, resolution reasons")
def get_person(entity_id: Id, conn: Db, _: Reader, limit: Sources = 100):
    return show.person(conn, entity_id, limit)


@router.get("/organizations/{entity_id}", responses=ERRORS, summary="An organization: people, agreements, sources")
def get_organization(entity_id: Id, conn: Db, _: Reader, limit: Sources = 100):
    return show.organization(conn, entity_id, limit)


@router.get("/agreements/{fact_id}", responses=ERRORS, summary="An agreement: parties, signing, period, content points")
def get_agreement(fact_id: Id, conn: Db, _: Reader):
    return show.agreement(conn, fact_id)


@router.get("/entities/{entity_id}/network", responses=ERRORS, summary="An entity's neighbourhood: partners by agreement or visit, people")
def get_neighbourhood(entity_id: Id, request: Request, conn: Db, _: Reader, depth: Annotated[int, Query(ge=1, le=2)] = 1,
                      limit: Annotated[int, Query(ge=1, le=500)] = 150):
    show.entity_kind(conn, entity_id)
    return request.app.state.memo.get(conn, ("neighbourhood", entity_id, depth, limit), lambda: browse.neighbourhood(conn, entity_id, depth, limit))


@router.get("/network", responses=ERRORS, summary="Organizations linked by agreements and visits")
def get_network(request: Request, conn: Db, _: Reader, province: str | None = None, year_from: Year = None, year_to: Year = None,
                limit: Annotated[int, Query(ge=1, le=500)] = 150):
    return request.app.state.memo.get(conn, ("network", province, year_from, year_to, limit),
                                      lambda: browse.network(conn, province=province, year_from=year_from, year_to=year_to, limit=limit))


@router.get("/stats", responses=ERRORS, summary="Articles by province (before and after the 2025 merger) and by year; totals")
def get_stats(request: Request, conn: Db, _: Reader):
    return request.app.state.memo.get(conn, ("activity",), lambda: browse.activity(conn))


@router.get("/search", responses=ERRORS, summary="Search articles, people and organizations (accents and case do not matter)")
def get_search(conn: Db, _: Reader, q: Annotated[str, Query(max_length=500)] = "", limit: Limit = 20, offset: Offset = 0,
               province: str | None = None, org: str | None = None, person: str | None = None, event_type: EventType | None = None,
               date_from: Annotated[Day, Query(alias="from")] = None, date_to: Annotated[Day, Query(alias="to")] = None,
               type: Annotated[list[Literal["document", "person", "organization"]] | None, Query()] = None):
    filters = Filters(province, org, person, event_type, date_from, date_to)
    hits = search(conn, q, filters, kinds=tuple(type) if type else None, limit=limit + offset, snippets=False)
    page = add_snippets(conn, hits[offset:offset + limit], q)
    return {"query": q, "items": [h.to_dict() for h in page], "limit": limit, "offset": offset}


# ---------------------------------------------------------------------------- corrections and sign-in

writes = APIRouter(tags=["change"])


MAX_DEPTH = 16  # levels of nesting a body may have; the deepest the API reads is 3


class _In(BaseModel):
    """A request body; like query parameters, no text in it may hold NUL (PostgreSQL refuses it)."""

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data):
        # Walked with a stack of its own and a depth bound: a body nested hundreds deep is a
        # 400, not a RecursionError.
        stack = [(data, 0)]
        while stack:
            value, depth = stack.pop()
            if isinstance(value, str):
                if "\x00" in value:
                    raise ValueError("text cannot contain NUL characters")
            elif isinstance(value, dict | list):
                if depth >= MAX_DEPTH:
                    raise ValueError(f"the body is nested deeper than {MAX_DEPTH} levels")
                items = [x for kv in value.items() for x in kv] if isinstance(value, dict) else value
                stack.extend((v, depth + 1) for v in items)
        return data


class Credentials(_In):
    name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1000)
    label: str = Field("", max_length=200, description="What the token is for, shown in `hoptac user list`.")


class CorrectionIn(_In):
    action: Literal["set", "delete", "add", "merge", "split", "rename"]
    reason: str = Field(min_length=1, max_length=2000)
    fact_id: int | None = Field(None, ge=1, le=MAX_ID, description="set, delete, split")
    values: dict | None = Field(None, description="set: the fields to change, e.g. {\"title\": \"Phó Giám đốc Sở\"}")
    document_id: int | None = Field(None, ge=1, le=MAX_ID, description="add")
    kind: Literal["event", "person", "position", "organization", "agreement", "legal_ref", "commitment"] | None = None
    data: dict | None = Field(None, description="add: the new fact's fields")
    sentence: str = Field("", max_length=5000, description="add: the sentence it was read from")
    entity_id: int | None = Field(None, ge=1, le=MAX_ID, description="merge (the one merged away), rename")
    into_id: int | None = Field(None, ge=1, le=MAX_ID, description="merge: the entity it becomes part of")
    name: str | None = Field(None, max_length=500, description="rename")


class Reason(_In):
    reason: str = Field(min_length=1, max_length=2000)


@writes.post("/auth/token", status_code=201, responses={401: {"model": Error}, 429: {"model": Error}},
             summary="Exchange a name and password for an API token")
def create_token(request: Request, credentials: Credentials):
    with write(request.app.state.engine) as conn:
        try:
            user = sign_in(request, conn, credentials.name, credentials.password)
        except Refused as e:
            if e.status == 429:
                raise HTTPException(429, f"too many failed logins; try again in {e.wait} s", headers={"Retry-After": str(e.wait)}) from None
            raise HTTPException(401, "wrong name or password", headers={"WWW-Authenticate": "Bearer"}) from None
        token, session = users.open_session(conn, user, kind="api", ttl_hours=24 * 90, label=credentials.label or "API")
    return {"token": token, "user": user.name, "role": user.role, "expires_at": session.expires_at}


@writes.delete("/auth/token", status_code=204, responses={401: {"model": Error}}, summary="Revoke the token this request carries")
def revoke_token(request: Request, who: Annotated[Visitor, Depends(visitor)]):
    if who.via != "token":
        raise HTTPException(401, "send the token to revoke as Authorization: Bearer …", headers={"WWW-Authenticate": "Bearer"})
    token = request.headers["authorization"].partition(" ")[2].strip()
    with write(request.app.state.engine) as conn:
        users.close_session(conn, token)
    return Response(status_code=204)


@writes.get("/corrections", response_model=PageOut, responses=ERRORS, summary="Analysts' corrections, oldest first")
def list_corrections(conn: Db, _: Reader, limit: Limit = 50, offset: Offset = 0,
                     status: Literal["applied", "orphaned", "undone"] | None = None):
    items = corrections.listing(conn, status, limit, offset)
    return {"items": items, "total": corrections.count(conn, status), "limit": limit, "offset": offset}


@writes.post("/corrections", status_code=201, responses=WRITE_ERRORS, summary="Correct a fact or an entity; kept across re-extraction")
def create_correction(request: Request, response: Response, who: Editor, body: Annotated[CorrectionIn, Body()]):
    author = corrections.Author(who.user.name, body.reason)
    with write(request.app.state.engine) as conn:
        correction_id = apply_correction(conn, body, author)
    response.headers["Location"] = f"/api/v1/corrections/{correction_id}"
    return {"id": correction_id, "status": "applied"}


@writes.get("/corrections/{correction_id}", responses=ERRORS, summary="One correction")
def get_correction(correction_id: Id, conn: Db, _: Reader):
    return corrections.get(conn, correction_id)


@writes.post("/corrections/{correction_id}/undo", responses=WRITE_ERRORS, summary="Undo a correction")
def undo_correction(correction_id: Id, request: Request, who: Editor, body: Reason):
    with write(request.app.state.engine) as conn:
        corrections.get(conn, correction_id)  # an unknown id is a 404, as on GET
        corrections.undo(conn, correction_id, corrections.Author(who.user.name, body.reason))
        return corrections.get(conn, correction_id)


def apply_correction(conn: Connection, c: CorrectionIn, author: corrections.Author) -> int:
    """One correction from the API's or a page's form fields; a missing field is a 400."""
    def need(*names: str) -> list:
        missing = [n for n in names if getattr(c, n) in (None, "")]
        if missing:
            raise HTTPException(400, f"a {c.action} correction needs {', '.join(missing)}")
        return [getattr(c, n) for n in names]

    match c.action:
        case "set":
            return corrections.set_fields(conn, *need("fact_id", "values"), author)
        case "delete":
            return corrections.delete_fact(conn, *need("fact_id"), author)
        case "split":
            return corrections.split(conn, *need("fact_id"), author)
        case "add":
            return corrections.add_fact(conn, *need("document_id", "kind", "data"), author, c.sentence)
        case "merge":
            return corrections.merge(conn, *need("entity_id", "into_id"), author)
        case "rename":
            return corrections.rename(conn, *need("entity_id", "name"), author)


# ---------------------------------------------------------------------------- follow-up of programs

Lang = Annotated[Literal["vi", "en"], Query(description="The language of alerts' titles and explanations.")]
Severity = Literal[SEVERITIES]


class AlertsOut(PageOut):
    as_of: str


@router.get("/programs", response_model=PageOut, responses=ERRORS, summary="Cooperation programs followed across articles, newest signing first")
def list_programs(conn: Db, _: Reader, limit: Limit = 20, offset: Offset = 0, province: str | None = None,
                  year: Annotated[int | None, Query(ge=1945, le=2100, description="A year the period covers (or the signing's).")] = None,
                  q: Annotated[str | None, Query(max_length=500, description="Words of the title or a party's name.")] = None,
                  party: Annotated[int | None, Query(ge=1, le=MAX_ID, description="An organization's id.")] = None):
    return record.programs_page(conn, province=province_name(province) if province else None, year=year, q=q, party=party,
                                limit=limit, offset=offset).to_dict()


@router.get("/programs/{program_id}", responses=ERRORS,
            summary="A program: parties, points, commitments and their state, linked articles, action items, notes, alerts")
def get_program(program_id: Id, request: Request, conn: Db, _: Reader, as_of: AsOf = None, lang: Lang = "en"):
    return record.program(conn, program_id, as_of=as_of_day(as_of), settings=request.app.state.monitor_settings, lang=lang)


@router.get("/alerts", response_model=AlertsOut, responses=ERRORS, summary="What programs promised and have not shown, as of a day, worst first")
def list_alerts(request: Request, conn: Db, _: Reader, as_of: AsOf = None, province: str | None = None,
                rule: Annotated[str | None, Query(description="A rule's name, e.g. action_plan_missing.")] = None,
                severity: Severity | None = None, include_resolved: bool = False, lang: Lang = "en", limit: Limit = 50, offset: Offset = 0):
    day = as_of_day(as_of)
    found = select_alerts(conn, request.app.state.monitor_settings, day, province=province, rule=rule, severity=severity,
                          include_resolved=include_resolved, lang=lang)
    return {"as_of": day.isoformat(), "items": [a.to_dict() for a in found[offset:offset + limit]], "total": len(found),
            "limit": limit, "offset": offset}


def select_alerts(conn: Connection, settings: Settings, as_of: date, *, province: str | None = None, rule: str | None = None,
                  severity: str | None = None, include_resolved: bool = False, lang: str = "en") -> list[monitor.Alert]:
    """The monitor's alerts narrowed to one rule and one severity (the monitor itself filters by province only).

    Callers check the severity (their parameter is a Literal); the rules are the settings', so a rule is checked here.
    A province is taken in any spelling, as the other lists take it; an unknown one is a 400.
    """
    if rule and rule not in settings.rules:
        raise HTTPException(400, f"rule must be one of {', '.join(settings.rules)}, not {rule!r}")
    found = monitor.alerts(conn, as_of, settings, province=province_name(province) if province else None,
                           include_resolved=include_resolved, lang=lang)
    return [a for a in found if (not rule or a.rule == rule) and (not severity or a.severity == severity)]


class ActionItemIn(_In):
    title: str = Field(min_length=1, max_length=2000)
    owner: str | None = Field(None, max_length=1000, description="The organization responsible.")
    focal_person: str | None = Field(None, max_length=500)
    due: date | None = None
    status: Literal[edit.ITEM_STATUSES] = "planned"
    evidence_url: str | None = Field(None, max_length=2000, description="http(s)://… or a path of this site.")
    reason: str = Field(min_length=1, max_length=2000)


class ActionItemPatch(_In):
    """Only the fields sent change; null clears one (but the title)."""

    title: str | None = Field(None, min_length=1, max_length=2000)
    owner: str | None = Field(None, max_length=1000)
    focal_person: str | None = Field(None, max_length=500)
    due: date | None = None
    status: Literal[edit.ITEM_STATUSES] | None = None
    evidence_url: str | None = Field(None, max_length=2000)
    reason: str = Field(min_length=1, max_length=2000)


class CommitmentPatch(_In):
    status: Literal[edit.COMMITMENT_STATUSES] | None = Field(None, description="fulfilled needs evidence or evidence_url.")
    evidence: str | None = Field(None, max_length=5000, description="What shows it fulfilled: a sentence, a document's number.")
    evidence_url: str | None = Field(None, max_length=2000)
    due: date | None = Field(None, description="A deadline over any stated or derived one.")
    reason: str = Field(min_length=1, max_length=2000)


class CommitmentIn(_In):
    kind: Literal[edit.COMMITMENT_KINDS]
    text: str = Field(min_length=1, max_length=5000)
    actor: str | None = Field(None, max_length=1000)
    due: date | None = None
    made_on: date | None = Field(None, description="Today when left out.")
    reason: str = Field(min_length=1, max_length=2000)


class PointIn(_In):
    text: str | None = Field(None, max_length=5000)
    status: Literal[edit.POINT_STATUSES] | None = None
    reason: str = Field(min_length=1, max_length=2000)


class NoteIn(_In):
    text: str = Field(min_length=1, max_length=10000)
    reason: str = Field(min_length=1, max_length=2000)


class LinkDecisionIn(_In):
    decision: Literal[edit.DECISIONS]
    reason: str = Field(min_length=1, max_length=2000)


class AttachIn(_In):
    document_id: int = Field(ge=1, le=MAX_ID)
    role: Literal[ROLES]
    reason: str = Field(min_length=1, max_length=2000)


class AlertDecisionIn(_In):
    key: str = Field(min_length=1, max_length=200, description="The alert's key (rule/program/subject), from GET /alerts.")
    decision: Literal["resolved", "reopened"]
    reason: str = Field(min_length=1, max_length=2000, description="Kept as the resolution's note.")


def _dated(values: dict) -> dict:
    """Dates as the ISO text the store keeps."""
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}


@writes.post("/programs/{program_id}/action-items", status_code=201, responses=WRITE_ERRORS, summary="Record an item of a program's action plan")
def create_action_item(program_id: Id, request: Request, who: Editor, body: ActionItemIn):
    values = _dated(body.model_dump(exclude={"reason"}))
    with write(request.app.state.engine) as conn:
        return {"id": edit.add_action_item(conn, program_id, corrections.Author(who.user.name, body.reason), **values)}


@writes.patch("/action-items/{item_id}", responses=WRITE_ERRORS, summary="Change an action item: status, due date, owner, evidence…")
def update_action_item(item_id: Id, request: Request, who: Editor, body: ActionItemPatch):
    values = _dated(body.model_dump(exclude_unset=True, exclude={"reason"}))
    with write(request.app.state.engine) as conn:
        edit.update_action_item(conn, item_id, corrections.Author(who.user.name, body.reason), **values)
    return {"id": item_id}


@writes.patch("/commitments/{commitment_id}", responses=WRITE_ERRORS,
              summary="Mark a commitment fulfilled (with evidence), dropped or open again, or give it a deadline")
def update_commitment(commitment_id: Id, request: Request, who: Editor, body: CommitmentPatch):
    values = _dated(body.model_dump(exclude={"reason"}))
    with write(request.app.state.engine) as conn:
        edit.set_commitment(conn, commitment_id, corrections.Author(who.user.name, body.reason), **values)
    return {"id": commitment_id}


@writes.post("/programs/{program_id}/commitments", status_code=201, responses=WRITE_ERRORS, summary="Add a commitment the articles did not state")
def create_commitment(program_id: Id, request: Request, who: Editor, body: CommitmentIn):
    values = _dated(body.model_dump(exclude={"reason"}))
    with write(request.app.state.engine) as conn:
        return {"id": edit.add_commitment(conn, program_id, corrections.Author(who.user.name, body.reason), **values)}


@writes.put("/programs/{program_id}/points/{number}", responses=WRITE_ERRORS, summary="Set a content point's text or status (a new number adds one)")
def set_point(program_id: Id, number: Annotated[int, Path(ge=1, le=1000)], request: Request, who: Editor, body: PointIn):
    with write(request.app.state.engine) as conn:
        edit.set_point(conn, program_id, number, corrections.Author(who.user.name, body.reason), text=body.text, status=body.status)
    return {"program_id": program_id, "number": number}


@writes.post("/programs/{program_id}/notes", status_code=201, responses=WRITE_ERRORS, summary="Add a note to a program")
def create_note(program_id: Id, request: Request, who: Editor, body: NoteIn):
    with write(request.app.state.engine) as conn:
        return {"id": edit.add_note(conn, program_id, body.text, corrections.Author(who.user.name, body.reason))}


@writes.post("/program-links/{link_id}/decision", responses=WRITE_ERRORS,
             summary="Confirm or reject an article's link to a program; the decision survives re-extraction")
def decide_link(link_id: Id, request: Request, who: Editor, body: LinkDecisionIn):
    with write(request.app.state.engine) as conn:
        edit.decide_link(conn, link_id, body.decision, corrections.Author(who.user.name, body.reason))
    return {"id": link_id, "decision": body.decision}


@writes.post("/programs/{program_id}/links", status_code=201, responses=WRITE_ERRORS, summary="Attach an article the rules missed to a program")
def attach_document(program_id: Id, request: Request, who: Editor, body: AttachIn):
    with write(request.app.state.engine) as conn:
        return {"id": edit.attach(conn, program_id, body.document_id, body.role, corrections.Author(who.user.name, body.reason))}


@writes.post("/alerts/decision", responses=WRITE_ERRORS, summary="Resolve an alert with a note (the reason), or reopen it")
def decide_alert(request: Request, who: Editor, body: AlertDecisionIn):
    with write(request.app.state.engine) as conn:
        edit.decide_alert(conn, body.key, body.decision, corrections.Author(who.user.name, body.reason))
    return {"key": body.key, "decision": body.decision}


router.include_router(writes)
