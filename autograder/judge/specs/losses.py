"""Hidden cases for the losses chapter.

Every loss returns ``(loss, dpred)``; both are compared. Inputs:

* elementwise losses (MSE, binary cross-entropy with logits, smooth L1):
  random shapes (one a single row), a 1-D vector, a 3-D batch, a single
  element, predictions equal to the targets, integer input, float32 input;
  logits up to ±1e4 (where ``log(sigmoid(z))`` computed literally gives
  ``-inf``) and exact zero logits, soft targets; for smooth L1 ``beta`` across
  its range: 0 (plain L1, exact zero differences), 1e-3, 0.25, 0.5, 1, 3 and
  1e3 (all quadratic), and differences of exactly ``±beta`` (the seam).
* class losses (softmax cross-entropy, multiclass hinge): random ``(N, C)``
  scores (one a single sample, one with C = 2), scores up to ±1e4, perfectly
  classified samples (loss about 0), rows of equal scores, int32 labels,
  float32 scores; for the hinge loss integer-valued scores with many margins
  exactly at the kink (subgradient 0 there), and ``margin`` across its range:
  0 (with ties), 0.5, the default 1 and a margin between 2 and 5.

Contract checked besides the values: ``loss`` is a single number (a Python
or NumPy float of any precision); ``dpred`` is an array of the shape and
floating dtype of the predictions (float32 in gives float32 out, integer
input gives float64). Inputs are read-only.

Tolerances: float64 results agree to ``rtol=1e-10, atol=1e-13``: a correct
implementation differs from ours only by rounding (measured: at most 5e-14
relative), a float64 loss or gradient computed in float32 is off by 6e-8 or
more for every student, so that shortcut is always caught. Cross-entropy's
float64 ``atol`` is 1e-11: with scores up to ±1e4 the correct
``exp(s - logsumexp(s))`` rounds the normaliser by up to 1e-12, which
``softmax - onehot`` keeps as absolute error where it is near 0. float32
results to ``rtol=1e-4, atol=1e-6``, except cross-entropy (``rtol=2e-3,
atol=1e-3``: log-softmax of float32 scores up to 1e4 carries about 1e-3 of
relative error in a correct log-sum-exp). The hinge and smooth L1 gradients
are piecewise constant or linear, so the same tolerances are exact in
practice.
"""
import numpy as np

from autograder.judge.specs import Case, hidden, large, normal, shapes

_F32 = {"rtol32": 1e-4, "atol32": 1e-6}


def _shapes(rng, count, **kwargs):
    """Random shapes (one a single row) as tuples of Python ints, for readable labels."""
    return [tuple(int(n) for n in shape) for shape in shapes(rng, count, **kwargs)]


def _pairs(rng, scale=2.0):
    """(label, pred, target) for the elementwise regression losses."""
    for shape in _shapes(rng, 3):
        yield f"float64 input of shape {shape}", normal(rng, shape, scale), normal(rng, shape)
    yield "a 1-D vector of 7 values", normal(rng, (7,), scale), normal(rng, (7,))
    yield "a 3-D batch (2, 3, 4)", normal(rng, (2, 3, 4), scale), normal(rng, (2, 3, 4))
    yield "a single element", normal(rng, (1, 1), scale), normal(rng, (1, 1))
    t = normal(rng, (4, 3))
    p = t.copy()
    p[0] += 1.5
    yield "predictions equal to the targets except in one row", p, t
    yield "integer predictions and targets", rng.integers(-5, 6, (5, 4)), rng.integers(-5, 6, (5, 4))
    yield "values up to ±1e4", large(rng, (4, 5)), normal(rng, (4, 5), 100.0)
    yield "float32 input", normal(rng, (6, 3), scale, np.float32), normal(rng, (6, 3), dtype=np.float32)


@hidden("losses.mse_loss", **_F32)
def _mse_cases(rng):
    for label, p, t in _pairs(rng):
        yield Case(label, (p, t))


@hidden("losses.binary_cross_entropy_with_logits", **_F32)
def _bce_cases(rng):
    for shape in _shapes(rng, 3):
        yield Case(f"logits of shape {shape}, 0/1 targets",
                   (normal(rng, shape, 3.0), rng.integers(0, 2, shape).astype(np.float64)))
    yield Case("soft targets in [0, 1]", (normal(rng, (5, 4), 3.0), rng.uniform(size=(5, 4))))
    yield Case("logits up to ±1e4, 0/1 targets", (large(rng, (6, 4)), rng.integers(0, 2, (6, 4)).astype(np.float64)))
    z = np.array([1e4, -1e4, 1e4, -1e4, 800.0, -800.0, 0.0, 0.0])
    yield Case("logits of ±1e4 and ±800, right and wrong, and exact zeros",
               (z, np.array([1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0])))
    yield Case("a 1-D vector with a single logit", (np.array([-2.5]), np.array([1.0])))
    yield Case("a 3-D batch (2, 3, 2)", (normal(rng, (2, 3, 2), 2.0), rng.integers(0, 2, (2, 3, 2)).astype(np.float64)))
    yield Case("float32 logits up to ±1e4", (large(rng, (4, 5), dtype=np.float32),
                                             rng.integers(0, 2, (4, 5)).astype(np.float32)))
    yield Case("float32 logits, soft targets", (normal(rng, (3, 6), 3.0, np.float32),
                                                rng.uniform(size=(3, 6)).astype(np.float32)))


