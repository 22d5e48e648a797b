"""The knowledge store, on SQLite and on PostgreSQL: ingest, resolution, corrections, search.

Every test runs once per backend (the ``store_url`` fixture); the PostgreSQL half is skipped,
with the reason, when ``HOPTAC_TEST_PG`` is not set. Articles the seeds do not cover are
written here, in the style of the news they stand for.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from sqlalchemy import func, select, text

from conftest import CAN_THO_SIGNING, CAN_THO_VISIT, CAO_BANG, HAI_PHONG, QUANG_NINH

from hoptac.extract.pipeline import extract
from hoptac.store import show
from hoptac.store.corrections import (
    Author,
    CorrectionError,
    delete_fact,
    merge,
    set_fields,
    split,
    undo,
)
from hoptac.store.db import connect
from hoptac.store.facts import fact_rows
from hoptac.store.ingest import ingest
from hoptac.store.schema import (
    audit,
    corrections,
    document_versions,
    documents,
    entities,
    facts,
    failures,
    links,
    search_index,
)
from hoptac.store.search import Filters, search
from hoptac.text.article import RawDocument

CAN_THO_DEPARTMENT = "Sở Khoa học và Công nghệ thành phố Cần Thơ"
ANALYST = Author("lan.nguyen", "checked against the ministry's press release")

NGHE_AN = """Thứ hai, 15/05/2023 08:30 GMT+7

Sở KH&CN tỉnh Nghệ An làm việc với Trường Đại học Vinh

Sáng ngày 12/5/2023, đoàn công tác của Sở KH&CN tỉnh Nghệ An do ông Trần Văn Nam, Giám đốc Sở KH&CN tỉnh Nghệ An làm trưởng đoàn đã đến làm việc với Trường Đại học Vinh. Tại buổi làm việc, ông Trần Văn Nam đề nghị hai bên tăng cường phối hợp trong nghiên cứu khoa học.
"""
LANG_SON = """Thứ ba, 20/06/2023 09:00 GMT+7

Sở KH&CN tỉnh Lạng Sơn tổ chức hội nghị tổng kết

Chiều ngày 19/6/2023, Sở KH&CN tỉnh Lạng Sơn tổ chức hội nghị tổng kết hoạt động khoa học và công nghệ. Tham dự hội nghị có ông Trần Văn Nam, Phó Giám đốc Sở KH&CN tỉnh Lạng Sơn cùng đại diện các phòng, đơn vị trực thuộc Sở.
"""
THAI_BINH_2021 = """Thứ tư, 10/03/2021 10:15 GMT+7

Sở KH&CN tỉnh Thái Bình triển khai nhiệm vụ năm 2021

Sáng ngày 9/3/2021, Sở KH&CN tỉnh Thái Bình tổ chức hội nghị triển khai nhiệm vụ năm 2021. Bà Lê Thị Hoa, Phó Giám đốc Sở KH&CN tỉnh Thái Bình chủ trì hội nghị.
"""
THAI_BINH_2023 = """Thứ sáu, 08/09/2023 14:00 GMT+7

Sở KH&CN tỉnh Thái Bình ký kết hợp tác với Học viện Nông nghiệp Việt Nam

Chiều ngày 7/9/2023, Sở KH&CN tỉnh Thái Bình và Học viện Nông nghiệp Việt Nam ký kết thỏa thuận hợp tác giai đoạn 2023-2028. Bà Lê Thị Hoa, Giám đốc Sở KH&CN tỉnh Thái Bình phát biểu tại lễ ký kết.
"""
CAN_THO_SHORT = """Thứ hai, 06/11/2023 08:00 GMT+7

Sở KH&CN TP. Cần Thơ tổ chức hội thảo về chuyển đổi số

Sáng ngày 3/11/2023, Sở KH&CN TP. Cần Thơ tổ chức hội thảo về chuyển đổi số trong nông nghiệp. Ông Phạm Văn Tâm, Phó Giám đốc Sở KH&CN TP. Cần Thơ phát biểu khai mạc hội thảo.
"""
CAN_THO_FULL = """Thứ năm, 14/12/2023 15:30 GMT+7

Sở Khoa học và Công nghệ thành phố Cần Thơ tổng kết năm 2023

