"""The site on every screen, for every reader: phone (390 px), tablet (800 px) and desktop (1280 px).

Issue 15: on a phone the menu button did nothing, display equations ran out of
their column with no sign that they scroll, inline formulas were cut off,
figures shrank to 5-7 px text, and axe-core found serious violations on every
page. Each test reads the reports that ``probes.py`` gathers in one visit per
page and width (``screen(path, width)``).
"""
import re
from urllib.parse import urlsplit

import pytest
from browser.harness import chapter_pages, open_page, site_pages, translated

pytestmark = pytest.mark.slow

PAGES = site_pages()
CHAPTERS = [f"{p}.html" for p in chapter_pages()]
WIDTHS = (390, 800, 1280)
NARROW = (390, 800)
MIN_FIGURE_TEXT_PX = 9.0  # smallest text in a figure, as shown at 1280 px


def _page(path):
    return pytest.param(path, id=path.removeprefix("book/").removesuffix(".html"))


PAGE_PARAMS = [_page(p) for p in PAGES]


def _screens(widths):
    """(page, width) of every page at ``widths``; a translated page not at the tablet's width.

    The Chinese pages share every template and style sheet with the English ones: the
    phone's and the desktop's widths check how their own text fits, and the tablet's
    layout is the English pages' layout.
    """
    return [pytest.param(p, w, id=f"{_page(p).id}-{w}") for p in PAGES for w in widths
            if w != 800 or not translated(p)]


def _problems(visit):
    return ([f"console: {e}" for e in visit.console_errors]
            + [f"failed request: {r}" for r in visit.failed_requests]
            + [f"request to another host: {u}" for u in visit.external_requests])


@pytest.mark.parametrize(("path", "width"), _screens(WIDTHS))
def test_no_horizontal_overflow(screen, path, width):
    report = screen(path, width)
    problems = _problems(report.visit)
    assert not problems, f"{path} at {width} px:\n" + "\n".join(problems)
    overflow = report.overflow
    assert overflow["scrollWidth"] <= overflow["innerWidth"] + 1, (
        f"{path} at {width} px is {overflow['scrollWidth']} px wide; sticking out:\n"
        + "\n".join(overflow["culprits"]))


@pytest.mark.parametrize(("path", "width"), _screens(NARROW))
def test_menu_opens_the_chapter_list_and_a_chapter(screen, path, width):
    """Tap the menu button, see every chapter in the list, tap one and land on it."""
    menu = screen(path, width).menu
    assert menu["toggles"] == 1, f"{path} at {width} px: {menu['toggles']} visible menu buttons"
    assert menu["dialogOpen"], f"{path} at {width} px: the menu button did not open the chapter list"
    chapters = {urlsplit(link["href"]).path.rsplit("/", 1)[-1] for link in menu["links"]}
    missing = {p.rsplit("/", 1)[-1] for p in CHAPTERS} - chapters
    assert not missing, f"{path} at {width} px: the opened menu does not show {sorted(missing)}"
    assert menu["followed"], f"{path} at {width} px: no chapter link to follow"
    assert urlsplit(menu["arrived"]).path == urlsplit(menu["followed"]).path, (
        f"{path} at {width} px: tapped {menu['followed']}, arrived at {menu['arrived']}")


@pytest.mark.parametrize("path", PAGE_PARAMS)
def test_chapter_list_is_on_screen_at_desktop_width(screen, path):
    """At 1280 px the sidebar lists every chapter; the menu button hides it and shows it again."""
    menu = screen(path, 1280).menu
    links = {urlsplit(link["href"]).path.rsplit("/", 1)[-1] for link in menu["links"]}
    missing = {p.rsplit("/", 1)[-1] for p in CHAPTERS} - links
    assert not missing, f"{path}: the sidebar does not show {sorted(missing)}"
    assert menu["collapses"] == [False, True], f"{path}: sidebar on screen after one, two clicks: {menu['collapses']}"


def _describe(m):
    return f"{m['status']} in {m['box'] or 'the viewport'} ({m['width']} px wide) in #{m['where']}: {m['text']}"


@pytest.mark.parametrize(("path", "width"), _screens(WIDTHS))
def test_no_maths_is_cut_off(screen, path, width):
    """Every formula is either wholly visible or in a box that scrolls and says so (shadow, scrollbar)."""
    maths = screen(path, width).math
    if path in CHAPTERS:
        assert maths, f"{path}: no typeset formula found (did the probe's selector stop matching?)"
    bad = [_describe(m) for m in maths
           if m["status"] in ("clipped", "offscreen") or (m["status"] == "scrolls" and not m["cue"])]
    assert not bad, f"{path} at {width} px, formulas cut off:\n" + "\n".join(bad)


