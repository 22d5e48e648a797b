"""Follow-up tracking: programs across articles, the links that follow them, and the monitor's alerts."""
from __future__ import annotations

import csv
import io
import json
import re
import shutil
from datetime import date

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from conftest import CAN_THO_SIGNING, CAO_BANG, SAMPLE
from hoptac.cli import main
from hoptac.store.corrections import Author
from hoptac.store.db import connect
from hoptac.store.ingest import ingest
from hoptac.store.schema import program_links
from hoptac.track import edit, monitor, record
from hoptac.track.dates import stated_due
from hoptac.track.settings import SettingsError, load

AFTER = date(2026, 11, 22)
BEFORE = date(2022, 5, 1)
EDITOR = Author("analyst", "checked against the province's portal")
HA_GIANG_SIGNING, HA_GIANG_PLAN, HA_GIANG_REVIEW = "01_shtt-ha-giang-ky-ket.txt", "17_ha-giang-ke-hoach-shtt.txt", "18_tuyen-quang-so-ket-shtt-ha-giang.txt"


@pytest.fixture
def seeds_store(store_url, shared):
    engine = connect(store_url)
    ingest(engine, [str(shared / "corpus" / "seeds")], jobs=1)
    return engine


def _program(conn, **where) -> dict:
    found = [p for p in record.programs_page(conn, limit=1000).items if all(p[k] == v for k, v in where.items())]
    assert len(found) == 1, found
    return found[0]


def _rules(conn, program_id: int, as_of: date) -> set[str]:
    return {a.rule for a in monitor.alerts(conn, as_of, load(), program_id=program_id)}


def _corpus(tmp_path, *names: str):
    """A directory holding only these sample articles."""
    folder = tmp_path / "corpus"
    folder.mkdir(exist_ok=True)
    for name in names:
        shutil.copy(SAMPLE / name, folder / name)
    return folder


# ---------------------------------------------------------------------------- the seeds (acceptance)


def test_cao_bang_program_is_flagged_for_its_plan_and_both_reviews(seeds_store):
    with seeds_store.connect() as conn:
        p = _program(conn, signed_on="2022-04-25")
        assert (p["period_start"], p["period_end"], p["content_items"], p["province"]) == (2022, 2025, 8, "Cao Bằng")
        assert {"action_plan_missing", "interim_review_missing", "final_review_missing"} <= _rules(conn, p["id"], AFTER)
        assert _rules(conn, p["id"], BEFORE) == set()


def test_can_tho_police_program_is_flagged_for_its_final_review(seeds_store):
    with seeds_store.connect() as conn:
        p = _program(conn, signed_on="2022-03-03")
        assert (p["period_start"], p["period_end"], p["content_items"]) == (2021, 2025, 5)
        assert "Công an thành phố Cần Thơ" in {x["name"] for x in p["parties"]}
        assert "final_review_missing" in _rules(conn, p["id"], AFTER)
        assert _rules(conn, p["id"], BEFORE) == set()


def test_before_the_signings_nothing_is_flagged(seeds_store):
    with seeds_store.connect() as conn:
        assert monitor.alerts(conn, BEFORE, load()) == []


def test_three_instruments_signed_in_one_article_are_three_programs(seeds_store):
    with seeds_store.connect() as conn:
        hai_phong = record.programs_page(conn, province="Hải Phòng").items
    assert len(hai_phong) == 3
    assert {p["kind"] for p in hai_phong} == {"cooperation_agreement", "cooperation_program", "framework_program"}


def test_program_record_shows_parties_signatories_commitments_and_its_life(seeds_store):
    with seeds_store.connect() as conn:
        p = record.program(conn, _program(conn, signed_on="2022-04-25")["id"], as_of=AFTER, settings=load())
    assert [link["role"] for link in p["links"]] == ["signing"]
    assert p["links"][0]["document"]["title"].startswith("Lễ ký kết")
    assert {"Nguyễn Phú Hùng", "Bế Đăng Khoa"} <= {s["name"] for s in p["signatories"]}
    assert len(p["points"]) == 8
    kinds = {c["kind"]: c for c in p["commitments"]}
    assert {"focal_point", "action_plan", "annual_monitoring"} <= set(kinds)
    assert kinds["action_plan"]["state"] == "overdue" and kinds["action_plan"]["due_source"] == "rule"
    assert [m["kind"] for m in p["milestones"]] == ["action_plan_due", "interim_review_due", "period_end", "final_review_due"]