Chiều ngày 13/12/2023, Sở Khoa học và Công nghệ thành phố Cần Thơ tổ chức hội nghị tổng kết hoạt động năm 2023. Ông Phạm Văn Tâm, Phó Giám đốc Sở Khoa học và Công nghệ thành phố Cần Thơ trình bày báo cáo.
"""


# ---------------------------------------------------------------------------- helpers


@pytest.fixture
def engine(store_url):
    engine = connect(store_url)
    yield engine
    engine.dispose()


@pytest.fixture
def seeds(shared):
    return shared / "corpus" / "seeds"


@pytest.fixture
def seeded(engine, seeds):
    summary = ingest(engine, [str(seeds)], jobs=1)
    assert (summary.added, summary.failed) == (5, [])
    return engine


def hoptac(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hoptac", *args], capture_output=True, text=True, check=False)


def hoptac_json(db: str, *args: str):
    out = hoptac(*args, "--db", db, "--json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def write(folder, name: str, text: str) -> str:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def entity_ids(conn, kind: str, name: str) -> list[int]:
    """The entities of this name that reads lead to (those merged into another are left out)."""
    return conn.execute(select(entities.c.id).where(entities.c.kind == kind, entities.c.name == name, entities.c.merged_into.is_(None))
                        .order_by(entities.c.id)).scalars().all()


def the_entity(conn, kind: str, name: str) -> int:
    (entity_id,) = entity_ids(conn, kind, name)
    return entity_id


def document_id(conn, name: str) -> int:
    return conn.execute(select(documents.c.id).where(documents.c.name == name)).scalar_one()


def fact_id(conn, document: str, kind: str, label: str) -> int:
    return conn.execute(select(facts.c.id).where(facts.c.document_id == document_id(conn, document), facts.c.kind == kind,
                                                 facts.c.label == label)).scalar_one()


def names(refs: list[dict]) -> set[str]:
    return {ref["name"] for ref in refs}


def hit_names(results: list[dict]) -> list[str]:
    return [r["extra"]["name"] for r in results if r["kind"] == "document"]


def found(conn, query: str, filters: Filters | None = None) -> list[str]:
    """The documents a search finds, best first."""
    return hit_names([h.to_dict() for h in search(conn, query, filters, kinds=("document",))])


def counts(conn) -> dict[str, int]:
    tables = (documents, document_versions, facts, entities, links, search_index)
    return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in tables}


def resolution_decisions(conn) -> set[tuple]:
    """What `hoptac merges` shows, without the row ids a re-extraction renews."""
    return {(m["entity_id"], m["document_id"], m["label"], m["rule"], m["reason"]) for m in show.merges(conn, limit=10_000)}


# ---------------------------------------------------------------------------- acceptance on the seeds


@pytest.mark.parametrize(("person", "sources"), [
    ("Nguyễn Hoàng Giang", {CAO_BANG, CAN_THO_VISIT}),
    ("Ngô Anh Tín", {CAN_THO_VISIT, CAN_THO_SIGNING}),
    ("Nguyễn Ngọc Hè", {CAN_THO_VISIT, CAN_THO_SIGNING}),
])
def test_a_person_in_two_articles_is_one_entity_with_both_sources(seeded, person, sources):
    with seeded.connect() as conn:
        assert names(show.person(conn, the_entity(conn, "person", person))["documents"]) == sources


def test_the_can_tho_department_is_one_organization_in_both_can_tho_articles(seeded):
    with seeded.connect() as conn:
        data = show.organization(conn, the_entity(conn, "organization", CAN_THO_DEPARTMENT))
    assert names(data["documents"]) == {CAN_THO_VISIT, CAN_THO_SIGNING}
    assert "Ngô Anh Tín" in {p["name"] for p in data["people"]}


def test_facts_are_stored_as_readable_utf8_json(seeded):
    """What Datasette, psql or SQL's LIKE sees in the JSON columns: the words, not \\u escapes."""
    with seeded.connect() as conn:
        raw = conn.execute(text("SELECT CAST(data AS TEXT) FROM facts WHERE kind = 'organization'")).scalars().all()
        hits = conn.execute(text("SELECT count(*) FROM facts WHERE CAST(data AS TEXT) LIKE :w"), {"w": "%Sở Khoa học%"}).scalar_one()
    assert raw and not any("\\u" in r for r in raw)
    assert hits > 0


