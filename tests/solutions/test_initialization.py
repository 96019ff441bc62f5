"""Tests of solutions.initialization: fans, gains, initializer statistics, deep-MLP experiment."""
import functools
import math

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from solutions.initialization import (
    LayerStats,
    calculate_gain,
    compute_fans,
    constant,
    deep_mlp_stats,
    kaiming_normal,
    kaiming_uniform,
    small_random_normal,
    xavier_normal,
    xavier_uniform,
    zeros,
)


# ----------------------------------------------------------------------------
# Fans
# ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "shape, fans",
    [
        ((3, 4), (3, 4)),  # dense (fan_in, fan_out)
        ((784, 10), (784, 10)),
        ((16, 8, 3, 3), (8 * 9, 16 * 9)),  # conv2d (C_out, C_in, kH, kW)
        ((6, 3, 5, 7), (3 * 35, 6 * 35)),
        ((4, 2, 5), (10, 20)),  # conv1d
        ((2, 3, 2, 2, 2), (24, 16)),  # conv3d
        ((5, 1, 1, 1), (1, 5)),  # 1x1 conv
        ([7, 9], (7, 9)),  # a list is a shape too
        (np.array([2, 5, 3]), (15, 6)),
    ],
)
def test_compute_fans(shape, fans):
    got = compute_fans(shape)
    assert got == fans
    assert all(isinstance(f, int) for f in got)


@pytest.mark.parametrize("shape", [(), (5,), 5])
def test_compute_fans_needs_two_dimensions(shape):
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        compute_fans(shape)


@pytest.mark.parametrize("shape", [(3, -1), (2.5, 3), ("a", 3)])
def test_compute_fans_rejects_bad_shapes(shape):
    with pytest.raises(ValueError, match="shape"):
        compute_fans(shape)


# ----------------------------------------------------------------------------
# Gains
# ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "nonlinearity, param, gain",
    [
        ("linear", None, 1.0),
        ("conv1d", None, 1.0),
        ("conv2d", None, 1.0),
        ("conv3d", None, 1.0),
        ("conv_transpose1d", None, 1.0),
        ("conv_transpose2d", None, 1.0),
        ("conv_transpose3d", None, 1.0),
        ("sigmoid", None, 1.0),
        ("tanh", None, 5 / 3),
        ("relu", None, math.sqrt(2)),
        ("relu", 0.3, math.sqrt(2)),  # param ignored
        ("leaky_relu", None, math.sqrt(2 / (1 + 0.01**2))),  # default slope 0.01
        ("leaky_relu", 0.2, math.sqrt(2 / 1.04)),
        ("leaky_relu", 0, math.sqrt(2)),  # slope 0 is ReLU
        ("leaky_relu", 1, 1.0),  # slope 1 is linear
        ("leaky_relu", np.float32(0.5), math.sqrt(2 / 1.25)),
        ("selu", None, 0.75),
    ],
)
def test_calculate_gain_table(nonlinearity, param, gain):
    got = calculate_gain(nonlinearity, param)
    assert isinstance(got, float)
    assert_allclose(got, gain, rtol=1e-7)


def test_calculate_gain_relu_restores_second_moment():
    # gain^2 * E[f(z)^2] = E[z^2] for any symmetric z: take a sample and its mirror
    z = np.random.default_rng(0).standard_normal(1000)
    z = np.concatenate([z, -z])
    for slope in (0.0, 0.1, 0.5):
        g = calculate_gain("leaky_relu", slope)
        f = np.where(z > 0, z, slope * z)
        assert_allclose(g**2 * np.mean(f**2), np.mean(z**2), rtol=1e-12)


@pytest.mark.parametrize("nonlinearity", ["softmax", "ReLU", "", None, "gelu"])
def test_calculate_gain_rejects_unknown(nonlinearity):
    with pytest.raises(ValueError, match="nonlinearity"):
        calculate_gain(nonlinearity)


@pytest.mark.parametrize("param", [True, "0.1", [0.1], np.inf])
def test_calculate_gain_rejects_bad_slope(param):
    with pytest.raises(ValueError, match="slope"):
        calculate_gain("leaky_relu", param)


