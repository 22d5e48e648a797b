"""Reports and feeds of follow-up tracking: the report's data, its HTML and PDF, the Atom and iCalendar feeds, their routes."""
from __future__ import annotations

import re
import shutil
import sqlite3
import xml.etree.ElementTree as ET
from datetime import date
from html.parser import HTMLParser

import httpx2
import numpy as np
import pypdfium2 as pdfium
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from conftest import SAMPLE, SHARED
from hoptac.store.db import connect
from hoptac.store.ingest import ingest
from hoptac.store.schema import programs
from hoptac.track import feeds, monitor, record, report
from hoptac.track.settings import load
from hoptac.web import charts
from hoptac.web.app import create_app
from hoptac.web.process import served

AS_OF = date(2026, 11, 22)
ATOM = "{http://www.w3.org/2005/Atom}"
NASTY = 'Chương trình <b>thử</b> & "kiểm tra" <script>alert(1)</script>'


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> str:
    """The sample corpus and the seed articles in one SQLite store (as `hoptac ingest corpus/sample ../shared/corpus/seeds`)."""
    seeds = SHARED / "corpus" / "seeds"
    if not seeds.is_dir():
        pytest.skip(f"../shared is not beside the project ({SHARED})")
    db = str(tmp_path_factory.mktemp("reports") / "store.db")
    engine = connect(db)
    summary = ingest(engine, [str(SAMPLE), str(seeds)], jobs=1)
    assert summary.failed == []
    engine.dispose()
    return db


@pytest.fixture(scope="module")
def engine(store):
    engine = connect(store)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def settings():
    return load()


def _build(engine, settings, province=None, year=None, as_of=AS_OF) -> dict:
    with engine.connect() as conn:
        return report.build(conn, province=province, year=year, as_of=as_of, settings=settings)


def _police(data: dict) -> dict:
    found = [p for p in data["programs"] if p["signed_on"] == "2022-03-03"]
    assert len(found) == 1, [p["title"] for p in data["programs"]]
    return found[0]


@pytest.fixture(scope="module")
def can_tho(engine, settings) -> dict:
    return _build(engine, settings, province="Cần Thơ")


@pytest.fixture(scope="module")
def national(engine, settings) -> dict:
    return _build(engine, settings)


# ---------------------------------------------------------------------------- the data


def test_can_tho_report_has_the_police_program_with_its_final_review_alert(can_tho):
    assert can_tho["province"] == "Cần Thơ" and can_tho["as_of"] == "2026-11-22" and can_tho["year"] is None
    police = _police(can_tho)
    assert (police["period_start"], police["period_end"], police["period"]) == (2021, 2025, "2021–2025")
    assert any("Công an" in p for p in police["parties"])
    rules = {a["rule"] for a in police["alerts"]}
    assert "final_review_missing" in rules
    final = next(a for a in police["alerts"] if a["rule"] == "final_review_missing")
    assert final["key"] == f"final_review_missing/{police['id']}/program" and final["since"] == "2026-03-31"
    assert final["titles"]["vi"] == "Hết giai đoạn chưa tổng kết"
    assert police["alerts_by_severity"]["high"] >= 1
    # every program of the report is Cần Thơ's, before or after the 2025 merger (Sóc Trăng's program is now Cần Thơ's)
    assert all("Cần Thơ" in (p["province"], p["province_now"]) for p in can_tho["programs"])
    assert any(p["province"] == "Sóc Trăng" for p in can_tho["programs"])
    # the report's alerts: its programs' and the province's unanswered working visits
    assert {a["program_id"] for a in can_tho["alerts"]} - {None} == {p["id"] for p in can_tho["programs"] if p["alerts"]}
    assert any(a["rule"] == "visit_recommendations_unanswered" for a in can_tho["alerts"])
    assert can_tho["totals"]["alerts"] == len(can_tho["alerts"]) == sum(can_tho["alerts_by_severity"].values())
    assert sum(x["total"] for x in can_tho["alerts_by_rule"]) == len(can_tho["alerts"])


