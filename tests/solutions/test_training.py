"""Tests of solutions.training: update rules, the MLP, monitoring, the training loop, search.

References are independent computations: update rules written out as loops,
the loss as a per-sample loop with ``math``, gradients by central differences
(:func:`coursekit.gradcheck.numerical_gradient`, float64), the composed
network of :func:`mlp_forward_backward` against the plain-NumPy
:func:`mlp_loss` and against the layers of the other chapters called by hand.
The last tests reproduce the chapter's claims on scikit-learn's digits.
"""
import math
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from coursekit.checking import rel_error
from coursekit.gradcheck import numerical_gradient
from solutions import training
from solutions.initialization import kaiming_normal
from solutions.normalization import RunningStats, batchnorm_forward, init_running_stats
from solutions.preprocessing import fit_standardize, standardize
from solutions.training import (
    AdamState,
    LayerActivity,
    TrainResult,
    Trial,
    accuracy,
    adam_step,
    grid_search,
    init_mlp,
    make_spiral,
    mlp_forward_backward,
    mlp_loss,
    predict,
    random_search,
    rmsprop_step,
    sample_config,
    sample_log_uniform,
    scheduled_lr,
    sgd_momentum_step,
    sgd_step,
    train,
    update_ratio,
)

LOG10 = math.log(10)


def _params(rng, sizes, batchnorm=False, scale=0.5, dtype=np.float64):
    """Random parameters (biases, gamma, beta not at their initial values)."""
    params = {}
    L = len(sizes) - 1
    for l in range(1, L + 1):
        params[f"W{l}"] = (scale * rng.standard_normal((sizes[l - 1], sizes[l]))).astype(dtype)
        params[f"b{l}"] = (0.1 * rng.standard_normal(sizes[l])).astype(dtype)
        if batchnorm and l < L:
            params[f"gamma{l}"] = (1 + 0.3 * rng.standard_normal(sizes[l])).astype(dtype)
            params[f"beta{l}"] = (0.3 * rng.standard_normal(sizes[l])).astype(dtype)
    return params


def _copy(params):
    return {k: np.array(v, copy=True) for k, v in params.items()}


def _assert_unchanged(before, after):
    assert list(before) == list(after)
    for k in before:
        assert_array_equal(after[k], before[k], err_msg=k)


def _num_grads(loss_of, params):
    """Numerical gradient of ``loss_of(params)`` for every key, by central differences."""
    return {k: numerical_gradient(lambda v, k=k: np.array(loss_of({**params, k: v})), params[k], np.array(1.0))
            for k in params}


# --------------------------------------------------------------------------
# update rules
# --------------------------------------------------------------------------


def test_sgd_step_values_and_no_mutation():
    params = {"W1": np.array([[1.0, -2.0], [0.5, 3.0]]), "b1": np.array([0.0, 1.0])}
    grads = {"W1": np.array([[10.0, 0.0], [-5.0, 1.0]]), "b1": np.array([2.0, -4.0])}
    before_p, before_g = _copy(params), _copy(grads)
    new = sgd_step(params, grads, 0.1)
    assert_allclose(new["W1"], [[0.0, -2.0], [1.0, 2.9]], rtol=1e-15, atol=1e-15)
    assert_allclose(new["b1"], [-0.2, 1.4], rtol=1e-15)
    assert new is not params and list(new) == ["W1", "b1"]
    _assert_unchanged(before_p, params)
    _assert_unchanged(before_g, grads)


def test_sgd_step_keeps_float32_and_checks_keys():
    params = {"W": np.ones((2, 2), np.float32)}
    new = sgd_step(params, {"W": np.full((2, 2), 0.5, np.float32)}, 0.1)
    assert new["W"].dtype == np.float32
    assert_allclose(new["W"], 0.95, rtol=1e-7)
    with pytest.raises(ValueError, match="same keys"):
        sgd_step(params, {"V": np.ones((2, 2))}, 0.1)


def test_sgd_momentum_matches_the_recurrence_written_out():
    rng = np.random.default_rng(0)
    params = {"W": rng.standard_normal((3, 2)), "b": rng.standard_normal(2)}
    before = _copy(params)
    lr, mu = 0.05, 0.8
    p, v = params, None
    ref_p, ref_v = _copy(params), {k: np.zeros_like(a) for k, a in params.items()}
    for _ in range(4):
        g = {k: rng.standard_normal(a.shape) for k, a in params.items()}
        p, v = sgd_momentum_step(p, g, v, lr, momentum=mu)
        for k in ref_p:
            ref_v[k] = mu * ref_v[k] - lr * g[k]
            ref_p[k] = ref_p[k] + ref_v[k]
    for k in params:
        assert_allclose(p[k], ref_p[k], rtol=1e-14)
        assert_allclose(v[k], ref_v[k], rtol=1e-14)
    _assert_unchanged(before, params)


def test_sgd_momentum_zero_is_sgd_and_velocity_is_not_mutated():
    rng = np.random.default_rng(1)
    params = {"W": rng.standard_normal((4, 3))}
    grads = {"W": rng.standard_normal((4, 3))}
    new, _ = sgd_momentum_step(params, grads, None, 0.1, momentum=0.0)
    assert_allclose(new["W"], sgd_step(params, grads, 0.1)["W"], rtol=1e-15)
    velocity = {"W": rng.standard_normal((4, 3))}
    saved = _copy(velocity)
    sgd_momentum_step(params, grads, velocity, 0.1)
    _assert_unchanged(saved, velocity)


def test_sgd_momentum_terminal_velocity():
    """With a constant gradient the velocity tends to -lr * g / (1 - momentum)."""
    params, g = {"w": np.zeros(2)}, {"w": np.array([1.0, -2.0])}
    v = None
    for _ in range(300):
        params, v = sgd_momentum_step(params, g, v, 0.01, momentum=0.9)
    assert_allclose(v["w"], -0.01 * g["w"] / 0.1, rtol=1e-10)


# --------------------------------------------------------------------------
# RMSprop, Adam and learning-rate schedules
# --------------------------------------------------------------------------


def _rmsprop_by_hand(param, grad_seq, lr, alpha, eps):
    """RMSprop for one array, entry by entry with ``math``: the rule of Tieleman and Hinton as PyTorch writes it."""
    theta = [float(t) for t in param.ravel()]
    square = [0.0] * len(theta)
    for g in grad_seq:
        for i, gi in enumerate(g.ravel()):
            square[i] = alpha * square[i] + (1 - alpha) * gi * gi
            theta[i] -= lr * gi / (math.sqrt(square[i]) + eps)
    return np.array(theta).reshape(param.shape), np.array(square).reshape(param.shape)


