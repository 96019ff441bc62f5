"""Tests of solutions.normalization: batch, spatial batch, layer, group and instance norm.

References are slow loops over features / samples / groups using ``np.mean``
and ``np.var`` of each slice; gradients are checked by central differences;
the running statistics against the PyTorch recurrence written out here; and,
where PyTorch is installed, everything against ``torch.nn``.
"""
import numpy as np
import pytest
from numpy.testing import assert_allclose

from coursekit.checking import rel_error
from coursekit.gradcheck import numerical_gradient
from solutions.normalization import (
    BatchNormCache,
    GroupNormCache,
    InstanceNormCache,
    LayerNormCache,
    RunningStats,
    SpatialBatchNormCache,
    batchnorm_backward,
    batchnorm_backward_alt,
    batchnorm_forward,
    groupnorm_backward,
    groupnorm_forward,
    init_running_stats,
    instancenorm_backward,
    instancenorm_forward,
    layernorm_backward,
    layernorm_forward,
    spatial_batchnorm_backward,
    spatial_batchnorm_forward,
)

EPS = 1e-5


# --------------------------------------------------------------------------
# slow loop references
# --------------------------------------------------------------------------


def _norm_1d(values, eps=EPS):
    """Normalise a 1-D slice with its own mean and biased variance."""
    return (values - np.mean(values)) / np.sqrt(np.var(values) + eps)


def _batchnorm_loop(x, gamma, beta, eps=EPS):
    out = np.empty(x.shape)
    for d in range(x.shape[1]):
        out[:, d] = gamma[d] * _norm_1d(x[:, d], eps) + beta[d]
    return out


def _batchnorm_eval_loop(x, gamma, beta, mean, var, eps=EPS):
    out = np.empty(x.shape)
    for d in range(x.shape[1]):
        out[:, d] = gamma[d] * (x[:, d] - mean[d]) / np.sqrt(var[d] + eps) + beta[d]
    return out


def _spatial_loop(x, gamma, beta, eps=EPS):
    out = np.empty(x.shape)
    for c in range(x.shape[1]):
        out[:, c] = gamma[c] * _norm_1d(x[:, c].ravel(), eps).reshape(out[:, c].shape) + beta[c]
    return out


def _spatial_eval_loop(x, gamma, beta, mean, var, eps=EPS):
    out = np.empty(x.shape)
    for c in range(x.shape[1]):
        out[:, c] = gamma[c] * (x[:, c] - mean[c]) / np.sqrt(var[c] + eps) + beta[c]
    return out


def _layernorm_loop(x, gamma, beta, eps=EPS):
    rows = x.reshape(-1, x.shape[-1])
    out = np.empty(rows.shape)
    for i in range(rows.shape[0]):
        out[i] = gamma * _norm_1d(rows[i], eps) + beta
    return out.reshape(x.shape)


def _groupnorm_loop(x, gamma, beta, G, eps=EPS):
    N, C = x.shape[:2]
    size = C // G
    out = np.empty(x.shape)
    for n in range(N):
        for g in range(G):
            block = x[n, g * size:(g + 1) * size]
            out[n, g * size:(g + 1) * size] = _norm_1d(block.ravel(), eps).reshape(block.shape)
        for c in range(C):
            out[n, c] = gamma[c] * out[n, c] + beta[c]
    return out


def _instancenorm_loop(x, gamma, beta, eps=EPS):
    N, C = x.shape[:2]
    out = np.empty(x.shape)
    for n in range(N):
        for c in range(C):
            out[n, c] = gamma[c] * _norm_1d(x[n, c].ravel(), eps).reshape(x[n, c].shape) + beta[c]
    return out


# Fixed running statistics for the evaluation-mode cases.
_EVAL_MEAN = np.array([0.5, -1.0, 2.0, 0.0])
_EVAL_VAR = np.array([1.5, 0.3, 4.0, 1.0])
_EVAL_RUNNING = RunningStats(_EVAL_MEAN, _EVAL_VAR)


class Case:
    """A layer setup: forward(x, gamma, beta) -> (out, cache), its backward, a loop reference."""

    def __init__(self, forward, backward, x_shape, channels, reference):
        self.forward = forward
        self.backward = backward
        self.x_shape = x_shape
        self.channels = channels
        self.reference = reference


