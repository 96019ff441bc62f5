"""Practice checks for the losses exercise: one function per graded function."""
import numpy as np

from coursekit.practice import (
    Mismatch,
    Practice,
    call,
    expect,
    expect_close,
    expect_dtype,
    expect_finite,
    expect_gradient,
    expect_shape,
    spread,
)


def _pair(result, shape, what="the result"):
    """`(loss, dpred)` of a loss function, checked for form: a number and an array of `shape`."""
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise Mismatch(f"{what} should be a pair (loss, dpred), got a {type(result).__name__}")
    loss, dpred = result
    if np.ndim(loss) != 0 or not isinstance(loss, (float, np.floating)):
        raise Mismatch(f"the loss is a {type(loss).__name__}, expected a float (use float(...))")
    expect_shape(dpred, shape, "dpred")
    return float(loss), dpred


def _loss_only(loss_fn, *rest, **kwargs):
    """`p -> loss_fn(p, *rest)[0]` as an array, for a numerical gradient."""
    return lambda p: np.array(call(loss_fn, p, *rest, **kwargs)[0], dtype=np.float64)


def _gradients(p, loss_fn, inputs, what, hint="", tol=1e-6):
    """dpred agrees with the numerical gradient of your own loss on each of `inputs`."""
    def test():
        for label, pred, rest, kwargs in inputs():
            loss, dpred = _pair(call(loss_fn, pred, *rest, **kwargs), np.shape(pred))
            expect_gradient(_loss_only(loss_fn, *rest, **kwargs), pred, np.array(1.0), dpred,
                            f"dpred for {label}", tol=tol, atol=1e-10)
    p.check(what, test, hint=hint)


def _dtypes(p, loss_fn, make):
    """float32 in, float32 out; integer in, float64 out; the same values."""
    def test():
        pred, rest, kwargs = make(np.float32)
        loss32, dpred32 = _pair(call(loss_fn, pred, *rest, **kwargs), np.shape(pred))
        expect_dtype(dpred32, np.float32, "dpred for float32 input")
        pred64 = pred.astype(np.float64)
        rest64 = tuple(r.astype(np.float64) if isinstance(r, np.ndarray) and r.dtype == np.float32 else r for r in rest)
        loss64, dpred64 = _pair(call(loss_fn, pred64, *rest64, **kwargs), np.shape(pred))
        expect_close(loss32, loss64, "the loss for float32 input (compared with your float64 one)",
                     rtol=1e-4, atol=1e-5)
        expect_close(dpred32, dpred64, "dpred for float32 input (compared with your float64 one)", rtol=1e-3, atol=1e-5)
        pred, rest, kwargs = make(np.int64)
        loss, dpred = _pair(call(loss_fn, pred, *rest, **kwargs), np.shape(pred))
        expect_dtype(dpred, np.float64, "dpred for integer input")
    p.check("float32 in gives float32 out; integers give float64", test)


# -- regression losses ---------------------------------------------------------------

def _regression_inputs(rng, beta=None):
    kwargs = {} if beta is None else {"beta": beta}

    def inputs():
        for shape in [(1, 4), (3, 5), (7,), (2, 3, 4), (1, 1)]:
            pred, target = 2.0 * rng.standard_normal(shape), rng.standard_normal(shape)
            if beta is not None:  # keep every difference away from the kinks at ±beta and 0
                d = pred - target
                for k in {beta, -beta, 0.0}:
                    near = np.abs(d - k) < 1e-3
                    pred[near] += 0.01
            yield f"shape {shape}", pred, (target,), kwargs
    return inputs


