"""Mistakes are caught and named: every known mistake loses its function's points, and the grader says which it is.

The known mistakes are the grader's catalogue (:mod:`autograder.judge.catalogue`,
one module per chapter). Each is graded in-process as a learner's submission,
with the hidden cases of several students (seeds): every student's grading
must reject it, and diagnose it as itself (together with the entries its
chapter declares alike, which give the same outcomes on every hidden case),
with links to the mistake's section of the book and the function's.
The reference passes for the same students. Isolation ("only that function's
points") is checked on the specs: the hidden cases of an apply or backward
function get their parameters or cache from the *reference* module, and
grading a function looks at no other function of the learner's notebook.
"""
import inspect

import numpy as np
import pytest

from autograder.course import chapters
from autograder.judge import catalogue
from autograder.judge.specs import get_spec
from autograder.judge.verdict import check, reference_function, run_in_process
from grading.graded import SEEDS, all_graded_functions, given_names, graded_functions

#: ``{(qualname, seed): {mistake id: outcomes}}``: each entry runs once per student's cases.
MEMO: dict = {}


def graded_as_submission(entry, seed):
    """The verdict on ``entry`` graded as a learner's function (sharing the other entries' runs on these cases)."""
    return run_in_process(entry.qualname, entry.function, seed, memo=MEMO.setdefault((entry.qualname, seed), {}))


def _entry_params():
    for entry in catalogue.all_entries():
        marks = [pytest.mark.xfail(strict=True, reason=entry.not_caught)] if entry.not_caught else []
        yield pytest.param(entry, id=entry.id, marks=marks)


@pytest.mark.parametrize("entry", list(_entry_params()))
def test_known_mistake_loses_the_points_and_is_named(entry):
    expected = {entry.id} | catalogue.alike(entry)
    for seed in SEEDS:
        verdict = graded_as_submission(entry, seed)
        assert not verdict.passed, (
            f"{entry.id} ({entry.name}) passes every hidden case of {entry.qualname} for the student with seed {seed}")
        named = set(verdict.advice.ids)
        assert entry.id in named, f"seed {seed}: graded as a submission, {entry.id} is diagnosed as {sorted(named)}"
        assert named <= expected, (f"seed {seed}: {entry.id} is also diagnosed as {sorted(named - expected)}; "
                                   f"declare them in ALIKE if no hidden case can tell them apart")
        advice = verdict.advice.text()
        assert entry.url in advice and catalogue.url(catalogue.section(entry.qualname)) in advice, (
            "the advice links the mistake's section and the function's")


def test_entries_declared_alike_are_named_together():
    """Each ALIKE group is really alike: grading one member names the others, for some student."""
    for entry in catalogue.all_entries():
        for other in catalogue.alike(entry):
            assert any(other in graded_as_submission(entry, seed).advice.ids for seed in SEEDS), (
                f"{entry.id} and {other} are declared alike but the hidden cases tell them apart")


def test_hidden_tests_are_registered_for_exactly_the_graded_functions():
    """A spec no exercise grades is dead code nothing checks (no mistakes, no alternatives)."""
    from autograder.judge.specs import all_specs

    assert sorted(all_specs()) == sorted(all_graded_functions())


@pytest.mark.parametrize("qualname", all_graded_functions())
def test_reference_gets_full_marks(qualname):
    for seed in SEEDS:
        verdict = run_in_process(qualname, reference_function(qualname), seed)
        assert verdict.failures == [] and verdict.advice is None, f"seed {seed}"


@pytest.mark.parametrize("slug", chapters())
def test_every_graded_function_has_two_known_mistakes(slug):
    graded = graded_functions(slug)
    registered = catalogue.chapter(slug)
    assert graded, f"no '# tests:' lines found in exercises/src/{slug}.md"
    thin = {name: len(registered.get(name, [])) for name in graded if len(registered.get(name, [])) < 2}
    assert not thin, f"graded functions with fewer than 2 known mistakes in the catalogue's {slug}.py: {thin}"
    stale = sorted(set(registered) - set(graded))
    assert not stale, f"known mistakes registered for functions that are not graded: {stale}"


def _signature(fn):
    return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]


@pytest.mark.parametrize("slug", chapters())
def test_known_mistakes_are_documented_wrong_versions_with_the_graded_signature(slug):
    module = catalogue.load(slug)
    for qualname, entries in catalogue.chapter(slug).items():
        reference = reference_function(qualname)
        assert len({e.function for e in entries}) == len(entries), f"{qualname}: a function is listed twice"
        for entry in entries:
            fn = entry.function
            assert fn is not reference and fn.__module__ == module.__name__, f"{entry.id}: {fn!r} is not a mistake"
            assert inspect.getdoc(fn), f"{fn.__name__}: say in a docstring which mistake it models"
            assert _signature(fn) == _signature(reference), f"{fn.__name__}: signature differs from {qualname}"


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
