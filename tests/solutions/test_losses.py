"""Tests of solutions.losses: loss values and their gradients w.r.t. the predictions.

Values are compared with slow loops over ``math`` functions and with
hand-computed cases; gradients with central differences of the scalar loss
(``dout = 1``). Optional comparisons with PyTorch run only when it is installed.
"""
import math

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from coursekit.checking import rel_error
from coursekit.gradcheck import numerical_gradient
from solutions import losses

DTYPES = [np.float32, np.float64]
SHAPES = [(5,), (4, 3), (2, 3, 4)]


def _assert_grad(analytic, numeric, name=""):
    err = rel_error(analytic, numeric)
    assert err < 1e-7, f"{name}: relative error {err:.2e} between analytic and numerical gradient"


def _loss_gradient(loss_fn, pred, *args, **kwargs):
    """Numerical gradient of the scalar loss with respect to ``pred``."""
    return numerical_gradient(lambda p: loss_fn(p, *args, **kwargs)[0], pred, np.array(1.0))


def _check_result(loss, dpred, pred):
    assert type(loss) is float
    assert dpred.shape == np.shape(pred)
    assert dpred.dtype == np.asarray(pred).dtype


# ---------------------------------------------------------------------------
# slow references
# ---------------------------------------------------------------------------

def _mse_loop(p, t):
    p, t = np.asarray(p, np.float64).ravel(), np.asarray(t, np.float64).ravel()
    return math.fsum((a - b) ** 2 for a, b in zip(p, t)) / p.size


def _bce_loop(z, t):
    """The textbook form -t log(sigma) - (1 - t) log(1 - sigma), for moderate z."""
    total = []
    for zi, ti in zip(np.asarray(z, np.float64).ravel(), np.asarray(t, np.float64).ravel()):
        s = 1.0 / (1.0 + math.exp(-zi))
        total.append(-ti * math.log(s) - (1.0 - ti) * math.log(1.0 - s))
    return math.fsum(total) / len(total)


def _cross_entropy_loop(scores, y):
    total = []
    for row, label in zip(np.asarray(scores, np.float64), y):
        denom = math.fsum(math.exp(v) for v in row)
        total.append(-math.log(math.exp(row[label]) / denom))
    return math.fsum(total) / len(total)


def _hinge_loop(scores, y, margin=1.0):
    total = 0.0
    for row, label in zip(np.asarray(scores, np.float64), y):
        for j, v in enumerate(row):
            if j != label:
                total += max(0.0, v - row[label] + margin)
    return total / len(y)


def _smooth_l1_loop(p, t, beta):
    total = []
    for a, b in zip(np.asarray(p, np.float64).ravel(), np.asarray(t, np.float64).ravel()):
        d = abs(a - b)
        total.append(0.5 * d * d / beta if d < beta else d - 0.5 * beta)
    return math.fsum(total) / len(total)


# ---------------------------------------------------------------------------
# MSE
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_mse_matches_loop(shape, dtype):
    rng = np.random.default_rng(0)
    pred, target = rng.normal(size=shape).astype(dtype), rng.normal(size=shape).astype(dtype)
    loss, dpred = losses.mse_loss(pred, target)
    _check_result(loss, dpred, pred)
    rtol = 1e-13 if dtype == np.float64 else 1e-5
    assert_allclose(loss, _mse_loop(pred, target), rtol=rtol)
    # closed form of the gradient
    assert_allclose(dpred, 2 * (pred.astype(np.float64) - target) / pred.size, rtol=rtol)


@pytest.mark.parametrize("shape", SHAPES)
def test_mse_gradient_numerical(shape):
    rng = np.random.default_rng(1)
    pred, target = rng.normal(size=shape), rng.normal(size=shape)
    _, dpred = losses.mse_loss(pred, target)
    _assert_grad(dpred, _loss_gradient(losses.mse_loss, pred, target), "mse")


def test_mse_hand_example():
    loss, dpred = losses.mse_loss(np.array([1.0, 2.0, 4.0]), np.array([1.0, 0.0, 1.0]))
    assert loss == (0 + 4 + 9) / 3
    assert_allclose(dpred, [0.0, 4 / 3, 2.0], rtol=1e-15)


def test_mse_rejects_shape_mismatch():
    with pytest.raises(ValueError, match="shape"):
        losses.mse_loss(np.zeros((3, 1)), np.zeros(3))


# ---------------------------------------------------------------------------
# binary cross-entropy with logits
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_bce_matches_textbook_formula(shape, dtype):
    rng = np.random.default_rng(2)
    z = (3 * rng.normal(size=shape)).astype(dtype)
    t = rng.uniform(size=shape).astype(dtype)  # soft labels
    t.ravel()[:2] = [0.0, 1.0]                 # and hard ones
    loss, dpred = losses.binary_cross_entropy_with_logits(z, t)
    _check_result(loss, dpred, z)
    rtol = 1e-12 if dtype == np.float64 else 1e-5
    assert_allclose(loss, _bce_loop(z, t), rtol=rtol)