def practice_mse_loss(mse_loss):
    """Practice checks of `mse_loss`; True when all pass."""
    p = Practice("mse_loss")
    rng = p.rng

    def by_hand():
        pred = np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 1.0]])
        loss, dpred = _pair(call(mse_loss, pred, np.zeros((2, 3))), (2, 3))
        expect_close(loss, 16 / 6, "the loss of differences (1, 2, 3 / 0, -1, 1): (1 + 4 + 9 + 0 + 1 + 1) / 6")
        expect_close(dpred, 2 * pred / 6, "dpred there: 2 (p - t) / P with P = 6 elements")
        loss, dpred = _pair(call(mse_loss, pred, pred.copy()), (2, 3))
        expect_close([loss, *dpred.ravel()], np.zeros(7), "loss and dpred for predictions equal to the targets",
                     rtol=0, atol=0)

    def large():
        target = 100.0 * rng.standard_normal((4, 5))
        loss, dpred = _pair(call(mse_loss, target + 1e4, target), (4, 5))
        expect_close(loss, 1e8, "the loss when every prediction is 1e4 too high", rtol=1e-9)
        expect_close(dpred, np.full((4, 5), 2e4 / 20), "dpred when every prediction is 1e4 too high", rtol=1e-9)
        pred = spread(rng, (3, 4))
        expect_finite(_pair(call(mse_loss, pred, target[:3, :4]), (3, 4))[1], "dpred for values up to ±1e4")

    p.check("small cases by hand: a mean over all P elements", by_hand,
            hint="the mean runs over every element (pred.size), not over the rows.")
    _gradients(p, mse_loss, _regression_inputs(rng),
               "dpred agrees with the numerical gradient: 1-D to 3-D, a single element",
               hint="the derivative of (p - t)² is 2 (p - t); the mean divides by P.")
    p.check("values up to ±1e4", large)
    _dtypes(p, mse_loss, lambda dtype: ((3 * rng.standard_normal((4, 3))).astype(dtype),
                                        ((3 * rng.standard_normal((4, 3))).astype(dtype),), {}))
    return p.ok


def practice_smooth_l1_loss(smooth_l1_loss):
    """Practice checks of `smooth_l1_loss`; True when all pass."""
    p = Practice("smooth_l1_loss")
    rng = p.rng

    def by_hand():
        d = np.array([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0])
        # beta = 1: |d| - 1/2 outside (-1, 1), d² / 2 inside; the pieces meet at ±1 with value 1/2 and slope ±1.
        loss, dpred = _pair(call(smooth_l1_loss, d, np.zeros(7)), (7,))
        expect_close(loss, (1.5 + 0.5 + 0.125 + 0 + 0.125 + 0.5 + 1.5) / 7, "beta = 1: the loss of d = -2 ... 2")
        expect_close(dpred, np.array([-1, -1, -0.5, 0, 0.5, 1, 1]) / 7, "beta = 1: dpred of d = -2 ... 2")
        # beta = 0.5: d² / (2 beta) = d² inside (-0.5, 0.5), |d| - 0.25 outside.
        loss, dpred = _pair(call(smooth_l1_loss, d, np.zeros(7), beta=0.5), (7,))
        expect_close(loss, (1.75 + 0.75 + 0.25 + 0 + 0.25 + 0.75 + 1.75) / 7, "beta = 0.5: the loss of d = -2 ... 2")
        expect_close(dpred, np.array([-1, -1, -1, 0, 1, 1, 1]) / 7, "beta = 0.5: dpred of d = -2 ... 2")
        # beta = 3: every |d| < 3, so the loss is d² / 6.
        loss, dpred = _pair(call(smooth_l1_loss, d, np.zeros(7), beta=3.0), (7,))
        expect_close(loss, np.sum(d * d / 6) / 7, "beta = 3: the loss of d = -2 ... 2 (all quadratic)")

    def plain_l1():
        pred = rng.standard_normal((4, 5))
        target = pred.copy()
        moved = rng.random((4, 5)) < 0.5
        target[moved] += rng.choice([-1.5, 1.5], size=int(moved.sum()))
        loss, dpred = _pair(call(smooth_l1_loss, pred, target, beta=0.0), (4, 5))
        expect_finite(dpred, "dpred with beta = 0")
        expect_close(loss, 1.5 * moved.sum() / 20, "beta = 0 (plain L1): the loss", rtol=1e-9)
        expect_close(dpred, np.where(moved, -1.5 * np.sign(target - pred), 0.0) / 1.5 / 20,
                     "beta = 0: dpred (sign(d) / P, and 0 where d == 0)", rtol=1e-9)

    p.check("beta = 1, 0.5 and 3, at and around the kinks ±beta, by hand", by_hand,
            hint="quadratic d² / (2 beta) for |d| < beta, linear |d| - beta / 2 elsewhere; the mean over P elements.")
    p.check("beta = 0 with exact zero differences (no division by zero)", plain_l1,
            hint="with beta = 0 there is no quadratic zone: the subgradient is sign(d), 0 at d = 0.")
    for beta in (1.0, 0.5, 3.0):
        _gradients(p, smooth_l1_loss, _regression_inputs(rng, beta), f"beta = {beta:g}: dpred agrees with the "
                   "numerical gradient, 1-D to 3-D", hint="inside the quadratic zone the slope is d / beta.")
    _dtypes(p, smooth_l1_loss, lambda dtype: ((3 * rng.standard_normal((3, 4))).astype(dtype),
                                              ((3 * rng.standard_normal((3, 4))).astype(dtype),), {"beta": 0.25}))
    return p.ok


