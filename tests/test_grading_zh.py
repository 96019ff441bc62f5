"""The Chinese notebooks through the instructor's documented commands: released, graded, fed back in Chinese.

A course set up with ``setup --language zh_CN`` releases the Chinese
notebooks (the committed ``exercises/zh/<slug>.ipynb`` are exactly those
releases). Three learners submit them: one with the reference answers, one
blank, one with a known mistake of the grader's catalogue. After
``collect``, ``grade``, ``feedback`` and ``export``: full marks, zero, and a
zero whose feedback names the mistake in the notebook's language.
"""
import csv
import html

import nbformat
import pytest

from autograder import exercise
from autograder.course import REPO, chapters
from autograder.i18n import Catalogue, folder
from autograder.judge import catalogue
from support.fakeclass import make_submission, run_cli, write_submission
from support.pasted import learner_source

pytestmark = pytest.mark.slow

LANGUAGE = "zh_CN"
SLUGS = chapters()
MISTAKE = catalogue.by_id("activations.sigmoid_forward/minus-x")


def points(slug):
    return sum(exercise.load(slug).points_by_function().values())


@pytest.fixture(scope="module")
def course_zh(tmp_path_factory, postgres):
    """A course directory in Chinese, every exercise released; PostgreSQL, so that it grades on every core."""
    root = tmp_path_factory.mktemp("course-zh") / "nn-course"
    run_cli("setup", str(root), "--language", LANGUAGE, "--db-url", postgres("course_zh"))
    return root


@pytest.fixture(scope="module")
def graded(course_zh, tmp_path_factory):
    inbox = tmp_path_factory.mktemp("inbox-zh")
    for slug in SLUGS:
        write_submission(inbox, "ada", slug, make_submission(course_zh, slug))
        write_submission(inbox, "ben", slug, make_submission(course_zh, slug, solved=lambda g: False))
    wrong = learner_source(MISTAKE.function, "sigmoid_forward")
    write_submission(inbox, "mia", "activations", make_submission(
        course_zh, "activations", edit=lambda g, src: wrong if g == "sigmoid_forward_solution" else src))
    run_cli("collect", str(course_zh), str(inbox))
    run_cli("grade", str(course_zh))
    run_cli("feedback", str(course_zh))
    out = tmp_path_factory.mktemp("export-zh") / "grades.csv"
    run_cli("export", str(course_zh), "--to", str(out))
    with out.open() as fh:
        grades = {(r["student_id"], r["assignment"]): float(r["score"]) for r in csv.DictReader(fh)}
    return course_zh, grades


@pytest.mark.parametrize("slug", SLUGS)
def test_the_committed_chinese_notebooks_are_the_release(course_zh, slug):
    committed = REPO / "exercises" / folder(LANGUAGE) / f"{slug}.ipynb"
    fresh = nbformat.read(course_zh / "release" / slug / f"{slug}.ipynb", as_version=4)
    assert nbformat.read(committed, as_version=4) == fresh, (
        f"{committed.relative_to(REPO)} is stale: run `.venv/bin/python -m autograder build-exercises` and commit it")


@pytest.mark.parametrize("slug", SLUGS)
def test_a_completed_chinese_notebook_scores_full_marks_and_a_blank_one_zero(graded, slug):
    _, grades = graded
    assert grades[("ada", slug)] == points(slug)
    assert grades[("ben", slug)] == 0


def test_the_feedback_is_in_the_notebooks_language(graded):
    course, grades = graded
    translate = Catalogue("autograder", LANGUAGE)
    assert grades[("mia", "activations")] == points("activations") - exercise.load("activations").points_by_function()[
        "activations.sigmoid_forward"]
    text = html.unescape((course / "feedback" / "mia" / "activations" / "activations.html").read_text())
    lead = translate("This looks like a known mistake:")
    assert lead != "This looks like a known mistake:" and lead in text
    assert translate(MISTAKE.name) in text
    assert "/zh/book/activations.html#" in text
    passed = html.unescape((course / "feedback" / "ada" / "activations" / "activations.html").read_text())
    assert "hidden cases passed" not in passed and translate("{0}: all {1} hidden cases passed.") != \
        "{0}: all {1} hidden cases passed."


@pytest.mark.parametrize("slug", SLUGS)
def test_a_solved_chinese_notebook_runs_to_the_end_in_chinese(plain_kernel, slug, tmp_path):
    """Solved and run, Lab included, in a kernel with NumPy and Matplotlib only: every check passes and
    the checks and the summary speak Chinese (the helpers cell carries the catalogue)."""
    from nbclient import NotebookClient
    from test_publish import _solved

    notebook = tmp_path / f"{slug}.ipynb"
    notebook.write_bytes((REPO / "exercises" / folder(LANGUAGE) / f"{slug}.ipynb").read_bytes())
    _solved(notebook, slug)
    nb = nbformat.read(notebook, as_version=4)
    NotebookClient(nb, kernel_name=plain_kernel, timeout=600, allow_errors=False,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    text = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    assert "✗" not in text, text[-2000:]
    words = Catalogue("coursekit", LANGUAGE)
    assert words("Your visible and practice checks, per graded function:") in text
    assert "Your visible and practice checks" not in text