@pytest.mark.parametrize("shape", SHAPES)
def test_bce_gradient_numerical(shape):
    rng = np.random.default_rng(3)
    z, t = 2 * rng.normal(size=shape), rng.uniform(size=shape)
    _, dpred = losses.binary_cross_entropy_with_logits(z, t)
    numeric = _loss_gradient(losses.binary_cross_entropy_with_logits, z, t)
    _assert_grad(dpred, numeric, "bce")
    s = 1 / (1 + np.exp(-z))
    assert_allclose(dpred, (s - t) / z.size, rtol=1e-13)


@pytest.mark.parametrize("dtype", DTYPES)
def test_bce_stable_for_large_logits(dtype):
    z = np.array([1e4, -1e4, 1e4, -1e4, 0.0], dtype=dtype)
    t = np.array([1.0, 0.0, 0.0, 1.0, 0.5], dtype=dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss, dpred = losses.binary_cross_entropy_with_logits(z, t)
    # confident and right: 0; confident and wrong: |z|; z = 0: log 2
    assert_allclose(loss, (0 + 0 + 1e4 + 1e4 + math.log(2)) / 5, rtol=1e-6)
    assert_allclose(dpred, np.array([0, 0, 1, -1, 0]) / 5, rtol=1e-6, atol=1e-30)
    assert dpred.dtype == dtype


# ---------------------------------------------------------------------------
# cross-entropy
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("N, C", [(1, 2), (5, 3), (8, 10)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_cross_entropy_matches_loop(N, C, dtype):
    rng = np.random.default_rng(4)
    scores = (2 * rng.normal(size=(N, C))).astype(dtype)
    y = rng.integers(0, C, size=N)
    loss, dpred = losses.cross_entropy(scores, y)
    _check_result(loss, dpred, scores)
    rtol = 1e-12 if dtype == np.float64 else 1e-5
    assert_allclose(loss, _cross_entropy_loop(scores, y), rtol=rtol)
    assert_allclose(dpred.sum(axis=1), 0.0, atol=1e-15 if dtype == np.float64 else 1e-7)


@pytest.mark.parametrize("N, C", [(1, 2), (5, 3), (8, 10)])
def test_cross_entropy_gradient_numerical(N, C):
    rng = np.random.default_rng(5)
    scores, y = rng.normal(size=(N, C)), rng.integers(0, C, size=N)
    _, dpred = losses.cross_entropy(scores, y)
    _assert_grad(dpred, _loss_gradient(losses.cross_entropy, scores, y), "cross_entropy")


def test_cross_entropy_worked_example_from_the_course():
    # scores cat 3, dog 1, bird -3; the correct class is cat
    scores = np.array([[3.0, 1.0, -3.0]])
    e = [math.exp(3.0), math.exp(1.0), math.exp(-3.0)]
    probs = [v / sum(e) for v in e]
    loss, dpred = losses.cross_entropy(scores, np.array([0]))
    assert_allclose(loss, -math.log(probs[0]), rtol=1e-14)
    assert_allclose(loss, 0.1291, atol=5e-5)  # the rounded number in the text
    assert_allclose(dpred, [[probs[0] - 1, probs[1], probs[2]]], rtol=1e-14)


@pytest.mark.parametrize("dtype", DTYPES)
def test_cross_entropy_stable_for_large_scores(dtype):
    scores = np.array([[1e4, 0.0, -1e4], [-1e4, 1e4, 0.0]], dtype=dtype)
    y = np.array([0, 0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss, dpred = losses.cross_entropy(scores, y)
    # right with a huge margin: 0; wrong by 2e4: 2e4
    assert_allclose(loss, (0 + 2e4) / 2, rtol=1e-6)
    assert_allclose(dpred, [[0, 0, 0], [-0.5, 0.5, 0]], rtol=1e-6, atol=1e-30)
    assert dpred.dtype == dtype


@pytest.mark.parametrize("loss_fn", [losses.cross_entropy, losses.multiclass_hinge_loss])
@pytest.mark.parametrize("scores, y, match", [
    (np.zeros((3, 4)), np.array([0, 4, 1]), "range"),
    (np.zeros((3, 4)), np.array([0, -1, 1]), "range"),
    (np.zeros((3, 4)), np.array([[0], [1], [2]]), "shape"),
    (np.zeros((3, 4)), np.array([0, 1]), "shape"),
    (np.zeros(4), np.array([0]), "shape"),
    (np.zeros((3, 4)), np.array([0.0, 1.0, 2.0]), "integer"),
    (np.zeros((0, 4)), np.array([], dtype=int), "empty"),
])
def test_classification_losses_reject_bad_input(loss_fn, scores, y, match):
    with pytest.raises(ValueError, match=match):
        loss_fn(scores, y)


# ---------------------------------------------------------------------------
# multiclass hinge (Weston-Watkins SVM)
# ---------------------------------------------------------------------------

def _hinge_data(rng, N, C, margin):
    """Scores whose margin violations are all at least 1e-2 away from the kink."""
    scores = rng.normal(size=(N, C))
    y = rng.integers(0, C, size=N)
    violation = scores - scores[np.arange(N), y][:, None] + margin
    # (the correct class has violation == margin, so it is never shifted)
    scores = scores + np.where(np.abs(violation) < 1e-2, 0.05, 0.0)
    return scores, y


@pytest.mark.parametrize("N, C", [(1, 2), (6, 3), (8, 10)])
@pytest.mark.parametrize("margin", [1.0, 0.5])
@pytest.mark.parametrize("dtype", DTYPES)
def test_hinge_matches_loop(N, C, margin, dtype):
    rng = np.random.default_rng(6)
    scores, y = _hinge_data(rng, N, C, margin)
    scores = scores.astype(dtype)
    loss, dpred = losses.multiclass_hinge_loss(scores, y, margin=margin)
    _check_result(loss, dpred, scores)
    rtol = 1e-13 if dtype == np.float64 else 1e-5
    assert_allclose(loss, _hinge_loop(scores, y, margin), rtol=rtol, atol=rtol)


@pytest.mark.parametrize("N, C", [(1, 2), (6, 3), (8, 10)])
@pytest.mark.parametrize("margin", [1.0, 0.5])
def test_hinge_gradient_numerical(N, C, margin):
    rng = np.random.default_rng(7)
    scores, y = _hinge_data(rng, N, C, margin)
    _, dpred = losses.multiclass_hinge_loss(scores, y, margin=margin)
    numeric = _loss_gradient(losses.multiclass_hinge_loss, scores, y, margin=margin)
    _assert_grad(dpred, numeric, "hinge")


def test_hinge_hand_example():
    # the classic example: scores (3.2, 5.1, -1.7) with the first class correct
    loss, dpred = losses.multiclass_hinge_loss(np.array([[3.2, 5.1, -1.7]]), np.array([0]))
    assert_allclose(loss, max(0, 5.1 - 3.2 + 1) + max(0, -1.7 - 3.2 + 1), rtol=1e-15)
    assert_allclose(loss, 2.9, rtol=1e-14)
    assert_array_equal(dpred, [[-1.0, 1.0, 0.0]])


def test_hinge_subgradient_is_zero_at_exact_margin():
    # class 1 sits exactly at the margin (0 - 1 + 1 = 0): no violation, no gradient
    scores = np.array([[1.0, 0.0, 2.0]])
    loss, dpred = losses.multiclass_hinge_loss(scores, np.array([0]))
    assert loss == 2.0
    assert_array_equal(dpred, [[-1.0, 0.0, 1.0]])


# ---------------------------------------------------------------------------
# smooth L1
# ---------------------------------------------------------------------------

def _smooth_l1_data(rng, shape, beta):
    """Differences spread over both pieces, kept away from 0 and from +-beta."""
    pred = rng.normal(size=shape)
    d = 2 * rng.normal(size=shape)
    for kink in (0.0, beta, -beta):
        d = np.where(np.abs(d - kink) < 1e-2, kink + 0.05, d)
    return pred, pred - d


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("beta", [1.0, 0.5, 2.0, 0.0])
@pytest.mark.parametrize("dtype", DTYPES)
def test_smooth_l1_matches_loop(shape, beta, dtype):
    pred, target = _smooth_l1_data(np.random.default_rng(8), shape, beta)
    pred, target = pred.astype(dtype), target.astype(dtype)
    loss, dpred = losses.smooth_l1_loss(pred, target, beta=beta)
    _check_result(loss, dpred, pred)
    if beta == 0:
        desired = np.mean(np.abs(pred.astype(np.float64) - target))
    else:
        desired = _smooth_l1_loop(pred, target, beta)
    rtol = 1e-13 if dtype == np.float64 else 1e-5
    assert_allclose(loss, desired, rtol=rtol)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("beta", [1.0, 0.5, 2.0, 0.0])
def test_smooth_l1_gradient_numerical(shape, beta):
    pred, target = _smooth_l1_data(np.random.default_rng(9), shape, beta)
    _, dpred = losses.smooth_l1_loss(pred, target, beta=beta)
    numeric = _loss_gradient(losses.smooth_l1_loss, pred, target, beta=beta)
    _assert_grad(dpred, numeric, "smooth_l1")


def test_smooth_l1_pieces_meet_at_beta():
    beta = 0.5
    pred = np.array([beta, -beta, 0.0])
    loss, dpred = losses.smooth_l1_loss(pred, np.zeros(3), beta=beta)
    assert_allclose(loss, (0.5 * beta + 0.5 * beta + 0.0) / 3, rtol=1e-15)
    assert_allclose(dpred, np.array([1.0, -1.0, 0.0]) / 3, rtol=1e-15)
    # just inside the quadratic zone, value and slope are continuous
    inside, d_inside = losses.smooth_l1_loss(np.array([beta - 1e-9]), np.zeros(1), beta=beta)
    assert_allclose(inside, 0.5 * beta, rtol=1e-8)
    assert_allclose(d_inside, [1.0], rtol=1e-8)


def test_smooth_l1_rejects_negative_beta():
    with pytest.raises(ValueError, match="beta"):
        losses.smooth_l1_loss(np.zeros(3), np.zeros(3), beta=-1.0)


# ---------------------------------------------------------------------------
# every loss: no mutation, integer predictions
# ---------------------------------------------------------------------------

def _all_loss_calls(rng):
    pred, target = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    y = np.array([0, 2, 1, 1])
    return [
        (losses.mse_loss, (pred, target)),
        (losses.binary_cross_entropy_with_logits, (pred, rng.uniform(size=(4, 3)))),
        (losses.cross_entropy, (pred, y)),
        (losses.multiclass_hinge_loss, (pred, y)),
        (losses.smooth_l1_loss, (pred, target)),
    ]


@pytest.mark.parametrize("index", range(5))
def test_losses_do_not_mutate_inputs(index):
    loss_fn, args = _all_loss_calls(np.random.default_rng(10))[index]
    copies = [a.copy() for a in args]
    loss_fn(*args)
    for a, c in zip(args, copies):
        assert_array_equal(a, c)


def test_integer_predictions_are_promoted_to_float64():
    loss, dpred = losses.mse_loss(np.array([1, 2]), np.array([0, 0]))
    assert loss == 2.5 and dpred.dtype == np.float64
    loss, dpred = losses.cross_entropy(np.array([[0, 0]]), np.array([1]))
    assert_allclose(loss, math.log(2), rtol=1e-15)
    assert dpred.dtype == np.float64


def test_all_lists_every_loss():
    assert set(losses.__all__) == {"mse_loss", "binary_cross_entropy_with_logits", "cross_entropy",
                                   "multiclass_hinge_loss", "smooth_l1_loss"}


# ---------------------------------------------------------------------------
# optional: agreement with PyTorch
# ---------------------------------------------------------------------------

def test_losses_agree_with_torch():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(11)
    N, C = 6, 4
    pred = 3 * rng.normal(size=(N, C))
    target = rng.normal(size=(N, C))
    probs = rng.uniform(size=(N, C))
    y = rng.integers(0, C, size=N)
    pred[0, :2] = [1.0, 0.0]  # class 1 exactly at the hinge margin when y[0] == 0
    y[0] = 0
    target[0, 0] = pred[0, 0]  # a zero difference (L1 kink)
    cases = [
        (losses.mse_loss, (target,), lambda t: F.mse_loss(t, torch.tensor(target))),
        (losses.binary_cross_entropy_with_logits, (probs,),
         lambda t: F.binary_cross_entropy_with_logits(t, torch.tensor(probs))),
        (losses.cross_entropy, (y,), lambda t: F.cross_entropy(t, torch.tensor(y))),
        # PyTorch's multi_margin_loss also divides by the number of classes C
        (losses.multiclass_hinge_loss, (y,), lambda t: C * F.multi_margin_loss(t, torch.tensor(y))),
        (lambda p, y_: losses.multiclass_hinge_loss(p, y_, margin=2.5), (y,),
         lambda t: C * F.multi_margin_loss(t, torch.tensor(y), margin=2.5)),
    ]
    for beta in (1.0, 0.5, 3.0, 0.0):
        cases.append((lambda p, t_, b=beta: losses.smooth_l1_loss(p, t_, beta=b), (target,),
                      lambda t, b=beta: F.smooth_l1_loss(t, torch.tensor(target), beta=b)))
    for loss_fn, args, torch_fn in cases:
        loss, dpred = loss_fn(pred, *args)
        t = torch.tensor(pred, requires_grad=True)
        t_loss = torch_fn(t)
        t_loss.backward()
        assert_allclose(loss, t_loss.item(), rtol=1e-12)
        assert_allclose(dpred, t.grad.numpy(), rtol=1e-12, atol=1e-15)
