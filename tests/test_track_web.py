"""The follow-up of cooperation programs on the web, on SQLite and on PostgreSQL: the API's
programs and alerts and the changes editors make through it, the program and monitor pages,
and the forms editors record follow-up with.

One store per backend (a module-scoped fixture) holds the five seed articles, an editor ``ed``
and a viewer ``vi``. Tests find programs by province through the API. The Cao Bằng program is
the acceptance case (its alerts as of 1 May 2022 and 22 November 2026): tests change it only
to undo the change before they end; the other changes land on the Cần Thơ program, whose
alerts no test counts.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, insert, update

from conftest import CAN_THO_VISIT, CAO_BANG, SHARED, own_pg_database
from hoptac.store import users
from hoptac.store.db import connect
from hoptac.store.ingest import ingest
from hoptac.store.schema import action_items, program_commitments
from hoptac.track.monitor import SEVERITY_ORDER
from hoptac.web import charts
from hoptac.web.app import create_app

PASSWORDS = {"ed": "ed-password-1", "vi": "vi-password-1"}
V1 = "/api/v1"
CAO_BANG_DEPARTMENT = "Sở Khoa học và Công nghệ tỉnh Cao Bằng"
INSTITUTE = "Viện Ứng dụng Công nghệ"
LATE = "2026-11-22"  # the Cao Bằng program's period is over: no plan, no interim review, no final review
EARLY = "2022-05-01"  # a week after its signing: nothing is due yet
CAO_BANG_ALERTS = {"action_plan_missing", "interim_review_missing", "final_review_missing"}
STATES = {"open", "overdue", "followed_up", "fulfilled", "dropped"}


# ---------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def store(request, tmp_path_factory) -> str:
    """The URL of a store holding the five seed articles and the users ed and vi."""
    seeds = SHARED / "corpus" / "seeds"
    if not seeds.is_dir():
        pytest.skip(f"../shared is not beside the project ({SHARED}); these tests read its seed articles")
    if request.param == "sqlite":
        url = str(tmp_path_factory.mktemp("track-web") / "store.db")
    else:
        if not os.environ.get("HOPTAC_TEST_PG"):
            pytest.skip("PostgreSQL store tests need HOPTAC_TEST_PG=postgresql://... (scripts/pg_test_server.sh DIR starts a server and prints it)")
        url = own_pg_database("track", os.environ["HOPTAC_TEST_PG"])
    engine = connect(url)
    summary = ingest(engine, [str(seeds)], jobs=1)
    assert (summary.added, summary.failed) == (5, [])
    with engine.begin() as conn:
        for name, role in (("ed", "editor"), ("vi", "viewer")):
            users.add_user(conn, name, PASSWORDS[name], role, actor="test_track_web")
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def app(store):
    app = create_app(store)
    yield app
    app.state.engine.dispose()


@pytest.fixture(scope="module")
def client(app) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as c:
        yield c


@pytest.fixture
def reader(app) -> TestClient:
    """A client of its own, for pages: the language a test chooses stays in its cookies."""
    return TestClient(app, raise_server_exceptions=False, follow_redirects=False)


@pytest.fixture(scope="module")
def ed(client) -> dict[str, str]:
    return token_of(client, "ed")


@pytest.fixture(scope="module")
def vi(client) -> dict[str, str]:
    return token_of(client, "vi")


def token_of(client: TestClient, name: str) -> dict[str, str]:
    r = client.post(f"{V1}/auth/token", json={"name": name, "password": PASSWORDS[name]})
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


@pytest.fixture(scope="module")
def ids(client) -> dict[str, int]:
    """The ids the tests look at: the Cao Bằng and Cần Thơ programs, the Hải Phòng framework program, two articles."""
    programs = client.get(f"{V1}/programs", params={"limit": 200}).json()["items"]
    documents = {d["name"]: d["id"] for d in client.get(f"{V1}/documents", params={"limit": 200}).json()["items"]}
    by_province = {p["province"]: p["id"] for p in programs if p["province"] in ("Cao Bằng", "Cần Thơ")}
    (framework,) = [p["id"] for p in programs if p["title"] == "Chương trình hợp tác khung giai đoạn 2022-2025"]
    return {"cao_bang": by_province["Cao Bằng"], "can_tho": by_province["Cần Thơ"], "framework": framework,
            "signing": documents[CAO_BANG], "visit": documents[CAN_THO_VISIT]}


def program(client: TestClient, program_id: int, as_of: str | None = None) -> dict:
    r = client.get(f"{V1}/programs/{program_id}", params={"as_of": as_of} if as_of else {})
    assert r.status_code == 200, r.text
    return r.json()


def error_of(r, status: int) -> dict:
    """The API's one error shape, with this status."""
    assert r.status_code == status, (r.status_code, r.text)
    error = r.json()["error"]
    assert error["status"] == status and error["code"] and error["message"] and isinstance(error["details"], list)
    return error


def login(app, name: str = "ed") -> TestClient:
    """A browser-like client of the app, logged in through the login form."""
    c = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
    c.post("/login", data={"name": name, "password": PASSWORDS[name], "csrf": csrf_of(c.get("/login").text), "next": "/"})
    assert c.cookies.get("hoptac_session"), f"{name} could not log in"
    return c


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


# ---------------------------------------------------------------------------- the API: programs


