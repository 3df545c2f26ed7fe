"""The course site in a real browser: headless Chromium (Debian's package) through Playwright.

The site is built once from the stored outputs of ``notebooks/`` into ``build/site-test/``,
served on 127.0.0.1 from a thread, and every page reachable from the home page is opened in
one browser context, a few pages at a time. Each page must answer 200, have only links that
resolve (local pages with their ``#fragment`` ids; anything else a web address, never
requested), load every image, log no console error, throw no uncaught exception, and ask for
nothing outside the local server. Each page's full-page screenshot goes to ``build/screenshots/``.
The home page must also work opened from disk, and its search box must filter the notebooks.

Chromium comes from the system: ``bash tests/ensure_chromium.sh`` installs it, or
``CHROMIUM=/path/to/chromium`` names one. Without it these tests fail; they do not skip.

The site is the session's ``course_site`` (tests/conftest.py), shared with tests/test_course.py:
both modules are one group under ``pytest -n 2 --dist loadgroup``, so it is built once.
"""

from __future__ import annotations

import asyncio
import shutil
import urllib.parse
from pathlib import Path

import browser
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("site")]

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "build" / "screenshots"


# ---------------------------------------------------------------------------------------------
# Fixtures: one site, one server, one browser, one context, one crawl per session

@pytest.fixture(scope="session")
def chromium_path() -> str:
    """The Chromium executable; the test fails (never skips) without one."""
    try:
        path = browser.find_chromium()
    except FileNotFoundError as error:
        pytest.fail(str(error), pytrace=False)
    if path is None:
        pytest.fail(browser.MISSING_CHROMIUM, pytrace=False)
    return path


@pytest.fixture(scope="session")
def site_root(course_site: Path) -> Path:
    """The folder of the course site built from the notebooks' stored outputs."""
    return course_site.parent


@pytest.fixture(scope="session")
def site_url(site_root: Path):
    """Base URL (ending in /) of the site served on 127.0.0.1."""
    with browser.serve_directory(site_root) as url:
        yield url


@pytest.fixture(scope="session")
def run():
    """One asyncio event loop for the session: ``run(coroutine)`` runs a coroutine to its end."""
    with asyncio.Runner() as runner:
        yield runner.run


@pytest.fixture(scope="session")
def chromium(chromium_path: str, run):
    """Headless Chromium, launched once for the session."""
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        pytest.fail("The browser test needs Playwright for Python (pinned in requirements.lock): "
                    "make setup, or pip install playwright", pytrace=False)
    playwright = run(async_playwright().start())
    try:
        launched = run(browser.launch_chromium(playwright, chromium_path))
        yield launched
        run(launched.close())
    finally:
        run(playwright.stop())


@pytest.fixture(scope="session")
def guard(site_root: Path, site_url: str) -> browser.RequestGuard:
    """Lets pages load from the local server and from the site's folder (for file://), no more."""
    return browser.RequestGuard(site_url, site_root.as_uri() + "/")


@pytest.fixture(scope="session")
def context(chromium, guard: browser.RequestGuard, run):
    """The one browser context every page of the site is opened in."""
    context = run(chromium.new_context())
    run(guard.install(context))
    yield context
    run(context.close())


@pytest.fixture(scope="session")
def reports(context, site_url: str, run) -> dict[str, browser.PageReport]:
    """Every page reachable from the home page, visited once, screenshots in build/screenshots/."""
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    return run(browser.crawl(context, site_url + "index.html", site_url, SCREENSHOTS))


@pytest.fixture(scope="session")
def problems(reports, site_url: str) -> dict[str, list[str]]:
    """What is wrong on the served pages, by kind (see browser.page_problems)."""
    return browser.page_problems(reports, site_url, allowed=(site_url,))


def _listing(lines: list[str]) -> str:
    return "\n  ".join(["", *lines])


# ---------------------------------------------------------------------------------------------
# The served site

def test_every_page_of_the_site_is_reached_from_the_home_page(reports, site_root, site_url):
    reached = {browser.page_path(url, site_url) for url in reports}
    on_disk = {path.relative_to(site_root).as_posix() for path in site_root.rglob("*.html")}
    assert on_disk - reached == set(), "pages no link leads to"
    assert len(reached) > 1, "the home page links to no page"


