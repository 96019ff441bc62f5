"""Mistakes are caught: every plausible wrong implementation loses its function's points, and only those.

The mutants live in :mod:`grading.mutants` (one module per chapter). Each is
graded in-process with the hidden cases of several students (seeds); every
student's grading must reject it. The reference passes for the same
students. Isolation ("only that function's points") is checked on the specs:
the hidden cases of an apply or backward function get their parameters or
cache from the *reference* module, and grading a function looks at no other
function of the learner's notebook.
"""
import inspect

import numpy as np
import pytest

from autograder.judge.verdict import check, reference_function, run_in_process
from autograder.course import chapters
from autograder.judge.specs import get_spec
from grading import mutants
from grading.graded import SEEDS, all_graded_functions, given_names, graded_functions


def _first_line(fn) -> str:
    return (inspect.getdoc(fn) or "(no docstring)").splitlines()[0]


def _mutant_params():
    for slug in chapters():
        module = mutants.load(slug)
        not_caught = getattr(module, "NOT_CAUGHT", {})
        for qualname, fns in mutants.registry(slug).items():
            for fn in fns:
                marks = [pytest.mark.xfail(strict=True, reason=not_caught[fn])] if fn in not_caught else []
                yield pytest.param(qualname, fn, id=f"{qualname}-{fn.__name__}", marks=marks)


@pytest.mark.parametrize("qualname, mutant", list(_mutant_params()))
def test_mutant_loses_the_points(qualname, mutant):
    escaped = [seed for seed in SEEDS if not run_in_process(qualname, mutant, seed)[1]]
    assert not escaped, (
        f"{mutant.__name__} ({_first_line(mutant)}) passes every hidden case of {qualname} "
        f"for the students with seeds {escaped}"
    )


def test_hidden_tests_are_registered_for_exactly_the_graded_functions():
    """A spec no exercise grades is dead code nothing checks (no mutants, no alternatives)."""
    from autograder.judge.specs import all_specs

    assert sorted(all_specs()) == sorted(all_graded_functions())


@pytest.mark.parametrize("qualname", all_graded_functions())
def test_reference_gets_full_marks(qualname):
    for seed in SEEDS:
        assert run_in_process(qualname, reference_function(qualname), seed)[1] == [], f"seed {seed}"


@pytest.mark.parametrize("slug", chapters())
def test_every_graded_function_has_two_mutants(slug):
    graded = graded_functions(slug)
    registered = mutants.registry(slug)
    assert graded, f"no '# tests:' lines found in exercises/src/{slug}.md"
    thin = {name: len(registered.get(name, [])) for name in graded if len(registered.get(name, [])) < 2}
    assert not thin, f"graded functions with fewer than 2 mutants in grading/mutants/{slug}.py: {thin}"
    stale = sorted(set(registered) - set(graded))
    assert not stale, f"mutants registered for functions that are not graded: {stale}"


def _signature(fn):
    return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]


@pytest.mark.parametrize("slug", chapters())
def test_mutants_are_documented_wrong_versions_with_the_graded_signature(slug):
    module = mutants.load(slug)
    if module is None:
        pytest.skip(f"no grading/mutants/{slug}.py (test_every_graded_function_has_two_mutants fails for it)")
    for qualname, fns in module.MUTANTS.items():
        reference = reference_function(qualname)
        assert len(set(fns)) == len(fns), f"{qualname}: a mutant is listed twice"
        for fn in fns:
            assert fn is not reference and fn.__module__ == module.__name__, f"{qualname}: {fn!r} is not a mutant"
            assert inspect.getdoc(fn), f"{fn.__name__}: say in a docstring which mistake it models"
            assert _signature(fn) == _signature(reference), f"{fn.__name__}: signature differs from {qualname}"
    for fn in getattr(module, "NOT_CAUGHT", {}):
        assert any(fn in fns for fns in module.MUTANTS.values()), f"NOT_CAUGHT lists an unregistered {fn.__name__}"


# -- isolation: a wrong function costs only its own points ------------------------------

def _is_namedtuple(value) -> bool:
    return isinstance(value, tuple) and hasattr(type(value), "_fields")


def _state_parameters(qualname) -> list[str]:
    """Parameters that receive another graded function's output: a forward cache, or fitted parameters."""
    slug = qualname.partition(".")[0]
    gives_params = any(name.endswith("Params") for name in given_names(slug))
    names = inspect.signature(reference_function(qualname)).parameters
    return [name for name in names if name == "cache" or (name == "params" and gives_params)]


STATEFUL = [q for q in all_graded_functions() if _state_parameters(q)]


def test_backward_and_apply_functions_take_state():
    """The backward passes take a cache, the preprocessing apply functions fitted parameters."""
    backward = {q for q in all_graded_functions() if "_backward" in q}
    apply = {f"preprocessing.{name}" for name in ("center", "standardize", "minmax_scale", "pca_transform", "whiten")}
    assert backward and backward | apply <= set(STATEFUL)


@pytest.mark.parametrize("qualname", all_graded_functions())
def test_learner_state_in_hidden_cases_comes_from_the_reference(qualname):
    """Caches and fitted parameters in the hidden cases are built by the answer module, never by a learner function.

    They are instances of the classes the exercise gives (``# given:``), and of
    the answer module's own copies of them, so no graded function of the
    learner's notebook can have produced them.
    """
    slug = qualname.partition(".")[0]
    given = set(given_names(slug))
    state = _state_parameters(qualname)
    names = list(inspect.signature(reference_function(qualname)).parameters)
    for seed in SEEDS:
        for case in get_spec(qualname).cases(np.random.default_rng(seed)):
            bound = dict(zip(names, case.args)) | case.kwargs
            for name in state:
                assert type(bound.get(name)).__name__ in given, f"{case.label}: {name} is {bound.get(name)!r:.80}"
            for name, value in bound.items():
                if type(value).__name__ in given:
                    assert _is_namedtuple(value) and type(value).__module__ == f"solutions.{slug}", (
                        f"{case.label}: {name} is a {type(value).__qualname__} from {type(value).__module__}, "
                        f"not the one of solutions.{slug}"
                    )


@pytest.mark.parametrize("qualname", all_graded_functions())
def test_grading_one_function_uses_no_other_learner_function(qualname, monkeypatch):
    """grade() with the reference for the graded function and a trap for every other graded name."""
    slug, _, name = qualname.partition(".")
    called = []

    def trap(other):
        def broken(*args, **kwargs):
            called.append(other)
            raise AssertionError(f"grading {qualname} called the learner's {other}")
        return broken

    namespace = {other.partition(".")[2]: trap(other) for other in graded_functions(slug)}
    namespace[name] = reference_function(qualname)
    check(qualname, namespace, student="isolation-check")
    assert called == []

