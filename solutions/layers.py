"""Layers with learnable weights: the affine (fully connected) layer.

Every layer is a pair ``op_forward(...) -> (out, cache)`` and
``op_backward(dout, cache) -> gradients``, the gradients returned in the order
of the forward's array inputs.
"""
from typing import NamedTuple

import numpy as np

__all__ = ["AffineCache", "affine_forward", "affine_backward"]


def _float_dtype(*arrays):
    """Common floating dtype of ``arrays``; integer or boolean inputs give float64."""
    dtype = np.result_type(*arrays)
    return dtype if np.issubdtype(dtype, np.floating) else np.dtype(np.float64)


class AffineCache(NamedTuple):
    """What :func:`affine_backward` needs from the forward pass."""

    x: np.ndarray
    """Input, shape (N, D)."""
    w: np.ndarray
    """Weights, shape (D, M)."""


def affine_forward(x, w, b):
    r"""Affine (fully connected) layer: ``out = x @ w + b``.

    Parameters
    ----------
    x : ndarray, shape (N, D)
        A minibatch of N samples with D features each.
    w : ndarray, shape (D, M)
        Weights; column ``j`` holds the weights of output unit ``j``.
    b : ndarray, shape (M,)
        Biases, one per output unit.

    Returns
    -------
    out : ndarray, shape (N, M)
        In the common floating dtype of the inputs (float32 stays float32;
        integers are promoted to float64).
    cache : AffineCache
        ``(x, w)``, the inputs the backward pass needs.

    Raises
    ------
    ValueError
        If the shapes do not fit together.

    Notes
    -----
    Each output is a weighted sum of the inputs plus a bias:

    .. math::

        \text{out}_{nj} = \sum_{d=1}^{D} x_{nd}\, w_{dj} + b_j .
    """
    x = np.asarray(x)
    w = np.asarray(w)
    b = np.asarray(b)
    if x.ndim != 2 or w.ndim != 2 or b.ndim != 1:
        raise ValueError(
            f"expected x (N, D), w (D, M), b (M,); got shapes {x.shape}, {w.shape}, {b.shape}"
        )
    if x.shape[1] != w.shape[0] or w.shape[1] != b.shape[0]:
        raise ValueError(
            f"shapes do not fit: x {x.shape}, w {w.shape}, b {b.shape} "
            "(need x (N, D), w (D, M), b (M,))"
        )
    dtype = _float_dtype(x, w, b)
    x = x.astype(dtype, copy=False)
    w = w.astype(dtype, copy=False)
    out = x @ w + b.astype(dtype, copy=False)
    return out, AffineCache(x=x, w=w)


def affine_backward(dout, cache):
    r"""Backward pass of :func:`affine_forward`.

    Parameters
    ----------
    dout : ndarray, shape (N, M)
        Upstream gradient dL/d(out).
    cache : AffineCache
        From :func:`affine_forward`.

    Returns
    -------
    dx : ndarray, shape (N, D)
    dw : ndarray, shape (D, M)
    db : ndarray, shape (M,)

    Notes
    -----
    With :math:`\text{out} = x w + b`,

    .. math::

        \frac{\partial L}{\partial x} = \text{dout}\, w^\top, \qquad
        \frac{\partial L}{\partial w} = x^\top \text{dout}, \qquad
        \frac{\partial L}{\partial b} = \sum_{n} \text{dout}_{n,:} .

    The bias is added to every row, so its gradient sums over the batch.
    """
    x, w = cache
    dout = np.asarray(dout)
    if dout.shape != (x.shape[0], w.shape[1]):
        raise ValueError(f"dout has shape {dout.shape}, expected {(x.shape[0], w.shape[1])}")
    dout = dout.astype(x.dtype, copy=False)
    dx = dout @ w.T
    dw = x.T @ dout
    db = dout.sum(axis=0)
    return dx, dw, db
