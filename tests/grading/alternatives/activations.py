"""Right activations written differently from the answer module."""
import math
import sys

import numpy as np

from solutions.activations import LeakyReluCache, ReluCache, SigmoidCache, SoftmaxCache, TanhCache


def _float(x):
    x = np.asarray(x)
    return x if np.issubdtype(x.dtype, np.floating) else x.astype(np.float64)


def _elementwise(fn, x):
    """Apply the Python-float function ``fn`` to every element, keeping shape and dtype."""
    x = _float(x)
    out = np.empty_like(x)
    for idx in np.ndindex(x.shape):
        out[idx] = fn(float(x[idx]))
    return out


# -- sigmoid -------------------------------------------------------------------

def sigmoid_via_tanh(x):
    """``sigma(x) = (1 + tanh(x / 2)) / 2``: tanh saturates, nothing overflows."""
    x = _float(x)
    out = 0.5 * (1 + np.tanh(0.5 * x))
    return out, SigmoidCache(out)


def sigmoid_naive_with_overflow(x):
    """The literal ``1 / (1 + exp(-x))``: overflows to inf for x = -1e4 (RuntimeWarning), and 1 / inf = 0 is exact."""
    x = _float(x)
    out = 1 / (1 + np.exp(-x))
    return out, SigmoidCache(out)


def sigmoid_where_discarded_overflow(x):
    """Two-branch ``np.where`` computing both branches on all of ``x``: the overflowing branch is discarded."""
    x = _float(x)
    out = np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x)))
    return out, SigmoidCache(out)


def sigmoid_loop(x):
    """A Python loop over the elements with ``math.exp`` of a non-positive number."""
    def s(v):
        if v >= 0:
            return 1 / (1 + math.exp(-v))
        e = math.exp(v)
        return e / (1 + e)

    out = _elementwise(s, x)
    return out, SigmoidCache(out)


def sigmoid_backward_expanded(dout, cache):
    """``dout * (s - s**2)``: the product expanded."""
    s = cache.out
    return dout * (s - s * s)


def sigmoid_backward_float64(dout, cache):
    """Computed in float64, cast back to the dtype of ``dout``."""
    s = cache.out.astype(np.float64)
    return (dout.astype(np.float64) * s * (1 - s)).astype(np.result_type(dout, cache.out))


# -- tanh ----------------------------------------------------------------------

def tanh_via_sigmoid(x):
    """``tanh(x) = 2 sigma(2x) - 1`` with a stable sigmoid."""
    x = _float(x)
    z = np.exp(-np.abs(2 * x))
    s = np.where(x >= 0, 1 / (1 + z), z / (1 + z))
    out = 2 * s - 1
    return out, TanhCache(out)


def tanh_loop(x):
    """``math.tanh`` element by element."""
    out = _elementwise(math.tanh, x)
    return out, TanhCache(out)


def tanh_backward_factored(dout, cache):
    """``dout * (1 - t) * (1 + t)``: the difference of squares factored."""
    t = cache.out
    return dout * (1 - t) * (1 + t)


# -- ReLU ----------------------------------------------------------------------

def relu_times_mask(x):
    """``x * (x > 0)``: gives -0.0 for negative input, which equals 0."""
    x = _float(x)
    return x * (x > 0), ReluCache(x)


def relu_caches_copy(x):
    """Caches a copy of the input (the reference keeps the caller's array itself)."""
    x = _float(x)
    return np.maximum(x, 0), ReluCache(x.copy())


def relu_clip_and_print(x):
    """``np.clip(x, 0, None)``, with a debugging print left in."""
    x = _float(x)
    print("relu_forward: input shape", x.shape)
    return np.clip(x, 0, None), ReluCache(x)


def relu_loop(x):
    """``max(v, 0.0)`` element by element."""
    x = _float(x)
    return _elementwise(lambda v: max(v, 0.0), x), ReluCache(x)


def relu_backward_times_mask(dout, cache):
    """``dout * (x > 0)``."""
    return dout * (cache.x > 0)


def relu_backward_copy_then_zero(dout, cache):
    """Copies ``dout`` first, then zeroes the copy where ``x <= 0`` (the safe version of Saito's in-place code)."""
    dx = np.array(dout, copy=True)
    dx[cache.x <= 0] = 0
    return dx


# -- leaky ReLU ----------------------------------------------------------------

def leaky_relu_masks(x, alpha=0.01):
    """Adds the two pieces: ``x * (x > 0) + alpha * x * (x <= 0)`` (boolean masks keep the dtype of ``x``)."""
    x = _float(x)
    return x * (x > 0) + alpha * x * (x <= 0), LeakyReluCache(x, alpha)


