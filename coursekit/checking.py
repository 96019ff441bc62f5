"""Compare a learner's result with an expected one, explain any difference, keep the score.

The check functions print one line per check, ✓ or ✗, and on a failure say
in words what differs (shape, dtype, the offending index, NaN) with a hint.
Inside `with checks("sigmoid_forward"):` they also count towards that
function's line in `summary`, the "Before you submit" table at the end
of every exercise notebook; the block also turns an unfinished function
(`raise NotImplementedError()`) or a crash into one readable line instead of
a traceback, and it keeps a cell from ending with a bare `True`.

Every message goes through `_tr` (`coursekit.i18n`): a notebook in another
language prints it in that language.
"""
import linecache
import sys
import warnings

import numpy as np

from coursekit.i18n import _tr


def rel_error(x, y, eps=1e-12):
    """Largest element-wise relative error between two arrays.

    Parameters
    ----------
    x, y : array_like, same shape
    eps : float
        Floor of the denominator, so that two exact zeros give 0, not NaN.

    Returns
    -------
    float
        `max |x - y| / max(|x| + |y|, eps)`; below about 1e-7 means "equal"
        for float64 gradients, about 1e-3 for float32.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    return float(np.max(np.abs(x - y) / np.maximum(np.abs(x) + np.abs(y), eps)))


# -- keeping the score ---------------------------------------------------------

# function name -> {"passed": n, "failed": n, "status": "checked" | "todo" | "error",
#                   "detail": str, "defined": id of the function object checked}
_SCORES = {}
_ACTIVE = []  # names of the functions whose `with checks(...)` blocks are running


def report(text, failed=False):
    """Print a verdict. Failures go to stderr, after flushing stdout so that the lines keep their order.

    Jupyter shows stderr on a red background, and `nbgrader validate` (the
    Validate button) counts a cell that wrote to stderr as failed: an
    unfinished or wrong function fails validation, without a traceback.
    """
    if not failed:
        print(text)
        return
    sys.stdout.flush()
    print(text, file=sys.stderr)
    sys.stderr.flush()


def record(passed):
    """Count one check for the function of the enclosing `with checks(...)` block (if any).

    Parameters
    ----------
    passed : bool

    Returns
    -------
    bool
        `passed`, unchanged.
    """
    if _ACTIVE:
        score = _SCORES[_ACTIVE[-1]]
        score["passed" if passed else "failed"] += 1
    return passed


def _where(tb):
    """`(function, line number, source line)` of the innermost frame of `tb` outside installed packages."""
    found = None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not any(part in filename for part in ("site-packages", "dist-packages", f"{sys.prefix}/lib")):
            line = linecache.getline(filename, tb.tb_lineno, tb.tb_frame.f_globals).strip()
            found = (tb.tb_frame.f_code.co_name, tb.tb_lineno, line)
        tb = tb.tb_next
    return found


def _raiser(tb):
    """Name of the function that raised: the innermost frame of the traceback."""
    name = None
    while tb is not None:
        name = tb.tb_frame.f_code.co_name
        tb = tb.tb_next
    return name


def describe_exception(exc, tb=None, indent="  "):
    """One or two lines saying what went wrong and where, for a learner.

    Parameters
    ----------
    exc : BaseException
    tb : traceback, optional
        Defaults to `exc.__traceback__`.
    indent : str
        Put before the second line (where it happened).

    Returns
    -------
    str
    """
    tb = exc.__traceback__ if tb is None else tb
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if isinstance(exc, ValueError) and "read-only" in str(exc):
        text += _tr(" (your function wrote into an array it was given: work on a copy or build a new array)")
    where = _where(tb)
    if where is not None:
        function, lineno, line = where
        text += f"\n{indent}" + (_tr(f"in {function}, line {lineno}: {line}") if line
                                   else _tr(f"in {function}, line {lineno}"))
    return text


class checks:
    """Group the checks of one graded function: `with checks("relu_forward"): ...`.

    Inside the block, every ✓ and ✗ counts towards `function` in
    `summary`. The block never ends a cell with a bare `True`; an
    unfinished function prints "not implemented yet" and an error in your code
    prints one ✗ line saying what and where, instead of a traceback (the
    cells after it still run).

    Parameters
    ----------
    function : str
        Name of the graded function the block checks.
    namespace : dict, optional
        Where the function is defined (the notebook's `globals()`). Default:
        the namespace of the caller. Used to notice a function redefined
        after its checks ran.
    """

    def __init__(self, function, namespace=None):
        self.function = function
        self.namespace = namespace if namespace is not None else sys._getframe(1).f_globals

    def __enter__(self):
        defined = self.namespace.get(self.function)
        _SCORES[self.function] = {"passed": 0, "failed": 0, "status": "checked", "detail": "",
                                  "defined": id(defined) if defined is not None else None}
        _ACTIVE.append(self.function)
        # The checks judge results: a harmless RuntimeWarning of a right answer (exp overflowing to inf in
        # 1 / (1 + exp(-x))) must not print in red, or make `nbgrader validate` fail.
        self._warnings = warnings.catch_warnings()
        self._warnings.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)
        self._errstate = np.errstate(all="ignore")
        self._errstate.__enter__()
        return self

    def __exit__(self, kind, exc, tb):
        self._errstate.__exit__(None, None, None)
        self._warnings.__exit__(None, None, None)
        _ACTIVE.pop()
        if kind is None:
            return False
        score = _SCORES[self.function]
        if issubclass(kind, NotImplementedError):
            missing = _raiser(tb)
            if missing is None or missing.startswith("<"):  # raised in the cell itself, not in a function
                missing = self.function
            score["status"], score["detail"] = "todo", missing
            if missing == self.function:
                report(_tr(f"… {self.function}: not implemented yet (replace `raise NotImplementedError()` with your "
                          "code, then run this cell again)."), failed=True)
            else:
                report(_tr(f"… {self.function}: these checks need {missing}, which is not implemented yet."),
                       failed=True)
            return True
        if issubclass(kind, Exception):
            score["status"] = "error"
            score["failed"] += 1
            report(_tr(f"✗ {self.function}: the checks stopped with an error.") + f"\n  {describe_exception(exc, tb)}",
                   failed=True)
            return True
        return False  # KeyboardInterrupt and friends go through


def summary(points, namespace=None):
    """Print the "Before you submit" table: per graded function, ✓ or ✗ and the points at stake.

    Parameters
    ----------
    points : dict
        `{function name: points}`, in the notebook's order.
    namespace : dict, optional
        The notebook's `globals()` (default: the caller's), to notice a
        function changed after its checks ran.

    Returns
    -------
    None
        Prints only.
    """
    namespace = namespace if namespace is not None else sys._getframe(1).f_globals
    width = max(len(name) for name in points)
    done = 0
    total = sum(points.values())
    print(_tr("Your visible and practice checks, per graded function:") + "\n")
    for name, pts in points.items():
        score = _SCORES.get(name)
        label = _tr(f"{pts:g} point") if pts == 1 else _tr(f"{pts:g} points")
        current = namespace.get(name)
        if score is None:
            mark, text = "?", _tr("checks not run yet: run the cell with its checks")
        elif score["status"] == "todo":
            mark = "…"
            text = (_tr("not implemented yet") if score["detail"] == name
                    else _tr(f"not checked: its checks need {score['detail']}, not implemented yet"))
        elif current is not None and score["defined"] is not None and id(current) != score["defined"]:
            mark, text = "?", _tr("changed since its checks ran: run its checks again")
        elif score["failed"]:
            mark = "✗"
            n = score["passed"] + score["failed"]
            text = (_tr(f"{score['failed']} of {n} checks failed: scroll up to its checks")
                    if score["status"] == "checked"
                    else _tr("its checks stopped with an error: scroll up to its checks"))
        else:
            mark, text = "✓", _tr(f"all {score['passed']} checks pass")
            done += pts
        print(f"  {mark} {name:<{width}}  {label:>9}   {text}")
    print("\n" + _tr(f"Visible checks pass for functions worth {done:g} of {total:g} points."))
    if done == total:
        print(_tr("Well done. A ✓ means your code passes these checks; the hidden tests try other inputs of the same "
                 "kinds, so a ✓ makes full marks likely, not certain."))
    else:
        print(_tr("Fix the functions marked ✗ or … above; ? means: run that function's checks (Restart & Run All "
                 "does it)."))


# -- checks --------------------------------------------------------------------

def _dtype_hint(got_dtype, expected_dtype):
    if expected_dtype == np.float32 and got_dtype == np.float64:
        return _tr("float32 in gives float32 out: something in your code made float64 values "
                  "(np.zeros(shape) without dtype=x.dtype, np.array(..., dtype=float), a NumPy float64 constant...).")
    if got_dtype == np.bool_:
        return _tr("a comparison gives True/False: turn it into numbers with .astype(...).")
    if np.issubdtype(got_dtype, np.integer) and np.issubdtype(expected_dtype, np.floating):
        return _tr("integer input should give floating output: convert with x.astype(np.float64) first.")
    return ""


def _hint(hint):
    """The line `  Hint: ...` under a failed check (nothing without a hint)."""
    return "  " + _tr(f"Hint: {hint}") if hint else ""


def _passed(text):
    report(text)
    return record(True)


def _failed(*lines):
    report("\n".join(line for line in lines if line), failed=True)
    return record(False)


def check_dtype(name, got, expected_dtype, hint=""):
    """Print whether `got` (an array) has the dtype `expected_dtype`.

    Parameters
    ----------
    name : str
        What is being checked, e.g. `"sigmoid_forward: float32 stays float32"`.
    got : ndarray
    expected_dtype : dtype or str
    hint : str
        Shown on failure, after the usual causes.

    Returns
    -------
    bool
        True when the dtypes agree.
    """
    expected_dtype = np.dtype(expected_dtype)
    got_dtype = getattr(got, "dtype", None)
    if got_dtype is None:
        return _failed(_tr(f"✗ {name}: your result is a {type(got).__name__}, expected an array of dtype "
                          f"{expected_dtype}."))
    if got_dtype == expected_dtype:
        return _passed(_tr(f"✓ {name}: dtype {got_dtype}."))
    return _failed(_tr(f"✗ {name}: your result has dtype {got_dtype}, expected {expected_dtype}."),
                   _hint(hint or _dtype_hint(got_dtype, expected_dtype)))


def check_true(name, condition, problem="", hint=""):
    """Print ✓ when `condition` holds, else ✗ with `problem` (what is wrong, in words).

    Parameters
    ----------
    name : str
        The property checked, e.g. `"sgd_step: params left unchanged"`.
    condition : bool
    problem : str
        On failure, what was found instead (`"got the keys ['W']"`).
    hint : str
        On failure, the usual cause.

    Returns
    -------
    bool
    """
    if bool(condition):
        return _passed(_tr(f"✓ {name}."))
    return _failed(_tr(f"✗ {name}: {problem}.") if problem else _tr(f"✗ {name}: no."), _hint(hint))


def check_close(name, got, expected, rtol=1e-7, atol=1e-10, hint="", dtype=None):
    """Print a friendly verdict comparing `got` with `expected`.

    Unlike a bare `assert`, the output says what was expected, what came
    back, where the largest difference is and what to look at.

    Parameters
    ----------
    name : str
        What is being checked, e.g. `"sigmoid_forward: out"`.
    got, expected : array_like or float
    rtol, atol : float
        Passes when `|got - expected| <= atol + rtol * |expected|` everywhere
        (the rule of `numpy.testing.assert_allclose`).
    hint : str
        Shown on failure: the usual cause of this kind of mistake.
    dtype : dtype, optional
        Also require this dtype of `got` (e.g. `np.float32`).

    Returns
    -------
    bool
        True when the check passed.
    """
    expected = np.asarray(expected)
    hint_line = _hint(hint)
    if got is None:
        return _failed(_tr(f"✗ {name}: your function returned None (a missing `return`?)."))
    try:
        got_arr = np.asarray(got)
    except Exception as exc:  # an object NumPy cannot read, e.g. arrays of different shapes
        return _failed(_tr(f"✗ {name}: could not read your result as an array ({type(exc).__name__}: {exc})."))
    if got_arr.shape != expected.shape:
        why = ""
        if got_arr.size == expected.size and got_arr.size > 1:
            why = "  " + _tr("The number of values is right: an axis too many or too few, or a transposed result?")
        elif got_arr.ndim == expected.ndim - 1 or (got_arr.ndim == 0 and expected.ndim > 0):
            why = "  " + _tr("An axis is missing: a sum or mean over an axis that should stay (keepdims=True?), "
                            "or np.max/np.min where np.maximum/np.minimum was meant?")
        return _failed(_tr(f"✗ {name}: your result has shape {got_arr.shape}, expected shape {expected.shape}."), why,
                       hint_line)
    if got_arr.dtype == object or not (np.issubdtype(got_arr.dtype, np.number) or got_arr.dtype == bool):
        return _failed(_tr(f"✗ {name}: your result holds values of type {got_arr.dtype}, expected numbers."))
    if got_arr.dtype == bool and expected.dtype != bool:
        return _failed(_tr(f"✗ {name}: your result holds True/False values (dtype bool), expected numbers."),
                       _hint(_dtype_hint(got_arr.dtype, np.dtype(np.float64))))
    if dtype is not None and got_arr.dtype != np.dtype(dtype):
        return _failed(_tr(f"✗ {name}: your result has dtype {got_arr.dtype}, expected {np.dtype(dtype)}."),
                       _hint(_dtype_hint(got_arr.dtype, np.dtype(dtype))))
    got64 = got_arr.astype(np.float64)
    exp64 = expected.astype(np.float64)
    diff = np.abs(got64 - exp64)
    # NaN anywhere (or in one array only) is a failure, and reported as such.
    with np.errstate(invalid="ignore"):
        bad = ~(diff <= atol + rtol * np.abs(exp64))
        bad &= ~((got64 == exp64) & np.isinf(exp64))  # inf where inf is expected
    if not bad.any():
        finite = diff[np.isfinite(diff)]
        largest = float(finite.max()) if finite.size else 0.0
        return _passed(_tr(f"✓ {name}: matches (largest difference {largest:.2e})."))
    # The worst offender: NaN or inf first, else the largest difference among the failing values.
    score = np.where(bad, np.where(np.isnan(diff), np.inf, diff), -1.0)
    worst = np.unravel_index(np.argmax(score), diff.shape) if diff.ndim else ()
    expected_value, got_value = f"{float(exp64[worst]):.8g}", f"{float(got64[worst]):.8g}"
    if bad.size == 1:
        lines = [_tr(f"✗ {name}: the value differs; expected {expected_value}, got {got_value}.")]
    else:
        index = tuple(int(i) for i in worst)
        lines = [_tr(f"✗ {name}: {int(bad.sum())} of {bad.size} values differ; at index {index}: "
                    f"expected {expected_value}, got {got_value}.")]
    if np.isnan(got64[bad]).any():
        lines.append("  " + _tr("Your result contains NaN: look for 0/0, inf - inf, log of a negative number, "
                               "or exp overflow."))
    elif np.isinf(got64[bad]).any():
        lines.append("  " + _tr("Your result contains inf: an overflow (exp of a large number?) "
                                "or a division by zero."))
    else:
        lines.append("  " + _tr(f"largest difference {float(np.nanmax(diff[bad])):.3e} "
                               f"(allowed: {atol:.0e} + {rtol:.0e}·|expected|)"))
    if 1 < expected.size <= 12:
        lines.append("  " + _tr(f"expected: {np.array2string(exp64, precision=6)}"))
        lines.append("  " + _tr(f"got:      {np.array2string(got64, precision=6)}"))
    return _failed(*lines, hint_line)
