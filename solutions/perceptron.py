r"""The perceptron: a step unit, logic gates, XOR from two layers, and Rosenblatt's learning rule.

Also :func:`linear_collapse`, which shows why depth needs non-linearity: a
stack of linear layers is a single linear map.
"""
from functools import reduce
from typing import NamedTuple

import numpy as np

__all__ = [
    "step",
    "perceptron_forward",
    "GATES",
    "and_gate",
    "or_gate",
    "nand_gate",
    "xor_gate",
    "PerceptronResult",
    "perceptron_train",
    "linear_collapse",
]


def _step(x):
    """Heaviside step with H(0) = 0 (shared by the perceptron functions)."""
    x = np.asarray(x)
    dtype = x.dtype if np.issubdtype(x.dtype, np.floating) else np.float64
    return (x > 0).astype(dtype)


def step(x):
    r"""Heaviside step function, with the convention $H(0) = 0$.

    Parameters
    ----------
    x : array_like, any shape

    Returns
    -------
    out : ndarray, shape of x
        1.0 where `x > 0`, else 0.0; in the floating dtype of `x`
        (integers give float64).

    Notes
    -----
    $$
    H(x) = \begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}
    $$

    The value at exactly 0 is a convention; this course uses 0, so a unit
    fires only when its weighted input is strictly positive. The gate weights
    in `GATES` keep every weighted input away from 0, so the convention
    never matters for them.
    """
    return _step(x)


def _layer(x, w, b):
    """One layer of step perceptrons (shared by the gates and XOR)."""
    x = np.asarray(x)
    w = np.asarray(w)
    b = np.asarray(b)
    if x.ndim != 2 or w.ndim not in (1, 2) or x.shape[1] != w.shape[0]:
        raise ValueError(f"expected x (N, D) and w (D,) or (D, M); got {x.shape} and {w.shape}")
    if b.ndim > 1 or (b.ndim == 1 and (w.ndim != 2 or b.shape[0] != w.shape[1])):
        raise ValueError(f"b must be a scalar or have shape (M,); got {b.shape} for w {w.shape}")
    return _step(x @ w + b)


def perceptron_forward(x, w, b):
    """Output of a layer of step perceptrons: `step(x @ w + b)`.

    Parameters
    ----------
    x : ndarray, shape (N, D)
        Inputs.
    w : ndarray, shape (D,) or (D, M)
        Weights of one perceptron, or of M perceptrons (one per column).
    b : float or ndarray, shape (M,)
        Bias(es).

    Returns
    -------
    out : ndarray, shape (N,) or (N, M)
        0.0 / 1.0 outputs, in the floating dtype of `x @ w + b` (float32
        stays float32, integers give float64).

    Raises
    ------
    ValueError
        If the shapes do not fit.
    """
    return _layer(x, w, b)


#: Weights ``(w, b)`` of the single-perceptron logic gates on inputs in {0, 1}.
#: The weighted input ``x @ w + b`` is always ±0.5 or further from 0.
GATES = {
    "AND": ((1.0, 1.0), -1.5),  # fires only for (1, 1): 2 - 1.5 > 0
    "OR": ((1.0, 1.0), -0.5),  # fires unless (0, 0): 0 - 0.5 < 0
    "NAND": ((-1.0, -1.0), 1.5),  # NOT AND: the AND unit with all signs flipped
}


def _gate(name, x):
    """Apply the single-perceptron gate ``GATES[name]`` to x of shape (N, 2)."""
    w, b = GATES[name]
    x = np.asarray(x)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"a gate takes x of shape (N, 2); got {x.shape}")
    return _layer(x, np.array(w), b)


def _and(x):
    """AND gate (used by XOR without going through the public and_gate)."""
    return _gate("AND", x)


def and_gate(x):
    """Logical AND of the two columns of `x` by one perceptron.

    Parameters
    ----------
    x : ndarray, shape (N, 2)
        Rows of 0/1 inputs.

    Returns
    -------
    ndarray, shape (N,)
        1.0 where both inputs are 1, else 0.0.
    """
    return _and(x)