@pytest.mark.parametrize("path", PAGE_PARAMS)
def test_every_formula_fits_its_column_at_desktop_width(screen, path):
    wide = [_describe(m) for m in screen(path, 1280).math if m["status"] != "ok" or m["wide"]]
    assert not wide, f"{path} at 1280 px, formulas wider than their column:\n" + "\n".join(wide)


@pytest.mark.parametrize("path", [_page(p) for p in CHAPTERS])
def test_figure_text_is_readable_at_desktop_width(screen, path):
    figures = [f for f in screen(path, 1280).figure_text if f["glyphs"]]
    assert figures, f"{path}: no figure with text found (did the probe's selector stop matching?)"
    small = [f"{f['figure'] or f['src']}: smallest text {f['smallest']:.1f} px "
             f"(shown {f['shown']} px wide, drawn {f['natural']} px)"
             for f in figures if f["smallest"] < MIN_FIGURE_TEXT_PX]
    assert not small, f"{path}: figure text below {MIN_FIGURE_TEXT_PX} px at 1280 px:\n" + "\n".join(small)


@pytest.mark.parametrize("path", PAGE_PARAMS)
def test_every_figure_opens_at_full_size(screen, path):
    """A tap on a figure opens its image file (on a phone, a figure is shown at about half its size)."""
    images = [i for i in screen(path, 1280).data["images"] if i["inContent"]]
    unlinked = [i["src"].rsplit("/", 1)[-1] for i in images
                if not i["link"] or i["link"].split("#")[0] != i["src"].split("#")[0]]
    assert not unlinked, f"{path}: figures that do not link to their image:\n" + "\n".join(unlinked)


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize(("path", "width"), _screens(WIDTHS))
def test_axe_finds_no_serious_violation(screen, path, width, theme):
    """axe-core: WCAG 2.0-2.2 A and AA, best practices and experimental rules."""
    violations = [v for v in screen(path, width).axe[theme] if v["impact"] in ("serious", "critical")]
    assert not violations, f"{path} at {width} px, {theme} theme:\n" + "\n".join(
        f"{v['rule']} ({v['impact']}): {v['target']}\n    {v['html']}\n    {v['summary']}" for v in violations)


@pytest.mark.parametrize("path", PAGE_PARAMS)
def test_one_search_box(screen, path):
    assert screen(path, 1280).data["searchBoxes"] == 1


@pytest.mark.parametrize("path", [_page(p) for p in CHAPTERS])
def test_sections_look_stronger_than_their_subsections(screen, path):
    h = screen(path, 1280).data["headings"]
    levels = [h[k] for k in ("h1", "h2", "h3", "h4") if h[k]]
    assert len(levels) >= 2, f"{path}: headings {h}"
    for upper, lower in zip(levels, levels[1:]):
        assert upper["size"] > lower["size"] and upper["weight"] >= lower["weight"], (
            f"{path}: {upper} does not look stronger than {lower}")


@pytest.mark.parametrize("path", [_page(p) for p in CHAPTERS])
def test_captions_read_like_body_text(screen, path):
    """Captions in the body's colour and regular weight (the theme's were thin and grey-blue)."""
    data = screen(path, 1280).data
    assert data["caption"], f"{path}: no figure caption found"
    assert data["caption"]["weight"] >= 400 and data["caption"]["color"] == data["bodyColor"], (
        f"{path}: caption {data['caption']}, body text {data['bodyColor']}")


def test_search_snippets_show_formulas_as_text(browser, site_url):
    """Result snippets quote the pages' text; their formulas must not be TeX source."""
    with open_page(browser, site_url, "search.html?q=variance") as (page, visit):
        page.wait_for_selector("#search-results ul.search li p.context", timeout=20_000)
        page.wait_for_function("() => document.querySelectorAll('#search-results ul.search li p.context').length >= 5",
                               timeout=20_000)
        snippets = page.eval_on_selector_all("#search-results ul.search li p.context",
                                             "ps => ps.map(p => p.textContent)")
        converted = page.evaluate("tex => window.courseTexToText(tex)",
                                  r"\(\frac{\partial L}{\partial \gamma} = \sum_n g_n\)")
    tex = [s for s in snippets if re.search(r"\\[a-zA-Z]+|\\\(|\\\)", s)]
    assert not tex, "search snippets with TeX source:\n" + "\n".join(tex[:5])
    assert converted == "∂L/∂γ = Σ_n g_n"


def test_search_finds_the_kaiming_section(browser, site_url):
    """"Kaiming" leads to its section, not only to the chapter (index entries, book/initialization.md)."""
    with open_page(browser, site_url, "search.html?q=Kaiming") as (page, visit):
        page.wait_for_function("() => [...document.querySelectorAll('#search-results ul.search li a')]"
                               ".some(a => a.href.includes('initialization.html#'))", timeout=20_000)
