"""Fixtures of the browser tests: Debian's Chromium, the built site served on 127.0.0.1, one browser per session."""
import pytest
from browser.harness import chapter_pages, ensure_chromium, launch, serve
from browser.probes import desktop_report, narrow_report
from playwright.sync_api import sync_playwright


@pytest.fixture(scope="session")
def chromium():
    """``/usr/bin/chromium``, installed from Debian's packages when missing (needs root)."""
    try:
        return ensure_chromium()
    except RuntimeError as err:
        pytest.fail(f"Debian's Chromium is needed for the browser tests: {err}", pytrace=False)


@pytest.fixture(scope="session")
def site_url(built_site):
    """Base URL (trailing slash) of the session's built site, served over http from a thread."""
    with serve(built_site) as url:
        yield url


@pytest.fixture(scope="session")
def browser(chromium):
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def desktop(browser, site_url, tmp_path_factory):
    """``desktop(path)``: the :class:`~browser.probes.PageReport` of a page at 1280 px, each page loaded once."""
    downloads = tmp_path_factory.mktemp("downloads")
    chapters = {f"{c}.html" for c in chapter_pages()}
    reports = {}

    def report(path):
        if path not in reports:
            reports[path] = desktop_report(browser, site_url, path, path in chapters, downloads)
        return reports[path]
    return report


@pytest.fixture(scope="session")
def screen(browser, site_url, desktop):
    """``screen(path, width)``: the report of a page at 1280 (``desktop``), 800 (tablet) or 390 px (phone).

    A tablet or phone visit measures overflow and maths, runs axe-core in the light and the
    dark theme, screenshots chapters (phone) and finally taps the menu and follows a link.
    """
    chapters = {f"{c}.html" for c in chapter_pages()}
    reports = {}

    def report(path, width):
        if width == 1280:
            return desktop(path)
        if (path, width) not in reports:
            reports[path, width] = narrow_report(browser, site_url, path, width, path in chapters)
        return reports[path, width]
    return report
