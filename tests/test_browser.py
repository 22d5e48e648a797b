"""The web app in a real browser: what a reader and an editor do, step by step.

A `hoptac serve` process over a store of the seed articles, driven by Debian's Chromium
through Playwright. Every step leaves a full-page screenshot in test-artifacts/browser/.
No page may log a console error, fail a request, or reach for anything outside
localhost: the site must work on a closed network.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from hoptac.web.process import served

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "corpus" / "seeds"
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM = "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else shutil.which("chromium")
# The network here is closed: nothing Chromium would fetch for itself may be tried.
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
EDITOR, PASSWORD = "ed", "browser-test-password-1"
READY_WITHIN = 30.0  # seconds for `hoptac serve` to answer
LOCAL_HOSTS = ("127.0.0.1", "localhost")

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="browser tests need Chromium (/usr/bin/chromium or `chromium` on PATH; Debian package chromium)")

expect.set_options(timeout=10_000)


# ---------------------------------------------------------------------------- the server and the browser


def hoptac(*args: str, **env: str) -> None:
    out = subprocess.run([sys.executable, "-m", "hoptac", *args], capture_output=True, text=True, check=False,
                         env={**os.environ, **env})
    assert out.returncode == 0, f"hoptac {' '.join(args)} failed:\n{out.stderr}"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`hoptac serve` over the seed articles, with an editor account; yields its base URL."""
    if not SEEDS.is_dir():
        pytest.skip(f"the seed corpus is not beside the project ({SEEDS})")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tmp = tmp_path_factory.mktemp("browser")
    db = str(tmp / "seeds.db")
    hoptac("ingest", str(SEEDS), "--db", db)
    hoptac("user", "add", EDITOR, "--role", "editor", "--db", db, HOPTAC_PASSWORD=PASSWORD)
    with served(db, log=tmp / "serve.log", ready_within=READY_WITHIN) as server:
        yield server.url


@pytest.fixture(scope="module")
def browser() -> Browser:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Tab:
    """One page in a fresh browser context, watching everything that goes wrong on it."""

    def __init__(self, browser: Browser, base: str) -> None:
        self.base = base
        self.context = browser.new_context(viewport={"width": 1280, "height": 800})
        self.problems: list[str] = []
        self.refusals: set[tuple[int, str]] = set()  # (status, path) a test expects a page to answer with
        self.context.route("**/*", self._only_local)
        self.context.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.method} {r.url} ({r.failure})"))
        self.context.on("response", self._check_response)
        self.page: Page = self.context.new_page()
        self.page.on("console", self._check_console)
        self.page.on("pageerror", lambda e: self.problems.append(f"script error on {self.page.url}: {e}"))

    def expect_refusal(self, status: int, path: str) -> None:
        """The page at ``path`` answering ``status`` is what the test wants (a wrong password: 401)."""
        self.refusals.add((status, path))

    def _only_local(self, route) -> None:
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            self.problems.append(f"request outside localhost: {route.request.url}")
            route.abort()

    def _check_response(self, response) -> None:
        if response.status < 400:
            return
        if response.request.resource_type == "document" and (response.status, urlsplit(response.url).path) in self.refusals:
            return
        self.problems.append(f"{response.status} for {response.request.resource_type} {response.url}")

    def _check_console(self, message) -> None:
        if message.type != "error":
            return
        # Chromium logs every 4xx page it shows; the ones a test expects are not errors.
        status = re.search(r"^Failed to load resource: the server responded with a status of (\d+)", message.text)
        if status and (int(status.group(1)), urlsplit(message.location.get("url", "")).path) in self.refusals:
            return
        self.problems.append(f"console error on {self.page.url}: {message.text}")

    def goto(self, path: str) -> Page:
        self.page.goto(self.base + path)
        return self.page

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def assert_clean(self) -> None:
        assert self.problems == [], "\n".join(self.problems)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def tab(browser, server):
    t = Tab(browser, server)
    yield t
    t.close()


def log_in(tab: Tab, name: str, password: str) -> Page:
    page = tab.goto("/login")
    page.locator("form.login input[name=name]").fill(name)
    page.locator("form.login input[name=password]").fill(password)
    with page.expect_navigation():
        page.locator("form.login button[type=submit]").click()
    return page


def open_visit_article(tab: Tab) -> Page:
    """The Cần Thơ article about the vice minister's working visit, found as a reader would."""
    page = tab.goto("/search?q=can+tho")
    page.locator("ol.results a.title", has_text="Nguyễn Hoàng Giang").first.click()
    expect(page.locator("article.doc h1")).to_contain_text("Nguyễn Hoàng Giang")
    return page