def test_search_can_tho_without_accents_ranks_both_can_tho_articles_first(seeded, store_url):
    results = hoptac_json(store_url, "search", "can tho")["results"]
    assert set(hit_names(results)[:2]) == {CAN_THO_VISIT, CAN_THO_SIGNING}
    assert [r["kind"] for r in results[:2]] == ["document", "document"]


def test_search_for_an_abbreviation_finds_the_articles_that_use_it(seeded, seeds):
    using = {p.name for p in seeds.iterdir() if "Bộ KH&CN" in p.read_text(encoding="utf-8")}
    with seeded.connect() as conn:
        ranked = found(conn, "bo khcn")
    assert len(using) == 4
    # The exact phrase ranks first; an article with "Bộ" and "KH&CN" only apart comes after.
    assert set(ranked[:len(using)]) == using


# ---------------------------------------------------------------------------- idempotence


def test_ingesting_again_skips_everything_and_changes_nothing(seeded, seeds):
    with seeded.connect() as conn:
        before = counts(conn)
    again = ingest(seeded, [str(seeds)], jobs=1)
    assert (again.added, again.updated, again.reextracted, again.skipped, again.failed) == (0, 0, 0, 5, [])
    with seeded.connect() as conn:
        assert counts(conn) == before


def test_the_same_bytes_under_another_name_are_the_same_document(seeded, seeds, tmp_path):
    copy = tmp_path / "cao-bang-copy.txt"
    shutil.copy(seeds / CAO_BANG, copy)
    summary = ingest(seeded, [str(copy)], jobs=1)
    assert (summary.added, summary.skipped) == (0, 1)
    with seeded.connect() as conn:
        assert counts(conn)["documents"] == 5


def test_a_changed_file_is_a_new_version_whose_facts_replace_the_old(engine, tmp_path):
    path = write(tmp_path, "thai-binh.txt", THAI_BINH_2021)
    ingest(engine, [path], jobs=1)
    changed = THAI_BINH_2021.replace("chủ trì hội nghị.", "chủ trì hội nghị. Ông Đặng Văn Quân, Trưởng phòng Quản lý khoa học, báo cáo kết quả năm 2020.")
    write(tmp_path, "thai-binh.txt", changed)
    summary = ingest(engine, [path], jobs=1)
    assert (summary.added, summary.updated) == (0, 1)
    expected = sorted(r.key for r in fact_rows(extract(RawDocument("thai-binh.txt", changed.encode())).to_dict()))
    with engine.connect() as conn:
        doc = show.document(conn, document_id(conn, "thai-binh.txt"))
        stored = sorted(conn.execute(select(facts.c.key).where(facts.c.document_id == doc["id"])).scalars())
    assert doc["version"] == 2
    assert [v["version"] for v in doc["versions"]] == [1, 2]
    assert "Đặng Văn Quân" in doc["text"]
    assert stored == expected  # the new extraction's facts, each once
    assert any(k.startswith("person:dang van quan") for k in stored)


def test_a_page_crawled_twice_into_one_dump_is_one_document_at_its_last_version(engine, tmp_path):
    dump = tmp_path / "crawl.jsonl"
    url = "https://sokhcn.cantho.gov.vn/tin/tong-ket-2023"
    dump.write_text("\n".join(json.dumps({"url": url, "text": t}, ensure_ascii=False) for t in (CAN_THO_SHORT, CAN_THO_FULL)), encoding="utf-8")
    summary = ingest(engine, [str(dump)], jobs=1)
    assert (summary.added, summary.updated, summary.failed) == (1, 1, [])
    with engine.connect() as conn:
        (doc,) = conn.execute(select(documents.c.id, documents.c.version, documents.c.text).where(documents.c.key == url)).all()
        keys = conn.execute(select(facts.c.key).where(facts.c.document_id == doc.id)).scalars().all()
    assert doc.version == 2 and "tổng kết" in doc.text
    assert len(keys) == len(set(keys)) and "event:review:2023-12-13:hoi nghi tong ket" in keys


