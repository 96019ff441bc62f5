"""The verdict on a learner's function: hidden inputs drawn, results judged against the answer module.

One path to a verdict, whoever runs the function:

1. :func:`draw_cases` draws a function's hidden cases from a seed
   (:func:`case_seed`: the course secret, the student, the function), and
   :func:`inputs` encodes them for the kernel (:mod:`autograder.judge.codec`);
2. the learner's function runs on them through
   :func:`autograder.judge.harness.run_cases`: in the learner's sandboxed
   kernel when grading, in this process in the grader's tests
   (:func:`run_in_process`), with the same read-only inputs and the same
   encoded results bundle;
3. :func:`judge` decodes the bundle (:func:`outcomes`), computes the answer
   module's outputs (:func:`expected_output`), finds changed arguments
   (:func:`case_changes`) and turns everything into failure messages
   (:func:`case_problem`); when a case fails, it asks
   :mod:`autograder.judge.diagnosis` which known mistake the results match
   (the catalogue's entries run through the same harness call on the same
   inputs) or which kinds of case failed. The :class:`Verdict` it returns
   holds the one message a learner reads (:meth:`Verdict.report`) and the
   record the exports read (:meth:`Verdict.record`).

Inputs are drawn from a seed derived from the course secret, the student id
and the function name: a learner cannot predict them, and a regrade of the same
submission sees the same inputs, hence gives the same grade. The verdict is a
pure function of (reference outputs, learner outputs, arguments after the
call, spec); it never runs in the learner's kernel.
"""
from __future__ import annotations

import copy
import functools
import hashlib
import inspect
import os
import re
from dataclasses import dataclass

import numpy as np

from autograder.i18n import N_, Catalogue, mark
from autograder.judge import codec, diagnosis, harness
from autograder.judge.compare import changed_arguments, compare, normalised
from autograder.judge.diagnosis import Advice
from autograder.judge.outcome import Outcome, RaisedInKernel, wrote_into_input
from autograder.judge.specs import Case, Spec, get_spec, reference_function

#: Where :func:`check` (``nbgrader validate`` of an instructor's source notebook) takes a secret from.
VALIDATE_SECRET_ENV = "NNCOURSE_GRADING_SECRET"
#: Key, in the metadata of a graded hidden-tests cell's first output, of its :meth:`Verdict.record`.
RECORD_KEY = "nncourse_verdict"


class HiddenTestFailure(AssertionError):
    """Raised by :func:`check`; its message is the one a learner reads in the feedback."""


# -- inputs -----------------------------------------------------------------------------

def case_seed(qualname: str, student: str, secret: str) -> int:
    """64-bit seed from (secret, student, function): unpredictable without the secret."""
    digest = hashlib.sha256(f"{secret}\0{student}\0{qualname}".encode()).digest()
    return int.from_bytes(digest[:8], "little")


def draw_cases(qualname: str, seed: int):
    """The spec of ``qualname`` and the hidden cases drawn from ``seed``."""
    spec = get_spec(qualname)
    return spec, list(spec.cases(np.random.default_rng(seed)))


def inputs(cases) -> tuple[dict, dict]:
    """The cases as the kernel reads them: a JSON payload and its arrays."""
    arrays = {}
    payload = {"cases": [{"args": [codec.encode(a, arrays) for a in c.args],
                          "kwargs": {k: codec.encode(v, arrays) for k, v in c.kwargs.items()}} for c in cases]}
    return payload, arrays


def expected_output(qualname: str, case):
    """The answer module's result on ``case`` (called on private copies of its arguments)."""
    return reference_function(qualname)(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))


# -- judging ----------------------------------------------------------------------------

_RETURNS = re.compile(r"^Returns\n-+\n(.*?)(?:\n\n[A-Z][a-z]+\n-+\n|\Z)", re.S | re.M)
_RETURNED_NAME = re.compile(r"^([A-Za-z_][\w, ]*?)\s*:")


@functools.cache
def result_names(qualname: str) -> tuple[str, ...]:
    """Names of the returned values in the reference's numpydoc ``Returns`` section (``("out", "cache")``).

    Only named entries count (``out : ndarray``), not bare types
    (``PerceptronResult``); empty when the section names nothing.
    """
    section = _RETURNS.search(inspect.getdoc(reference_function(qualname)) or "")
    names = []
    for line in section.group(1).splitlines() if section else ():
        match = _RETURNED_NAME.match(line)
        if match:
            names += [name.strip() for name in match.group(1).split(",")]
    return tuple(names)