def practice_binary_cross_entropy_with_logits(binary_cross_entropy_with_logits):
    """Practice checks of `binary_cross_entropy_with_logits`; True when all pass."""
    p = Practice("binary_cross_entropy_with_logits")
    rng = p.rng
    bce = binary_cross_entropy_with_logits

    def by_hand():
        z = np.array([0.0, np.log(3.0), -np.log(3.0), 0.0])
        t = np.array([1.0, 1.0, 0.0, 0.25])
        # σ = 1/2, 3/4, 1/4, 1/2: losses ln 2, ln(4/3), ln(4/3), ln 2; gradients σ - t, divided by P = 4
        loss, dpred = _pair(call(bce, z, t), (4,))
        expect_close(loss, (2 * np.log(2.0) + 2 * np.log(4 / 3)) / 4, "the loss at z = 0, ±ln 3 (soft label 1/4 too)")
        expect_close(dpred, np.array([-0.5, -0.25, 0.25, 0.25]) / 4, "dpred there: (σ(z) - t) / P")

    def extremes():
        z = np.array([1e4, -1e4, 1e4, -1e4, 800.0, -800.0, 0.0, 0.0])
        t = np.array([1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0])
        # sure and right costs 0, sure and wrong costs |z|; z = 0 costs ln 2
        loss, dpred = _pair(call(bce, z, t), (8,))
        expect_close(loss, (0 + 1e4 + 1e4 + 0 + 0 + 800 + 2 * np.log(2.0)) / 8,
                     "the loss for logits of ±1e4 and ±800, right and wrong (wrong and sure costs |z|)")
        expect_close(dpred, np.array([0, -1, 1, 0, 0, -1, -0.5, 0.5]) / 8, "dpred for logits of ±1e4 and ±800",
                     atol=1e-12)

    def symmetric():
        z, t = 3.0 * rng.standard_normal((3, 5)), rng.uniform(size=(3, 5))
        l1, d1 = _pair(call(bce, z, t), (3, 5))
        l2, d2 = _pair(call(bce, -z, 1 - t), (3, 5))
        expect_close(l1, l2, "the loss of (z, t) against that of (-z, 1 - t) (should be equal)", rtol=1e-9)
        expect_close(d1, -d2, "dpred of (z, t) against -dpred of (-z, 1 - t)", rtol=1e-9, atol=1e-15)
        big = spread(rng, (6, 4))
        labels = (rng.uniform(size=big.shape) < 0.5) * 1.0
        l3, d3 = _pair(call(bce, big, labels), big.shape)
        expect_finite([l3, *d3.ravel()], "the loss and dpred for logits up to ±1e4")

    def inputs():
        for shape in [(1, 4), (3, 5), (2, 3, 2), (1,)]:
            yield f"logits of shape {shape}", 2.0 * rng.standard_normal(shape), (rng.uniform(size=shape),), {}

    p.check("small cases by hand, soft labels included", by_hand)
    p.check("logits of ±1e4 and ±800: no inf, no NaN, the exact loss", extremes,
            hint="rewrite the loss so that exp only sees non-positive numbers (np.log1p helps); never take log(σ).")
    p.check("symmetry (z, t) ↔ (-z, 1 - t), and random logits up to ±1e4", symmetric)
    _gradients(p, bce, inputs, "dpred agrees with the numerical gradient: shapes from a single logit to 3-D",
               hint="work the gradient out from the stable form; the mean divides by P.")
    _dtypes(p, bce, lambda dtype: ((3 * rng.standard_normal((3, 6))).astype(dtype),
                                   (rng.integers(0, 2, (3, 6)).astype(dtype if dtype == np.float32 else np.float64),),
                                   {}))
    return p.ok