def test_files_of_the_same_name_in_different_folders_are_different_documents(engine, tmp_path):
    for folder, text in (("a", CAN_THO_SHORT), ("b", CAN_THO_FULL)):
        (tmp_path / folder).mkdir()
        write(tmp_path / folder, "index.txt", text)
    summary = ingest(engine, [str(tmp_path)], jobs=1)
    assert summary.added == 2
    with engine.connect() as conn:
        assert set(conn.execute(select(documents.c.key, documents.c.version)).all()) == {("a/index.txt", 1), ("b/index.txt", 1)}


def test_an_unreadable_file_fails_alone_and_the_cli_says_so(store_url, tmp_path):
    good = write(tmp_path, "nghe-an.txt", NGHE_AN)
    photo = tmp_path / "photo.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    missing = str(tmp_path / "missing.txt")
    out = hoptac("ingest", good, str(photo), missing, "--db", store_url, "--json")
    assert out.returncode == 1
    summary = json.loads(out.stdout)
    assert summary["added"] == 1
    reasons = {f["name"]: f["reason"] for f in summary["failed"]}
    assert set(reasons) == {"photo.png", missing}
    assert "binary" in reasons["photo.png"]
    assert "No such file" in reasons[missing]
    engine = connect(store_url)
    with engine.connect() as conn:
        assert conn.execute(select(documents.c.name)).scalars().all() == ["nghe-an.txt"]
        assert set(conn.execute(select(failures.c.name)).scalars()) == {"photo.png", missing}
    engine.dispose()
    again = hoptac("ingest", good, str(photo), "--db", store_url)  # as a person reads it
    assert again.returncode == 1
    assert "1 skipped" in again.stdout and "failed photo.png: binary" in again.stdout


# ---------------------------------------------------------------------------- re-extraction


def test_a_new_extractor_version_reextracts_all_and_keeps_entity_ids(seeded, seeds):
    people = ("Nguyễn Hoàng Giang", "Ngô Anh Tín", "Nguyễn Ngọc Hè")
    with seeded.connect() as conn:
        ids = {name: the_entity(conn, "person", name) for name in people}
        department = the_entity(conn, "organization", CAN_THO_DEPARTMENT)
        decisions = resolution_decisions(conn)
    summary = ingest(seeded, [str(seeds)], jobs=1, version="test-2")
    assert (summary.added, summary.updated, summary.reextracted, summary.skipped) == (0, 0, 5, 0)
    with seeded.connect() as conn:
        assert {name: the_entity(conn, "person", name) for name in people} == ids
        assert the_entity(conn, "organization", CAN_THO_DEPARTMENT) == department
        assert names(show.person(conn, ids["Nguyễn Hoàng Giang"])["documents"]) == {CAO_BANG, CAN_THO_VISIT}
        assert set(conn.execute(select(documents.c.extractor_version)).scalars()) == {"test-2"}
        assert counts(conn)["document_versions"] == 5  # same bytes: no new version
        # The same text read again is resolved the same way, for the same reasons.
        assert resolution_decisions(conn) == decisions


def test_reextracting_in_another_order_keeps_namesakes_in_their_entities(engine, tmp_path):
    nghe_an, lang_son = write(tmp_path, "nghe-an.txt", NGHE_AN), write(tmp_path, "lang-son.txt", LANG_SON)
    ingest(engine, [nghe_an, lang_son], jobs=1)
    with engine.connect() as conn:
        before = {d["name"]: i for i in entity_ids(conn, "person", "Trần Văn Nam") for d in show.person(conn, i)["documents"]}
    ingest(engine, [lang_son, nghe_an], jobs=1, version="test-2")
    with engine.connect() as conn:
        after = {d["name"]: i for i in entity_ids(conn, "person", "Trần Văn Nam") for d in show.person(conn, i)["documents"]}
    assert len(set(before.values())) == 2
    assert after == before


# ---------------------------------------------------------------------------- corrections