def case_problem(spec: Spec, case: Case, expected, got, mutated) -> str | None:
    """What is wrong with one hidden case's outcome, in words, or ``None`` when it passes.

    ``got`` is the learner's result or the exception it raised; ``mutated`` is
    ``None`` or a description of the argument the call changed (from
    :func:`changed_arguments`).
    """
    rtol, atol = spec.tolerance(expected)
    if isinstance(got, BaseException):
        kind = getattr(got, "kind", type(got).__name__)
        if kind == "NotImplementedError":
            detail = N_("not implemented yet")
        elif wrote_into_input(kind, str(got)):
            detail = N_(f"your function wrote into its input ({kind}: {got}); the grader passes every input "
                        f"array read-only: work on a copy (for example x = x.copy()) or build a new array")
        else:
            detail = N_(f"raised {kind}: {got}")
        return f"{case.label}: {detail}"
    if mutated:
        return f"{case.label}: " + N_(f"your function changed its input {mutated}: work on a copy")
    if spec.normalise:
        got, expected = normalised(got, expected, spec.normalise), normalised(expected, expected, spec.normalise)
    if spec.check:
        problem = spec.check(got, expected, rtol, atol)
    else:
        names = result_names(spec.qualname)
        where = names[0] if len(names) == 1 and not isinstance(expected, tuple) else N_("the result")
        problem = compare(got, expected, rtol, atol, where, spec.dtype, parts=names)
    return f"{case.label}: {problem}" if problem else None


def evaluate(spec: Spec, results) -> list[str]:
    """Failure messages for ``(case, expected, got_or_exception, mutated)`` tuples (:func:`case_problem`)."""
    return [p for p in (case_problem(spec, *result) for result in results) if p]


def case_changes(qualname: str, case, args_after, kwargs_after) -> str | None:
    """:func:`changed_arguments` for one hidden case: positional arguments named as in the reference's signature.

    The judge's single call, in the kernel path (``args_after`` and
    ``kwargs_after`` decoded from what the kernel sent back) and in
    :func:`run_cases` alike.
    """
    names = list(inspect.signature(reference_function(qualname)).parameters)
    return changed_arguments(case.args, args_after, names) or changed_arguments(case.kwargs, kwargs_after)


def outcomes(qualname: str, cases, bundle) -> list[Outcome]:
    """What each call of a results bundle (:func:`autograder.judge.harness.run_cases`) gave, decoded.

    Raises ``ValueError`` (or another exception) for a bundle that cannot be
    read: a learner's code that broke the harness in its own kernel.
    """
    payload, arrays = codec.unpack(bundle)
    raw = payload["results"]
    if not isinstance(raw, list) or len(raw) != len(cases):
        raise ValueError("wrong number of results")
    found = []
    for case, item in zip(cases, raw):
        if "error" in item:
            kind, message = (list(item["error"]) + ["", ""])[:2]
            found.append(Outcome(RaisedInKernel(str(kind)[:80], str(message)[:300]), None))
        else:
            got = codec.decode(item["ok"], arrays)
            args_after = [codec.decode(d, arrays) for d in item["args_after"]]
            kwargs_after = {k: codec.decode(d, arrays) for k, d in item["kwargs_after"].items()}
            found.append(Outcome(got, case_changes(qualname, case, args_after, kwargs_after)))
    return found


@dataclass
class Verdict:
    """The judgement of one learner function on its hidden cases.

    Attributes
    ----------
    qualname : str
        ``"<chapter>.<function>"``.
    cases : list of Case
        The hidden cases (their labels are shown; their inputs never are).
    failures : list of str
        One message per failing case (``"<label>: <what is wrong>"``), or a
        single message when the results could not be judged at all.
    advice : Advice or None
        For a failing function: the known mistake it matches, or the kinds of
        case that failed, and where the book teaches the point
        (:mod:`autograder.judge.diagnosis`). ``None`` when every case passed.
    """

    qualname: str
    cases: list
    failures: list[str]
    advice: Advice | None = None

    @property
    def name(self) -> str:
        return self.qualname.rpartition(".")[2]

    @property
    def passed(self) -> bool:
        return not self.failures

    def report(self, advice: bool = True, language: str = "en") -> str:
        """What the learner reads: the failing cases (:func:`report`), then (with ``advice``) the advice.

        In ``language`` (the notebook's, :func:`autograder.i18n.notebook_language`):
        every sentence, case label, diagnosis and kind of case through the
        ``autograder`` catalogue (English when it has no translation).
        """
        translate = Catalogue("autograder", language)
        failures = [translate_failure(f, self.cases, translate) for f in self.failures]
        text = report(self.name, failures, len(self.cases), translate)
        return text if self.advice is None or not advice else text + "\n" + self.advice.text(translate)

    def record(self) -> dict:
        """The verdict as plain data, for the graded notebook and the exports (no input, no reference value)."""
        return {"function": self.name, "qualname": self.qualname, "cases": len(self.cases),
                "failed": len(self.failures), "passed": self.passed,
                **(self.advice.record() if self.advice is not None else Advice.empty_record())}