def test_programs_list_with_items_total_limit_and_offset(client):
    whole = client.get(f"{V1}/programs", params={"limit": 200}).json()
    assert set(whole) == {"items", "total", "limit", "offset"} and whole["total"] == len(whole["items"]) == 5
    assert all({"id", "title", "parties", "follow_ups", "province", "period_start"} <= set(p) for p in whole["items"])
    first = client.get(f"{V1}/programs", params={"limit": 2}).json()
    second = client.get(f"{V1}/programs", params={"limit": 2, "offset": 2}).json()
    assert [p["id"] for p in first["items"] + second["items"]] == [p["id"] for p in whole["items"][:4]]


@pytest.mark.parametrize("province", ["Cao Bằng", "cao bang", "CAO BẰNG"])
def test_programs_of_a_province_in_any_spelling(client, ids, province):
    page = client.get(f"{V1}/programs", params={"province": province}).json()
    assert [p["id"] for p in page["items"]] == [ids["cao_bang"]] and page["total"] == 1


def test_programs_by_words_year_and_party(client, ids):
    assert [p["id"] for p in client.get(f"{V1}/programs", params={"q": "thuc day doi moi sang tao"}).json()["items"]] == [ids["cao_bang"]]
    in_2021 = client.get(f"{V1}/programs", params={"year": 2021}).json()["items"]
    assert {p["province"] for p in in_2021} == {"Hải Phòng", "Cần Thơ"} and len(in_2021) == 2
    department = next(p["entity_id"] for p in program(client, ids["cao_bang"])["parties"] if p["name"] == CAO_BANG_DEPARTMENT)
    assert [p["id"] for p in client.get(f"{V1}/programs", params={"party": department}).json()["items"]] == [ids["cao_bang"]]


def test_a_program_reads_whole_with_its_parties_points_commitments_and_articles(client, ids):
    p = program(client, ids["cao_bang"])
    assert (p["signed_on"], p["period_start"], p["period_end"], p["orientation_to"]) == ("2022-04-25", 2022, 2025, 2030)
    assert {x["name"] for x in p["parties"]} == {CAO_BANG_DEPARTMENT, INSTITUTE}
    assert "Bế Đăng Khoa" in {s["name"] for s in p["signatories"]}
    assert [x["number"] for x in p["points"]] == list(range(1, 9))
    assert {c["kind"] for c in p["commitments"]} == {"focal_point", "action_plan", "support_tasks", "annual_monitoring"}
    assert {c["state"] for c in p["commitments"]} <= STATES
    (link,) = p["links"]
    assert (link["role"], link["rule"], link["document_id"]) == ("signing", "names_program", ids["signing"])
    assert 0 < link["confidence"] <= 1 and link["reason"]
    assert [m["kind"] for m in p["milestones"]] == ["action_plan_due", "interim_review_due", "period_end", "final_review_due"]


# ---------------------------------------------------------------------------- the API: alerts as of a day


def test_a_week_after_signing_the_cao_bang_program_has_no_alerts(client, ids):
    p = program(client, ids["cao_bang"], EARLY)
    assert (p["as_of"], p["alerts"]) == (EARLY, [])
    assert client.get(f"{V1}/alerts", params={"as_of": EARLY, "province": "Cao Bằng"}).json()["items"] == []


def test_late_in_2026_it_lacks_its_action_plan_and_both_reviews(client, ids):
    assert CAO_BANG_ALERTS <= {a["rule"] for a in program(client, ids["cao_bang"], LATE)["alerts"]}
    listed = client.get(f"{V1}/alerts", params={"as_of": LATE, "province": "Cao Bằng"}).json()
    assert listed["as_of"] == LATE
    assert CAO_BANG_ALERTS <= {a["rule"] for a in listed["items"] if a["program_id"] == ids["cao_bang"]}
    (final,) = [a for a in listed["items"] if a["rule"] == "final_review_missing"]
    assert (final["since"], final["age_days"], final["severity"]) == ("2026-03-31", 236, "high")
    assert final["key"] == f"final_review_missing/{ids['cao_bang']}/program"
    assert final["explanation"] and final["thresholds"]["grace_months"] == 3


def test_alerts_narrow_by_rule_severity_and_province_worst_first(client):
    every = client.get(f"{V1}/alerts", params={"as_of": LATE, "limit": 200}).json()
    assert every["total"] == len(every["items"]) > 5
    assert [SEVERITY_ORDER[a["severity"]] for a in every["items"]] == sorted(SEVERITY_ORDER[a["severity"]] for a in every["items"])
    high = client.get(f"{V1}/alerts", params={"as_of": LATE, "severity": "high", "limit": 200}).json()["items"]
    assert high and {a["severity"] for a in high} == {"high"} and len(high) < every["total"]
    final = client.get(f"{V1}/alerts", params={"as_of": LATE, "rule": "final_review_missing", "limit": 200}).json()["items"]
    assert final and {a["rule"] for a in final} == {"final_review_missing"}
    can_tho = client.get(f"{V1}/alerts", params={"as_of": LATE, "province": "can tho", "limit": 200}).json()["items"]
    assert can_tho and all("Cần Thơ" in (a["province"], a["province_now"]) for a in can_tho)
    second = client.get(f"{V1}/alerts", params={"as_of": LATE, "limit": 2, "offset": 2}).json()
    assert [a["key"] for a in second["items"]] == [a["key"] for a in every["items"][2:4]]


def test_alerts_speak_vietnamese_when_asked(client):
    (alert,) = client.get(f"{V1}/alerts", params={"as_of": LATE, "rule": "final_review_missing", "province": "Cao Bằng",
                                                  "lang": "vi"}).json()["items"]
    assert alert["title"] == "Hết giai đoạn chưa tổng kết" and "tổng kết" in alert["explanation"]