def leaky_relu_float64(x, alpha=0.01):
    """Computed in float64 with the slope as a float64 array, cast back to the dtype of ``x``."""
    x = _float(x)
    x64 = x.astype(np.float64)
    out = np.where(x64 > 0, x64, np.float64(alpha) * x64).astype(x.dtype)
    return out, LeakyReluCache(x, alpha)


def leaky_relu_backward_slope_array(dout, cache):
    """Builds the local slope array ``where(x > 0, 1, alpha)`` and multiplies."""
    slope = np.where(cache.x > 0, 1.0, cache.alpha).astype(cache.x.dtype)
    return dout * slope


# -- softmax -------------------------------------------------------------------

def softmax_via_logsumexp(x, axis=-1):
    """``exp((x - m) - log(sum(exp(x - m))))``: the log-softmax first, then its exponential."""
    x = _float(x)
    shifted = x - np.max(x, axis=axis, keepdims=True)
    out = np.exp(shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True)))
    return out, SoftmaxCache(out, axis)


def softmax_minus_logsumexp(x, axis=-1):
    """``exp(x - logsumexp(x))`` with ``logsumexp = m + log(sum(exp(x - m)))`` (older SciPy's ``softmax``)."""
    x = _float(x)
    m = np.max(x, axis=axis, keepdims=True)
    lse = m + np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))
    out = np.exp(x - lse)
    return out, SoftmaxCache(out, axis)


def softmax_loop_over_rows(x, axis=-1):
    """Moves ``axis`` last and normalises one row at a time in a Python loop."""
    x = _float(x)
    moved = np.moveaxis(x, axis, -1)
    out = np.empty_like(moved)
    for idx in np.ndindex(moved.shape[:-1]):
        row = moved[idx]
        e = np.exp(row - row.max())
        out[idx] = e / e.sum()
    out = np.moveaxis(out, -1, axis)
    return out, SoftmaxCache(out, axis)


def softmax_axis_as_positive(x, axis=-1):
    """Stores the axis in the cache as a non-negative index (``axis % x.ndim``: 1 for -1 on 2-D scores)."""
    x = _float(x)
    axis = axis % x.ndim
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    out = e / np.sum(e, axis=axis, keepdims=True)
    return out, SoftmaxCache(out, axis)


def softmax_float64(x, axis=-1):
    """Computed in float64, cast back to the dtype of ``x`` (also for float32 scores up to ±1e4)."""
    x = _float(x)
    x64 = x.astype(np.float64)
    e = np.exp(x64 - x64.max(axis=axis, keepdims=True))
    out = (e / e.sum(axis=axis, keepdims=True)).astype(x.dtype)
    print("softmax_forward: done", file=sys.stderr)
    return out, SoftmaxCache(out, axis)


def softmax_backward_jacobian(dout, cache):
    """Forms the Jacobian ``diag(s) - s s^T`` of every row explicitly (a loop over rows)."""
    s = np.moveaxis(cache.out, cache.axis, -1)
    g = np.moveaxis(dout, cache.axis, -1)
    dx = np.empty_like(g)
    for idx in np.ndindex(s.shape[:-1]):
        jac = np.diag(s[idx]) - np.outer(s[idx], s[idx])
        dx[idx] = jac.T @ g[idx]
    return np.moveaxis(dx, -1, cache.axis)


def softmax_backward_expanded(dout, cache):
    """``s * dout - s * sum(s * dout)``: the product distributed."""
    s, axis = cache.out, cache.axis
    return s * dout - s * np.sum(s * dout, axis=axis, keepdims=True)


ALTERNATIVES = {
    "activations.sigmoid_forward": [sigmoid_via_tanh, sigmoid_naive_with_overflow, sigmoid_where_discarded_overflow,
                                    sigmoid_loop],
    "activations.sigmoid_backward": [sigmoid_backward_expanded, sigmoid_backward_float64],
    "activations.tanh_forward": [tanh_via_sigmoid, tanh_loop],
    "activations.tanh_backward": [tanh_backward_factored],
    "activations.relu_forward": [relu_times_mask, relu_clip_and_print, relu_loop, relu_caches_copy],
    "activations.relu_backward": [relu_backward_times_mask, relu_backward_copy_then_zero],
    "activations.leaky_relu_forward": [leaky_relu_masks, leaky_relu_float64],
    "activations.leaky_relu_backward": [leaky_relu_backward_slope_array],
    "activations.softmax_forward": [softmax_via_logsumexp, softmax_minus_logsumexp, softmax_loop_over_rows,
                                    softmax_float64, softmax_axis_as_positive],
    "activations.softmax_backward": [softmax_backward_jacobian, softmax_backward_expanded],
}

# {alternative: (what goes wrong, seeds of students for whom it fails)}