# ----------------------------------------------------------------------------
# Constant initializers
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(3, 4), (5,), (2, 3, 4, 5), 7, ()])
@pytest.mark.parametrize("rng", [None, np.random.default_rng(0)])
def test_constant_and_zeros(shape, rng):
    expected_shape = (shape,) if isinstance(shape, int) else shape
    c = constant(shape, 0.25, rng)
    z = zeros(shape, rng)
    for arr, value in ((c, 0.25), (z, 0.0)):
        assert arr.shape == expected_shape
        assert arr.dtype == np.float64
        assert_array_equal(arr, np.full(expected_shape, value))


def test_constant_ignores_rng():
    rng = np.random.default_rng(1)
    state = rng.bit_generator.state
    constant((3, 3), 1.0, rng)
    zeros((3, 3), rng)
    assert rng.bit_generator.state == state  # nothing drawn


def test_constant_rejects_bad_shape():
    with pytest.raises(ValueError, match="shape"):
        constant((2, -3), 1.0)


# ----------------------------------------------------------------------------
# Random initializers: the formulas, written out independently of the module
# ----------------------------------------------------------------------------
def _fans(shape):
    if len(shape) == 2:
        return shape[0], shape[1]
    rf = int(np.prod(shape[2:]))
    return shape[1] * rf, shape[0] * rf


def _xavier_std(shape, gain=1.0):
    fan_in, fan_out = _fans(shape)
    return gain * math.sqrt(2.0 / (fan_in + fan_out))


