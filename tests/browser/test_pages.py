"""The site as a learner meets it: every page in Debian's Chromium, served over http on 127.0.0.1.

Each page is loaded once per viewport (see ``probes.py``); the tests below only
read what those visits recorded. Screenshots of the chapters land in
``_build/screenshots/`` (``make screenshots`` makes the same ones).
"""
import html
import re
from functools import cache
from pathlib import Path
from urllib.parse import quote_plus, unquote, urlsplit

import nbformat
import pytest
import yaml
from browser.harness import (
    REPO,
    SCREENSHOTS,
    chapter_pages,
    local_file,
    open_page,
    screenshot_name,
    site_pages,
    take_screenshots,
    toc_pages,
)
from PIL import Image

from autograder.i18n import LANGUAGES, SOURCE_LANGUAGE, Catalogue, folder

pytestmark = pytest.mark.slow

PAGES = site_pages()
CONTENT = [f"{p}.html" for p in toc_pages()]
CHAPTERS = [f"{p}.html" for p in chapter_pages()]
#: The chapters in every language: the English ones, then ``zh/book/...``.
ALL_CHAPTERS = [f"{folder(language)}/{c}".lstrip("/") for language in LANGUAGES for c in CHAPTERS]
MIN_CONTRAST = 4.5  # WCAG AA for body text


def test_every_page_of_the_site_is_tested(built_site):
    built = {p.relative_to(built_site).as_posix() for p in built_site.rglob("*.html")
             if not any(part.startswith("_") for part in p.relative_to(built_site).parts)}
    assert built == set(PAGES)


def _load_problems(visit):
    return ([f"console: {e}" for e in visit.console_errors]
            + [f"failed request: {r}" for r in visit.failed_requests]
            + [f"request to another host (the site must work offline): {u}" for u in visit.external_requests])


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_without_errors(desktop, path):
    problems = _load_problems(desktop(path).visit)
    assert not problems, f"{path}:\n" + "\n".join(problems)


def test_the_site_root_leads_to_the_first_page(desktop, site_url):
    assert desktop("index.html").visit.final_url == f"{site_url}{toc_pages()[0]}.html"


@pytest.mark.parametrize("path", PAGES)
def test_every_equation_is_typeset(desktop, path):
    report = desktop(path)
    data = report.data
    if path in CHAPTERS:  # guards the checks below against selectors that stopped matching
        assert data["math"] > 0, f"{path}: a chapter without equations?"
    assert not data["rawTeX"], f"{path}: TeX left as text:\n" + "\n".join(data["rawTeX"][:10])
    if data["math"]:
        assert report.visit.mathjax_loaded, f"{path}: has {data['math']} equations but MathJax did not load"
        assert data["typeset"] > 0, f"{path}: no mjx-container for {data['math']} equations"
        assert not data["untypeset"], f"{path}: equations MathJax left alone: {data['untypeset'][:5]}"
        assert not data["mathErrors"], f"{path}: MathJax errors: {data['mathErrors'][:5]}"


@pytest.mark.parametrize("path", PAGES)
def test_every_image_loads_and_has_alt_text(desktop, path):
    problems = []
    for img in desktop(path).data["images"]:
        name = img["src"].rsplit("/", 1)[-1]
        if not img["complete"] or img["naturalWidth"] == 0:
            problems.append(f"{name}: did not load")
        alt = (img["alt"] or "").strip()
        if not alt or alt.rsplit("/", 1)[-1] == name or re.search(r"\.(svg|png|jpe?g|gif)$", alt):
            problems.append(f"{name}: no alt text (alt={img['alt']!r})")
    assert not problems, f"{path}:\n" + "\n".join(problems)


@cache
def _ids(page: Path) -> frozenset:
    text = page.read_text(encoding="utf-8", errors="replace")
    return frozenset(html.unescape(m) for m in re.findall(r'\s(?:id|name)="([^"]+)"', text))


def test_every_internal_link_and_anchor_resolves(desktop, built_site, site_url):
    broken = []
    checked = 0
    for path in PAGES:
        for href in desktop(path).data["anchors"]:
            target = local_file(built_site, site_url, href)
            if target is None:
                continue  # another site, or mailto:/javascript:
            checked += 1
            where = f"{path} -> {href.removeprefix(site_url)}"
            if not target.is_file():
                broken.append(f"{where}: no such file")
                continue
            fragment = unquote(urlsplit(href).fragment)
            if fragment and target.suffix == ".html" and fragment not in _ids(target):
                broken.append(f"{where}: no element with id {fragment!r}")
    assert checked > 100, f"only {checked} internal links found: is the crawl looking at the pages?"
    assert not broken, f"{len(broken)} broken links:\n" + "\n".join(sorted(set(broken))[:40])