BAD = ["/programs?province=Atlantis", "/programs?year=1800", "/programs?party=0", "/programs?limit=0", "/programs?q=" + "a" * 501,
       "/programs/0", "/programs/abc", "/programs/99999999999999999999", "/programs/1?as_of=2022-02-30", "/programs/1?as_of=yesterday",
       "/programs/1?lang=fr", "/alerts?rule=bogus", "/alerts?severity=extreme", "/alerts?as_of=2022-13-01", "/alerts?province=Atlantis",
       "/alerts?limit=201", "/alerts?include_resolved=maybe", "/alerts?province=%00"]


@pytest.mark.parametrize("path", BAD)
def test_a_bad_parameter_is_a_400(client, path):
    assert error_of(client.get(V1 + path), 400)["code"] == "bad_request"


def test_an_unknown_program_is_a_404(client):
    error_of(client.get(f"{V1}/programs/999999"), 404)


# ---------------------------------------------------------------------------- the API: what editors change


def changes(ids: dict) -> list[tuple[str, str, dict]]:
    """One request of each change, each valid for an editor."""
    ct, reason = ids["can_tho"], {"reason": "kiểm tra quyền"}
    return [
        ("post", f"/programs/{ct}/action-items", {"title": "Kế hoạch", **reason}),
        ("patch", "/action-items/1", {"status": "done", **reason}),
        ("patch", "/commitments/1", {"status": "dropped", **reason}),
        ("post", f"/programs/{ct}/commitments", {"kind": "other", "text": "Báo cáo", **reason}),
        ("put", f"/programs/{ct}/points/1", {"status": "done", **reason}),
        ("post", f"/programs/{ct}/notes", {"text": "Ghi chú", **reason}),
        ("post", "/program-links/1/decision", {"decision": "rejected", **reason}),
        ("post", f"/programs/{ct}/links", {"document_id": ids["visit"], "role": "visit", **reason}),
        ("post", "/alerts/decision", {"key": f"final_review_missing/{ct}/program", "decision": "resolved", **reason}),
    ]


def test_changes_need_an_editor_and_change_nothing_otherwise(client, ids, vi):
    before = [program(client, i, LATE) for i in (ids["cao_bang"], ids["can_tho"])]
    for method, path, body in changes(ids):
        assert error_of(client.request(method, V1 + path, json=body), 401)["code"] == "unauthorized", path
        assert error_of(client.request(method, V1 + path, json=body, headers=vi), 403)["code"] == "forbidden", path
    assert [program(client, i, LATE) for i in (ids["cao_bang"], ids["can_tho"])] == before


def test_a_cookie_session_must_send_its_csrf_token_to_change(app, ids):
    browser = login(app)
    csrf = csrf_of(browser.get("/").text)
    note = {"text": "Ghi chú qua phiên đăng nhập", "reason": "kiểm tra CSRF"}
    error_of(browser.post(f"{V1}/programs/{ids['can_tho']}/notes", json=note), 403)
    error_of(browser.post(f"{V1}/programs/{ids['can_tho']}/notes", json=note, headers={"X-CSRF-Token": "forged"}), 403)
    assert browser.post(f"{V1}/programs/{ids['can_tho']}/notes", json=note, headers={"X-CSRF-Token": csrf}).status_code == 201


def test_an_editor_records_an_action_plan_item_and_the_monitor_counts_it(client, ids, ed):
    ct = ids["can_tho"]
    assert "action_plan_missing" in {a["rule"] for a in program(client, ct, LATE)["alerts"]}
    r = client.post(f"{V1}/programs/{ct}/action-items", headers=ed, json={
        "title": "Kế hoạch thực hiện Chương trình phối hợp năm 2022", "owner": "Sở Khoa học và Công nghệ thành phố Cần Thơ",
        "focal_person": "Phòng Quản lý khoa học", "due": "2022-06-30", "evidence_url": "https://example.org/kh-2022.pdf",
        "reason": "Kế hoạch số 45/KH-SKHCN"})
    assert r.status_code == 201, r.text
    (item,) = [i for i in program(client, ct)["action_items"] if i["id"] == r.json()["id"]]
    assert (item["owner"], item["due"], item["status"], item["created_by"]) == ("Sở Khoa học và Công nghệ thành phố Cần Thơ", "2022-06-30", "planned", "ed")
    assert "action_plan_missing" not in {a["rule"] for a in program(client, ct, LATE)["alerts"]}
    assert client.patch(f"{V1}/action-items/{item['id']}", headers=ed, json={"status": "cancelled", "reason": "bị hủy"}).status_code == 200
    (item,) = [i for i in program(client, ct)["action_items"] if i["id"] == item["id"]]
    assert (item["status"], item["title"], item["due"]) == ("cancelled", "Kế hoạch thực hiện Chương trình phối hợp năm 2022", "2022-06-30")
    assert "action_plan_missing" in {a["rule"] for a in program(client, ct, LATE)["alerts"]}  # a cancelled item is no plan


def test_bad_action_items_are_400s_and_unknown_ones_404s(client, ids, ed):
    ct = ids["can_tho"]
    for body in ({"title": "x", "due": "2022-02-30", "reason": "r"}, {"title": "", "reason": "r"}, {"title": "x", "status": "finished", "reason": "r"},
                 {"title": "x", "evidence_url": "javascript:alert(1)", "reason": "r"}, {"title": "x"}, {"title": "x", "reason": "r", "owner": "a\x00"}):
        error_of(client.post(f"{V1}/programs/{ct}/action-items", headers=ed, json=body), 400)
    error_of(client.post(f"{V1}/programs/999999/action-items", headers=ed, json={"title": "x", "reason": "r"}), 404)
    error_of(client.patch(f"{V1}/action-items/999999", headers=ed, json={"status": "done", "reason": "r"}), 404)


