"""Helpers for the browser test of the course site (tests/test_site_browser.py); not a test module.

Headless Chromium from the system's packages (Debian's ``chromium``) is driven through
Playwright for Python (its asyncio API, so that several pages load at once), started with
``executable_path`` so that Playwright downloads no browser of its own. The pieces:

- :func:`find_chromium` finds the browser (``CHROMIUM``, else ``chromium``, ``chromium-browser``
  or ``google-chrome`` on PATH) and :func:`launch_chromium` starts it headless, offline;
- :func:`serve_directory` serves a folder on 127.0.0.1 from a thread;
- :class:`RequestGuard` lets a browser context load only from the local server and from the
  site's folder, and aborts and records every other request;
- :func:`visit` loads one page and records what a reader would meet there (console errors,
  uncaught exceptions, requests, images that did not load, links, ids), :func:`crawl` visits every
  page reachable from the home page, and :func:`page_problems` / :func:`file_link_problems`
  say what is wrong; :func:`search_problems` tries the home page's search box;
- :func:`make_fake_site` writes a small site, whole or with one of each fault, to check the
  checks themselves.

Playwright is imported inside the functions that need it, so that collecting this module
(``--doctest-modules``) works without it and the test can say what is missing.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import http.server
import os
import re
import shutil
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

if TYPE_CHECKING:
    from playwright.async_api import Browser, BrowserContext, Page, Playwright, Route

#: Browser commands tried, in order, when the CHROMIUM variable is not set.
CHROMIUM_COMMANDS = ("chromium", "chromium-browser", "google-chrome")

MISSING_CHROMIUM = (
    "No Chromium found for the browser test: install it with `bash tests/ensure_chromium.sh` "
    "(Debian's chromium package), or point CHROMIUM=/path/to/chromium at one you have."
)

#: Command-line switches added to the ones Playwright passes itself. Playwright's own list
#: (chromiumSwitches in its driver) already holds these two; they are repeated here because the
#: test's promise that the browser sends nothing off the machine rests on them.
CHROMIUM_ARGS = [
    # No background services: extension updates, Safe Browsing, upgrade detector, translate, UMA.
    "--disable-background-networking",
    # No updates of the browser's components (chrome://components).
    "--disable-component-update",
]

#: Schemes that never reach a network: inline data, in-page objects, the blank page.
_INERT_SCHEMES = ("data:", "blob:", "about:")
#: Links that leave the site: web addresses, never requested by the tests.
WEB = ("https://", "http://")

#: What the browser is asked for every image once the page has loaded: images still loading
#: (lazy ones below the fold included) are loaded now; those that failed are returned.
_UNLOADED_IMAGES_JS = """async () => {
  const images = Array.from(document.images);
  await Promise.all(images.map((img) => img.complete ? null : new Promise((done) => {
    img.addEventListener("load", done, {once: true});
    img.addEventListener("error", done, {once: true});
    setTimeout(done, 5000);
    img.loading = "eager";
  })));
  return images.filter((img) => !(img.complete && img.naturalWidth > 0))
               .map((img) => `<img src="${img.getAttribute("src")}" alt="${img.alt}">`);
}"""

_LINKS_JS = """() => Array.from(document.querySelectorAll("a[href]"),
                              (a) => [a.getAttribute("href"), a.href])"""

_IDS_JS = """() => Array.from(document.querySelectorAll("[id]"), (element) => element.id)"""


# ---------------------------------------------------------------------------------------------
# The browser

def find_chromium() -> str | None:
    """The Chromium to drive: the ``CHROMIUM`` variable if set, else the first of
    :data:`CHROMIUM_COMMANDS` on PATH, else None.

    Raises
    ------
    FileNotFoundError
        ``CHROMIUM`` is set but names no executable file.
    """
    named = os.environ.get("CHROMIUM")
    if named:
        path = shutil.which(named)
        if path is None:
            raise FileNotFoundError(f"CHROMIUM={named} is not an executable file. {MISSING_CHROMIUM}")
        return path
    for command in CHROMIUM_COMMANDS:
        path = shutil.which(command)
        if path:
            return path
    return None


async def launch_chromium(playwright: Playwright, executable: str) -> Browser:
    """Start ``executable`` headless through Playwright, with no sandbox and no background traffic.

    ``chromium_sandbox=False`` (Playwright's default, written out) makes Playwright pass
    ``--no-sandbox``: run as root, as in containers and CI, Chromium stops at once without it
    ("Running as root without --no-sandbox is not supported"), and the test opens only pages
    it built itself. ``headless=True`` (also the default) makes Playwright pass ``--headless``.
    """
    return await playwright.chromium.launch(
        executable_path=executable,
        headless=True,
        chromium_sandbox=False,
        args=CHROMIUM_ARGS,
    )


# ---------------------------------------------------------------------------------------------
# The local web server

class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files like ``python -m http.server`` without logging each request to stderr."""

    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


@contextlib.contextmanager
def serve_directory(root: Path) -> Iterator[str]:
    """Serve ``root`` on 127.0.0.1 on a free port from a background thread.

    Yields the base URL, ending in ``/``; the server is shut down on exit.
    """
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# Straight to the local server: a proxy named in the environment must not see these requests.
_LOCAL_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def probe(url: str) -> tuple[int, str]:
    """HTTP status and Content-Type of ``url`` on the local server (a HEAD request)."""
    request = urllib.request.Request(url, method="HEAD")
    try:
        with _LOCAL_OPENER.open(request, timeout=10) as response:
            return response.status, response.headers.get_content_type()
    except urllib.error.HTTPError as error:
        return error.code, ""


# ---------------------------------------------------------------------------------------------
# What a page does

def is_under(url: str, prefixes: tuple[str, ...]) -> bool:
    """Whether ``url`` is inert (``data:``, ``blob:``, ``about:``) or starts with one of ``prefixes``.

    >>> is_under("http://127.0.0.1:8000/a.png", ("http://127.0.0.1:8000/",))
    True
    >>> is_under("http://127.0.0.1:8001/a.png", ("http://127.0.0.1:8000/",))
    False
    """
    return url.startswith(_INERT_SCHEMES) or url.startswith(prefixes)


class RequestGuard:
    """Aborts every request of a browser context that does not start with an allowed prefix.

    Pages record their own requests (see :func:`visit`); the guard keeps the browser from
    sending the others anywhere, and lists them in :attr:`blocked` with the page that asked.
    """

    def __init__(self, *allowed: str):
        self.allowed = tuple(allowed)
        self.blocked: list[str] = []

    async def install(self, context: BrowserContext) -> None:
        """Route every request of ``context`` through :meth:`_handle`."""
        await context.route("**/*", self._handle)

    async def _handle(self, route: Route) -> None:
        from playwright.async_api import Error as PlaywrightError

        url = route.request.url
        if is_under(url, self.allowed):
            await route.continue_()
            return
        try:
            origin = route.request.frame.url
        except PlaywrightError:  # a request of a service worker has no frame
            origin = "(no page)"
        self.blocked.append(f"{origin} asked for {url}")
        await route.abort("blockedbyclient")


@dataclass
class PageReport:
    """What loading one page showed."""

    url: str
    status: int | None = None
    title: str = ""
    ids: set[str] = field(default_factory=set)
    #: Every ``a[href]``: (the attribute as written, the URL it resolves to).
    links: list[tuple[str, str]] = field(default_factory=list)
    broken_images: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    #: Every URL the page requested, in order.
    requests: list[str] = field(default_factory=list)
    screenshot: Path | None = None


async def visit(context: BrowserContext, url: str, screenshot: Path | None = None) -> PageReport:
    """Load ``url`` in a new page of ``context`` and record what happened, then close the page.

    Waits for the ``load`` event, then for every image still loading; takes a full-page
    screenshot into ``screenshot`` when given.
    """
    report = PageReport(url)
    page = await context.new_page()
    page.on("console", lambda message: _record_console(report, message))
    page.on("pageerror", lambda error: report.page_errors.append(f"{error.name}: {error.message}"))
    page.on("request", lambda request: report.requests.append(request.url))
    try:
        response = await page.goto(url, wait_until="load")
        report.status = response.status if response is not None else None
        report.title = await page.title()
        report.broken_images = await page.evaluate(_UNLOADED_IMAGES_JS)
        report.links = [tuple(link) for link in await page.evaluate(_LINKS_JS)]
        report.ids = set(await page.evaluate(_IDS_JS))
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            await page.screenshot(path=screenshot, full_page=True)
            report.screenshot = screenshot
    finally:
        await page.close()
    return report


def _record_console(report: PageReport, message) -> None:
    if message.type == "error":
        where = message.location
        source = f" ({where['url']}:{where['lineNumber']})" if where and where.get("url") else ""
        report.console_errors.append(message.text + source)


def page_path(url: str, base: str) -> str:
    """Path of a local page inside the site, from its URL: ``index.html`` for a folder.

    >>> page_path("http://127.0.0.1:8000/reproductions/a%20b.html#x", "http://127.0.0.1:8000/")
    'reproductions/a b.html'
    >>> page_path("http://127.0.0.1:8000/", "http://127.0.0.1:8000/")
    'index.html'
    """
    path = urllib.parse.unquote(urllib.parse.urldefrag(url).url[len(base):].split("?")[0])
    return path + "index.html" if path == "" or path.endswith("/") else path


def screenshot_name(url: str, base: str) -> str:
    """File name for a page's screenshot: its path in the site, ``/`` as ``-``, ``.png`` for ``.html``.

    >>> screenshot_name("http://127.0.0.1:8000/reproductions/01_x.html", "http://127.0.0.1:8000/")
    'reproductions-01_x.png'
    """
    return page_path(url, base).removesuffix(".html").replace("/", "-") + ".png"


async def crawl(context: BrowserContext, home: str, base: str, screenshots: Path | None = None,
                concurrency: int = 4) -> dict[str, PageReport]:
    """Visit ``home`` and every HTML page reachable from it by local links, ``concurrency`` pages
    at a time (a full-page screenshot takes the browser about a second on a long page).

    Returns the reports keyed by URL without fragment. A link target is probed (HEAD) before it
    is opened: only ``text/html`` answers with status 200 are visited.
    """
    reports: dict[str, PageReport] = {}
    home = urllib.parse.urldefrag(home).url
    seen = {home}
    slots = asyncio.Semaphore(concurrency)

    async def explore(url: str) -> None:
        shot = screenshots / screenshot_name(url, base) if screenshots is not None else None
        async with slots:
            report = reports[url] = await visit(context, url, shot)
        pages = []
        for _, target in report.links:
            target = urllib.parse.urldefrag(target).url
            if target.startswith(base) and target not in seen:
                seen.add(target)
                status, kind = await asyncio.to_thread(probe, target)
                if status == 200 and kind == "text/html":
                    pages.append(target)
        await asyncio.gather(*(explore(page) for page in pages))

    await explore(home)
    return dict(sorted(reports.items()))


# ---------------------------------------------------------------------------------------------
# Links

def names_element(fragment: str, ids: set[str]) -> bool:
    """Whether a browser scrolls to an element for ``#fragment``, as the HTML standard's
    "indicated part of the document" says: no fragment or ``top`` (the top of the page), an id
    equal to the fragment as it stands in the URL, or to the fragment percent-decoded.

    >>> names_element("a%20b", {"a b"}), names_element("x%22y", {"x%22y"}), names_element("", set())
    (True, True, True)
    >>> names_element("nowhere", {"somewhere"})
    False
    """
    return (fragment == "" or fragment.lower() == "top" or fragment in ids
            or urllib.parse.unquote(fragment) in ids)


def link_problems(reports: dict[str, PageReport], base: str) -> list[str]:
    """Every link on the crawled pages that a reader could not follow, as one line each.

    A link to the local server must answer 200 and, with a ``#fragment``, the page it names must
    hold an element with that id. Any other link must be a web address, ``https://`` or ``http://``
    (a cited source may have no https); it is never requested.
    """
    problems = []
    status: dict[str, int] = {url: report.status for url, report in reports.items()}
    for url, report in reports.items():
        where = page_path(url, base)
        for written, target in report.links:
            if not target.startswith(base):
                if not target.startswith(WEB):
                    problems.append(f'{where}: <a href="{written}"> leaves the site but is not a web address')
                continue
            document, fragment = urllib.parse.urldefrag(target)
            if document not in status:
                status[document] = probe(document)[0]
            if status[document] != 200:
                problems.append(f'{where}: <a href="{written}"> answers HTTP {status[document]}')
            elif document in reports and not names_element(fragment, reports[document].ids):
                problems.append(f'{where}: <a href="{written}">: no id="{urllib.parse.unquote(fragment)}" '
                                f"on {page_path(document, base)}")
    return problems


def file_link_problems(report: PageReport, root: Path) -> list[str]:
    """The links of a page opened from disk (``file://``) that name no file inside ``root``.

    A ``#fragment`` on the page itself must be an id there; web addresses are left alone,
    any other scheme is a problem.
    """
    problems = []
    here = urllib.parse.urldefrag(report.url).url
    root = root.resolve()
    for written, target in report.links:
        if target.startswith(WEB):
            continue
        if not target.startswith("file://"):
            problems.append(f'<a href="{written}"> is neither a file of the site nor a web address')
            continue
        document, fragment = urllib.parse.urldefrag(target)
        path = Path(urllib.request.url2pathname(urllib.parse.urlsplit(document).path))
        if not path.is_file() or not path.resolve().is_relative_to(root):
            problems.append(f'<a href="{written}"> names no file of the site ({path})')
        elif document == here and not names_element(fragment, report.ids):
            problems.append(f'<a href="{written}">: no id="{urllib.parse.unquote(fragment)}" on the page')
    return problems


def page_problems(reports: dict[str, PageReport], base: str, allowed: tuple[str, ...]
                  ) -> dict[str, list[str]]:
    """Everything wrong on the crawled pages, by kind, one line per fault naming page and element.

    Kinds: ``status`` (the page did not answer 200), ``links`` (see :func:`link_problems`),
    ``images`` (an ``<img>`` not loaded), ``console`` (a console message of type error),
    ``exceptions`` (uncaught in the page), ``requests`` (a request not under ``allowed``).
    """
    problems: dict[str, list[str]] = {
        "status": [], "links": link_problems(reports, base), "images": [], "console": [],
        "exceptions": [], "requests": [],
    }
    for url, report in reports.items():
        where = page_path(url, base)
        if report.status != 200:
            problems["status"].append(f"{where}: HTTP {report.status}")
        problems["images"] += [f"{where}: {image} did not load" for image in report.broken_images]
        problems["console"] += [f"{where}: {text}" for text in report.console_errors]
        problems["exceptions"] += [f"{where}: {text}" for text in report.page_errors]
        problems["requests"] += [f"{where}: asked for {request}" for request in report.requests
                                 if not is_under(request, allowed)]
    return problems


# ---------------------------------------------------------------------------------------------
# The search box

#: For each ``a[href]`` of the page: the URL it names (without fragment) and whether it shows.
_LINK_VISIBILITY_JS = """() => Array.from(document.querySelectorAll("a[href]"),
                                         (a) => [a.href.split("#")[0], a.checkVisibility()])"""


def search_word(titles: dict[str, str]) -> tuple[str, str]:
    """A page and a word of its title found in no other title (the longest such word of the
    first page that has one): ``(page URL, word)``.

    >>> search_word({"a.html": "Who is a customer?", "b.html": "What is a customer worth?"})
    ('a.html', 'who')
    """
    words = {url: set(re.findall(r"[^\W\d_]{3,}", title.lower())) for url, title in titles.items()}
    for url, own in words.items():
        others = set().union(*(w for other, w in words.items() if other != url))
        unique = sorted(own - others, key=lambda word: (-len(word), word))
        if unique:
            return url, unique[0]
    raise ValueError(f"every word of every title is in another title: {sorted(titles.values())}")


async def search_problems(context: BrowserContext, home: str, pages: dict[str, str]) -> list[str]:
    """Type into the home page's ``<input type="search">`` a word from one page's title.

    ``pages`` maps the URL of each page the home page lists to its title. The page whose title
    has the word must keep a visible link on the home page; at least one other page's link that
    showed before must be hidden; emptying the box must show every link again. Returns what
    went wrong, one line each (empty when the search works).
    """
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    page = await context.new_page()
    try:
        await page.goto(home, wait_until="load")
        box = page.locator('input[type="search"]')
        if await box.count() != 1:
            return [f'the home page has {await box.count()} <input type="search">, not one']
        chosen, word = search_word(pages)
        before = await _visible_links(page, pages)
        await box.press_sequentially(word)
        try:
            await page.wait_for_function(
                """([chosen, shown]) => {
                     const links = Array.from(document.querySelectorAll("a[href]"));
                     const showing = (url) => links.some((a) => a.href.split("#")[0] === url && a.checkVisibility());
                     return showing(chosen) && shown.some((url) => url !== chosen && !showing(url));
                   }""",
                arg=[chosen, sorted(before)], timeout=5000)
        except PlaywrightTimeout:  # say what the reader sees instead
            after = await _visible_links(page, pages)
            if chosen not in after:
                return [f'typing "{word}" hides {chosen}, whose title has it']
            return [f'typing "{word}" (from the title of {chosen}) hides no other page; '
                    f"still shown: {sorted(after - {chosen})}"]
        await box.fill("")
        try:
            await page.wait_for_function(
                """(shown) => {
                     const links = Array.from(document.querySelectorAll("a[href]"));
                     return shown.every((url) => links.some((a) => a.href.split("#")[0] === url && a.checkVisibility()));
                   }""",
                arg=sorted(before), timeout=5000)
        except PlaywrightTimeout:
            return [f"emptying the search box leaves {sorted(before - await _visible_links(page, pages))} hidden"]
        return []
    finally:
        await page.close()


async def _visible_links(page: Page, pages: dict[str, str]) -> set[str]:
    """The URLs among ``pages`` that have at least one visible link on ``page``."""
    return {url for url, shown in await page.evaluate(_LINK_VISIBILITY_JS) if shown and url in pages}


# ---------------------------------------------------------------------------------------------
# A small site to check the checks

#: A 2 x 2 PNG image.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGMwTpsJRAwQCgAf7gTJ/qZDUgAAAABJRU5ErkJggg=="
)

