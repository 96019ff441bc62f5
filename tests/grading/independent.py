"""Wrong implementations written apart from the catalogue: the yardstick of the grader's diagnosis.

These are mistakes as a learner would write them, from the exercises'
docstrings and the usual slips of CS231n-style code, not edited copies of the
catalogue's entries: other formulas, other NumPy calls, other orders of
operations, and some mistakes (or pairs of mistakes) that the catalogue does
not hold at all. Each says which diagnoses would be right (``expect``: the
catalogue ids that name the mistake it makes, empty when no entry does).
``test_independent.py`` grades them and measures how many get a right,
specific diagnosis; none may get a wrong one.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from solutions.activations import LeakyReluCache, ReluCache, SigmoidCache, SoftmaxCache
from solutions.normalization import BatchNormCache, LayerNormCache, RunningStats
from solutions.preprocessing import PCAParams


@dataclass(frozen=True)
class Independent:
    """A wrong implementation of ``qualname`` and the diagnoses that would name its mistake."""

    qualname: str
    function: Callable
    expect: frozenset[str]
    why: str

    @property
    def name(self) -> str:
        return self.function.__name__


# -- perceptron ----------------------------------------------------------------------------

def step_heaviside_one(x):
    x = np.asarray(x)
    dt = x.dtype if x.dtype.kind == "f" else np.float64
    return np.heaviside(x.astype(dt), 1.0).astype(dt)


def forward_ge_as_float(x, w, b):
    z = np.dot(x, w) + b
    return (z >= 0).astype(float)


# -- activations ---------------------------------------------------------------------------

def sigmoid_plus_sign(x):
    x = np.asarray(x, dtype=float) if np.asarray(x).dtype.kind != "f" else np.asarray(x)
    out = 1.0 / (1.0 + np.exp(x))
    return out, SigmoidCache(out)


def sigmoid_backward_s_squared(dout, cache):
    s = cache.out
    return dout * s * s


def tanh_backward_square_outside(dout, cache):
    return dout * (1 - cache.out) ** 2


def relu_times_mask_caches_out(x):
    out = x * (x > 0)
    return out, ReluCache(out)


def relu_backward_nonnegative_mask(dout, cache):
    return dout * (cache.x >= 0)


def leaky_relu_max_of_two(x, alpha=0.01):
    out = np.maximum(alpha * x, x)
    return out, LeakyReluCache(x, alpha)


def leaky_relu_backward_slope_array(dout, cache):
    return dout * np.where(cache.x > 0, 1.0, cache.alpha)


def softmax_shift_by_overall_max(x, axis=-1):
    shifted = x - x.max()
    e = np.exp(shifted)
    out = e / e.sum(axis=axis, keepdims=True)
    return out, SoftmaxCache(out, axis)


def softmax_divide_by_max(x, axis=-1):
    z = x / np.max(np.abs(x), axis=axis, keepdims=True)
    e = np.exp(z)
    out = e / e.sum(axis=axis, keepdims=True)
    return out, SoftmaxCache(out, axis)


def softmax_backward_plus_sign(dout, cache):
    s = cache.out
    return s * (dout + (dout * s).sum(axis=cache.axis, keepdims=True))


# -- losses --------------------------------------------------------------------------------

def mse_divides_by_batch(pred, target):
    diff = pred - target
    n = len(diff)
    return float((diff ** 2).sum() / n), 2 * diff / n


def cross_entropy_log_of_probs(scores, y):
    shifted = scores - scores.max(axis=1, keepdims=True)
    probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    n = scores.shape[0]
    loss = -np.log(probs[np.arange(n), y]).mean()
    dscores = probs.copy()
    dscores[np.arange(n), y] -= 1
    return float(loss), dscores / n


def cross_entropy_gradient_not_averaged(scores, y):
    n = scores.shape[0]
    shifted = scores - np.max(scores, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    loss = -np.sum(log_probs[np.arange(n), y]) / n
    dscores = np.exp(log_probs)
    dscores[np.arange(n), y] -= 1
    return float(loss), dscores


def bce_gradient_not_averaged(logits, target):
    z = logits
    t = target.astype(z.dtype)
    loss = np.mean(np.maximum(z, 0) - z * t + np.log(1 + np.exp(-np.abs(z))))
    p = np.where(z >= 0, 1 / (1 + np.exp(-np.abs(z))), np.exp(-np.abs(z)) / (1 + np.exp(-np.abs(z))))
    return float(loss), p - t


def hinge_delta_one(scores, y, margin=1.0):
    n = scores.shape[0]
    correct = scores[np.arange(n), y][:, None]
    margins = np.maximum(0, scores - correct + 1.0)
    margins[np.arange(n), y] = 0
    loss = margins.sum() / n
    mask = (margins > 0).astype(scores.dtype)
    mask[np.arange(n), y] = -mask.sum(axis=1)
    return float(loss), mask / n


def smooth_l1_beta_on_linear_part(pred, target, beta=1.0):
    d = pred - target
    small = np.abs(d) < beta
    loss = np.where(small, 0.5 * d ** 2, beta * np.abs(d) - 0.5 * beta ** 2)
    grad = np.where(small, d, beta * np.sign(d))
    return float(loss.mean()), grad / d.size


# -- preprocessing -------------------------------------------------------------------------

def standardize_fit_sample_std_zero_check(x):
    from solutions.preprocessing import StandardizeParams

    mu = x.mean(axis=0)
    sd = x.std(axis=0, ddof=1)
    sd[sd == 0] = 1.0
    return StandardizeParams(mean=mu, scale=sd)


def center_with_own_mean(x, params):
    return x - np.mean(x, axis=0)


def pca_svd_without_sign_flip(x, n_components=None):
    x = np.asarray(x, dtype=float) if np.asarray(x).dtype.kind != "f" else np.asarray(x)
    n, d = x.shape
    k = min(n, d) if n_components is None else n_components
    mu = x.mean(axis=0)
    _, s, vt = np.linalg.svd(x - mu, full_matrices=False)
    var = s ** 2 / (n - 1)
    total = var.sum()
    ratio = var / total if total > 0 else np.zeros_like(var)
    return PCAParams(mean=mu, components=vt[:k], explained_variance=var[:k], explained_variance_ratio=ratio[:k])


def whiten_with_transpose(x, params):
    return (x - params.mean) @ params.matrix.T


# -- normalization -------------------------------------------------------------------------

def batchnorm_running_var_of_batch(x, gamma, beta, running, training=True, momentum=0.1, eps=1e-5):
    if training:
        mu = np.mean(x, axis=0)
        var = np.var(x, axis=0)
        new_running = RunningStats((1 - momentum) * running.mean + momentum * mu,
                                   (1 - momentum) * running.var + momentum * var)
    else:
        mu, var = running.mean, running.var
        new_running = running
    std = np.sqrt(var + eps)
    xhat = (x - mu) / std
    cache = BatchNormCache(xhat, gamma, x - mu, var, std, 1.0 / std, training)
    return gamma * xhat + beta, cache, new_running


def layernorm_over_axis_zero(x, gamma, beta, eps=1e-5):
    mu = x.mean(axis=0, keepdims=True)
    inv = 1.0 / np.sqrt(x.var(axis=0, keepdims=True) + eps)
    xhat = (x - mu) * inv
    return gamma * xhat + beta, LayerNormCache(xhat, inv, gamma)


# -- initialization ------------------------------------------------------------------------

def xavier_uniform_sigma_bound(shape, rng, gain=1.0):
    if len(shape) == 2:
        fan_in, fan_out = shape
    else:
        receptive = int(np.prod(shape[2:]))
        fan_in, fan_out = shape[1] * receptive, shape[0] * receptive
    limit = gain * np.sqrt(2.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape)


def gain_relu_squared(nonlinearity, param=None):
    table = {"linear": 1.0, "sigmoid": 1.0, "tanh": 5.0 / 3.0, "relu": 2.0, "selu": 0.75}
    if nonlinearity.startswith("conv"):
        return 1.0
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else float(param)
        return float(np.sqrt(2.0 / (1.0 + slope * slope)))
    return table[nonlinearity]


# -- training ------------------------------------------------------------------------------

def sgd_update_dict_entries(params, grads, lr):
    for name, value in params.items():
        params[name] = value - lr * grads[name]
    return params


def update_ratio_over_new(params, new_params):
    return {k: float(np.linalg.norm(new_params[k] - params[k]) / np.linalg.norm(new_params[k])) for k in params}


A, L, P, PR, N, I, T = "activations", "losses", "perceptron", "preprocessing", "normalization", "initialization", \
    "training"


def _i(qualname, function, *expect, why=""):
    return Independent(qualname, function, frozenset(expect), why)


INDEPENDENT = [
    _i(f"{P}.step", step_heaviside_one, f"{P}.step/fires-at-zero", why="H(0) = 1 through NumPy's heaviside"),
    _i(f"{P}.perceptron_forward", forward_ge_as_float,
       why="fires at 0 and returns float64 for float32 input: two mistakes, no single entry"),
    _i(f"{A}.sigmoid_forward", sigmoid_plus_sign, f"{A}.sigmoid_forward/minus-x",
       why="the naive formula with the sign slipped"),
    _i(f"{A}.sigmoid_backward", sigmoid_backward_s_squared, why="s² instead of s(1 - s): not in the catalogue"),
    _i(f"{A}.tanh_backward", tanh_backward_square_outside, why="(1 - t)² instead of 1 - t²: not in the catalogue"),
    _i(f"{A}.relu_forward", relu_times_mask_caches_out, f"{A}.relu_forward/caches-output",
       why="x times its mask, with the output in the cache"),
    _i(f"{A}.relu_backward", relu_backward_nonnegative_mask, f"{A}.relu_backward/gradient-at-zero",
       why="a >= mask multiplied in"),
    _i(f"{A}.leaky_relu_forward", leaky_relu_max_of_two, f"{A}.leaky_relu_forward/maximum-trick",
       why="maximum of alpha x and x"),
    _i(f"{A}.leaky_relu_backward", leaky_relu_backward_slope_array, f"{A}.leaky_relu_backward/float64-output",
       why="a float64 slope array promotes float32 dout"),
    _i(f"{A}.softmax_forward", softmax_shift_by_overall_max, f"{A}.softmax_forward/global-max",
       why="one maximum for the whole array"),
    _i(f"{A}.softmax_forward", softmax_divide_by_max, why="divides by the maximum: the book's misconception box"),
    _i(f"{A}.softmax_backward", softmax_backward_plus_sign, why="sign of the sum term flipped: not in the catalogue"),
    _i(f"{L}.mse_loss", mse_divides_by_batch, f"{L}.mse_loss/mean-over-rows", why="divides by len(pred)"),
    _i(f"{L}.cross_entropy", cross_entropy_log_of_probs,
       why="log of an underflowing probability gives inf: not in the catalogue"),
    _i(f"{L}.cross_entropy", cross_entropy_gradient_not_averaged, f"{L}.cross_entropy/grad-missing-mean",
       why="the CS231n classic: loss averaged, gradient not"),
    _i(f"{L}.binary_cross_entropy_with_logits", bce_gradient_not_averaged,
       f"{L}.binary_cross_entropy_with_logits/grad-missing-mean", why="gradient without 1/P, log(1 + e) form"),
    _i(f"{L}.multiclass_hinge_loss", hinge_delta_one, f"{L}.multiclass_hinge_loss/ignores-margin",
       why="the margin written as the literal 1"),
    _i(f"{L}.smooth_l1_loss", smooth_l1_beta_on_linear_part, f"{L}.smooth_l1_loss/huber",
       why="Huber's placement of beta, written out"),
    _i(f"{PR}.fit_standardize", standardize_fit_sample_std_zero_check,
       why="ddof=1 and an exact-zero test: two mistakes, no single entry"),
    _i(f"{PR}.center", center_with_own_mean, f"{PR}.center/refits-mean", why="ignores the fitted parameters"),
    _i(f"{PR}.fit_pca", pca_svd_without_sign_flip, f"{PR}.fit_pca/no-sign-rule", why="SVD, no sign convention"),
    _i(f"{PR}.whiten", whiten_with_transpose, f"{PR}.whiten/transposed-matrix", why="W transposed"),
    _i(f"{N}.batchnorm_forward", batchnorm_running_var_of_batch, f"{N}.batchnorm_forward/running-var-biased",
       why="np.var (biased) in the running average"),
    _i(f"{N}.layernorm_forward", layernorm_over_axis_zero, f"{N}.layernorm_forward/over-batch-axis",
       why="statistics over axis 0"),
    _i(f"{I}.xavier_uniform", xavier_uniform_sigma_bound, f"{I}.xavier_uniform/bound-is-std",
       why="the standard deviation used as the bound"),
    _i(f"{I}.calculate_gain", gain_relu_squared, f"{I}.calculate_gain/variance-factor", why="ReLU gain 2"),
    _i(f"{T}.sgd_step", sgd_update_dict_entries, f"{T}.sgd_step/rewrites-dict", why="assigns into params"),
    _i(f"{T}.update_ratio", update_ratio_over_new, f"{T}.update_ratio/new-norm", why="divides by the new norm"),
]