def test_marking_a_commitment_fulfilled_needs_evidence(client, ids, ed):
    ct = ids["can_tho"]
    (c,) = program(client, ct)["commitments"]
    assert c["kind"] == "periodic_review" and c["status"] == "open"
    path = f"{V1}/commitments/{c['id']}"
    assert "fulfilled" in error_of(client.patch(path, headers=ed, json={"status": "fulfilled", "reason": "đã sơ kết"}), 400)["message"]
    assert program(client, ct)["commitments"][0]["status"] == "open"
    r = client.patch(path, headers=ed, json={"status": "fulfilled", "evidence": "Báo cáo sơ kết số 12/BC-SKHCN",
                                             "evidence_url": "https://example.org/bc-12.pdf", "reason": "đã sơ kết năm 2023"})
    assert r.status_code == 200, r.text
    (c,) = program(client, ct)["commitments"]
    assert (c["status"], c["state"], c["evidence"], c["status_by"]) == ("fulfilled", "fulfilled", "Báo cáo sơ kết số 12/BC-SKHCN", "ed")
    client.patch(path, headers=ed, json={"status": "dropped", "reason": "không còn phù hợp"})
    assert program(client, ct)["commitments"][0]["state"] == "dropped"
    client.patch(path, headers=ed, json={"status": "open", "reason": "mở lại"})
    (c,) = program(client, ct)["commitments"]
    assert c["status"] == "open" and c["state"] != "fulfilled" and c["evidence"] is None


def test_an_editor_gives_a_commitment_its_deadline(client, ids, ed):
    (c,) = program(client, ids["can_tho"])["commitments"]
    assert client.patch(f"{V1}/commitments/{c['id']}", headers=ed, json={"due": "2030-06-30", "reason": "theo kế hoạch"}).status_code == 200
    (c,) = program(client, ids["can_tho"], LATE)["commitments"]
    assert (c["due_effective"], c["due_source"], c["state"]) == ("2030-06-30", "analyst", "open")
    error_of(client.patch(f"{V1}/commitments/{c['id']}", headers=ed, json={"reason": "nothing to change"}), 400)
    error_of(client.patch(f"{V1}/commitments/{c['id']}", headers=ed, json={"status": "done", "reason": "r"}), 400)
    error_of(client.patch(f"{V1}/commitments/999999", headers=ed, json={"status": "dropped", "reason": "r"}), 404)


def test_an_editor_adds_a_commitment_a_point_and_a_note(client, ids, ed):
    ct = ids["can_tho"]
    r = client.post(f"{V1}/programs/{ct}/commitments", headers=ed, json={
        "kind": "report_difficulties", "text": "Báo cáo khó khăn, vướng mắc trước ngày 30/6/2026", "actor": "Công an thành phố Cần Thơ",
        "due": "2026-06-30", "made_on": "2026-01-15", "reason": "biên bản làm việc"})
    assert r.status_code == 201, r.text
    (added,) = [c for c in program(client, ct, LATE)["commitments"] if c["id"] == r.json()["id"]]
    assert (added["origin"], added["due_effective"], added["due_source"], added["state"]) == ("analyst", "2026-06-30", "analyst", "overdue")
    error_of(client.post(f"{V1}/programs/{ct}/commitments", headers=ed, json={"kind": "promise", "text": "x", "reason": "r"}), 400)

    r = client.put(f"{V1}/programs/{ct}/points/2", headers=ed, json={"text": "Ứng dụng KH&CN trong phòng cháy, chữa cháy", "status": "in_progress",
                                                                       "reason": "theo văn bản ký kết"})
    assert r.json() == {"program_id": ct, "number": 2}
    point = program(client, ct)["points"][1]
    assert (point["number"], point["text"], point["status"], point["updated_by"]) == (2, "Ứng dụng KH&CN trong phòng cháy, chữa cháy", "in_progress", "ed")
    error_of(client.put(f"{V1}/programs/{ct}/points/0", headers=ed, json={"status": "done", "reason": "r"}), 400)
    error_of(client.put(f"{V1}/programs/{ct}/points/1", headers=ed, json={"status": "finished", "reason": "r"}), 400)

    r = client.post(f"{V1}/programs/{ct}/notes", headers=ed, json={"text": "Đã gọi điện cho Phòng Quản lý khoa học", "reason": "theo dõi"})
    assert r.status_code == 201
    (note,) = [n for n in program(client, ct)["notes"] if n["id"] == r.json()["id"]]
    assert (note["author"], note["text"]) == ("ed", "Đã gọi điện cho Phòng Quản lý khoa học")
    error_of(client.post(f"{V1}/programs/{ct}/notes", headers=ed, json={"text": "", "reason": "r"}), 400)
    error_of(client.post(f"{V1}/programs/999999/notes", headers=ed, json={"text": "x", "reason": "r"}), 404)


