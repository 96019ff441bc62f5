"""The instructor's flow on a fake class, through the documented commands.

Five students: one correct, one blank, one partial, one whose notebook raises
in one function, one who submitted a single notebook. The grades are asserted
exactly, notebook by notebook and function by function.
"""
import csv
import subprocess
import sys
import zipfile

import nbformat
import pytest

from autograder import exercise
from autograder.course import chapters
from support.fakeclass import make_submission, run_cli, write_submission

pytestmark = pytest.mark.slow

SLUGS = chapters()


def points(slug):
    return {q.rpartition(".")[2]: p for q, p in exercise.load(slug).points_by_function().items()}


def first_half(slug):
    names = list(points(slug))
    return set(names[: max(1, len(names) // 2)])


def crash_first(slug):
    """The last graded function: no other answer calls it, so a crash there costs only its points."""
    return list(points(slug))[-1]


@pytest.fixture(scope="module")
def graded_class(course, tmp_path_factory):
    inbox = tmp_path_factory.mktemp("inbox")
    for slug in SLUGS:
        write_submission(inbox, "ada", slug, make_submission(course, slug))
        write_submission(inbox, "ben", slug, make_submission(course, slug, solved=lambda g: False))
        half = first_half(slug)
        write_submission(inbox, "cyd", slug, make_submission(
            course, slug, solved=lambda g, half=half: g.removesuffix("_solution") in half))
        victim = f"{crash_first(slug)}_solution"
        write_submission(inbox, "dee", slug, make_submission(
            course, slug, edit=lambda g, src, victim=victim: src.replace(
                "### BEGIN SOLUTION", "### BEGIN SOLUTION\n    raise RuntimeError('my bug')") if g == victim else src))
    write_submission(inbox, "eve", SLUGS[0], make_submission(course, SLUGS[0]))
    run_cli("collect", str(course), str(inbox))
    log = run_cli("grade", str(course))
    out = tmp_path_factory.mktemp("export") / "grades.csv"
    run_cli("export", str(course), "--to", str(out))
    with out.open() as fh:
        grades = {(r["student_id"], r["assignment"]): float(r["score"]) for r in csv.DictReader(fh)}
    with out.with_name("grades-by-function.csv").open() as fh:
        by_function = {(r["student_id"], r["assignment"], r["function"]): float(r["score"]) for r in csv.DictReader(fh)}
    return grades, by_function, log.stderr + log.stdout


@pytest.mark.parametrize("slug", SLUGS)
def test_reference_scores_full_marks(graded_class, slug):
    grades, _, _ = graded_class
    assert grades[("ada", slug)] == sum(points(slug).values())


@pytest.mark.parametrize("slug", SLUGS)
def test_blank_release_scores_zero(graded_class, slug):
    grades, by_function, _ = graded_class
    assert grades[("ben", slug)] == 0
    assert all(by_function[("ben", slug, f)] == 0 for f in points(slug))


@pytest.mark.parametrize("slug", SLUGS)
def test_partial_submission_scores_exactly_its_functions(graded_class, slug):
    grades, by_function, _ = graded_class
    half = first_half(slug)
    assert grades[("cyd", slug)] == sum(p for f, p in points(slug).items() if f in half)
    for f, p in points(slug).items():
        assert by_function[("cyd", slug, f)] == (p if f in half else 0), f


@pytest.mark.parametrize("slug", SLUGS)
def test_crash_in_one_function_costs_only_its_points(graded_class, slug):
    grades, by_function, _ = graded_class
    victim = crash_first(slug)
    assert by_function[("dee", slug, victim)] == 0
    assert grades[("dee", slug)] == sum(points(slug).values()) - points(slug)[victim]


def test_missing_notebooks_score_zero_with_a_log_line(graded_class):
    grades, _, log = graded_class
    assert grades[("eve", SLUGS[0])] == sum(points(SLUGS[0]).values())
    for slug in SLUGS[1:]:
        assert grades[("eve", slug)] == 0
        assert f"eve/{slug}: no submission: scored 0" in log


def test_feedback_is_written_for_every_graded_submission(graded_class, course):
    run_cli("feedback", str(course))
    for student in ("ada", "ben", "cyd", "dee"):
        html = course / "feedback" / student / SLUGS[0] / f"{SLUGS[0]}.html"
        assert html.exists()
    text = (course / "feedback" / "dee" / SLUGS[0] / f"{SLUGS[0]}.html").read_text()
    assert "hidden cases failed" in text or "my bug" in text


def test_lms_zip_is_collected_and_graded(course, tmp_path):
    """An LMS download: one zip of '<student>_<anything>_<slug>.ipynb' files, via nbgrader zip_collect."""
    slug = SLUGS[0]
    archive = tmp_path / "lms.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(f"zed_attempt_2026-11-20_{slug}.ipynb", nbformat.writes(make_submission(course, slug)))
    run_cli("collect", str(course), str(archive), "--assignment", slug)
    assert (course / "submitted" / "zed" / slug / f"{slug}.ipynb").exists()
    run_cli("grade", str(course), "--assignment", slug)
    out = tmp_path / "grades.csv"
    run_cli("export", str(course), "--to", str(out))
    with out.open() as fh:
        rows = {(r["student_id"], r["assignment"]): float(r["score"]) for r in csv.DictReader(fh)}
    assert rows[("zed", slug)] == sum(points(slug).values())


def test_nbgrader_validate_passes_solved_and_fails_blank(course, tmp_path):
    slug = SLUGS[0]
    solved = tmp_path / "solved.ipynb"
    blank = tmp_path / "blank.ipynb"
    nbformat.write(nbformat.read(course / "source" / slug / f"{slug}.ipynb", as_version=4), solved)
    nbformat.write(make_submission(course, slug, solved=lambda g: False), blank)
    ok = subprocess.run([sys.executable, "-m", "nbgrader", "validate", str(solved)], capture_output=True, text=True,
                        cwd=course)
    bad = subprocess.run([sys.executable, "-m", "nbgrader", "validate", str(blank)], capture_output=True, text=True,
                         cwd=course)
    assert "Success! Your notebook passes all the tests." in ok.stdout, ok.stdout + ok.stderr
    assert "VALIDATION FAILED" in bad.stdout, bad.stdout
