"""Tests of solutions.perceptron: step unit, gates, XOR, Rosenblatt's rule, linear collapse."""
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from solutions.perceptron import (
    GATES,
    PerceptronResult,
    and_gate,
    linear_collapse,
    nand_gate,
    or_gate,
    perceptron_forward,
    perceptron_train,
    step,
    xor_gate,
)

# All four inputs of a two-input gate, in the usual truth-table order.
X_GATE = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
TRUTH = {
    "AND": [0, 0, 0, 1],
    "OR": [0, 1, 1, 1],
    "NAND": [1, 1, 1, 0],
    "XOR": [0, 1, 1, 0],
}
GATE_FUNCS = {"AND": and_gate, "OR": or_gate, "NAND": nand_gate, "XOR": xor_gate}


# --------------------------------------------------------------------------
# step and forward
# --------------------------------------------------------------------------


def test_step_values_and_convention_at_zero():
    x = np.array([-2.0, -1e-300, 0.0, -0.0, 1e-300, 3.0])
    assert_array_equal(step(x), [0.0, 0.0, 0.0, 0.0, 1.0, 1.0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_step_dtype_and_shape(dtype):
    x = np.random.default_rng(0).normal(size=(3, 4)).astype(dtype)
    out = step(x)
    assert out.dtype == dtype and out.shape == x.shape
    assert_array_equal(out, np.where(x > 0, 1, 0))


def test_step_integer_input_gives_float64():
    out = step(np.array([-1, 0, 2]))
    assert out.dtype == np.float64
    assert_array_equal(out, [0.0, 0.0, 1.0])


def _forward_loop(x, w, b):
    """Slow reference: one weighted sum and threshold per sample and unit."""
    w2 = w.reshape(w.shape[0], -1)
    b2 = np.broadcast_to(np.asarray(b, dtype=float), (w2.shape[1],))
    out = np.zeros((x.shape[0], w2.shape[1]))
    for n in range(x.shape[0]):
        for j in range(w2.shape[1]):
            z = b2[j] + sum(x[n, d] * w2[d, j] for d in range(x.shape[1]))
            out[n, j] = 1.0 if z > 0 else 0.0
    return out.reshape(out.shape[0]) if w.ndim == 1 else out


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_perceptron_forward_matches_loop(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(6, 3))
    w1, b1 = rng.normal(size=3), rng.normal()
    out1 = perceptron_forward(x, w1, b1)
    assert out1.shape == (6,)
    assert_array_equal(out1, _forward_loop(x, w1, b1))
    w2, b2 = rng.normal(size=(3, 4)), rng.normal(size=4)
    out2 = perceptron_forward(x, w2, b2)
    assert out2.shape == (6, 4)
    assert_array_equal(out2, _forward_loop(x, w2, b2))
    # a scalar bias with several units is shared by all of them
    assert_array_equal(perceptron_forward(x, w2, 0.3), _forward_loop(x, w2, 0.3))


@pytest.mark.parametrize(
    "x_shape, w_shape, b",
    [((4, 3), (2,), 0.0), ((4, 3), (3, 2), np.zeros(3)), ((4, 3), (3,), np.zeros(2)),
     ((4, 3, 1), (3,), 0.0), ((4, 3), (3, 2), np.zeros((1, 2)))],
)
def test_perceptron_forward_invalid_shapes(x_shape, w_shape, b):
    with pytest.raises(ValueError):
        perceptron_forward(np.ones(x_shape), np.ones(w_shape), b)


# --------------------------------------------------------------------------
# gates
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(TRUTH))
def test_gate_truth_tables(name):
    out = GATE_FUNCS[name](X_GATE)
    assert out.shape == (4,) and out.dtype == np.float64
    assert_array_equal(out, TRUTH[name])


@pytest.mark.parametrize("name", ["AND", "OR", "NAND"])
def test_gate_weights_are_one_perceptron_with_margin(name):
    w, b = GATES[name]
    z = X_GATE @ np.asarray(w) + b
    assert_array_equal(step(z), TRUTH[name])
    # every weighted input is well away from the threshold
    assert np.all(np.abs(z) >= 0.5)


def test_gates_on_repeated_and_float_rows():
    x = np.array([[1.0, 1.0], [0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    assert_array_equal(and_gate(x), [1, 0, 1, 0, 0])
    assert_array_equal(xor_gate(x), [0, 0, 0, 1, 1])


def test_no_single_perceptron_computes_xor():
    """Search a grid of (w1, w2, b): XOR is never matched; AND, OR and NAND are."""
    grid = np.linspace(-2, 2, 17)
    w1, w2, b = (a.ravel() for a in np.meshgrid(grid, grid, grid + 0.05, indexing="ij"))
    weights = np.stack([w1, w2])  # (2, K): K candidate perceptrons
    outputs = perceptron_forward(X_GATE, weights, b)  # (4, K)
    matches = {name: np.all(outputs == np.array(t)[:, None], axis=0).any()
               for name, t in TRUTH.items()}
    assert matches == {"AND": True, "OR": True, "NAND": True, "XOR": False}


@pytest.mark.parametrize("name", sorted(TRUTH))
def test_gate_invalid_shape(name):
    with pytest.raises(ValueError):
        GATE_FUNCS[name](np.ones((4, 3)))


# --------------------------------------------------------------------------
# the learning rule
# --------------------------------------------------------------------------


def _rosenblatt_reference(x, y, lr, max_epochs):
    """Plain-Python perceptron rule, fixed sample order (independent reference)."""
    w = [0.0] * len(x[0])
    b = 0.0
    errors = []
    for _ in range(max_epochs):
        mistakes = 0
        for xi, yi in zip(x, y):
            z = sum(wj * xj for wj, xj in zip(w, xi)) + b
            y_hat = 1 if z > 0 else 0
            if y_hat != yi:
                mistakes += 1
                w = [wj + lr * (yi - y_hat) * xj for wj, xj in zip(w, xi)]
                b += lr * (yi - y_hat)
        errors.append(mistakes)
        if mistakes == 0:
            break
    return w, b, errors


def test_train_first_epochs_by_hand():
    # AND, lr = 1, from zeros, samples in order (0,0), (0,1), (1,0), (1,1):
    # epoch 1: only (1,1) is wrong (z = 0 -> 0)          -> w = (1, 1), b = 1
    # epoch 2: (0,0) z = 1 wrong -> w = (1, 1), b = 0;
    #          (0,1) z = 1 wrong -> w = (1, 0), b = -1;
    #          (1,0) z = 0 right; (1,1) z = 0 wrong     -> w = (2, 1), b = 0
    result = perceptron_train(X_GATE, np.array(TRUTH["AND"]), max_epochs=2)
    assert_array_equal(result.errors, [1, 3])
    assert_allclose(result.w, [2.0, 1.0], rtol=0, atol=0)
    assert result.b == 0.0
    assert not result.converged


@pytest.mark.parametrize("name", ["AND", "OR", "NAND"])
@pytest.mark.parametrize("lr", [1.0, 0.1])
def test_train_learns_separable_gates(name, lr):
    y = np.array(TRUTH[name])
    result = perceptron_train(X_GATE, y, lr=lr, max_epochs=100)
    assert isinstance(result, PerceptronResult)
    assert result.converged
    assert result.errors[-1] == 0 and np.all(result.errors[:-1] > 0)
    assert_array_equal(perceptron_forward(X_GATE, result.w, result.b), y)
    w_ref, b_ref, errors_ref = _rosenblatt_reference(X_GATE.tolist(), y.tolist(), lr, 100)
    assert_array_equal(result.errors, errors_ref)
    assert_allclose(result.w, w_ref, rtol=1e-12, atol=1e-12)
    assert_allclose(result.b, b_ref, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("rng_seed", [None, 0, 1])
def test_train_never_converges_on_xor(rng_seed):
    rng = None if rng_seed is None else np.random.default_rng(rng_seed)
    result = perceptron_train(X_GATE, np.array(TRUTH["XOR"]), max_epochs=50, rng=rng)
    assert not result.converged
    assert len(result.errors) == 50
    assert np.all(result.errors > 0)
    assert not np.array_equal(perceptron_forward(X_GATE, result.w, result.b), TRUTH["XOR"])


def _separable_data(rng, N, margin=0.1):
    """Points in [-1, 1]^2 labelled by a random line, those closer than ``margin`` dropped."""
    w_true = rng.normal(size=2)
    w_true /= np.linalg.norm(w_true)
    b_true = rng.uniform(-0.3, 0.3)
    x = rng.uniform(-1, 1, size=(4 * N, 2))
    z = x @ w_true + b_true
    keep = np.abs(z) > margin
    return x[keep][:N], (z[keep][:N] > 0).astype(int)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("shuffle", [False, True])
def test_train_converges_on_random_separable_data(seed, shuffle):
    rng = np.random.default_rng(seed)
    x, y = _separable_data(rng, 60)
    assert 0 < y.sum() < len(y)  # both classes present
    result = perceptron_train(x, y, max_epochs=1000, rng=rng if shuffle else None)
    assert result.converged
    assert_array_equal(perceptron_forward(x, result.w, result.b), y)
    # Novikoff: at most (R / margin)^2 updates, R bounding |(x, 1)|.
    R = np.sqrt(2 + 1)
    assert result.errors.sum() <= (R / 0.1) ** 2
    if not shuffle:
        w_ref, b_ref, errors_ref = _rosenblatt_reference(x.tolist(), y.tolist(), 1.0, 1000)
        assert_array_equal(result.errors, errors_ref)
        assert_allclose(result.w, w_ref, rtol=1e-12, atol=1e-12)


def test_train_rng_reproducible_and_order_matters():
    x, y = _separable_data(np.random.default_rng(5), 40)
    a = perceptron_train(x, y, max_epochs=500, rng=np.random.default_rng(7))
    b = perceptron_train(x, y, max_epochs=500, rng=np.random.default_rng(7))
    assert_array_equal(a.errors, b.errors)
    assert_array_equal(a.w, b.w)
    assert a.b == b.b
    fixed = perceptron_train(x, y, max_epochs=500)
    assert not (np.array_equal(a.errors, fixed.errors) and np.array_equal(a.w, fixed.w))


def test_train_learning_rate_only_scales_weights():
    x, y = _separable_data(np.random.default_rng(6), 30)
    one = perceptron_train(x, y, lr=1.0, max_epochs=500)
    half = perceptron_train(x, y, lr=0.5, max_epochs=500)
    assert_array_equal(half.errors, one.errors)
    assert_allclose(half.w, 0.5 * one.w, rtol=1e-12, atol=1e-12)
    assert_allclose(half.b, 0.5 * one.b, rtol=1e-12, atol=1e-12)


def test_train_dtypes_and_no_mutation():
    x = X_GATE.astype(np.float32)
    y = np.array(TRUTH["OR"])
    x_copy, y_copy = x.copy(), y.copy()
    result = perceptron_train(x, y, rng=np.random.default_rng(0))
    assert result.w.dtype == np.float32
    assert isinstance(result.b, float)
    assert result.errors.dtype.kind == "i"
    assert isinstance(result.converged, bool)
    assert_array_equal(x, x_copy)
    assert_array_equal(y, y_copy)
    assert perceptron_train(X_GATE, y).w.dtype == np.float64


@pytest.mark.parametrize(
    "kwargs",
    [
        {"x": np.ones((4, 2)), "y": np.ones(3)},
        {"x": np.ones(4), "y": np.ones(4)},
        {"x": np.ones((4, 2)), "y": np.array([0, 1, 2, 1])},
        {"x": np.ones((4, 2)), "y": np.ones(4), "lr": 0.0},
        {"x": np.ones((4, 2)), "y": np.ones(4), "max_epochs": 0},
    ],
)
def test_train_invalid_input(kwargs):
    with pytest.raises(ValueError):
        perceptron_train(**kwargs)


# --------------------------------------------------------------------------
# linear collapse
# --------------------------------------------------------------------------


@pytest.mark.parametrize("dims", [[3, 4], [3, 5, 2], [4, 6, 6, 3, 2]])
def test_linear_collapse_equals_composition(dims):
    rng = np.random.default_rng(len(dims))
    weights = [rng.normal(size=(a, b)) for a, b in zip(dims[:-1], dims[1:])]
    x = rng.normal(size=(7, dims[0]))
    h = x
    for w in weights:  # the deep linear network, layer by layer
        h = h @ w
    collapsed = linear_collapse(weights)
    assert collapsed.shape == (dims[0], dims[-1])
    assert_allclose(x @ collapsed, h, rtol=1e-10, atol=1e-12)


def test_linear_collapse_single_matrix_is_a_copy():
    w = np.arange(6.0).reshape(2, 3)
    out = linear_collapse([w])
    assert_array_equal(out, w)
    out[0, 0] = 100.0
    assert w[0, 0] == 0.0


def test_linear_collapse_does_not_mutate():
    weights = [np.eye(2) * 2, np.ones((2, 3))]
    copies = [w.copy() for w in weights]
    linear_collapse(weights)
    for w, c in zip(weights, copies):
        assert_array_equal(w, c)


@pytest.mark.parametrize(
    "weights", [[], [np.ones((2, 3)), np.ones((2, 3))], [np.ones(3)], [np.ones((2, 2)), np.ones(2)]]
)
def test_linear_collapse_invalid(weights):
    with pytest.raises(ValueError):
        linear_collapse(weights)
