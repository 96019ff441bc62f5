"""How often the diagnosis is right on mistakes it was not built from, and that it is never wrong.

The wrong implementations of :mod:`grading.independent` were written apart
from the catalogue. Each is graded in-process, for several students, as a
learner's submission. The measure, printed by the test:

* **right**: for every student, the diagnosis names only mistakes the
  submission makes (its ``expect``, or entries declared alike with them),
  and at least one;
* **fallback**: no diagnosis, but the advice names the failing kinds of case
  and links the book;
* **wrong**: a diagnosis, for some student, that names a mistake the
  submission does not make. There must be none.

The share of right diagnoses must be at least :data:`AIM` of all
submissions.
"""
import pytest

from autograder.judge import catalogue
from autograder.judge.verdict import run_in_process
from grading.graded import SEEDS
from grading.independent import INDEPENDENT

AIM = 0.6


def _acceptable(sub) -> set[str]:
    ids = set(sub.expect)
    for mistake_id in sub.expect:
        ids |= catalogue.alike(catalogue.by_id(mistake_id))
    return ids


def _grade(sub) -> tuple[str, list]:
    """``(right | fallback | wrong | passed, per-student diagnoses)``."""
    seen, kinds = [], set()
    for seed in SEEDS:
        verdict = run_in_process(sub.qualname, sub.function, seed)
        if verdict.passed:
            return "passed", seen
        named = set(verdict.advice.ids)
        seen.append(sorted(named) or [f"kinds: {', '.join(k for k, _, _ in verdict.advice.categories)}"])
        if named and not named <= _acceptable(sub):
            kinds.add("wrong")
        elif named:
            kinds.add("right")
        elif verdict.advice.categories and verdict.advice.links():
            kinds.add("fallback")
        else:
            kinds.add("no advice")
    for kind in ("wrong", "no advice", "fallback"):
        if kind in kinds:
            return kind, seen
    return "right", seen


def test_independent_mistakes_are_known_implementations():
    assert len(INDEPENDENT) >= 20
    for sub in INDEPENDENT:
        assert all(catalogue.by_id(mistake_id).qualname == sub.qualname for mistake_id in sub.expect), sub.name
        assert not any(sub.function is entry.function for entry in catalogue.entries(sub.qualname)), sub.name


def test_diagnosis_of_independent_mistakes_is_mostly_specific_and_never_wrong(capsys):
    results = {sub.name: (sub, *_grade(sub)) for sub in INDEPENDENT}
    counts = {kind: sum(1 for _, k, _ in results.values() if k == kind)
              for kind in ("right", "fallback", "wrong", "no advice", "passed")}
    share = counts["right"] / len(INDEPENDENT)
    lines = [f"{name:40} {kind:9} {sub.qualname}: {seen[0] if seen else ''}"
             for name, (sub, kind, seen) in results.items()]
    summary = (f"independent mistakes: {len(INDEPENDENT)}; right specific diagnosis {counts['right']} "
               f"({share:.0%}, aim {AIM:.0%}); fallback to kinds of case and a link {counts['fallback']}; "
               f"wrong diagnosis {counts['wrong']}; no advice {counts['no advice']}; passed {counts['passed']}")
    with capsys.disabled():
        print("\n" + "\n".join(lines) + "\n" + summary)
    assert counts["passed"] == 0, "an independent mistake passes the hidden tests: " + summary
    assert counts["wrong"] == 0 and counts["no advice"] == 0, summary + "\n" + "\n".join(lines)
    assert share >= AIM, summary


@pytest.mark.parametrize("sub", [s for s in INDEPENDENT if not s.expect], ids=lambda s: s.name)
def test_mistakes_without_an_entry_get_the_failing_kinds_and_a_link(sub):
    for seed in SEEDS:
        advice = run_in_process(sub.qualname, sub.function, seed).advice
        assert advice.ids == [] and advice.categories, f"seed {seed}: {advice}"
        assert advice.links()[0] == catalogue.url(catalogue.section(sub.qualname))
        assert "No known mistake matches" in advice.text() and advice.links()[0] in advice.text()
