"""The learner's edition: everything a learner needs, nothing of the answers.

``python -m autograder publish DEST`` writes the class edition (the built site,
the release notebooks, the public helpers, a Binder environment, a README and
the licence) into a new git repository. These tests publish it from the
session's built site, look through every file, then play the learner who has
only that repository: fill the notebooks with correct code and run each one,
its Lab included, in a kernel that can import NumPy and Matplotlib and nothing
of the course.
"""
import json
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
import yaml
from nbclient import NotebookClient

from autograder.build import leakscan, publish
from autograder.build.assemble import assemble
from autograder.course import REPO, TEMPLATES, chapters
from support.fakeclass import run_cli

CONFIG = yaml.safe_load((REPO / "_config.yml").read_text())
LEARNERS = CONFIG["sphinx"]["config"]["learner_repository"]


# -- settings and gates, without building anything --------------------------------------

def test_the_learner_repository_must_be_set_and_not_the_course_repository():
    assert publish.learner_repository(CONFIG)[0] == LEARNERS["url"]
    missing = {**CONFIG, "sphinx": {"config": {}}}
    with pytest.raises(publish.PublishError, match="learner_repository"):
        publish.learner_repository(missing)
    same = yaml.safe_load((REPO / "_config.yml").read_text())
    same["sphinx"]["config"]["learner_repository"]["url"] = CONFIG["repository"]["url"] + ".git"
    with pytest.raises(publish.PublishError, match="holds the answers"):
        publish.learner_repository(same)


def test_launch_links_to_any_other_repository_are_refused(tmp_path):
    (tmp_path / "page.html").write_text(
        '<a href="https://colab.research.google.com/github/nn-course/training-part1/blob/main/x.ipynb">')
    with pytest.raises(publish.PublishError, match=r"opens nn-course/training-part1$"):
        publish.check_launch_links(tmp_path, LEARNERS["url"])
    (tmp_path / "page.html").write_text(
        f'<a href="https://mybinder.org/v2/gh/{LEARNERS["url"].split("github.com/")[1]}/main?labpath=x">')
    publish.check_launch_links(tmp_path, LEARNERS["url"])


def _fingerprint(origin: str) -> str:
    """A fragment of secret code from ``origin`` (a file), and from no other kind of source."""
    prints = leakscan.fingerprints(leakscan.secret_sources(answers=True))
    judge = leakscan.fingerprints(leakscan.secret_sources(answers=False))
    others = set(judge) if origin.startswith("solutions/") else set(prints) - set(judge)
    return next(code for code, where in prints.items() if origin in where and code not in others)


@pytest.mark.parametrize("where", ["docs/book/page.html", "exercises/mine.ipynb", "docs/_downloads/x.zip"])
def test_a_planted_answer_body_stops_publishing_and_is_named(tmp_path, where):
    """A line of the answer module in a page, a notebook or a zipped download: refused, naming both."""
    import zipfile

    code = _fingerprint("solutions/activations.py")
    target = tmp_path / where
    target.parent.mkdir(parents=True)
    if target.suffix == ".zip":
        with zipfile.ZipFile(target, "w") as archive:
            archive.writestr("notes.md", code)
    elif target.suffix == ".ipynb":
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)]), target)
    else:
        target.write_text(f"<pre>{code}</pre>")
    with pytest.raises(publish.PublishError) as caught:
        publish.check_no_leaks(tmp_path, "class")
    assert where in str(caught.value) and re.search(r"solutions/activations\.py:\d+ \(\w+\)", str(caught.value))
    # The self-study edition publishes the answer module on purpose...
    publish.check_no_leaks(tmp_path, "self-study")


def test_the_self_study_edition_still_refuses_hidden_tests(tmp_path):
    (tmp_path / "page.html").write_text(_fingerprint("autograder/judge/specs/"))
    with pytest.raises(publish.PublishError, match="judge/specs"):
        publish.check_no_leaks(tmp_path, "self-study")


# -- the class edition, published from the session's site --------------------------------

@pytest.fixture(scope="module")
def edition(built_site, tmp_path_factory):
    dest = tmp_path_factory.mktemp("learners") / "training-part1-learners"
    proc = run_cli("publish", str(dest), "--site", str(built_site), check=False)
    assert proc.returncode == 0, proc.stderr
    return dest


slow = pytest.mark.slow


@slow
def test_the_edition_is_one_commit_with_what_learners_need(edition):
    log = subprocess.run(["git", "log", "--oneline"], cwd=edition, capture_output=True, text=True, check=True)
    assert len(log.stdout.splitlines()) == 1
    for needed in ["README.md", "LICENSE", "requirements.txt", "docs/index.html", "docs/.nojekyll",
                   "coursekit/checking.py", *[f"exercises/{slug}.ipynb" for slug in chapters()],
                   "docs/zh/index.html", *[f"exercises/zh/{slug}.ipynb" for slug in chapters()]]:
        assert (edition / needed).is_file(), needed
    requirements = (edition / "requirements.txt").read_text()
    assert re.search(r"^numpy==", requirements, re.M) and re.search(r"^matplotlib==", requirements, re.M)


