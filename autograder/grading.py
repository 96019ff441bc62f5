"""Hidden tests: compare a learner's function with the answer module on random inputs.

A hidden-tests cell of an exercise notebook calls :func:`grade` with the name
of a graded function and the notebook's namespace. :func:`grade` draws the
inputs of every case described in :mod:`autograder.specs`, calls the reference
and the learner's function on private copies, and compares the results with the
tolerances stored in the spec. The cell raises (and so loses its points in
nbgrader) unless every case passes; the message says which kind of input
failed and how, never what the reference code is.

Inputs are drawn from a seed derived from the course secret, the student id
and the function name: a learner cannot predict them, and a regrade of the same
submission sees the same inputs, hence gives the same grade.

The verdict is a pure function of (reference outputs, learner outputs, spec):
:func:`evaluate` computes it from outputs alone, so it can run outside the
learner's kernel too.
"""
from __future__ import annotations

import contextlib
import copy
import hashlib
import importlib
import io
import os
import warnings
from pathlib import Path

import numpy as np

from autograder.specs import Spec, get_spec

SECRET_ENV = "NNCOURSE_GRADING_SECRET"
STUDENT_ENV = "NNCOURSE_STUDENT_ID"


class HiddenTestFailure(AssertionError):
    """Raised by a hidden-tests cell; its message goes into the learner's feedback."""


# -- seeds ---------------------------------------------------------------------

def student_id() -> str:
    """The student whose notebook is being graded.

    nbgrader's autograde runs each notebook with its working directory at
    ``autograded/<student>/<assignment>/``; an explicit environment variable
    wins (used by tests and by graders that run notebooks elsewhere).
    """
    if os.environ.get(STUDENT_ENV):
        return os.environ[STUDENT_ENV]
    cwd = Path.cwd()
    if cwd.parent.parent.name == "autograded":
        return cwd.parent.name
    return "anonymous"


def case_seed(qualname: str, student: str | None = None, secret: str | None = None) -> int:
    """64-bit seed from (secret, student, function): unpredictable without the secret."""
    secret = os.environ.get(SECRET_ENV, "no-secret-configured") if secret is None else secret
    student = student_id() if student is None else student
    digest = hashlib.sha256(f"{secret}\0{student}\0{qualname}".encode()).digest()
    return int.from_bytes(digest[:8], "little")


# -- comparing outputs ---------------------------------------------------------

def _describe(value) -> str:
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape} and dtype {value.dtype}"
    return type(value).__name__


def compare(got, expected, rtol: float, atol: float, where: str = "the result") -> str | None:
    """Return ``None`` when ``got`` matches ``expected``, else a sentence saying how it differs.

    Tuples (including ``NamedTuple`` caches) are compared element by element,
    arrays with ``|got - expected| <= atol + rtol * |expected|`` (NaN never
    matches), everything else with ``==``.
    """
    if isinstance(expected, tuple):
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            return f"{where} should be a tuple of {len(expected)} values, got {_describe(got)}"
        fields = getattr(type(expected), "_fields", None)
        for i, (g, e) in enumerate(zip(got, expected)):
            label = f"{where} ({fields[i]})" if fields else f"element {i} of {where}"
            problem = compare(g, e, rtol, atol, label)
            if problem:
                return problem
        return None
    if isinstance(expected, (np.ndarray, float, np.floating, int, np.integer)) and not isinstance(expected, bool):
        exp = np.asarray(expected)
        try:
            if isinstance(got, (str, bytes, dict, set)) or got is None:
                raise TypeError
            arr = np.array(got, dtype=np.float64, copy=True)
        except (TypeError, ValueError):
            return f"{where} should be {_describe(exp) if exp.ndim else 'a number'}, got {_describe(got)}"
        if arr.shape != exp.shape:
            return f"{where} has shape {arr.shape}, expected shape {exp.shape}"
        exp = exp.astype(np.float64)
        if np.isnan(arr).any() and not np.isnan(exp).any():
            return f"{where} contains NaN (look for 0/0, log(0) or an overflowing exp)"
        if np.isinf(arr).any() and not np.isinf(exp).any():
            return f"{where} contains inf (an overflow: subtract a maximum, or use a stable formula)"
        with np.errstate(invalid="ignore"):
            bad = ~np.isclose(arr, exp, rtol=rtol, atol=atol, equal_nan=True)
        if bad.any():
            idx = np.unravel_index(np.argmax(np.where(bad, np.abs(arr - exp), -1)), exp.shape) if exp.ndim else ()
            at = f" at index {tuple(int(i) for i in idx)}" if exp.ndim else ""
            return (f"{where}: {int(bad.sum())} of {bad.size} values are off{at}: "
                    f"expected {exp[idx]:.6g}, got {arr[idx]:.6g}")
        return None
    try:
        equal = bool(np.all(np.asarray(got) == np.asarray(expected))) and np.shape(got) == np.shape(expected)
    except Exception:
        equal = False
    return None if equal else f"{where} should be {expected!r}, got {got!r}"