# ---------------------------------------------------------------------------- follow-up articles of the sample


def test_an_interim_review_attaches_to_its_program_and_clears_its_alert(store_url, tmp_path):
    engine = connect(store_url)
    ingest(engine, [str(_corpus(tmp_path, HA_GIANG_SIGNING, HA_GIANG_PLAN))], jobs=1)
    with engine.connect() as conn:
        program_id = _program(conn, signed_on="2023-09-08")["id"]
        assert "interim_review_missing" in _rules(conn, program_id, AFTER)
    ingest(engine, [str(_corpus(tmp_path, HA_GIANG_REVIEW))], jobs=1)
    with engine.connect() as conn:
        assert len(record.programs_page(conn, q="tài sản trí tuệ").items) == 1  # the review joined the program, not a new one
        p = record.program(conn, program_id, as_of=AFTER, settings=load())
        review = next(link for link in p["links"] if link["role"] == "review_interim")
        assert review["date"] == "2025-11-12" and review["confidence"] >= 0.9 and "sơ kết" in review["reason"].lower()
        assert _rules(conn, program_id, AFTER).isdisjoint({"interim_review_missing", "action_plan_missing"})
        # Replaying a day before the review was published, the alert was there.
        assert "interim_review_missing" in _rules(conn, program_id, date(2025, 11, 1))


def test_an_article_issuing_the_action_plan_clears_the_plan_alert(store_url, tmp_path):
    engine = connect(store_url)
    ingest(engine, [str(_corpus(tmp_path, HA_GIANG_SIGNING))], jobs=1)
    with engine.connect() as conn:
        program_id = _program(conn, signed_on="2023-09-08")["id"]
        # The signing gave the plan a deadline, "trong quý IV/2023": due at the quarter's end, not six months on.
        alert = next(a for a in monitor.alerts(conn, date(2024, 1, 15), load(), program_id=program_id) if a.rule == "action_plan_missing")
        assert alert.since == "2023-12-31" and alert.severity == "high"
    ingest(engine, [str(_corpus(tmp_path, HA_GIANG_PLAN))], jobs=1)
    with engine.connect() as conn:
        assert "action_plan_missing" not in _rules(conn, program_id, date(2024, 1, 15))


def test_a_follow_up_read_before_its_signing_article_still_joins_one_program(store_url, tmp_path):
    engine = connect(store_url)
    ingest(engine, [str(_corpus(tmp_path, HA_GIANG_REVIEW))], jobs=1)
    ingest(engine, [str(_corpus(tmp_path, HA_GIANG_SIGNING, HA_GIANG_PLAN))], jobs=1)
    with engine.connect() as conn:
        [p] = record.programs_page(conn, q="tài sản trí tuệ").items
        roles = {link["role"] for link in record.program(conn, p["id"], as_of=AFTER, settings=load())["links"]}
    assert roles == {"signing", "action_plan", "review_interim"}
    assert p["signed_on"] == "2023-09-08"


def test_a_final_review_after_the_provinces_merged_closes_the_program(store_url, tmp_path):
    engine = connect(store_url)
    ingest(engine, [str(_corpus(tmp_path, "07_phu-yen-ke-hoach-trien-khai.txt"))], jobs=1)
    with engine.connect() as conn:
        program_id = _program(conn, signed_on="2023-02-10")["id"]
        assert "final_review_missing" in _rules(conn, program_id, AFTER)
    ingest(engine, [str(_corpus(tmp_path, "22_dak-lak-tong-ket-phu-yen-bo-khcn.html"))], jobs=1)
    with engine.connect() as conn:
        p = record.program(conn, program_id, as_of=AFTER, settings=load())
        assert "review_final" in {link["role"] for link in p["links"]}
        assert p["province"] == "Phú Yên" and p["province_now"] == "Đắk Lắk"
        assert "final_review_missing" not in _rules(conn, program_id, AFTER)


def test_a_visit_naming_the_agreement_is_attached_to_its_program(store_url, tmp_path):
    """"làm việc ... về tình hình triển khai Thỏa thuận hợp tác ... mà hai bên ký kết ngày 13/3/2024":
    the visit names the instrument, so it follows that program for sure."""
    engine = connect(store_url)
    ingest(engine, [str(_corpus(tmp_path, "02_hai-duong-bach-khoa-thoa-thuan.txt", "19_hai-duong-bach-khoa-lam-viec.txt"))], jobs=1)
    with engine.connect() as conn:
        p = record.program(conn, _program(conn, signed_on="2024-03-13")["id"], as_of=AFTER, settings=load())
    visit = next(link for link in p["links"] if link["role"] == "visit")
    assert (visit["rule"], visit["confidence"]) == ("names_program", 0.95)


