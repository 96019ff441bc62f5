"""Practice self-checks (coursekit.practice): they flag the catalogued mistakes and never a right answer.

Each graded function has a practice check in ``coursekit.practice.<slug>``
that a learner runs before submitting. It sees only public inputs and judges
by properties, so it cannot promise what the hidden tests decide; what it
must do:

* pass the answer module and every correct alternative
  (``tests/grading/alternatives``): a learner with right code never sees ✗;
* flag most of the known mistakes the hidden tests catch (the grader's
  catalogue, :mod:`autograder.judge.catalogue`): the share per chapter is
  printed, and the whole course must reach 80 %.

Everything runs in-process: the practice function gets the candidate for the
graded function and the answer module's versions of the other functions and
classes it needs, as a learner whose other cells are right.
"""
import contextlib
import importlib
import inspect
import io
import re

import pytest

from autograder.course import REPO as ROOT
from autograder.course import chapters
from autograder.judge import catalogue
from grading import alternatives
from grading.graded import graded_functions

CHAPTERS = chapters()

TARGET_SHARE = 0.8


def _practice_module(slug):
    return importlib.import_module(f"coursekit.practice.{slug}")


def run_practice(qualname, candidate):
    """Run the practice check of ``qualname`` on ``candidate``; ``(passed, printed text)``."""
    slug, _, name = qualname.partition(".")
    check = _practice_module(slug).SELF_CHECKS[name]
    namespace = dict(vars(importlib.import_module(f"solutions.{slug}")))
    namespace[name] = candidate
    kwargs = {param: namespace[param] for param in inspect.signature(check).parameters}
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):  # ✗ lines go to stderr
        passed = check(**kwargs)
    return passed, out.getvalue()


def _reference(qualname):
    slug, _, name = qualname.partition(".")
    return getattr(importlib.import_module(f"solutions.{slug}"), name)


ALL_GRADED = [q for slug in CHAPTERS for q in graded_functions(slug)]


@pytest.mark.parametrize("slug", CHAPTERS)
def test_every_graded_function_has_a_practice_check_called_by_its_notebook(slug):
    checks = _practice_module(slug).SELF_CHECKS
    names = [q.partition(".")[2] for q in graded_functions(slug)]
    assert sorted(checks) == sorted(names)
    template = (ROOT / "exercises" / "src" / f"{slug}.md").read_text()
    assert f"# include: coursekit.practice.{slug}" in template
    for check in checks.values():
        assert re.search(rf"^\s*{check.__name__}\(", template, re.M), f"{slug}.md never calls {check.__name__}"


@pytest.mark.parametrize("qualname", ALL_GRADED)
def test_the_answer_module_passes_its_practice_check(qualname):
    passed, text = run_practice(qualname, _reference(qualname))
    assert passed and "✗" not in text, text


def _alternative_params():
    for slug in CHAPTERS:
        for qualname, fns in alternatives.registry(slug).items():
            for fn in fns:
                yield pytest.param(qualname, fn, id=f"{qualname}-{fn.__name__}")


@pytest.mark.parametrize("qualname, alternative", list(_alternative_params()))
def test_a_correct_alternative_passes_its_practice_check(qualname, alternative):
    passed, text = run_practice(qualname, alternative)
    assert passed and "✗" not in text, f"{alternative.__name__} is right but its practice check says:\n{text}"


def _caught_by_hidden_tests(slug):
    """``{qualname: [mistake, ...]}`` of the known mistakes the hidden tests catch (``not_caught`` left out)."""
    return {q: [e.function for e in entries if not e.not_caught] for q, entries in catalogue.chapter(slug).items()}


def test_practice_checks_flag_most_mistakes_the_hidden_tests_catch():
    caught_total = mutant_total = 0
    report, escaped = [], []
    for slug in CHAPTERS:
        caught = total = 0
        for qualname, fns in _caught_by_hidden_tests(slug).items():
            for mutant in fns:
                passed, _ = run_practice(qualname, mutant)
                total += 1
                if passed:
                    escaped.append(f"{qualname}: {mutant.__name__}")
                else:
                    caught += 1
        report.append(f"{slug:15} {caught:3d} of {total:3d} ({caught / max(total, 1):.0%})")
        caught_total += caught
        mutant_total += total
    share = caught_total / mutant_total
    print("\nShare of the catalogued mistakes flagged by the practice checks:")
    print("\n".join(report))
    print(f"{'all chapters':15} {caught_total:3d} of {mutant_total:3d} ({share:.0%})")
    if escaped:
        print("Not flagged:\n  " + "\n  ".join(escaped))
    assert share >= TARGET_SHARE, f"practice checks flag only {share:.0%} of the known mistakes; missed: {escaped}"


def test_practice_checks_hold_no_answer_and_no_hidden_test_code():
    """The practice checks are pasted into the release notebooks: no fragment of solutions/ or the specs."""
    from autograder.build import leakscan

    found = leakscan.scan([ROOT / "coursekit" / "practice"])
    assert not found, [(f.name, code, origin) for f, code, origin in found]


def test_a_chinese_notebook_joins_a_check_and_its_problem_with_a_chinese_colon():
    """In Chinese the ✗ line is "<check>：<problem>", as in English "<check>: <problem>" (no ASCII mark between)."""
    from autograder.i18n import Catalogue
    from coursekit import i18n

    qualname = "activations.sigmoid_forward"
    [mistake] = [e for e in catalogue.entries(qualname) if e.key == "minus-x"]
    _, english = run_practice(qualname, mistake.function)
    try:
        i18n.use("zh_CN", Catalogue("coursekit", "zh_CN").table)
        _, chinese = run_practice(qualname, mistake.function)
    finally:
        i18n.use("en", {})
    crosses = [line for line in chinese.splitlines() if line.lstrip().startswith("✗")]
    assert crosses and len(crosses) == english.count("✗"), chinese
    assert all("：" in line and ": " not in line for line in crosses), "\n".join(crosses)