# -- class losses --------------------------------------------------------------------

def _class_inputs(rng, away_from_kinks=None):
    def inputs():
        for N, C in [(1, 5), (4, 3), (6, 2)]:
            while True:
                scores, y = 2.0 * rng.standard_normal((N, C)), rng.integers(0, C, N)
                if away_from_kinks is None or away_from_kinks(scores, y):
                    break
            yield f"scores of shape {(N, C)}", scores, (y,), {}
    return inputs


def _class_invariants(p, loss_fn, name):
    rng = p.rng

    def test():
        scores, y = 2.0 * rng.standard_normal((5, 4)), rng.integers(0, 4, 5)
        loss, dpred = _pair(call(loss_fn, scores, y), (5, 4))
        expect(loss >= 0, f"the loss is {loss:.4g}, a negative number")
        sums = dpred.sum(axis=1)
        expect_close(sums, np.zeros(5), "the row sums of dpred (should be 0)", rtol=0, atol=1e-12)
        shifted, dshifted = _pair(call(loss_fn, scores + rng.standard_normal((5, 1)) * 10, y), (5, 4))
        expect_close(shifted, loss, "the loss after adding a constant to each row of scores (should not change)",
                     rtol=1e-9, atol=1e-12)
        expect_close(dshifted, dpred, "dpred after adding a constant to each row (should not change)",
                     rtol=1e-7, atol=1e-12)
        y32 = y.astype(np.int32)
        expect_close(_pair(call(loss_fn, scores, y32), (5, 4))[0], loss, "the loss with int32 labels", rtol=1e-12)
    p.check(f"{name}: loss ≥ 0, rows of dpred sum to 0, a constant added to a row changes nothing, int32 labels",
            test)


def practice_cross_entropy(cross_entropy):
    """Practice checks of `cross_entropy`; True when all pass."""
    p = Practice("cross_entropy")
    rng = p.rng

    def by_hand():
        a = rng.integers(1, 6, size=(4, 3)).astype(np.float64)   # scores ln a + c: probabilities a / sum(a)
        y = np.array([0, 2, 1, 0])
        scores = np.log(a) + np.array([[0.0], [40.0], [1000.0], [-1000.0]])
        prob = a / a.sum(axis=1, keepdims=True)
        loss, dpred = _pair(call(cross_entropy, scores, y), (4, 3))
        expect_close(loss, -np.mean(np.log(prob[np.arange(4), y])),
                     "the loss for scores ln a + c, c = 0, 40, ±1000 (mean of -log of the right probability)")
        expect_close(dpred, (prob - np.eye(3)[y]) / 4, "dpred there: (probabilities - one-hot) / N")

    def extremes():
        loss, dpred = _pair(call(cross_entropy, np.array([[1e4, 0.0, -1e4], [1e4, 0.0, -1e4]]), np.array([0, 2])),
                            (2, 3))
        expect_close(loss, (0.0 + 2e4) / 2, "scores (1e4, 0, -1e4): right and sure costs 0, wrong costs the gap 2e4")
        expect_close(dpred, np.array([[0.0, 0, 0], [1, 0, -1]]) / 2, "dpred for scores of ±1e4", atol=1e-12)
        loss, dpred = _pair(call(cross_entropy, np.full((3, 4), 2.5), np.array([0, 3, 1])), (3, 4))
        expect_close(loss, np.log(4.0), "rows of equal scores: the loss is log C")
        expect_close(dpred, (0.25 - np.eye(4)[[0, 3, 1]]) / 3, "dpred for rows of equal scores")
        x = spread(rng, (5, 4))
        expect_finite(_pair(call(cross_entropy, x, rng.integers(0, 4, 5)), (5, 4))[1], "dpred for scores up to ±1e4")

    p.check("scores ln a + c by hand, also with c = ±1000", by_hand,
            hint="compute log-softmax with each row's maximum subtracted; the mean runs over the N samples.")
    p.check("scores of ±1e4 and ties", extremes, hint="never clip probabilities: work with log-probabilities.")
    _class_invariants(p, cross_entropy, "invariants")
    _gradients(p, cross_entropy, _class_inputs(rng), "dpred agrees with the numerical gradient: one sample, C = 2",
               hint="softmax minus one-hot, divided by N.")
    _dtypes(p, cross_entropy, lambda dtype: ((3 * rng.standard_normal((5, 3))).astype(dtype),
                                             (rng.integers(0, 3, 5),), {}))
    return p.ok