def test_corrections_survive_a_new_extractor_version(seeded, seeds):
    with seeded.begin() as conn:
        position = fact_id(conn, CAN_THO_SIGNING, "position", "Thành ủy viên Cần Thơ")
        corrected = set_fields(conn, position, {"title": "Ủy viên Ban Chấp hành Đảng bộ thành phố Cần Thơ"}, ANALYST)
        # The conference in the Cần Thơ visit article is the Prime Minister's, not the visit.
        deleted = delete_fact(conn, fact_id(conn, CAN_THO_VISIT, "event", "Hội nghị"), ANALYST)
    summary = ingest(seeded, [str(seeds)], jobs=1, version="test-2")
    assert (summary.reextracted, summary.orphaned) == (5, [])
    with seeded.connect() as conn:
        tin = show.person(conn, the_entity(conn, "person", "Ngô Anh Tín"))
        titles = {p["title"] for p in tin["positions"]}
        assert "Ủy viên Ban Chấp hành Đảng bộ thành phố Cần Thơ" in titles
        assert "Thành ủy viên Cần Thơ" not in titles
        assert "Ủy viên Ban Chấp hành Đảng bộ thành phố Cần Thơ" in {h["title"] for h in tin["history"]}
        visit = show.document(conn, document_id(conn, CAN_THO_VISIT))
        assert "Hội nghị" not in {f["label"] for f in visit["facts"] if f["kind"] == "event"}
        assert "working_visit" in {f["data"]["type"] for f in visit["facts"] if f["kind"] == "event"}
        status = dict(conn.execute(select(corrections.c.id, corrections.c.status)).all())
        assert status == {corrected: "applied", deleted: "applied"}
        assert found(conn, "", Filters(event_type="conference")) == []


def test_undo_restores_what_extraction_found_and_it_stays_restored(seeded, seeds):
    with seeded.begin() as conn:
        position = fact_id(conn, CAN_THO_SIGNING, "position", "Thành ủy viên Cần Thơ")
        corrected = set_fields(conn, position, {"title": "Ủy viên Ban Chấp hành Đảng bộ thành phố Cần Thơ"}, ANALYST)
        deleted = delete_fact(conn, fact_id(conn, CAN_THO_VISIT, "event", "Hội nghị"), ANALYST)
        undo(conn, corrected, Author("lan.nguyen", "the article's wording is what we keep"))
        undo(conn, deleted, Author("lan.nguyen", "the conference is part of the visit"))
        assert conn.execute(select(facts.c.label, facts.c.data).where(facts.c.id == position)).one() == (
            "Thành ủy viên Cần Thơ", {"title": "Thành ủy viên Cần Thơ", "organization": "Thành ủy Cần Thơ", "former": False, "person": "Ngô Anh Tín"})
    ingest(seeded, [str(seeds)], jobs=1, version="test-2")
    with seeded.connect() as conn:
        titles = {p["title"] for p in show.person(conn, the_entity(conn, "person", "Ngô Anh Tín"))["positions"]}
        assert "Thành ủy viên Cần Thơ" in titles
        assert "Ủy viên Ban Chấp hành Đảng bộ thành phố Cần Thơ" not in titles
        visit = show.document(conn, document_id(conn, CAN_THO_VISIT))
        assert "Hội nghị" in {f["label"] for f in visit["facts"] if f["kind"] == "event"}
        assert set(conn.execute(select(corrections.c.status)).scalars()) == {"undone"}


def test_a_correction_whose_fact_is_no_longer_extracted_is_reported_orphaned(engine, seeds, store_url, tmp_path):
    original = (seeds / CAN_THO_VISIT).read_text(encoding="utf-8")
    sentence = "Đồng chí Chu Thúc Đạt, Vụ trưởng Vụ Phát triển KH&CN địa phương, Bộ KH&CN; "
    assert sentence in original
    path = write(tmp_path, "can-tho-visit.txt", original)
    ingest(engine, [path], jobs=1)
    with engine.begin() as conn:
        position = fact_id(conn, "can-tho-visit.txt", "position", "Vụ trưởng Vụ Phát triển khoa học và công nghệ địa phương")
        correction = set_fields(conn, position, {"former": True}, ANALYST)
    write(tmp_path, "can-tho-visit.txt", original.replace(sentence, ""))
    summary = ingest(engine, [path], jobs=1)
    assert (summary.updated, summary.orphaned) == (1, [correction])
    (row,) = hoptac_json(store_url, "corrections", "--status", "orphaned")
    assert (row["id"], row["action"], row["status"], row["author"]) == (correction, "set", "orphaned", ANALYST.name)
    assert "chu thuc dat" in row["status_detail"]
    assert hoptac_json(store_url, "corrections", "--status", "applied") == []