def _kaiming_std(shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    fan_in, fan_out = _fans(shape)
    fan = fan_in if mode == "fan_in" else fan_out
    gains = {"relu": math.sqrt(2), "leaky_relu": math.sqrt(2 / (1 + a * a)), "tanh": 5 / 3,
             "linear": 1.0, "selu": 0.75}
    return gains[nonlinearity] / math.sqrt(fan)


# (initializer, kwargs, "normal" or "uniform", std from the formula)
CASES = [
    (small_random_normal, {}, "normal", lambda s: 0.01),
    (small_random_normal, {"scale": 0.5}, "normal", lambda s: 0.5),
    (xavier_normal, {}, "normal", _xavier_std),
    (xavier_normal, {"gain": 5 / 3}, "normal", lambda s: _xavier_std(s, 5 / 3)),
    (xavier_uniform, {}, "uniform", _xavier_std),
    (xavier_uniform, {"gain": 2.0}, "uniform", lambda s: _xavier_std(s, 2.0)),
    (kaiming_normal, {}, "normal", _kaiming_std),
    (kaiming_normal, {"mode": "fan_out", "nonlinearity": "relu"}, "normal",
     lambda s: _kaiming_std(s, mode="fan_out", nonlinearity="relu")),
    (kaiming_normal, {"a": 0.2}, "normal", lambda s: _kaiming_std(s, a=0.2)),
    (kaiming_normal, {"nonlinearity": "tanh"}, "normal", lambda s: _kaiming_std(s, nonlinearity="tanh")),
    (kaiming_uniform, {}, "uniform", _kaiming_std),
    (kaiming_uniform, {"a": math.sqrt(5)}, "uniform", lambda s: _kaiming_std(s, a=math.sqrt(5))),
    (kaiming_uniform, {"mode": "fan_out", "nonlinearity": "selu"}, "uniform",
     lambda s: _kaiming_std(s, mode="fan_out", nonlinearity="selu")),
    (kaiming_uniform, {"a": 0.7, "nonlinearity": "relu"}, "uniform",
     lambda s: _kaiming_std(s, nonlinearity="relu")),  # `a` ignored for relu
]
CASE_IDS = [f"{f.__name__}-{kw}" for f, kw, _, _ in CASES]
SHAPES = [(400, 300), (64, 32, 5, 5), (100, 1000), (500, 50, 7)]


@pytest.mark.parametrize("init, kwargs, kind, std_of", CASES, ids=CASE_IDS)
@pytest.mark.parametrize("shape", SHAPES)
def test_random_init_statistics(init, kwargs, kind, std_of, shape):
    w = init(shape, np.random.default_rng(42), **kwargs)
    assert w.shape == shape
    assert w.dtype == np.float64
    n = w.size
    sigma = std_of(shape)
    # standard error of the sample std: sigma / sqrt(2 n) for a normal; for
    # U(-b, b) it is b / sqrt(15 n) (fourth moment b^4 / 5, variance b^2 / 3)
    if kind == "normal":
        se_std = sigma / math.sqrt(2 * n)
    else:
        bound = math.sqrt(3) * sigma
        se_std = bound / math.sqrt(15 * n)
    assert abs(w.std() - sigma) < 3 * se_std, (w.std(), sigma, se_std)
    assert abs(w.mean()) < 3 * sigma / math.sqrt(n)
    if kind == "uniform":
        bound = math.sqrt(3) * sigma
        assert np.all(np.abs(w) <= bound)
        # the bound is attained closely: P(max < 0.999 b) = 0.999^n, negligible
        assert w.max() > 0.999 * bound and w.min() < -0.999 * bound


@pytest.mark.parametrize("init, kwargs, kind, std_of", CASES, ids=CASE_IDS)
def test_random_init_distribution_shape(init, kwargs, kind, std_of):
    stats = pytest.importorskip("scipy.stats")
    shape = (300, 200)
    w = init(shape, np.random.default_rng(7), **kwargs).ravel()
    sigma = std_of(shape)
    if kind == "normal":
        dist = stats.norm(scale=sigma)
    else:
        bound = math.sqrt(3) * sigma
        dist = stats.uniform(loc=-bound, scale=2 * bound)
    assert stats.kstest(w, dist.cdf).pvalue > 1e-3


@pytest.mark.parametrize("init, kwargs, kind, std_of", CASES, ids=CASE_IDS)
def test_random_init_exact_draws(init, kwargs, kind, std_of):
    # The values are the generator's standard draws scaled by the formula.
    shape = (6, 4, 3)
    w = init(shape, np.random.default_rng(3), **kwargs)
    rng = np.random.default_rng(3)
    sigma = std_of(shape)
    if kind == "normal":
        desired = sigma * rng.standard_normal(shape)
    else:
        bound = math.sqrt(3) * sigma
        desired = rng.uniform(-bound, bound, size=shape)
    assert_allclose(w, desired, rtol=1e-14, atol=0)


@pytest.mark.parametrize("init, kwargs, kind, std_of", CASES, ids=CASE_IDS)
def test_random_init_reproducible_and_rng_driven(init, kwargs, kind, std_of):
    a = init((20, 30), np.random.default_rng(5), **kwargs)
    b = init((20, 30), np.random.default_rng(5), **kwargs)
    c = init((20, 30), np.random.default_rng(6), **kwargs)
    assert_array_equal(a, b)
    assert not np.allclose(a, c)
    rng = np.random.default_rng(5)
    first, second = init((20, 30), rng, **kwargs), init((20, 30), rng, **kwargs)
    assert not np.allclose(first, second)  # the generator advances


@pytest.mark.parametrize("init", [small_random_normal, xavier_normal, xavier_uniform,
                                  kaiming_normal, kaiming_uniform])
@pytest.mark.parametrize("rng", [None, 0, np.random.RandomState(0)])
def test_random_init_requires_generator(init, rng):
    with pytest.raises(TypeError, match="Generator"):
        init((3, 4), rng)


@pytest.mark.parametrize("init", [xavier_normal, xavier_uniform, kaiming_normal, kaiming_uniform])
@pytest.mark.parametrize("shape", [(5,), ()])
def test_fan_based_init_needs_two_dimensions(init, shape):
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        init(shape, np.random.default_rng(0))


def test_small_random_normal_any_shape():
    assert small_random_normal(7, np.random.default_rng(0)).shape == (7,)
    assert small_random_normal((2, 3, 4), np.random.default_rng(0)).shape == (2, 3, 4)


@pytest.mark.parametrize("init", [xavier_normal, xavier_uniform, kaiming_normal, kaiming_uniform])
@pytest.mark.parametrize("shape", [(0, 5), (5, 0), (4, 0, 3, 3), (0, 0)])
def test_fan_based_init_empty_shapes(init, shape):
    w = init(shape, np.random.default_rng(0))  # no division by zero, no warning
    assert w.shape == shape
    assert w.dtype == np.float64


@pytest.mark.parametrize("init", [kaiming_normal, kaiming_uniform])
def test_kaiming_rejects_bad_mode_and_nonlinearity(init):
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="mode"):
        init((3, 4), rng, mode="fan_avg")
    with pytest.raises(ValueError, match="nonlinearity"):
        init((3, 4), rng, nonlinearity="swish")