def judge(qualname: str, cases, bundle, *, diagnose: bool = True, memo: dict | None = None) -> Verdict:
    """The verdict on a results bundle (:func:`autograder.judge.harness.run_cases`) for ``cases``.

    With ``diagnose`` (the default), a failing function's outcomes are compared
    with those of each known mistake of the catalogue, run in this process
    through the same harness call on the same inputs
    (:func:`autograder.judge.diagnosis.advise`). ``memo``, a dict, keeps the
    catalogue entries' outcomes for the next call on the same cases (the test
    suites grade many implementations on one student's cases).

    Raises ``ValueError`` (or another exception) for a bundle that cannot be
    read: a learner's code that broke the harness in its own kernel.
    """
    spec = get_spec(qualname)
    expected = [expected_output(qualname, case) for case in cases]

    def problems_of(found: list[Outcome]) -> list[str | None]:
        return [case_problem(spec, case, e, o.got, o.mutated) for case, e, o in zip(cases, expected, found)]

    learner = outcomes(qualname, cases, bundle)
    problems = problems_of(learner)
    failures = [p for p in problems if p]
    if not failures:
        return Verdict(qualname, list(cases), [])
    if not diagnose:
        return Verdict(qualname, list(cases), failures, Advice(qualname))
    payload, arrays = inputs(cases)
    name = qualname.rpartition(".")[2]

    def run(function) -> tuple[list[Outcome], list[bool]]:
        found = outcomes(qualname, cases, harness.run_cases(function, payload, arrays, None, name))
        return found, [p is not None for p in problems_of(found)]

    try:
        advice = diagnosis.advise(spec, cases, expected, learner, [p is not None for p in problems], run,
                                  memo if memo is not None else {})
    except Exception as exc:  # the diagnosis is advice: a bug in it never changes a verdict
        advice = Advice(qualname, unavailable=f"{type(exc).__name__}: {exc}")
    return Verdict(qualname, list(cases), failures, advice)


def unjudged(qualname: str, cases, reason: str) -> Verdict:
    """A failing verdict whose results could not be judged (the notebook stopped, or broke the harness)."""
    return Verdict(qualname, list(cases), [reason], Advice(qualname))


def judge_bundle(qualname: str, cases, bundle) -> list[str]:
    """Failure messages for a results bundle on ``cases`` (:func:`judge` without a diagnosis)."""
    return judge(qualname, cases, bundle, diagnose=False).failures


def report(name: str, failures: list[str], n_cases: int, translate=str) -> str:
    """What the learner reads about one function: all passed, or up to five failing cases in words.

    ``translate`` writes each sentence in the learner's language (a
    :class:`autograder.i18n.Catalogue`); ``failures`` are already translated.
    """
    if not failures:
        return translate(N_(f"{name}: all {n_cases} hidden cases passed."))
    shown = "\n  - ".join(failures[:5])
    more = "\n  " + translate(N_(f"({len(failures) - 5} more)")) if len(failures) > 5 else ""
    return translate(N_(f"{name}: {len(failures)} of {n_cases} hidden cases failed:")) + f"\n  - {shown}{more}"


def translate_failure(failure: str, cases, translate) -> str:
    """One failure message (``"<case label>: <problem>"``) in the learner's language, label and problem apart."""
    for case in cases:
        if failure.startswith(f"{case.label}: "):
            return translate(case.label) + mark(": ", translate.language) + translate(failure[len(case.label) + 2:])
    return translate(failure)


# -- in this process --------------------------------------------------------------------

def run_in_process(qualname: str, function, seed: int, namespace=None, *, diagnose: bool = True,
                   memo: dict | None = None) -> Verdict:
    """Judge ``function`` on the hidden cases of ``seed`` as grading does, in this process.

    The inputs are encoded, handed to ``function`` read-only by the kernel's
    own harness, its results encoded and judged by :func:`judge`: the
    grader's code path, without the kernel (``diagnose`` and ``memo`` as
    there).
    """
    _, cases = draw_cases(qualname, seed)
    payload, arrays = inputs(cases)
    bundle = harness.run_cases(function, payload, arrays, namespace, qualname.rpartition(".")[2])
    return judge(qualname, cases, bundle, diagnose=diagnose, memo=memo)


def check(qualname: str, namespace: dict, student: str = "instructor") -> None:
    """The hidden tests of one function, run in the calling kernel (``nbgrader validate`` of a source notebook).

    Learners' notebooks are never judged this way: :mod:`autograder.grade`
    judges them outside their kernels. The secret comes from the environment
    when set (``NNCOURSE_GRADING_SECRET``), else a public one: validation only
    needs to know that the instructor's solutions pass.

    Raises
    ------
    HiddenTestFailure
        Unless every hidden case passes; the message lists the failing cases.
    """
    name = qualname.rpartition(".")[2]
    secret = os.environ.get(VALIDATE_SECRET_ENV, "validation")
    verdict = run_in_process(qualname, namespace.get(name), case_seed(qualname, student, secret), namespace)
    if not verdict.passed:
        raise HiddenTestFailure(verdict.report())
    print(verdict.report())


def plain_data(value):
    """``value`` as the grader receives it from a learner's kernel: through the codec."""
    arrays = {}
    return codec.decode(codec.encode(value, arrays), arrays)
