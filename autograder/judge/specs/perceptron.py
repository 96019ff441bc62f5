"""Hidden cases for the perceptron chapter.

``step`` is tried on random shapes with exact zeros (also ``-0.0``), on
values within 1e-300 of 0, on integer and boolean input, a Python list, a
single number and float32 input; ``perceptron_forward`` on one unit and on
layers of M units (a single row among them, integer and float32 input), with
weighted inputs kept at least 1e-3 away from 0 so that no rounding difference
can flip a unit, and on integer-valued inputs and weights whose weighted
inputs are *exactly* 0 in any order of summation (H(0) = 0: the unit does not
fire); the gates (AND, OR, NAND, XOR) on the truth table and random 0/1 rows
(a single row, integer, float and float32). ``perceptron_train`` (with
``rng=None``: samples in their given order, so the run is deterministic) on
linearly separable random data with a margin, XOR and random labels (never
converge), a single sample, all-zero labels, integer input, float32 input on
a grid of exact binary fractions, ``max_epochs=1`` and learning rates other
than 1; every field of the ``PerceptronResult`` is compared (weights, bias,
mistakes per epoch, convergence).

Contract checked besides the values: ``step`` and ``perceptron_forward``
return 0.0/1.0 in the floating dtype of their input (float32 in gives float32
out, integers give float64; ``True``/``False`` or integers fail); the gates
return floating 0.0/1.0 of any precision (the reference gives float64 even
for float32 rows, so the precision is not judged there); ``perceptron_train``
returns a ``PerceptronResult`` whose ``w`` has the floating dtype of ``x``,
``b`` is a number, ``errors`` an integer array and ``converged`` a bool.

Tolerances: step, layer and gate outputs are exact 0/1 values
(``rtol=atol=0``). Training results agree to ``rtol=1e-9, atol=1e-12``
(float32: ``rtol=1e-6, atol=1e-6``): the rule only adds ``±lr * x_n``, so a
correct implementation differs from ours at most by the order of rounding.
A float32 shortcut (float64 input cast to float32) is caught in ``step``
(1e-300 becomes 0, which does not fire) and in ``perceptron_train`` (the
weights carry float32 rounding, 1e-6 or more), and accepted in
``perceptron_forward`` and the gates, whose 0/1 outputs it cannot change on
these inputs.
"""
import numpy as np

from autograder.judge.specs import Case, hidden, normal, shapes, with_zeros

TRUTH = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])


def _shapes(rng, count, **kwargs):
    """Random shapes (one a single row) as tuples of Python ints, for readable labels."""
    return [tuple(int(n) for n in shape) for shape in shapes(rng, count, **kwargs)]


@hidden("perceptron.step", rtol=0.0, atol=0.0, rtol32=0.0, atol32=0.0,
        why="exact 0/1 outputs in the floating dtype of x, H(0) = 0.")
def _step_cases(rng):
    for shape in _shapes(rng, 3):
        yield Case(f"float64 input of shape {shape} with exact zeros", (with_zeros(rng, shape),))
    x = np.array([-0.0, 0.0, 1e-300, -1e-300, 5e-324, 1e4, -1e4])
    yield Case("values within 1e-300 of zero, signed zeros, ±1e4", (x,))
    yield Case("integer input (gives float64)", (rng.integers(-3, 4, size=(4, 5)),))
    yield Case("boolean input (gives float64)", (rng.random((3, 4)) < 0.5,))
    yield Case("float32 input with exact zeros", (with_zeros(rng, (5, 3), dtype=np.float32),))
    yield Case("a Python list", ([-1.5, 0.0, 2.0, 0.0],))
    yield Case("a single number 0.0", (0.0,))
    yield Case("4-D input", (with_zeros(rng, (2, 3, 2, 2)),))


def _layer(rng, N, D, M=None, dtype=np.float64, integer=False, scalar_bias=False):
    """x, w, b whose weighted inputs are all at least 1e-3 away from 0."""
    while True:
        x = rng.integers(0, 3, size=(N, D)) if integer else normal(rng, (N, D), dtype=dtype)
        w = normal(rng, (D,) if M is None else (D, M), dtype=dtype)
        b = float(rng.standard_normal()) if M is None or scalar_bias else normal(rng, (M,), dtype=dtype)
        z = np.asarray(x, dtype=np.float64) @ np.asarray(w, dtype=np.float64) + b
        if np.all(np.abs(z) > 1e-3):
            return x, w, b


@hidden("perceptron.perceptron_forward", rtol=0.0, atol=0.0, rtol32=0.0, atol32=0.0, float32_shortcut="accepted",
        why="exact 0/1 outputs in the floating dtype of x; weighted inputs away from 0, or exactly 0.")
