"""Numerical gradients by central differences, to check hand-written backward passes."""
import numpy as np

from coursekit.checking import record, report
from coursekit.i18n import _tr


def numerical_gradient(f, x, dout, h=1e-5):
    """Gradient of `sum(f(x) * dout)` with respect to `x` by central differences.

    Parameters
    ----------
    f : callable
        Maps an array shaped like `x` to an array shaped like `dout`. It is
        called with perturbed copies of `x`; `x` itself is never changed.
    x : ndarray, any shape
        Point at which to differentiate. Use float64: in float32 the rounding
        error of `f` swamps the difference quotient.
    dout : ndarray, shape of `f(x)`
        Upstream gradient, i.e. dL/d(out).
    h : float
        Step. 1e-5 balances truncation error O(h²) against rounding error O(ε/h).

    Returns
    -------
    ndarray, shape of `x`
        `dx[i] = sum((f(x + h e_i) - f(x - h e_i)) * dout) / (2 h)`.
    """
    x = np.array(x, dtype=np.float64)  # private copy, perturbed in place
    dout = np.asarray(dout, dtype=np.float64)
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        plus = np.asarray(f(x.copy()), dtype=np.float64)
        x[i] = old - h
        minus = np.asarray(f(x.copy()), dtype=np.float64)
        x[i] = old
        grad[i] = np.sum((plus - minus) * dout) / (2 * h)
    return grad


def check_gradient(name, f, x, dout, analytic, tol=1e-7, h=1e-5, hint=""):
    """Compare an analytic gradient with the numerical one and print the verdict.

    Parameters
    ----------
    name : str
        What is checked, e.g. `"relu_backward: dx"`.
    f, x, dout, h
        As for `numerical_gradient`.
    analytic : ndarray, shape of `x`
        The gradient your backward pass returned.
    tol : float
        Largest relative error accepted (1e-7 is right for float64 inputs away
        from kinks).
    hint : str
        Shown on failure: the usual cause of a wrong gradient here. Default:
        the chain rule reminder.

    Returns
    -------
    bool
        True when the relative error is below `tol`.
    """
    numeric = numerical_gradient(f, x, dout, h=h)
    if analytic is None:
        report(_tr(f"✗ {name}: your function returned None (a missing `return`?)."), failed=True)
        return record(False)
    analytic = np.asarray(analytic)
    if analytic.shape != numeric.shape:
        report(_tr(f"✗ {name}: your gradient has shape {analytic.shape}, expected {numeric.shape} "
                  "(the shape of the input)."), failed=True)
        return record(False)
    analytic = analytic.astype(np.float64)
    denom = np.maximum(np.abs(analytic) + np.abs(numeric), 1e-12)
    with np.errstate(invalid="ignore"):
        errors = np.abs(analytic - numeric) / denom
    errors = np.where(np.isnan(errors), np.inf, errors)
    err = float(np.max(errors)) if numeric.size else 0.0
    if err < tol:
        report(_tr(f"✓ {name}: relative error {err:.1e} (< {tol:.0e})."))
        return record(True)
    worst = np.unravel_index(np.argmax(errors), numeric.shape)
    index = tuple(int(i) for i in worst)
    lines = [_tr(f"✗ {name}: relative error {err:.1e} (should be < {tol:.0e})."),
             "  " + _tr(f"at index {index}: numerical {numeric[worst]:.6g}, yours {analytic[worst]:.6g}")]
    if not np.isfinite(analytic).all():
        lines.append("  " + _tr("Your gradient contains NaN or inf."))
    hint = hint or _tr("check the chain rule: multiply by dout, and by the local derivative at the forward input.")
    lines.append("  " + _tr(f"Hint: {hint}"))
    report("\n".join(lines), failed=True)
    return record(False)
