"""Known mistakes of the losses exercise (see :mod:`autograder.judge.catalogue`)."""
import numpy as np

from autograder.judge.catalogue import as_float, computed_in_float32, float64_output, mistake

#: The book section that teaches each graded function (an anchor of its chapter's page).
SECTIONS = {
    "mse_loss": "mean-squared-error",
    "binary_cross_entropy_with_logits": "binary-cross-entropy-from-logits",
    "cross_entropy": "softmax-cross-entropy",
    "multiclass_hinge_loss": "sec-losses-hinge",
    "smooth_l1_loss": "sec-losses-smooth-l1",
}

#: Entries that give the same outcomes on every hidden case (``<function>/<key>``): the grader names them
#: together, and the mutant suite expects that.
ALIKE = [
    # Both give a float64 gradient for float32 scores, equal to float32 rounding.
    ("multiclass_hinge_loss/float64-gradient", "multiclass_hinge_loss/float64-output"),
]


def _pair(pred, target):
    pred = as_float(pred)
    return pred, np.asarray(target).astype(pred.dtype)


def _sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


# -- MSE -----------------------------------------------------------------------

@mistake("losses.mse_loss", "grad-missing-mean",
         name="gradient without the 1/P of the mean",
         explain="Your loss is the mean over all P elements, but your gradient is that of the sum: it lacks the "
                 "factor 1/P. The derivative of the mean is 2(p − t)/P.")
def mse_grad_missing_one_over_p(pred, target):
    """Gradient ``2 (p - t)`` without the ``1/P`` of the mean."""
    p, t = _pair(pred, target)
    d = p - t
    return float(np.mean(d * d)), 2 * d


@mistake("losses.mse_loss", "grad-missing-two",
         name="gradient without the factor 2",
         explain="The derivative of the square (p − t)² is 2(p − t): your gradient lacks the factor 2. Some texts "
                 "put a factor ½ in front of the loss to cancel it, but this loss has none.")
def mse_grad_missing_two(pred, target):
    """Gradient ``(p - t) / P``: the factor 2 of the square is lost."""
    p, t = _pair(pred, target)
    d = p - t
    return float(np.mean(d * d)), d / d.size


@mistake("losses.mse_loss", "mean-over-rows",
         name="mean over the rows instead of all elements",
         explain="You divide by the number of rows N. The mean squared error averages over all P elements of the "
                 "array, in the loss and in its gradient.")
def mse_mean_over_rows(pred, target):
    """Averages over the N rows (the batch axis) instead of all P elements."""
    p, t = _pair(pred, target)
    d = p - t
    n = d.shape[0] if d.ndim else 1
    return float(np.sum(d * d) / n), 2 * d / n


@mistake("losses.mse_loss", "grad-wrong-sign",
         name="gradient with the wrong sign",
         explain="Your gradient has the wrong sign: it is the derivative with respect to the target. With respect to "
                 "the prediction it is 2(p − t)/P: positive when the prediction is too large.")
def mse_grad_wrong_sign(pred, target):
    """Gradient with respect to the target, ``2 (t - p) / P``: sign flipped."""
    p, t = _pair(pred, target)
    d = p - t
    return float(np.mean(d * d)), 2 * (t - p) / d.size


# -- binary cross-entropy with logits -------------------------------------------

@mistake("losses.binary_cross_entropy_with_logits", "log-of-sigmoid",
         name="the log of a computed sigmoid",
         explain="You take the logarithm of a computed σ(z), which rounds to exactly 0 or 1 for large |z|, so the "
                 "log gives inf or NaN. Work from the logits with the stable formula, which never takes the log of a "
                 "probability.",
         see="a-stable-formula")
def bce_log_of_sigmoid(logits, target):
    """The literal ``-t log(sigma(z)) - (1 - t) log(1 - sigma(z))``: log(0) = -inf for large |z|."""
    z, t = _pair(logits, target)
    s = 1 / (1 + np.exp(-z))
    loss = np.mean(-t * np.log(s) - (1 - t) * np.log(1 - s))
    return float(loss), (s - t) / z.size


@mistake("losses.binary_cross_entropy_with_logits", "clipped-probabilities",
         name="probabilities clipped before the log",
         explain="Clipping the probability away from 0 and 1 caps the loss of a confidently wrong logit at about "
                 "27.6, while the true loss keeps growing like |z|. Compute the loss from the logits with the stable "
                 "formula instead.",
         see="a-stable-formula")
def bce_clipped_probabilities(logits, target):
    """Clips the probabilities to ``[1e-12, 1 - 1e-12]`` before the log: a confidently wrong logit costs ~27.6, not |z|.

    (The loss is capped; the gradient is the right one.)
    """
    z, t = _pair(logits, target)
    s = np.clip(_sigmoid(z), 1e-12, 1 - 1e-12)
    loss = np.mean(-t * np.log(s) - (1 - t) * np.log(1 - s))
    return float(loss), (_sigmoid(z) - t) / z.size