@pytest.mark.parametrize(("query", "expected"), [("batch normalization", "book/normalization.html"),
                                                 ("Kaiming", "book/initialization.html")])
def test_search_finds(browser, site_url, query, expected, path="search.html?q="):
    with open_page(browser, site_url, f"{path}{quote_plus(query)}") as (page, visit):
        page.wait_for_selector("#search-results ul.search li a", timeout=20_000)
        page.wait_for_function("() => !document.querySelector('#search-progress')?.textContent.includes('Preparing')",
                               timeout=20_000)
        hits = page.eval_on_selector_all("#search-results ul.search li a", "as => as.map(a => a.href)")
        assert not visit.console_errors and not visit.failed_requests, visit
    assert any(urlsplit(h).path.endswith(expected) for h in hits), f"{query!r}: {expected} not among {hits[:10]}"


@pytest.mark.parametrize(("query", "expected"), [("批量归一化", "zh/book/normalization.html"),
                                                 ("初始化", "zh/book/initialization.html")])
def test_chinese_search_finds(browser, site_url, query, expected):
    """Sphinx's Chinese search, its index and the query split into words by jieba (pinned)."""
    test_search_finds(browser, site_url, query, expected, path="zh/search.html?q=")


def counterpart(path: str, language: str) -> str:
    """The path of the same page in ``language`` (``book/x.html`` <-> ``zh/book/x.html``)."""
    english = next((path[len(folder(lang)) + 1:] for lang in LANGUAGES
                    if folder(lang) and path.startswith(folder(lang) + "/")), path)
    return f"{folder(language)}/{english}" if folder(language) else english


@pytest.mark.parametrize("path", PAGES)
def test_every_page_links_to_its_counterpart_in_the_other_language(desktop, built_site, site_url, path):
    """The article header's language switch: a link (keyboard-reachable) to this very page in the other language."""
    report = desktop(path)
    shown = unquote(urlsplit(report.visit.final_url).path).lstrip("/")  # index.html redirects to the first page
    language = _language(shown)
    links = report.language_links
    want = {other: counterpart(shown, other) for other in LANGUAGES if other != language}
    got = {link["hreflang"].replace("-", "_"): unquote(urlsplit(link["href"]).path).lstrip("/") for link in links}
    assert got == want, f"{path}: the language switch links {got}, expected {want}"
    for link in links:
        assert link["text"] == LANGUAGES[link["hreflang"].replace("-", "_")] and link["tabIndex"] >= 0, link
        assert (built_site / unquote(urlsplit(link["href"]).path).lstrip("/")).is_file(), link


def _launch_settings():
    """Launch services and the learners' repository (never the course repository, which holds the answers)."""
    config = yaml.safe_load((REPO / "_config.yml").read_text())
    launch = config["sphinx"]["config"]["exercise_launch"]
    learners = config["sphinx"]["config"]["learner_repository"]
    assert learners["url"].rstrip("/") != config["repository"]["url"].rstrip("/")
    org, repo = re.fullmatch(r"https://github\.com/([^/]+)/([^/]+?)/?", learners["url"]).groups()
    return launch, org, repo, learners.get("branch", "main")


def _language(path: str) -> str:
    return next((language for language in LANGUAGES if folder(language) and path.startswith(folder(language) + "/")),
                SOURCE_LANGUAGE)


