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
3. :func:`judge_bundle` decodes the bundle, computes the answer module's
   outputs (:func:`expected_output`), finds changed arguments
   (:func:`case_changes`) and turns everything into failure messages
   (:func:`evaluate`); :func:`report` makes the one message a learner reads.

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
import importlib
import inspect
import os
import re

import numpy as np

from autograder.judge import codec, harness
from autograder.judge.compare import changed_arguments, compare, normalised
from autograder.judge.specs import Spec, get_spec

#: Where :func:`check` (``nbgrader validate`` of an instructor's source notebook) takes a secret from.
VALIDATE_SECRET_ENV = "NNCOURSE_GRADING_SECRET"


class HiddenTestFailure(AssertionError):
    """Raised by :func:`check`; its message is the one a learner reads in the feedback."""


class RaisedInKernel(Exception):
    """An exception the learner's function raised, known to the grader by name and message only."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


# -- inputs -----------------------------------------------------------------------------

def case_seed(qualname: str, student: str, secret: str) -> int:
    """64-bit seed from (secret, student, function): unpredictable without the secret."""
    digest = hashlib.sha256(f"{secret}\0{student}\0{qualname}".encode()).digest()
    return int.from_bytes(digest[:8], "little")


def reference_function(qualname: str):
    module_name, _, name = qualname.rpartition(".")
    return getattr(importlib.import_module(f"solutions.{module_name}"), name)


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


def _wrote_into_input(kind: str, message: str) -> bool:
    """NumPy's complaint about a write into (or unlocking of) a read-only input array."""
    return kind == "ValueError" and ("read-only" in message or "WRITEABLE" in message)


def evaluate(spec: Spec, results) -> list[str]:
    """Turn ``(case, expected, got_or_exception, mutated)`` tuples into failure messages.

    ``mutated`` is ``None`` or a description of the argument the call changed
    (from :func:`changed_arguments`).
    """
    failures = []
    for case, expected, got, mutated in results:
        rtol, atol = spec.tolerance(expected)
        if isinstance(got, BaseException):
            kind = getattr(got, "kind", type(got).__name__)
            if kind == "NotImplementedError":
                detail = "not implemented yet"
            elif _wrote_into_input(kind, str(got)):
                detail = (f"your function wrote into its input ({kind}: {got}); the grader passes every input "
                          f"array read-only: work on a copy (for example x = x.copy()) or build a new array")
            else:
                detail = f"raised {kind}: {got}"
            failures.append(f"{case.label}: {detail}")
            continue
        if mutated:
            failures.append(f"{case.label}: your function changed its input {mutated}: work on a copy")
            continue
        if spec.normalise:
            got, expected = normalised(got, expected, spec.normalise), normalised(expected, expected, spec.normalise)
        if spec.check:
            problem = spec.check(got, expected, rtol, atol)
        else:
            names = result_names(spec.qualname)
            where = names[0] if len(names) == 1 and not isinstance(expected, tuple) else "the result"
            problem = compare(got, expected, rtol, atol, where, spec.dtype, parts=names)
        if problem:
            failures.append(f"{case.label}: {problem}")
    return failures


def case_changes(qualname: str, case, args_after, kwargs_after) -> str | None:
    """:func:`changed_arguments` for one hidden case: positional arguments named as in the reference's signature.

    The judge's single call, in the kernel path (``args_after`` and
    ``kwargs_after`` decoded from what the kernel sent back) and in
    :func:`run_cases` alike.
    """
    names = list(inspect.signature(reference_function(qualname)).parameters)
    return changed_arguments(case.args, args_after, names) or changed_arguments(case.kwargs, kwargs_after)


def judge_bundle(qualname: str, cases, bundle) -> list[str]:
    """Failure messages for a results bundle (:func:`autograder.judge.harness.run_cases`) on ``cases``.

    Raises ``ValueError`` (or another exception) for a bundle that cannot be
    read: a learner's code that broke the harness in its own kernel.
    """
    payload, arrays = codec.unpack(bundle)
    raw = payload["results"]
    if not isinstance(raw, list) or len(raw) != len(cases):
        raise ValueError("wrong number of results")
    results = []
    for case, item in zip(cases, raw):
        expected = expected_output(qualname, case)
        if "error" in item:
            kind, message = (list(item["error"]) + ["", ""])[:2]
            got, mutated = RaisedInKernel(str(kind)[:80], str(message)[:300]), None
        else:
            got = codec.decode(item["ok"], arrays)
            args_after = [codec.decode(d, arrays) for d in item["args_after"]]
            kwargs_after = {k: codec.decode(d, arrays) for k, d in item["kwargs_after"].items()}
            mutated = case_changes(qualname, case, args_after, kwargs_after)
        results.append((case, expected, got, mutated))
    return evaluate(get_spec(qualname), results)


def report(name: str, failures: list[str], n_cases: int) -> str:
    """What the learner reads about one function: all passed, or up to five failing cases in words."""
    if not failures:
        return f"{name}: all {n_cases} hidden cases passed."
    shown = "\n  - ".join(failures[:5])
    more = f"\n  ({len(failures) - 5} more)" if len(failures) > 5 else ""
    return f"{name}: {len(failures)} of {n_cases} hidden cases failed:\n  - {shown}{more}"


# -- in this process --------------------------------------------------------------------

def run_in_process(qualname: str, function, seed: int, namespace=None) -> tuple[list, list[str]]:
    """Judge ``function`` on the hidden cases of ``seed`` as grading does, in this process.

    The inputs are encoded, handed to ``function`` read-only by the kernel's
    own harness, its results encoded and judged by :func:`judge_bundle`: the
    grader's code path, without the kernel. Returns the cases and the failure
    messages (empty when every case passes).
    """
    _, cases = draw_cases(qualname, seed)
    payload, arrays = inputs(cases)
    bundle = harness.run_cases(function, payload, arrays, namespace, qualname.rpartition(".")[2])
    return cases, judge_bundle(qualname, cases, bundle)


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
    cases, failures = run_in_process(qualname, namespace.get(name), case_seed(qualname, student, secret), namespace)
    message = report(name, failures, len(cases))
    if failures:
        raise HiddenTestFailure(message)
    print(message)


def plain_data(value):
    """``value`` as the grader receives it from a learner's kernel: through the codec."""
    arrays = {}
    return codec.decode(codec.encode(value, arrays), arrays)
