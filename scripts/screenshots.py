"""Take the README's screenshots of the web app in Debian's Chromium.

    .venv/bin/python scripts/screenshots.py                 # a fresh store of ../shared/corpus/seeds
    .venv/bin/python scripts/screenshots.py --url http://127.0.0.1:8000   # a server already running

Without --url it ingests the seed articles into a temporary store, adds an editor and
starts `hoptac serve` on a free port, as tests/test_browser.py does, and stops it after.
Pictures are 1280×800 (the viewport; --full-page for whole pages) and go to docs/screenshots/.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hoptac.web.process import ServerError, served

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "corpus" / "seeds"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
VIEWPORT = {"width": 1280, "height": 800}
QUERY = "can tho"
PERSON = "Nguyễn Hoàng Giang"
ORGANIZATION = "Sở Khoa học và Công nghệ thành phố Cần Thơ"
# Resolves once nothing on the page has scrolled for a few frames.
SCROLLED = """() => new Promise(done => {
    let last = null, still = 0;
    const where = () => [window.scrollY, ...[...document.querySelectorAll("aside")].map(a => a.scrollTop)].join();
    (function frame() {
        const now = where();
        still = now === last ? still + 1 : 0;
        last = now;
        if (still >= 5) done(); else requestAnimationFrame(frame);
    })();
})"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="A running hoptac server to photograph (default: start one over --corpus).")
    parser.add_argument("--corpus", type=Path, default=SEEDS, help="Articles to ingest when starting a server (default: %(default)s).")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots", help="Where the PNGs go (default: %(default)s).")
    parser.add_argument("--lang", choices=["vi", "en"], default="vi", help="Interface language of the pictures.")
    parser.add_argument("--full-page", action="store_true", help="Whole pages instead of the 1280×800 viewport.")
    parser.add_argument("--chromium", default=_chromium(), help="Chromium to drive (default: %(default)s).")
    args = parser.parse_args()
    if not args.chromium:
        sys.exit("screenshots: Chromium not found (apt-get install chromium, or --chromium PATH)")
    args.out.mkdir(parents=True, exist_ok=True)
    with (_nothing(args.url) if args.url else serve(args.corpus)) as base:
        for path in photograph(base.rstrip("/"), args.out, args.chromium, args.lang, args.full_page):
            print(path)


def _chromium() -> str | None:
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else shutil.which("chromium")


@contextmanager
def _nothing(url: str) -> Iterator[str]:
    yield url


@contextmanager
def serve(corpus: Path) -> Iterator[str]:
    """`hoptac serve` over a fresh store of ``corpus`` with an editor `ed`; yields its base URL."""
    if not corpus.is_dir():
        sys.exit(f"screenshots: no corpus at {corpus} (give --corpus DIR or --url URL)")
    with tempfile.TemporaryDirectory(prefix="hoptac-shots-") as tmp:
        db = str(Path(tmp) / "store.db")
        _hoptac("ingest", str(corpus), "--db", db)
        _hoptac("user", "add", "ed", "--role", "editor", "--db", db, HOPTAC_PASSWORD="screenshots-only")
        try:
            with served(db) as server:
                yield server.url
        except ServerError as e:
            sys.exit(f"screenshots: {e}")


def _hoptac(*args: str, **env: str) -> None:
    out = subprocess.run([sys.executable, "-m", "hoptac", *args], capture_output=True, text=True, check=False, env={**os.environ, **env})
    if out.returncode != 0:
        sys.exit(f"screenshots: hoptac {' '.join(args)} failed:\n{out.stderr}")


def photograph(base: str, out: Path, chromium: str, lang: str, full_page: bool) -> Iterator[Path]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
        # Only this site: a picture of a page that reached outside would lie about it.
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base) else route.abort())
        page = context.new_page()
        page.goto(f"{base}/?lang={lang}")  # the language cookie is set from here on

        def shot(name: str) -> Path:
            path = out / f"{name}.png"
            page.screenshot(path=str(path), full_page=full_page, animations="disabled")
            return path

        yield shot("home")

        page.goto(f"{base}/search?q={QUERY.replace(' ', '+')}")
        yield shot("search")

        results = page.locator("ol.results a.title")
        pick = results.filter(has_text=PERSON)
        (pick if pick.count() else results).first.click()
        page.wait_for_load_state()
        marks = page.locator("#text a.fact.k-person")
        mark = marks.filter(has_text=PERSON) if marks.filter(has_text=PERSON).count() else marks
        if mark.count():
            mark.first.click()
            card = page.locator(".factcard.active")
            card.wait_for()
            page.evaluate(SCROLLED)  # the page scrolls the card into view smoothly: let it finish
            # The article's top with the clicked words, and the card at the top of the side list.
            page.evaluate("window.scrollTo(0, 0)")
            card.evaluate("""card => {
                const list = card.closest("aside");
                if (list) list.scrollTop += card.getBoundingClientRect().top - list.getBoundingClientRect().top - 8;
            }""")
        yield shot("article")

        person = page.locator(".factcard.active a[href^='/persons/']")
        if person.count():
            person.first.click()
        else:
            page.goto(f"{base}/persons")
            page.locator("main a[href^='/persons/']").first.click()
        page.wait_for_load_state()
        yield shot("person")

        page.goto(f"{base}/organizations?name={ORGANIZATION}")
        orgs = page.locator("main a[href^='/organizations/']").filter(has_text=ORGANIZATION)
        if not orgs.count():
            page.goto(f"{base}/organizations")
            orgs = page.locator("main a[href^='/organizations/']")
        orgs.first.click()
        page.wait_for_load_state()
        yield shot("organization")

        for name, path in (("network", "/network"), ("provinces", "/provinces"), ("login", "/login")):
            page.goto(base + path)
            yield shot(name)
        browser.close()


if __name__ == "__main__":
    main()