def test_every_page_answers(problems):
    assert not problems["status"], _listing(problems["status"])


def test_every_link_resolves_and_only_web_addresses_leave_the_site(problems):
    assert not problems["links"], _listing(problems["links"])


def test_every_image_loads(problems):
    assert not problems["images"], _listing(problems["images"])


def test_no_console_error(problems):
    assert not problems["console"], _listing(problems["console"])


def test_no_uncaught_exception(problems):
    assert not problems["exceptions"], _listing(problems["exceptions"])


def test_no_request_leaves_the_machine(problems, guard):
    assert not problems["requests"], _listing(problems["requests"])
    assert not guard.blocked, _listing(guard.blocked)


def test_every_page_has_a_screenshot(reports):
    for url, report in reports.items():
        assert report.screenshot is not None and report.screenshot.stat().st_size > 0, url
    assert (SCREENSHOTS / "index.png").is_file()


# ---------------------------------------------------------------------------------------------
# The home page: from disk, and its search box

def test_home_page_works_opened_from_disk(context, site_root, run):
    home = run(browser.visit(context, (site_root / "index.html").as_uri()))
    inside = site_root.as_uri() + "/"
    faults = browser.file_link_problems(home, site_root)
    faults += [f"{image} did not load" for image in home.broken_images]
    faults += [f"console: {text}" for text in home.console_errors]
    faults += [f"uncaught: {text}" for text in home.page_errors]
    faults += [f"asked for {url}" for url in home.requests if not browser.is_under(url, (inside,))]
    assert not faults, _listing(faults)


def test_search_box_filters_the_notebooks(context, reports, site_url, run):
    home = site_url + "index.html"
    listed = {urllib.parse.urldefrag(target).url for _, target in reports[home].links}
    pages = {url: reports[url].title for url in reports if url in listed and url != home}
    faults = run(browser.search_problems(context, home, pages))
    assert not faults, _listing(faults)


# ---------------------------------------------------------------------------------------------
# The checks themselves, on a small site made here

@pytest.fixture
def fake_context(chromium, run):
    """A browser context of its own for a fake site (the site's context stays untouched)."""
    context = run(chromium.new_context())
    yield context
    run(context.close())


def test_the_checks_pass_a_sound_site(fake_context, tmp_path, run):
    browser.make_fake_site(tmp_path)
    with browser.serve_directory(tmp_path) as base:
        guard = browser.RequestGuard(base, tmp_path.as_uri() + "/")
        run(guard.install(fake_context))
        reports = run(browser.crawl(fake_context, base + "index.html", base))
        found = browser.page_problems(reports, base, allowed=(base,))
        pages = {url: report.title for url, report in reports.items() if url != base + "index.html"}
        search = run(browser.search_problems(fake_context, base + "index.html", pages))
    assert len(reports) == 3
    assert found == {kind: [] for kind in found}
    assert search == [] and guard.blocked == []
    disk = run(browser.visit(fake_context, (tmp_path / "index.html").as_uri()))
    assert browser.file_link_problems(disk, tmp_path) == []


def test_the_checks_find_each_fault_of_a_broken_site(fake_context, tmp_path, run):
    browser.make_fake_site(tmp_path, broken=True)
    with browser.serve_directory(tmp_path) as base:
        guard = browser.RequestGuard(base, tmp_path.as_uri() + "/")
        run(guard.install(fake_context))
        reports = run(browser.crawl(fake_context, base + "index.html", base))
        found = {kind: "\n".join(lines) for kind, lines in
                 browser.page_problems(reports, base, allowed=(base,)).items()}
    assert 'href="missing.html"> answers HTTP 404' in found["links"]
    assert 'no id="nowhere" on lessons/one.html' in found["links"]
    assert 'href="ftp://example.org/"> leaves the site but is not a web address' in found["links"]
    assert "assets/missing.png" in found["images"]
    assert "deliberate console error" in found["console"]
    assert "undefinedFunction" in found["exceptions"]
    assert "http://example.invalid/tracker.js" in found["requests"]
    assert any("example.invalid" in line for line in guard.blocked)
    disk = run(browser.visit(fake_context, (tmp_path / "index.html").as_uri()))
    assert any('href="lessons/"' in line for line in browser.file_link_problems(disk, tmp_path))
