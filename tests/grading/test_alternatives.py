"""Right answers always pass: correct implementations unlike ours get full marks and no diagnosis.

The alternatives live in :mod:`grading.alternatives` (one module per chapter):
loops, other formulas, float64 computation cast back, harmless warnings and
prints, other random draws, plain tuples and lists where the spec accepts
them. Each is graded in-process with the hidden cases of several students
(seeds) and must pass every case.

A right answer that the hidden tests reject is a bug of the spec. It is
listed in its module's ``SPEC_BUGS`` with the reason and the seeds of the
students it hits, and runs as ``xfail(strict=True)``: visible in every run,
and red as soon as the spec is fixed (then drop the entry).
"""
import inspect

import pytest

from autograder.course import chapters
from autograder.judge.verdict import reference_function, run_in_process
from grading import alternatives
from grading.graded import SEEDS, graded_functions

MIN_PER_CHAPTER = 3


def _alternative_params():
    for slug in chapters():
        module = alternatives.load(slug)
        bugs = getattr(module, "SPEC_BUGS", {})
        for qualname, fns in alternatives.registry(slug).items():
            for fn in fns:
                if fn in bugs:
                    reason, bug_seeds = bugs[fn]
                    yield pytest.param(qualname, fn, SEEDS + tuple(bug_seeds), id=f"{qualname}-{fn.__name__}",
                                       marks=pytest.mark.xfail(strict=True, reason=f"spec bug: {reason}"))
                else:
                    yield pytest.param(qualname, fn, SEEDS, id=f"{qualname}-{fn.__name__}")


@pytest.mark.parametrize("qualname, alternative, seeds", list(_alternative_params()))
def test_alternative_gets_full_marks(qualname, alternative, seeds):
    failed, diagnosed = {}, {}
    for seed in seeds:
        verdict = run_in_process(qualname, alternative, seed)
        if verdict.failures:
            failed[seed] = verdict.failures[:3]
        if verdict.advice is not None and verdict.advice.ids:
            diagnosed[seed] = verdict.advice.ids
    assert not failed, f"{alternative.__name__} is right but fails the hidden tests of {qualname}: {failed}"
    assert not diagnosed, f"{alternative.__name__} is right but is diagnosed as a known mistake: {diagnosed}"


@pytest.mark.parametrize("slug", chapters())
def test_every_graded_function_has_an_alternative(slug):
    graded = graded_functions(slug)
    registered = alternatives.registry(slug)
    missing = [name for name in graded if not registered.get(name)]
    assert not missing, f"graded functions without a correct alternative in grading/alternatives/{slug}.py: {missing}"
    stale = sorted(set(registered) - set(graded))
    assert not stale, f"alternatives registered for functions that are not graded: {stale}"
    count = len({fn for fns in registered.values() for fn in fns})
    assert count >= MIN_PER_CHAPTER, f"{slug}: only {count} alternatives"


def _signature(fn):
    return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]


@pytest.mark.parametrize("slug", chapters())
def test_alternatives_are_documented_and_have_the_graded_signature(slug):
    module = alternatives.load(slug)
    if module is None:
        pytest.skip(f"no grading/alternatives/{slug}.py (test_every_graded_function_has_an_alternative fails for it)")
    for qualname, fns in module.ALTERNATIVES.items():
        reference = reference_function(qualname)
        assert len(set(fns)) == len(fns), f"{qualname}: an alternative is listed twice"
        for fn in fns:
            assert fn is not reference and fn.__module__ == module.__name__, f"{qualname}: {fn!r} is the reference"
            assert inspect.getdoc(fn), f"{fn.__name__}: say in a docstring how it differs from the reference"
            assert _signature(fn) == _signature(reference), f"{fn.__name__}: signature differs from {qualname}"
    for fn, (reason, seeds) in getattr(module, "SPEC_BUGS", {}).items():
        assert any(fn in fns for fns in module.ALTERNATIVES.values()), f"SPEC_BUGS lists an unregistered {fn.__name__}"
        assert reason and all(isinstance(seed, int) for seed in seeds)
