"""Wrong losses: the mistakes of the losses exercise."""
import numpy as np

from grading.mutants import computed_in_float32, float64_output


def _float(x):
    x = np.asarray(x)
    return x if np.issubdtype(x.dtype, np.floating) else x.astype(np.float64)


def _pair(pred, target):
    pred = _float(pred)
    return pred, np.asarray(target).astype(pred.dtype)


def _sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


# -- MSE -----------------------------------------------------------------------

def mse_grad_missing_one_over_p(pred, target):
    """Gradient ``2 (p - t)`` without the ``1/P`` of the mean."""
    p, t = _pair(pred, target)
    d = p - t
    return float(np.mean(d * d)), 2 * d


def mse_grad_missing_two(pred, target):
    """Gradient ``(p - t) / P``: the factor 2 of the square is lost."""
    p, t = _pair(pred, target)
    d = p - t
    return float(np.mean(d * d)), d / d.size


def mse_mean_over_rows(pred, target):
    """Averages over the N rows (the batch axis) instead of all P elements."""
    p, t = _pair(pred, target)
    d = p - t
    n = d.shape[0] if d.ndim else 1
    return float(np.sum(d * d) / n), 2 * d / n


def mse_grad_wrong_sign(pred, target):
    """Gradient with respect to the target, ``2 (t - p) / P``: sign flipped."""
    p, t = _pair(pred, target)
    d = p - t
    return float(np.mean(d * d)), 2 * (t - p) / d.size


# -- binary cross-entropy with logits -------------------------------------------

def bce_log_of_sigmoid(logits, target):
    """The literal ``-t log(sigma(z)) - (1 - t) log(1 - sigma(z))``: log(0) = -inf for large |z|."""
    z, t = _pair(logits, target)
    s = 1 / (1 + np.exp(-z))
    loss = np.mean(-t * np.log(s) - (1 - t) * np.log(1 - s))
    return float(loss), (s - t) / z.size


def bce_clipped_probabilities(logits, target):
    """Clips the probabilities to ``[1e-12, 1 - 1e-12]`` before the log: a confident wrong logit costs ~27.6, not |z|."""
    z, t = _pair(logits, target)
    s = np.clip(_sigmoid(z), 1e-12, 1 - 1e-12)
    loss = np.mean(-t * np.log(s) - (1 - t) * np.log(1 - s))
    return float(loss), (_sigmoid(z) - t) / z.size


def bce_grad_missing_one_over_p(logits, target):
    """Gradient ``sigma(z) - t`` without the ``1/P`` of the mean."""
    z, t = _pair(logits, target)
    loss = np.mean(np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z))))
    return float(loss), _sigmoid(z) - t


def bce_grad_wrong_sign(logits, target):
    """Gradient ``(t - sigma(z)) / P``: sign flipped."""
    z, t = _pair(logits, target)
    loss = np.mean(np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z))))
    return float(loss), (t - _sigmoid(z)) / z.size


# -- softmax cross-entropy -------------------------------------------------------

def _log_softmax(s, shift=True):
    if shift:
        s = s - s.max(axis=1, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=1, keepdims=True))


def cross_entropy_no_max_shift(scores, y):
    """Forgets to subtract the row maximum: ``exp`` overflows for large scores."""
    s = _float(scores)
    n = s.shape[0]
    logp = _log_softmax(s, shift=False)
    g = np.exp(logp)
    g[np.arange(n), y] -= 1
    return float(-logp[np.arange(n), y].mean()), g / n


def cross_entropy_grad_missing_one_over_n(scores, y):
    """Gradient ``softmax - onehot`` without the ``1/N`` of the batch mean."""
    s = _float(scores)
    n = s.shape[0]
    logp = _log_softmax(s)
    g = np.exp(logp)
    g[np.arange(n), y] -= 1
    return float(-logp[np.arange(n), y].mean()), g


def cross_entropy_summed(scores, y):
    """Sums the loss and its gradient over the batch instead of averaging."""
    s = _float(scores)
    n = s.shape[0]
    logp = _log_softmax(s)
    g = np.exp(logp)
    g[np.arange(n), y] -= 1
    return float(-logp[np.arange(n), y].sum()), g


def cross_entropy_mean_over_classes(scores, y):
    """Averages ``-log p`` over the whole (N, C) array of one-hot products, i.e. divides by N·C."""
    s = _float(scores)
    n, c = s.shape
    logp = _log_softmax(s)
    onehot = np.eye(c)[y]
    g = (np.exp(logp) - onehot) / (n * c)
    return float(np.mean(-onehot * logp)), g


def cross_entropy_shifts_scores_in_place(scores, y):
    """``scores -= scores.max(axis=1, keepdims=True)``: stable, but it rewrites the caller's scores."""
    scores -= np.max(scores, axis=1, keepdims=True)
    return _cross_entropy_of_shifted(scores, y)


def _cross_entropy_of_shifted(s, y):
    n = s.shape[0]
    logp = s - np.log(np.sum(np.exp(s), axis=1, keepdims=True))
    dpred = np.exp(logp)
    dpred[np.arange(n), y] -= 1
    return float(-np.mean(logp[np.arange(n), y])), dpred / n


def cross_entropy_log_of_clipped_softmax(scores, y):
    """``-log(max(softmax, 1e-15))``: a confidently wrong sample costs at most ~34.5."""
    s = _float(scores)
    n = s.shape[0]
    p = np.exp(_log_softmax(s))
    loss = -np.log(np.maximum(p[np.arange(n), y], 1e-15)).mean()
    g = p.copy()
    g[np.arange(n), y] -= 1
    return float(loss), g / n