def _adam_by_hand(param, grad_seq, lr, beta1, beta2, eps):
    """Algorithm 1 of Kingma and Ba, entry by entry with ``math``."""
    theta = [float(t) for t in param.ravel()]
    m = [0.0] * len(theta)
    v = [0.0] * len(theta)
    for t, g in enumerate(grad_seq, start=1):
        for i, gi in enumerate(g.ravel()):
            m[i] = beta1 * m[i] + (1 - beta1) * gi
            v[i] = beta2 * v[i] + (1 - beta2) * gi ** 2
            m_hat = m[i] / (1 - beta1 ** t)
            v_hat = v[i] / (1 - beta2 ** t)
            theta[i] -= lr * m_hat / (math.sqrt(v_hat) + eps)
    shape = param.shape
    return np.array(theta).reshape(shape), np.array(m).reshape(shape), np.array(v).reshape(shape)


def test_rmsprop_matches_the_rule_written_out_and_does_not_mutate():
    rng = np.random.default_rng(20)
    params = {"W": rng.standard_normal((3, 2)), "b": rng.standard_normal(2)}
    grad_seq = [{k: rng.standard_normal(v.shape) * 10.0 ** rng.integers(-3, 2) for k, v in params.items()}
                for _ in range(5)]
    saved = _copy(params)
    p, state = params, None
    for g in grad_seq:
        before_g = _copy(g)
        p, new_state = rmsprop_step(p, g, state, lr=0.01, alpha=0.9, eps=1e-6)
        _assert_unchanged(before_g, g)
        state = new_state
    _assert_unchanged(saved, params)
    for k in params:
        theta, square = _rmsprop_by_hand(params[k], [g[k] for g in grad_seq], 0.01, 0.9, 1e-6)
        assert_allclose(p[k], theta, rtol=1e-12, atol=1e-15)
        assert_allclose(state[k], square, rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("beta1, beta2, eps", [(0.9, 0.999, 1e-8), (0.5, 0.9, 1e-3), (0.0, 0.99, 1e-8)])
def test_adam_matches_kingma_and_ba_written_out(beta1, beta2, eps):
    rng = np.random.default_rng(21)
    params = {"W1": rng.standard_normal((4, 3)), "b1": rng.standard_normal(3), "W2": rng.standard_normal((3, 2))}
    grad_seq = [{k: rng.standard_normal(v.shape) * 10.0 ** rng.integers(-5, 2) for k, v in params.items()}
                for _ in range(7)]
    saved = _copy(params)
    p, state = params, None
    for g in grad_seq:
        p, state = adam_step(p, g, state, lr=0.05, beta1=beta1, beta2=beta2, eps=eps)
    _assert_unchanged(saved, params)
    assert isinstance(state, AdamState) and state.t == 7
    assert list(p) == list(state.m) == list(state.v) == list(params)
    for k in params:
        theta, m, v = _adam_by_hand(params[k], [g[k] for g in grad_seq], 0.05, beta1, beta2, eps)
        assert_allclose(p[k], theta, rtol=1e-12, atol=1e-14)
        assert_allclose(state.m[k], m, rtol=1e-12, atol=1e-300)
        assert_allclose(state.v[k], v, rtol=1e-12, atol=1e-300)


def test_adam_first_step_moves_every_entry_by_the_learning_rate():
    """Bias correction: at t = 1, m_hat = g and v_hat = g**2, so each entry moves by lr (up to eps), whatever |g|."""
    g = {"w": np.array([1e-4, -3.0, 250.0, -1e-2])}
    new, state = adam_step({"w": np.zeros(4)}, g, None, lr=0.01, eps=1e-12)
    assert_allclose(new["w"], -0.01 * np.sign(g["w"]), rtol=1e-7)
    assert state.t == 1
    zero_grad, _ = adam_step({"w": np.ones(3)}, {"w": np.zeros(3)}, None, lr=0.1)
    assert_array_equal(zero_grad["w"], np.ones(3))


def test_adam_and_rmsprop_keep_float32_and_check_keys():
    params = {"W": np.ones((2, 2), np.float32)}
    grads = {"W": np.full((2, 2), 0.5, np.float32)}
    new, state = adam_step(params, grads, None, lr=0.1)
    assert new["W"].dtype == state.m["W"].dtype == state.v["W"].dtype == np.float32
    new, square = rmsprop_step(params, grads, None, lr=0.1)
    assert new["W"].dtype == square["W"].dtype == np.float32
    with pytest.raises(ValueError, match="same keys"):
        adam_step(params, {"V": np.ones((2, 2))}, None, lr=0.1)
    with pytest.raises(ValueError, match="same keys"):
        adam_step(params, grads, AdamState(1, {"V": np.ones((2, 2))}, {"V": np.ones((2, 2))}), lr=0.1)
    with pytest.raises(ValueError, match="same keys"):
        rmsprop_step(params, grads, {"V": np.ones((2, 2))}, lr=0.1)


def _torch_run(torch_optimizer, params, grad_seq, **options):
    """Parameters and optimizer state after ``torch_optimizer`` took one step per gradient dict, in float64."""
    torch = pytest.importorskip("torch")
    tensors = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    opt = torch_optimizer(list(tensors.values()), **options)
    for g in grad_seq:
        for k, t in tensors.items():
            t.grad = torch.tensor(g[k], dtype=torch.float64)
        opt.step()
    state = {k: opt.state[t] for k, t in tensors.items()}
    return {k: t.detach().numpy() for k, t in tensors.items()}, state


def test_adam_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(22)
    params = {"W": rng.standard_normal((5, 4)), "b": rng.standard_normal(4)}
    grad_seq = [{k: rng.standard_normal(v.shape) * 10.0 ** rng.integers(-6, 2) for k, v in params.items()}
                for _ in range(12)]
    for lr, betas, eps in [(1e-3, (0.9, 0.999), 1e-8), (0.2, (0.8, 0.95), 1e-4)]:
        expected, torch_state = _torch_run(torch.optim.Adam, params, grad_seq, lr=lr, betas=betas, eps=eps)
        p, state = params, None
        for g in grad_seq:
            p, state = adam_step(p, g, state, lr, beta1=betas[0], beta2=betas[1], eps=eps)
        assert state.t == int(torch_state["W"]["step"]) == 12
        for k in params:
            assert_allclose(p[k], expected[k], rtol=1e-12, atol=1e-14)
            assert_allclose(state.m[k], torch_state[k]["exp_avg"].numpy(), rtol=1e-12, atol=1e-300)
            assert_allclose(state.v[k], torch_state[k]["exp_avg_sq"].numpy(), rtol=1e-12, atol=1e-300)


def test_rmsprop_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(23)
    params = {"W": rng.standard_normal((3, 3)), "b": rng.standard_normal(3)}
    grad_seq = [{k: rng.standard_normal(v.shape) for k, v in params.items()} for _ in range(9)]
    expected, torch_state = _torch_run(torch.optim.RMSprop, params, grad_seq, lr=0.01, alpha=0.95, eps=1e-6)
    p, state = params, None
    for g in grad_seq:
        p, state = rmsprop_step(p, g, state, 0.01, alpha=0.95, eps=1e-6)
    for k in params:
        assert_allclose(p[k], expected[k], rtol=1e-12, atol=1e-14)
        assert_allclose(state[k], torch_state[k]["square_avg"].numpy(), rtol=1e-12)


def test_scheduled_lr_formulas():
    assert scheduled_lr(17, 0.3) == 0.3
    steps = [scheduled_lr(s, 0.5, "step", drop_every=10, drop_factor=0.5) for s in (0, 9, 10, 19, 20, 35)]
    assert_allclose(steps, [0.5, 0.5, 0.25, 0.25, 0.125, 0.0625], rtol=1e-15)
    cosine = [scheduled_lr(s, 1.0, "cosine", total_steps=100, min_lr=0.1) for s in (0, 50, 100, 150)]
    assert_allclose(cosine, [1.0, 0.55, 0.1, 0.1], rtol=1e-12)
    # Warm-up: linear up to base_lr, then the schedule runs over the remaining steps.
    warm = [scheduled_lr(s, 0.2, "cosine", total_steps=110, warmup_steps=10) for s in (0, 4, 9, 10, 60, 110)]
    assert_allclose(warm, [0.02, 0.1, 0.2, 0.2, 0.1, 0.0], rtol=1e-12, atol=1e-15)
    for kwargs in ({"schedule": "step"}, {"schedule": "cosine"}, {"schedule": "exp"}):
        with pytest.raises(ValueError):
            scheduled_lr(3, 0.1, **kwargs)


def test_scheduled_lr_matches_torch_schedulers():
    torch = pytest.importorskip("torch")
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.4)
    cosine = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=30, eta_min=0.01)
    got = []
    for _ in range(30):
        got.append(opt.param_groups[0]["lr"])
        opt.step()
        cosine.step()
    assert_allclose(got, [scheduled_lr(s, 0.4, "cosine", total_steps=30, min_lr=0.01) for s in range(30)],
                    rtol=1e-12)
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.4)
    step = torch.optim.lr_scheduler.StepLR(opt, step_size=7, gamma=0.3)
    got = []
    for _ in range(30):
        got.append(opt.param_groups[0]["lr"])
        opt.step()
        step.step()
    assert_allclose(got, [scheduled_lr(s, 0.4, "step", drop_every=7, drop_factor=0.3) for s in range(30)],
                    rtol=1e-12)