@pytest.mark.parametrize("path", ALL_CHAPTERS)
def test_exercise_box_downloads_the_notebook_and_links_colab_and_binder(desktop, path):
    """In every language: the Chinese chapter's box downloads and launches the Chinese notebook."""
    slug = Path(path).stem
    language = _language(path)
    box = desktop(path).exercise
    # The title is the page's own words ("Exercise"; in Chinese whatever the page's catalogue says).
    assert box and box["title"] and (language != SOURCE_LANGUAGE or box["title"] == "Exercise"), f"{path}: no box"
    inside = folder(language)
    release = REPO / "exercises" / inside / f"{slug}.ipynb"

    # The download: the very release notebook, under its own name (the grader recognises it by that name).
    downloaded = box.get("downloaded")
    assert downloaded and downloaded.name == f"{slug}.ipynb", f"{path}: download gave {downloaded}"
    nb = nbformat.read(downloaded, as_version=4)
    nbformat.validate(nb)
    assert downloaded.read_bytes() == release.read_bytes(), f"{path}: the download differs from {release}"

    # Points: function by function, what nbgrader scores in the downloaded notebook.
    scored = {c.metadata["nbgrader"]["grade_id"].removesuffix("_tests"): float(c.metadata["nbgrader"]["points"])
              for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")}
    assert scored and box["points"] == scored, f"{path}: the box lists {box['points']}, the notebook scores {scored}"
    assert box["total"] == sum(scored.values()), f"{path}: total {box['total']}, the notebook scores {scored}"

    # Layout: the buttons have a line of their own, and none breaks over two lines.
    assert box["rowText"] == box["buttonsText"], f"{path}: text next to the buttons: {box['rowText']!r}"
    assert box["buttonLines"] and set(box["buttonLines"]) == {1}, f"{path}: a button wraps: {box['buttonLines']}"

    # Launch links: built from _config.yml, pointing at the release notebook.
    launch, org, repo, branch = _launch_settings()
    words = Catalogue("site", language)
    notebook = f"exercises/{inside}/{slug}.ipynb" if inside else f"exercises/{slug}.ipynb"
    expected = {}
    if launch.get("colab_url"):
        expected[words("Open in Colab")] = (f"{launch['colab_url'].rstrip('/')}/github/{org}/{repo}/blob/{branch}"
                                            f"/{notebook}")
    if launch.get("binderhub_url"):
        expected[words("Launch on Binder")] = (f"{launch['binderhub_url'].rstrip('/')}/v2/gh/{org}/{repo}/{branch}"
                                               f"?labpath={notebook.replace('/', '%2F')}")
    assert expected and box["launch"] == expected


def _luminance(rgb):
    def channel(v):
        v /= 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(v) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg, bg):
    hi, lo = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("path", CONTENT)
def test_text_is_readable_in_both_themes(desktop, path, theme):
    report = desktop(path)
    if theme == "dark":
        assert report.dark_theme == "dark"
    samples = report.colours[theme]
    assert samples, f"{path}: no body text found"
    poor = []
    for s in samples:
        if s["fg"] is None or s["bg"] is None:
            poor.append(f"{s['text']!r}: colour not understood ({s['color']}, {s['raw']})")
        elif (ratio := contrast(s["fg"], s["bg"])) < MIN_CONTRAST:
            background = tuple(round(v) for v in s["bg"][:3])
            poor.append(f"{s['text']!r}: contrast {ratio:.2f} ({s['color']} on rgb{background})")
    assert not poor, f"{path}, {theme} theme:\n" + "\n".join(poor)


@pytest.mark.parametrize("path", CONTENT)
def test_figures_stay_white_in_dark_mode(desktop, path):
    report = desktop(path)
    problems = [f"{f.src.rsplit('/', 1)[-1]}: corner pixel {f.corner}, background {f.background}, filter {f.filter}"
                for f in report.figures_dark if not f.white]
    assert not problems, f"{path}:\n" + "\n".join(problems)
    if path in CHAPTERS:
        assert report.figures_dark, f"{path}: a chapter without a single visible figure?"


@pytest.mark.parametrize("path", CHAPTERS)
def test_chapter_screenshots_are_saved(screen, path):
    screen(path, 1280)
    screen(path, 390)
    for label, width in (("desktop", 1280), ("phone", 390), ("desktop-dark", 1280)):
        shot = SCREENSHOTS / screenshot_name(path, label)
        assert shot.is_file(), shot
        with Image.open(shot) as image:
            assert image.width == width and image.height > 300, (shot, image.size)


def test_make_screenshots_takes_desktop_phone_and_dark_shots(browser, site_url, tmp_path):
    """The code behind ``make screenshots``, on one chapter."""
    shots = take_screenshots(browser, site_url, chapter_pages()[:1], tmp_path)
    assert [s.name for s in shots] == [screenshot_name(chapter_pages()[0], label)
                                       for label in ("desktop", "phone", "desktop-dark")]
    widths = [Image.open(s).width for s in shots]
    assert widths == [1280, 390, 1280]