def _forward_cases(rng):
    for (N, D) in _shapes(rng, 3):
        yield Case(f"one unit: x of shape {(N, D)}, w of shape ({D},), scalar b", _layer(rng, N, D))
    for (N, D) in _shapes(rng, 2):
        M = int(rng.integers(2, 6))
        yield Case(f"a layer of {M} units: x of shape {(N, D)}, w of shape {(D, M)}, b of shape ({M},)",
                   _layer(rng, N, D, M))
    yield Case("a layer of 4 units sharing one scalar bias", _layer(rng, 6, 3, 4, scalar_bias=True))
    yield Case("integer input, a layer of 3 units", _layer(rng, 7, 4, 3, integer=True))
    yield Case("float32 input, a layer of 2 units", _layer(rng, 5, 3, 2, dtype=np.float32))
    x = rng.integers(-2, 3, size=(8, 3)).astype(np.float64)
    w = rng.integers(-2, 3, size=(3, 4)).astype(np.float64)
    b = rng.integers(-2, 3, size=4).astype(np.float64)
    x[0] = 0.0  # the first row's weighted inputs are the biases; make one of them exactly 0
    b[0] = 0.0
    yield Case("integer-valued inputs and weights: some weighted inputs exactly 0 (no firing there)", (x, w, b))


def _gate_cases(rng):
    yield Case("the four rows of the truth table (integers)", (TRUTH.copy(),))
    for N in (1, int(rng.integers(5, 12)), int(rng.integers(12, 30))):
        yield Case(f"{N} random 0/1 rows (float)", (rng.integers(0, 2, size=(N, 2)).astype(np.float64),))
    yield Case("random 0/1 rows (integers)", (rng.integers(0, 2, size=(9, 2)),))
    yield Case("random 0/1 rows (float32)", (rng.integers(0, 2, size=(8, 2)).astype(np.float32),))


for _name in ("and_gate", "or_gate", "nand_gate", "xor_gate"):
    hidden(f"perceptron.{_name}", rtol=0.0, atol=0.0, rtol32=0.0, atol32=0.0, dtype="kind", float32_shortcut="accepted",
           why="exact 0/1 floating outputs (float32 or float64).")(_gate_cases)


def _separable(rng, N, D, margin=0.1, scale=1.0):
    """N points in D dimensions, a cloud away from the origin, cut by a random hyperplane.

    Every point is at least ``margin`` (before ``scale``) from the hyperplane,
    so the data are linearly separable and the rule converges.
    """
    w = rng.standard_normal(D)
    w /= np.linalg.norm(w)
    centre = rng.uniform(1.0, 3.0, D) * rng.choice([-1, 1], D)
    b = -(centre @ w) + 0.3 * rng.standard_normal()  # the boundary passes near the cloud's centre
    x = np.empty((0, D))
    while x.shape[0] < N:
        cand = centre + rng.standard_normal((4 * N, D))
        keep = np.abs(cand @ w + b) >= margin
        x = np.concatenate([x, cand[keep]])[:N]
    y = (x @ w + b > 0).astype(np.int64)
    return x * scale, y


@hidden("perceptron.perceptron_train", rtol=1e-9, atol=1e-12, rtol32=1e-6, atol32=1e-6,
        why="deterministic rule (samples in order); only rounding may differ; "
            "w in the dtype of x, errors an integer array, converged a bool.")
def _train_cases(rng):
    x, y = _separable(rng, 20, 2)
    yield Case("linearly separable 2-D data (20 samples), default settings", (x, y))
    x, y = _separable(rng, 40, 5)
    yield Case("linearly separable 5-D data (40 samples), lr = 0.1", (x, y), {"lr": 0.1})
    x, y = _separable(rng, 15, 3, scale=100.0)
    yield Case("linearly separable 3-D data with large values (~100), lr = 0.5", (x, y), {"lr": 0.5})
    yield Case("XOR (not separable), max_epochs = 10", (TRUTH.astype(np.float64), np.array([0, 1, 1, 0])),
               {"max_epochs": 10})
    x = rng.standard_normal((12, 3))
    yield Case("random labels (not separable), max_epochs = 7", (x, rng.integers(0, 2, 12)), {"max_epochs": 7})
    x, y = _separable(rng, 25, 4, margin=0.02)
    yield Case("separable 4-D data with a small margin, max_epochs = 1", (x, y), {"max_epochs": 1})
    yield Case("a single sample with label 1", (rng.standard_normal((1, 3)), np.array([1])))
    yield Case("all labels 0 (nothing to learn)", (rng.standard_normal((6, 2)), np.zeros(6, dtype=np.int64)))
    yield Case("integer 0/1 input, OR labels", (TRUTH.copy(), np.array([0, 1, 1, 1])))
    grid = (rng.integers(-8, 9, size=(16, 2)) / 4).astype(np.float32)
    labels = (grid[:, 0] - 0.5 * grid[:, 1] > 0.1).astype(np.float64)
    yield Case("float32 input on a grid of quarters, float 0./1. labels", (grid, labels))