def test_merge_shows_both_entities_documents_until_undone(engine, tmp_path):
    paths = [write(tmp_path, "nghe-an.txt", NGHE_AN), write(tmp_path, "lang-son.txt", LANG_SON)]
    ingest(engine, paths, jobs=1)
    with engine.begin() as conn:
        first, second = entity_ids(conn, "person", "Trần Văn Nam")
        merged = merge(conn, second, first, Author("lan.nguyen", "moved from Nghệ An to Lạng Sơn in 2023"))
    ingest(engine, paths, jobs=1, version="test-2")  # a merge is not undone by a re-extraction
    with engine.connect() as conn:
        for entity_id in (first, second):
            assert names(show.person(conn, entity_id)["documents"]) == {"nghe-an.txt", "lang-son.txt"}
        assert entity_ids(conn, "person", "Trần Văn Nam") == [first]
        assert set(found(conn, "", Filters(person=str(first)))) == {"nghe-an.txt", "lang-son.txt"}
    with engine.begin() as conn:
        undo(conn, merged, Author("lan.nguyen", "two different people after all"))
    with engine.connect() as conn:
        assert names(show.person(conn, first)["documents"]) == {"nghe-an.txt"}
        assert names(show.person(conn, second)["documents"]) == {"lang-son.txt"}


def test_a_split_mention_keeps_its_own_entity_after_reextraction(seeded, seeds):
    with seeded.begin() as conn:
        giang = the_entity(conn, "person", "Nguyễn Hoàng Giang")
        split(conn, fact_id(conn, CAN_THO_VISIT, "person", "Nguyễn Hoàng Giang"), ANALYST)
    for version in (None, "test-2"):
        ingest(seeded, [str(seeds)], jobs=1, version=version)
        with seeded.connect() as conn:
            ids = entity_ids(conn, "person", "Nguyễn Hoàng Giang")
            assert ids[0] == giang and len(ids) == 2
            assert names(show.person(conn, giang)["documents"]) == {CAO_BANG}
            own = show.person(conn, ids[1])
            assert names(own["documents"]) == {CAN_THO_VISIT}
            assert [p["title"] for p in own["positions"]] == ["Thứ trưởng Bộ Khoa học và Công nghệ"]


def test_corrections_need_an_author_and_a_reason(seeded, store_url):
    with pytest.raises(CorrectionError, match="author"):
        Author(" ", "a reason")
    with pytest.raises(CorrectionError, match="reason"):
        Author("lan.nguyen", "")
    with seeded.connect() as conn:
        fact = fact_id(conn, CAN_THO_VISIT, "event", "Hội nghị")
    no_reason = hoptac("correct", "delete", str(fact), "--db", store_url, "--author", "lan.nguyen")
    assert no_reason.returncode != 0 and "--reason" in no_reason.stderr
    no_author = hoptac("correct", "delete", str(fact), "--db", store_url, "--author", "", "--reason", "not an S&T event")
    assert no_author.returncode != 0 and "needs an author" in no_author.stderr
    with seeded.connect() as conn:
        assert conn.execute(select(func.count()).select_from(corrections)).scalar_one() == 0
        assert conn.execute(select(facts.c.suppressed_by).where(facts.c.id == fact)).scalar_one() is None


def test_every_correction_and_undo_is_in_the_audit_log(seeded, store_url):
    with seeded.connect() as conn:
        fact = fact_id(conn, CAN_THO_VISIT, "event", "Hội nghị")
    out = hoptac("correct", "delete", str(fact), "--db", store_url, "--author", "lan.nguyen", "--reason", "not an S&T event")
    assert out.returncode == 0, out.stderr
    with seeded.connect() as conn:
        (correction,) = conn.execute(select(corrections.c.id)).scalars()
    out = hoptac("correct", "undo", str(correction), "--db", store_url, "--author", "minh.tran", "--reason", "it is part of the visit")
    assert out.returncode == 0, out.stderr
    with seeded.connect() as conn:
        rows = conn.execute(select(audit).order_by(audit.c.id)).all()
    assert [(r.actor, r.action, r.detail["reason"]) for r in rows] == [
        ("lan.nguyen", "delete", "not an S&T event"), ("minh.tran", "undo", "it is part of the visit")]
    assert rows[0].target == f"fact:{fact}"
    assert rows[1].target == f"correction:{correction}"