@slow
def test_the_edition_holds_nothing_of_the_course_repository(edition):
    tracked = subprocess.run(["git", "ls-files"], cwd=edition, capture_output=True, text=True).stdout.split()
    forbidden = [p for p in tracked if p.split("/")[0] in {"solutions", "autograder", "tests", "exercises/src"}
                 or p.startswith("exercises/src") or p in {"_config.yml", "_toc.yml", "pyproject.toml", "Makefile"}]
    assert not forbidden, forbidden
    # No file of the course's private parts, byte for byte.
    private = {p.read_bytes() for folder in ("solutions", "autograder", "tests")
               for p in (REPO / folder).rglob("*.py") if p.stat().st_size > 200}
    copies = [p for p in edition.rglob("*") if p.is_file() and ".git" not in p.parts and p.read_bytes() in private]
    assert not copies, copies
    assert leakscan.scan([edition]) == []
    assert not [p for p in edition.rglob("*.html") if "This edition contains the solutions" in p.read_text()]


@slow
def test_every_launch_link_opens_the_learner_repository(edition):
    owner_repo = LEARNERS["url"].split("github.com/")[1].rstrip("/")
    found = 0
    for path in edition.rglob("*.html"):
        for url in re.findall(r"https://(?:colab\.research\.google\.com/github|mybinder\.org/v2/gh)/[^\"'<> ]+",
                              path.read_text(errors="replace")):
            found += 1
            assert f"/{owner_repo}/" in url, f"{path}: {url}"
    assert found >= 2 * len(chapters())  # a Colab and a Binder link per chapter


def _solved(notebook: Path, slug: str) -> None:
    """Fill every solution cell of a release notebook with the reference answer, as a learner who solved it."""
    answers = {c.metadata["nbgrader"]["grade_id"]: c.source for c in assemble(TEMPLATES / f"{slug}.md").cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    nbformat.write(nb, notebook)


@slow
@pytest.mark.parametrize("slug", chapters())
def test_a_learner_with_only_the_edition_completes_each_notebook_and_its_lab(edition, plain_kernel, slug, tmp_path):
    """Copied away from the course, solved, and run to the end, Lab included, in a kernel with NumPy and
    Matplotlib only: nothing of the course is importable there (the first cell checks it)."""
    copy = tmp_path / "mine"
    shutil.copytree(edition, copy, ignore=shutil.ignore_patterns(".git", "docs"))
    notebook = copy / "exercises" / f"{slug}.ipynb"
    _solved(notebook, slug)
    nb = nbformat.read(notebook, as_version=4)
    probe = nbformat.v4.new_code_cell("import importlib.util as _u\n"
                                      "assert all(_u.find_spec(m) is None for m in ('solutions', 'autograder'))")
    nb.cells.insert(0, probe)
    NotebookClient(nb, kernel_name=plain_kernel, timeout=600, allow_errors=False,
                   resources={"metadata": {"path": str(copy / "exercises")}}).execute()
    text = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    labs = [c for c in nb.cells if "lab" in c.metadata.get("tags", [])]
    assert labs and all(c.get("execution_count") for c in labs), "the Lab did not run"
    assert "✗" not in text, text[-2000:]


# -- the self-study edition -------------------------------------------------------------------

@slow
def test_the_self_study_edition_shows_solutions_only_folded_and_says_so(tmp_path):
    dest = tmp_path / "self-study"
    proc = run_cli("publish", str(dest), "--edition", "self-study", check=False)
    assert proc.returncode == 0, proc.stderr
    assert (dest / "solutions" / "activations.py").is_file() and (dest / "book" / "activations.md").is_file()
    banner = "This edition contains the solutions"
    pages = sorted((dest / "docs").rglob("*.html"))
    # Every page of the book; docs/index.html is only Jupyter Book's redirect to the first page.
    content = [p for p in pages if p.parent.name == "book" and p.name not in {"search.html", "genindex.html"}]
    # The banner is translated on the Chinese pages; its element is the same in every language.
    silent = [p for p in content if 'class="edition-banner"' not in p.read_text()]
    assert all(banner in p.read_text() for p in content if "zh" not in p.relative_to(dest).parts)
    assert content and not silent, silent
    chapter = (dest / "docs" / "book" / "activations.html").read_text()
    dropdowns = re.findall(r'<div class="[^"]*\bsolution\b[^"]*"', chapter)
    assert len(dropdowns) == len([c for c in json.loads((REPO / "exercises" / "activations.ipynb").read_text())["cells"]
                                  if c["metadata"].get("nbgrader", {}).get("grade")])
    assert "def sigmoid_forward(x):" in chapter
