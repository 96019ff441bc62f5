"""Screenshots of every chapter at desktop (1280 px) and phone (390 px) width: ``make screenshots``.

Serves an already built site (default ``_build/html``, what ``make site``
builds) on 127.0.0.1 and writes ``_build/screenshots/<chapter>-desktop.png``,
``-phone.png`` (full pages, light theme) and ``-desktop-dark.png`` (first
screen, dark theme). Run from the repository root::

    .venv/bin/python -m tests.browser.screenshots [SITE_DIR] [--out DIR]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from .harness import REPO, SCREENSHOTS, chapter_pages, launch, serve, take_screenshots


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", nargs="?", type=Path, default=REPO / "_build" / "html")
    parser.add_argument("--out", type=Path, default=SCREENSHOTS)
    args = parser.parse_args(argv)
    if not (args.site / "index.html").exists():
        print(f"no built site in {args.site}: run `make site` first", file=sys.stderr)
        return 2
    start = time.monotonic()
    with serve(args.site) as base_url, sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            shots = take_screenshots(browser, base_url, chapter_pages(), args.out)
        finally:
            browser.close()
    for shot in shots:
        print(shot.relative_to(REPO) if shot.is_relative_to(REPO) else shot)
    print(f"{len(shots)} screenshots in {time.monotonic() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