def test_an_editor_attaches_an_article_and_decides_on_its_link(client, ids, ed):
    ct = ids["can_tho"]
    r = client.post(f"{V1}/programs/{ct}/links", headers=ed, json={"document_id": ids["visit"], "role": "visit", "reason": "cùng Sở KH&CN"})
    assert r.status_code == 201, r.text
    link_id = r.json()["id"]
    (link,) = [x for x in program(client, ct)["links"] if x["id"] == link_id]
    assert (link["role"], link["rule"], link["origin"], link["decision"], link["decided_by"]) == ("visit", "analyst", "analyst", "confirmed", "ed")
    assert client.post(f"{V1}/program-links/{link_id}/decision", headers=ed, json={"decision": "rejected", "reason": "không liên quan"}).json() \
        == {"id": link_id, "decision": "rejected"}
    (link,) = [x for x in program(client, ct)["links"] if x["id"] == link_id]
    assert (link["decision"], link["decision_reason"]) == ("rejected", "không liên quan")
    error_of(client.post(f"{V1}/programs/{ct}/links", headers=ed, json={"document_id": 999999, "role": "visit", "reason": "r"}), 404)
    error_of(client.post(f"{V1}/programs/{ct}/links", headers=ed, json={"document_id": ids["visit"], "role": "gossip", "reason": "r"}), 400)
    error_of(client.post(f"{V1}/program-links/999999/decision", headers=ed, json={"decision": "confirmed", "reason": "r"}), 404)
    error_of(client.post(f"{V1}/program-links/{link_id}/decision", headers=ed, json={"decision": "maybe", "reason": "r"}), 400)


def test_a_resolved_alert_leaves_the_list_until_reopened(client, ids, ed):
    key = f"final_review_missing/{ids['cao_bang']}/program"
    listed = {"as_of": LATE, "province": "Cao Bằng"}
    assert client.post(f"{V1}/alerts/decision", headers=ed, json={"key": key, "decision": "resolved", "reason": "Báo cáo tổng kết số 45/BC"}).json() \
        == {"key": key, "decision": "resolved"}
    try:
        assert key not in {a["key"] for a in client.get(f"{V1}/alerts", params=listed).json()["items"]}
        (resolved,) = [a for a in client.get(f"{V1}/alerts", params={**listed, "include_resolved": "true"}).json()["items"] if a["key"] == key]
        assert (resolved["resolved"]["note"], resolved["resolved"]["author"]) == ("Báo cáo tổng kết số 45/BC", "ed")
        (shown,) = [a for a in program(client, ids["cao_bang"], LATE)["alerts"] if a["key"] == key]
        assert shown["resolved"]["decision"] == "resolved"
    finally:
        client.post(f"{V1}/alerts/decision", headers=ed, json={"key": key, "decision": "reopened", "reason": "chưa thấy văn bản"})
    assert key in {a["key"] for a in client.get(f"{V1}/alerts", params=listed).json()["items"]}
    error_of(client.post(f"{V1}/alerts/decision", headers=ed, json={"key": "no-key", "decision": "resolved", "reason": "r"}), 400)
    error_of(client.post(f"{V1}/alerts/decision", headers=ed, json={"key": key, "decision": "ignored", "reason": "r"}), 400)


def test_link_decisions_survive_re_extraction(client, store, ids, ed):
    (signing,) = program(client, ids["cao_bang"])["links"]
    (framework,) = program(client, ids["framework"])["links"]
    client.post(f"{V1}/program-links/{signing['id']}/decision", headers=ed, json={"decision": "confirmed", "reason": "đúng lễ ký"})
    client.post(f"{V1}/program-links/{framework['id']}/decision", headers=ed, json={"decision": "rejected", "reason": "nhận nhầm"})
    engine = connect(store)
    try:
        assert ingest(engine, [str(SHARED / "corpus" / "seeds")], jobs=1, version="track-web-re-extraction").reextracted == 5
    finally:
        engine.dispose()
    (signing,) = program(client, ids["cao_bang"])["links"]
    assert (signing["decision"], signing["decided_by"], signing["decision_reason"]) == ("confirmed", "ed", "đúng lễ ký")
    framework_program = program(client, ids["framework"])
    (framework,) = framework_program["links"]
    assert (framework["decision"], framework_program["status"]) == ("rejected", "orphaned")  # its only article is not about it
    client.post(f"{V1}/program-links/{framework['id']}/decision", headers=ed, json={"decision": "confirmed", "reason": "xem lại: đúng"})
    assert program(client, ids["framework"])["status"] == "active"


# ---------------------------------------------------------------------------- pages


PAGES = ["/programs", "/programs?province=cao+bang&year=2022&q=", "/programs?year=&province=", "/monitor",
         f"/monitor?as_of={LATE}&province=&rule=&severity=", "/monitor?resolved=on", "/monitor?lang=en"]


@pytest.mark.parametrize("path", PAGES)
def test_follow_up_pages_render_with_security_headers(reader, path):
    r = reader.get(path)
    assert r.status_code == 200, r.text[:500]
    assert "script-src 'self'" in r.headers["content-security-policy"] and "<script>" not in r.text
    assert 'href="/programs"' in r.text and 'href="/monitor"' in r.text and 'href="/reports"' in r.text


def test_the_programs_page_lists_programs_with_their_follow_up(reader, ids):
    page = reader.get("/programs").text
    assert page.count('<a href="/programs/') >= 5 and f'href="/programs/{ids["cao_bang"]}"' in page
    only = reader.get("/programs", params={"province": "cao bang"}).text
    assert re.findall(r'href="/programs/(\d+)"', only) == [str(ids["cao_bang"])]


def test_the_program_page_draws_its_life_and_lists_what_it_promised(reader, ids):
    page = reader.get(f"/programs/{ids['cao_bang']}", params={"as_of": LATE}).text
    assert "Chương trình phối hợp thúc đẩy phát triển" in page and "Bế Đăng Khoa" in page
    life = re.search(r'<svg[^>]*class="chart chart-program".*?</svg>', page, re.S).group()
    assert 'class="bar period"' in life and 'class="mark signing"' in life and 'class="today"' in life
    assert f'<a href="/documents/{ids["signing"]}">' in life and "mark action_plan_due" in life and "mark overdue" in life
    assert f"Tính đến {LATE}" in life
    assert len(re.findall(r'<tr id="commitment-\d+" class="commitment" data-state="(\w+)"', page)) == 4
    assert CAO_BANG_ALERTS <= set(re.findall(r'data-rule="(\w+)"', page))
    assert 'href="/organizations/' in page and 'href="/persons/' in page
    assert 'action="/commitments/' not in page and 'name="csrf"' not in page.split("</header>", 1)[1]  # no forms for readers