def test_a_province_is_read_however_it_is_written(engine, settings, can_tho):
    for spelling in ("can tho", "TP. Cần Thơ", "CẦN THƠ"):
        data = _build(engine, settings, province=spelling)
        assert data["province"] == "Cần Thơ"
        assert [p["id"] for p in data["programs"]] == [p["id"] for p in can_tho["programs"]]
    unknown = _build(engine, settings, province="Atlantis")
    assert unknown["programs"] == [] and unknown["follow_up_rate"]["rate"] is None


def test_the_follow_up_rate_counts_programs_old_enough_with_a_follow_up(national, settings):
    months = settings["action_plan_missing"]["months_after_signing"]
    assert national["settings"]["months"] == months
    programs_ = national["programs"]
    eligible = [p for p in programs_ if p["eligible"]]
    assert all(p["start"] and date.fromisoformat(p["start"]) <= date(2026, 5, 22) for p in eligible)
    for p in programs_:
        has_follow_up = p["follow_ups_total"] > 0 or p["action_items"] > 0
        assert p["followed"] == (p["eligible"] and has_follow_up), p["title"]
    rate = national["follow_up_rate"]
    assert (rate["numerator"], rate["denominator"]) == (sum(p["followed"] for p in programs_), len(eligible))
    assert rate["rate"] == pytest.approx(rate["numerator"] / rate["denominator"])
    # the Hà Giang program's plan and interim review are follow-ups; the Cần Thơ police program has none
    ha_giang = next(p for p in programs_ if p["signed_on"] == "2023-09-08")
    assert ha_giang["followed"] and ha_giang["follow_ups"]["action_plan"] == 1 and ha_giang["follow_ups"]["review_interim"] == 1
    assert not _police(national)["followed"]


def test_the_commitment_rate_is_fulfilled_or_followed_up_among_those_not_dropped(national):
    states = national["totals"]["commitments_by_state"]
    assert set(states) == set(report.COMMITMENT_STATES)
    assert sum(states.values()) == national["totals"]["commitments"] == sum(p["commitments_total"] for p in national["programs"])
    rate = national["commitment_rate"]
    assert rate["numerator"] == states["fulfilled"] + states["followed_up"]
    assert rate["denominator"] == national["totals"]["commitments"] - states["dropped"]


def test_commitment_states_agree_with_the_program_page(engine, settings, national):
    with engine.connect() as conn:
        for p in national["programs"]:
            page = record.program(conn, p["id"], as_of=AS_OF, settings=settings)
            expected: dict[str, int] = {}
            for c in page["commitments"]:
                expected[c["state"]] = expected.get(c["state"], 0) + 1
            assert p["commitments"] == expected, p["title"]


def test_young_and_unknown_programs_are_not_judged(engine, settings):
    early = _build(engine, settings, as_of=date(2022, 5, 1))
    known = {p["id"] for p in early["programs"]}
    with engine.connect() as conn:
        named_later = {r.id for r in conn.execute(select(programs.c.id, programs.c.known_since)) if r.known_since and r.known_since > "2022-05-01"}
    assert known and not known & named_later
    cao_bang = next(p for p in early["programs"] if p["signed_on"] == "2022-04-25")  # signed a week before: too young
    assert not cao_bang["eligible"] and not cao_bang["followed"]


def test_a_year_takes_the_programs_running_or_signed_in_it(engine, settings):
    data = _build(engine, settings, year=2022)
    assert data["year"] == 2022 and data["programs"]
    for p in data["programs"]:
        running = p["period_start"] and p["period_start"] <= 2022 <= (p["period_end"] or p["period_start"])
        assert running or (p["signed_on"] or "").startswith("2022"), p
    assert not any(p["signed_on"] == "2024-05-31" for p in data["programs"])  # Long An, 2024–2029
    assert all(a["program_id"] in {p["id"] for p in data["programs"]} or a["program_id"] is None for a in data["alerts"])