def practice_multiclass_hinge_loss(multiclass_hinge_loss):
    """Practice checks of `multiclass_hinge_loss`; True when all pass."""
    p = Practice("multiclass_hinge_loss")
    rng = p.rng
    hinge = multiclass_hinge_loss

    def by_hand():
        scores = np.array([[3.0, 1.0, -3.0], [3.0, 1.0, -3.0], [0.0, 0.5, 0.2]])
        y = np.array([0, 1, 0])
        # margins: sample 0: -1, -5 (none); sample 1: 3 (cat), -3; sample 2: 1.5, 1.2 (both violated)
        loss, dpred = _pair(call(hinge, scores, y), (3, 3))
        expect_close(loss, (0 + 3 + 2.7) / 3, "the cat/dog/bird example and a sample with two violations")
        expect_close(dpred, np.array([[0.0, 0, 0], [1, -1, 0], [-2, 1, 1]]) / 3,
                     "dpred there: +1 per violated wrong class, minus their count for the right one, / N")
        loss, dpred = _pair(call(hinge, scores, y, margin=0.5), (3, 3))
        expect_close(loss, (0 + 2.5 + 1.7) / 3, "margin = 0.5: the loss")

    def kinks():
        # Exactly on the margin counts as no violation (subgradient 0 there).
        loss, dpred = _pair(call(hinge, np.array([[2.0, 1.0, 0.0], [1.0, 1.0, 3.0]]), np.array([0, 2])), (2, 3))
        expect_close([loss, *dpred.ravel()], np.zeros(7), "margins of exactly 0 (1 - 2 + 1 and 1 - 3 + 1... ) give 0",
                     rtol=0, atol=0)
        scores = np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 1.0]])
        loss, dpred = _pair(call(hinge, scores, np.array([0, 0]), margin=0.0), (2, 3))
        expect_close(loss, (0 + 2) / 2, "margin = 0 with tied scores: the loss")
        expect_close(dpred, np.array([[0.0, 0, 0], [-2, 1, 1]]) / 2, "margin = 0 with tied scores: dpred")

    def perfect():
        y = rng.permutation(5)[:4]
        scores = rng.normal(size=(4, 5)) + 50.0 * np.eye(5)[y]
        loss, dpred = _pair(call(hinge, scores, y), (4, 5))
        expect_close([loss, *dpred.ravel()], np.zeros(21), "perfectly classified samples: loss and dpred 0",
                     rtol=0, atol=0)
        big = spread(rng, (5, 4))
        expect_finite(_pair(call(hinge, big, rng.integers(0, 4, 5)), (5, 4))[1], "dpred for scores up to ±1e4")

    def away(scores, y):
        margins = scores - scores[np.arange(len(y)), y][:, None] + 1.0
        margins[np.arange(len(y)), y] = 1.0
        return np.all(np.abs(margins) > 1e-3)

    p.check("small cases by hand, margin = 0.5 too", by_hand,
            hint="the sum skips j = y; each violated margin adds 1/N to its class and takes 1/N from the right one.")
    p.check("margins exactly at the kink, margin = 0 with ties", kinks,
            hint="count a margin only when it is strictly positive.")
    p.check("perfectly classified samples, scores up to ±1e4", perfect)
    _class_invariants(p, hinge, "invariants")
    _gradients(p, hinge, _class_inputs(rng, away), "dpred agrees with the numerical gradient away from the kinks")
    _dtypes(p, hinge, lambda dtype: ((2 * rng.standard_normal((5, 3))).astype(dtype), (rng.integers(0, 3, 5),), {}))
    return p.ok


SELF_CHECKS = {
    "mse_loss": practice_mse_loss, "binary_cross_entropy_with_logits": practice_binary_cross_entropy_with_logits,
    "cross_entropy": practice_cross_entropy, "multiclass_hinge_loss": practice_multiclass_hinge_loss,
    "smooth_l1_loss": practice_smooth_l1_loss,
}