# ---------------------------------------------------------------------------- resolution


def test_namesakes_in_departments_of_different_provinces_are_different_people(engine, tmp_path):
    ingest(engine, [write(tmp_path, "nghe-an.txt", NGHE_AN), write(tmp_path, "lang-son.txt", LANG_SON)], jobs=1)
    with engine.connect() as conn:
        people = [show.person(conn, i) for i in entity_ids(conn, "person", "Trần Văn Nam")]
    assert [names(p["documents"]) for p in people] == [{"nghe-an.txt"}, {"lang-son.txt"}]
    assert [p["positions"][0]["title"] for p in people] == [
        "Giám đốc Sở Khoa học và Công nghệ tỉnh Nghệ An", "Phó Giám đốc Sở Khoa học và Công nghệ tỉnh Lạng Sơn"]
    assert people[1]["resolution"][0]["reason"] == "namesakes work in other provinces"


def test_a_persons_positions_over_time_are_a_dated_history(engine, store_url, tmp_path):
    # The later article is read first: the history is ordered by date, not by reading.
    ingest(engine, [write(tmp_path, "thai-binh-2023.txt", THAI_BINH_2023), write(tmp_path, "thai-binh-2021.txt", THAI_BINH_2021)], jobs=1)
    with engine.connect() as conn:
        hoa = the_entity(conn, "person", "Lê Thị Hoa")
    data = hoptac_json(store_url, "show", "person", str(hoa))
    assert [(h["title"], h["first_seen"]) for h in data["history"]] == [
        ("Phó Giám đốc Sở Khoa học và Công nghệ tỉnh Thái Bình", "2021-03-10"),
        ("Giám đốc Sở Khoa học và Công nghệ tỉnh Thái Bình", "2023-09-08"),
    ]
    assert [p["date"] for p in data["positions"]] == ["2021-03-10", "2023-09-08"]
    assert {p["organization"] for p in data["positions"]} == {"Sở Khoa học và Công nghệ tỉnh Thái Bình"}
    assert names(data["documents"]) == {"thai-binh-2021.txt", "thai-binh-2023.txt"}


def test_an_organization_written_two_ways_is_one_entity(engine, tmp_path):
    ingest(engine, [write(tmp_path, "can-tho-short.txt", CAN_THO_SHORT), write(tmp_path, "can-tho-full.txt", CAN_THO_FULL)], jobs=1)
    with engine.connect() as conn:
        department = show.organization(conn, the_entity(conn, "organization", CAN_THO_DEPARTMENT))
        tam = the_entity(conn, "person", "Phạm Văn Tâm")
    assert names(department["documents"]) == {"can-tho-short.txt", "can-tho-full.txt"}
    assert department["people"] == [{"id": tam, "name": "Phạm Văn Tâm", "titles": ["Phó Giám đốc Sở Khoa học và Công nghệ thành phố Cần Thơ"]}]


def test_merges_lists_resolution_decisions_with_rule_and_reason(seeded, store_url):
    rows = hoptac_json(store_url, "merges")
    assert rows and all(r["rule"] and r["reason"] for r in rows)
    assert "new" not in {r["rule"] for r in rows}  # first mentions are not merges
    with seeded.connect() as conn:
        giang = the_entity(conn, "person", "Nguyễn Hoàng Giang")
        visit = document_id(conn, CAN_THO_VISIT)
    (row,) = hoptac_json(store_url, "merges", str(giang))
    assert (row["name"], row["document_id"], row["rule"]) == ("Nguyễn Hoàng Giang", visit, "same_org")
    assert row["reason"] == "same name, positions in the same organization"


# ---------------------------------------------------------------------------- search filters and show


def search_names(db: str, *args: str) -> set[str]:
    return set(hit_names(hoptac_json(db, "search", *args, "--type", "document")["results"]))


def test_search_by_province_before_or_after_the_merger(seeded, store_url, tmp_path):
    ingest(seeded, [write(tmp_path, "thai-binh-2021.txt", THAI_BINH_2021)], jobs=1)
    assert search_names(store_url, "ky ket", "--province", "Cao Bằng") == {CAO_BANG}
    assert search_names(store_url, "", "--province", "cần thơ") == {CAN_THO_VISIT, CAN_THO_SIGNING}
    assert search_names(store_url, "", "--province", "Hưng Yên") == {"thai-binh-2021.txt"}  # Thái Bình is in Hưng Yên since 2025