CASES = {
    "batchnorm_train": Case(
        lambda x, g, b: batchnorm_forward(x, g, b, init_running_stats(4))[:2],
        batchnorm_backward, (6, 4), 4, _batchnorm_loop,
    ),
    "batchnorm_train_alt": Case(
        lambda x, g, b: batchnorm_forward(x, g, b, init_running_stats(4))[:2],
        batchnorm_backward_alt, (5, 4), 4, _batchnorm_loop,
    ),
    "batchnorm_eval": Case(
        lambda x, g, b: batchnorm_forward(x, g, b, _EVAL_RUNNING, training=False)[:2],
        batchnorm_backward, (5, 4), 4,
        lambda x, g, b: _batchnorm_eval_loop(x, g, b, _EVAL_MEAN, _EVAL_VAR),
    ),
    "batchnorm_eval_alt": Case(
        lambda x, g, b: batchnorm_forward(x, g, b, _EVAL_RUNNING, training=False)[:2],
        batchnorm_backward_alt, (5, 4), 4,
        lambda x, g, b: _batchnorm_eval_loop(x, g, b, _EVAL_MEAN, _EVAL_VAR),
    ),
    "spatial_train": Case(
        lambda x, g, b: spatial_batchnorm_forward(x, g, b, init_running_stats(4))[:2],
        spatial_batchnorm_backward, (2, 4, 3, 2), 4, _spatial_loop,
    ),
    "spatial_eval": Case(
        lambda x, g, b: spatial_batchnorm_forward(x, g, b, _EVAL_RUNNING, training=False)[:2],
        spatial_batchnorm_backward, (2, 4, 2, 3), 4,
        lambda x, g, b: _spatial_eval_loop(x, g, b, _EVAL_MEAN, _EVAL_VAR),
    ),
    "layernorm": Case(layernorm_forward, layernorm_backward, (4, 5), 5, _layernorm_loop),
    "layernorm_3d": Case(layernorm_forward, layernorm_backward, (2, 3, 4), 4, _layernorm_loop),
    "groupnorm": Case(
        lambda x, g, b: groupnorm_forward(x, g, b, 2),
        groupnorm_backward, (2, 4, 3, 2), 4, lambda x, g, b: _groupnorm_loop(x, g, b, 2),
    ),
    "groupnorm_G3": Case(
        lambda x, g, b: groupnorm_forward(x, g, b, 3),
        groupnorm_backward, (3, 6, 2, 2), 6, lambda x, g, b: _groupnorm_loop(x, g, b, 3),
    ),
    "groupnorm_NC": Case(
        lambda x, g, b: groupnorm_forward(x, g, b, 2),
        groupnorm_backward, (3, 6), 6, lambda x, g, b: _groupnorm_loop(x, g, b, 2),
    ),
    "instancenorm": Case(
        instancenorm_forward, instancenorm_backward, (2, 3, 3, 2), 3, _instancenorm_loop
    ),
    "instancenorm_1d": Case(
        instancenorm_forward, instancenorm_backward, (2, 3, 5), 3, _instancenorm_loop
    ),
}


def _inputs(case, rng, dtype=np.float64, scale=1.0):
    x = (scale * rng.normal(loc=1.0, scale=2.0, size=case.x_shape)).astype(dtype)
    gamma = rng.uniform(0.5, 2.0, size=case.channels).astype(dtype)
    beta = rng.normal(size=case.channels).astype(dtype)
    return x, gamma, beta