def or_gate(x):
    """Logical OR of the two columns of `x` by one perceptron.

    Parameters
    ----------
    x : ndarray, shape (N, 2)
        Rows of 0/1 inputs.

    Returns
    -------
    ndarray, shape (N,)
        1.0 where at least one input is 1, else 0.0.
    """
    return _gate("OR", x)


def nand_gate(x):
    """Logical NAND (not both) of the two columns of `x` by one perceptron.

    Parameters
    ----------
    x : ndarray, shape (N, 2)
        Rows of 0/1 inputs.

    Returns
    -------
    ndarray, shape (N,)
        0.0 where both inputs are 1, else 1.0.
    """
    return _gate("NAND", x)


def xor_gate(x):
    r"""Logical XOR by a two-layer perceptron network.

    Parameters
    ----------
    x : ndarray, shape (N, 2)
        Rows of 0/1 inputs.

    Returns
    -------
    ndarray, shape (N,)
        1.0 where exactly one input is 1, else 0.0.

    Notes
    -----
    XOR is not linearly separable, so no single perceptron computes it. Two
    layers do, since

    $$
    x_1 \oplus x_2 = (x_1 \lor x_2) \land \lnot(x_1 \land x_2) :
    $$

    a hidden layer with an OR unit and a NAND unit, followed by an AND unit.
    """
    x = np.asarray(x)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"a gate takes x of shape (N, 2); got {x.shape}")
    # Hidden layer: two perceptrons side by side, w1 (2, 2) with one column each.
    (w_or, b_or), (w_nand, b_nand) = GATES["OR"], GATES["NAND"]
    w1 = np.column_stack([w_or, w_nand])
    b1 = np.array([b_or, b_nand])
    hidden = _layer(x, w1, b1)  # (N, 2): [OR, NAND]
    return _and(hidden)


class PerceptronResult(NamedTuple):
    """Outcome of `perceptron_train`."""

    w: np.ndarray
    """Learned weights, shape (D,), in the floating dtype of x (integers give float64)."""
    b: float
    """Learned bias."""
    errors: np.ndarray
    """Misclassifications made during each epoch, shape (epochs run,), int."""
    converged: bool
    """True if an epoch made no mistake (every sample classified correctly)."""