def fact_card(page: Page, mark: Locator) -> Locator:
    """The card a click on ``mark`` should open: the innermost of its facts, or the next one
    after the card already open when the same words carry several (site.js cycles)."""
    ids = mark.get_attribute("data-facts").split()
    active = page.locator(".factcard.active")
    current = active.get_attribute("data-fact") if active.count() else None
    at = ids.index(current) if current in ids else -1
    return page.locator(f"#fact-{ids[(at + 1) % len(ids)]}")


# ---------------------------------------------------------------------------- a reader


def test_home_is_vietnamese_with_charts_and_a_search_box(tab):
    page = tab.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page).to_have_title(re.compile("Hợp tác KH&CN"))
    expect(page.locator("main h1").first).to_have_text("Hợp tác khoa học và công nghệ ở Việt Nam")
    expect(page.locator("header nav")).to_contain_text("Bài viết")
    provinces = page.get_by_role("img", name="Số bài viết theo tỉnh, thành")
    years = page.get_by_role("img", name="Số bài viết theo năm")
    expect(provinces).to_be_visible()
    expect(provinces.locator("text.bar-label", has_text="Cần Thơ")).to_have_count(1)
    expect(years).to_be_visible()
    expect(years.locator("rect.bar-rect").first).to_be_visible()
    expect(page.locator("form[role=search] input[name=q]").first).to_be_visible()
    tab.shot("01-home")
    tab.assert_clean()


def test_search_finds_the_can_tho_articles_with_the_words_marked(tab):
    page = tab.goto("/")
    box = page.locator("form[role=search] input[name=q]").first
    box.press_sequentially("can tho")
    with page.expect_navigation():
        box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=can\+tho"))
    titles = page.locator("ol.results li.result a.title")
    expect(titles.nth(1)).to_be_visible()
    assert all("Cần Thơ" in titles.nth(i).inner_text() for i in (0, 1)), titles.all_inner_texts()
    results = page.locator("ol.results")
    expect(results.locator("mark", has_text=re.compile(r"^Cần$")).first).to_be_visible()
    expect(results.locator("mark", has_text=re.compile(r"^Thơ$")).first).to_be_visible()
    facets = page.locator("aside.facets")
    expect(facets).to_be_visible()
    expect(facets.locator("li", has_text="Cần Thơ").first).to_be_visible()
    expect(facets.locator("h3")).not_to_have_count(0)
    tab.shot("02-search")
    tab.assert_clean()


def test_clicking_a_highlighted_fact_opens_its_card_with_confidence_and_evidence(tab):
    page = open_visit_article(tab)
    for kind, words in (("position", "Thứ trưởng"), ("person", "Nguyễn Hoàng Giang")):
        mark = page.locator(f"#text a.fact.k-{kind}", has_text=words).first
        card = fact_card(page, mark)
        mark.click()
        expect(card).to_have_class(re.compile(r"\bactive\b"))
        expect(card).to_be_in_viewport()
        expect(page.locator(".factcard.active")).to_have_count(1)
        expect(card.locator(".label")).to_contain_text(words)
        expect(card.locator("meter")).to_be_visible()
        expect(card.locator("dt", has_text="Độ tin cậy")).to_be_visible()
        expect(card.locator("blockquote.evidence")).to_contain_text("Nguyễn Hoàng Giang")
        expect(mark).to_have_class(re.compile(r"\bactive\b"))
        assert page.url.endswith("#" + card.get_attribute("id"))
    tab.shot("03-article-fact")
    tab.assert_clean()


def test_a_persons_page_has_a_timeline_and_positions(tab):
    page = open_visit_article(tab)
    page.locator("#text a.fact.k-person", has_text="Nguyễn Hoàng Giang").first.click()
    card = page.locator(".factcard.active")
    with page.expect_navigation():
        card.locator("a[href^='/persons/']", has_text="Nguyễn Hoàng Giang").click()
    expect(page).to_have_url(re.compile(r"/persons/\d+$"))
    expect(page.locator("main h1")).to_contain_text("Nguyễn Hoàng Giang")
    timeline = page.locator("svg.chart-timeline")
    expect(timeline).to_be_visible()
    expect(timeline.locator("g.span, g.event").first).to_be_visible()
    positions = page.locator("section", has=page.locator("h2", has_text="Chức vụ")).locator("table")
    expect(positions).to_contain_text("Thứ trưởng")
    tab.shot("04-person")
    tab.assert_clean()


