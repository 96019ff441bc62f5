"""Right losses written differently from the answer module."""
import math
import warnings

import numpy as np


def _float(x):
    x = np.asarray(x)
    return x if np.issubdtype(x.dtype, np.floating) else x.astype(np.float64)


# -- MSE -----------------------------------------------------------------------

def mse_loop(pred, target):
    """A Python loop over the flattened elements for the loss; the gradient element by element."""
    p = _float(pred)
    t = np.asarray(target)
    flat_p, flat_t = p.ravel(), t.ravel()
    total = 0.0
    grad = np.empty_like(flat_p)
    for i in range(flat_p.size):
        d = float(flat_p[i]) - float(flat_t[i])
        total += d * d
        grad[i] = 2 * d / flat_p.size
    return total / flat_p.size, grad.reshape(p.shape)


def mse_float64(pred, target):
    """Computed in float64 (loss returned as a NumPy float), gradient cast back to the dtype of ``pred``."""
    p = _float(pred)
    d = p.astype(np.float64) - np.asarray(target, dtype=np.float64)
    return np.mean(np.square(d)), (2.0 * d / d.size).astype(p.dtype)


# -- binary cross-entropy with logits -------------------------------------------

def mse_float32_loss(pred, target):
    """``np.mean`` in the dtype of the input: for float32 input the loss is a ``np.float32``, not a Python float."""
    p = _float(pred)
    d = p - np.asarray(target, dtype=p.dtype)
    return np.mean(d * d), (2 / d.size) * d


def bce_logaddexp(logits, target):
    """``softplus(z) - z t`` with ``softplus(z) = logaddexp(0, z)``; sigmoid via tanh for the gradient."""
    z = _float(logits)
    t = np.asarray(target).astype(z.dtype)
    loss = np.mean(np.logaddexp(0, z) - z * t)
    s = 0.5 * (1 + np.tanh(0.5 * z))
    return float(loss), (s - t) / z.size


def bce_two_branches(logits, target):
    """Separate stable formulas for ``z > 0`` and ``z <= 0`` (both computed everywhere, overflow discarded)."""
    z = _float(logits)
    t = np.asarray(target).astype(z.dtype)
    loss = np.where(z > 0, (1 - t) * z + np.log1p(np.exp(-z)), -t * z + np.log1p(np.exp(z)))
    s = np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))
    return float(np.mean(loss)), (s - t) / z.size


def bce_loop_log_sigmoid(logits, target):
    """Per element ``-(t log sigma(z) + (1 - t) log sigma(-z))`` with a stable ``log sigma`` in ``math``."""
    z = _float(logits)
    t = np.asarray(target)

    def log_sigmoid(v):
        return -math.log1p(math.exp(-v)) if v >= 0 else v - math.log1p(math.exp(v))

    def sigmoid(v):
        return 1 / (1 + math.exp(-v)) if v >= 0 else math.exp(v) / (1 + math.exp(v))

    total = 0.0
    grad = np.empty_like(z)
    for idx in np.ndindex(z.shape):
        v, tv = float(z[idx]), float(t[idx])
        total -= tv * log_sigmoid(v) + (1 - tv) * log_sigmoid(-v)
        grad[idx] = (sigmoid(v) - tv) / z.size
    return total / z.size, grad


# -- softmax cross-entropy -------------------------------------------------------

def cross_entropy_onehot(scores, y):
    """One-hot targets from ``np.eye(C)[y]``; loss as ``-sum(onehot * log_softmax) / N``."""
    s = _float(scores)
    n, c = s.shape
    onehot = np.eye(c, dtype=s.dtype)[y]
    shifted = s - s.max(axis=1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-(onehot * logp).sum() / n), (np.exp(logp) - onehot) / n


def cross_entropy_loop(scores, y):
    """A loop over the samples: log-sum-exp of each row, then its softmax minus the one-hot."""
    s = _float(scores)
    n = s.shape[0]
    loss = 0.0
    grad = np.zeros_like(s)
    for i in range(n):
        row = s[i]
        m = row.max()
        lse = m + np.log(np.sum(np.exp(row - m)))
        loss += float(lse - row[y[i]])
        grad[i] = np.exp(row - m) / np.sum(np.exp(row - m))
        grad[i, y[i]] -= 1
    return loss / n, grad / n