# --------------------------------------------------------------------------
# init_mlp
# --------------------------------------------------------------------------


def test_init_mlp_keys_shapes_and_order():
    params = init_mlp([5, 7, 4, 3], np.random.default_rng(0))
    assert list(params) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    assert [params[k].shape for k in params] == [(5, 7), (7,), (7, 4), (4,), (4, 3), (3,)]
    bn = init_mlp([5, 7, 4, 3], np.random.default_rng(0), batchnorm=True)
    assert list(bn) == ["W1", "b1", "gamma1", "beta1", "W2", "b2", "gamma2", "beta2", "W3", "b3"]
    assert_array_equal(bn["gamma2"], np.ones(4))
    assert_array_equal(bn["beta1"], np.zeros(7))
    for k in params:
        assert params[k].dtype == np.float64
        if k.startswith("b"):
            assert_array_equal(params[k], 0.0)
    # Same seed, same weights, with or without batch norm.
    assert_array_equal(params["W2"], bn["W2"])


def test_init_mlp_draws_kaiming_layer_by_layer():
    params = init_mlp([6, 5, 2], np.random.default_rng(3))
    rng = np.random.default_rng(3)
    assert_array_equal(params["W1"], kaiming_normal((6, 5), rng, nonlinearity="relu"))
    assert_array_equal(params["W2"], kaiming_normal((5, 2), rng, nonlinearity="relu"))


@pytest.mark.parametrize("init, std", [
    ("kaiming", lambda fi, fo: math.sqrt(2 / fi)),
    ("xavier", lambda fi, fo: math.sqrt(2 / (fi + fo))),
    ("small", lambda fi, fo: 0.05),
])
def test_init_mlp_standard_deviations(init, std):
    params = init_mlp([400, 300, 200], np.random.default_rng(4), init=init, scale=0.05)
    for l, (fi, fo) in enumerate([(400, 300), (300, 200)], start=1):
        w = params[f"W{l}"]
        # 6 standard errors of a sample std of n >= 60000 values: 1.7 %
        assert abs(w.std() / std(fi, fo) - 1) < 6 / math.sqrt(2 * w.size)
        assert abs(w.mean()) < 6 * std(fi, fo) / math.sqrt(w.size)


def test_init_mlp_rejects_bad_arguments():
    with pytest.raises(ValueError, match="init"):
        init_mlp([3, 2], np.random.default_rng(0), init="he")
    with pytest.raises(ValueError, match="layer_sizes"):
        init_mlp([3], np.random.default_rng(0))
    with pytest.raises(ValueError, match="layer_sizes"):
        init_mlp([3, 0, 2], np.random.default_rng(0))


# --------------------------------------------------------------------------
# mlp_loss (plain NumPy)
# --------------------------------------------------------------------------

_F = {"relu": lambda a: max(a, 0.0), "tanh": math.tanh, "sigmoid": lambda a: 1 / (1 + math.exp(-a))}


