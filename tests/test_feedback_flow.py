"""Feedback that teaches, through the documented commands: known mistakes named, right answers left alone.

A handful of learners submit the activations exercise (course, fixtures and
commands as in ``test_grading_flow.py``): one with the reference answers, one
with correct alternatives, three with known mistakes of the grader's
catalogue pasted into their notebooks, one with a mistake the catalogue does
not hold. After ``collect``, ``grade``, ``feedback`` and ``export``:

* the per-function CSV's ``diagnosis`` column holds the catalogue id of each
  pasted mistake, and is empty everywhere else;
* each learner's feedback page shows, under the function's score, the
  mistake's name, its explanation and a working link to the book section,
  or, for the unknown mistake, the kinds of case that failed and the
  function's section; the right answers get full marks and no advice;
* neither the feedback pages nor the graded notebooks contain any secret
  code (the leak scanner, over the new outputs too).
"""
import csv
import html

import nbformat
import pytest

from autograder.build.leakscan import fingerprints, scan
from autograder.course import REPO
from autograder.judge import catalogue
from grading.alternatives import activations as alternatives
from support.fakeclass import make_submission, run_cli, write_submission
from support.pasted import free_names, learner_source, top_level_names

SLUG = "activations"


def relu_forward_wrong_for_large_values(x):
    """A mistake no catalogue entry makes: inputs above 100 are cut to 0."""
    x = np.asarray(x)  # noqa: F821 (runs in the learner's notebook, where np is imported)
    return np.where(np.abs(x) > 100, 0, np.maximum(x, 0)).astype(x.dtype), ReluCache(x)  # noqa: F821


#: student -> {graded function: its implementation}; the other functions get the reference answer.
MISTAKES = {
    "mia": {"sigmoid_forward": catalogue.by_id("activations.sigmoid_forward/minus-x")},
    "max": {"relu_backward": catalogue.by_id("activations.relu_backward/gradient-at-zero"),
            "softmax_forward": catalogue.by_id("activations.softmax_forward/no-max-shift")},
}
RIGHT = {"ali": {"sigmoid_forward": alternatives.sigmoid_via_tanh, "relu_forward": alternatives.relu_times_mask,
                 "softmax_forward": alternatives.softmax_via_logsumexp}}
UNKNOWN = {"una": {"relu_forward": relu_forward_wrong_for_large_values}}


def _submission(course, replaced: dict):
    sources = {f"{name}_solution": learner_source(getattr(impl, "function", impl), name)
               for name, impl in replaced.items()}
    return make_submission(course, SLUG, edit=lambda grade_id, src: sources.get(grade_id, src))


def test_the_pasted_implementations_run_in_the_learners_notebook():
    """Fast guard for the slow tests below: every name a pasted implementation reads is one the release
    notebook defines (a catalogue helper moved out of reach would grade as a crash, not as the mistake)."""
    given = top_level_names(REPO / "exercises" / f"{SLUG}.ipynb")
    for replaced in [*MISTAKES.values(), *RIGHT.values(), *UNKNOWN.values()]:
        for name, impl in replaced.items():
            source = learner_source(getattr(impl, "function", impl), name)
            assert not free_names(source) - given, (name, free_names(source) - given)


@pytest.fixture(scope="module")
def graded(course, tmp_path_factory):
    inbox = tmp_path_factory.mktemp("feedback-inbox")
    write_submission(inbox, "ref", SLUG, make_submission(course, SLUG))
    for student, replaced in {**MISTAKES, **RIGHT, **UNKNOWN}.items():
        write_submission(inbox, student, SLUG, _submission(course, replaced))
    run_cli("collect", str(course), str(inbox))
    run_cli("grade", str(course), "--assignment", SLUG)
    run_cli("feedback", str(course))
    out = tmp_path_factory.mktemp("feedback-export") / "grades.csv"
    run_cli("export", str(course), "--to", str(out))
    with out.with_name("grades-by-function.csv").open() as fh:
        rows = {(r["student_id"], r["function"]): r for r in csv.DictReader(fh) if r["assignment"] == SLUG}
    return course, rows


def feedback_page(course, student) -> str:
    return (course / "feedback" / student / SLUG / f"{SLUG}.html").read_text()


@pytest.mark.slow
def test_known_mistakes_are_in_the_csv_and_nothing_else_is(graded):
    _, rows = graded
    ours = {"ref", *MISTAKES, *RIGHT, *UNKNOWN}
    diagnosed = {(s, f): r["diagnosis"] for (s, f), r in rows.items() if r["diagnosis"] and s in ours}
    assert diagnosed == {(student, name): entry.id for student, replaced in MISTAKES.items()
                         for name, entry in replaced.items()}
    for (student, name), row in rows.items():
        if student in MISTAKES and name in MISTAKES[student]:
            assert float(row["score"]) == 0
        elif student in UNKNOWN and name in UNKNOWN[student]:
            assert float(row["score"]) == 0 and row["diagnosis"] == ""
        elif student in ours:
            assert float(row["score"]) == float(row["max_score"]), (student, name)


@pytest.mark.slow
@pytest.mark.parametrize("student", sorted(MISTAKES))
def test_feedback_names_the_mistake_next_to_the_score_with_a_link(graded, student):
    course, _ = graded
    page = feedback_page(course, student)
    text = html.unescape(page)
    for name, entry in MISTAKES[student].items():
        assert "This looks like a known mistake:" in text
        assert f"{entry.name}." in text and entry.explanation in text
        assert f'<a href="{entry.url}"' in page
        # Under the function's hidden-tests cell, whose heading shows its score 0.
        cell = text[text.index(f"Hidden tests for {name} "):]
        assert cell.index(entry.name) < cell.index("HiddenTestFailure")


@pytest.mark.slow
def test_an_unknown_mistake_gets_the_failing_kinds_and_the_section(graded):
    course, _ = graded
    text = html.unescape(feedback_page(course, "una"))
    assert "No known mistake matches all of your results" in text and "very large values" in text
    assert f'<a href="{catalogue.url(catalogue.section("activations.relu_forward"))}"' in feedback_page(course, "una")


@pytest.mark.slow
@pytest.mark.parametrize("student", ["ref", *sorted(RIGHT)])
def test_right_answers_get_full_marks_and_no_advice(graded, student):
    course, rows = graded
    assert all(float(r["score"]) == float(r["max_score"]) and not r["diagnosis"]
               for (s, _), r in rows.items() if s == student)
    text = html.unescape(feedback_page(course, student))
    assert "known mistake" not in text and "HiddenTestFailure" not in text
    assert "all " in text and "hidden cases passed" in text


@pytest.mark.slow
def test_feedback_and_graded_notebooks_hold_no_secret_but_the_learners_own_code(graded):
    """The grader adds nothing secret: every secret fragment found is one the learner submitted.

    (The learners here paste the reference answers, and known mistakes: their own code shows in their
    feedback, as it should; nothing else may.)
    """
    course, _ = graded
    prints = fingerprints()
    for student in ["ref", *MISTAKES, *RIGHT, *UNKNOWN]:
        nb = nbformat.read(course / "submitted" / student / SLUG / f"{SLUG}.ipynb", as_version=4)
        submitted = "".join("\n".join(cell.source for cell in nb.cells).split())
        theirs = {code: origin for code, origin in prints.items() if code not in submitted}
        found = scan([course / "feedback" / student / SLUG, course / "autograded" / student / SLUG], theirs)
        assert not found, "\n".join(f"{f}: {code[:80]} ({origin})" for f, code, origin in found[:10])
    assert scan([course / "feedback" / "ref" / SLUG], prints), "the scanner sees the reference answers ref pasted"
