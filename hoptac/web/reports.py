"""Reports and feeds of follow-up tracking: per-province or per-year reports (HTML, PDF), alerts as Atom, due dates as iCalendar.

Every one of them is judged against a reference date, ``as_of``: today when it is left out or
blank (the page cache keeps an answer for its day only), so a feed reader or a calendar
subscribed to an undated address gets today's answer every day.
"""
from __future__ import annotations

from datetime import date
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from hoptac.store.browse import province_names
from hoptac.text.fold import fold
from hoptac.track import feeds, monitor, report
from hoptac.web.auth import Reader
from hoptac.web.deps import AsOf, Db, Province, Year, as_of_day
from hoptac.web.i18n import request_language

router = APIRouter(include_in_schema=False)

@router.get("/reports", response_class=HTMLResponse)
def reports_page(request: Request, conn: Db, _: Reader, province: Province = None, year: Year = None, as_of: AsOf = None):
    """The form (province, year, reference date) and the report below it, ready to print."""
    day = as_of_day(as_of)
    lang = request_language(request)
    data = report.build(conn, province=province, year=year, as_of=day, settings=request.app.state.monitor_settings)
    query = {k: v for k, v in {"province": province, "year": year, "as_of": day.isoformat()}.items() if v not in (None, "")}
    feed = {"province": province} if province else {}  # a feed to subscribe to is today's, every day
    form = {"province": province or "", "year": year, "provinces": province_names("current"),
            "pdf": f"/reports/report.pdf?{urlencode({**query, 'lang': lang})}",
            "atom": "/feeds/alerts.atom" + (f"?{urlencode(feed)}" if feed else ""),
            "ics": "/feeds/due.ics" + (f"?{urlencode(feed)}" if feed else ""),
            "other_lang": f"/reports?{urlencode({**query, 'lang': 'en' if lang == 'vi' else 'vi'})}"}
    response = HTMLResponse(report.page(data, lang, stylesheet="/static/report.css", form=form))
    if request.query_params.get("lang") in ("vi", "en"):
        response.set_cookie("lang", lang, max_age=365 * 86400, samesite="lax", secure=request.app.state.secure_cookies)
    return response


@router.get("/reports/report.pdf")
def report_pdf(request: Request, conn: Db, _: Reader, province: Province = None, year: Year = None, as_of: AsOf = None):
    day = as_of_day(as_of)
    data = report.build(conn, province=province, year=year, as_of=day, settings=request.app.state.monitor_settings)
    body = report.render_pdf(data, request_language(request))
    return Response(body, media_type="application/pdf", headers={"Content-Disposition": _attachment(province, year, day)})


def _attachment(province: str | None, year: int | None, day: date) -> str:
    """``hoptac-report-can-tho-2025-as-of-2026-11-22.pdf``, and the accented name for clients that read it."""
    rest = [*([str(year)] if year else []), f"as-of-{day.isoformat()}"]
    plain = "-".join(["hoptac-report", *([_slug(province)] if _slug(province) else []), *rest]) + ".pdf"
    accented = "-".join(["hoptac-report", *([province.strip()] if province and province.strip() else []), *rest]) + ".pdf"
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(accented, safe='')}"


def _slug(province: str | None) -> str:
    """A province as a file name's part: ``can-tho``; empty for none."""
    return fold(province).replace(" ", "-") if province else ""


@router.get("/feeds/alerts.atom")
def alerts_feed(request: Request, conn: Db, _: Reader, province: Province = None, as_of: AsOf = None):
    """Open alerts (of a province, or all) as Atom 1.0."""
    day = as_of_day(as_of)
    place = report.province_name(province)
    found = monitor.alerts(conn, day, request.app.state.monitor_settings, province=place)
    body = feeds.atom(found, base_url=request.app.state.base_url, as_of=day, title="hoptac: alerts" + (f" · {place}" if place else ""))
    return Response(body, media_type="application/atom+xml; charset=utf-8")


@router.get("/feeds/due.ics")
def due_calendar(request: Request, conn: Db, _: Reader, province: Province = None, as_of: AsOf = None):
    """What falls due (commitments, action items, programs' milestones) as an iCalendar file to subscribe to."""
    day = as_of_day(as_of)
    body = feeds.ical(conn, base_url=request.app.state.base_url, settings=request.app.state.monitor_settings, province=province, as_of=day)
    name = "hoptac-due" + (f"-{_slug(province)}" if _slug(province) else "") + ".ics"
    return Response(body, media_type="text/calendar; charset=utf-8", headers={"Content-Disposition": f'inline; filename="{name}"'})