# -- multiclass hinge ------------------------------------------------------------

def _hinge(scores, y, margin, ge=False, include_correct=False, divide=True, minus_one=False):
    s = _float(scores)
    n = s.shape[0]
    rows = np.arange(n)
    m = s - s[rows, y][:, None] + margin
    violated = (m >= 0) if ge else (m > 0)
    hinge = np.maximum(m, 0)
    if not include_correct:
        hinge[rows, y] = 0
        violated[rows, y] = False
    g = violated.astype(s.dtype)
    g[rows, y] = -1.0 * violated.any(axis=1) if minus_one else -violated.sum(axis=1)
    return float(hinge.sum() / n), g / n if divide else g


def hinge_grad_counts_zero_violation(scores, y, margin=1.0):
    """Counts a margin of exactly 0 as violated (``>= 0``): the course's subgradient at the kink is 0."""
    return _hinge(scores, y, margin, ge=True)


def hinge_includes_correct_class(scores, y, margin=1.0):
    """Sums over all classes, also ``j = y_n``, which adds ``margin`` per sample."""
    return _hinge(scores, y, margin, include_correct=True)


def hinge_grad_missing_one_over_n(scores, y, margin=1.0):
    """Gradient not divided by N."""
    return _hinge(scores, y, margin, divide=False)


def hinge_correct_class_minus_one(scores, y, margin=1.0):
    """Gives the correct class ``-1`` when any margin is violated, instead of minus the number of violations."""
    return _hinge(scores, y, margin, minus_one=True)


def hinge_ignores_margin(scores, y, margin=1.0):
    """Hard-codes the margin 1 and ignores the argument."""
    return _hinge(scores, y, 1.0)


# -- smooth L1 -------------------------------------------------------------------

def hinge_grad_zeros_float64(scores, y, margin=1.0):
    """Builds the gradient in ``np.zeros(scores.shape)``: float64 even for float32 scores."""
    loss, dpred = _hinge(scores, y, margin)
    return loss, dpred.astype(np.float64)


def _smooth_l1(pred, target, beta, kind="right", mean=True):
    p, t = _pair(pred, target)
    d = p - t
    a = np.abs(d)
    quad = a < beta
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "no_beta":
            loss = np.where(quad, 0.5 * d * d, a - 0.5 * beta)
            g = np.where(quad, d, np.sign(d))
        elif kind == "huber":
            loss = np.where(quad, 0.5 * d * d, beta * (a - 0.5 * beta))
            g = np.where(quad, d, beta * np.sign(d))
        elif kind == "grad_d":
            loss = np.where(quad, 0.5 * d * d / beta, a - 0.5 * beta)
            g = np.where(quad, d, np.sign(d))
        else:
            loss = np.where(quad, 0.5 * d * d / beta, a - 0.5 * beta)
            g = np.where(quad, d / beta, np.sign(d))
    if mean:
        return float(loss.mean()), g / d.size
    return float(loss.sum()), g


def smooth_l1_quadratic_without_beta(pred, target, beta=1.0):
    """Quadratic zone ``d²/2`` without ``/ beta`` (right only for beta = 1)."""
    return _smooth_l1(pred, target, beta, "no_beta")


def smooth_l1_huber(pred, target, beta=1.0):
    """The Huber loss (``beta`` scales the linear part) instead of smooth L1 (``beta`` divides the quadratic part)."""
    return _smooth_l1(pred, target, beta, "huber")


def smooth_l1_grad_d(pred, target, beta=1.0):
    """Right loss, but gradient ``d`` instead of ``d / beta`` in the quadratic zone."""
    return _smooth_l1(pred, target, beta, "grad_d")


def smooth_l1_summed(pred, target, beta=1.0):
    """Sum instead of mean over the elements."""
    return _smooth_l1(pred, target, beta, mean=False)


def smooth_l1_zero_beta_means_default(pred, target, beta=1.0):
    """``beta = beta or 1.0``: treats ``beta = 0`` (plain L1) as "not given"."""
    return _smooth_l1(pred, target, beta or 1.0)


MUTANTS = {
    "losses.mse_loss": [mse_grad_missing_one_over_p, mse_grad_missing_two, mse_mean_over_rows, mse_grad_wrong_sign],
    "losses.binary_cross_entropy_with_logits": [bce_log_of_sigmoid, bce_clipped_probabilities,
                                                bce_grad_missing_one_over_p, bce_grad_wrong_sign],
    "losses.cross_entropy": [cross_entropy_no_max_shift, cross_entropy_grad_missing_one_over_n, cross_entropy_summed,
                             cross_entropy_mean_over_classes, cross_entropy_log_of_clipped_softmax,
                             cross_entropy_shifts_scores_in_place],
    "losses.multiclass_hinge_loss": [hinge_grad_counts_zero_violation, hinge_includes_correct_class,
                                     hinge_grad_missing_one_over_n, hinge_correct_class_minus_one,
                                     hinge_ignores_margin, hinge_grad_zeros_float64],
    "losses.smooth_l1_loss": [smooth_l1_quadratic_without_beta, smooth_l1_huber, smooth_l1_grad_d,
                              smooth_l1_summed, smooth_l1_zero_beta_means_default],
}

# The precision mistakes, for every loss: float64 results with float32 rounding, float32 in and float64 out.
for _qualname in MUTANTS:
    MUTANTS[_qualname] += [computed_in_float32(_qualname, __name__), float64_output(_qualname, __name__)]