# --------------------------------------------------------------------------
# shared checks over every layer
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("seed", [0, 1])
def test_forward_matches_loop(name, seed):
    case = CASES[name]
    x, gamma, beta = _inputs(case, np.random.default_rng(seed))
    out, _ = case.forward(x, gamma, beta)
    assert out.shape == x.shape
    assert_allclose(out, case.reference(x, gamma, beta), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", sorted(CASES))
def test_backward_numerical(name):
    case = CASES[name]
    rng = np.random.default_rng(123)
    x, gamma, beta = _inputs(case, rng)
    dout = rng.normal(size=x.shape)
    _, cache = case.forward(x, gamma, beta)
    dx, dgamma, dbeta = case.backward(dout, cache)
    assert dx.shape == x.shape and dgamma.shape == gamma.shape and dbeta.shape == beta.shape
    dx_num = numerical_gradient(lambda v: case.forward(v, gamma, beta)[0], x, dout)
    dgamma_num = numerical_gradient(lambda v: case.forward(x, v, beta)[0], gamma, dout)
    dbeta_num = numerical_gradient(lambda v: case.forward(x, gamma, v)[0], beta, dout)
    assert rel_error(dx, dx_num) < 1e-7
    assert rel_error(dgamma, dgamma_num) < 1e-7
    assert rel_error(dbeta, dbeta_num) < 1e-7


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_preserved(name, dtype):
    case = CASES[name]
    rng = np.random.default_rng(8)
    x, gamma, beta = _inputs(case, rng, dtype)
    dout = rng.normal(size=x.shape).astype(dtype)
    out, cache = case.forward(x, gamma, beta)
    grads = case.backward(dout, cache)
    for arr in (out, *grads):
        assert arr.dtype == dtype
    # float32 results agree with the float64 computation to float32 accuracy.
    x64, gamma64, beta64 = (a.astype(np.float64) for a in (x, gamma, beta))
    assert_allclose(out, case.reference(x64, gamma64, beta64), rtol=1e-4, atol=1e-4)
    out64, cache64 = case.forward(x64, gamma64, beta64)
    for grad, grad64 in zip(grads, case.backward(dout.astype(np.float64), cache64)):
        assert_allclose(grad, grad64, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("name", sorted(CASES))
def test_no_input_mutation(name):
    case = CASES[name]
    rng = np.random.default_rng(9)
    x, gamma, beta = _inputs(case, rng)
    dout = rng.normal(size=x.shape)
    arrays = (x, gamma, beta, dout, _EVAL_MEAN, _EVAL_VAR)
    copies = [a.copy() for a in arrays]
    _, cache = case.forward(x, gamma, beta)
    case.backward(dout, cache)
    for arr, copy in zip(arrays, copies):
        assert_allclose(arr, copy, rtol=0, atol=0)


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_stable_for_large_inputs(name, dtype):
    """|x| up to about 1e4, and a constant slice (variance 0): finite, no warnings."""
    case = CASES[name]
    rng = np.random.default_rng(10)
    x, gamma, beta = _inputs(case, rng, dtype, scale=3e3)
    for inp in (x, np.full_like(x, 1e4)):
        out, cache = case.forward(inp, gamma, beta)
        grads = case.backward(np.ones_like(inp), cache)
        for arr in (out, *grads):
            assert np.all(np.isfinite(arr))
    if not name.endswith(("eval", "eval_alt")):
        # A constant input normalises to 0, so the output is beta.
        out, _ = case.forward(np.full_like(x, 1e4), gamma, beta)
        if name.startswith("layernorm"):
            expected = np.broadcast_to(beta, x.shape)  # beta along the last axis
        else:
            expected = np.broadcast_to(beta.reshape((-1,) + (1,) * (x.ndim - 2)), x.shape)
        assert_allclose(out, expected, rtol=0, atol=1e-6)


# --------------------------------------------------------------------------
# batch norm: training statistics, running statistics, evaluation
# --------------------------------------------------------------------------


@pytest.mark.parametrize("N, D", [(2, 1), (4, 3), (16, 5)])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_batchnorm_backward_alt_agrees(N, D, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(3.0, 2.0, size=(N, D))
    gamma, beta = rng.normal(size=D), rng.normal(size=D)
    dout = rng.normal(size=(N, D))
    for training in (True, False):
        _, cache, _ = batchnorm_forward(x, gamma, beta, init_running_stats(D), training=training)
        full = batchnorm_backward(dout, cache)
        alt = batchnorm_backward_alt(dout, cache)
        for a, f in zip(alt, full):
            assert rel_error(a, f) < 1e-10


@pytest.mark.parametrize("momentum", [0.1, 0.3, 1.0])
def test_batchnorm_running_stats_recurrence(momentum):
    rng = np.random.default_rng(11)
    D = 3
    gamma, beta = np.ones(D), np.zeros(D)
    running = init_running_stats(D)
    assert_allclose(running.mean, np.zeros(D), rtol=0, atol=0)
    assert_allclose(running.var, np.ones(D), rtol=0, atol=0)
    mean_ref, var_ref = np.zeros(D), np.ones(D)  # PyTorch's initial values
    for step_i in range(5):
        x = rng.normal(loc=step_i, scale=1 + step_i, size=(4 + step_i, D))
        _, _, running = batchnorm_forward(x, gamma, beta, running, momentum=momentum)
        # PyTorch's recurrence; the running variance is the UNBIASED one.
        mean_ref = (1 - momentum) * mean_ref + momentum * x.mean(axis=0)
        var_ref = (1 - momentum) * var_ref + momentum * np.var(x, axis=0, ddof=1)
        assert isinstance(running, RunningStats)
        assert_allclose(running.mean, mean_ref, rtol=1e-12, atol=1e-14)
        assert_allclose(running.var, var_ref, rtol=1e-12, atol=1e-14)


def test_batchnorm_running_stats_hand_computed():
    # Two samples per feature: mean and unbiased variance by hand.
    x = np.array([[1.0, 10.0], [3.0, 14.0]])
    # feature 0: mean 2, unbiased var ((1-2)^2 + (3-2)^2) / 1 = 2
    # feature 1: mean 12, unbiased var (4 + 4) / 1 = 8
    _, _, running = batchnorm_forward(x, np.ones(2), np.zeros(2), init_running_stats(2))
    assert_allclose(running.mean, [0.9 * 0 + 0.1 * 2, 0.9 * 0 + 0.1 * 12], rtol=1e-15)
    assert_allclose(running.var, [0.9 * 1 + 0.1 * 2, 0.9 * 1 + 0.1 * 8], rtol=1e-15)
    # ... while the output is normalised with the BIASED variance (1 and 4).
    out, _, _ = batchnorm_forward(x, np.ones(2), np.zeros(2), init_running_stats(2))
    assert_allclose(out, [[-1 / np.sqrt(1 + EPS), -2 / np.sqrt(4 + EPS)],
                          [1 / np.sqrt(1 + EPS), 2 / np.sqrt(4 + EPS)]], rtol=1e-14)


def test_spatial_batchnorm_running_stats_recurrence():
    rng = np.random.default_rng(12)
    C = 3
    running = init_running_stats(C)
    mean_ref, var_ref = np.zeros(C), np.ones(C)
    for step_i in range(4):
        x = rng.normal(loc=-step_i, scale=2.0, size=(2, C, 3, 2))
        _, _, running = spatial_batchnorm_forward(x, np.ones(C), np.zeros(C), running)
        # statistics over (N, H, W): m = N*H*W values per channel
        mean_ref = 0.9 * mean_ref + 0.1 * x.mean(axis=(0, 2, 3))
        var_ref = 0.9 * var_ref + 0.1 * np.var(x, axis=(0, 2, 3), ddof=1)
        assert_allclose(running.mean, mean_ref, rtol=1e-12, atol=1e-14)
        assert_allclose(running.var, var_ref, rtol=1e-12, atol=1e-14)


def test_batchnorm_eval_uses_running_stats():
    rng = np.random.default_rng(13)
    D = 4
    gamma, beta = rng.normal(size=D), rng.normal(size=D)
    running = init_running_stats(D)
    for _ in range(3):
        _, _, running = batchnorm_forward(rng.normal(2.0, 3.0, size=(8, D)), gamma, beta, running)
    x = rng.normal(size=(5, D))
    out, _, returned = batchnorm_forward(x, gamma, beta, running, training=False)
    expected = gamma * (x - running.mean) / np.sqrt(running.var + EPS) + beta
    assert_allclose(out, expected, rtol=1e-12, atol=1e-12)
    # running statistics come back unchanged
    assert_allclose(returned.mean, running.mean, rtol=0, atol=0)
    assert_allclose(returned.var, running.var, rtol=0, atol=0)
    # each sample is processed on its own: a batch of one gives the same row
    out_one, _, _ = batchnorm_forward(x[2:3], gamma, beta, running, training=False)
    assert_allclose(out_one, out[2:3], rtol=1e-14, atol=1e-14)


def test_spatial_batchnorm_eval_uses_running_stats():
    rng = np.random.default_rng(14)
    C = 4
    gamma, beta = rng.normal(size=C), rng.normal(size=C)
    running = RunningStats(rng.normal(size=C), rng.uniform(0.5, 2.0, size=C))
    x = rng.normal(size=(2, C, 3, 3))
    out, _, returned = spatial_batchnorm_forward(x, gamma, beta, running, training=False)
    m, v = running.mean[:, None, None], running.var[:, None, None]
    expected = gamma[:, None, None] * (x - m) / np.sqrt(v + EPS) + beta[:, None, None]
    assert_allclose(out, expected, rtol=1e-12, atol=1e-12)
    assert_allclose(returned.mean, running.mean, rtol=0, atol=0)
    assert_allclose(returned.var, running.var, rtol=0, atol=0)


def test_batchnorm_train_output_standardised():
    rng = np.random.default_rng(15)
    D = 6
    x = rng.normal(loc=rng.normal(size=D) * 10, scale=rng.uniform(1, 20, size=D), size=(64, D))
    out, _, _ = batchnorm_forward(x, np.ones(D), np.zeros(D), init_running_stats(D))
    assert_allclose(out.mean(axis=0), np.zeros(D), rtol=0, atol=1e-12)
    assert_allclose(out.var(axis=0), np.ones(D), rtol=1e-5)
    out, _, _ = spatial_batchnorm_forward(
        x.reshape(4, 4, 6, 4).transpose(0, 3, 1, 2), np.ones(4), np.zeros(4), init_running_stats(4)
    )
    assert_allclose(out.mean(axis=(0, 2, 3)), np.zeros(4), rtol=0, atol=1e-12)
    assert_allclose(out.var(axis=(0, 2, 3)), np.ones(4), rtol=1e-5)


@pytest.mark.parametrize("x_dtype", [np.float32, np.float64])
@pytest.mark.parametrize("run_dtype", [np.float32, np.float64])
def test_batchnorm_running_stats_dtype(x_dtype, run_dtype):
    rng = np.random.default_rng(16)
    x = rng.normal(size=(5, 3)).astype(x_dtype)
    running = init_running_stats(3, dtype=run_dtype)
    out, _, new = batchnorm_forward(x, np.ones(3), np.zeros(3), running)
    assert out.dtype == x_dtype
    assert new.mean.dtype == run_dtype and new.var.dtype == run_dtype
    out_eval, _, _ = batchnorm_forward(x, np.ones(3), np.zeros(3), new, training=False)
    assert out_eval.dtype == x_dtype


def test_batchnorm_does_not_mutate_running_stats():
    rng = np.random.default_rng(17)
    running = RunningStats(rng.normal(size=3), rng.uniform(1, 2, size=3))
    copies = [running.mean.copy(), running.var.copy()]
    x = rng.normal(size=(6, 3))
    _, _, new = batchnorm_forward(x, np.ones(3), np.zeros(3), running)
    assert new.mean is not running.mean and new.var is not running.var
    assert_allclose(running.mean, copies[0], rtol=0, atol=0)
    assert_allclose(running.var, copies[1], rtol=0, atol=0)
    _, _, new = spatial_batchnorm_forward(
        rng.normal(size=(2, 3, 2, 2)), np.ones(3), np.zeros(3), running
    )
    assert_allclose(running.mean, copies[0], rtol=0, atol=0)
    assert_allclose(running.var, copies[1], rtol=0, atol=0)


def test_integer_input_promoted():
    x = np.array([[1, 2], [3, 5], [4, 4]])
    out, _, running = batchnorm_forward(x, np.ones(2), np.zeros(2), init_running_stats(2))
    assert out.dtype == np.float64
    assert_allclose(out, _batchnorm_loop(x.astype(float), np.ones(2), np.zeros(2)), rtol=1e-12)
    out, _ = layernorm_forward(x, np.ones(2), np.zeros(2))
    assert out.dtype == np.float64


def test_cache_types():
    x = np.random.default_rng(18).normal(size=(2, 4, 2, 2))
    ones, zeros = np.ones(4), np.zeros(4)
    assert isinstance(batchnorm_forward(x[:, :, 0, 0], ones, zeros, init_running_stats(4))[1],
                      BatchNormCache)
    assert isinstance(spatial_batchnorm_forward(x, ones, zeros, init_running_stats(4))[1],
                      SpatialBatchNormCache)
    assert isinstance(layernorm_forward(x, np.ones(2), np.zeros(2))[1], LayerNormCache)
    assert isinstance(groupnorm_forward(x, ones, zeros, 2)[1], GroupNormCache)
    assert isinstance(instancenorm_forward(x, ones, zeros)[1], InstanceNormCache)


# --------------------------------------------------------------------------
# per-sample normalizations
# --------------------------------------------------------------------------


def test_per_sample_outputs_standardised():
    rng = np.random.default_rng(19)
    x = rng.normal(loc=5.0, scale=10.0, size=(3, 6, 4, 5))
    out, _ = layernorm_forward(x.reshape(3, -1), np.ones(120), np.zeros(120))
    assert_allclose(out.mean(axis=1), np.zeros(3), rtol=0, atol=1e-12)
    assert_allclose(out.var(axis=1), np.ones(3), rtol=1e-5)
    out, _ = groupnorm_forward(x, np.ones(6), np.zeros(6), 3)
    grouped = out.reshape(3, 3, -1)
    assert_allclose(grouped.mean(axis=2), np.zeros((3, 3)), rtol=0, atol=1e-12)
    assert_allclose(grouped.var(axis=2), np.ones((3, 3)), rtol=1e-5)
    out, _ = instancenorm_forward(x, np.ones(6), np.zeros(6))
    assert_allclose(out.mean(axis=(2, 3)), np.zeros((3, 6)), rtol=0, atol=1e-12)
    assert_allclose(out.var(axis=(2, 3)), np.ones((3, 6)), rtol=1e-5)


def test_groupnorm_special_cases():
    """G = 1 is layer norm over (C, H, W); G = C is instance norm."""
    rng = np.random.default_rng(20)
    x = rng.normal(size=(2, 4, 3, 3))
    gamma, beta = rng.normal(size=4), rng.normal(size=4)
    out_g1, _ = groupnorm_forward(x, np.ones(4), np.zeros(4), 1)
    out_ln, _ = layernorm_forward(x.reshape(2, -1), np.ones(36), np.zeros(36))
    assert_allclose(out_g1, out_ln.reshape(x.shape), rtol=1e-12, atol=1e-12)
    out_gc, _ = groupnorm_forward(x, gamma, beta, 4)
    out_in, _ = instancenorm_forward(x, gamma, beta)
    assert_allclose(out_gc, out_in, rtol=1e-12, atol=1e-12)


def test_batch_independence_of_per_sample_norms():
    """Layer, group and instance norm treat every sample on its own."""
    rng = np.random.default_rng(21)
    x = rng.normal(size=(4, 4, 2, 3))
    gamma, beta = rng.normal(size=4), rng.normal(size=4)
    for forward in (
        lambda v: groupnorm_forward(v, gamma, beta, 2)[0],
        lambda v: instancenorm_forward(v, gamma, beta)[0],
        lambda v: layernorm_forward(v, np.ones(3), np.zeros(3))[0],
    ):
        assert_allclose(forward(x[1:2]), forward(x)[1:2], rtol=1e-14, atol=1e-14)


# --------------------------------------------------------------------------
# invalid input
# --------------------------------------------------------------------------

_R4 = init_running_stats(4)
INVALID = {
    "bn x 1-D": lambda: batchnorm_forward(np.ones(4), np.ones(4), np.zeros(4), _R4),
    "bn x 3-D": lambda: batchnorm_forward(np.ones((2, 4, 1)), np.ones(4), np.zeros(4), _R4),
    "bn gamma": lambda: batchnorm_forward(np.ones((3, 4)), np.ones(3), np.zeros(4), _R4),
    "bn beta": lambda: batchnorm_forward(np.ones((3, 4)), np.ones(4), np.zeros((1, 4)), _R4),
    "bn running": lambda: batchnorm_forward(
        np.ones((3, 4)), np.ones(4), np.zeros(4), init_running_stats(3)
    ),
    "bn N=1 train": lambda: batchnorm_forward(np.ones((1, 4)), np.ones(4), np.zeros(4), _R4),
    "bn dout": lambda: batchnorm_backward(
        np.ones((2, 4)), batchnorm_forward(np.eye(3, 4), np.ones(4), np.zeros(4), _R4)[1]
    ),
    "bn alt dout": lambda: batchnorm_backward_alt(
        np.ones((3, 3)), batchnorm_forward(np.eye(3, 4), np.ones(4), np.zeros(4), _R4)[1]
    ),
    "sbn x 2-D": lambda: spatial_batchnorm_forward(np.ones((3, 4)), np.ones(4), np.zeros(4), _R4),
    "sbn gamma": lambda: spatial_batchnorm_forward(
        np.ones((2, 4, 2, 2)), np.ones(2), np.zeros(2), _R4
    ),
    "sbn N*H*W=1": lambda: spatial_batchnorm_forward(
        np.ones((1, 4, 1, 1)), np.ones(4), np.zeros(4), _R4
    ),
    "ln gamma": lambda: layernorm_forward(np.ones((3, 4)), np.ones(3), np.zeros(3)),
    "ln scalar": lambda: layernorm_forward(np.float64(1.0), np.ones(1), np.zeros(1)),
    "gn C % G": lambda: groupnorm_forward(np.ones((2, 6, 2, 2)), np.ones(6), np.zeros(6), 4),
    "gn G=0": lambda: groupnorm_forward(np.ones((2, 6, 2, 2)), np.ones(6), np.zeros(6), 0),
    "gn G float": lambda: groupnorm_forward(np.ones((2, 6, 2, 2)), np.ones(6), np.zeros(6), 2.0),
    "gn gamma": lambda: groupnorm_forward(np.ones((2, 6, 2, 2)), np.ones(3), np.zeros(3), 3),
    "gn x 1-D": lambda: groupnorm_forward(np.ones(6), np.ones(6), np.zeros(6), 3),
    "in x 2-D": lambda: instancenorm_forward(np.ones((2, 3)), np.ones(3), np.zeros(3)),
    "in gamma": lambda: instancenorm_forward(np.ones((2, 3, 2, 2)), np.ones(2), np.zeros(2)),
    "in dout": lambda: instancenorm_backward(
        np.ones((2, 3, 2)), instancenorm_forward(np.ones((2, 3, 2, 2)), np.ones(3), np.zeros(3))[1]
    ),
}


@pytest.mark.parametrize("name", sorted(INVALID))
def test_invalid_input_raises(name):
    with pytest.raises(ValueError):
        INVALID[name]()


# --------------------------------------------------------------------------
# against PyTorch (skipped when torch is not installed)
# --------------------------------------------------------------------------


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def _grads_vs_torch(torch, forward, backward, torch_fn, x, gamma, beta, dout):
    """Compare out, dx, dgamma, dbeta of ours with torch's autograd."""
    xt, gt, bt = (
        torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (x, gamma, beta)
    )
    out_t = torch_fn(xt, gt, bt)
    out_t.backward(torch.tensor(dout, dtype=torch.float64))
    out, cache = forward(x, gamma, beta)
    dx, dgamma, dbeta = backward(dout, cache)
    assert_allclose(out, out_t.detach().numpy(), rtol=1e-10, atol=1e-12)
    assert_allclose(dx, xt.grad.numpy(), rtol=1e-9, atol=1e-12)
    assert_allclose(dgamma, gt.grad.numpy(), rtol=1e-9, atol=1e-12)
    assert_allclose(dbeta, bt.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("spatial", [False, True])
def test_batchnorm_matches_torch(torch, spatial):
    rng = np.random.default_rng(30)
    D, momentum, eps = 4, 0.2, 1e-3
    shape = (3, D, 2, 3) if spatial else (7, D)
    module = (torch.nn.BatchNorm2d if spatial else torch.nn.BatchNorm1d)(
        D, momentum=momentum, eps=eps, dtype=torch.float64
    )
    gamma, beta = rng.normal(size=D), rng.normal(size=D)
    with torch.no_grad():
        module.weight.copy_(torch.tensor(gamma))
        module.bias.copy_(torch.tensor(beta))
    forward = spatial_batchnorm_forward if spatial else batchnorm_forward
    backward = spatial_batchnorm_backward if spatial else batchnorm_backward
    running = init_running_stats(D)
    for _ in range(4):  # several training steps
        x = rng.normal(1.0, 2.0, size=shape)
        dout = rng.normal(size=shape)
        xt = torch.tensor(x, requires_grad=True)
        module.train()
        module.zero_grad()
        out_t = module(xt)
        out_t.backward(torch.tensor(dout))
        out, cache, running = forward(x, gamma, beta, running, momentum=momentum, eps=eps)
        dx, dgamma, dbeta = backward(dout, cache)
        assert_allclose(out, out_t.detach().numpy(), rtol=1e-10, atol=1e-12)
        assert_allclose(dx, xt.grad.numpy(), rtol=1e-9, atol=1e-12)
        assert_allclose(dgamma, module.weight.grad.numpy(), rtol=1e-9, atol=1e-12)
        assert_allclose(dbeta, module.bias.grad.numpy(), rtol=1e-9, atol=1e-12)
        assert_allclose(running.mean, module.running_mean.numpy(), rtol=1e-12, atol=1e-14)
        assert_allclose(running.var, module.running_var.numpy(), rtol=1e-12, atol=1e-14)
    module.eval()
    x = rng.normal(size=shape)
    out, _, _ = forward(x, gamma, beta, running, training=False, eps=eps)
    with torch.no_grad():
        assert_allclose(out, module(torch.tensor(x)).numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("shape", [(4, 6), (2, 3, 6)])
def test_layernorm_matches_torch(torch, shape):
    rng = np.random.default_rng(31)
    x, dout = rng.normal(size=shape), rng.normal(size=shape)
    gamma, beta = rng.normal(size=6), rng.normal(size=6)
    _grads_vs_torch(
        torch, layernorm_forward, layernorm_backward,
        lambda xt, gt, bt: torch.nn.functional.layer_norm(xt, (6,), gt, bt, EPS),
        x, gamma, beta, dout,
    )


@pytest.mark.parametrize("G", [1, 2, 3, 6])
@pytest.mark.parametrize("shape", [(3, 6, 4, 5), (3, 6)])
def test_groupnorm_matches_torch(torch, G, shape):
    rng = np.random.default_rng(32)
    x, dout = rng.normal(size=shape), rng.normal(size=shape)
    gamma, beta = rng.normal(size=6), rng.normal(size=6)
    _grads_vs_torch(
        torch, lambda *a: groupnorm_forward(*a, G), groupnorm_backward,
        lambda xt, gt, bt: torch.nn.functional.group_norm(xt, G, gt, bt, EPS),
        x, gamma, beta, dout,
    )


@pytest.mark.parametrize("shape", [(3, 4, 5, 2), (2, 4, 7)])
def test_instancenorm_matches_torch(torch, shape):
    rng = np.random.default_rng(33)
    x, dout = rng.normal(size=shape), rng.normal(size=shape)
    gamma, beta = rng.normal(size=4), rng.normal(size=4)
    _grads_vs_torch(
        torch, instancenorm_forward, instancenorm_backward,
        lambda xt, gt, bt: torch.nn.functional.instance_norm(
            xt, weight=gt, bias=bt, use_input_stats=True, eps=EPS
        ),
        x, gamma, beta, dout,
    )
    if len(shape) == 4:
        module = torch.nn.InstanceNorm2d(4, affine=True, track_running_stats=False,
                                         dtype=torch.float64)
        with torch.no_grad():
            module.weight.copy_(torch.tensor(gamma))
            module.bias.copy_(torch.tensor(beta))
            expected = module(torch.tensor(x)).numpy()
        assert_allclose(instancenorm_forward(x, gamma, beta)[0], expected, rtol=1e-10, atol=1e-12)