def test_kaiming_fan_out_uses_fan_out():
    # for a dense (fan_in, fan_out) weight, mode="fan_out" scales by the columns
    w_in = kaiming_normal((1000, 10), np.random.default_rng(1), nonlinearity="relu")
    w_out = kaiming_normal((1000, 10), np.random.default_rng(1), mode="fan_out", nonlinearity="relu")
    assert_allclose(w_out / w_in, math.sqrt(1000 / 10))


# ----------------------------------------------------------------------------
# Optional: the same semantics as torch.nn.init (transposing dense shapes)
# ----------------------------------------------------------------------------
def _torch_shape(shape):
    """Our dense (fan_in, fan_out) is torch's (out, in); conv shapes agree."""
    return (shape[1], shape[0]) if len(shape) == 2 else shape


@pytest.mark.parametrize("shape", [(3, 4), (16, 8, 3, 3), (4, 2, 5), (2, 3, 2, 2, 2)])
def test_fans_match_torch(shape):
    torch = pytest.importorskip("torch")
    t = torch.empty(_torch_shape(shape))
    assert compute_fans(shape) == torch.nn.init._calculate_fan_in_and_fan_out(t)


@pytest.mark.parametrize("nonlinearity, param", [
    ("linear", None), ("conv1d", None), ("conv2d", None), ("conv3d", None),
    ("conv_transpose1d", None), ("conv_transpose2d", None), ("conv_transpose3d", None),
    ("sigmoid", None), ("tanh", None), ("relu", None), ("leaky_relu", None),
    ("leaky_relu", 0.2), ("leaky_relu", 3), ("selu", None),
])
def test_gain_matches_torch(nonlinearity, param):
    torch = pytest.importorskip("torch")
    assert_allclose(calculate_gain(nonlinearity, param),
                    torch.nn.init.calculate_gain(nonlinearity, param), rtol=1e-15)


@pytest.mark.parametrize("ours, theirs, kwargs", [
    (xavier_uniform, "xavier_uniform_", {"gain": 1.5}),
    (kaiming_uniform, "kaiming_uniform_", {"a": 0.3}),
    (kaiming_uniform, "kaiming_uniform_", {"mode": "fan_out", "nonlinearity": "relu"}),
])
@pytest.mark.parametrize("shape", [(1000, 600), (64, 32, 5, 5)])
def test_uniform_bounds_match_torch(ours, theirs, kwargs, shape):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    t = getattr(torch.nn.init, theirs)(torch.empty(_torch_shape(shape), dtype=torch.float64), **kwargs)
    w = ours(shape, np.random.default_rng(0), **kwargs)
    # Both fill [-b, b] densely: their extremes agree to about 1e-4 relative.
    assert_allclose(t.abs().max().item(), np.abs(w).max(), rtol=1e-4)


@pytest.mark.parametrize("ours, theirs, kwargs", [
    (xavier_normal, "xavier_normal_", {"gain": 0.8}),
    (kaiming_normal, "kaiming_normal_", {}),
    (kaiming_normal, "kaiming_normal_", {"mode": "fan_out", "nonlinearity": "leaky_relu", "a": 0.1}),
])
@pytest.mark.parametrize("shape", [(1000, 600), (64, 32, 5, 5)])
def test_normal_std_matches_torch(ours, theirs, kwargs, shape):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    t = getattr(torch.nn.init, theirs)(torch.empty(_torch_shape(shape), dtype=torch.float64), **kwargs)
    w = ours(shape, np.random.default_rng(0), **kwargs)
    se = w.std() / math.sqrt(2 * w.size)  # of each sample std
    assert abs(t.std().item() - w.std()) < 3 * math.sqrt(2) * se