def _loss_loop(params, x, y, activation, reg):
    """The loss one sample at a time, with Python floats and ``math``."""
    L = sum(k.startswith("W") for k in params)
    total = 0.0
    for n in range(x.shape[0]):
        h = [float(v) for v in x[n]]
        for l in range(1, L + 1):
            W, b = params[f"W{l}"], params[f"b{l}"]
            a = [sum(h[i] * float(W[i, j]) for i in range(len(h))) + float(b[j]) for j in range(W.shape[1])]
            h = a if l == L else [_F[activation](v) for v in a]
        m = max(h)
        total += -(h[y[n]] - m - math.log(sum(math.exp(v - m) for v in h)))
    penalty = 0.5 * reg * sum(float(np.sum(params[f"W{l}"] ** 2)) for l in range(1, L + 1))
    return total / x.shape[0] + penalty


@pytest.mark.parametrize("sizes", [[4, 3], [4, 5, 3], [3, 6, 5, 4]])
@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
@pytest.mark.parametrize("reg", [0.0, 0.3])
def test_mlp_loss_value_and_numerical_gradients(sizes, activation, reg):
    rng = np.random.default_rng(sum(sizes) + len(activation))
    params = _params(rng, sizes)
    x = rng.standard_normal((5, sizes[0]))
    y = rng.integers(0, sizes[-1], 5)
    loss, grads = mlp_loss(params, x, y, activation=activation, reg=reg)
    assert isinstance(loss, float)
    assert_allclose(loss, _loss_loop(params, x, y, activation, reg), rtol=1e-12)
    assert list(grads) == list(params)
    numeric = _num_grads(lambda p: mlp_loss(p, x, y, activation=activation, reg=reg)[0], params)
    for k in params:
        assert grads[k].shape == params[k].shape
        assert rel_error(grads[k], numeric[k]) < 1e-7, k


def test_mlp_loss_prediction_mode_returns_the_scores():
    rng = np.random.default_rng(5)
    params = _params(rng, [4, 6, 3])
    x = rng.standard_normal((7, 4))
    scores = mlp_loss(params, x, activation="tanh")
    expected = np.tanh(x @ params["W1"] + params["b1"]) @ params["W2"] + params["b2"]
    assert_allclose(scores, expected, rtol=1e-13)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
@pytest.mark.parametrize("reg", [0.0, 0.1])
def test_mlp_loss_agrees_with_the_composed_network(activation, reg):
    rng = np.random.default_rng(6)
    params = _params(rng, [8, 10, 9, 4])
    x = rng.standard_normal((12, 8))
    y = rng.integers(0, 4, 12)
    loss, grads = mlp_loss(params, x, y, activation=activation, reg=reg)
    loss2, grads2, running = mlp_forward_backward(params, x, y, activation=activation, reg=reg)
    assert running is None
    assert_allclose(loss, loss2, rtol=1e-13)
    assert list(grads2) == list(grads)
    for k in params:
        assert_allclose(grads[k], grads2[k], rtol=1e-10, atol=1e-14)
    assert_allclose(mlp_loss(params, x, activation=activation),
                    mlp_forward_backward(params, x, activation=activation), rtol=1e-12)


def test_mlp_loss_at_small_initialization_is_log_of_the_number_of_classes():
    rng = np.random.default_rng(7)
    params = init_mlp([20, 30, 10], rng, init="small", scale=1e-3)
    loss, _ = mlp_loss(params, rng.standard_normal((50, 20)), rng.integers(0, 10, 50))
    assert abs(loss - LOG10) < 1e-3


def test_mlp_loss_does_not_mutate_and_keeps_float32():
    rng = np.random.default_rng(8)
    params = _params(rng, [3, 4, 2], dtype=np.float32)
    x = rng.standard_normal((6, 3)).astype(np.float32)
    y = rng.integers(0, 2, 6)
    saved, x0, y0 = _copy(params), x.copy(), y.copy()
    loss, grads = mlp_loss(params, x, y, reg=0.1)
    _assert_unchanged(saved, params)
    assert_array_equal(x, x0)
    assert_array_equal(y, y0)
    assert all(g.dtype == np.float32 for g in grads.values())
    loss64, grads64 = mlp_loss({k: v.astype(np.float64) for k, v in params.items()}, x.astype(np.float64), y, reg=0.1)
    assert_allclose(loss, loss64, rtol=1e-5)
    for k in grads:
        assert_allclose(grads[k], grads64[k], rtol=1e-4, atol=1e-6)


def test_mlp_loss_is_stable_for_huge_scores():
    params = {"W1": np.array([[1e4, -1e4, 0.0]]), "b1": np.zeros(3)}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss, grads = mlp_loss(params, np.array([[1.0], [-1.0]]), np.array([1, 1]))
    # Sample 0: scores (1e4, -1e4, 0), correct -1e4: loss 2e4. Sample 1: correct is the largest: loss ~0.
    assert_allclose(loss, 1e4, rtol=1e-12)
    assert all(np.isfinite(g).all() for g in grads.values())


def test_mlp_loss_rejects_bad_inputs():
    rng = np.random.default_rng(9)
    params = _params(rng, [3, 4, 2], batchnorm=True)
    x = rng.standard_normal((4, 3))
    with pytest.raises(ValueError, match="keys"):
        mlp_loss(params, x, np.zeros(4, int))
    plain = _params(rng, [3, 4, 2])
    with pytest.raises(ValueError, match="activation"):
        mlp_loss(plain, x, np.zeros(4, int), activation="elu")
    with pytest.raises(ValueError, match="shape"):
        mlp_loss(plain, x, np.zeros(3, int))


# --------------------------------------------------------------------------
# mlp_forward_backward (composed, with batch norm)
# --------------------------------------------------------------------------


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
@pytest.mark.parametrize("training", [True, False])
def test_batchnorm_network_numerical_gradients(activation, training):
    rng = np.random.default_rng(10 + len(activation))
    params = _params(rng, [5, 6, 4, 3], batchnorm=True)
    x = rng.standard_normal((8, 5)) * 2 + 1
    y = rng.integers(0, 3, 8)
    running = {1: RunningStats(rng.standard_normal(6), rng.uniform(0.5, 2, 6)),
               2: RunningStats(rng.standard_normal(4), rng.uniform(0.5, 2, 4))}

    def loss_of(p):
        return mlp_forward_backward(p, x, y, activation, batchnorm=True, reg=0.05,
                                    running=running, training=training)[0]

    loss, grads, _ = mlp_forward_backward(params, x, y, activation, batchnorm=True, reg=0.05,
                                          running=running, training=training)
    assert list(grads) == list(params)
    numeric = _num_grads(loss_of, params)
    for k in params:
        if training and k in ("b1", "b2"):
            # Batch norm removes any constant added before it: this bias has no effect.
            assert_allclose(grads[k], 0.0, atol=1e-15)
            assert_allclose(numeric[k], 0.0, atol=1e-9)
        else:
            assert rel_error(grads[k], numeric[k]) < 1e-6, k