def test_search_by_event_type_and_dates(seeded, store_url):
    assert search_names(store_url, "", "--event-type", "signing") == {CAO_BANG, HAI_PHONG, CAN_THO_SIGNING}
    assert search_names(store_url, "", "--event-type", "working_visit") == {CAN_THO_VISIT, QUANG_NINH}
    assert search_names(store_url, "", "--from", "2022-05-01", "--to", "2022-12-31") == {CAN_THO_VISIT}
    # Three seeds print no dateline: they are dated by the events they report.
    assert search_names(store_url, "", "--to", "2022-04-28") == {CAO_BANG, HAI_PHONG, CAN_THO_SIGNING, QUANG_NINH}
    assert search_names(store_url, "", "--from", "2022-02-01", "--to", "2022-03-31") == {CAN_THO_SIGNING}


def test_search_by_person_and_organization(seeded, store_url):
    with seeded.connect() as conn:
        tin = the_entity(conn, "person", "Ngô Anh Tín")
    assert search_names(store_url, "", "--person", "Ngô Anh Tín") == {CAN_THO_VISIT, CAN_THO_SIGNING}
    assert search_names(store_url, "", "--person", str(tin)) == {CAN_THO_VISIT, CAN_THO_SIGNING}
    assert search_names(store_url, "", "--org", "Sở Khoa học và Công nghệ tỉnh Cao Bằng") == {CAO_BANG}
    assert search_names(store_url, "khoa hoc", "--org", "Công an thành phố Cần Thơ") == {CAN_THO_SIGNING}


@pytest.mark.parametrize(("args", "message"), [
    (("--province", "Atlantis"), "no province is called 'Atlantis'"),
    (("--from", "2022-13-01"), "'2022-13-01' is not a date"),
    (("--person", "Zzyzx Qwv"), "no person matches"),
])
def test_search_with_a_bad_filter_is_a_clear_error(seeded, store_url, args, message):
    out = hoptac("search", "can tho", *args, "--db", store_url, "--json")
    assert out.returncode != 0
    assert message in out.stderr
    assert out.stdout == ""


def test_show_person_has_positions_history_and_documents(seeded, store_url):
    with seeded.connect() as conn:
        giang = the_entity(conn, "person", "Nguyễn Hoàng Giang")
    data = hoptac_json(store_url, "show", "person", str(giang))
    assert data["name"] == "Nguyễn Hoàng Giang"
    assert {p["title"] for p in data["positions"]} == {"Thứ trưởng Bộ Khoa học và Công nghệ", "Ủy viên Ban Cán sự đảng Bộ Khoa học và Công nghệ"}
    deputy = next(h for h in data["history"] if h["title"] == "Thứ trưởng Bộ Khoa học và Công nghệ")
    assert (deputy["first_seen"], deputy["last_seen"], len(deputy["documents"])) == ("2022-04-28", "2022-06-23", 2)
    assert names(data["documents"]) == {CAO_BANG, CAN_THO_VISIT}


def test_history_dates_are_the_same_on_both_backends(seeded, store_url):
    with seeded.connect() as conn:
        tin = show.person(conn, the_entity(conn, "person", "Ngô Anh Tín"))
    # Director in the signing article (no dateline: dated by its signing, 2022-03-03) and in
    # the visit article published 2022-06-23; both databases order them the same way.
    director = next(h for h in tin["history"] if h["title"] == "Giám đốc Sở Khoa học và Công nghệ thành phố Cần Thơ")
    assert (director["first_seen"], director["last_seen"]) == ("2022-03-03", "2022-06-23")
    assert len(director["documents"]) == 2


@pytest.mark.parametrize("kind", ["person", "org", "agreement", "document"])
def test_show_of_a_missing_id_is_a_clear_error(seeded, store_url, kind):
    out = hoptac("show", kind, "999999", "--db", store_url, "--json")
    assert out.returncode == 1
    assert "999999" in out.stderr and "no " in out.stderr
    assert out.stdout == ""