def test_english_is_one_click_away_and_stays(tab):
    page = tab.goto("/")
    expect(page.locator("header nav")).to_contain_text("Bài viết")
    with page.expect_navigation():
        page.locator("header a.lang").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("header nav")).to_contain_text("Articles")
    expect(page.locator("header nav")).not_to_contain_text("Bài viết")
    expect(page.locator("main h1").first).to_have_text("Science and technology cooperation in Vietnam")
    tab.shot("05-english")
    with page.expect_navigation():
        page.locator("header nav a[href='/persons']").click()
    expect(page).to_have_url(re.compile(r"/persons$"))  # no ?lang=: the cookie remembers
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("header nav")).to_contain_text("Articles")
    expect(page.locator("header a.lang")).to_have_text("Tiếng Việt")
    tab.shot("06-english-next-page")
    tab.assert_clean()


def test_the_network_page_draws_nodes_and_edges(tab):
    page = tab.goto("/network")
    picture = page.locator("svg.chart-network")
    expect(picture).to_be_visible()
    expect(picture.locator("g.node")).not_to_have_count(0)
    expect(picture.locator("line.edge")).not_to_have_count(0)
    expect(picture.locator("g.node text", has_text="Bộ Khoa học và Công nghệ").first).to_be_attached()
    tab.shot("12-network")
    tab.assert_clean()


def test_the_provinces_page_draws_the_tile_map(tab):
    page = tab.goto("/provinces")
    tiles = page.locator("svg.chart-tilemap")
    expect(tiles).to_be_visible()
    expect(tiles.locator("g.tile")).to_have_count(34)
    expect(tiles.locator("g.tile[data-name='Cần Thơ']")).to_have_attribute("data-count", "2")
    tab.shot("13-provinces")
    tab.assert_clean()


# ---------------------------------------------------------------------------- an editor


def test_an_editor_logs_in_and_sees_their_name(tab):
    page = log_in(tab, EDITOR, PASSWORD)
    expect(page).not_to_have_url(re.compile(r"/login"))
    expect(page.locator("header .account .user")).to_have_text(EDITOR)
    expect(page.locator("header .account form[action='/logout']")).to_be_visible()
    tab.shot("07-logged-in")
    tab.assert_clean()


def test_an_editor_corrects_a_title_and_the_correction_is_listed(tab):
    log_in(tab, EDITOR, PASSWORD)
    page = open_visit_article(tab)
    card = page.locator(".factcard.k-position").filter(has=page.locator(".label", has_text="Giám đốc")).first
    card_id = card.get_attribute("id")
    card = page.locator(f"#{card_id}")
    expect(card.locator(".tag.corrected")).to_have_count(0)
    edit = card.locator("details.edit").filter(has=page.locator("input[name=value]"))
    edit.locator("summary").click()
    expect(edit.locator("input[name=value]")).to_be_visible()
    new_title = "Giám đốc Sở Khoa học và Công nghệ thành phố Cần Thơ (đã kiểm tra)"
    reason = "Kiểm tra bằng trình duyệt"
    edit.locator("input[name=value]").fill("")
    edit.locator("input[name=value]").press_sequentially(new_title)
    edit.locator("input[name=reason]").press_sequentially(reason)
    tab.shot("08-correction-form")
    with page.expect_navigation():
        edit.locator("button[type=submit]").click()
    assert page.url.endswith(f"#{card_id}"), page.url
    page.reload()
    card = page.locator(f"#{card_id}")
    expect(card.locator(".label")).to_have_text(new_title)
    expect(card.locator(".tag.corrected")).to_be_visible()
    tab.shot("09-corrected")
    page = tab.goto("/corrections")
    row = page.locator("table.corrections tr", has_text=reason)
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(3)).to_contain_text(EDITOR)
    expect(row.locator("ins")).to_have_text(new_title)
    tab.shot("10-corrections")
    tab.assert_clean()


def test_a_wrong_password_is_refused_on_the_login_page(tab):
    tab.expect_refusal(401, "/login")
    page = log_in(tab, EDITOR, "not-the-password")
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("alert")).to_have_text("Sai tên đăng nhập hoặc mật khẩu.")
    expect(page.locator("form.login input[name=password]")).to_be_visible()
    expect(page.locator("header .account .user")).to_have_count(0)
    tab.shot("11-wrong-password")
    tab.assert_clean()


# ---------------------------------------------------------------------------- following programs up

SEVERITY_GROUPS = ["severity-high", "severity-medium", "severity-low"]


