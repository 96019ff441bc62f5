"""The built site in a real browser: Debian's Chromium driven by Playwright.

Shared by the browser tests (``tests/browser/``) and ``make screenshots``
(``tests/browser/screenshots.py``). Nothing here downloads a browser: Chromium
is Debian's package, installed by :func:`ensure_chromium` when missing, and the
site is served from a local folder on 127.0.0.1, so any request to another host
is a bug of the site (it is aborted and reported).
"""
from __future__ import annotations

import functools
import gzip
import os
import re
import subprocess
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = REPO / "_build" / "screenshots"

# Browser-context options: a laptop, a tablet and a phone (CSS widths 1280, 800 and 390 px).
DESKTOP = {"viewport": {"width": 1280, "height": 800}, "device_scale_factor": 1}
TABLET = {"viewport": {"width": 800, "height": 1100}, "device_scale_factor": 1, "is_mobile": True, "has_touch": True}
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 1, "is_mobile": True, "has_touch": True}
VIEWPORTS = {1280: DESKTOP, 800: TABLET, 390: PHONE}

# Types a static host such as GitHub Pages sends gzip-compressed.
COMPRESSIBLE = {".html", ".js", ".css", ".svg", ".json", ".txt", ".map", ".ttf", ".xml"}


def ensure_chromium() -> Path:
    """Debian's Chromium, installed with apt-get when missing and we are root."""
    if CHROMIUM.exists():
        return CHROMIUM
    if os.geteuid() != 0:
        raise RuntimeError(f"{CHROMIUM} is missing and we are not root to install it: run "
                           "`sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium`")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update"], ["apt-get", "install", "-y", "--no-install-recommends", "chromium"]):
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if proc.returncode:
            raise RuntimeError(f"`{' '.join(cmd)}` failed ({proc.returncode}):\n"
                               f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    if not CHROMIUM.exists():
        raise RuntimeError(f"apt-get installed chromium but {CHROMIUM} does not exist")
    return CHROMIUM


def launch(playwright):
    """A headless Chromium; never Playwright's own browser builds."""
    return playwright.chromium.launch(executable_path=str(ensure_chromium()), args=CHROMIUM_ARGS)


class _QuietHandler(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".ipynb": "application/x-ipynb+json",
                      ".woff": "font/woff", ".woff2": "font/woff2", ".svg": "image/svg+xml"}

    def log_message(self, format, *args):  # noqa: A002 - the stdlib's name
        pass


@contextmanager
def serve(root: Path) -> Iterator[str]:
    """Serve ``root`` over http on 127.0.0.1 from a thread; yields the base URL (with a trailing slash)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def toc_pages() -> list[str]:
    """Every page of ``_toc.yml`` in reading order, as paths without suffix ("book/intro", ...)."""
    toc = yaml.safe_load((REPO / "_toc.yml").read_text())
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        pages += [c["file"] for c in part.get("chapters", [])]
    return pages


def chapter_pages() -> list[str]:
    """The numbered chapters (the "Chapters" part of ``_toc.yml``): the pages with an exercise."""
    toc = yaml.safe_load((REPO / "_toc.yml").read_text())
    return [c["file"] for part in toc["parts"] if part.get("numbered") for c in part["chapters"]]


def site_pages() -> list[str]:
    """Every HTML page a reader can reach, relative to the site root: English, then each other language.

    The Chinese edition is the same pages under ``zh/`` (``autograder.i18n.folder``).
    """
    from autograder.i18n import LANGUAGES, folder

    pages = ["index.html", *(f"{p}.html" for p in toc_pages()), "genindex.html", "search.html"]
    return [f"{folder(language)}/{p}" if folder(language) else p for language in LANGUAGES for p in pages]


def translated(path: str) -> bool:
    """Is a site path (``zh/book/perceptron.html``) a page of a translated edition, not the English one?"""
    from autograder.i18n import LANGUAGES, folder

    return any(folder(language) and path.startswith(f"{folder(language)}/") for language in LANGUAGES)


def local_file(site: Path, base_url: str, url: str) -> Path | None:
    """The file of ``site`` that a URL of the local server maps to (None for another host)."""
    if not url.startswith(base_url):
        return None
    path = unquote(urlsplit(url).path)
    target = site / path.lstrip("/")
    return target / "index.html" if path.endswith("/") or target.is_dir() else target


@functools.cache
def transfer_size(path: Path) -> int:
    """Bytes a static host sends for a file: gzip-compressed for text types, as is otherwise."""
    data = path.read_bytes()
    return len(gzip.compress(data, compresslevel=6)) if path.suffix in COMPRESSIBLE else len(data)


# MathJax done, fonts loaded, and two frames for the page's own scripts that wait for both
# (book/_static/scroll-cues.js marks what scrolls sideways one frame after typesetting).
WAIT_FOR_TYPESETTING = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  await document.fonts.ready;
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  return !!window.MathJax;
}"""


@dataclass
class Visit:
    """What happened while one page loaded in a fresh browser context."""
    url: str
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    requested: list[str] = field(default_factory=list)
    mathjax_loaded: bool = False
    final_url: str = ""


@contextmanager
def open_page(browser, base_url: str, path: str, context_options: dict | None = None, theme: str | None = None):
    """Load ``path`` in a fresh context (cold cache), recording errors and every request; yields (page, Visit).

    Requests to any host but the local server are aborted and recorded: the
    site must work offline. ``theme`` ("light"/"dark") is stored the way the
    pydata theme's switcher stores it, before any script of the page runs.
    """
    options = dict(context_options or DESKTOP)
    if theme:
        options["color_scheme"] = theme
    context = browser.new_context(**options)
    if theme:
        context.add_init_script(f"localStorage.setItem('mode', '{theme}'); localStorage.setItem('theme', '{theme}');")
    visit = Visit(url=base_url + path)

    def local_only(route):
        if route.request.url.startswith(base_url):
            route.continue_()
        else:
            visit.external_requests.append(route.request.url)
            route.abort()

    context.route("**/*", local_only)
    page = context.new_page()
    page.on("console", lambda m: m.type == "error"
            and visit.console_errors.append(f"{m.text} ({m.location.get('url')})"))
    page.on("pageerror", lambda e: visit.console_errors.append(f"uncaught: {e}"))
    page.on("request", lambda r: visit.requested.append(r.url))
    page.on("requestfailed", lambda r: r.url.startswith(base_url)
            and visit.failed_requests.append(f"{r.url}: {r.failure}"))
    page.on("response", lambda r: r.status >= 400 and visit.failed_requests.append(f"{r.url}: HTTP {r.status}"))
    try:
        with urllib.request.urlopen(visit.url) as response:  # noqa: S310 - our own server
            redirect = re.search(r'<meta[^>]+http-equiv="refresh"', response.read().decode(errors="replace"), re.I)
        page.goto(visit.url, wait_until="load")
        if redirect:  # index.html: wait until the meta refresh has brought us to the first page
            page.wait_for_url(lambda url: url != visit.url, wait_until="load")
        visit.mathjax_loaded = page.evaluate(WAIT_FOR_TYPESETTING)
        visit.final_url = page.url
        yield page, visit
    finally:
        context.close()


def screenshot_name(page_path: str, label: str) -> str:
    """``perceptron-desktop.png``; another language's page gets its folder first (``zh-perceptron-desktop.png``)."""
    first = Path(page_path).parts[0]
    return (f"{first}-" if first not in ("book", Path(page_path).name) else "") + f"{Path(page_path).stem}-{label}.png"


def take_screenshots(browser, base_url: str, pages: list[str], out_dir: Path = SCREENSHOTS) -> list[Path]:
    """Full-page screenshots of ``pages`` at desktop and phone width, light theme, plus the desktop dark theme."""
    out_dir.mkdir(parents=True, exist_ok=True)
    shots = []
    for path in pages:
        for label, options, theme, full in (("desktop", DESKTOP, "light", True), ("phone", PHONE, "light", True),
                                            ("desktop-dark", DESKTOP, "dark", False)):
            with open_page(browser, base_url, f"{path}.html" if not path.endswith(".html") else path,
                           options, theme) as (page, _):
                target = out_dir / screenshot_name(path, label)
                page.screenshot(path=str(target), full_page=full)
                shots.append(target)
    return shots