@mistake("losses.binary_cross_entropy_with_logits", "grad-missing-mean",
         name="gradient without the 1/P of the mean",
         explain="The loss is a mean over the P elements, so its gradient is (σ(z) − t)/P; yours lacks the 1/P.")
def bce_grad_missing_one_over_p(logits, target):
    """Gradient ``sigma(z) - t`` without the ``1/P`` of the mean."""
    z, t = _pair(logits, target)
    loss = np.mean(np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z))))
    return float(loss), _sigmoid(z) - t


@mistake("losses.binary_cross_entropy_with_logits", "grad-wrong-sign",
         name="gradient with the wrong sign",
         explain="Your gradient is (t − σ(z))/P. The derivative of the loss with respect to the logit is (σ(z) − "
                 "t)/P: positive when the predicted probability is too high.")
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


@mistake("losses.cross_entropy", "no-max-shift",
         name="the row maximum not subtracted",
         explain="You exponentiate the scores as they are; large scores overflow to inf and the loss becomes NaN. "
                 "Subtract each row's maximum first (it does not change the softmax) and take the log-probabilities "
                 "as the scores minus the log of the sum of their exponentials.")
def cross_entropy_no_max_shift(scores, y):
    """Forgets to subtract the row maximum: ``exp`` overflows for large scores."""
    s = as_float(scores)
    n = s.shape[0]
    logp = _log_softmax(s, shift=False)
    g = np.exp(logp)
    g[np.arange(n), y] -= 1
    return float(-logp[np.arange(n), y].mean()), g / n


@mistake("losses.cross_entropy", "grad-missing-mean",
         name="gradient without the 1/N of the batch mean",
         explain="The loss is the mean over the N samples, so each row of the gradient is the softmax minus the "
                 "one-hot label, divided by N; yours lacks the 1/N.",
         see="the-gradient-softmax-minus-one-hot")
def cross_entropy_grad_missing_one_over_n(scores, y):
    """Gradient ``softmax - onehot`` without the ``1/N`` of the batch mean."""
    s = as_float(scores)
    n = s.shape[0]
    logp = _log_softmax(s)
    g = np.exp(logp)
    g[np.arange(n), y] -= 1
    return float(-logp[np.arange(n), y].mean()), g


@mistake("losses.cross_entropy", "summed",
         name="summed over the batch instead of averaged",
         explain="Your loss and gradient are sums over the batch. The course's losses are means over the N samples, "
                 "so that their size does not depend on the batch size.")
def cross_entropy_summed(scores, y):
    """Sums the loss and its gradient over the batch instead of averaging."""
    s = as_float(scores)
    n = s.shape[0]
    logp = _log_softmax(s)
    g = np.exp(logp)
    g[np.arange(n), y] -= 1
    return float(-logp[np.arange(n), y].sum()), g


@mistake("losses.cross_entropy", "mean-over-classes",
         name="divided by N·C instead of N",
         explain="You average over the whole N×C array of one-hot products, which divides by N·C. Each sample "
                 "contributes one term, minus the log-probability of its correct class, and the mean is over the N "
                 "samples.")
def cross_entropy_mean_over_classes(scores, y):
    """Averages ``-log p`` over the whole (N, C) array of one-hot products, i.e. divides by N·C."""
    s = as_float(scores)
    n, c = s.shape
    logp = _log_softmax(s)
    onehot = np.eye(c)[y]
    g = (np.exp(logp) - onehot) / (n * c)
    return float(np.mean(-onehot * logp)), g


@mistake("losses.cross_entropy", "in-place-shift",
         name="the maximum subtracted inside the caller's scores",
         explain="You subtract the row maximum from the scores array itself, which belongs to the caller (and is "
                 "read-only during grading). Subtract into a new array.",
         see="how-to-use#rules")
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


@mistake("losses.cross_entropy", "clipped-probabilities",
         name="the log of a clipped probability",
         explain="Clipping the probability before the log caps the loss of a confidently wrong sample at about 34.5, "
                 "while the true loss keeps growing. Compute the log-probabilities directly, with the maximum "
                 "subtracted and the log of the sum of exponentials.")
def cross_entropy_log_of_clipped_softmax(scores, y):
    """``-log(max(softmax, 1e-15))``: a confidently wrong sample costs at most ~34.5."""
    s = as_float(scores)
    n = s.shape[0]
    p = np.exp(_log_softmax(s))
    loss = -np.log(np.maximum(p[np.arange(n), y], 1e-15)).mean()
    g = p.copy()
    g[np.arange(n), y] -= 1
    return float(loss), g / n


# -- multiclass hinge ------------------------------------------------------------

def _hinge(scores, y, margin, ge=False, include_correct=False, divide=True, minus_one=False):
    s = as_float(scores)
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


@mistake("losses.multiclass_hinge_loss", "kink-counted",
         name="a margin of exactly 0 counted as violated",
         explain="A class whose margin term is exactly 0 sits at the hinge's kink. The course's subgradient counts "
                 "only terms strictly above 0: such a class adds nothing to the gradient.",
         see="its-gradient")
