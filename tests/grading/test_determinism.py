"""One implementation, one verdict: grading does not depend on which student's random inputs it meets.

Every student gets other hidden inputs (the seed comes from the secret, the
student and the function), so a tolerance that sits inside the spread of an
implementation's errors would pass it for some students and fail it for
others. Two kinds of implementations are graded here with the inputs of
``STUDENTS`` students each:

* the **float32 shortcut** of every graded function: a float64 result
  computed in float32. Where it is a mistake, it is the catalogue's entry
  marked ``float32_shortcut`` (:func:`autograder.judge.catalogue.float32_shortcut`,
  the same entry the mutant suite grades); where it is accepted, a correct
  alternative (``FLOAT32_SHORTCUTS`` of ``grading.alternatives.<slug>``)
  or :func:`autograder.judge.catalogue.float32_computation`. Its verdict
  must be the same for every student and must be the one the spec documents
  in ``float32_shortcut`` ("caught" or "accepted"), which the instructor
  guide's table prints;
* every **correct alternative**: full marks for every student.

The default suites (``test_mutants.py``, ``test_alternatives.py``) use a few
seeds to stay fast; this one is the many-students check.
"""
import pytest

from autograder.course import chapters
from autograder.judge import catalogue
from autograder.judge.specs import get_spec
from autograder.judge.verdict import case_seed, run_in_process
from grading import alternatives
from grading.graded import all_graded_functions

pytestmark = pytest.mark.slow  # 40 students per function: the quick suites grade 3

STUDENTS = 40


def _seeds(qualname):
    return [case_seed(qualname, student=f"student-{i:02d}", secret="determinism-check") for i in range(STUDENTS)]


def _float32_shortcut(qualname):
    entry = catalogue.float32_shortcut(qualname)
    if entry is not None:
        return entry.function
    specific = getattr(alternatives.load(qualname.partition(".")[0]), "FLOAT32_SHORTCUTS", {}).get(qualname)
    return specific if specific is not None else catalogue.float32_computation(qualname, __name__)


@pytest.mark.parametrize("qualname", all_graded_functions())
def test_a_caught_float32_shortcut_is_a_known_mistake(qualname):
    """The shortcut graded for 40 students is the catalogue's entry, so the feedback can name it."""
    caught = get_spec(qualname).float32_shortcut == "caught"
    assert caught == (catalogue.float32_shortcut(qualname) is not None), (
        f"{qualname}: float32_shortcut={get_spec(qualname).float32_shortcut!r}, but the catalogue "
        f"{'has no' if caught else 'has an'} entry marked float32_shortcut")


@pytest.mark.parametrize("qualname", all_graded_functions())
def test_float32_shortcut_gets_the_documented_verdict_for_every_student(qualname):
    spec = get_spec(qualname)
    assert spec.float32_shortcut in ("caught", "accepted"), f"{qualname}: float32_shortcut={spec.float32_shortcut!r}"
    shortcut = _float32_shortcut(qualname)
    if shortcut in alternatives.registry(qualname.partition(".")[0]).get(qualname, []):
        assert spec.float32_shortcut == "accepted", f"{qualname}: a correct alternative is the float32 shortcut"
        return  # graded with every student's inputs by test_alternative_gets_full_marks_for_every_student
    caught = {seed: not run_in_process(qualname, shortcut, seed, diagnose=False).passed
              for seed in _seeds(qualname)}
    wrong = [seed for seed, was in caught.items() if was != (spec.float32_shortcut == "caught")]
    assert not wrong, (f"{qualname}: the spec says the float32 shortcut is {spec.float32_shortcut}, but it is "
                       f"{'accepted' if spec.float32_shortcut == 'caught' else 'caught'} for "
                       f"{len(wrong)} of {STUDENTS} students")


def _alternatives():
    for slug in chapters():
        bugs = getattr(alternatives.load(slug), "SPEC_BUGS", {})
        for qualname, fns in alternatives.registry(slug).items():
            for fn in fns:
                if fn not in bugs:
                    yield pytest.param(qualname, fn, id=f"{qualname}-{fn.__name__}")


@pytest.mark.parametrize("qualname, alternative", list(_alternatives()))
def test_alternative_gets_full_marks_for_every_student(qualname, alternative):
    failed = {}
    for seed in _seeds(qualname):
        failures = run_in_process(qualname, alternative, seed, diagnose=False).failures
        if failures:
            failed[seed] = failures[:2]
    assert not failed, f"{alternative.__name__} fails for {len(failed)} of {STUDENTS} students: {failed}"