def test_a_visit_between_the_parties_is_attached_with_a_lower_confidence(store_url, tmp_path):
    folder = _corpus(tmp_path, "02_hai-duong-bach-khoa-thoa-thuan.txt", "19_hai-duong-bach-khoa-lam-viec.txt")
    visit_article = folder / "19_hai-duong-bach-khoa-lam-viec.txt"
    text = visit_article.read_text(encoding="utf-8")
    named = re.search(r"về tình hình triển khai Thỏa thuận hợp tác[^.]*ngày 13/3/2024", text)
    assert named, "the sample visit names its agreement"
    text = text.replace(named.group(), "về hợp tác khoa học và công nghệ").replace("về triển khai thỏa thuận hợp tác", "về hợp tác")
    visit_article.write_text(text, encoding="utf-8")
    engine = connect(store_url)
    ingest(engine, [str(folder)], jobs=1)
    with engine.connect() as conn:
        p = record.program(conn, _program(conn, signed_on="2024-03-13")["id"], as_of=AFTER, settings=load())
    visit = next(link for link in p["links"] if link["role"] == "visit")
    assert visit["rule"] != "names_program" and 0.5 < visit["confidence"] < 0.95
    assert "parties" in visit["reason"]


def test_a_response_answers_the_visits_recommendations(store_url, tmp_path):
    engine = connect(store_url)
    ingest(engine, [str(_corpus(tmp_path, "06_bui-the-duy-quang-tri.html"))], jobs=1)
    with engine.connect() as conn:
        assert [a.rule for a in monitor.alerts(conn, AFTER, load(), province="Quảng Trị")] == ["visit_recommendations_unanswered"]
    ingest(engine, [str(_corpus(tmp_path, "20_quang-tri-xu-ly-kien-nghi.txt"))], jobs=1)
    with engine.connect() as conn:
        assert monitor.alerts(conn, AFTER, load(), province="Quảng Trị") == []


# ---------------------------------------------------------------------------- analysts' decisions


def test_a_rejected_link_stays_rejected_across_re_extraction_and_stops_counting(store_url, tmp_path):
    engine = connect(store_url)
    folder = _corpus(tmp_path, HA_GIANG_SIGNING, HA_GIANG_PLAN)
    ingest(engine, [str(folder)], jobs=1)
    with engine.begin() as conn:
        program_id = _program(conn, signed_on="2023-09-08")["id"]
        plan = next(link for link in record.program(conn, program_id, as_of=AFTER, settings=load())["links"] if link["role"] == "action_plan")
        edit.decide_link(conn, plan["id"], "rejected", EDITOR)
    ingest(engine, [str(folder)], jobs=1, version="a-newer-extractor")
    with engine.connect() as conn:
        row = conn.execute(select(program_links).where(program_links.c.id == plan["id"])).one()
        assert (row.decision, row.decided_by, row.role) == ("rejected", "analyst", "action_plan")
        assert "action_plan_missing" in _rules(conn, program_id, AFTER)


def test_commitments_action_items_and_resolutions_survive_re_extraction(seeds_store, shared):
    with seeds_store.begin() as conn:
        program_id = _program(conn, signed_on="2022-04-25")["id"]
        p = record.program(conn, program_id, as_of=AFTER, settings=load())
        focal = next(c for c in p["commitments"] if c["kind"] == "focal_point")
        with pytest.raises(edit.EditError, match="what shows"):
            edit.set_commitment(conn, focal["id"], EDITOR, status="fulfilled")
        edit.set_commitment(conn, focal["id"], EDITOR, status="fulfilled", evidence="Quyết định 12/QĐ-SKHCN names the focal officers")
        edit.add_action_item(conn, program_id, EDITOR, title="Kế hoạch triển khai năm 2022", owner="Sở KH&CN Cao Bằng",
                             due="2022-09-30", status="done")
        final = next(a for a in p["alerts"] if a["rule"] == "final_review_missing")
        edit.decide_alert(conn, final["key"], "resolved", Author("analyst", "reviewed at the province's 2026 conference"))
    ingest(seeds_store, [str(shared / "corpus" / "seeds")], jobs=1, version="a-newer-extractor")
    with seeds_store.connect() as conn:
        p = record.program(conn, program_id, as_of=AFTER, settings=load())
        assert next(c for c in p["commitments"] if c["id"] == focal["id"])["state"] == "fulfilled"
        assert [i["title"] for i in p["action_items"]] == ["Kế hoạch triển khai năm 2022"]
        rules = {a["rule"]: a for a in p["alerts"]}
        assert "action_plan_missing" not in rules
        assert rules["final_review_missing"]["resolved"]["note"] == "reviewed at the province's 2026 conference"
        assert "final_review_missing" not in _rules(conn, program_id, AFTER)
        assert not [a for a in monitor.alerts(conn, AFTER, load(), program_id=program_id) if a.subject.get("commitment_id") == focal["id"]]