def evaluate(spec: Spec, results) -> list[str]:
    """Turn ``(case, expected, got_or_exception, mutated)`` tuples into failure messages."""
    failures = []
    for case, expected, got, mutated in results:
        rtol, atol = spec.tolerance(expected)
        if isinstance(got, BaseException):
            kind = getattr(got, "kind", type(got).__name__)
            detail = "not implemented yet" if kind == "NotImplementedError" else f"raised {kind}: {got}"
            failures.append(f"{case.label}: {detail}")
            continue
        if mutated:
            failures.append(f"{case.label}: your function changed its input {mutated} (work on a copy)")
            continue
        problem = spec.check(got, expected, rtol, atol) if spec.check else compare(got, expected, rtol, atol)
        if problem:
            failures.append(f"{case.label}: {problem}")
    return failures


# -- running -------------------------------------------------------------------

def reference_function(qualname: str):
    module_name, _, name = qualname.rpartition(".")
    return getattr(importlib.import_module(f"solutions.{module_name}"), name)


def _quiet_call(fn, args, kwargs):
    """Call ``fn`` with its prints, warnings and NumPy floating-point chatter kept off stderr.

    nbgrader gives a test cell zero points when anything reaches stderr; a
    harmless ``RuntimeWarning`` from a correct submission must not cost points.
    """
    sink = io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def _mutated_inputs(before, after) -> str | None:
    for i, (b, a) in enumerate(zip(before, after)):
        if isinstance(b, np.ndarray) and not (isinstance(a, np.ndarray) and a.shape == b.shape
                                              and np.array_equal(a, b, equal_nan=True)):
            return f"argument {i + 1}"
    return None


class RaisedInKernel(Exception):
    """An exception the learner's function raised in their kernel, known to the grader by name only."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


def draw_cases(qualname: str, seed: int):
    """The spec of ``qualname`` and the hidden cases drawn from ``seed``."""
    spec = get_spec(qualname)
    return spec, list(spec.cases(np.random.default_rng(seed)))


def expected_output(qualname: str, case):
    """The answer module's result on ``case`` (called on private copies of its arguments)."""
    return reference_function(qualname)(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))


def run_cases(qualname: str, function, seed: int):
    """Run every case of ``qualname``'s spec through the reference and ``function``, in this process."""
    spec, cases = draw_cases(qualname, seed)
    results = []
    for case in cases:
        expected = expected_output(qualname, case)
        args = copy.deepcopy(case.args)
        kwargs = copy.deepcopy(case.kwargs)
        try:
            got = _quiet_call(function, args, kwargs)
            mutated = _mutated_inputs(case.args, args)
        except Exception as exc:  # a broken submission fails this case, nothing more
            got, mutated = exc, None
        results.append((case, expected, got, mutated))
    return spec, results


def grade(qualname: str, namespace: dict) -> None:
    """Hidden test of one graded function, as called from an exercise notebook.

    Parameters
    ----------
    qualname : str
        ``"<module>.<function>"`` in the answer module, e.g. ``"activations.relu_forward"``.
    namespace : dict
        The notebook's ``globals()``, where the learner defined the function.

    Raises
    ------
    HiddenTestFailure
        Unless every hidden case passes; the message lists the failing cases.
    """
    name = qualname.rpartition(".")[2]
    function = namespace.get(name)
    if not callable(function):
        raise HiddenTestFailure(f"{name} is not defined: run the cell that defines it.")
    spec, results = run_cases(qualname, function, case_seed(qualname))
    failures = evaluate(spec, results)
    if failures:
        shown = "\n  - ".join(failures[:5])
        more = f"\n  ({len(failures) - 5} more)" if len(failures) > 5 else ""
        raise HiddenTestFailure(f"{name}: {len(failures)} of {len(results)} hidden cases failed:\n  - {shown}{more}")
    print(f"{name}: all {len(results)} hidden cases passed.")
