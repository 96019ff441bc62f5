"""Fixtures of the browser tests: the built site served on 127.0.0.1, each page probed once.

The session's one Chromium (``chromium``, ``browser``) lives in ``tests/conftest.py``: Playwright's
sync API runs an event loop while it is open, so every test that needs a browser shares that one.
"""
import pytest
from browser.harness import chapter_pages, serve, translated
from browser.probes import desktop_report, narrow_report

from autograder.i18n import LANGUAGES, folder


def _chapters() -> set[str]:
    """The chapters' pages in every language (``book/perceptron.html``, ``zh/book/perceptron.html``, ...)."""
    return {f"{folder(language)}/{c}.html".lstrip("/") for language in LANGUAGES for c in chapter_pages()}


@pytest.fixture(scope="session")
def site_url(built_site):
    """Base URL (trailing slash) of the session's built site, served over http from a thread."""
    with serve(built_site) as url:
        yield url


@pytest.fixture(scope="session")
def desktop(browser, site_url, tmp_path_factory):
    """``desktop(path)``: the :class:`~browser.probes.PageReport` of a page at 1280 px, each page loaded once.

    A translated page shows the same figure files with the same style sheets as its English
    counterpart: its figures are probed (dark mode, text size) and its screenshots taken in English only.
    """
    downloads = tmp_path_factory.mktemp("downloads")
    chapters = _chapters()
    reports = {}

    def report(path):
        if path not in reports:
            reports[path] = desktop_report(browser, site_url, path, path in chapters, downloads,
                                           figures=not translated(path))
        return reports[path]
    return report


@pytest.fixture(scope="session")
def screen(browser, site_url, desktop):
    """``screen(path, width)``: the report of a page at 1280 (``desktop``), 800 (tablet) or 390 px (phone).

    A tablet or phone visit measures overflow and maths, runs axe-core in the light and the
    dark theme, screenshots chapters (phone) and finally taps the menu and follows a link.
    """
    chapters = _chapters()
    reports = {}

    def report(path, width):
        if width == 1280:
            return desktop(path)
        if (path, width) not in reports:
            reports[path, width] = narrow_report(browser, site_url, path, width, path in chapters,
                                                  screenshot=not translated(path))
        return reports[path, width]
    return report