_FAKE_SEARCH_JS = """document.querySelector("input[type=search]").addEventListener("input", (event) => {
  const words = event.target.value.toLowerCase();
  for (const entry of document.querySelectorAll("li.entry")) {
    entry.hidden = !entry.textContent.toLowerCase().includes(words);
  }
});
"""


def make_fake_site(root: Path, *, broken: bool = False) -> Path:
    """Write a two-page site with an image, a stylesheet, a script and a search box into ``root``.

    With ``broken=True`` the home page also has one of each fault the test looks for: a link to a
    missing page, a link to a missing id, an ``http://`` link, an image that does not exist, a
    request to another host, a console error, an uncaught exception, and a link to a folder
    (which a server answers but a disk does not). Returns ``root / "index.html"``.
    """
    (root / "assets").mkdir(parents=True, exist_ok=True)
    (root / "lessons").mkdir(exist_ok=True)
    (root / "assets" / "figure.png").write_bytes(PNG)
    (root / "assets" / "site.css").write_text("body { font-family: sans-serif; }\n")
    (root / "assets" / "search.js").write_text(_FAKE_SEARCH_JS)
    faults = """
    <a href="missing.html">missing</a> <a href="lessons/one.html#nowhere">no such id</a>
    <a href="ftp://example.org/">not the web</a> <a href="lessons/">a folder</a>
    <img src="assets/missing.png" alt="missing">
    <script src="http://example.invalid/tracker.js"></script>
    <script>console.error("deliberate console error"); undefinedFunction();</script>""" if broken else ""
    (root / "index.html").write_text(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Fake course</title>
<link rel="stylesheet" href="assets/site.css"></head>
<body><h1 id="top">Fake course</h1>
<input type="search" placeholder="Search">
<ul>
  <li class="entry"><a href="lessons/one.html">Counting customers</a> <img src="assets/figure.png" alt=""></li>
  <li class="entry"><a href="lessons/two.html#results">Valuing customers</a></li>
</ul>
<a href="#top">top</a> <a href="https://example.org/">a source</a>{faults}
<script src="assets/search.js"></script></body></html>
""")
    lessons = (("one", "two", "Counting customers"), ("two", "one", "Valuing customers"))
    for name, other, title in lessons:
        (root / "lessons" / f"{name}.html").write_text(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<link rel="stylesheet" href="../assets/site.css"></head>
<body><h1 id="results">Lesson {name}</h1><img src="../assets/figure.png" alt="figure">
<a href="../index.html">home</a> <a href="{other}.html#results">lesson {other}</a></body></html>
""")
    return root / "index.html"