def test_the_program_page_a_week_after_signing_shows_no_alerts(reader, ids):
    page = reader.get(f"/programs/{ids['cao_bang']}", params={"as_of": EARLY}).text
    assert 'class="alert ' not in page and "Không có cảnh báo." in page


def test_the_monitor_groups_alerts_by_severity_with_counts(reader):
    page = reader.get("/monitor", params={"as_of": LATE}).text
    sections = re.findall(r'id="severity-(\w+)"', page)
    assert sections == sorted(sections, key=SEVERITY_ORDER.get) and "high" in sections
    assert page.count('class="chart chart-bar"') == 3
    for s in sections:
        group = re.search(rf'id="severity-{s}".*?</section>', page, re.S).group()
        assert set(re.findall(r'data-severity="(\w+)"', group)) == {s}
    assert "Vì sao có cảnh báo này" in page and "ngày</strong>" in page  # the rule explained; the age in days


def test_the_monitors_filters_narrow_it(reader, ids):
    high = reader.get("/monitor", params={"as_of": LATE, "severity": "high"}).text
    assert set(re.findall(r'data-severity="(\w+)"', high)) == {"high"}
    rule = reader.get("/monitor", params={"as_of": LATE, "rule": "interim_review_missing"}).text
    assert set(re.findall(r'data-rule="(\w+)"', rule)) == {"interim_review_missing"}
    cao_bang = reader.get("/monitor", params={"as_of": LATE, "province": "Cao Bằng"}).text
    assert set(re.findall(r'href="/programs/(\d+)\?as_of=', cao_bang)) == {str(ids["cao_bang"])}
    assert "Không có cảnh báo." in reader.get("/monitor", params={"as_of": EARLY, "province": "Cao Bằng"}).text


def test_the_monitor_reads_in_english_too(reader):
    page = reader.get("/monitor", params={"as_of": LATE, "lang": "en"}).text
    assert "<h1>Monitor" in page and "Period ended without a final review" in page and "Why this alert" in page


def test_an_article_lists_the_programs_it_is_attached_to(reader, ids):
    page = reader.get(f"/documents/{ids['signing']}").text
    assert f'href="/programs/{ids["cao_bang"]}#articles"' in page and "Thuộc chương trình" in page


@pytest.mark.parametrize("path, status", [
    ("/programs?year=abc", 400), ("/programs?province=Atlantis", 400), ("/programs/999999", 404), ("/programs/1?as_of=2022-02-30", 400),
    ("/monitor?severity=extreme", 400), ("/monitor?rule=bogus", 400), ("/monitor?as_of=tomorrow", 400), ("/monitor?province=Atlantis", 400)])
def test_bad_follow_up_addresses_get_a_page_that_says_what_is_wrong(reader, path, status):
    r = reader.get(path)
    assert r.status_code == status and "<html" in r.text and "Về trang chủ" in r.text


# ---------------------------------------------------------------------------- forms


def posted(editor: TestClient, page: str, action: str, **fields):
    """A form of ``page`` sent as the browser sends it: with the page's token, coming back to it."""
    return editor.post(action, data={"csrf": csrf_of(page), "next": "/programs/back#here", **fields})


def test_an_editor_marks_a_commitment_fulfilled_from_the_program_page(app, client, ids):
    editor = login(app)
    ct = ids["can_tho"]
    page = editor.get(f"/programs/{ct}").text
    commitment = next(c["id"] for c in program(client, ct)["commitments"] if c["kind"] == "periodic_review")
    assert f'action="/commitments/{commitment}" method="post" class="correct fulfil"' in page
    r = posted(editor, page, f"/commitments/{commitment}", status="fulfilled", reason="đã sơ kết")
    assert r.status_code == 400 and "say what shows the commitment fulfilled" in r.text
    r = posted(editor, page, f"/commitments/{commitment}", status="fulfilled", evidence="Báo cáo số 7/BC-CAT", evidence_url="", reason="đã sơ kết")
    assert (r.status_code, r.headers["location"]) == (303, "/programs/back#here")
    row = re.search(rf'<tr id="commitment-{commitment}".*?</tr>', editor.get(f"/programs/{ct}").text, re.S).group()
    assert 'data-state="fulfilled"' in row and "Báo cáo số 7/BC-CAT" in row and "Đã thực hiện" in row
    posted(editor, page, f"/commitments/{commitment}", status="open", reason="mở lại")
    assert 'data-state="fulfilled"' not in re.search(rf'<tr id="commitment-{commitment}".*?</tr>', editor.get(f"/programs/{ct}").text, re.S).group()