def perceptron_train(x, y, lr=1.0, max_epochs=100, rng=None):
    r"""Train one step perceptron with Rosenblatt's learning rule.

    Parameters
    ----------
    x : ndarray, shape (N, D)
        Training inputs.
    y : ndarray, shape (N,)
        Targets, each 0 or 1.
    lr : float, optional
        Learning rate (> 0, default 1.0). Starting from zero weights it only
        scales w and b, so it does not change the predictions.
    max_epochs : int, optional
        Most passes over the data (default 100).
    rng : numpy.random.Generator, optional
        If given, the samples are visited in a fresh random order each epoch;
        otherwise in their given order.

    Returns
    -------
    PerceptronResult
        `(w, b, errors, converged)`: weights, shape (D,), in the floating
        dtype of `x`; bias (float);
        misclassifications per epoch, int array with one entry per epoch run;
        whether training stopped because an epoch made no mistake (a bool).

    Raises
    ------
    ValueError
        On shapes that do not fit, targets other than 0/1, `lr <= 0` or
        `max_epochs < 1`.

    Notes
    -----
    Starting from $w = 0, b = 0$, for each sample in turn predict
    $\hat y = H(w \cdot x_n + b)$ and update

    $$
    w \leftarrow w + \eta\, (y_n - \hat y)\, x_n, \qquad
    b \leftarrow b + \eta\, (y_n - \hat y),
    $$

    which changes the weights only on a mistake, moving the boundary towards
    classifying $x_n$ correctly. Training stops after the first epoch
    without a mistake: the weights did not change during it, so they classify
    every sample correctly.

    If the data are linearly separable with margin $\gamma$ and
    $\|(x_n, 1)\| \le R$, the number of updates is at most
    $(R/\gamma)^2$ (Novikoff's theorem), so training converges. If they
    are not (XOR), every epoch makes a mistake and training never converges.

    References
    ----------
    [1] F. Rosenblatt, "The perceptron: A probabilistic model for
       information storage and organization in the brain", Psychological
       Review 65(6), 1958.
    [2] A. B. J. Novikoff, "On convergence proofs for perceptrons",
       Symposium on the Mathematical Theory of Automata, 1962.
    """
    x = np.asarray(x)
    y = np.asarray(y)
    if x.ndim != 2 or y.shape != (x.shape[0],):
        raise ValueError(f"expected x (N, D) and y (N,); got {x.shape} and {y.shape}")
    if not np.all((y == 0) | (y == 1)):
        raise ValueError("targets y must be 0 or 1")
    if not lr > 0:
        raise ValueError(f"lr must be positive; got {lr!r}")
    if max_epochs < 1:
        raise ValueError(f"max_epochs must be at least 1; got {max_epochs!r}")
    dtype = x.dtype if np.issubdtype(x.dtype, np.floating) else np.float64
    x = x.astype(dtype, copy=False)
    N, D = x.shape
    w = np.zeros(D, dtype=dtype)
    b = 0.0
    errors = []
    converged = False
    for _ in range(max_epochs):
        order = rng.permutation(N) if rng is not None else range(N)
        mistakes = 0
        # A loop over the samples is the algorithm itself: Rosenblatt's rule
        # is online, each prediction uses the weights left by the previous
        # update, so it cannot be vectorised over the batch.
        for n in order:
            y_hat = 1.0 if x[n] @ w + b > 0 else 0.0  # step(), H(0) = 0
            delta = lr * (float(y[n]) - y_hat)
            if delta != 0:  # only a mistake changes the weights
                w = w + delta * x[n]
                b = b + delta
                mistakes += 1
        errors.append(mistakes)
        if mistakes == 0:
            converged = True
            break
    return PerceptronResult(
        w=w, b=float(b), errors=np.array(errors, dtype=np.int64), converged=converged
    )


def linear_collapse(weights):
    r"""The single matrix equal to a stack of linear layers without activations.

    Parameters
    ----------
    weights : sequence of ndarray
        Weight matrices ``w1`` (D0, D1), ``w2`` (D1, D2), ..., ``wL``
        (D_{L-1}, D_L), applied in this order: ``((x @ w1) @ w2) ... @ wL``.

    Returns
    -------
    ndarray, shape (D0, D_L)
        ``w1 @ w2 @ ... @ wL``, so that ``x @ linear_collapse(weights)`` equals
        the output of the stack.

    Raises
    ------
    ValueError
        If ``weights`` is empty, a weight is not 2-D, or neighbouring shapes
        do not fit.

    Notes
    -----
    Matrix multiplication is associative:

    .. math::

        (\cdots((x W_1) W_2) \cdots) W_L = x\, (W_1 W_2 \cdots W_L) ,

    so however deep, a network of linear layers can represent only linear
    maps; depth pays off only with a non-linearity between the layers.
    """
    weights = [np.asarray(w) for w in weights]
    if not weights:
        raise ValueError("need at least one weight matrix")
    for i, w in enumerate(weights):
        if w.ndim != 2:
            raise ValueError(f"weights[{i}] must be a 2-D matrix; got shape {w.shape}")
    for i in range(1, len(weights)):
        if weights[i - 1].shape[1] != weights[i].shape[0]:
            raise ValueError(
                f"weights[{i - 1}] {weights[i - 1].shape} and weights[{i}] "
                f"{weights[i].shape} do not chain"
            )
    if len(weights) == 1:
        return weights[0].copy()
    return reduce(np.matmul, weights)