def test_batchnorm_network_running_statistics():
    rng = np.random.default_rng(11)
    params = _params(rng, [4, 5, 3], batchnorm=True)
    x = rng.standard_normal((6, 4))
    y = rng.integers(0, 3, 6)
    _, _, new = mlp_forward_backward(params, x, y, batchnorm=True)  # running=None: initial statistics
    z = x @ params["W1"] + params["b1"]
    _, _, expected = batchnorm_forward(z, params["gamma1"], params["beta1"], init_running_stats(5))
    assert list(new) == [1]
    assert_allclose(new[1].mean, expected.mean, rtol=1e-13)
    assert_allclose(new[1].var, expected.var, rtol=1e-13)
    # Passed back in: not modified, and evaluation mode returns it unchanged.
    saved = (new[1].mean.copy(), new[1].var.copy())
    _, _, again = mlp_forward_backward(params, x, y, batchnorm=True, running=new)
    assert_array_equal(new[1].mean, saved[0])
    assert not np.allclose(again[1].mean, saved[0])
    _, _, same = mlp_forward_backward(params, x, y, batchnorm=True, running=new, training=False)
    assert same[1] is new[1]
    # Evaluation-mode predictions use the running statistics: a single sample works.
    scores = mlp_forward_backward(params, x[:1], batchnorm=True, running=new, training=False)
    zn = (x[:1] @ params["W1"] + params["b1"] - new[1].mean) / np.sqrt(new[1].var + 1e-5)
    h = np.maximum(params["gamma1"] * zn + params["beta1"], 0)
    assert_allclose(scores, h @ params["W2"] + params["b2"], rtol=1e-12)


def test_batchnorm_network_checks_its_keys():
    rng = np.random.default_rng(12)
    with pytest.raises(ValueError, match="batch norm"):
        mlp_forward_backward(_params(rng, [3, 4, 2]), rng.standard_normal((3, 3)), np.zeros(3, int), batchnorm=True)


def _offset_loss(params, x, y, activation, layer, offset):
    """Loss of the plain network with ``offset`` added to the affine output of hidden ``layer``."""
    f = {"relu": lambda a: np.maximum(a, 0), "tanh": np.tanh}[activation]
    L = sum(k.startswith("W") for k in params)
    h = x
    for l in range(1, L):
        z = h @ params[f"W{l}"] + params[f"b{l}"]
        h = f(z + offset if l == layer else z)
    scores = h @ params[f"W{L}"] + params[f"b{L}"]
    m = scores.max(axis=1, keepdims=True)
    logp = scores - m - np.log(np.exp(scores - m).sum(axis=1, keepdims=True))
    return -logp[np.arange(len(y)), y].mean()


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_layer_activity_statistics(activation):
    rng = np.random.default_rng(13)
    params = _params(rng, [4, 6, 5, 3])
    x = rng.standard_normal((7, 4))
    y = rng.integers(0, 3, 7)
    *_, activity = mlp_forward_backward(params, x, y, activation, return_activity=True)
    assert isinstance(activity, LayerActivity)
    f = {"relu": lambda a: np.maximum(a, 0), "tanh": np.tanh}[activation]
    h1 = f(x @ params["W1"] + params["b1"])
    h2 = f(h1 @ params["W2"] + params["b2"])
    assert_allclose(activity.act_mean, [h1.mean(), h2.mean()], rtol=1e-12)
    assert_allclose(activity.act_std, [h1.std(), h2.std()], rtol=1e-12)
    for layer, width in [(1, 6), (2, 5)]:
        dz = numerical_gradient(lambda e, layer=layer: np.array(_offset_loss(params, x, y, activation, layer, e)),
                                np.zeros((7, width)), np.array(1.0))
        assert_allclose(activity.grad_std[layer - 1], dz.std(), rtol=1e-6)


def test_predict_and_accuracy():
    rng = np.random.default_rng(14)
    params = _params(rng, [3, 5, 4])
    x = rng.standard_normal((20, 3))
    labels = predict(params, x)
    assert labels.shape == (20,)
    assert_array_equal(labels, np.argmax(mlp_loss(params, x), axis=1))
    y = labels.copy()
    y[:5] = (y[:5] + 1) % 4
    assert accuracy(params, x, y) == 0.75


# --------------------------------------------------------------------------
# update_ratio
# --------------------------------------------------------------------------


def test_update_ratio_values():
    params = {"W": np.array([[3.0, 4.0]]), "b": np.array([1.0, 0.0, 0.0])}
    new = {"W": np.array([[3.003, 3.996]]), "b": np.array([1.0, 0.5, 0.0])}
    saved, saved_new = _copy(params), _copy(new)
    ratios = update_ratio(params, new)
    assert list(ratios) == ["W", "b"]
    assert all(type(r) is float for r in ratios.values())
    assert_allclose(ratios["W"], math.sqrt(0.003**2 + 0.004**2) / 5, rtol=1e-9)
    assert_allclose(ratios["b"], 0.5, rtol=1e-15)
    _assert_unchanged(saved, params)
    _assert_unchanged(saved_new, new)


def test_update_ratio_of_a_zero_parameter_is_a_plain_division():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ratios = update_ratio({"b": np.zeros(3), "c": np.zeros(2)}, {"b": np.array([0.0, 1e-3, 0.0]), "c": np.zeros(2)})
    assert ratios["b"] == math.inf
    assert math.isnan(ratios["c"])
    with pytest.raises(ValueError, match="same keys"):
        update_ratio({"W": np.ones(2)}, {"V": np.ones(2)})


# --------------------------------------------------------------------------
# train
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def spiral():
    x, y = make_spiral(60, 3, np.random.default_rng(0))
    perm = np.random.default_rng(1).permutation(len(y))
    return x[perm[:150]], y[perm[:150]], x[perm[150:]], y[perm[150:]]


