"""The book builds with warnings as errors, and nothing secret reaches students."""
from pathlib import Path

import nbformat
import pytest

from autograder.build.leakscan import fingerprints, scan
from autograder.course import chapters

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def test_every_chapter_is_built(built_site):
    toc = (REPO / "_toc.yml").read_text()
    pages = [line.split("file:")[1].strip() for line in toc.splitlines() if "file:" in line]
    for page in pages:
        assert (built_site / f"{page}.html").exists(), page


def test_every_chapter_offers_its_exercise(built_site):
    for slug in chapters():
        page = built_site / "book" / f"{slug}.html"
        if not page.exists():
            continue
        html = page.read_text()
        assert f"{slug}.ipynb" in html, f"{slug}: no exercise download link"
        downloads = list((built_site / "_downloads").rglob(f"{slug}.ipynb"))
        assert downloads, f"{slug}: exercise notebook not shipped with the site"
        nbformat.validate(nbformat.read(downloads[0], as_version=4))


def test_every_link_of_the_feedback_lands_on_an_anchor_of_the_built_book(built_site):
    """The grader's advice links to the published book (``html.baseurl``); the same pages are built here."""
    from grading.test_catalogue import all_targets

    missing = []
    for target, who in all_targets().items():
        page, _, anchor = target.partition("#")
        built = built_site / "book" / f"{page}.html"
        if not built.is_file() or f'id="{anchor}"' not in built.read_text():
            missing.append(f"{who}: book/{page}.html#{anchor}")
    assert not missing, "\n".join(missing)


def test_site_and_release_notebooks_contain_no_secret(built_site):
    found = scan([built_site, REPO / "exercises"])
    assert not found, "\n".join(f"{f}: {code[:80]} (from {origin})" for f, code, origin in found[:20])


def test_scanner_catches_a_planted_leak(built_site, tmp_path):
    """Self-test: copy one built page, plant a reference body in it, and in a notebook's outputs."""
    prints = fingerprints()
    secret = next(code for code, origin in prints.items() if origin.startswith("solutions/activations.py"))
    page = tmp_path / "page.html"
    page.write_text((built_site / "book" / "intro.html").read_text() + f"<pre><span>{secret}</span></pre>")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print('hi')", outputs=[
        nbformat.v4.new_output("stream", name="stdout", text=secret)])])
    nbformat.write(nb, tmp_path / "planted.ipynb")
    clean = tmp_path / "clean.html"
    clean.write_text((built_site / "book" / "intro.html").read_text())
    leaked = {f.name for f, _, _ in scan([tmp_path], prints)}
    assert leaked == {"page.html", "planted.ipynb"}