def test_rates_by_province_set_one_against_the_nation_or_list_them_all(can_tho, national):
    chosen, country = can_tho["rates_by_province"]
    assert chosen["chosen"] and chosen["label"] == "Cần Thơ" and country["national"]
    assert (chosen["numerator"], chosen["denominator"]) == (can_tho["follow_up_rate"]["numerator"], can_tho["follow_up_rate"]["denominator"])
    assert country == {**national["rates_by_province"][0]}
    rows = national["rates_by_province"]
    assert rows[0]["national"] and len(rows) > 5
    assert sum(r["denominator"] for r in rows[1:]) == rows[0]["denominator"]
    assert sum(r["numerator"] for r in rows[1:]) == rows[0]["numerator"]
    assert "Cần Thơ" in {r["label"] for r in rows}
    rates = [r["rate"] for r in rows[1:] if r["rate"] is not None]
    assert rates == sorted(rates, reverse=True)


def test_the_report_runs_on_every_store(store_url, shared, settings):
    """The same queries on PostgreSQL: the seed articles' Cần Thơ police program."""
    engine = connect(store_url)
    ingest(engine, [str(shared / "corpus" / "seeds")], jobs=1)
    data = _build(engine, settings, province="Cần Thơ")
    assert "final_review_missing" in {a["rule"] for a in _police(data)["alerts"]}
    engine.dispose()


# ---------------------------------------------------------------------------- HTML


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)


def test_the_html_report_stands_alone_with_both_charts(can_tho):
    html = report.render_html(can_tho, "vi")
    assert html.startswith("<!doctype html>") and '<html lang="vi">' in html
    assert html.count("<svg") == 2 and "chart-rates" in html and "chart-programs-timeline" in html
    assert "<style>" in html and "<link" not in html and "<script" not in html  # nothing to fetch: it prints on its own
    assert "Cần Thơ" in html and "Hết giai đoạn chưa tổng kết" in html and "2022-03-03" in html
    assert "Tỷ lệ có hoạt động tiếp theo" in html  # the definitions are printed
    parser = _Tags()
    parser.feed(html)
    assert parser.tags.count("table") == 4 and "figure" in parser.tags
    english = report.render_html(can_tho, "en")
    assert '<html lang="en">' in english and "Period ended without a final review" in english and "Definitions" in english


def test_a_title_with_markup_stays_text(tmp_path, store, settings):
    copy = tmp_path / "store.db"
    shutil.copy(store, copy)
    engine = connect(str(copy))
    with engine.begin() as conn:
        police = conn.execute(select(programs.c.id).where(programs.c.signed_on == "2022-03-03")).scalar_one()
        conn.execute(update(programs).where(programs.c.id == police).values(title=NASTY))
    data = _build(engine, settings, province="Cần Thơ")
    html = report.render_html(data, "en")
    assert "<script>alert(1)</script>" not in html and "<b>thử</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&amp; &#34;kiểm tra&#34;" in html
    with engine.connect() as conn:
        feed = feeds.atom(monitor.alerts(conn, AS_OF, settings, province="Cần Thơ"), base_url="http://x.test", as_of=AS_OF, title="t")
    titles = [e.find(f"{ATOM}title").text for e in ET.fromstring(feed).iter(f"{ATOM}entry")]
    assert any(t.endswith(NASTY) for t in titles) and "<script>" not in feed
    assert "alert(1)" in _pdf_text(report.render_pdf(data, "en"))  # printed as it is, as text
    engine.dispose()


# ---------------------------------------------------------------------------- PDF


def _pdf_text(pdf: bytes) -> str:
    doc = pdfium.PdfDocument(pdf)
    try:
        return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()


def _pixels(page) -> np.ndarray:
    return np.asarray(page.render(scale=2).to_pil().convert("RGB")).reshape(-1, 3).astype(int)


