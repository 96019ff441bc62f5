"""Loss functions: the loss value and its gradient with respect to the predictions.

Every loss returns ``(loss, dpred)``: ``loss`` a Python ``float`` and
``dpred`` the gradient of ``loss`` with respect to the first argument, with
its shape and dtype. Averaging follows PyTorch's ``reduction='mean'``:
over all elements for elementwise losses (MSE, BCE, smooth L1), over the
``N`` samples for the classification losses (cross-entropy, hinge).

Inputs are never modified; integer predictions are promoted to float64 and
computations are done in the floating dtype of the predictions.
"""

import numpy as np

__all__ = (
    "mse_loss",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "multiclass_hinge_loss",
    "smooth_l1_loss",
)


def _as_float(x):
    """``x`` as an ndarray of a floating dtype (integers and bools become float64)."""
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    return x


def _sigmoid(z):
    """Logistic sigmoid, exponentiating only non-positive numbers (no overflow)."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def _log_softmax(scores):
    """Log-softmax along the last axis, with the row maximum subtracted first."""
    shifted = scores - np.max(scores, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def _pred_and_target(name, pred, target):
    """Both arrays in the dtype of ``pred``, after checking their shapes agree."""
    pred = _as_float(pred)
    target = np.asarray(target)
    if pred.shape != target.shape:
        raise ValueError(
            f"{name}: pred and target must have the same shape; got "
            f"{pred.shape} and {target.shape}"
        )
    if pred.size == 0:
        raise ValueError(f"{name}: empty input, the mean is undefined")
    return pred, target.astype(pred.dtype, copy=False)


def _scores_and_labels(name, scores, y):
    """Validate ``scores`` (N, C) and integer labels ``y`` (N,) in ``[0, C)``."""
    scores = _as_float(scores)
    y = np.asarray(y)
    if scores.ndim != 2:
        raise ValueError(f"{name}: scores must have shape (N, C); got shape {scores.shape}")
    N, C = scores.shape
    if y.shape != (N,):
        raise ValueError(
            f"{name}: labels y must have shape (N,) = ({N},) to match scores "
            f"{scores.shape}; got shape {y.shape}"
        )
    if not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"{name}: labels y must be integers (class indices); got dtype {y.dtype}")
    if N == 0:
        raise ValueError(f"{name}: empty batch (N = 0), the mean is undefined")
    bad = (y < 0) | (y >= C)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{name}: labels must be in [0, C) = [0, {C}); y[{i}] = {int(y[i])} "
            f"({int(bad.sum())} label(s) out of range)"
        )
    return scores, y


def mse_loss(pred, target) -> tuple[float, np.ndarray]:
    r"""Mean squared error over all elements.

    Parameters
    ----------
    pred : ndarray, any shape
    target : ndarray, shape of `pred`

    Returns
    -------
    loss : float
    dpred : ndarray, shape and dtype of `pred`

    Raises
    ------
    ValueError
        If the shapes differ (no broadcasting) or the input is empty.

    Notes
    -----
    With $P$ the number of elements (as `torch.nn.functional.mse_loss`):

    $$
    L = \frac1P \sum_i (p_i - t_i)^2, \qquad
    \frac{\partial L}{\partial p_i} = \frac{2 (p_i - t_i)}{P}.
    $$
    """
    pred, target = _pred_and_target("mse_loss", pred, target)
    diff = pred - target
    P = diff.size
    loss = np.mean(diff * diff)
    dpred = (2 / P) * diff
    return float(loss), dpred


def binary_cross_entropy_with_logits(logits, target) -> tuple[float, np.ndarray]:
    r"""Binary cross-entropy of `sigmoid(logits)` against `target`, from the logits.

    Parameters
    ----------
    logits : ndarray, any shape
        Raw scores $z$; the predicted probability is $\sigma(z)$.
    target : ndarray, shape of `logits`
        Values in [0, 1]; soft labels are allowed. (Not checked, like PyTorch.)

    Returns
    -------
    loss : float
        Mean over all elements.
    dpred : ndarray, shape and dtype of `logits`
        `(sigmoid(logits) - target) / P`.

    Raises
    ------
    ValueError
        If the shapes differ or the input is empty.

    Notes
    -----
    $$
    \ell(z, t) = -t \log\sigma(z) - (1 - t)\log(1 - \sigma(z))
    = \max(z, 0) - z t + \log\bigl(1 + e^{-|z|}\bigr),
    $$

    $$
    L = \frac1P\sum_i \ell(z_i, t_i), \qquad
    \frac{\partial L}{\partial z_i} = \frac{\sigma(z_i) - t_i}{P}.
    $$

    The right-hand form never takes `log(0)` and never overflows
    (`exp` only of `-|z| <= 0`), unlike computing `sigmoid` first and
    then its log. Same value as
    `torch.nn.functional.binary_cross_entropy_with_logits`.
    """
    z, t = _pred_and_target("binary_cross_entropy_with_logits", logits, target)
    P = z.size
    # stable form: log1p of a number in (0, 1], exp of a non-positive number
    elementwise = np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z)))
    loss = np.mean(elementwise)
    s = _sigmoid(z)
    dpred = (s - t) / P
    return float(loss), dpred


def cross_entropy(scores, y) -> tuple[float, np.ndarray]:
    r"""Softmax cross-entropy for integer class labels, averaged over the batch.

    Parameters
    ----------
    scores : ndarray, shape (N, C)
        Unnormalised class scores (logits).
    y : ndarray of int, shape (N,)
        Correct class of each sample, in `[0, C)`.

    Returns
    -------
    loss : float
    dpred : ndarray, shape (N, C), dtype of `scores`
        `(softmax(scores) - onehot(y)) / N`.

    Raises
    ------
    ValueError
        If `scores` is not 2-D, `y` is not an integer array of shape
        `(N,)`, the batch is empty, or a label is outside `[0, C)`.
        (PyTorch's `ignore_index`, class weights and label smoothing are not
        supported.)

    Notes
    -----
    $$
    L = -\frac1N \sum_n \log \mathrm{softmax}(s_n)_{y_n}, \qquad
    \frac{\partial L}{\partial s_{nc}} =
    \frac{\mathrm{softmax}(s_n)_c - [c = y_n]}{N}.
    $$

    The log-probabilities come from a log-softmax with the row maximum
    subtracted, so no score magnitude gives overflow or `log(0)`. Same as
    `torch.nn.functional.cross_entropy(scores, y)`.
    """
    scores, y = _scores_and_labels("cross_entropy", scores, y)
    N = scores.shape[0]
    logp = _log_softmax(scores)
    rows = np.arange(N)
    loss = -np.mean(logp[rows, y])
    dpred = np.exp(logp)          # softmax probabilities, a new array
    dpred[rows, y] -= 1
    dpred /= N
    return float(loss), dpred


def multiclass_hinge_loss(scores, y, margin=1.0) -> tuple[float, np.ndarray]:
    r"""Multiclass SVM (Weston–Watkins) hinge loss, averaged over the batch.

    Parameters
    ----------
    scores : ndarray, shape (N, C)
    y : ndarray of int, shape (N,)
        Correct class of each sample, in `[0, C)`.
    margin : float
        Required gap $\Delta$ between the correct score and the others.

    Returns
    -------
    loss : float
    dpred : ndarray, shape (N, C), dtype of `scores`

    Raises
    ------
    ValueError
        As `cross_entropy`, for wrong shapes or labels out of range.

    Notes
    -----
    $$
    L = \frac1N \sum_n \sum_{j \ne y_n}
    \max\bigl(0,\; s_{nj} - s_{n y_n} + \Delta\bigr).
    $$

    Subgradient, with $v_{nj} = [s_{nj} - s_{ny_n} + \Delta > 0]$
    for $j \ne y_n$:

    $$
    \frac{\partial L}{\partial s_{nj}} = \frac{v_{nj}}{N}, \qquad
    \frac{\partial L}{\partial s_{ny_n}} = -\frac1N \sum_{j\ne y_n} v_{nj}.
    $$

    At exactly zero margin violation ($s_{nj} - s_{ny_n} + \Delta = 0$)
    the hinge has a kink; the subgradient 0 is used there.

    Difference from PyTorch: `torch.nn.functional.multi_margin_loss`
    divides each sample's sum by the number of classes `C` as well, so its
    value is this loss divided by `C`.

    References
    ----------
    [1] J. Weston, C. Watkins, "Support Vector Machines for Multi-Class
       Pattern Recognition", ESANN 1999.
    """
    scores, y = _scores_and_labels("multiclass_hinge_loss", scores, y)
    N = scores.shape[0]
    rows = np.arange(N)
    correct = scores[rows, y][:, None]                       # (N, 1)
    margins = np.maximum(0, scores - correct + float(margin))
    margins[rows, y] = 0                                     # j == y_n is not summed
    loss = np.sum(margins) / N
    violated = (margins > 0).astype(scores.dtype)            # 0 at exactly zero violation
    dpred = violated
    dpred[rows, y] = -violated.sum(axis=1)
    dpred /= N
    return float(loss), dpred


def smooth_l1_loss(pred, target, beta=1.0) -> tuple[float, np.ndarray]:
    r"""Smooth L1 (Huber-like) loss, averaged over all elements.

    Parameters
    ----------
    pred : ndarray, any shape
    target : ndarray, shape of `pred`
    beta : float
        Width of the quadratic zone, `>= 0`. `beta = 0` gives the L1 loss.

    Returns
    -------
    loss : float
    dpred : ndarray, shape and dtype of `pred`

    Raises
    ------
    ValueError
        If the shapes differ, the input is empty, or `beta < 0`.

    Notes
    -----
    With $d = p - t$ and $P$ elements (as
    `torch.nn.functional.smooth_l1_loss`):

    $$
    \ell(d) = \begin{cases} \frac{d^2}{2\beta} & |d| < \beta \\
    |d| - \frac{\beta}{2} & \text{otherwise} \end{cases}, \qquad
    \ell'(d) = \begin{cases} d / \beta & |d| < \beta \\
    \operatorname{sign}(d) & \text{otherwise} \end{cases}
    $$

    and $L = \frac1P \sum_i \ell(d_i)$. Both pieces meet with equal
    value and slope at $|d| = \beta$. With `beta = 0` it is
    $|d|$, with subgradient `sign(d)` (0 at `d == 0`, as PyTorch).

    References
    ----------
    [1] R. Girshick, "Fast R-CNN", ICCV 2015.
    """
    beta = float(beta)
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be >= 0; got {beta}")
    pred, target = _pred_and_target("smooth_l1_loss", pred, target)
    d = pred - target
    a = np.abs(d)
    P = d.size
    if beta == 0:
        # pure L1; avoids the division by beta below
        elementwise = a
        local = np.sign(d)
    else:
        quadratic = a < beta
        elementwise = np.where(quadratic, (0.5 / beta) * d * d, a - 0.5 * beta)
        local = np.where(quadratic, d / beta, np.sign(d))
    loss = np.mean(elementwise)
    dpred = local / P
    return float(loss), dpred
