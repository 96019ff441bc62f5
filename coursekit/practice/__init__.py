"""Practice before you submit: self-checks with the kinds of input the hidden tests use.

The hidden tests of a graded function try it on inputs of known *kinds*
(exact zeros at a kink, ties, values up to ±1e4, float32, a single row, a
4-D batch, read-only arrays...) drawn from a secret seed. A practice check
tries the same kinds of input, drawn from a public seed, and judges the
results by properties that need no answer: a numerical gradient, invariants
(probabilities sum to 1, the shape and dtype are kept, no input is changed),
the conventions the docstring states, and small cases worked out by hand.

Each chapter has a module here (`coursekit.practice.activations`, ...) with
one function per graded function, `practice_<name>(<name>, ...)`, whose
parameters are named after the notebook's functions and classes it needs.
It prints one ✓ or ✗ line per kind of input and returns True when all pass.

Messages: every string of a chapter's module with words in it (a check's
label and hint, a `Mismatch`'s problem, an expectation's `what`) is a message
of the catalogue `coursekit.po` (`make translations` finds them); the
helpers here pass each through `_tr` (`coursekit.i18n`) as they print it.
"""
import copy
import warnings

import numpy as np

from coursekit.checking import describe_exception, record, report
from coursekit.gradcheck import numerical_gradient
from coursekit.i18n import _mark, _tr

#: The seed of every practice input. Public on purpose: the hidden tests draw theirs from a secret one.
PUBLIC_SEED = 20260101


class Mismatch(Exception):
    """A practice check found something wrong; the message says what, in words."""


def readonly(value):
    """A deep copy of `value` in which every array is read-only, as the hidden tests pass them.

    Named tuples, tuples, lists and dicts are rebuilt around read-only
    copies of what they hold; anything else is deep-copied.
    """
    if isinstance(value, np.ndarray):
        frozen = value.copy()
        frozen.setflags(write=False)
        return frozen
    if isinstance(value, dict):
        return dict((key, readonly(item)) for key, item in value.items())
    if isinstance(value, (tuple, list)):
        parts = list(map(readonly, value))
        if isinstance(value, list):
            return parts
        return type(value)(*parts) if hasattr(type(value), "_fields") else tuple(parts)
    return copy.deepcopy(value)