def test_edits_reject_nonsense(seeds_store):
    with seeds_store.begin() as conn:
        program_id = _program(conn, signed_on="2022-04-25")["id"]
        for bad in (lambda: edit.add_action_item(conn, program_id, EDITOR, title=" "),
                    lambda: edit.add_action_item(conn, program_id, EDITOR, title="x", due="30/4/2023"),
                    lambda: edit.add_action_item(conn, program_id, EDITOR, title="x", evidence_url="javascript:alert(1)"),
                    lambda: edit.set_point(conn, program_id, 1, EDITOR, status="finished"),
                    lambda: edit.decide_alert(conn, "not-a-key", "resolved", EDITOR)):
            with pytest.raises(edit.EditError):
                bad()


# ---------------------------------------------------------------------------- settings, dates, the command


def test_settings_override_only_what_they_name_and_refuse_typos(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text("[rules.action_plan_missing]\nmonths_after_signing = 3\n[rules.interim_review_missing]\nenabled = false\n")
    rules = load(path)
    assert rules["action_plan_missing"]["months_after_signing"] == 3 and rules["action_plan_missing"]["severity"] == "high"
    assert not rules["interim_review_missing"].enabled
    for text, message in (("[rules.action_plan_mising]\nmonths_after_signing = 3\n", "unknown rule"),
                          ("[rules.action_plan_missing]\nmonth_after_signing = 3\n", "no setting"),
                          ("[rules.action_plan_missing]\nmonths_after_signing = 'six'\n", "must be a int"),
                          ("[rules.final_review_missing]\nseverity = 'urgent'\n", "one of"),
                          ("not toml", "rules.toml")):
        path.write_text(text)
        with pytest.raises(SettingsError, match=message):
            load(path)


@pytest.mark.parametrize("text, made_on, due", [
    ("trình UBND tỉnh ban hành trong quý IV/2023", "2023-09-12", "2023-12-31"),
    ("hoàn thành trước ngày 30/4/2023", "2023-04-04", "2023-04-30"),
    ("xây dựng kế hoạch hợp tác năm 2024-2025, hoàn thành trong tháng 7/2024", "2024-06-03", "2024-07-31"),
    ("tổ chức sơ kết sau 2 năm thực hiện", "2024-03-15", "2026-03-15"),
    ("rà soát định kỳ vào quý IV/2025 và tổng kết Chương trình vào cuối năm 2026", "2024-11-06", "2025-12-31"),
    ("định kỳ trước ngày 15/12 hằng năm, Sở tổng hợp kết quả", "2023-12-20", "2024-12-15"),
    ("hai bên sẽ phối hợp chặt chẽ", "2023-01-01", None),
])
def test_deadlines_are_read_from_what_the_sentence_states(text, made_on, due):
    found = stated_due(text, date.fromisoformat(made_on))
    assert (found.isoformat() if found else None) == due


def test_monitor_command_exits_non_zero_on_alerts_in_every_format(tmp_path, shared):
    db = str(tmp_path / "store.db")
    runner = CliRunner()
    assert runner.invoke(main, ["ingest", str(shared / "corpus" / "seeds" / CAO_BANG), str(shared / "corpus" / "seeds" / CAN_THO_SIGNING),
                                "--db", db]).exit_code == 0
    quiet = runner.invoke(main, ["monitor", "--db", db, "--as-of", "2022-05-01"])
    assert quiet.exit_code == 0 and "no alerts" in quiet.output
    out = runner.invoke(main, ["monitor", "--db", db, "--as-of", "2026-11-22", "--format", "json"])
    assert out.exit_code == 1
    alerts = json.loads(out.output)["alerts"]
    assert {("Cao Bằng", "final_review_missing"), ("Cần Thơ", "final_review_missing"), ("Cao Bằng", "action_plan_missing")} <= {
        (a["province"], a["rule"]) for a in alerts}
    rows = list(csv.DictReader(io.StringIO(runner.invoke(main, ["monitor", "--db", db, "--as-of", "2026-11-22", "--format", "csv",
                                                                "--province", "can tho"]).output)))
    assert rows and {r["province"] for r in rows} == {"Cần Thơ"}
    table = runner.invoke(main, ["monitor", "--db", db, "--as-of", "2026-11-22"])
    assert table.exit_code == 1 and "Period ended without a final review" in table.output
    bad = runner.invoke(main, ["monitor", "--db", db, "--as-of", "22/11/2026"])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output
    settings = tmp_path / "rules.toml"
    settings.write_text("[rules.final_review_missing]\ngrace_months = 12\n")
    later = json.loads(runner.invoke(main, ["monitor", "--db", db, "--as-of", "2026-11-22", "--format", "json", "--settings", str(settings)]).output)
    assert "final_review_missing" not in {a["rule"] for a in later["alerts"]}


def test_programs_commands_record_an_analysts_follow_up(tmp_path, shared):
    db = str(tmp_path / "store.db")
    runner = CliRunner(env={"HOPTAC_USER": "analyst"})
    runner.invoke(main, ["ingest", str(shared / "corpus" / "seeds" / CAO_BANG), "--db", db])
    listed = json.loads(runner.invoke(main, ["programs", "list", "--db", db, "--json"]).output)
    program_id = listed["items"][0]["id"]
    added = runner.invoke(main, ["programs", "action-item", str(program_id), "--db", db, "--title", "Kế hoạch 2022", "--status", "done",
                                 "--reason", "the plan was issued in June 2022"])
    assert added.exit_code == 0, added.output
    shown = json.loads(runner.invoke(main, ["programs", "show", str(program_id), "--db", db, "--as-of", "2026-11-22", "--json"]).output)
    assert shown["action_items"][0]["created_by"] == "analyst"
    assert "action_plan_missing" not in {a["rule"] for a in shown["alerts"]}
    missing = runner.invoke(main, ["programs", "show", "999", "--db", db])
    assert missing.exit_code == 1 and "no program 999" in missing.output
    refreshed = runner.invoke(main, ["programs", "refresh", "--db", db])
    assert refreshed.exit_code == 0 and "refreshed" in refreshed.output


def test_a_corrected_agreement_moves_its_program(seeds_store):
    from hoptac.store import corrections
    from hoptac.store.schema import facts

    with seeds_store.begin() as conn:
        program_id = _program(conn, signed_on="2022-03-03")["id"]
        fact_id = conn.execute(select(facts.c.id).where(facts.c.kind == "agreement", facts.c.date == "2022-03-03")).scalar_one()
        corrections.set_fields(conn, fact_id, {"period": {"start": 2021, "end": 2026}}, Author("analyst", "the program runs to 2026"))
    with seeds_store.connect() as conn:
        p = _program(conn, signed_on="2022-03-03")
        assert (p["id"], p["period_end"]) == (program_id, 2026)
        assert "final_review_missing" not in _rules(conn, program_id, AFTER)


def test_programs_are_listed_by_province_without_accents_or_case(seeds_store):
    with seeds_store.connect() as conn:
        assert {p["signed_on"] for p in record.programs_page(conn, province="CẦN THƠ").items} == {"2022-03-03"}
        assert record.programs_page(conn, province="can tho").total == 1


def test_a_fulfilled_commitment_leaves_the_calendar_and_counts_as_fulfilled_in_the_report(seeds_store):
    from hoptac.track import feeds, report

    with seeds_store.begin() as conn:
        program_id = _program(conn, signed_on="2022-04-25")["id"]
        focal = next(c for c in record.program(conn, program_id, as_of=AFTER, settings=load())["commitments"] if c["kind"] == "focal_point")
        edit.set_commitment(conn, focal["id"], EDITOR, status="fulfilled", evidence="the department named its focal officers")
    with seeds_store.connect() as conn:
        calendar = feeds.ical(conn, base_url="http://localhost/", settings=load(), as_of=AFTER)
        built = report.build(conn, province="Cao Bằng", year=None, as_of=AFTER, settings=load())
    assert f"commitment-{focal['id']}" not in calendar
    [row] = [p for p in built["programs"] if p["id"] == program_id]
    assert row["commitments"]["fulfilled"] == 1
