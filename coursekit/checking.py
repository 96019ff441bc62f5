"""Compare a learner's result with an expected one and explain any difference."""
import numpy as np


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
        ``max |x - y| / max(|x| + |y|, eps)``; below about 1e-7 means "equal"
        for float64 gradients, about 1e-3 for float32.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    return float(np.max(np.abs(x - y) / np.maximum(np.abs(x) + np.abs(y), eps)))


def check_close(name, got, expected, rtol=1e-7, atol=1e-10, hint=""):
    """Print a friendly verdict comparing ``got`` with ``expected``.

    Unlike a bare ``assert``, the output says what was expected, what came
    back, where the largest difference is and what to look at.

    Parameters
    ----------
    name : str
        What is being checked, e.g. ``"sigmoid_forward: out"``.
    got, expected : array_like or float
    rtol, atol : float
        Passes when ``|got - expected| <= atol + rtol * |expected|`` everywhere
        (the rule of ``numpy.testing.assert_allclose``).
    hint : str
        Shown on failure: the usual cause of this kind of mistake.

    Returns
    -------
    bool
        True when the check passed.
    """
    expected = np.asarray(expected)
    try:
        got_arr = np.asarray(got)
    except Exception as exc:  # an object NumPy cannot read
        print(f"✗ {name}: could not read the result as an array ({exc!r}).")
        return False
    if got_arr.shape != expected.shape:
        print(f"✗ {name}: shape {got_arr.shape}, expected shape {expected.shape}.")
        if hint:
            print(f"  Hint: {hint}")
        return False
    if not np.issubdtype(got_arr.dtype, np.number) and got_arr.dtype != bool:
        print(f"✗ {name}: got values of type {got_arr.dtype}, expected numbers.")
        return False
    got64 = got_arr.astype(np.float64)
    exp64 = expected.astype(np.float64)
    diff = np.abs(got64 - exp64)
    # NaN anywhere (or in one array only) is a failure, and reported as such.
    bad = ~(diff <= atol + rtol * np.abs(exp64))
    if not bad.any():
        largest = float(diff.max()) if diff.size else 0.0
        print(f"✓ {name}: matches (largest difference {largest:.2e}).")
        return True
    worst = np.unravel_index(np.argmax(np.where(np.isnan(diff), np.inf, diff)), diff.shape) if diff.ndim else ()
    print(f"✗ {name}: {int(bad.sum())} of {bad.size} values differ.")
    print(f"  at index {tuple(int(i) for i in worst)}: expected {float(exp64[worst]):.8g}, got {float(got64[worst]):.8g}")
    if np.isnan(got64).any():
        print("  Your result contains NaN: look for 0/0, log(0) or exp overflow.")
    else:
        print(f"  largest difference {float(np.nanmax(diff)):.3e} (allowed: {atol:.0e} + {rtol:.0e}·|expected|)")
    if expected.size <= 12:
        print(f"  expected: {np.array2string(exp64, precision=6)}")
        print(f"  got:      {np.array2string(got64, precision=6)}")
    if hint:
        print(f"  Hint: {hint}")
    return False