def hinge_grad_counts_zero_violation(scores, y, margin=1.0):
    """Counts a margin of exactly 0 as violated (``>= 0``): the course's subgradient at the kink is 0."""
    return _hinge(scores, y, margin, ge=True)


@mistake("losses.multiclass_hinge_loss", "correct-class-included",
         name="the correct class included in the sum",
         explain="Your sum also runs over the correct class, which adds the margin to every sample's loss. The hinge "
                 "loss sums over the other classes only.")
def hinge_includes_correct_class(scores, y, margin=1.0):
    """Sums over all classes, also ``j = y_n``, which adds ``margin`` per sample."""
    return _hinge(scores, y, margin, include_correct=True)


@mistake("losses.multiclass_hinge_loss", "grad-missing-mean",
         name="gradient without the 1/N of the batch mean",
         explain="The loss is a mean over the N samples, and so is its gradient: divide it by N.",
         see="its-gradient")
def hinge_grad_missing_one_over_n(scores, y, margin=1.0):
    """Gradient not divided by N."""
    return _hinge(scores, y, margin, divide=False)


@mistake("losses.multiclass_hinge_loss", "correct-class-minus-one",
         name="−1 for the correct class",
         explain="The correct class's score appears in every violated margin term of its row, so its gradient is "
                 "minus the number of violated terms, not −1.",
         see="its-gradient")
def hinge_correct_class_minus_one(scores, y, margin=1.0):
    """Gives the correct class ``-1`` when any margin is violated, instead of minus the number of violations."""
    return _hinge(scores, y, margin, minus_one=True)


@mistake("losses.multiclass_hinge_loss", "ignores-margin",
         name="the margin fixed at 1",
         explain="You use the margin 1 whatever margin is passed: use the argument.")
def hinge_ignores_margin(scores, y, margin=1.0):
    """Hard-codes the margin 1 and ignores the argument."""
    return _hinge(scores, y, 1.0)


# -- smooth L1 -------------------------------------------------------------------

@mistake("losses.multiclass_hinge_loss", "float64-gradient",
         name="a float64 gradient for float32 scores",
         explain="Your gradient starts as a float64 array of zeros, so float32 scores give a float64 gradient. "
                 "Create it in the dtype of the scores: float32 in, float32 out.",
         see="how-to-use#rules")
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


@mistake("losses.smooth_l1_loss", "quadratic-without-beta",
         name="the quadratic part not divided by β",
         explain="In the quadratic zone smooth L1 is d²/(2β). Without the division by β the two pieces do not meet "
                 "at |d| = β, unless β = 1.")
def smooth_l1_quadratic_without_beta(pred, target, beta=1.0):
    """Quadratic zone ``d²/2`` without ``/ beta`` (right only for beta = 1)."""
    return _smooth_l1(pred, target, beta, "no_beta")


@mistake("losses.smooth_l1_loss", "huber",
         name="the Huber loss instead of smooth L1",
         explain="Your β scales the linear part, as in the Huber loss. In smooth L1, β divides the quadratic part: "
                 "d²/(2β) for |d| < β and |d| − β/2 beyond, so that its slope is never above 1.")
def smooth_l1_huber(pred, target, beta=1.0):
    """The Huber loss (``beta`` scales the linear part) instead of smooth L1 (``beta`` divides the quadratic part)."""
    return _smooth_l1(pred, target, beta, "huber")


@mistake("losses.smooth_l1_loss", "grad-missing-beta",
         name="gradient d instead of d/β",
         explain="Your loss is right, but in the quadratic zone the derivative of d²/(2β) is d/β, not d.")
def smooth_l1_grad_d(pred, target, beta=1.0):
    """Right loss, but gradient ``d`` instead of ``d / beta`` in the quadratic zone."""
    return _smooth_l1(pred, target, beta, "grad_d")


@mistake("losses.smooth_l1_loss", "summed",
         name="summed instead of averaged",
         explain="Your loss and gradient are sums over the elements. The loss is their mean, so both are divided by "
                 "the number of elements.")
def smooth_l1_summed(pred, target, beta=1.0):
    """Sum instead of mean over the elements."""
    return _smooth_l1(pred, target, beta, mean=False)


@mistake("losses.smooth_l1_loss", "zero-beta-as-default",
         name="β = 0 replaced by the default",
         explain="You replace β = 0 by the default 1, as happens when 0 is treated like a missing value. β = 0 is "
                 "legal: the quadratic zone disappears and smooth L1 becomes plain L1.")
def smooth_l1_zero_beta_means_default(pred, target, beta=1.0):
    """``beta = beta or 1.0``: treats ``beta = 0`` (plain L1) as "not given"."""
    return _smooth_l1(pred, target, beta or 1.0)


# The precision mistakes, for every loss: float64 results with float32 rounding, float32 in and float64 out.
for _qualname in SECTIONS:
    computed_in_float32(f"losses.{_qualname}", __name__)
    float64_output(f"losses.{_qualname}", __name__)