# ----------------------------------------------------------------------------
# deep_mlp_stats
# ----------------------------------------------------------------------------
class ListInit:
    """An ``init`` that hands out given weights in order and records the calls."""

    def __init__(self, weights):
        self.weights = list(weights)
        self.shapes = []

    def __call__(self, shape, rng):
        assert isinstance(rng, np.random.Generator)
        self.shapes.append(tuple(shape))
        return self.weights[len(self.shapes) - 1]


def _f_and_fprime(nonlinearity):
    """Activation and derivative, written independently of the module."""
    if nonlinearity == "tanh":
        return np.tanh, lambda a: 1.0 / np.cosh(a) ** 2
    if nonlinearity == "relu":
        return (lambda a: np.where(a > 0, a, 0.0)), (lambda a: np.where(a > 0, 1.0, 0.0))
    if nonlinearity == "sigmoid":
        s = lambda a: 1.0 / (1.0 + np.exp(-a))  # noqa: E731 (inputs are moderate here)
        return s, lambda a: s(a) * (1.0 - s(a))
    return (lambda a: a), (lambda a: np.ones_like(a))


def _loop_reference(x, weights, nonlinearity, dout):
    """Per-sample forward and backward pass: activations and dL/d(pre-activations)."""
    f, fprime = _f_and_fprime(nonlinearity)
    acts = [np.empty((x.shape[0], w.shape[1])) for w in weights]
    grads = [np.empty_like(a) for a in acts]
    for n in range(x.shape[0]):
        h, pre = x[n], []
        for l, w in enumerate(weights):
            a = w.T @ h
            h = f(a)
            pre.append(a)
            acts[l][n] = h
        g = dout[n]
        for l in reversed(range(len(weights))):
            ga = g * fprime(pre[l])
            grads[l][n] = ga
            g = weights[l] @ ga
    return acts, grads


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu", "sigmoid", "linear"])
@pytest.mark.parametrize("sizes", [[7], [6, 5, 4], [3, 8, 8, 2]])
def test_deep_mlp_matches_loop_reference(nonlinearity, sizes):
    rng = np.random.default_rng(30)
    N, D0 = 9, 5
    x = rng.standard_normal((N, D0))
    dims = [D0] + sizes
    weights = [rng.standard_normal((a, b)) / math.sqrt(a) for a, b in zip(dims[:-1], dims[1:])]
    init = ListInit(weights)
    stats = deep_mlp_stats(x, sizes, init, nonlinearity, np.random.default_rng(31))
    assert init.shapes == list(zip(dims[:-1], dims[1:]))
    # init ignored its rng, so the upstream gradient is the generator's first draw
    dout = np.random.default_rng(31).standard_normal((N, sizes[-1]))
    acts, grads = _loop_reference(x, weights, nonlinearity, dout)
    assert len(stats) == len(sizes)
    for s, act, grad in zip(stats, acts, grads):
        assert isinstance(s, LayerStats)
        assert_allclose(s.activations, act, rtol=1e-12, atol=1e-14)
        assert_allclose(s.mean, act.mean(), rtol=1e-12, atol=1e-14)
        assert_allclose(s.std, act.std(), rtol=1e-12, atol=1e-14)
        assert_allclose(s.grad_std, grad.std(), rtol=1e-12, atol=1e-14)
        assert isinstance(s.mean, float) and isinstance(s.std, float) and isinstance(s.grad_std, float)


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu", "sigmoid", "linear"])
def test_deep_mlp_matches_torch_autograd(nonlinearity):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(32)
    sizes = [6, 5, 4]
    x = rng.standard_normal((8, 3))
    dims = [3] + sizes
    weights = [rng.standard_normal((a, b)) for a, b in zip(dims[:-1], dims[1:])]
    stats = deep_mlp_stats(x, sizes, ListInit(weights), nonlinearity, np.random.default_rng(33))
    dout = np.random.default_rng(33).standard_normal((8, sizes[-1]))
    f = {"tanh": torch.tanh, "relu": torch.relu, "sigmoid": torch.sigmoid, "linear": lambda a: a}[nonlinearity]
    h, pres, posts = torch.tensor(x, requires_grad=True), [], []
    for w in weights:
        a = h @ torch.tensor(w)
        a.retain_grad()
        h = f(a)
        pres.append(a)
        posts.append(h)
    h.backward(torch.tensor(dout))
    for s, a, p in zip(stats, pres, posts):
        assert_allclose(s.activations, p.detach().numpy(), rtol=1e-12, atol=1e-14)
        assert_allclose(s.grad_std, a.grad.std(unbiased=False).item(), rtol=1e-10)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("init", [xavier_normal, xavier_uniform], ids=["normal", "uniform"])
