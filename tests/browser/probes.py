"""What the browser tests look at on a page, gathered in one visit per page and viewport.

Each page is loaded once at desktop width (light theme, then switched to dark
the way the theme's switcher does it) and once each at tablet and phone width
(light, then dark); the tests then only read the reports. Screenshots of the
chapters are taken during the same visits.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field, replace
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from browser.harness import DESKTOP, SCREENSHOTS, VIEWPORTS, Visit, open_page, screenshot_name
from PIL import Image

# Everything about the page's content, after MathJax has typeset it.
PAGE_DATA = r"""() => {
  const inCode = n => n.parentElement && n.parentElement.closest(
      'pre, code, script, style, noscript, textarea, template, mjx-container, .highlight');
  const raw = [];
  const rawTeX = /\$\$|\\\(|\\\)|\\\[|\\\]|\\begin\{|\\end\{|(^|[^\\$])\$[^$\s][^$]{0,80}?[^$\s\\]\$/;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!inCode(n) && rawTeX.test(n.textContent)) raw.push(n.textContent.trim().slice(0, 120));
  }
  const math = [...document.querySelectorAll('span.math, div.math')];
  const visible = e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0
      && getComputedStyle(e).visibility !== 'hidden'; };
  const style = tag => { const h = document.querySelector(`article.bd-article ${tag}`);
      if (!h) return null; const s = getComputedStyle(h);
      return {size: parseFloat(s.fontSize), weight: parseFloat(s.fontWeight),
              text: h.textContent.trim().slice(0, 40)}; };
  return {
    title: document.title,
    anchors: [...document.querySelectorAll('a[href]')].map(a => a.href),
    images: [...document.images].map(i => ({
      src: i.currentSrc || i.src, alt: i.getAttribute('alt'), complete: i.complete,
      naturalWidth: i.naturalWidth, hidden: !i.offsetParent, inContent: !!i.closest('.bd-article'),
      link: i.closest('a[href]') ? i.closest('a[href]').href : null})),
    searchBoxes: [...document.querySelectorAll('.search-button-field, .search-button')].filter(visible).length,
    headings: {h1: style('h1'), h2: style('h2'), h3: style('h3'), h4: style('h4')},
    caption: (c => c && {weight: parseFloat(getComputedStyle(c).fontWeight), color: getComputedStyle(c).color})(
        document.querySelector('article.bd-article figcaption .caption-text')),
    bodyColor: getComputedStyle(document.querySelector('article.bd-article') || document.body).color,
    math: math.length,
    typeset: document.querySelectorAll('mjx-container').length,
    untypeset: math.filter(e => !e.querySelector('mjx-container')).map(e => e.textContent.slice(0, 80)),
    mathErrors: [...document.querySelectorAll('mjx-merror')].map(
        e => e.getAttribute('data-mjx-error') || e.textContent.slice(0, 80)),
    rawTeX: raw,
  };
}"""

# Text colour against the colour actually behind it (backgrounds composited up to the canvas).
TEXT_COLOURS = r"""() => {
  const parse = c => {
    const m = /^rgba?\(([^)]*)\)$/.exec(c);
    if (!m) return null;
    const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, below) => top.slice(0, 3).map((v, i) => top[3] * v + (1 - top[3]) * below[i]).concat([1]);
  const background = el => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) layers.push(getComputedStyle(e).backgroundColor);
    let colour = [255, 255, 255, 1];  // the canvas
    for (const layer of layers.reverse()) {
      const c = parse(layer);
      if (c === null) return {error: layer};
      colour = over(c, colour);
    }
    return colour;
  };
  const pick = (selector, n) => [...document.querySelectorAll(selector)]
      .filter(e => e.offsetParent && e.textContent.trim().length > 3).slice(0, n);
  const body = pick('article.bd-article p', 40)
      .filter(p => !p.closest('.admonition, .cell_output, .sidebar, aside, details')).slice(0, 5);
  const exercise = pick('.exercise-box p, .exercise-box a.exercise-download, .exercise-box a.exercise-launch-link', 6);
  return [...body, ...exercise].map(e => {
    const bg = background(e);
    const fg = parse(getComputedStyle(e).color);
    return {text: e.textContent.trim().slice(0, 50), color: getComputedStyle(e).color,
            fg: fg && !bg.error ? over(fg, bg) : null, bg: bg.error ? null : bg, raw: bg.error || null};
  });
}"""

# Elements sticking out to the right of the viewport, not inside a scrolling or clipping box.
# On an emulated phone, Chromium widens the layout viewport (innerWidth) to fit content
# that overflows, so the device's own width (screen.width) is the yardstick.
OVERFLOW = r"""() => {
  const vw = Math.min(window.innerWidth, screen.width), sw = document.documentElement.scrollWidth;
  const culprits = [];
  if (sw > vw + 1) {
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.right <= vw + 1) continue;
      let clipped = false;
      for (let a = el.parentElement; a && a !== document.documentElement; a = a.parentElement) {
        if (getComputedStyle(a).overflowX !== 'visible') { clipped = true; break; }
      }
      if (clipped) continue;
      if (el.parentElement && culprits.some(c => c.el.contains(el))) continue;
      culprits.push({el, text: `<${el.tagName.toLowerCase()} class="${el.className}">`
                     + ` right edge ${Math.round(r.right)} px: `
                     + el.textContent.trim().replace(/\s+/g, ' ').slice(0, 80)});
    }
  }
  return {scrollWidth: sw, innerWidth: vw, culprits: culprits.slice(0, 8).map(c => c.text)};
}"""

# Every formula MathJax typeset, and where it is not wholly visible: "clipped" (a box
# hides part of it and cannot scroll), "offscreen" (it sticks out of the viewport) or
# "scrolls" (a box scrolls sideways to show the rest; "cue" says whether that box is marked
# as scrolling, book/_static/scroll-cues.js). Display equations also report whether their
# content is wider than the column they sit in ("wide").
MATH = r"""() => {
  const vw = Math.min(window.innerWidth, screen.width);
  const tex = c => {
    const host = c.closest('.math');
    return (host ? host.getAttribute('data-tex') || '' : '') || c.getAttribute('aria-label') || c.textContent;
  };
  const result = [];
  for (const c of document.querySelectorAll('.bd-article mjx-container')) {
    const content = c.querySelector(':scope > mjx-math, :scope > svg') || c;
    const r = content.getBoundingClientRect();
    if (!r.width || !c.offsetParent) continue;  // in a closed dropdown
    const display = c.getAttribute('display') === 'true';
    const column = c.closest('div.math') || c.parentElement;
    const cr = column.getBoundingClientRect();
    let status = 'ok', box = '', cue = null;
    for (let a = c; a && a !== document.body; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (s.overflowX === 'visible') continue;
      const ar = a.getBoundingClientRect();
      const left = ar.left + a.clientLeft, right = left + a.clientWidth;
      if (r.right > right + 2 || r.left < left - 2) {  // 2 px: rounding, italic corrections
        const scrollable = (s.overflowX === 'auto' || s.overflowX === 'scroll') && a.scrollWidth > a.clientWidth;
        status = scrollable ? 'scrolls' : 'clipped';
        cue = a.classList.contains('scrolls');
        box = `<${a.tagName.toLowerCase()} class="${a.className}">`;
        break;
      }
    }
    if (status === 'ok' && (r.right > vw + 2 || r.left < -2)) status = 'offscreen';
    result.push({display, status, box, cue, wide: display && r.width > cr.width + 2,
                 width: Math.round(r.width), column: Math.round(cr.width),
                 where: (c.closest('section[id]') || {}).id || '',
                 text: (c.querySelector('mjx-assistive-mml') || c).textContent
                       .replace(/\s+/g, ' ').trim().slice(0, 80)});
  }
  return result;
}"""

# The smallest text of every SVG figure as the reader sees it, in CSS pixels. Matplotlib
# draws text as glyph outlines (<use> of a glyph defined at a size of 100 units) inside
# groups g#text_N; the figure's SVG is laid out at the size the <img> is shown, and each
# glyph's size is 100 times the scale of its transformation to the screen.
FIGURE_TEXT = r"""async () => {
  const out = [];
  for (const img of document.querySelectorAll('.bd-article img')) {
    const src = img.currentSrc || img.src, shown = img.getBoundingClientRect();
    if (!/\.svg($|[?#])/.test(src) || !shown.width) continue;
    const svg = new DOMParser().parseFromString(await (await fetch(src)).text(), 'image/svg+xml').documentElement;
    svg.setAttribute('width', shown.width);
    svg.setAttribute('height', shown.height);
    const holder = document.createElement('div');
    holder.style.cssText = 'position:absolute;left:0;top:0;visibility:hidden;pointer-events:none';
    holder.appendChild(document.importNode(svg, true));
    document.body.appendChild(holder);
    const sizes = [...holder.querySelectorAll('g[id^="text_"] use')].map(u => {
      const m = u.getScreenCTM();
      return 100 * Math.sqrt(Math.abs(m.a * m.d - m.b * m.c));
    });
    holder.remove();
    const figure = img.closest('figure');
    out.push({src: src.split('/').pop(), shown: Math.round(shown.width), natural: img.naturalWidth,
              figure: figure ? (figure.querySelector('.caption-number') || {textContent: ''}).textContent.trim() : '',
              glyphs: sizes.length, smallest: sizes.length ? Math.min(...sizes) : null});
  }
  return out;
}"""

# The chapter list on a narrow screen: tap the visible menu button (the theme's
# ".primary-toggle"), and report what the opened sidebar offers.
MENU_LINKS = r"""() => {
  const dialog = document.querySelector('#pst-primary-sidebar-modal');
  const root = dialog && dialog.open ? dialog : document.querySelector('#pst-primary-sidebar');
  const visible = e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0
      && getComputedStyle(e).visibility !== 'hidden' && r.right > 0 && r.left < window.innerWidth; };
  return {dialogOpen: !!(dialog && dialog.open),
          links: root ? [...root.querySelectorAll('nav a.reference.internal')].filter(visible)
                        .map(a => ({text: a.textContent.trim(), href: a.href})) : []};
}"""

# axe-core (bundled with axe-playwright-python) with the WCAG 2.0-2.2 A/AA rules, axe's best
# practices and its experimental rules (label-content-name-mismatch among them); not AAA.
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa",
                                                    "best-practice", "experimental"]},
               "resultTypes": ["violations"]}
_AXE = Axe()


def axe_violations(page) -> list[dict]:
    """axe-core's violations on the page as it is now (the pointer out of the way), one dict per rule and element."""
    page.mouse.move(0, 0)
    response = _AXE.run(page, options=AXE_OPTIONS).response
    return [{"rule": v["id"], "impact": v["impact"], "help": v["help"], "target": " ".join(map(str, n["target"])),
             "html": n["html"][:160], "summary": (n.get("failureSummary") or "").replace("\n", " ")[:300]}
            for v in response["violations"] for n in v["nodes"]]


def toggle_sidebar(page) -> list[bool]:
    """On a wide screen the menu button hides the chapter list and shows it again: whether it
    is on screen after one click and after a second one."""
    shown = """() => { const s = document.querySelector('#pst-primary-sidebar'); const r = s.getBoundingClientRect();
                       return getComputedStyle(s).visibility !== 'hidden' && r.right > 0; }"""
    toggles = [t for t in page.locator("button.primary-toggle").all() if t.is_visible()]
    states = []
    for _ in range(2 if toggles else 0):
        toggles[0].click()
        page.wait_for_timeout(400)  # the sidebar's transition
        states.append(page.evaluate(shown))
    return states


def follow_menu(page) -> dict:
    """Tap the menu button, note the chapter list, tap a chapter in it; what happened."""
    toggles = [t for t in page.locator("button.primary-toggle").all() if t.is_visible()]
    result = {"toggles": len(toggles), "dialogOpen": False, "links": [], "followed": None, "arrived": None}
    if not toggles:
        return result
    toggles[0].tap()
    page.wait_for_timeout(400)  # the dialog's opening transition
    result.update(page.evaluate(MENU_LINKS))
    current = page.url.split("#")[0]
    targets = [link for link in result["links"] if link["href"].split("#")[0] != current and "/book/" in link["href"]]
    if targets:
        target = targets[len(targets) // 2]
        result["followed"] = target["href"]
        page.evaluate("""href => {
          const dialog = document.querySelector('#pst-primary-sidebar-modal');
          const root = dialog && dialog.open ? dialog : document.querySelector('#pst-primary-sidebar');
          [...root.querySelectorAll('nav a.reference.internal')].find(a => a.href === href)
            .setAttribute('data-probe-menu-target', '');
        }""", target["href"])
        with page.expect_navigation(wait_until="load"):
            page.locator("[data-probe-menu-target]").tap()
        result["arrived"] = page.url
    return result


# Switch to the dark theme the way the theme's switcher does, and wait until the
# colours' CSS transitions (0.25 s for some buttons) are over.
DARK = """async () => {
  localStorage.setItem('mode', 'dark'); localStorage.setItem('theme', 'dark');
  document.documentElement.dataset.mode = 'dark'; document.documentElement.dataset.theme = 'dark';
  await new Promise(done => setTimeout(done, 500));
  return document.documentElement.dataset.theme;
}"""

FIGURE_STYLE = """i => {
  const s = getComputedStyle(i);
  return {src: i.currentSrc || i.src, background: s.backgroundColor, filter: s.filter};
}"""


# Scroll a figure's top 200 px below the window's top (clear of the sticky header), instantly
# (the theme scrolls smoothly); where its corner now is in the window.
CORNER_ON_SCREEN = """i => {
  scrollTo({top: i.getBoundingClientRect().top + scrollY - 200, behavior: 'instant'});
  const r = i.getBoundingClientRect();
  return {x: r.left, y: r.top};
}"""


@dataclass
class Figure:
    src: str
    background: str
    filter: str
    corner: tuple  # RGB of the rendered pixel (6, 6) from the image's top-left corner (inside rounded corners)

    @property
    def white(self) -> bool:
        """Does the figure show on white (every channel of its corner at least 245 of 255)?"""
        return min(self.corner) >= 245


@dataclass
class PageReport:
    path: str
    visit: Visit
    data: dict
    requested: list[str]
    colours: dict[str, list[dict]] = field(default_factory=dict)  # theme -> TEXT_COLOURS result
    dark_theme: str = ""
    figures_dark: list[Figure] = field(default_factory=list)
    exercise: dict | None = None
    screenshots: list[Path] = field(default_factory=list)
    overflow: dict = field(default_factory=dict)
    math: list[dict] = field(default_factory=list)
    figure_text: list[dict] = field(default_factory=list)
    menu: dict = field(default_factory=dict)
    axe: dict[str, list[dict]] = field(default_factory=dict)  # theme -> violations
    language_links: list[dict] = field(default_factory=list)  # the article header's language switch


#: The language switch (book/_templates/language-switch.html): each link's target, language, text, focusability.
LANGUAGE_LINKS = """() => [...document.querySelectorAll('.article-header-buttons a.language-switch')].map(a => ({
  href: a.href, hreflang: a.getAttribute('hreflang'), text: a.textContent.trim(), tabIndex: a.tabIndex,
  visible: a.getBoundingClientRect().width > 0}))"""


EXERCISE = """() => {
  const box = document.querySelector('.exercise-box');
  if (!box) return null;
  const download = box.querySelector('a.exercise-download');
  const row = download && download.closest('p');
  const links = row ? [...row.querySelectorAll('a')] : [];
  return {
    title: box.querySelector('.admonition-title')?.textContent.trim(),
    text: box.textContent.replace(/\\s+/g, ' ').trim(),
    download: [...box.querySelectorAll('a.exercise-download')].map(a => a.href),
    launch: Object.fromEntries([...box.querySelectorAll('a.exercise-launch-link')]
                               .map(a => [a.textContent.trim(), a.href])),
    points: Object.fromEntries([...box.querySelectorAll('li.exercise-points-item')].map(li => [
        li.querySelector('.exercise-function').textContent.trim(),
        parseFloat(li.querySelector('.exercise-points-value').textContent)])),
    total: parseFloat(box.querySelector('.exercise-points-total strong')?.textContent),
    // The download's paragraph holds only the buttons, and no button breaks over two lines.
    rowText: row ? row.textContent.replace(/\\s+/g, '') : null,
    buttonsText: links.map(a => a.textContent).join('').replace(/\\s+/g, ''),
    buttonLines: links.map(a => a.getClientRects().length),
  };
}"""


def _frozen(visit: Visit) -> Visit:
    """The visit's record so far. axe-core then fetches the page's stylesheets itself and resolves
    their @import against the page's address instead of the stylesheet's (pydata-sphinx-theme's
    ``@import "../basic.css"`` becomes a 404 for /basic.css): not a request of the site's."""
    return replace(visit, console_errors=list(visit.console_errors), failed_requests=list(visit.failed_requests),
                   external_requests=list(visit.external_requests), requested=list(visit.requested))


def desktop_report(browser, base_url: str, path: str, chapter: bool, download_dir: Path,
                   figures: bool = True) -> PageReport:
    """Load ``path`` at 1280 px in the light theme, inspect it, switch to dark and inspect again;
    axe-core in both themes last; then the menu button (collapse the sidebar and open it again).

    ``chapter``: try the exercise box's download. ``figures``: measure the figures' text, probe
    them in the dark theme and screenshot chapters (the slow part of a visit).
    """
    stem = path.removesuffix(".html").replace("/", "-")
    with open_page(browser, base_url, path, DESKTOP) as (page, visit):  # a first visit: nothing stored
        report = PageReport(path, visit, page.evaluate(PAGE_DATA), requested=list(visit.requested))
        report.language_links = page.evaluate(LANGUAGE_LINKS)
        report.colours["light"] = page.evaluate(TEXT_COLOURS)
        report.overflow = page.evaluate(OVERFLOW)
        report.math = page.evaluate(MATH)
        if figures:
            report.figure_text = page.evaluate(FIGURE_TEXT)
        report.menu = page.evaluate(MENU_LINKS)
        if chapter and figures:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shot = SCREENSHOTS / screenshot_name(path, "desktop")
            page.screenshot(path=str(shot), full_page=True)
            report.screenshots.append(shot)
        if chapter:
            report.exercise = page.evaluate(EXERCISE)
            if report.exercise and report.exercise["download"]:
                with page.expect_download() as info:
                    page.click(".exercise-box a.exercise-download")
                download = info.value
                target = download_dir / stem / download.suggested_filename
                download.save_as(target)
                report.exercise["downloaded"] = target
        report.dark_theme = page.evaluate(DARK)
        report.colours["dark"] = page.evaluate(TEXT_COLOURS)
        for img in page.locator(".bd-content img").all() if figures else []:
            if not img.is_visible():
                continue  # inside a closed dropdown
            # A figure still decoding paints the page's dark background: wait for it.
            img.evaluate("i => i.decode().catch(() => null)")
            style = img.evaluate(FIGURE_STYLE)
            # The corner is brought on screen below the sticky header and captured from the viewport:
            # a full-page capture per figure cost a second each on the long chapters.
            # About once a run the first capture still showed the page behind a figure (a late paint we
            # could not pin down): a dark corner is looked at again, up to three times, before it counts.
            figure = Figure(style["src"], style["background"], style["filter"], corner=(0, 0, 0))
            for _ in range(3):
                corner = img.evaluate(CORNER_ON_SCREEN)
                png = page.screenshot(clip={**corner, "width": 12, "height": 12})
                figure.corner = Image.open(io.BytesIO(png)).convert("RGB").getpixel((6, 6))
                if figure.white:
                    break
                page.wait_for_timeout(300)
            report.figures_dark.append(figure)
        if chapter and figures:
            shot = SCREENSHOTS / screenshot_name(path, "desktop-dark")
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(shot))
            report.screenshots.append(shot)
        report.visit = _frozen(visit)
        report.axe["dark"] = axe_violations(page)
        page.evaluate(DARK.replace("dark", "light"))
        report.axe["light"] = axe_violations(page)
        report.menu["collapses"] = toggle_sidebar(page)
    return report


def narrow_report(browser, base_url: str, path: str, width: int, chapter: bool,
                  screenshot: bool = True) -> PageReport:
    """Load ``path`` on a tablet (800 px) or phone (390 px): overflow, maths and axe-core in the
    light and the dark theme, a full-page screenshot of chapters (phone, if ``screenshot``), then the menu."""
    with open_page(browser, base_url, path, VIEWPORTS[width], theme="light") as (page, visit):
        report = PageReport(path, visit, {}, requested=list(visit.requested))
        report.overflow = page.evaluate(OVERFLOW)
        report.math = page.evaluate(MATH)
        if chapter and screenshot and width == 390:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shot = SCREENSHOTS / screenshot_name(path, "phone")
            page.screenshot(path=str(shot), full_page=True)
            report.screenshots.append(shot)
        report.visit = _frozen(visit)
        report.axe["light"] = axe_violations(page)
        report.dark_theme = page.evaluate(DARK)
        report.axe["dark"] = axe_violations(page)
        page.evaluate(DARK.replace("dark", "light"))
        report.menu = follow_menu(page)
    return report
