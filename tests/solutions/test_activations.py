"""Tests of solutions.activations: every activation's forward and backward pass.

References are independent of the code under test: scalar formulas from the
``math`` module applied element by element (slow loops), hand-computed
cases, and central-difference numerical gradients. Optional comparisons with
PyTorch run only when it is installed.
"""
import math

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from coursekit.checking import rel_error
from coursekit.gradcheck import numerical_gradient
from solutions import activations as act

DTYPES = [np.float32, np.float64]
SHAPES = [(7,), (3, 4), (2, 3, 4)]
BIG = np.array([-1e4, -1e3, -100.0, -30.0, -1.0, 0.0, 1.0, 30.0, 100.0, 1e3, 1e4])


# ---------------------------------------------------------------------------
# independent scalar references (math module, one element at a time)
# ---------------------------------------------------------------------------

def _sigmoid_ref(v):
    return 1.0 / (1.0 + math.exp(-v)) if v >= 0 else math.exp(v) / (1.0 + math.exp(v))


def _softplus_ref(v):
    return v + math.log1p(math.exp(-v)) if v > 0 else math.log1p(math.exp(v))


def _gelu_ref(v):
    return v * 0.5 * math.erfc(-v / math.sqrt(2.0))


def _gelu_tanh_ref(v):
    return 0.5 * v * (1.0 + math.tanh(math.sqrt(2.0 / math.pi) * (v + 0.044715 * v ** 3)))


def _elementwise(f, x):
    """Apply a scalar function to every element (a deliberately slow loop)."""
    x = np.asarray(x, dtype=np.float64)
    return np.array([f(float(v)) for v in x.ravel()]).reshape(x.shape)


class Case:
    """One elementwise activation: its functions, a scalar reference and its behaviour at +-1e4."""

    def __init__(self, name, forward, backward, ref, kinks=(), limits=None, torch_fn=None):
        self.name = name
        self.forward = forward
        self.backward = backward
        self.ref = ref
        self.kinks = kinks          # points where the derivative jumps
        self.limits = limits        # (f(-1e4), f(1e4), f'(-1e4), f'(1e4))
        self.torch_fn = torch_fn    # name of the torch.nn.functional equivalent, kwargs

    def __repr__(self):
        return self.name


CASES = [
    Case("sigmoid", act.sigmoid_forward, act.sigmoid_backward, _sigmoid_ref,
         limits=(0.0, 1.0, 0.0, 0.0), torch_fn=("sigmoid", {})),
    Case("tanh", act.tanh_forward, act.tanh_backward, math.tanh,
         limits=(-1.0, 1.0, 0.0, 0.0), torch_fn=("tanh", {})),
    Case("relu", act.relu_forward, act.relu_backward, lambda v: max(v, 0.0), kinks=(0.0,),
         limits=(0.0, 1e4, 0.0, 1.0), torch_fn=("relu", {})),
    Case("leaky_relu", act.leaky_relu_forward, act.leaky_relu_backward,
         lambda v: v if v > 0 else 0.01 * v, kinks=(0.0,),
         limits=(-100.0, 1e4, 0.01, 1.0), torch_fn=("leaky_relu", {})),
    Case("leaky_relu_0.2", lambda x: act.leaky_relu_forward(x, alpha=0.2), act.leaky_relu_backward,
         lambda v: v if v > 0 else 0.2 * v, kinks=(0.0,),
         limits=(-2000.0, 1e4, 0.2, 1.0), torch_fn=("leaky_relu", {"negative_slope": 0.2})),
    Case("elu", act.elu_forward, act.elu_backward,
         lambda v: v if v > 0 else math.expm1(v), kinks=(0.0,),
         limits=(-1.0, 1e4, 0.0, 1.0), torch_fn=("elu", {})),
    Case("elu_1.5", lambda x: act.elu_forward(x, alpha=1.5), act.elu_backward,
         lambda v: v if v > 0 else 1.5 * math.expm1(v), kinks=(0.0,),
         limits=(-1.5, 1e4, 0.0, 1.0), torch_fn=("elu", {"alpha": 1.5})),
    Case("relu6", act.relu6_forward, act.relu6_backward, lambda v: min(max(v, 0.0), 6.0),
         kinks=(0.0, 6.0), limits=(0.0, 6.0, 0.0, 0.0), torch_fn=("relu6", {})),
    Case("softplus", act.softplus_forward, act.softplus_backward, _softplus_ref,
         limits=(0.0, 1e4, 0.0, 1.0), torch_fn=("softplus", {})),
    Case("gelu", act.gelu_forward, act.gelu_backward, _gelu_ref,
         limits=(0.0, 1e4, 0.0, 1.0), torch_fn=("gelu", {})),
    Case("gelu_tanh", lambda x: act.gelu_forward(x, approximate="tanh"), act.gelu_backward,
         _gelu_tanh_ref, limits=(0.0, 1e4, 0.0, 1.0),
         torch_fn=("gelu", {"approximate": "tanh"})),
    Case("mish", act.mish_forward, act.mish_backward,
         lambda v: v * math.tanh(_softplus_ref(v)),
         limits=(0.0, 1e4, 0.0, 1.0), torch_fn=("mish", {})),
]