def test_one_linear_layer_variance_formula(init, seed):
    # Var(y) = n Var(w) Var(x) for y = x W with independent zero-mean entries.
    n, m, N, gain, var_x = 300, 200, 2000, 1.3, 4.0
    rng = np.random.default_rng(seed)
    x = math.sqrt(var_x) * rng.standard_normal((N, n))
    (s,) = deep_mlp_stats(x, [m], functools.partial(init, gain=gain), "linear", rng, backward=False)
    var_w = gain**2 * 2 / (n + m)
    desired = n * var_w * var_x
    # Standard error of the sample variance of the N*m outputs. Two sources:
    # the weights (relative variance (kappa - 1) / (n m), kappa = E w^4 / sigma^4:
    # 3 normal, 9/5 uniform) and, given the weights, the Gaussian inputs
    # (relative variance 2 (n + m + kappa - 2) / (N n m)).
    kappa = 3.0 if init is xavier_normal else 9 / 5
    rel_var = ((kappa - 1) + 2 * (n + m + kappa - 2) / N) / (n * m)
    se = desired * math.sqrt(rel_var)
    assert abs(s.std**2 - desired) < 3 * se, (s.std**2, desired, se)
    # the mean of all outputs has variance n m Var(w) Var(x) / (N m^2) = desired / (N m)
    assert abs(s.mean) < 3 * math.sqrt(desired / (N * m))


def test_small_init_tanh_collapses():
    rng = np.random.default_rng(40)
    x = rng.standard_normal((500, 500))
    stats = deep_mlp_stats(x, [500] * 10, functools.partial(small_random_normal, scale=0.01), "tanh", rng)
    stds = np.array([s.std for s in stats])
    grads = np.array([s.grad_std for s in stats])
    # each layer multiplies the scale by about 0.01 * sqrt(500) = 0.22
    assert np.all(np.diff(stds) < 0)
    assert stds[-1] < 1e-5
    assert_allclose(stds[1:] / stds[:-1], 0.01 * math.sqrt(500), rtol=0.1)
    # the gradient vanishes towards the input in the same way
    assert np.all(np.diff(grads) > 0)
    assert grads[0] < 1e-4 * grads[-1]


def _second_moments(stats):
    return np.array([s.std**2 + s.mean**2 for s in stats])


def test_kaiming_relu_keeps_second_moment():
    rng = np.random.default_rng(41)
    x = rng.standard_normal((500, 500))
    init = functools.partial(kaiming_normal, nonlinearity="relu")
    stats = deep_mlp_stats(x, [500] * 10, init, "relu", rng)
    q = _second_moments(stats)
    # E[h^2] = E[x^2] = 1 at every depth, up to finite-width fluctuations
    # (these grow with depth; over 30 seeds layer 10 stayed within [0.55, 2.05])
    assert_allclose(q[0], 1.0, rtol=0.05)
    assert np.all((q > 1 / 3) & (q < 3))
    assert 0.85 < (q[-1] / q[0]) ** (1 / 9) < 1.15
    grads = np.array([s.grad_std for s in stats])
    assert np.all((grads > 0.5 * grads[-1]) & (grads < 2 * grads[-1]))  # equal widths


def test_xavier_relu_halves_second_moment():
    rng = np.random.default_rng(42)
    x = rng.standard_normal((500, 500))
    q = _second_moments(deep_mlp_stats(x, [500] * 10, xavier_normal, "relu", rng))
    ratio = q[1:] / q[:-1]
    assert 0.45 < np.exp(np.mean(np.log(ratio))) < 0.55
    assert np.all((ratio > 0.35) & (ratio < 0.65))


