"""The site as a reader and an editor use it: pages, language, safety, curation by forms.

Runs the real app (``create_app``) over the seed articles in a real store, through
Starlette's test client; the browser flow itself is in ``test_browser.py``.
"""
from __future__ import annotations

import json
import re
import shutil
import sqlite3
from importlib import resources
from pathlib import Path

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from hoptac.store.browse import units
from hoptac.store.db import connect
from hoptac.store.ingest import ingest
from hoptac.store.schema import documents, entities, facts
from hoptac.store.show import organization
from hoptac.store.users import add_user
from hoptac.web.app import create_app
from hoptac.web.process import served
from hoptac.web.i18n import messages

PASSWORD = "correct horse battery"
SCRIPT_ARTICLE = """Sở KH&CN tỉnh Sơn La <script>alert("x")</script> ký kết chương trình phối hợp

Sơn La, ngày 12/5/2023 - Sáng ngày 10/5/2023, Sở Khoa học và Công nghệ tỉnh Sơn La và Trường Đại học Tây Bắc đã ký kết
Chương trình phối hợp hoạt động khoa học và công nghệ giai đoạn 2023-2025 <img src=x onerror=alert(1)>. Ông Nguyễn Văn An,
Giám đốc Sở Khoa học và Công nghệ tỉnh Sơn La phát biểu tại buổi lễ.
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> str:
    seeds = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "seeds"
    if not seeds.is_dir():
        pytest.skip(f"../shared is not beside the project ({seeds})")
    folder = tmp_path_factory.mktemp("web")
    extra = folder / "extra"
    extra.mkdir()
    (extra / "script.txt").write_text(SCRIPT_ARTICLE, encoding="utf-8")
    db = str(folder / "web.db")
    engine = connect(db)
    summary = ingest(engine, [str(seeds), str(extra)], jobs=1)
    assert summary.failed == []
    with engine.begin() as conn:
        add_user(conn, "ed", PASSWORD, "editor", actor="test")
        add_user(conn, "viv", PASSWORD, "viewer", actor="test")
        add_user(conn, "root", PASSWORD, "admin", actor="test")
    engine.dispose()
    return db


@pytest.fixture
def client(store) -> TestClient:
    return TestClient(create_app(store), follow_redirects=False)


def login(client: TestClient, name: str = "ed", password: str = PASSWORD):
    form = client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    return client.post("/login", data={"name": name, "password": password, "csrf": csrf, "next": "/"})


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def one(store: str, stmt):
    engine = connect(store)
    with engine.connect() as conn:
        value = conn.execute(stmt).scalar()
    engine.dispose()
    return value


# ---------------------------------------------------------------------------- reading


PAGES = ["/", "/search?q=can+tho", "/documents", "/events", "/agreements", "/persons", "/organizations", "/network",
         "/provinces", "/provinces?era=legacy", "/provinces/C%E1%BA%A7n%20Th%C6%A1", "/corrections", "/login"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_in_vietnamese_with_security_headers(client, path):
    r = client.get(path)
    assert r.status_code == 200, r.text[:500]
    assert '<html lang="vi">' in r.text
    assert "script-src 'self'" in r.headers["content-security-policy"] and "unsafe-inline" not in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff" and r.headers["x-frame-options"] == "DENY"
    assert r.headers["etag"]


def test_home_draws_counts_by_province_and_year(client):
    page = client.get("/").text
    assert page.count("<svg") >= 3  # provinces, years, the tile map
    assert 'href="/provinces/C%E1%BA%A7n%20Th%C6%A1"' in page  # a bar and a tile lead to the province
    assert "<title>2022: " in page  # the year bars carry their counts


def test_english_is_one_click_away_and_remembered(client):
    first = client.get("/documents?lang=en")
    assert '<html lang="en">' in first.text and ">Articles<" in first.text
    assert '<html lang="en">' in client.get("/persons").text  # the cookie remembers it
    assert '<html lang="vi">' in client.get("/persons?lang=vi").text


def test_search_highlights_words_typed_without_accents_and_offers_facets(client):
    page = client.get("/search", params={"q": "can tho"}).text
    results = re.findall(r'<a class="title" href="/documents/(\d+)">(.*?)</a>', page)
    assert len(results) >= 2 and all("Thơ" in title for _, title in results[:2])
    assert "<mark>Cần</mark> <mark>Thơ</mark>" in page
    assert "Cần Thơ" in re.search(r'<aside class="facets".*?</aside>', page, re.S).group()


def test_a_facet_narrows_the_results(client):
    all_hits = client.get("/search", params={"q": "khoa học"}).text
    narrowed = client.get("/search", params={"q": "khoa học", "province": "Cần Thơ"}).text
    count = lambda page: len(re.findall(r'class="result"', page))  # noqa: E731
    assert 0 < count(narrowed) < count(all_hits)


def test_an_article_marks_each_fact_where_it_was_read_and_links_it_to_its_evidence(client, store):
    doc_id = one(store, select(facts.c.document_id).where(facts.c.label == "Nguyễn Hoàng Giang").limit(1))
    page = client.get(f"/documents/{doc_id}").text
    person_fact = one(store, select(facts.c.id).where(facts.c.document_id == doc_id, facts.c.label == "Nguyễn Hoàng Giang"))
    assert re.search(rf'<a class="fact k-person" href="#fact-{person_fact}" data-facts="[^"]*">Nguyễn Hoàng Giang</a>', page)
    card = re.search(rf'<li class="factcard k-person" id="fact-{person_fact}".*?</li>', page, re.S).group()
    assert "<meter" in card and "evidence" in card
    marked = set(re.findall(r'data-facts="([^"]+)"', page))
    assert {i for ids in marked for i in ids.split()} <= set(re.findall(r'id="fact-(\d+)"', page))


def test_article_text_and_extracted_strings_are_shown_as_text_never_run(client, store):
    doc_id = one(store, select(documents.c.id).where(documents.c.name == "script.txt"))
    page = client.get(f"/documents/{doc_id}").text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    search = client.get("/search", params={"q": "script alert"}).text
    assert "<script>alert" not in search


def test_a_person_page_draws_the_timeline_of_positions(client, store):
    person = one(store, select(entities.c.id).where(entities.c.name == "Nguyễn Hoàng Giang"))
    page = client.get(f"/persons/{person}").text
    timeline = re.search(r'<svg[^>]*chart-timeline.*?</svg>', page, re.S).group()
    assert "Thứ trưởng Bộ Khoa học và Công nghệ" in timeline and "2022" in timeline


def test_an_organization_page_shows_partners_and_parent_unit(client, store):
    so = one(store, select(entities.c.id).where(entities.c.name == "Sở Khoa học và Công nghệ tỉnh Cao Bằng"))
    page = client.get(f"/organizations/{so}").text
    assert "chart-network" in page and "Viện Ứng dụng Công nghệ" in page
    assert "Ủy ban nhân dân tỉnh Cao Bằng" in re.search(r"<h3>Cấp trên</h3>.*?</ul>", page, re.S).group()


def test_a_department_answers_to_its_provinces_peoples_committee(store):
    engine = connect(store)
    with engine.connect() as conn:
        so = conn.execute(select(entities.c.id).where(entities.c.name == "Sở Khoa học và Công nghệ tỉnh Cao Bằng")).scalar()
        found = units(conn, organization(conn, so))
    engine.dispose()
    assert [p["name"] for p in found["parents"]] == ["Ủy ban nhân dân tỉnh Cao Bằng"]


@pytest.mark.parametrize(("path", "status"), [
    ("/documents/999999", 404), ("/documents/abc", 400), ("/persons/0", 400), ("/documents/3000000000", 400),
    ("/organizations/99999999999999999999", 400), ("/organizations?kind=%00", 400), ("/provinces/Atlantis", 404),
    ("/provinces?era=1900", 400), ("/search?q=x&year=abc", 400), ("/search?q=x&province=Atlantis", 400),
    ("/corrections?status=lost", 400), ("/nowhere", 404)])
def test_bad_addresses_get_a_page_that_says_what_is_wrong(client, path, status):
    r = client.get(path)
    assert r.status_code == status
    assert "<html" in r.text and "Về trang chủ" in r.text


def test_every_interface_word_exists_in_both_languages():
    table = messages()
    assert all(set(v) == {"vi", "en"} and all(v.values()) for v in table.values())
    web = Path(str(resources.files("hoptac.web")))
    words = re.compile(r"""\b(?:_|t)\(["']([a-z_.0-9]+)["']""")
    used = {key for path in [*web.glob("templates/*.html"), web / "pages.py"] for key in words.findall(path.read_text())}
    assert len(used) > 100
    assert {key for key in used if not key.endswith(".")} - set(table) == set()  # "event." ~ type: the next test


def test_every_kind_the_data_can_hold_has_a_name_in_both_languages():
    data = resources.files("hoptac.data")
    read = lambda name: json.loads(data.joinpath(f"{name}.json").read_text())  # noqa: E731
    org_kinds = {h["kind"] for h in read("organizations")["heads"]}
    org_kinds |= {row["kind"] for group in ("ministries", "units") for row in read("ministries")[group]}
    org_kinds |= {row["kind"] for name in ("institutions", "international") for row in read(name)["bodies"]}
    agreement_kinds = {kind for kind, _ in json.loads(data.joinpath("agreements.json").read_text())["kinds"]}
    wanted = ({f"org.{k}" for k in org_kinds} | {f"agreement.{k}" for k in agreement_kinds}
              | {f"event.{k}" for k in ("signing", "working_visit", "review", "conference", "other")}
              | {f"kind.{k}" for k in ("event", "agreement", "person", "position", "organization", "legal_ref", "commitment")}
              | {f"action.{k}" for k in ("set", "delete", "add", "merge", "split", "rename")}
              | {f"status.{k}" for k in ("applied", "orphaned", "undone")}
              | {f"commitment.{kind}" for kind, *_ in json.loads(data.joinpath("commitments.json").read_text())["kinds"]}
              | {f"rule.{r}" for r in ("new", "same_name", "alias", "same_org", "same_province", "no_conflict", "analyst")})
    assert wanted - set(messages()) == set()


# ---------------------------------------------------------------------------- signing in


def test_an_editor_logs_in_and_the_header_says_so(client):
    r = login(client)
    assert r.status_code == 303 and r.headers["location"] == "/"
    cookie = r.headers["set-cookie"]
    assert "hoptac_session=" in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    page = client.get("/")
    assert 'class="user"' in page.text and ">ed<" in page.text
    assert "private" in page.headers["cache-control"]


def test_a_wrong_password_is_refused_on_the_login_page(client):
    r = login(client, password="not the password")
    assert r.status_code == 401 and "Sai tên đăng nhập hoặc mật khẩu" in r.text
    assert "hoptac_session" not in r.headers.get("set-cookie", "")


def test_the_login_form_must_come_from_this_site(client):
    r = client.post("/login", data={"name": "ed", "password": PASSWORD, "csrf": "forged"})
    assert r.status_code == 403


def test_repeated_failed_logins_are_slowed_down(client):
    for _ in range(5):
        assert login(client, "ed", "guess").status_code == 401
    r = login(client)  # even the right password waits now
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0


def test_after_login_only_paths_of_this_site_are_followed(client):
    form = client.get("/login")
    r = client.post("/login", data={"name": "ed", "password": PASSWORD, "csrf": csrf_of(form.text), "next": "//evil.example/x"})
    assert r.headers["location"] == "/"


def test_logging_out_ends_the_session(client):
    login(client)
    page = client.get("/").text
    client.post("/logout", data={"csrf": csrf_of(page)})
    assert 'class="user"' not in client.get("/").text


# ---------------------------------------------------------------------------- curation


def position_fact(store: str) -> tuple[int, int]:
    row = connect(store).connect().execute(select(facts.c.id, facts.c.document_id).where(
        facts.c.kind == "position", facts.c.label == "Giám đốc Sở Khoa học và Công nghệ tỉnh Sơn La")).first()
    return row.id, row.document_id


def test_an_editor_corrects_a_title_from_the_article_and_it_stays_corrected(client, store):
    fact, doc = position_fact(store)
    login(client)
    page = client.get(f"/documents/{doc}").text
    r = client.post("/corrections", data={"csrf": csrf_of(page), "action": "set", "fact_id": fact, "field": "title",
                                          "value": "Phó Giám đốc Sở Khoa học và Công nghệ tỉnh Sơn La", "reason": "bài gốc ghi sai",
                                          "next": f"/documents/{doc}#fact-{fact}"})
    assert r.status_code == 303 and r.headers["location"] == f"/documents/{doc}#fact-{fact}"
    card = re.search(rf'id="fact-{fact}".*?</li>', client.get(f"/documents/{doc}").text, re.S).group()
    assert "Phó Giám đốc Sở Khoa học và Công nghệ tỉnh Sơn La" in card and "đã hiệu đính" in card
    listing = client.get("/corrections").text
    assert "bài gốc ghi sai" in listing and ">ed<" in listing.replace("<td>ed", ">ed<")
    undo = re.search(r'action="/corrections/(\d+)/undo"', listing).group(1)
    client.post(f"/corrections/{undo}/undo", data={"csrf": csrf_of(listing), "reason": "thử lại"})
    assert "Giám đốc Sở Khoa học và Công nghệ tỉnh Sơn La" in re.search(rf'id="fact-{fact}".*?</li>', client.get(f"/documents/{doc}").text, re.S).group()


def test_a_correction_without_the_forms_token_is_refused(client, store):
    fact, _ = position_fact(store)
    login(client)
    r = client.post("/corrections", data={"action": "delete", "fact_id": fact, "reason": "x", "csrf": "forged"})
    assert r.status_code == 403


def test_readers_cannot_correct(client, store):
    fact, doc = position_fact(store)
    assert client.post("/corrections", data={"action": "delete", "fact_id": fact, "reason": "x"}).status_code == 401
    login(client, "viv")
    page = client.get(f"/documents/{doc}").text
    assert 'action="/corrections"' not in page  # no forms for a viewer
    assert client.post("/corrections", data={"action": "delete", "fact_id": fact, "reason": "x", "csrf": csrf_of(page)}).status_code == 403


def test_a_correction_that_makes_no_sense_is_explained_not_crashed(client, store):
    login(client)
    page = client.get("/").text
    r = client.post("/corrections", data={"csrf": csrf_of(page), "action": "merge", "entity_id": 1, "into_id": 999999, "reason": "x"})
    assert r.status_code == 400 and "999999" in r.text


def test_a_private_store_asks_readers_to_log_in(store):
    private = TestClient(create_app(store, private=True), follow_redirects=False)
    assert private.get("/documents").status_code == 401
    login(private, "viv")
    assert private.get("/documents").status_code == 200


def test_an_unchanged_page_is_not_sent_again(client):
    first = client.get("/documents")
    again = client.get("/documents", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


# ---------------------------------------------------------------------------- administration


def test_an_admin_manages_accounts_from_the_site_and_the_audit_log_shows_it(client):
    login(client, "root")
    page = client.get("/admin").text
    assert "ed" in page and "Nhật ký thay đổi" in page
    added = client.post("/admin/users", data={"csrf": csrf_of(page), "action": "add", "name": "hoa", "password": PASSWORD, "role": "viewer"})
    assert added.status_code == 303
    client.post("/admin/users", data={"csrf": csrf_of(page), "action": "role", "name": "hoa", "role": "editor"})
    client.post("/admin/users", data={"csrf": csrf_of(page), "action": "disable", "name": "hoa"})
    audit = re.findall(r"<td>root</td><td>(user\.\w+)</td><td>user:hoa</td>", client.get("/admin").text)
    assert audit == ["user.disable", "user.role", "user.add"]
    other = TestClient(client.app, follow_redirects=False)
    assert login(other, "hoa").status_code == 401  # disabled


def test_only_admins_see_the_administration(client):
    assert client.get("/admin").status_code == 401
    login(client, "ed")
    assert client.get("/admin").status_code == 403
    assert 'href="/admin"' not in client.get("/").text


def test_a_short_password_is_explained(client):
    login(client, "root")
    page = client.get("/admin").text
    r = client.post("/admin/users", data={"csrf": csrf_of(page), "action": "add", "name": "x", "password": "short", "role": "viewer"})
    assert r.status_code == 400 and "8" in r.text


# ---------------------------------------------------------------------------- accounts from the command line


def test_accounts_are_made_and_used_from_the_command_line(tmp_path):
    import os
    import subprocess
    import sys

    db = str(tmp_path / "users.db")
    env = {**os.environ, "HOPTAC_PASSWORD": PASSWORD}

    def hoptac(*args: str, **kw) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "hoptac", *args, "--db", db], capture_output=True, text=True, env=env, **kw)

    assert hoptac("user", "add", "lan", "--role", "editor").returncode == 0
    short = subprocess.run([sys.executable, "-m", "hoptac", "user", "add", "minh", "--db", db], capture_output=True, text=True,
                           env={**os.environ, "HOPTAC_PASSWORD": "short"})
    assert short.returncode == 1 and "8" in short.stderr  # says how long a password must be
    token = hoptac("user", "token", "lan", "--label", "scripts").stdout.strip()
    api = TestClient(create_app(db))
    assert api.get("/api/v1/corrections", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    # The token may write: an empty store has no fact 1 to delete, which is the only objection.
    refused = api.post("/api/v1/corrections", json={"action": "delete", "fact_id": 1, "reason": "x"}, headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 400 and "no fact 1" in refused.json()["error"]["message"]
    listed = json.loads(hoptac("user", "list", "--json").stdout)
    assert [(u["name"], u["role"]) for u in listed] == [("lan", "editor")]
    assert hoptac("user", "disable", "lan").returncode == 0
    assert api.get("/api/v1/corrections", headers={"Authorization": f"Bearer {token}"}).status_code == 401


# ---------------------------------------------------------------------------- pages kept for anonymous readers


def test_a_kept_page_changes_for_everyone_as_soon_as_an_editor_corrects_it(store):
    app = create_app(store)
    reader, editor = TestClient(app, follow_redirects=False), TestClient(app, follow_redirects=False)
    fact, doc = position_fact(store)
    assert "Trưởng phòng thử nghiệm" not in reader.get(f"/documents/{doc}").text
    assert "Trưởng phòng thử nghiệm" not in reader.get(f"/documents/{doc}").text  # the second one came from the cache
    login(editor)
    page = editor.get(f"/documents/{doc}").text
    editor.post("/corrections", data={"csrf": csrf_of(page), "action": "set", "fact_id": fact, "field": "title",
                                      "value": "Trưởng phòng thử nghiệm", "reason": "kiểm tra bộ nhớ đệm"})
    assert "Trưởng phòng thử nghiệm" in reader.get(f"/documents/{doc}").text
    listing = editor.get("/corrections").text
    undo = re.search(r'action="/corrections/(\d+)/undo"', listing).group(1)
    editor.post(f"/corrections/{undo}/undo", data={"csrf": csrf_of(listing), "reason": "xong"})
    assert "Trưởng phòng thử nghiệm" not in reader.get(f"/documents/{doc}").text


def test_a_kept_page_is_whole_after_a_304_and_in_each_readers_language(store):
    app = create_app(store)
    first, other = TestClient(app), TestClient(app)
    page = first.get("/agreements")
    assert first.get("/agreements", headers={"If-None-Match": page.headers["etag"]}).status_code == 304
    again = first.get("/agreements")
    assert again.status_code == 200 and again.text == page.text and again.headers["content-type"].startswith("text/html")
    first.get("/agreements?lang=en")
    assert '<html lang="en">' in first.get("/agreements").text
    assert '<html lang="vi">' in other.get("/agreements").text


# ---------------------------------------------------------------------------- a real server under many readers


def test_more_readers_at_once_than_pooled_connections_are_all_answered(store):
    """A hundred requests in flight, each for a page nobody asked before, all get their page.

    (Connecting before the handler ran once let forty threads wait for fifteen connections
    held by requests waiting for threads: the server stopped answering.)
    """
    import urllib.error
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    from hoptac.web.process import served

    with served(store) as server:
        def fetch(i: int) -> int:
            try:
                return urllib.request.urlopen(f"{server.url}/search?q=khoa+hoc&page=1&n={i}", timeout=120).status
            except urllib.error.HTTPError as e:
                return e.code
        with ThreadPoolExecutor(100) as pool:
            statuses = list(pool.map(fetch, range(100)))
    assert statuses == [200] * 100


def test_only_web_addresses_become_links_to_an_articles_original(tmp_path):
    """An ingested record's url is data: ``javascript:`` and the like are shown, never linked."""
    dump = tmp_path / "dump.jsonl"
    text = "Sở Khoa học và Công nghệ tỉnh Lai Châu tổ chức hội nghị tổng kết năm {}."
    dump.write_text("\n".join(json.dumps({"url": url, "text": text.format(i)}, ensure_ascii=False) for i, url in enumerate(
        ["javascript:alert(document.cookie)", "data:text/html,<b>x</b>", "//elsewhere.example/a", "https://skhcn.laichau.gov.vn/tin/1"])),
        encoding="utf-8")
    db = str(tmp_path / "links.db")
    engine = connect(db)
    assert ingest(engine, [str(dump)], jobs=1).failed == []
    engine.dispose()
    client = TestClient(create_app(db), follow_redirects=False)
    pages = [client.get(f"/documents/{d['id']}").text for d in client.get("/api/v1/documents").json()["items"]]
    hrefs = [h for page in pages for h in re.findall(r'href="([^"]+)"[^>]*class="source"', page)]
    assert hrefs == ["https://skhcn.laichau.gov.vn/tin/1"]
    assert any("javascript:alert(document.cookie)" in page for page in pages)  # shown as text


def test_a_crash_is_a_500_that_still_carries_the_security_headers(store, tmp_path):
    broken = tmp_path / "broken.db"
    shutil.copyfile(store, broken)
    with sqlite3.connect(broken) as conn:
        conn.execute("DROP TABLE program_links")  # what a half-restored backup might look like
    client = TestClient(create_app(str(broken)), raise_server_exceptions=False, follow_redirects=False)
    for path in ("/programs", "/api/v1/programs"):
        r = client.get(path)
        assert r.status_code == 500, (path, r.status_code)
        assert r.headers["x-content-type-options"] == "nosniff" and r.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


def test_behind_a_trusted_proxy_one_guesser_does_not_lock_a_name_out_for_everyone(store):
    """Failures count per client address (the proxy's X-Forwarded-For when the proxy is trusted)
    and name; per name alone only after many more."""
    with served(store, args=("--trusted-proxy", "127.0.0.1")) as server, httpx2.Client(base_url=server.url, timeout=30) as client:
        def token(password: str, client_address: str) -> int:
            return client.post("/api/v1/auth/token", json={"name": "ed", "password": password},
                               headers={"X-Forwarded-For": client_address}).status_code
        assert [token("wrong-guess", "203.0.113.9") for _ in range(5)] == [401] * 5
        assert token("wrong-guess", "203.0.113.9") == 429  # the guesser waits
        assert token(PASSWORD, "198.51.100.7") == 201  # the editor, elsewhere, does not
        statuses = [token("wrong-guess", f"203.0.113.{i}") for i in range(10, 40)]  # one name from many addresses
        assert 429 in statuses and statuses.index(429) >= 15