def _same(a, b):
    """Deep equality of arguments before and after a call (arrays by value, NaN equal to NaN).

    A random generator is meant to change (each draw advances it): it always counts as unchanged.
    """
    if isinstance(a, np.random.Generator):
        return True
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.shape == b.shape and np.array_equal(a, b, equal_nan=True)
    if isinstance(a, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    try:
        return bool(a == b)
    except Exception:
        return True


def call(function, *args, **kwargs):
    """Call `fn` on read-only copies of its arguments; complain if it changed one of them.

    Returns
    -------
    The function's result.

    Raises
    ------
    Mismatch
        When a list or dict argument (or anything in it) was changed.
    """
    args, kwargs = readonly(args), readonly(kwargs)
    before = copy.deepcopy((args, kwargs))
    result = function(*args, **kwargs)
    for i, (b, a) in enumerate(zip(before[0], args)):
        if not _same(b, a):
            raise Mismatch(_tr(f"your function changed its argument {i + 1} ({type(a).__name__}): "
                              "build a new one instead of modifying the one you were given"))
    for name in before[1]:
        if not _same(before[1][name], kwargs[name]):
            raise Mismatch(_tr(f"your function changed its argument {name}: build a new one instead"))
    return result


# -- expectations: each raises Mismatch with a sentence ---------------------------

def _index(idx):
    return str(tuple(int(i) for i in idx))


def expect(condition, problem):
    """Raise `Mismatch` with `problem` unless `condition` holds."""
    if not bool(condition):
        raise Mismatch(_tr(problem))


def expect_array(got, what="the result"):
    """`got` must be a NumPy array (not None, a list or a number)."""
    what = _tr(what)
    if got is None:
        raise Mismatch(_tr(f"{what} is None (a missing `return`?)"))
    if not isinstance(got, np.ndarray):
        raise Mismatch(_tr(f"{what} is a {type(got).__name__}, expected a NumPy array"))
    return got


def expect_shape(got, shape, what="the result"):
    """`got` must be an array of shape `shape`."""
    got = expect_array(got, what)
    if got.shape != tuple(shape):
        what, shape = _tr(what), tuple(shape)
        if got.size == int(np.prod(shape)) and got.size > 1:
            raise Mismatch(_tr(f"{what} has shape {got.shape}, expected {shape} (the right number of values: "
                              "an axis too many or too few, or transposed?)"))
        raise Mismatch(_tr(f"{what} has shape {got.shape}, expected {shape}"))
    return got


def expect_dtype(got, dtype, what="the result"):
    """`got` must be an array of dtype `dtype`."""
    got = expect_array(got, what)
    dtype = np.dtype(dtype)
    if got.dtype != dtype:
        what = _tr(what)
        if dtype == np.float32 and got.dtype == np.float64:
            raise Mismatch(_tr(f"{what} has dtype {got.dtype}, expected {dtype} (float32 in gives float32 out: "
                              "look for an array or constant that made it float64)"))
        if got.dtype == np.bool_:
            raise Mismatch(_tr(f"{what} has dtype {got.dtype}, expected {dtype} (True/False values: turn them "
                              "into numbers with .astype(...))"))
        if np.issubdtype(got.dtype, np.integer):
            raise Mismatch(_tr(f"{what} has dtype {got.dtype}, expected {dtype} (integer input should give "
                              "floating output: convert it first)"))
        raise Mismatch(_tr(f"{what} has dtype {got.dtype}, expected {dtype}"))
    return got


def expect_float(got, what="the result"):
    """`got` must be a Python float (not a NumPy number or an array)."""
    if type(got) is not float:
        raise Mismatch(_tr(f"{_tr(what)} is a {type(got).__name__}, expected a Python float (use float(...))"))
    return got


def expect_finite(got, what="the result"):
    """No NaN and no inf in `got`."""
    arr = np.asarray(got, dtype=np.float64)
    what = _tr(what)
    if np.isnan(arr).any():
        if not arr.ndim:
            raise Mismatch(_tr(f"{what} is NaN (0/0, inf - inf, or an exp that overflowed?)"))
        index = _index(np.argwhere(np.isnan(arr))[0])
        raise Mismatch(_tr(f"{what} contains NaN at index {index} (0/0, inf - inf, or an exp that overflowed?)"))
    if np.isinf(arr).any():
        if not arr.ndim:
            raise Mismatch(_tr(f"{what} is inf (an exp that overflowed, or a division by zero?)"))
        index = _index(np.argwhere(np.isinf(arr))[0])
        raise Mismatch(_tr(f"{what} contains inf at index {index} (an exp that overflowed, or a division by zero?)"))
    return got


def expect_close(got, expected, what="the result", rtol=1e-7, atol=1e-10):
    """`|got - expected| <= atol + rtol |expected|` everywhere, with shapes equal."""
    expected = np.asarray(expected, dtype=np.float64)
    what = _tr(what)
    if got is None:
        raise Mismatch(_tr(f"{what} is None, expected numbers"))
    if isinstance(got, (str, bytes, dict, set)):
        raise Mismatch(_tr(f"{what} is a {type(got).__name__}, expected numbers"))
    try:
        arr = np.asarray(got)
    except Exception:
        raise Mismatch(_tr(f"{what} is a {type(got).__name__} NumPy cannot read as an array of numbers")) from None
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise Mismatch(_tr(f"{what} holds values of type {arr.dtype}, expected numbers"))
    if arr.shape != expected.shape:
        raise Mismatch(_tr(f"{what} has shape {arr.shape}, expected {expected.shape}"))
    arr = arr.astype(np.float64)
    diff = np.abs(arr - expected)
    with np.errstate(invalid="ignore"):
        bad = ~(diff <= atol + rtol * np.abs(expected)) & ~((arr == expected) & np.isinf(expected))
    if not bad.any():
        return got
    score = np.where(bad, np.where(np.isnan(diff), np.inf, diff), -1.0)
    if not diff.ndim:
        raise Mismatch(_tr(f"{what} is off: expected {expected:.8g}, got {arr:.8g}"))
    idx = np.unravel_index(np.argmax(score), diff.shape)
    raise Mismatch(_tr(f"{what}: {int(bad.sum())} of {bad.size} values off at index {_index(idx)}: "
                      f"expected {expected[idx]:.8g}, got {arr[idx]:.8g}"))


def expect_gradient(f, x, dout, analytic, what="dx", tol=1e-6, atol=1e-9):
    """`analytic` agrees with the central-difference gradient of `sum(f(x) * dout)`.

    Agreement means a relative error below `tol` at every entry, or an
    absolute difference below `atol` (for entries that are 0 or nearly so).
    """
    numeric = numerical_gradient(f, x, dout)
    got = expect_array(analytic, what)
    if got.shape != numeric.shape:
        raise Mismatch(_tr(f"{_tr(what)} has shape {got.shape}, expected {numeric.shape} (the shape of the input)"))
    got = got.astype(np.float64)
    expect_finite(got, what)
    diff = np.abs(got - numeric)
    rel = diff / np.maximum(np.abs(got) + np.abs(numeric), 1e-300)
    bad = (rel > tol) & (diff > atol)
    if bad.any():
        idx = np.unravel_index(np.argmax(np.where(bad, diff, -1.0)), diff.shape)
        raise Mismatch(_tr(f"{_tr(what)} differs from the numerical gradient at {int(bad.sum())} of {bad.size} "
                          f"entries; at index {_index(idx)}: numerical {numeric[idx]:.6g}, yours {got[idx]:.6g}"))
    return got


def first(result, what="the result"):
    """The first element of a `(out, cache)` pair, with a clear message if it is not a pair."""
    if not isinstance(result, (tuple, list)):
        raise Mismatch(_tr(f"your function returned a {type(result).__name__}, expected a pair (out, cache)"))
    return result[0]


# -- running a function's practice -------------------------------------------------

class Practice:
    """The practice checks of one graded function: one ✓/✗ line per kind of input.

    Parameters
    ----------
    function : str
        The graded function's name.
    uses : str
        Other notebook functions the checks rely on (said in the heading, so
        that a ✗ caused by one of them is not blamed on `function` alone).
    """

    def __init__(self, function, uses=""):
        self.function = function
        self.failed = 0
        self._last_problem = None
        self.rng = np.random.default_rng(PUBLIC_SEED)
        if uses:
            print(_tr(f"Practice for {function} (inputs of the hidden tests' kinds from a public seed; these checks "
                     f"also call your {uses}):"))
        else:
            print(_tr(f"Practice for {function} (inputs of the hidden tests' kinds from a public seed):"))

    def check(self, label, test, hint=""):
        """Run `test()`; print `✓ label` if it returns, else `✗ label: what is wrong`.

        `NotImplementedError` goes through (the notebook says "not
        implemented yet"); any other exception is a ✗ that says what and where.
        """
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")  # judged by its results: a harmless warning costs nothing
                test()
        except NotImplementedError:
            raise
        except Mismatch as problem:
            self._fail(label, _tr(str(problem)), hint)
        except Exception as exc:
            self._fail(label, _tr("raised") + " " + describe_exception(exc, indent="    "), hint)
        else:
            report(f"  ✓ {_tr(label)}")
            record(True)

    def _fail(self, label, problem, hint):
        self.failed += 1
        if problem == self._last_problem:  # one cause, many symptoms: say it once
            report("  ✗ " + _tr(f"{label}: the same problem"), failed=True)
        else:
            if isinstance(hint, tuple):  # sentences translated one by one, then joined
                hint = " ".join(_tr(sentence) for sentence in hint if sentence)
            report(f"  ✗ {_tr(label)}{_mark(': ')}{problem}" + ("\n    " + _tr(f"Hint: {hint}") if hint else ""),
                   failed=True)
        self._last_problem = problem
        record(False)

    @property
    def ok(self):
        """True when every check passed."""
        return self.failed == 0


# -- inputs of the hidden tests' kinds ------------------------------------------------

def with_zeros(rng, shape, scale=1.0, dtype=np.float64):
    """Normal values, about a third of them exactly 0."""
    values = rng.normal(0.0, scale, size=shape)
    return np.where(rng.uniform(size=shape) < 0.35, 0.0, values).astype(dtype)


def spread(rng, shape, magnitude=1e4, dtype=np.float64):
    """Values spread up to ±magnitude, the two extremes included."""
    values = magnitude * (2 * rng.uniform(size=int(np.prod(shape))) - 1)
    values[:2] = [-magnitude, magnitude]
    return rng.permutation(values).reshape(shape).astype(dtype)


def away_from(rng, shape, kinks=(0.0,), gap=1e-3, scale=2.0):
    """Normal values at least `gap` away from every kink (where a numerical gradient is meaningless)."""
    values = rng.normal(0.0, scale, size=shape)
    for kink in kinks:
        offset = values - kink
        values = np.where(np.abs(offset) < gap, kink + np.copysign(3 * gap, offset), values)
    return values