def cross_entropy_float64(scores, y):
    """Computed in float64, gradient cast back to the dtype of the scores."""
    s = _float(scores)
    s64 = s.astype(np.float64)
    n = s.shape[0]
    shifted = s64 - s64.max(axis=1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    g = np.exp(logp)
    g[np.arange(n), y] -= 1
    return float(-logp[np.arange(n), y].mean()), (g / n).astype(s.dtype)


def cross_entropy_minus_logsumexp(scores, y):
    """``log p = s - logsumexp(s)`` with ``logsumexp = m + log(sum(exp(s - m)))``, in the dtype of the scores."""
    s = _float(scores)
    n = s.shape[0]
    m = s.max(axis=1, keepdims=True)
    logp = s - (m + np.log(np.exp(s - m).sum(axis=1, keepdims=True)))
    g = np.exp(logp)
    g[np.arange(n), y] -= 1
    return float(-logp[np.arange(n), y].mean()), g / n


# -- multiclass hinge ------------------------------------------------------------

def hinge_loop(scores, y, margin=1.0):
    """Two nested loops over samples and classes, as in CS231n's ``svm_loss_naive``."""
    s = _float(scores)
    n, c = s.shape
    loss = 0.0
    grad = np.zeros_like(s)
    for i in range(n):
        correct = s[i, y[i]]
        for j in range(c):
            if j == y[i]:
                continue
            m = s[i, j] - correct + margin
            if m > 0:
                loss += float(m)
                grad[i, j] += 1
                grad[i, y[i]] -= 1
    return loss / n, grad / n


def hinge_mask_matmul(scores, y, margin=1.0):
    """Vectorised with a boolean mask and ``np.where``; the correct class gets minus the row count."""
    s = _float(scores)
    n, c = s.shape
    is_correct = np.arange(c)[None, :] == np.asarray(y)[:, None]
    m = s - np.take_along_axis(s, np.asarray(y)[:, None], axis=1) + margin
    violated = (m > 0) & ~is_correct
    loss = np.where(violated, m, 0).sum() / n
    g = violated.astype(s.dtype) - is_correct * violated.sum(axis=1, keepdims=True)
    return float(loss), (g / n).astype(s.dtype)


# -- smooth L1 -------------------------------------------------------------------

def smooth_l1_where_with_warnings(pred, target, beta=1.0):
    """``np.where`` over both pieces; with ``beta = 0`` the discarded quadratic piece divides by zero (warnings)."""
    p = _float(pred)
    d = p - np.asarray(target).astype(p.dtype)
    a = np.abs(d)
    quad = a < beta
    loss = np.where(quad, 0.5 * d * d / beta, a - 0.5 * beta)
    g = np.where(quad, d / beta, np.sign(d))
    return float(loss.mean()), g / d.size


def smooth_l1_closed_boundary(pred, target, beta=1.0):
    """Quadratic zone ``|d| <= beta`` (the pieces meet with equal value and slope there); ``beta = 0`` is plain L1."""
    p = _float(pred)
    d = p - np.asarray(target).astype(p.dtype)
    a = np.abs(d)
    if beta == 0:
        return float(a.mean()), np.sign(d) / d.size
    quad = a <= beta
    loss = np.where(quad, d * d / (2 * beta), a - beta / 2)
    g = np.where(quad, d / beta, np.sign(d))
    return float(loss.mean()), g / d.size


def smooth_l1_clip_gradient(pred, target, beta=1.0):
    """Gradient as ``clip(d / beta, -1, 1)`` (a ``sign`` for ``beta = 0``), with a ``UserWarning`` for beta = 0."""
    p = _float(pred)
    d = p - np.asarray(target).astype(p.dtype)
    a = np.abs(d)
    if beta == 0:
        warnings.warn("beta = 0: smooth L1 is plain L1", stacklevel=2)
        local = np.sign(d)
        loss = a
    else:
        local = np.clip(d / beta, -1, 1)
        loss = np.where(a < beta, 0.5 * d * d / beta, a - 0.5 * beta)
    return float(np.mean(loss)), local / d.size


ALTERNATIVES = {
    "losses.mse_loss": [mse_loop, mse_float64, mse_float32_loss],
    "losses.binary_cross_entropy_with_logits": [bce_logaddexp, bce_two_branches, bce_loop_log_sigmoid],
    "losses.cross_entropy": [cross_entropy_onehot, cross_entropy_loop, cross_entropy_float64,
                             cross_entropy_minus_logsumexp],
    "losses.multiclass_hinge_loss": [hinge_loop, hinge_mask_matmul],
    "losses.smooth_l1_loss": [smooth_l1_where_with_warnings, smooth_l1_closed_boundary, smooth_l1_clip_gradient],
}

# {alternative: (what goes wrong, seeds of students for whom it fails)}