def _share_near(pixels: np.ndarray, colour: str, tolerance: int = 12) -> float:
    rgb = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)])
    return float((np.abs(pixels - rgb).max(axis=1) <= tolerance).mean())


@pytest.fixture(scope="module")
def can_tho_pdf(can_tho) -> bytes:
    return report.render_pdf(can_tho, "vi")


def test_the_pdf_draws_the_charts_in_their_colours(can_tho_pdf):
    assert can_tho_pdf.startswith(b"%PDF-")
    doc = pdfium.PdfDocument(can_tho_pdf)
    try:
        first = _pixels(doc[0])
        assert (first < 250).any(axis=1).mean() > 0.05, "the first page is blank"
        texts = [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
        with_charts = [i for i, t in enumerate(texts) if "Các chương trình theo giai đoạn" in t]
        assert with_charts
        pixels = np.concatenate([_pixels(doc[i]) for i in {0, *with_charts}])
    finally:
        doc.close()
    # the bars and periods (blue), the signing diamonds (amber), the reviews (green) and the action plans (violet, in the key):
    # colours that nothing but the charts has
    for colour, least in ((charts._BAR_FILL, 0.005), (charts._PT_SIGNING, 0.0001), (charts._PT_REVIEW, 0.00005), (charts._PT_PLAN, 0.00001)):
        assert _share_near(pixels, colour) > least, colour


def test_the_pdf_text_keeps_its_diacritics(can_tho_pdf):
    text = _pdf_text(can_tho_pdf)
    for words in ("Cần Thơ", "Báo cáo theo dõi chương trình hợp tác khoa học và công", "Tính đến", "2026-11-22",
                  "Hết giai đoạn chưa tổng kết", "Sở Khoa học và Công nghệ thành phố Cần Thơ", "Cả nước", "Tỷ lệ theo tỉnh, thành phố"):
        assert words in text, words
    # the charts' words are text too, not pictures of it
    assert "Sóc Trăng" in text and "Tính đến 2026-11-22" in text


def test_the_national_pdf_in_english_lists_every_program(national):
    text = _pdf_text(report.render_pdf(national, "en"))
    assert "Follow-up report on science and technology cooperation" in text and "National" in text
    for p in national["programs"]:
        assert f"#{p['id']}" in text or str(p["id"]) in text
    assert "Page 1 of" in text


# ---------------------------------------------------------------------------- Atom


def test_the_atom_feed_has_one_entry_per_alert_with_stable_ids(engine, settings):
    with engine.connect() as conn:
        alerts = monitor.alerts(conn, AS_OF, settings, province="Cần Thơ")
    feed = feeds.atom(alerts, base_url="http://hoptac.test/", as_of=AS_OF, title="hoptac: alerts · Cần Thơ")
    root = ET.fromstring(feed.encode("utf-8"))
    assert root.tag == f"{ATOM}feed" and root.find(f"{ATOM}title").text == "hoptac: alerts · Cần Thơ"
    assert root.find(f"{ATOM}updated").text == "2026-11-22T00:00:00Z"
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == len(alerts)
    ids = [e.find(f"{ATOM}id").text for e in entries]
    assert len(set(ids)) == len(ids) and set(ids) == {feeds.alert_id(a.key) for a in alerts}
    again = feeds.atom(list(reversed(alerts)), base_url="http://elsewhere.test", as_of=AS_OF, title="hoptac: alerts · Cần Thơ")
    assert sorted(ids) == sorted(e.find(f"{ATOM}id").text for e in ET.fromstring(again).iter(f"{ATOM}entry"))
    by_id = {e.find(f"{ATOM}id").text: e for e in entries}
    final = next(a for a in alerts if a.rule == "final_review_missing")
    entry = by_id[feeds.alert_id(final.key)]
    assert entry.find(f"{ATOM}link").get("href") == f"http://hoptac.test/programs/{final.program_id}"
    assert entry.find(f"{ATOM}updated").text == f"{final.since}T00:00:00Z"
    summary = entry.find(f"{ATOM}summary").text
    assert final.message in summary and final.explanation in summary
    visit = next(a for a in alerts if a.program_id is None)
    assert by_id[feeds.alert_id(visit.key)].find(f"{ATOM}link").get("href") == f"http://hoptac.test/documents/{visit.subject['document_id']}"
    for e in entries:  # RFC 4287: every entry has id, title, updated, and an author through the feed
        assert e.find(f"{ATOM}title").text and re.fullmatch(r"\d{4}-\d\d-\d\dT00:00:00Z", e.find(f"{ATOM}updated").text)
    assert root.find(f"{ATOM}author/{ATOM}name").text == "hoptac"


def test_an_empty_feed_is_still_a_feed():
    root = ET.fromstring(feeds.atom([], base_url="http://x.test", as_of=AS_OF, title="nothing"))
    assert root.findall(f"{ATOM}entry") == [] and root.find(f"{ATOM}id").text


# ---------------------------------------------------------------------------- iCalendar


def _unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")[:-1]


def _events(text: str) -> list[dict[str, str]]:
    events, current = [], None
    for line in _unfold(text):
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        elif current is not None:
            name, _, value = line.partition(":")
            current[name] = value
    return events


@pytest.fixture(scope="module")
def calendar(engine, settings) -> str:
    with engine.connect() as conn:
        return feeds.ical(conn, base_url="http://hoptac.test/", settings=settings, as_of=AS_OF)


def test_the_calendar_is_well_formed(calendar):
    assert calendar.endswith("\r\n") and "\n" not in calendar.replace("\r\n", "") and "\r" not in calendar.replace("\r\n", "")
    raw = calendar.encode("utf-8").split(b"\r\n")[:-1]
    assert max(len(line) for line in raw) <= 75
    assert any(line.startswith(b" ") for line in raw)  # long lines were folded...
    for line in raw:
        line.decode("utf-8")  # ...never inside a character
    lines = _unfold(calendar)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR" and "VERSION:2.0" in lines
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") > 0
    depth = 0
    for line in lines:
        depth += line.startswith("BEGIN:") - line.startswith("END:")
        assert depth >= 0
    assert depth == 0
    events = _events(calendar)
    assert len({e["UID"] for e in events}) == len(events)
    for e in events:
        assert {"UID", "DTSTAMP", "DTSTART;VALUE=DATE", "DTEND;VALUE=DATE", "SUMMARY"} <= set(e)
        assert re.fullmatch(r"\d{8}", e["DTSTART;VALUE=DATE"]) and e["DTEND;VALUE=DATE"] > e["DTSTART;VALUE=DATE"]
        assert not re.search(r"(?<!\\)[,;]", e["SUMMARY"])  # commas and semicolons escaped


def test_the_calendar_has_the_long_an_action_plan_deadline(engine, settings, calendar):
    events = _events(calendar)
    on_day = [e for e in events if e["DTSTART;VALUE=DATE"] == "20240731"]
    assert on_day and all("Thỏa thuận hợp tác về nghiên cứu\\, chuyển giao công nghệ" in e["SUMMARY"] for e in on_day)
    assert {e["UID"].split("@")[0].rsplit("-", 1)[0] for e in on_day} >= {"commitment"}
    assert any(e["UID"].endswith("-action_plan_due@hoptac") for e in on_day)
    with engine.connect() as conn:
        long_an = feeds.ical(conn, base_url="http://hoptac.test", settings=settings, province="long an", as_of=AS_OF)
    assert "DTSTART;VALUE=DATE:20240731" in long_an and "X-WR-CALNAME:hoptac · Long An" in long_an
    assert {e["UID"] for e in _events(long_an)} <= {e["UID"] for e in events}  # the same UIDs whatever the selection
    # the Cần Thơ police program's final review is due three months after its period, and is not reported
    assert any(e["UID"].endswith("-final_review_due@hoptac") and e["DTSTART;VALUE=DATE"] == "20260331" for e in events)


def test_met_milestones_are_left_out_and_dates_agree_with_the_program_page(engine, settings, calendar):
    uids = {e["UID"] for e in _events(calendar)}
    with engine.connect() as conn:
        states = monitor.load_states(conn, date.max, settings)
        for state in states:
            row = conn.execute(select(programs).where(programs.c.id == state.id)).one()
            page = {m["kind"]: m["date"] for m in record.milestones(conn, row, settings) if m["kind"] != "period_end"}
            assert {name: day.isoformat() for name, day, _ in monitor.milestones(state, settings) if name != "period_end"} == page
        ha_giang = next(s for s in monitor.load_states(conn, AS_OF, settings) if s.signed_on == date(2023, 9, 8))
    assert f"program-{ha_giang.id}-action_plan_due@hoptac" not in uids  # its plan was reported in December 2023
    assert f"program-{ha_giang.id}-final_review_due@hoptac" in uids


def test_text_is_escaped_and_lines_are_folded_by_octets():
    assert feeds._text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    line = "SUMMARY:" + "Nghiệm thu nhiệm vụ khoa học và công nghệ cấp bộ, " * 4
    folded = feeds._fold(line)
    parts = folded.split("\r\n ")
    assert len(parts) > 1 and all(len(p.encode()) <= (75 if i == 0 else 74) for i, p in enumerate(parts))
    assert "".join(parts) == line


# ---------------------------------------------------------------------------- the charts


def test_rate_bars_scale_to_a_hundred_percent_and_escape_their_labels():
    svg = charts.followup_rates([{"label": "Cả nước", "numerator": 1, "denominator": 3, "reference": True},
                                 {"label": "<&>", "numerator": 2, "denominator": 2, "link": "/reports?province=x"},
                                 {"label": "Không có", "numerator": 0, "denominator": 0}], title="Tỷ lệ")
    ET.fromstring(svg)
    assert "&lt;&amp;&gt;" in svg and "<&>" not in svg
    assert "33% (1/3)" in svg and "100% (2/2)" in svg and "—" in svg
    widths = [float(w) for w in re.findall(r'class="bar-rect"[^>]*width="([\d.]+)"', svg)]
    assert len(widths) == 2 and widths[1] == pytest.approx(widths[0] * 3, rel=0.01)
    assert charts._FR_REFERENCE in svg and 'href="/reports?province=x"' in svg
    assert "chart-rates" in charts.followup_rates([], title="t", empty="trống") and "trống" in charts.followup_rates([], title="t", empty="trống")


def test_the_programs_timeline_has_bars_signings_reviews_and_the_reference_date():
    rows = [{"label": "A <b>", "start": "2021-01-01", "end": "2025-12-31", "signed": "2022-03-03",
             "marks": [{"kind": "review_interim", "date": "2023-10-12"}, {"kind": "visit", "date": "2024-01-05"}], "link": "/programs/1"},
            {"label": "B", "start": None, "end": None, "signed": "2025-09-22", "marks": []},
            {"label": "no dates at all", "start": None, "end": None, "signed": None, "marks": []}]
    svg = charts.programs_timeline(rows, title="Giai đoạn", as_of="2026-11-22", labels={"as_of": "tính đến"})
    ET.fromstring(svg)
    assert svg.count('class="lane program"') == 2 and "A &lt;b&gt;" in svg
    assert svg.count('class="mark signing"') == 2 + 1  # two programs, and the legend's
    assert 'class="mark review_interim"' in svg and 'class="mark visit"' in svg and 'href="/programs/1"' in svg
    assert "tính đến 2026-11-22" in svg and charts._PT_AS_OF in svg
    assert [int(y) for y in re.findall(r'data-year="(\d+)"', svg)][:1] == [2021] and 'data-year="2027"' in svg
    many = charts.programs_timeline([{"label": str(i), "start": "2020-01-01", "end": "2021-12-31"} for i in range(5)],
                                    title="t", max_rows=3, more="+{n} khác")
    assert many.count('class="lane program"') == 3 and "+2 khác" in many
    assert "—" in charts.programs_timeline([], title="t")


# ---------------------------------------------------------------------------- the routes


@pytest.fixture(scope="module")
def client(store) -> TestClient:
    return TestClient(create_app(store), follow_redirects=False)


def test_the_report_page_shows_the_form_and_the_report(client):
    r = client.get("/reports", params={"province": "Cần Thơ", "as_of": "2026-11-22", "lang": "vi"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert '<form class="report-form"' in html and 'name="as_of" type="date" value="2026-11-22"' in html
    assert html.count("<svg") == 2 and "Hết giai đoạn chưa tổng kết" in html
    # the site's Content-Security-Policy allows no inline style: the page links its stylesheet
    assert "style-src 'self'" in r.headers["content-security-policy"]
    assert "<style" not in html and ' style="' not in html and '<link rel="stylesheet" href="/static/report.css">' in html
    assert client.get("/static/report.css").status_code == 200
    assert "/reports/report.pdf?province=" in html
    assert 'href="/feeds/alerts.atom?province=' in html and 'href="/feeds/due.ics?province=' in html
    assert not re.search(r'href="/feeds/[^"]*as_of', html)  # feeds to subscribe to are today's, every day


def test_undated_requests_are_judged_today(client):
    today = date.today().isoformat()
    assert f'name="as_of" type="date" value="{today}"' in client.get("/reports", params={"as_of": ""}).text
    root = ET.fromstring(client.get("/feeds/alerts.atom").content)
    assert root.find(f"{ATOM}updated").text >= f"{today}T00:00:00Z"
    assert f"DTSTAMP:{today.replace('-', '')}T000000Z" in client.get("/feeds/due.ics").text
    r = client.get("/reports/report.pdf")
    assert r.status_code == 200 and f"as-of-{today}.pdf" in r.headers["content-disposition"]


def test_the_pdf_route_names_its_file(client):
    r = client.get("/reports/report.pdf", params={"province": "Cần Thơ", "year": 2025, "as_of": "2026-11-22"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf" and r.content.startswith(b"%PDF-")
    disposition = r.headers["content-disposition"]
    assert 'filename="hoptac-report-can-tho-2025-as-of-2026-11-22.pdf"' in disposition and "filename*=UTF-8''" in disposition
    assert "Cần Thơ" in _pdf_text(r.content)


def test_the_feeds_have_their_content_types(client):
    r = client.get("/feeds/alerts.atom", params={"province": "can tho", "as_of": "2026-11-22"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(r.content)
    assert root.find(f"{ATOM}title").text == "hoptac: alerts · Cần Thơ" and root.findall(f"{ATOM}entry")
    assert all(link.get("href").startswith("http://localhost:8000/") for link in root.iter(f"{ATOM}link"))  # the default base URL
    r = client.get("/feeds/due.ics", params={"province": "Long An", "as_of": "2026-11-22"})
    assert r.status_code == 200 and r.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "DTSTART;VALUE=DATE:20240731\r\n" in r.text and "URL:http://localhost:8000/programs/" in r.text


def test_bad_parameters_are_refused(client):
    assert client.get("/reports", params={"as_of": "2026-02-30"}).status_code == 400
    assert client.get("/reports", params={"as_of": "2026-11-22", "year": "1800"}).status_code == 400
    assert client.get("/feeds/alerts.atom", params={"as_of": "2026-11-22", "province": "x" * 101}).status_code == 400


@pytest.mark.parametrize("path", ["/monitor", "/programs", "/reports", "/reports/report.pdf", "/feeds/alerts.atom", "/feeds/due.ics", "/api/v1/alerts"])
def test_a_province_no_one_knows_is_a_400_on_every_tracking_page(client, path):
    r = client.get(path, params={"province": "Atlantis", "as_of": "2026-11-22"})
    assert r.status_code == 400 and "Atlantis" in r.text, (r.status_code, r.text[:200])
    assert client.get(path, params={"province": "can tho", "as_of": "2026-11-22"}).status_code == 200


def test_a_private_server_asks_who_reads_its_feeds(store):
    private = TestClient(create_app(store, private=True), follow_redirects=False)
    for path in ("/reports?as_of=2026-11-22", "/feeds/alerts.atom?as_of=2026-11-22", "/feeds/due.ics?as_of=2026-11-22",
                 "/reports/report.pdf?as_of=2026-11-22"):
        assert private.get(path).status_code == 401, path


def test_the_report_is_json_ready(national):
    import json
    assert json.loads(json.dumps(national, ensure_ascii=False)) == national


def test_feed_links_come_from_the_configured_address_never_from_a_requests_host(store):
    base = "https://hoptac.example.vn/"
    open_app = TestClient(create_app(store, base_url=base), follow_redirects=False)
    # anyone may send any Host: the links (and the cached page the next reader gets) do not change
    poisoned = open_app.get("/feeds/alerts.atom", params={"as_of": "2026-11-22"}, headers={"Host": "attacker.example"})
    clean = open_app.get("/feeds/alerts.atom", params={"as_of": "2026-11-22"})
    for r in (poisoned, clean):
        links = [link.get("href") for link in ET.fromstring(r.content).iter(f"{ATOM}link")]
        assert links and all(h.startswith(base) for h in links), links
    calendar = open_app.get("/feeds/due.ics", params={"as_of": "2026-11-22"}, headers={"Host": "attacker.example"}).text
    assert "attacker" not in calendar and f"URL:{base}programs/" in calendar
    guarded = TestClient(create_app(store, base_url=base, trusted_hosts=["hoptac.example.vn", "localhost"]), base_url="http://hoptac.example.vn")
    assert guarded.get("/feeds/alerts.atom", headers={"Host": "attacker.example"}).status_code == 400
    assert guarded.get("/feeds/alerts.atom").status_code == 200


def test_hoptac_serve_answers_only_its_own_names_by_default(store, tmp_path):
    # A copy for the server process: a test above reads the store's file with shutil, which drops
    # this process's POSIX locks on it, and a server closing last would then remove the WAL under us.
    own = str(tmp_path / "served.db")
    with sqlite3.connect(store) as source, sqlite3.connect(own) as target:
        source.backup(target)
    with served(own) as server, httpx2.Client(base_url=server.url, timeout=30) as client:
        assert client.get("/feeds/alerts.atom", headers={"Host": "attacker.example"}).status_code == 400
        r = client.get("/feeds/alerts.atom", params={"as_of": "2026-11-22"})
        port = server.url.rsplit(":", 1)[1]
        assert r.status_code == 200 and f"http://localhost:{port}/" in r.text


def test_a_very_long_stored_title_still_prints_in_the_pdf(client, store):
    """A title of thousands of characters (stored before edits were capped) is cut, not a 500."""
    engine = connect(store)
    with engine.begin() as conn:
        first, title = conn.execute(select(programs.c.id, programs.c.title).order_by(programs.c.id)).first()
        conn.execute(update(programs).where(programs.c.id == first).values(title="Chươngtrìnhphốihợp" * 300))
    try:
        r = client.get("/reports/report.pdf", params={"as_of": "2026-11-22"})
        assert r.status_code == 200 and r.content.startswith(b"%PDF")
        assert "Chươngtrìnhphốihợp" in _pdf_text(r.content)
    finally:
        with engine.begin() as conn:
            conn.execute(update(programs).where(programs.c.id == first).values(title=title))
        engine.dispose()