def test_every_follow_up_form_records_its_change_and_goes_back(app, client, ids):
    editor = login(app)
    ct = ids["can_tho"]
    page = editor.get(f"/programs/{ct}").text
    for action in (f"/programs/{ct}/action-items", f"/programs/{ct}/notes", f"/programs/{ct}/links", f"/programs/{ct}/points/1",
                   "/program-links/", "/alerts/decision"):
        assert f'action="{action}' in page, action

    def ok(r):
        assert (r.status_code, r.headers.get("location")) == (303, "/programs/back#here"), r.text[:300]

    ok(posted(editor, page, f"/programs/{ct}/action-items", title="Kế hoạch qua biểu mẫu", owner="Công an thành phố Cần Thơ",
              focal_person="", due="2022-09-30", status="in_progress", evidence_url="", reason="biểu mẫu"))
    item = next(i for i in program(client, ct)["action_items"] if i["title"] == "Kế hoạch qua biểu mẫu")
    assert (item["title"], item["status"], item["focal_person"]) == ("Kế hoạch qua biểu mẫu", "in_progress", None)
    ok(posted(editor, page, f"/action-items/{item['id']}", title=item["title"], owner="", focal_person="Đ/c Lê Văn A", due="",
              status="done", evidence_url="/documents/1", reason="biểu mẫu"))
    item = next(i for i in program(client, ct)["action_items"] if i["id"] == item["id"])
    assert (item["status"], item["focal_person"], item["owner"], item["evidence_url"]) == ("done", "Đ/c Lê Văn A", None, "/documents/1")
    ok(posted(editor, page, f"/programs/{ct}/points/3", text="Tuyên truyền pháp luật về KH&CN", status="done", reason="biểu mẫu"))
    assert program(client, ct)["points"][2]["status"] == "done"
    ok(posted(editor, page, f"/programs/{ct}/notes", text="Ghi chú qua biểu mẫu", reason="biểu mẫu"))
    assert "Ghi chú qua biểu mẫu" in {n["text"] for n in program(client, ct)["notes"]}
    ok(posted(editor, page, f"/programs/{ct}/links", document_id=str(ids["visit"]), role="visit", reason="biểu mẫu"))
    link = next(x for x in program(client, ct)["links"] if x["document_id"] == ids["visit"])
    ok(posted(editor, page, f"/program-links/{link['id']}/decision", decision="rejected", reason="biểu mẫu"))
    assert next(x for x in program(client, ct)["links"] if x["id"] == link["id"])["decision"] == "rejected"
    key = f"final_review_missing/{ct}/program"
    ok(posted(editor, page, "/alerts/decision", key=key, decision="resolved", reason="đã tổng kết"))
    assert key not in {a["key"] for a in client.get(f"{V1}/alerts", params={"as_of": LATE}).json()["items"]}
    ok(posted(editor, page, "/alerts/decision", key=key, decision="reopened", reason="chưa có văn bản"))
    assert key in {a["key"] for a in client.get(f"{V1}/alerts", params={"as_of": LATE}).json()["items"]}


FORMS = [("/programs/{ct}/action-items", {"title": "x"}), ("/action-items/1", {"title": "x"}), ("/commitments/1", {"status": "dropped"}),
         ("/programs/{ct}/points/1", {"status": "done"}), ("/programs/{ct}/notes", {"text": "x"}), ("/program-links/1/decision", {"decision": "rejected"}),
         ("/programs/{ct}/links", {"document_id": "1", "role": "visit"}), ("/alerts/decision", {"key": "final_review_missing/1/program", "decision": "resolved"})]


@pytest.mark.parametrize("action, fields", FORMS)
def test_follow_up_forms_refuse_readers_and_forged_tokens(app, client, ids, action, fields):
    action = action.format(ct=ids["can_tho"])
    data = {**fields, "reason": "x"}
    assert client.post(action, data=data).status_code == 401
    viewer = login(app, "vi")
    page = viewer.get(f"/programs/{ids['can_tho']}").text
    assert 'action="/commitments/' not in page  # no forms for a viewer
    assert viewer.post(action, data={**data, "csrf": csrf_of(page)}).status_code == 403
    assert login(app).post(action, data={**data, "csrf": "forged"}).status_code == 403


# ---------------------------------------------------------------------------- the day pages are judged by


class Clock(date):
    """A day that a test turns: what ``date.today()`` answers in the modules that judge by it."""

    day = date(2026, 11, 22)

    @classmethod
    def today(cls) -> date:
        return cls.day


def test_a_kept_page_judged_by_today_is_not_served_after_midnight(store, ids, monkeypatch):
    for module in ("hoptac.web.middleware", "hoptac.web.deps", "hoptac.web.pages"):
        monkeypatch.setattr(f"{module}.date", Clock)
    monkeypatch.setattr(Clock, "day", date(2026, 11, 22))
    reader = TestClient(create_app(store))
    for path in ("/monitor", f"/programs/{ids['cao_bang']}"):
        first = reader.get(path).text
        assert 'value="2026-11-22"' in first and reader.get(path).text == first, path
    monkeypatch.setattr(Clock, "day", date(2026, 11, 23))
    for path in ("/monitor", f"/programs/{ids['cao_bang']}"):
        assert 'value="2026-11-23"' in reader.get(path).text, path


# ---------------------------------------------------------------------------- the picture of a program's life


LANES = [
    ("Giai đoạn", "dot", [{"start": "2022-01-01", "end": "2025-12-31", "kind": "period", "label": "2022–2025"},
                          {"start": "2022-04-25", "kind": "signing", "label": "<b>ký</b> & xong", "link": "javascript:alert(1)"}]),
    ("Bài viết", "dot", [{"start": "2023-03-01", "kind": "review_interim", "label": "sơ kết", "link": "/documents/1"},
                         {"start": "2023-03-01", "kind": "visit", "label": "làm việc"}]),
    ("Mốc", "flag", [{"start": None, "kind": "period_end", "label": "no date"}]),
    ("Hạn", "diamond", [{"start": "2026-03-31", "kind": "\" onload=\"x", "label": "hạn"}]),
]


