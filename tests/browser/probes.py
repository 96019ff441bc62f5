"""What the browser tests look at on a page, gathered in one visit per page and viewport.

Each page is loaded once at desktop width (light theme, then switched to dark
the way the theme's switcher does it) and once at phone width; the tests
then only read the :class:`PageReport`. Screenshots of the chapters are taken
during the same visits.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from browser.harness import DESKTOP, PHONE, SCREENSHOTS, Visit, open_page, screenshot_name

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
  return {
    title: document.title,
    anchors: [...document.querySelectorAll('a[href]')].map(a => a.href),
    images: [...document.images].map(i => ({
      src: i.currentSrc || i.src, alt: i.getAttribute('alt'), complete: i.complete,
      naturalWidth: i.naturalWidth, hidden: !i.offsetParent})),
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
      culprits.push({el, text: `<${el.tagName.toLowerCase()} class="${el.className}"> right edge ${Math.round(r.right)} px: `
                     + el.textContent.trim().replace(/\s+/g, ' ').slice(0, 80)});
    }
  }
  return {scrollWidth: sw, innerWidth: vw, culprits: culprits.slice(0, 8).map(c => c.text)};
}"""

DARK = """() => {
  localStorage.setItem('mode', 'dark'); localStorage.setItem('theme', 'dark');
  document.documentElement.dataset.mode = 'dark'; document.documentElement.dataset.theme = 'dark';
  return document.documentElement.dataset.theme;
}"""

FIGURE_STYLE = """i => {
  const s = getComputedStyle(i);
  return {src: i.currentSrc || i.src, background: s.backgroundColor, filter: s.filter};
}"""


@dataclass
class Figure:
    src: str
    background: str
    filter: str
    corner: tuple  # RGB of the rendered pixel (6, 6) from the image's top-left corner (inside rounded corners)


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
    launch: Object.fromEntries([...box.querySelectorAll('a.exercise-launch-link')].map(a => [a.textContent.trim(), a.href])),
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


def desktop_report(browser, base_url: str, path: str, chapter: bool, download_dir: Path) -> PageReport:
    """Load ``path`` at 1280 px in the light theme, inspect it, switch to dark and inspect again."""
    stem = Path(path).stem
    with open_page(browser, base_url, path, DESKTOP) as (page, visit):  # a first visit: nothing stored
        report = PageReport(path, visit, page.evaluate(PAGE_DATA), requested=list(visit.requested))
        report.colours["light"] = page.evaluate(TEXT_COLOURS)
        if chapter:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shot = SCREENSHOTS / screenshot_name(path, "desktop")
            page.screenshot(path=str(shot), full_page=True)
            report.screenshots.append(shot)
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
        for img in page.locator(".bd-content img").all():
            if not img.is_visible():
                continue  # inside a closed dropdown
            style = img.evaluate(FIGURE_STYLE)
            png = Image.open(io.BytesIO(img.screenshot())).convert("RGB")
            report.figures_dark.append(Figure(style["src"], style["background"], style["filter"], png.getpixel((6, 6))))
        if chapter:
            shot = SCREENSHOTS / screenshot_name(path, "desktop-dark")
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(shot))
            report.screenshots.append(shot)
    return report


def phone_report(browser, base_url: str, path: str, chapter: bool) -> dict:
    """Load ``path`` on a 390 px wide phone: horizontal overflow, and a full-page screenshot of chapters."""
    with open_page(browser, base_url, path, PHONE, theme="light") as (page, visit):
        result = page.evaluate(OVERFLOW)
        result["visit"] = visit
        if chapter:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shot = SCREENSHOTS / screenshot_name(path, "phone")
            page.screenshot(path=str(shot), full_page=True)
            result["screenshot"] = shot
    return result