def test_train_shapes_no_mutation_and_reproducibility(spiral):
    xtr, ytr, xva, yva = spiral
    params = init_mlp([2, 50, 50, 3], np.random.default_rng(2))
    saved = _copy(params)
    kwargs = dict(lr=0.5, epochs=4, batch_size=32, record_every=3)
    result = train(params, xtr, ytr, xva, yva, rng=np.random.default_rng(3), **kwargs)
    _assert_unchanged(saved, params)
    assert isinstance(result, TrainResult)
    iterations = 4 * (150 // 32)
    assert result.loss_history.shape == (iterations,)
    assert result.train_acc.shape == result.val_acc.shape == result.val_loss.shape == (4,)
    assert_array_equal(result.record_iters, np.arange(0, iterations, 3))
    assert list(result.update_ratios) == ["W1", "W2", "W3"]
    assert all(r.shape == (len(result.record_iters),) for r in result.update_ratios.values())
    assert result.act_std.shape == result.grad_std.shape == (len(result.record_iters), 2)
    assert result.running is None and not result.diverged
    again = train(params, xtr, ytr, xva, yva, rng=np.random.default_rng(3), **kwargs)
    assert_array_equal(again.loss_history, result.loss_history)
    for k in params:
        assert_array_equal(again.params[k], result.params[k])


def test_train_first_iteration_and_monitoring(spiral):
    """Iteration 0 is the first batch of the first permutation; its statistics are the step's."""
    xtr, ytr, xva, yva = spiral
    params = init_mlp([2, 20, 3], np.random.default_rng(4))
    result = train(params, xtr, ytr, xva, yva, lr=0.3, epochs=1, batch_size=16, rng=np.random.default_rng(5))
    idx = np.random.default_rng(5).permutation(150)[:16]
    loss, grads, _, activity = mlp_forward_backward(params, xtr[idx], ytr[idx], return_activity=True)
    assert_allclose(result.loss_history[0], loss, rtol=1e-14)
    ratios = update_ratio(params, sgd_step(params, grads, 0.3))
    assert_allclose(result.update_ratios["W1"][0], ratios["W1"], rtol=1e-14)
    assert_allclose(result.act_std[0], activity.act_std, rtol=1e-14)
    assert_allclose(result.val_acc[0], accuracy(result.params, xva, yva), rtol=0)


def test_train_learns_the_spiral_with_momentum_and_batchnorm(spiral):
    xtr, ytr, xva, yva = spiral
    for batchnorm, momentum in [(False, 0.0), (False, 0.9), (True, 0.9)]:
        params = init_mlp([2, 64, 64, 3], np.random.default_rng(6), batchnorm=batchnorm)
        result = train(params, xtr, ytr, xva, yva, lr=0.05 if momentum else 0.5, epochs=60, batch_size=30,
                       rng=np.random.default_rng(7), batchnorm=batchnorm, momentum=momentum, reg=1e-4)
        first, last = result.loss_history[:5].mean(), result.loss_history[-5:].mean()
        assert last < 0.5 * first, (batchnorm, momentum)
        assert result.train_acc[-1] > 0.9, (batchnorm, momentum)
        assert (result.running is not None) == batchnorm


def test_train_lr_decay_zero_freezes_after_the_first_epoch(spiral):
    xtr, ytr, xva, yva = spiral
    params = init_mlp([2, 10, 3], np.random.default_rng(8))
    one = train(params, xtr, ytr, xva, yva, lr=0.5, epochs=1, batch_size=25, rng=np.random.default_rng(9))
    two = train(params, xtr, ytr, xva, yva, lr=0.5, epochs=2, batch_size=25, rng=np.random.default_rng(9),
                lr_decay=0.0)
    for k in params:
        assert_array_equal(two.params[k], one.params[k])


def test_train_stops_when_the_loss_diverges(spiral):
    xtr, ytr, xva, yva = spiral
    params = init_mlp([2, 50, 50, 3], np.random.default_rng(10))
    params["W1"] = params["W1"] * 1e300  # activations overflow within a step or two
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # overflow on the way is silenced, as documented
        result = train(params, xtr, ytr, xva, yva, lr=1.0, epochs=3, batch_size=30, rng=np.random.default_rng(11))
    assert result.diverged
    assert np.isnan(result.val_acc).all() and np.isnan(result.train_acc).all()
    stop = int(np.argmax(~np.isfinite(result.loss_history)))
    assert np.isfinite(result.loss_history[:stop]).all()
    assert np.isnan(result.loss_history[stop + 1:]).all()


def test_layer_activity_saturated_and_dead_fractions():
    """Flat entries: ReLU input <= 0, |tanh| > 0.975, sigmoid derivative below 5 % of 1/4; dead: flat for every row."""
    rng = np.random.default_rng(15)
    x = rng.standard_normal((9, 4))
    y = rng.integers(0, 3, 9)
    for activation in ("relu", "tanh", "sigmoid"):
        params = _params(rng, [4, 8, 3], scale=2.0)
        params["b1"][:2] = [-50.0, 50.0]           # unit 0 below its kink on every row; unit 1 always far right
        *_, activity = mlp_forward_backward(params, x, y, activation, return_activity=True)
        z = x @ params["W1"] + params["b1"]
        if activation == "relu":
            flat = z <= 0
        elif activation == "tanh":
            flat = np.abs(np.tanh(z)) > math.sqrt(0.95)
        else:
            s = 1 / (1 + np.exp(-z))
            flat = s * (1 - s) < 0.0125
        assert_allclose(activity.saturated_frac, [flat.mean()], rtol=1e-12)
        assert_allclose(activity.dead_frac, [flat.all(axis=0).mean()], rtol=1e-12)
        expected_dead = {"relu": 1, "tanh": 2, "sigmoid": 2}[activation]
        assert activity.dead_frac[0] >= expected_dead / 8


def test_train_with_rmsprop_and_adam_learns_the_spiral(spiral):
    xtr, ytr, xva, yva = spiral
    for optimizer, lr in [("rmsprop", 3e-3), ("adam", 1e-2)]:
        params = init_mlp([2, 64, 64, 3], np.random.default_rng(6))
        result = train(params, xtr, ytr, xva, yva, lr=lr, epochs=60, batch_size=30, rng=np.random.default_rng(7),
                       optimizer=optimizer)
        assert result.loss_history[-5:].mean() < 0.5 * result.loss_history[:5].mean(), optimizer
        assert result.train_acc[-1] > 0.9, optimizer
    with pytest.raises(ValueError, match="optimizer"):
        train(params, xtr, ytr, xva, yva, lr=0.1, epochs=1, batch_size=30, rng=np.random.default_rng(7),
              optimizer="adagrad")


def test_train_adam_takes_the_steps_of_adam_step(spiral):
    xtr, ytr, xva, yva = spiral
    params = init_mlp([2, 8, 3], np.random.default_rng(12))
    result = train(params, xtr, ytr, xva, yva, lr=0.01, epochs=1, batch_size=50, rng=np.random.default_rng(13),
                   optimizer="adam")
    order = np.random.default_rng(13).permutation(150)
    p, state = params, None
    for k in range(3):
        idx = order[50 * k:50 * (k + 1)]
        _, grads, _ = mlp_forward_backward(p, xtr[idx], ytr[idx])
        p, state = adam_step(p, grads, state, 0.01)
    for name in params:
        assert_allclose(result.params[name], p[name], rtol=1e-13, atol=1e-15)


def test_train_with_a_schedule_records_the_learning_rates(spiral):
    xtr, ytr, xva, yva = spiral
    params = init_mlp([2, 10, 3], np.random.default_rng(8))

    def schedule(it):
        return scheduled_lr(it, 0.5, "cosine", total_steps=12, warmup_steps=3)

    result = train(params, xtr, ytr, xva, yva, lr=schedule, epochs=2, batch_size=25, rng=np.random.default_rng(9),
                   lr_decay=0.0)                   # ignored with a callable lr
    assert_allclose(result.lr_history, [schedule(it) for it in range(12)], rtol=1e-15)
    plain = train(params, xtr, ytr, xva, yva, lr=0.5, epochs=2, batch_size=25, rng=np.random.default_rng(9),
                  lr_decay=0.1)
    assert_allclose(plain.lr_history, [0.5] * 6 + [0.05] * 6, rtol=1e-15)


def test_train_probe_measures_the_layers_on_a_fixed_set(spiral):
    xtr, ytr, xva, yva = spiral
    params = init_mlp([2, 30, 30, 3], np.random.default_rng(16))
    result = train(params, xtr, ytr, xva, yva, lr=0.3, epochs=2, batch_size=25, rng=np.random.default_rng(17),
                   record_every=4, probe=(xva, yva))
    assert result.saturated_frac.shape == result.dead_frac.shape == (len(result.record_iters), 2)
    *_, first = mlp_forward_backward(params, xva, yva, return_activity=True)
    assert_allclose(result.act_std[0], first.act_std, rtol=1e-14)
    assert_allclose(result.dead_frac[0], first.dead_frac, rtol=0)
    assert_allclose(result.saturated_frac[0], first.saturated_frac, rtol=1e-14)
    final = train(params, xtr, ytr, xva, yva, lr=0.3, epochs=2, batch_size=25, rng=np.random.default_rng(17))
    for k in params:                               # the probe only watches: same training
        assert_array_equal(final.params[k], result.params[k])


# --------------------------------------------------------------------------
# the chapter's claims, on scikit-learn's digits
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def digits():
    """The 8x8 digits, split 1437/360 with a fixed seed, standardized with training statistics only."""
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    data = sklearn_datasets.load_digits()
    perm = np.random.default_rng(0).permutation(len(data.target))
    train_idx, val_idx = perm[:1437], perm[1437:]
    stats = fit_standardize(data.data[train_idx])
    return (standardize(data.data[train_idx], stats), data.target[train_idx],
            standardize(data.data[val_idx], stats), data.target[val_idx])


def test_a_good_configuration_reaches_95_percent_on_digits(digits):
    xtr, ytr, xva, yva = digits
    params = init_mlp([64, 128, 10], np.random.default_rng(1))
    result = train(params, xtr, ytr, xva, yva, lr=0.1, epochs=20, batch_size=32, rng=np.random.default_rng(2))
    assert result.val_acc[-1] >= 0.95
    assert result.train_acc[-1] >= 0.99


DEEP = [64] + [100] * 5 + [10]  # six affine layers


def _deep(digits, init, activation, batchnorm, lr, epochs, seed=1):
    xtr, ytr, xva, yva = digits
    params = init_mlp(DEEP, np.random.default_rng(seed), init=init, scale=0.01, batchnorm=batchnorm)
    return train(params, xtr, ytr, xva, yva, lr=lr, epochs=epochs, batch_size=32,
                 rng=np.random.default_rng(seed + 100), activation=activation, batchnorm=batchnorm)


def test_deep_net_small_sigmoid_fails_kaiming_relu_trains_batchnorm_trains_faster(digits):
    per_epoch = 1437 // 32
    # Small random weights + sigmoid: the signal and the gradients die out; the loss stays at log(10).
    stuck = _deep(digits, "small", "sigmoid", False, lr=0.1, epochs=2)
    assert abs(stuck.loss_history[-per_epoch:].mean() - LOG10) < 0.05
    assert stuck.val_acc[-1] < 0.2
    assert stuck.grad_std[-1, 0] < 1e-6  # the first layer gets (almost) no gradient
    # Kaiming + ReLU trains.
    good = _deep(digits, "kaiming", "relu", False, lr=0.1, epochs=2)
    assert good.loss_history[-per_epoch:].mean() < 0.5
    assert good.val_acc[-1] > 0.9
    # Batch norm: after one epoch, at a three times larger learning rate, ahead of
    # the plain net after one epoch at any of its learning rates ...
    fast = _deep(digits, "kaiming", "relu", True, lr=0.3, epochs=1)
    for lr in (0.03, 0.1, 0.3):
        assert fast.val_acc[0] > _deep(digits, "kaiming", "relu", False, lr=lr, epochs=1).val_acc[0], lr
    # ... and at a ten times larger one it still trains, where the plain net diverges.
    assert _deep(digits, "kaiming", "relu", False, lr=1.0, epochs=1).diverged
    big = _deep(digits, "kaiming", "relu", True, lr=1.0, epochs=2)
    assert not big.diverged and big.val_acc[-1] > 0.9


@pytest.mark.slow
@pytest.mark.parametrize("seed", [2, 3, 4])
def test_deep_net_claims_hold_for_other_seeds(digits, seed):
    assert _deep(digits, "small", "sigmoid", False, lr=0.1, epochs=3, seed=seed).val_acc[-1] < 0.2
    assert _deep(digits, "kaiming", "relu", False, lr=0.1, epochs=3, seed=seed).val_acc[-1] > 0.9
    fast = _deep(digits, "kaiming", "relu", True, lr=0.3, epochs=1, seed=seed).val_acc[0]
    assert all(fast > _deep(digits, "kaiming", "relu", False, lr=lr, epochs=1, seed=seed).val_acc[0]
               for lr in (0.03, 0.1, 0.3))
    assert _deep(digits, "kaiming", "relu", False, lr=1.0, epochs=1, seed=seed).diverged
    assert _deep(digits, "kaiming", "relu", True, lr=1.0, epochs=3, seed=seed).val_acc[-1] > 0.9


# --------------------------------------------------------------------------
# hyper-parameter search
# --------------------------------------------------------------------------


def test_sample_log_uniform_is_ten_to_a_uniform_draw():
    got = sample_log_uniform(np.random.default_rng(0), 1e-4, 1e-1, size=(3, 4))
    expected = 10.0 ** np.random.default_rng(0).uniform(-4, -1, (3, 4))
    assert got.shape == (3, 4)
    assert_allclose(got, expected, rtol=1e-14)
    one = sample_log_uniform(np.random.default_rng(1), 1e-3, 1.0)
    assert type(one) is float and 1e-3 <= one <= 1.0


def test_sample_log_uniform_spreads_evenly_over_decades():
    values = sample_log_uniform(np.random.default_rng(2), 1e-6, 1e-1, size=50_000)
    assert values.min() >= 1e-6 and values.max() <= 1e-1
    # Kolmogorov-Smirnov distance of log10(values) from U(-6, -1): p < 1e-9 above 3.3/sqrt(n).
    u = np.sort((np.log10(values) + 6) / 5)
    ks = np.max(np.maximum(np.arange(1, u.size + 1) / u.size - u, u - np.arange(u.size) / u.size))
    assert ks < 3.3 / math.sqrt(u.size)
    counts = np.histogram(np.log10(values), bins=5, range=(-6, -1))[0]
    assert_allclose(counts / values.size, 0.2, atol=0.01)


def test_sample_log_uniform_edge_cases():
    assert_array_equal(sample_log_uniform(np.random.default_rng(3), 0.5, 0.5, size=4), 0.5)
    for low, high in [(0.0, 1.0), (-1.0, 1.0), (2.0, 1.0)]:
        with pytest.raises(ValueError):
            sample_log_uniform(np.random.default_rng(3), low, high)


SPACE = {"lr": ("log", 1e-4, 1.0), "reg": ("uniform", 0.0, 0.1), "width": ("int", 16, 20),
         "activation": ("choice", ["relu", "tanh"])}


def test_sample_config_kinds_and_ranges():
    rng = np.random.default_rng(4)
    configs = [sample_config(SPACE, rng) for _ in range(300)]
    assert all(list(c) == list(SPACE) for c in configs)
    assert all(1e-4 <= c["lr"] <= 1.0 and 0.0 <= c["reg"] <= 0.1 for c in configs)
    assert {c["width"] for c in configs} == {16, 17, 18, 19, 20}
    assert all(type(c["width"]) is int for c in configs)
    assert {c["activation"] for c in configs} == {"relu", "tanh"}
    with pytest.raises(ValueError, match="unknown kind"):
        sample_config({"lr": ("normal", 0, 1)}, rng)


def test_random_search_records_every_trial_reproducibly():
    seen = []

    def objective(config):
        seen.append(config)
        return -abs(math.log10(config["lr"]) + 2)  # best at lr = 1e-2

    trials = random_search(objective, SPACE, 20, np.random.default_rng(5))
    assert len(trials) == 20 and all(isinstance(t, Trial) for t in trials)
    assert [t.config for t in trials] == seen
    again = random_search(objective, SPACE, 20, np.random.default_rng(5))
    assert [t.config for t in again] == [t.config for t in trials]
    assert [t.score for t in again] == [t.score for t in trials]
    best = max(trials, key=lambda t: t.score)
    assert 1e-3 < best.config["lr"] < 1e-1


def test_grid_search_tries_every_combination_last_key_fastest():
    trials = grid_search(lambda c: c["a"] * 10 + c["b"], {"a": [1, 2], "b": [3, 4, 5]})
    assert [t.config for t in trials] == [{"a": a, "b": b} for a in (1, 2) for b in (3, 4, 5)]
    assert [t.score for t in trials] == [13.0, 14.0, 15.0, 23.0, 24.0, 25.0]


# --------------------------------------------------------------------------
# make_spiral
# --------------------------------------------------------------------------


def test_make_spiral_matches_the_cs231n_loop():
    x, y = make_spiral(50, 3, np.random.default_rng(6), noise=0.2)
    rng = np.random.default_rng(6)
    ref_x, ref_y = np.zeros((150, 2)), np.zeros(150, dtype=np.int64)
    for j in range(3):
        ix = range(50 * j, 50 * (j + 1))
        r = np.linspace(0.0, 1, 50)
        t = np.linspace(j * 4, (j + 1) * 4, 50) + rng.standard_normal(50) * 0.2
        ref_x[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        ref_y[ix] = j
    assert x.dtype == np.float64 and y.dtype == np.int64
    assert_allclose(x, ref_x, rtol=1e-12, atol=1e-15)
    assert_array_equal(y, ref_y)


def test_make_spiral_without_noise_lies_on_the_arms():
    x, y = make_spiral(11, 4, np.random.default_rng(7), noise=0.0)
    r = np.hypot(x[:, 0], x[:, 1])
    assert_allclose(r, np.tile(np.linspace(0, 1, 11), 4), atol=1e-15)
    assert_array_equal(np.bincount(y), [11] * 4)
    with pytest.raises(ValueError):
        make_spiral(1, 3, np.random.default_rng(0))


def test_train_without_hidden_layer_records_empty_layer_statistics():
    """A softmax classifier (no hidden layer) trains, and its per-layer statistics have 0 columns."""
    rng = np.random.default_rng(3)
    x, y = training.make_spiral(30, 3, rng)
    params = training.init_mlp([2, 3], rng)
    result = training.train(params, x, y, x, y, lr=0.5, epochs=3, batch_size=16, rng=rng, record_every=2)
    assert result.act_std.shape == (len(result.record_iters), 0)
    assert result.grad_std.shape == (len(result.record_iters), 0)
    assert result.loss_history[-1] < result.loss_history[0]