def test_the_program_timeline_draws_its_lanes_safely_and_the_same_every_time():
    picture = charts.program_timeline(LANES, title="Dòng đời", today=LATE, today_label="Hôm nay",
                                      legend=[("signing", "Ký kết", "dot"), ("period", "Giai đoạn", "bar")])
    assert picture == charts.program_timeline(LANES, title="Dòng đời", today=LATE, today_label="Hôm nay",
                                              legend=[("signing", "Ký kết", "dot"), ("period", "Giai đoạn", "bar")])
    assert picture.startswith("<svg") and 'role="img"' in picture and 'aria-label="Dòng đời"' in picture
    assert picture.count('class="lane"') == 3  # a lane with nothing dated is left out
    assert 'class="bar period"' in picture and 'class="mark signing"' in picture and '<a href="/documents/1">' in picture
    assert "&lt;b&gt;ký&lt;/b&gt; &amp; xong" in picture and "<b>" not in picture and "javascript" not in picture
    assert 'onload="' not in picture and 'class="mark onload-x"' in picture  # a kind is one class name, nothing more
    assert 'class="today"' in picture and ">Hôm nay</text>" in picture and 'class="life-key signing"' in picture
    same_day = re.findall(r'class="mark (?:review_interim|visit)"><title>[^<]*</title><circle cx="([\d.]+)" cy="([\d.]+)"', picture)
    assert len(same_day) == 2 and same_day[0][0] == same_day[1][0] and same_day[0][1] != same_day[1][1]  # spread, both hoverable


def test_the_program_timeline_with_nothing_dated_says_so():
    picture = charts.program_timeline([("Bài viết", "dot", [{"start": None, "kind": "visit"}])], title="Dòng đời", empty="Chưa có ngày")
    assert "Chưa có ngày" in picture and 'class="lane"' not in picture


# ---------------------------------------------------------------------------- dates out of range


TRACKING_PAGES = ["/programs", "/monitor", "/reports", "/reports/report.pdf", "/feeds/alerts.atom", "/feeds/due.ics", f"{V1}/alerts"]


def test_a_date_outside_what_a_program_can_have_is_refused_by_the_api_the_forms_and_the_cli(app, client, store, ids, ed):
    ct = ids["can_tho"]
    c = program(client, ct)["commitments"][0]
    for day in ("9999-12-31", "0001-01-01", "2101-01-01", "1899-12-31"):
        assert "outside" in error_of(client.patch(f"{V1}/commitments/{c['id']}", headers=ed, json={"due": day, "reason": "r"}), 400)["message"]
        error_of(client.post(f"{V1}/programs/{ct}/action-items", headers=ed, json={"title": "x", "due": day, "reason": "r"}), 400)
        error_of(client.post(f"{V1}/programs/{ct}/commitments", headers=ed,
                             json={"kind": "promise", "text": "x", "made_on": day, "reason": "r"}), 400)
        error_of(client.get(f"{V1}/alerts", params={"as_of": day}), 400)
    assert program(client, ct)["commitments"][0]["due"] == c["due"]
    editor = login(app)
    page = editor.get(f"/programs/{ct}").text
    r = posted(editor, page, f"/programs/{ct}/action-items", title="Hạn sai", due="9999-12-31", status="planned", reason="biểu mẫu")
    assert r.status_code == 400 and "9999-12-31" in r.text
    out = subprocess.run([sys.executable, "-m", "hoptac", "programs", "commitment", str(c["id"]), "--due", "9999-12-31",
                          "--db", store, "--author", "ed", "--reason", "r"], capture_output=True, text=True, check=False)
    assert out.returncode != 0 and "outside" in out.stderr, out.stderr
    assert "Hạn sai" not in {i["title"] for i in program(client, ct)["action_items"]}


def test_a_deadline_at_the_end_of_the_calendar_already_stored_takes_no_page_down(client, store, ids):
    """Stores written before dates were checked may hold one; every tracking page still renders."""
    engine = connect(store)
    c = program(client, ids["can_tho"])["commitments"][0]
    with engine.begin() as conn:
        conn.execute(update(program_commitments).where(program_commitments.c.id == c["id"]).values(due="9999-12-31"))
        item = conn.execute(insert(action_items).values(program_id=ids["can_tho"], title="Hạn cuối lịch", due="9999-12-31", status="planned",
                                                        created_by="test", created_at="2026-01-01T00:00:00+00:00", updated_by="test",
                                                        updated_at="2026-01-01T00:00:00+00:00").returning(action_items.c.id)).scalar_one()
    try:
        for path in TRACKING_PAGES + [f"/programs/{ids['can_tho']}", f"{V1}/programs/{ids['can_tho']}"]:
            r = client.get(path, params={"as_of": LATE})
            assert r.status_code == 200, (path, r.text[:300])
        assert "99991231" in client.get("/feeds/due.ics", params={"as_of": LATE}).text
    finally:
        with engine.begin() as conn:
            conn.execute(update(program_commitments).where(program_commitments.c.id == c["id"]).values(due=c["due"]))
            conn.execute(delete(action_items).where(action_items.c.id == item))
        engine.dispose()


def test_a_form_field_holding_nul_is_refused_as_the_api_refuses_it(app, client, ids):
    editor = login(app)
    ct = ids["can_tho"]
    page = editor.get(f"/programs/{ct}").text
    r = posted(editor, page, f"/programs/{ct}/notes", text="ghi chú\x00ẩn", reason="biểu mẫu")
    assert r.status_code == 400 and "NUL" in r.text
    assert not any("\x00" in n["text"] for n in program(client, ct)["notes"])