def _away_from_kinks(x, kinks, gap=1e-2):
    """Push every element at least ``gap`` away from the kinks (for finite differences)."""
    x = x.copy()
    for k in kinks:
        close = np.abs(x - k) < gap
        x[close] = k + np.where(x[close] >= k, gap, -gap)
    return x


def _assert_grad(analytic, numeric, name=""):
    err = rel_error(analytic, numeric)
    assert err < 1e-7, f"{name}: relative error {err:.2e} between analytic and numerical gradient"


# ---------------------------------------------------------------------------
# elementwise activations
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=repr)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_elementwise_forward_matches_scalar_reference(case, shape, dtype):
    rng = np.random.default_rng(0)
    x = (3 * rng.normal(size=shape)).astype(dtype)
    out, _ = case.forward(x)
    assert out.shape == x.shape
    assert out.dtype == dtype
    desired = _elementwise(case.ref, x)  # reference on the same (rounded) inputs
    rtol, atol = (1e-13, 1e-15) if dtype == np.float64 else (2e-6, 1e-7)
    assert_allclose(out, desired, rtol=rtol, atol=atol)


@pytest.mark.parametrize("case", CASES, ids=repr)
@pytest.mark.parametrize("shape", SHAPES)
def test_elementwise_backward_numerical(case, shape):
    rng = np.random.default_rng(1)
    x = _away_from_kinks(3 * rng.normal(size=shape), case.kinks)
    if case.name == "relu6":
        x[..., 0] = 6.5  # make sure the upper flat part is exercised too
    dout = rng.normal(size=shape)
    _, cache = case.forward(x)
    dx = case.backward(dout, cache)
    assert dx.shape == x.shape
    dx_num = numerical_gradient(lambda v: case.forward(v)[0], x, dout)
    _assert_grad(dx, dx_num, case.name)


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_elementwise_backward_float32(case):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(4, 5)).astype(np.float32)
    dout = rng.normal(size=(4, 5)).astype(np.float32)
    _, cache = case.forward(x)
    dx = case.backward(dout, cache)
    assert dx.dtype == np.float32
    _, cache64 = case.forward(x.astype(np.float64))
    desired = case.backward(dout.astype(np.float64), cache64)
    assert_allclose(dx, desired, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_elementwise_does_not_mutate(case):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(3, 4))
    x[0, 0] = 0.0
    dout = rng.normal(size=(3, 4))
    x_copy, dout_copy = x.copy(), dout.copy()
    _, cache = case.forward(x)
    case.backward(dout, cache)
    assert_array_equal(x, x_copy)
    assert_array_equal(dout, dout_copy)