def test_xavier_relu_is_kaiming_relu_scaled():
    # With equal widths Xavier's std is Kaiming's over sqrt(2); ReLU is
    # positively homogeneous, so layer l is exactly 2^(-l/2) times smaller.
    x = np.random.default_rng(43).standard_normal((200, 300))
    kaiming = deep_mlp_stats(x, [300] * 6, functools.partial(kaiming_normal, nonlinearity="relu"),
                             "relu", np.random.default_rng(44))
    xavier = deep_mlp_stats(x, [300] * 6, xavier_normal, "relu", np.random.default_rng(44))
    for l, (k, v) in enumerate(zip(kaiming, xavier), start=1):
        desired = k.activations * 2 ** (-l / 2)
        assert_allclose(v.activations, desired, rtol=1e-10, atol=1e-12 * np.abs(desired).max())
        assert_allclose(v.std, k.std * 2 ** (-l / 2), rtol=1e-10)
        # backward: dL/da_l gets one factor 1/sqrt(2) per layer above l
        assert_allclose(v.grad_std, k.grad_std * 2 ** (-(6 - l) / 2), rtol=1e-10)


def test_xavier_linear_keeps_forward_and_backward_variance():
    rng = np.random.default_rng(45)
    x = rng.standard_normal((1000, 400))
    stats = deep_mlp_stats(x, [400] * 8, xavier_normal, "linear", rng)
    assert_allclose([s.std for s in stats], 1.0, rtol=0.15)
    assert_allclose([s.grad_std for s in stats], 1.0, rtol=0.15)


def test_deep_mlp_without_backward_draws_nothing_more():
    x = np.random.default_rng(0).standard_normal((20, 10))
    rng_a, rng_b = np.random.default_rng(46), np.random.default_rng(46)
    stats = deep_mlp_stats(x, [8, 6], xavier_normal, "tanh", rng_a, backward=False)
    xavier_normal((10, 8), rng_b)
    xavier_normal((8, 6), rng_b)
    assert rng_a.bit_generator.state == rng_b.bit_generator.state
    assert all(s.grad_std is None for s in stats)
    with_backward = deep_mlp_stats(x, [8, 6], xavier_normal, "tanh", np.random.default_rng(46))
    for s, t in zip(stats, with_backward):
        assert_array_equal(s.activations, t.activations)


def test_deep_mlp_does_not_mutate_input_and_accepts_integers():
    x = np.random.default_rng(0).integers(-3, 4, size=(15, 6))
    x_copy = x.copy()
    stats = deep_mlp_stats(x, [5], xavier_normal, "relu", np.random.default_rng(1))
    assert_array_equal(x, x_copy)
    assert stats[0].activations.dtype == np.float64
    assert stats[0].activations.shape == (15, 5)


@pytest.mark.parametrize("nonlinearity", ["tanh", "sigmoid", "relu", "linear"])
def test_deep_mlp_stable_for_large_inputs(nonlinearity):
    # saturated units: no overflow warnings (pytest turns them into errors)
    x = 1e4 * np.random.default_rng(2).standard_normal((30, 20))
    stats = deep_mlp_stats(x, [20, 20], xavier_normal, nonlinearity, np.random.default_rng(3))
    for s in stats:
        assert np.all(np.isfinite(s.activations))
        assert math.isfinite(s.std) and math.isfinite(s.grad_std)


def test_deep_mlp_rejects_bad_arguments():
    rng = np.random.default_rng(0)
    x = np.ones((4, 3))
    with pytest.raises(ValueError, match="nonlinearity"):
        deep_mlp_stats(x, [2], xavier_normal, "softplus", rng)
    with pytest.raises(ValueError, match="2-D"):
        deep_mlp_stats(np.ones(3), [2], xavier_normal, "tanh", rng)
    with pytest.raises(ValueError, match="layer_sizes"):
        deep_mlp_stats(x, [], xavier_normal, "tanh", rng)
    with pytest.raises(ValueError, match="layer_sizes"):
        deep_mlp_stats(x, [3, 0], xavier_normal, "tanh", rng)
    with pytest.raises(ValueError, match="init returned shape"):
        deep_mlp_stats(x, [2], lambda shape, rng: np.ones((shape[1], shape[0])), "tanh", rng)
    with pytest.raises(TypeError, match="Generator"):
        deep_mlp_stats(x, [2], xavier_normal, "tanh", None)