def _class_inputs(rng):
    """(label, scores, y) for the class losses."""
    for (N, C) in _shapes(rng, 3, low=2):
        yield f"scores of shape {(N, C)}", normal(rng, (N, C), 2.0), rng.integers(0, C, N)
    yield "two classes (C = 2)", normal(rng, (6, 2), 2.0), rng.integers(0, 2, 6)
    yield "scores up to ±1e4", large(rng, (5, 4)), rng.integers(0, 4, 5)
    s = normal(rng, (4, 5))
    y = rng.integers(0, 5, 4)
    s[np.arange(4), y] += 50.0
    yield "perfectly classified samples (correct score 50 above the others)", s, y
    yield "rows with all scores equal", np.repeat(normal(rng, (3, 1)), 4, axis=1), rng.integers(0, 4, 3)
    yield "int32 labels", normal(rng, (4, 3), 2.0), rng.integers(0, 3, 4).astype(np.int32)
    yield "float32 scores up to ±1e4", large(rng, (4, 6), dtype=np.float32), rng.integers(0, 6, 4)
    yield "float32 scores", normal(rng, (5, 3), 2.0, np.float32), rng.integers(0, 3, 5)


# Scores up to ±1e4: a correct log-sum-exp rounds the ~1e4 normaliser (by up to
# 1e-12 in float64, ~6e-4 in float32), so a probability near 1 carries that
# relative error and softmax - onehot, near 0 there, that absolute error: hence
# atol=1e-11 in float64 (a float32 computation is still off by 1e-8 or more) and
# rtol=2e-3, atol=1e-3 in float32. Mistakes (no max shift, wrong mean) are off
# by far more.
@hidden("losses.cross_entropy", atol=1e-11, rtol32=2e-3, atol32=1e-3,
        why="scores up to ±1e4: a correct exp(s - logsumexp(s)) leaves ~1e-12 of absolute error in softmax - onehot.")
def _ce_cases(rng):
    for label, s, y in _class_inputs(rng):
        yield Case(label, (s, y))
    yield Case("integer scores", (rng.integers(-4, 5, (4, 3)), rng.integers(0, 3, 4)))


@hidden("losses.multiclass_hinge_loss", **_F32)
def _hinge_cases(rng):
    for label, s, y in _class_inputs(rng):
        yield Case(label, (s, y))
    ties = rng.integers(-2, 3, (8, 4)).astype(np.float64)
    yield Case("integer-valued scores: many margins exactly at the kink", (ties, rng.integers(0, 4, 8)))
    yield Case("margin = 0.5", (normal(rng, (5, 4)), rng.integers(0, 4, 5)), {"margin": 0.5})
    yield Case("margin = 0 with tied scores", (rng.integers(-1, 2, (6, 3)).astype(np.float64), rng.integers(0, 3, 6)),
               {"margin": 0.0})
    margin = float(np.round(rng.uniform(2.0, 5.0), 2))
    yield Case(f"margin = {margin:g}", (normal(rng, (6, 5)), rng.integers(0, 5, 6)), {"margin": margin})
    yield Case("float32 integer-valued scores (ties)",
               (rng.integers(-2, 3, (5, 3)).astype(np.float32), rng.integers(0, 3, 5)))


@hidden("losses.smooth_l1_loss", **_F32)
def _smooth_l1_cases(rng):
    for label, p, t in _pairs(rng):
        yield Case(label + ", beta = 1", (p, t))
    yield Case("beta = 0.5", (normal(rng, (4, 4)), normal(rng, (4, 4))), {"beta": 0.5})
    yield Case("beta = 3 (mostly quadratic)", (normal(rng, (5, 3), 2.0), normal(rng, (5, 3))), {"beta": 3.0})
    yield Case("beta = 1000 (all quadratic)", (normal(rng, (4, 3), 2.0), normal(rng, (4, 3))), {"beta": 1e3})
    yield Case("beta = 0.001 (almost plain L1)", (normal(rng, (3, 5)), normal(rng, (3, 5))), {"beta": 1e-3})
    p = normal(rng, (4, 5))
    t = p.copy()
    t[rng.random((4, 5)) < 0.5] += 1.0
    yield Case("beta = 0 (plain L1) with exact zero differences", (p, t), {"beta": 0.0})
    d = rng.integers(-2, 3, (4, 5)).astype(np.float64)
    yield Case("differences of exactly 0, ±1 and ±2 with beta = 1", (d, np.zeros((4, 5))), {"beta": 1.0})
    yield Case("float32 input, beta = 0.25",
               (normal(rng, (3, 4), dtype=np.float32), normal(rng, (3, 4), dtype=np.float32)),
               {"beta": 0.25})