@pytest.mark.parametrize("case", CASES, ids=repr)
@pytest.mark.parametrize("dtype", DTYPES)
def test_elementwise_stable_for_large_inputs(case, dtype):
    x = BIG.astype(dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out, cache = case.forward(x)
        dx = case.backward(np.ones_like(x), cache)
    assert out.dtype == dtype and dx.dtype == dtype
    assert np.all(np.isfinite(out)) and np.all(np.isfinite(dx))
    f_neg, f_pos, df_neg, df_pos = case.limits
    assert_allclose(out[[0, -1]], np.array([f_neg, f_pos]), rtol=1e-6, atol=1e-30)
    assert_allclose(dx[[0, -1]], np.array([df_neg, df_pos]), rtol=1e-6, atol=1e-30)


def test_integer_input_is_promoted_to_float64():
    out, cache = act.relu_forward(np.array([3, -2, 0]))
    assert out.dtype == np.float64
    assert_array_equal(out, [3.0, 0.0, 0.0])
    out, _ = act.sigmoid_forward(np.array([0]))
    assert out.dtype == np.float64
    assert_allclose(out, [0.5], rtol=0, atol=0)


def test_all_lists_every_forward_backward_pair():
    assert isinstance(act.__all__, tuple)
    names = set(act.__all__)
    assert len(names) == 26
    for name in names:
        assert callable(getattr(act, name))
        if name.endswith("_forward"):
            assert name.replace("_forward", "_backward") in names


# ---------------------------------------------------------------------------
# kinks: which subgradient is used (PyTorch's choice)
# ---------------------------------------------------------------------------

def test_relu_gradient_zero_at_zero_and_mask_from_input():
    x = np.array([-1.0, -0.0, 0.0, 1e-300, 2.0])
    dout = np.array([10.0, 10.0, 10.0, 10.0, 10.0])
    out, cache = act.relu_forward(x)
    assert_array_equal(out, [0.0, 0.0, 0.0, 1e-300, 2.0])
    assert_array_equal(act.relu_backward(dout, cache), [0.0, 0.0, 0.0, 10.0, 10.0])


def test_leaky_relu_uses_alpha_at_zero():
    x = np.array([-2.0, 0.0, 3.0])
    out, cache = act.leaky_relu_forward(x, alpha=0.1)
    assert_allclose(out, [-0.2, 0.0, 3.0], rtol=1e-15)
    assert_allclose(act.leaky_relu_backward(np.ones(3), cache), [0.1, 0.1, 1.0], rtol=1e-15)


def test_elu_slope_alpha_at_zero():
    out, cache = act.elu_forward(np.array([0.0, -1.0]), alpha=2.0)
    assert_allclose(out, [0.0, 2.0 * math.expm1(-1.0)], rtol=1e-15)
    assert_allclose(act.elu_backward(np.ones(2), cache), [2.0, 2.0 * math.exp(-1.0)], rtol=1e-15)


def test_elu_small_inputs_keep_precision():
    # expm1, not exp(x) - 1: for x = -1e-10 the latter keeps only ~6 digits
    out, _ = act.elu_forward(np.array([-1e-10]))
    assert_allclose(out, [math.expm1(-1e-10)], rtol=1e-15)


def test_relu6_gradient_zero_at_both_kinks():
    x = np.array([-1.0, 0.0, 1e-9, 3.0, 6.0 - 1e-9, 6.0, 7.0])
    out, cache = act.relu6_forward(x)
    assert_array_equal(out, [0.0, 0.0, 1e-9, 3.0, 6.0 - 1e-9, 6.0, 6.0])
    assert_array_equal(act.relu6_backward(np.ones(7), cache), [0, 0, 1, 1, 1, 0, 0])


# ---------------------------------------------------------------------------
# softplus, GELU and the erf helper
# ---------------------------------------------------------------------------

def test_softplus_small_and_large():
    x = np.array([-40.0, -1e-8, 0.0, 1e-8, 40.0])
    out, cache = act.softplus_forward(x)
    assert_allclose(out, [math.exp(-40.0), math.log(2) - 5e-9, math.log(2), math.log(2) + 5e-9,
                          40.0 + math.exp(-40.0)], rtol=1e-14)
    assert_allclose(act.softplus_backward(np.ones(5), cache),
                    [_sigmoid_ref(v) for v in x], rtol=1e-14)


def test_erf_matches_math_erf():
    rng = np.random.default_rng(4)
    x = np.concatenate([np.linspace(-7, 7, 4001), 2 * rng.normal(size=2000),
                        [1e-300, -1e-300, 1e-10, 0.0, 1.5, -1.5, 2.0, 30.0, -1e4, 1e4]])
    assert_allclose(act._erf(x), _elementwise(math.erf, x), rtol=3e-15, atol=0)


def test_erfc_matches_math_erfc_with_relative_accuracy():
    # the relative error of erfc may grow like x**2 * eps (its condition number)
    x = np.concatenate([np.linspace(-6, 26, 6401), [0.999999, 1.0, 1.499999, 1.5]])
    assert_allclose(act._erfc(x), _elementwise(math.erfc, x), rtol=1e-13, atol=0)


def test_erf_is_odd_and_keeps_dtype():
    x = np.linspace(0, 5, 101)
    assert_array_equal(act._erf(-x), -act._erf(x))
    x32 = x.astype(np.float32)
    out = act._erf(x32)
    assert out.dtype == np.float32
    assert_allclose(out, _elementwise(math.erf, x32), rtol=1e-6, atol=1e-7)


def test_gelu_exact_keeps_relative_accuracy_for_negative_inputs():
    # x * Phi(x) for very negative x is tiny; 0.5 * (1 + erf) would lose all digits
    x = np.array([-8.0, -20.0, -37.0])
    out, _ = act.gelu_forward(x)
    assert_allclose(out, _elementwise(_gelu_ref, x), rtol=1e-12, atol=0)
    assert np.all(out < 0)


def test_gelu_tanh_approximation_is_close_to_exact():
    x = np.linspace(-6, 6, 1001)
    exact, _ = act.gelu_forward(x)
    approx, _ = act.gelu_forward(x, approximate="tanh")
    assert np.max(np.abs(exact - approx)) < 1e-3
    assert np.max(np.abs(exact - approx)) > 0  # they are different functions


def test_gelu_rejects_unknown_approximation():
    with pytest.raises(ValueError, match="approximate"):
        act.gelu_forward(np.zeros(3), approximate="sigmoid")


def test_gelu_at_zero_and_symmetry():
    # GELU(x) - GELU(-x) = x  (because Phi(x) + Phi(-x) = 1)
    x = np.linspace(0.1, 5, 50)
    plus, _ = act.gelu_forward(x)
    minus, _ = act.gelu_forward(-x)
    assert_allclose(plus - minus, x, rtol=1e-14)
    out, cache = act.gelu_forward(np.array([0.0]))
    assert_array_equal(out, [0.0])
    assert_allclose(act.gelu_backward(np.ones(1), cache), [0.5], rtol=1e-15)


# ---------------------------------------------------------------------------
# PReLU
# ---------------------------------------------------------------------------

def _prelu_loop(x, alpha):
    alpha = np.asarray(alpha, dtype=np.float64)
    out = np.empty(x.shape)
    for idx in np.ndindex(*x.shape):
        a = alpha.reshape(-1)[idx[1]] if alpha.size > 1 else float(alpha.reshape(-1)[0])
        v = float(x[idx])
        out[idx] = v if v > 0 else a * v
    return out


PRELU_CASES = [((5, 3), "per_channel"), ((2, 3, 4, 5), "per_channel"),
               ((5, 3), "scalar"), ((2, 3, 4, 5), "scalar"), ((6,), "scalar"),
               ((2, 3, 4, 5), "length_one")]


def _prelu_data(rng, shape, kind):
    x = _away_from_kinks(rng.normal(size=shape), (0.0,))
    if kind == "per_channel":
        alpha = rng.uniform(0.05, 0.5, size=shape[1])
    elif kind == "scalar":
        alpha = np.array(0.25)
    else:
        alpha = np.array([0.3])
    return x, alpha


@pytest.mark.parametrize("shape, kind", PRELU_CASES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_prelu_forward_matches_loop(shape, kind, dtype):
    x, alpha = _prelu_data(np.random.default_rng(5), shape, kind)
    x = x.astype(dtype)
    out, _ = act.prelu_forward(x, alpha)
    assert out.dtype == dtype and out.shape == shape
    rtol = 1e-15 if dtype == np.float64 else 1e-6
    assert_allclose(out, _prelu_loop(x, alpha), rtol=rtol, atol=0)


@pytest.mark.parametrize("shape, kind", PRELU_CASES)
def test_prelu_backward_numerical(shape, kind):
    rng = np.random.default_rng(6)
    x, alpha = _prelu_data(rng, shape, kind)
    dout = rng.normal(size=shape)
    alpha_copy, x_copy, dout_copy = alpha.copy(), x.copy(), dout.copy()
    _, cache = act.prelu_forward(x, alpha)
    dx, dalpha = act.prelu_backward(dout, cache)
    assert dx.shape == x.shape
    assert np.shape(dalpha) == alpha.shape
    dx_num = numerical_gradient(lambda v: act.prelu_forward(v, alpha)[0], x, dout)
    dalpha_num = numerical_gradient(lambda a: act.prelu_forward(x, a)[0], alpha, dout)
    _assert_grad(dx, dx_num, "dx")
    _assert_grad(dalpha, dalpha_num, "dalpha")
    assert_array_equal(alpha, alpha_copy)
    assert_array_equal(x, x_copy)
    assert_array_equal(dout, dout_copy)


def test_prelu_python_float_alpha_gives_0d_gradient():
    x = np.array([[-1.0, 2.0], [-3.0, 0.0]])
    out, cache = act.prelu_forward(x, 0.5)
    assert_array_equal(out, [[-0.5, 2.0], [-1.5, 0.0]])
    dx, dalpha = act.prelu_backward(np.ones((2, 2)), cache)
    assert np.shape(dalpha) == ()
    assert_array_equal(dx, [[0.5, 1.0], [0.5, 0.5]])   # slope alpha at x == 0, as PyTorch
    assert float(dalpha) == -4.0                        # -1 + -3 + 0


def test_prelu_float32_input_with_float64_alpha_stays_float32():
    x = np.array([[-1.0, 2.0, -3.0]], dtype=np.float32)
    out, cache = act.prelu_forward(x, np.array([0.1, 0.2, 0.3]))
    assert out.dtype == np.float32
    dx, dalpha = act.prelu_backward(np.ones((1, 3), dtype=np.float32), cache)
    assert dx.dtype == np.float32 and dalpha.dtype == np.float32
    assert_allclose(dalpha, [-1.0, 0.0, -3.0], rtol=1e-7)


@pytest.mark.parametrize("x_shape, alpha", [((4, 3), np.ones(2)), ((4, 3), np.ones((3, 1))),
                                            ((6,), np.ones(6))])
def test_prelu_rejects_mismatched_alpha(x_shape, alpha):
    with pytest.raises(ValueError, match="alpha"):
        act.prelu_forward(np.zeros(x_shape), alpha)


# ---------------------------------------------------------------------------
# maxout
# ---------------------------------------------------------------------------

def _maxout_loop(x, w, b):
    N, D = x.shape
    _, M, K = w.shape
    out = np.empty((N, M))
    for n in range(N):
        for m in range(M):
            pieces = [sum(x[n, d] * w[d, m, k] for d in range(D)) + b[m, k] for k in range(K)]
            out[n, m] = max(pieces)
    return out


MAXOUT_SHAPES = [(1, 1, 1, 1), (4, 3, 2, 2), (5, 2, 3, 4)]  # N, D, M, K


def _maxout_data(rng, N, D, M, K, dtype=np.float64):
    return (rng.normal(size=(N, D)).astype(dtype), rng.normal(size=(D, M, K)).astype(dtype),
            rng.normal(size=(M, K)).astype(dtype))


@pytest.mark.parametrize("N, D, M, K", MAXOUT_SHAPES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_maxout_forward_matches_loop(N, D, M, K, dtype):
    x, w, b = _maxout_data(np.random.default_rng(7), N, D, M, K, dtype)
    out, _ = act.maxout_forward(x, w, b)
    assert out.shape == (N, M) and out.dtype == dtype
    rtol = 1e-12 if dtype == np.float64 else 1e-5
    assert_allclose(out, _maxout_loop(x, w, b), rtol=rtol, atol=rtol)


@pytest.mark.parametrize("N, D, M, K", MAXOUT_SHAPES)
def test_maxout_backward_numerical(N, D, M, K):
    rng = np.random.default_rng(8)
    x, w, b = _maxout_data(rng, N, D, M, K)
    dout = rng.normal(size=(N, M))
    copies = [a.copy() for a in (x, w, b, dout)]
    _, cache = act.maxout_forward(x, w, b)
    dx, dw, db = act.maxout_backward(dout, cache)
    assert dx.shape == x.shape and dw.shape == w.shape and db.shape == b.shape
    _assert_grad(dx, numerical_gradient(lambda v: act.maxout_forward(v, w, b)[0], x, dout), "dx")
    _assert_grad(dw, numerical_gradient(lambda v: act.maxout_forward(x, v, b)[0], w, dout), "dw")
    _assert_grad(db, numerical_gradient(lambda v: act.maxout_forward(x, w, v)[0], b, dout), "db")
    for a, c in zip((x, w, b, dout), copies):
        assert_array_equal(a, c)


def test_maxout_with_one_piece_is_affine():
    rng = np.random.default_rng(9)
    x, w, b = _maxout_data(rng, 4, 3, 2, 1)
    out, _ = act.maxout_forward(x, w, b)
    assert_allclose(out, x @ w[:, :, 0] + b[:, 0], rtol=1e-13)


def test_maxout_ties_send_gradient_to_first_piece():
    rng = np.random.default_rng(10)
    x = rng.normal(size=(3, 2))
    w_piece = rng.normal(size=(2, 1))
    w = np.stack([w_piece, w_piece], axis=2)      # (D, M, K) = (2, 1, 2), identical pieces
    b = np.zeros((1, 2))
    dout = rng.normal(size=(3, 1))
    _, cache = act.maxout_forward(x, w, b)
    dx, dw, db = act.maxout_backward(dout, cache)
    assert_allclose(db, [[dout.sum(), 0.0]], rtol=1e-15)
    assert_array_equal(dw[:, :, 1], 0.0)
    assert_allclose(dx, dout @ w_piece.T, rtol=1e-15)


def test_maxout_rejects_bad_shapes():
    with pytest.raises(ValueError, match="maxout"):
        act.maxout_forward(np.zeros((2, 3)), np.zeros((4, 2, 2)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="maxout"):
        act.maxout_forward(np.zeros((2, 3)), np.zeros((3, 2, 2)), np.zeros((2, 3)))


# ---------------------------------------------------------------------------
# softmax and log-softmax
# ---------------------------------------------------------------------------

def _softmax_loop(x, axis):
    """Softmax of every 1-D slice along ``axis``, with math.exp (inputs kept moderate)."""
    x = np.moveaxis(np.asarray(x, dtype=np.float64), axis, -1)
    out = np.empty(x.shape)
    for idx in np.ndindex(*x.shape[:-1]):
        e = [math.exp(v) for v in x[idx]]
        total = math.fsum(e)
        out[idx] = [v / total for v in e]
    return np.moveaxis(out, -1, axis)


SOFTMAX_CASES = [((5,), -1), ((4, 6), -1), ((4, 6), 0), ((2, 3, 4), 1), ((2, 3, 4), -1)]


@pytest.mark.parametrize("shape, axis", SOFTMAX_CASES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_and_log_softmax_match_loop(shape, axis, dtype):
    x = (2 * np.random.default_rng(11).normal(size=shape)).astype(dtype)
    s, _ = act.softmax_forward(x, axis=axis)
    logs, _ = act.log_softmax_forward(x, axis=axis)
    assert s.dtype == dtype and logs.dtype == dtype
    desired = _softmax_loop(x, axis)
    rtol = 1e-13 if dtype == np.float64 else 2e-6
    assert_allclose(s, desired, rtol=rtol, atol=0)
    assert_allclose(logs, np.log(desired), rtol=rtol, atol=rtol)
    assert_allclose(s.sum(axis=axis), 1.0, rtol=rtol)


@pytest.mark.parametrize("shape, axis", SOFTMAX_CASES)
def test_softmax_backward_numerical(shape, axis):
    rng = np.random.default_rng(12)
    x = rng.normal(size=shape)
    dout = rng.normal(size=shape)
    copies = (x.copy(), dout.copy())
    for forward, backward in [(act.softmax_forward, act.softmax_backward),
                              (act.log_softmax_forward, act.log_softmax_backward)]:
        _, cache = forward(x, axis=axis)
        dx = backward(dout, cache)
        dx_num = numerical_gradient(lambda v, forward=forward: forward(v, axis=axis)[0], x, dout)
        _assert_grad(dx, dx_num, forward.__name__)
    assert_array_equal(x, copies[0])
    assert_array_equal(dout, copies[1])


def test_softmax_worked_example_from_the_course():
    scores = np.array([3.0, 1.0, -3.0])  # cat, dog, bird
    s, _ = act.softmax_forward(scores)
    e = [math.exp(3.0), math.exp(1.0), math.exp(-3.0)]
    assert_allclose(s, [v / sum(e) for v in e], rtol=1e-14)
    assert_allclose(s, [0.8789, 0.1189, 0.0022], atol=5e-5)  # the rounded numbers in the text
    logs, _ = act.log_softmax_forward(scores)
    assert_allclose(-logs[0], -math.log(e[0] / sum(e)), rtol=1e-14)
    assert_allclose(-logs[0], 0.1291, atol=5e-5)


@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_stable_for_large_scores(dtype):
    x = np.array([[1e4, 0.0, -1e4], [-1e4, -1e4, -1e4], [1e4, 1e4, 0.0]], dtype=dtype)
    dout = np.ones_like(x)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        s, cs = act.softmax_forward(x)
        logs, cl = act.log_softmax_forward(x)
        ds = act.softmax_backward(dout, cs)
        dl = act.log_softmax_backward(dout, cl)
    for a in (s, logs, ds, dl):
        assert a.dtype == dtype and np.all(np.isfinite(a))
    assert_allclose(s, [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3], [0.5, 0.5, 0]], rtol=1e-6, atol=0)
    assert_allclose(logs, [[0, -1e4, -2e4], [-math.log(3)] * 3, [-math.log(2), -math.log(2), -1e4 - math.log(2)]],
                    rtol=1e-6, atol=0)


def test_softmax_is_shift_invariant():
    x = np.random.default_rng(13).normal(size=(3, 5))
    s, _ = act.softmax_forward(x)
    s_shifted, _ = act.softmax_forward(x + 1000.0)
    assert_allclose(s_shifted, s, rtol=1e-12)


def test_softmax_backward_of_uniform_upstream_is_zero():
    # sum(s) = 1 is constant, so dout = 1 everywhere gives dx = 0
    x = np.random.default_rng(14).normal(size=(3, 5))
    _, cache = act.softmax_forward(x)
    assert_allclose(act.softmax_backward(np.ones((3, 5)), cache), 0.0, atol=1e-15)


# ---------------------------------------------------------------------------
# optional: agreement with PyTorch
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=repr)
def test_elementwise_agrees_with_torch(case):
    torch = pytest.importorskip("torch")
    fn_name, kwargs = case.torch_fn
    rng = np.random.default_rng(15)
    x = np.concatenate([4 * rng.normal(size=40), [0.0, 6.0, -0.0, 25.0, -25.0]])
    dout = rng.normal(size=x.shape)
    out, cache = case.forward(x)
    dx = case.backward(dout, cache)
    t = torch.tensor(x, requires_grad=True)
    t_out = getattr(torch.nn.functional, fn_name)(t, **kwargs)
    t_out.backward(torch.tensor(dout))
    # softplus: PyTorch returns x itself above its threshold 20 (difference < 2.1e-9)
    rtol = 1e-8 if case.name == "softplus" else 1e-12
    assert_allclose(out, t_out.detach().numpy(), rtol=rtol, atol=1e-14)
    assert_allclose(dx, t.grad.numpy(), rtol=rtol, atol=1e-14)


def test_prelu_and_maxout_and_softmax_agree_with_torch():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(16)

    x = rng.normal(size=(2, 3, 4, 5))
    x[0, 0, 0, 0] = 0.0
    alpha = rng.uniform(0.05, 0.5, size=3)
    dout = rng.normal(size=x.shape)
    out, cache = act.prelu_forward(x, alpha)
    dx, dalpha = act.prelu_backward(dout, cache)
    tx, ta = torch.tensor(x, requires_grad=True), torch.tensor(alpha, requires_grad=True)
    F.prelu(tx, ta).backward(torch.tensor(dout))
    assert_allclose(out, F.prelu(tx, ta).detach().numpy(), rtol=1e-15)
    assert_allclose(dx, tx.grad.numpy(), rtol=1e-15)
    assert_allclose(dalpha, ta.grad.numpy(), rtol=1e-12)

    x, w, b = _maxout_data(rng, 5, 4, 3, 2)
    dout = rng.normal(size=(5, 3))
    out, cache = act.maxout_forward(x, w, b)
    dx, dw, db = act.maxout_backward(dout, cache)
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    t_out = (torch.einsum("nd,dmk->nmk", tx, tw) + tb).max(dim=2).values
    t_out.backward(torch.tensor(dout))
    assert_allclose(out, t_out.detach().numpy(), rtol=1e-12)
    for ours, theirs in [(dx, tx), (dw, tw), (db, tb)]:
        assert_allclose(ours, theirs.grad.numpy(), rtol=1e-12, atol=1e-14)

    x = 3 * rng.normal(size=(4, 6))
    dout = rng.normal(size=(4, 6))
    for forward, backward, t_fn in [(act.softmax_forward, act.softmax_backward, F.softmax),
                                    (act.log_softmax_forward, act.log_softmax_backward,
                                     F.log_softmax)]:
        out, cache = forward(x, axis=0)
        dx = backward(dout, cache)
        tx = torch.tensor(x, requires_grad=True)
        t_out = t_fn(tx, dim=0)
        t_out.backward(torch.tensor(dout))
        assert_allclose(out, t_out.detach().numpy(), rtol=1e-12, atol=1e-15)
        assert_allclose(dx, tx.grad.numpy(), rtol=1e-12, atol=1e-14)