def open_cao_bang_program(tab: Tab) -> Page:
    """The Cao Bằng program's page, found from the list of programs as a reader would."""
    page = tab.goto("/programs")
    with page.expect_navigation():
        page.locator("table.programs a", has_text="thúc đẩy phát triển các hoạt động").click()
    expect(page).to_have_url(re.compile(r"/programs/\d+$"))
    expect(page.locator("main h1")).to_contain_text("Chương trình phối hợp thúc đẩy phát triển")
    return page


def test_the_monitor_lists_alerts_by_severity_and_its_filters_narrow_them(tab):
    page = tab.goto("/monitor?as_of=2026-11-22")
    expect(page.locator("main h1")).to_contain_text("Giám sát")
    expect(page.locator(".counts svg.chart-bar")).to_have_count(3)
    groups = page.locator("section.severity-group")
    expect(groups.first).to_have_id("severity-high")
    found = [groups.nth(i).get_attribute("id") for i in range(groups.count())]
    assert found == sorted(found, key=SEVERITY_GROUPS.index), found
    for group in found:
        severity = group.removeprefix("severity-")
        expect(page.locator(f"#{group} li.alert").first).to_have_attribute("data-severity", severity)
        expect(page.locator(f"#{group} li.alert:not([data-severity='{severity}'])")).to_have_count(0)
    tab.shot("14-monitor")
    filters = page.locator("form.monitor-filters")
    filters.locator("select[name=severity]").select_option("high")
    filters.locator("select[name=province]").select_option("Cao Bằng")
    with page.expect_navigation():
        filters.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"severity=high"))
    expect(page.locator("section.severity-group")).to_have_count(1)
    alerts = page.locator("li.alert")
    expect(alerts).to_have_count(2)  # no action plan, no final review
    expect(page.locator("li.alert:not([data-severity='high'])")).to_have_count(0)
    expect(alerts.first.locator(".about a")).to_contain_text("thúc đẩy phát triển")
    expect(alerts.first.locator(".age")).to_contain_text("ngày")
    alerts.first.locator("details.why summary").click()
    expect(alerts.first.locator("details.why p").first).to_be_visible()
    tab.shot("15-monitor-filtered")
    tab.assert_clean()


def test_a_program_page_draws_its_life_and_lists_its_commitments(tab):
    page = open_cao_bang_program(tab)
    life = page.get_by_role("img", name="Dòng đời chương trình")
    expect(life).to_be_visible()
    expect(life.locator("g.bar.period")).to_have_count(1)
    expect(life.locator("g.mark.signing").first).to_be_visible()
    expect(life.locator("g.mark.action_plan_due")).to_have_count(1)
    expect(life.locator("g.today")).to_be_visible()
    commitments = page.locator("table.commitments tr.commitment")
    expect(commitments).to_have_count(4)
    for kind in ("Cử đầu mối", "Kế hoạch hành động", "Hỗ trợ nhiệm vụ KH&CN", "Theo dõi, giám sát hằng năm"):
        expect(page.locator("table.commitments")).to_contain_text(kind)
    expect(page.locator("#articles li.link")).to_have_count(1)
    expect(page.locator("#articles li.link .tag")).to_have_text("Ký kết")
    expect(page.locator("#alerts li.alert[data-rule='final_review_missing']")).to_have_count(1)
    expect(page.locator("table.commitments form")).to_have_count(0)  # a reader gets no forms
    tab.shot("16-program")
    tab.assert_clean()


def test_an_editor_marks_a_commitment_fulfilled_with_its_evidence(tab):
    log_in(tab, EDITOR, PASSWORD)
    page = open_cao_bang_program(tab)
    row_id = page.locator("tr.commitment[data-state='overdue']").first.get_attribute("id")
    row = page.locator(f"#{row_id}")
    row.locator("details.edit summary").click()
    form = row.locator("form.fulfil")
    expect(form).to_be_visible()
    form.locator("input[name=evidence]").press_sequentially("Văn bản số 12/KH-SKHCN ngày 15/6/2022")
    form.locator("input[name=evidence_url]").press_sequentially("https://example.org/12-kh-skhcn.pdf")
    form.locator("input[name=reason]").press_sequentially("Sở gửi văn bản cử đầu mối")
    tab.shot("17-fulfil-form")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert page.url.endswith(f"#{row_id}"), page.url
    page.reload()
    row = page.locator(f"#{row_id}")
    expect(row).to_have_attribute("data-state", "fulfilled")
    expect(row.locator(".tag.st-fulfilled")).to_have_text("Đã thực hiện")
    expect(row).to_contain_text("Văn bản số 12/KH-SKHCN ngày 15/6/2022")
    expect(row.locator("form.fulfil")).to_have_count(0)
    tab.shot("18-fulfilled")
    tab.assert_clean()
