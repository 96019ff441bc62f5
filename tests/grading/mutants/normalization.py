"""Wrong normalization layers: the mistakes of the normalization exercise."""
import numpy as np

from grading.mutants import computed_in_float32, float64_output
from solutions import normalization as ref
from solutions.normalization import BatchNormCache, GroupNormCache, LayerNormCache, RunningStats


# -- batch norm, forward -----------------------------------------------------------

def _bn_forward(x, gamma, beta, running, training, momentum, eps, *, normalise_ddof=0, running_ddof=1,
                swap_momentum=False, eval_uses_batch=False, in_place=False, eps_outside=False,
                running_as=None):
    x = np.asarray(x)
    if training or eval_uses_batch:
        mean = x.mean(axis=0)
        var = x.var(axis=0, ddof=normalise_ddof)
        batch_var = x.var(axis=0, ddof=running_ddof)
        m = 1 - momentum if swap_momentum else momentum
        new_mean = (1 - m) * running.mean + m * mean
        new_var = (1 - m) * running.var + m * batch_var
        if in_place:
            running.mean[...] = new_mean
            running.var[...] = new_var
            new_running = running
        else:
            new_running = RunningStats(new_mean.astype(running.mean.dtype), new_var.astype(running.var.dtype))
            if running_as == "plain tuple":
                new_running = tuple(new_running)
            elif running_as == "dtype of x":
                new_running = RunningStats(new_mean.astype(x.dtype), new_var.astype(x.dtype))
        if not training:
            new_running = running
    else:
        mean, var = running.mean.astype(x.dtype), running.var.astype(x.dtype)
        new_running = running
    std = np.sqrt(var) + eps if eps_outside else np.sqrt(var + eps)
    centred = x - mean
    xhat = centred / std
    cache = BatchNormCache(xhat, gamma, centred, var, std, 1 / std, bool(training))
    return gamma * xhat + beta, cache, new_running


def bn_running_var_biased(x, gamma, beta, running, training=True, momentum=0.1, eps=1e-5):
    """Running variance from the biased batch variance (PyTorch uses the unbiased one)."""
    return _bn_forward(x, gamma, beta, running, training, momentum, eps, running_ddof=0)


def bn_normalises_with_unbiased_var(x, gamma, beta, running, training=True, momentum=0.1, eps=1e-5):
    """Normalises with the unbiased variance (divides by N - 1) instead of the biased one."""
    return _bn_forward(x, gamma, beta, running, training, momentum, eps, normalise_ddof=1)


def bn_momentum_swapped(x, gamma, beta, running, training=True, momentum=0.1, eps=1e-5):
    """Keras's convention: ``momentum`` weighs the old running value instead of the batch."""
    return _bn_forward(x, gamma, beta, running, training, momentum, eps, swap_momentum=True)


def bn_eval_uses_batch_stats(x, gamma, beta, running, training=True, momentum=0.1, eps=1e-5):
    """Normalises with the batch statistics also in evaluation mode."""
    return _bn_forward(x, gamma, beta, running, training, momentum, eps, eval_uses_batch=True)


def bn_updates_running_in_place(x, gamma, beta, running, training=True, momentum=0.1, eps=1e-5):
    """Writes the new running statistics into the arrays passed in (CS231n's ``bn_param`` dict habit)."""
    return _bn_forward(x, gamma, beta, running, training, momentum, eps, in_place=True)


def bn_eps_outside_sqrt(x, gamma, beta, running, training=True, momentum=0.1, eps=1e-5):
    """``sqrt(var) + eps`` instead of ``sqrt(var + eps)``."""
    return _bn_forward(x, gamma, beta, running, training, momentum, eps, eps_outside=True)


def bn_running_as_plain_tuple(x, gamma, beta, running, training=True, momentum=0.1, eps=1e-5):
    """Returns the new running statistics as a plain ``(mean, var)`` tuple: ``new_running.mean`` then fails."""
    return _bn_forward(x, gamma, beta, running, training, momentum, eps, running_as="plain tuple")


def bn_running_in_dtype_of_x(x, gamma, beta, running, training=True, momentum=0.1, eps=1e-5):
    """Casts the new running statistics to the dtype of ``x``, not of ``running``."""
    return _bn_forward(x, gamma, beta, running, training, momentum, eps, running_as="dtype of x")


def bn_momentum_zero_means_default(x, gamma, beta, running, training=True, momentum=0.1, eps=1e-5):
    """``momentum = momentum or 0.1``: a momentum of 0 (keep the running statistics) silently becomes 0.1."""
    return _bn_forward(x, gamma, beta, running, training, momentum or 0.1, eps)


# -- batch norm, backward ----------------------------------------------------------

def bn_backward_stats_constant(dout, cache):
    """Treats the batch mean and variance as constants: ``dx = gamma * dout / std`` also in training."""
    return cache.gamma * cache.inv_std * dout, np.sum(dout * cache.xhat, axis=0), dout.sum(axis=0)


def bn_backward_scales_cache(dout, cache):
    """Multiplies the cached ``xhat`` by ``dout`` in place to get ``dgamma``: the cache belongs to the caller."""
    dx, _, dbeta = ref.batchnorm_backward_alt(dout, cache)
    xhat = cache.xhat
    xhat *= dout
    return dx, xhat.sum(axis=0), dbeta


def bn_backward_forgets_variance_path(dout, cache):
    """Keeps the path through the mean but forgets the one through the variance."""
    g = dout * cache.gamma
    dx = cache.inv_std * (g - g.mean(axis=0)) if cache.training else g * cache.inv_std
    return dx, np.sum(dout * cache.xhat, axis=0), dout.sum(axis=0)


def bn_backward_ignores_eval_mode(dout, cache):
    """Always back-propagates through the batch statistics, also for an evaluation-mode cache."""
    return ref.batchnorm_backward_alt(dout, cache._replace(training=True))


def bn_backward_variance_over_n_minus_1(dout, cache):
    """Differentiates the variance as if it divided by N - 1."""
    if not cache.training:
        return ref.batchnorm_backward(dout, cache)
    n = dout.shape[0]
    g = dout * cache.gamma
    dx = cache.inv_std / n * (n * g - g.sum(axis=0) - cache.xhat * (g * cache.xhat).sum(axis=0) * n / (n - 1))
    return dx, np.sum(dout * cache.xhat, axis=0), dout.sum(axis=0)


def bn_backward_dgamma_from_centred(dout, cache):
    """``dgamma = sum(dout * (x - mean))``: the centred input instead of the normalised one."""
    dx, _, dbeta = ref.batchnorm_backward(dout, cache)
    return dx, np.sum(dout * cache.centred, axis=0), dbeta


def bn_backward_forgets_gamma(dout, cache):
    """Back-propagates ``dout`` into ``xhat`` without multiplying by ``gamma``."""
    dx, dgamma, dbeta = ref.batchnorm_backward(dout, cache._replace(gamma=np.ones_like(cache.gamma)))
    return dx, np.sum(dout * cache.xhat, axis=0), dout.sum(axis=0)


def bn_backward_mean_sum_sign(dout, cache):
    """Closed form with the wrong sign on the ``sum(dout)`` term."""
    if not cache.training:
        return ref.batchnorm_backward_alt(dout, cache)
    n = dout.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = np.sum(dout * cache.xhat, axis=0)
    dx = cache.gamma * cache.inv_std / n * (n * dout + dbeta - cache.xhat * dgamma)
    return dx, dgamma, dbeta


# -- layer norm --------------------------------------------------------------------

def _ln_forward(x, gamma, beta, eps, *, axis=-1, ddof=0, keepdims=True):
    mean = x.mean(axis=axis, keepdims=True)
    var = x.var(axis=axis, keepdims=True, ddof=ddof)
    inv_std = 1 / np.sqrt(var + eps)
    xhat = (x - mean) * inv_std
    cached = inv_std if keepdims else np.squeeze(inv_std, axis=axis)
    return gamma * xhat + beta, LayerNormCache(xhat, cached, gamma)


def ln_over_batch_axis(x, gamma, beta, eps=1e-5):
    """Normalises each feature over the batch (axis 0): that is batch norm."""
    return _ln_forward(x, gamma, beta, eps, axis=0)


def ln_unbiased_variance(x, gamma, beta, eps=1e-5):
    """Divides the variance by D - 1."""
    return _ln_forward(x, gamma, beta, eps, ddof=1)


def ln_inv_std_without_keepdims(x, gamma, beta, eps=1e-5):
    """Caches ``inv_std`` with the feature axis dropped, not kept with size 1 as LayerNormCache says."""
    return _ln_forward(x, gamma, beta, eps, keepdims=False)


def ln_axis_one_hard_coded(x, gamma, beta, eps=1e-5):
    """Statistics over axis 1, right for (N, D) only, wrong for (batch, time, features)."""
    return _ln_forward(x, gamma, beta, eps, axis=1)


def ln_backward_batchnorm_axes(dout, cache):
    """Copies batch norm's closed form without swapping the axes: the mean terms run over the batch."""
    xhat, inv_std, gamma = cache
    n = dout.shape[0]
    g = dout * gamma
    dx = inv_std / n * (n * g - g.sum(axis=0) - xhat * (g * xhat).sum(axis=0))
    axes = tuple(range(dout.ndim - 1))
    return dx, np.sum(dout * xhat, axis=axes), dout.sum(axis=axes)


def ln_backward_params_summed_over_axis0(dout, cache):
    """``dgamma``, ``dbeta`` summed over axis 0 only: wrong shape for 3-D input."""
    dx, _, _ = ref.layernorm_backward(dout, cache)
    return dx, np.sum(dout * cache.xhat, axis=0), dout.sum(axis=0)


def ln_backward_forgets_gamma(dout, cache):
    """Back-propagates ``dout`` into ``xhat`` without multiplying by ``gamma``."""
    dx, _, _ = ref.layernorm_backward(dout, cache._replace(gamma=np.ones_like(cache.gamma)))
    _, dgamma, dbeta = ref.layernorm_backward(dout, cache)
    return dx, dgamma, dbeta


# -- group norm --------------------------------------------------------------------

def gn_interleaved_groups(x, gamma, beta, G, eps=1e-5):
    """Puts channel ``c`` in group ``c % G`` (interleaved) instead of consecutive blocks of C/G channels."""
    n, c = x.shape[:2]
    perm = np.argsort(np.arange(c) % G, kind="stable")  # channels of group 0 first, then group 1, ...
    inverse = np.argsort(perm)
    out, cache = ref.groupnorm_forward(x[:, perm], gamma[perm], beta[perm], G, eps)
    return out[:, inverse], cache._replace(xhat=cache.xhat[:, inverse], gamma=gamma)


def gn_unbiased_variance(x, gamma, beta, G, eps=1e-5):
    """Divides each group's variance by m - 1."""
    n, c = x.shape[:2]
    grouped = x.reshape((n, G, c // G) + x.shape[2:])
    axes = tuple(range(2, grouped.ndim))
    mean = grouped.mean(axis=axes, keepdims=True)
    inv_std = 1 / np.sqrt(grouped.var(axis=axes, keepdims=True, ddof=1) + eps)
    xhat = ((grouped - mean) * inv_std).reshape(x.shape)
    shape = (c,) + (1,) * (x.ndim - 2)
    return gamma.reshape(shape) * xhat + beta.reshape(shape), GroupNormCache(xhat, inv_std, gamma, G)


def gn_four_d_only(x, gamma, beta, G, eps=1e-5):
    """Reshapes to ``(N, G, C // G, H, W)``: right for 4-D input, fails for (N, C) or (N, C, L)."""
    n, c, h, w = x.shape
    grouped = x.reshape(n, G, c // G, h, w)
    mean = grouped.mean(axis=(2, 3, 4), keepdims=True)
    inv_std = 1 / np.sqrt(grouped.var(axis=(2, 3, 4), keepdims=True) + eps)
    xhat = ((grouped - mean) * inv_std).reshape(x.shape)
    return gamma.reshape(1, c, 1, 1) * xhat + beta.reshape(1, c, 1, 1), GroupNormCache(xhat, inv_std, gamma, G)


def gn_instance_norm(x, gamma, beta, G, eps=1e-5):
    """Normalises each channel on its own (instance norm), ignoring the groups."""
    out, cache = ref.groupnorm_forward(x, gamma, beta, x.shape[1], eps)
    n = x.shape[0]
    inv_std = cache.inv_std.reshape((n, G, -1) + cache.inv_std.shape[3:])[:, :, :1]
    return out, cache._replace(inv_std=inv_std, G=G)


def gn_backward_no_mean_terms(dout, cache):
    """``dx = gamma * dout * inv_std``: forgets that the group statistics depend on x."""
    xhat, inv_std, gamma, G = cache
    n, c = xhat.shape[:2]
    dxhat = dout * gamma.reshape((c,) + (1,) * (dout.ndim - 2))
    dx = (dxhat.reshape(inv_std.shape[:2] + (-1,)) * inv_std.reshape(n, G, 1)).reshape(xhat.shape)
    axes = (0,) + tuple(range(2, dout.ndim))
    return dx, np.sum(dout * xhat, axis=axes), dout.sum(axis=axes)


def gn_backward_params_not_summed_over_batch(dout, cache):
    """Sums ``dgamma``, ``dbeta`` over space only and returns the first sample's."""
    dx, _, _ = ref.groupnorm_backward(dout, cache)
    axes = tuple(range(2, dout.ndim))
    return dx, np.sum(dout * cache.xhat, axis=axes)[0], dout.sum(axis=axes)[0]


def gn_backward_mean_terms_over_whole_sample(dout, cache):
    """Right per-group ``inv_std``, but the mean terms taken over all channels of a sample, not per group."""
    xhat, inv_std, gamma, G = cache
    n, c = xhat.shape[:2]
    g = dout * gamma.reshape((c,) + (1,) * (dout.ndim - 2))
    sample_axes = tuple(range(1, dout.ndim))
    r = np.repeat(inv_std.reshape(n, G), c // G, axis=1).reshape((n, c) + (1,) * (dout.ndim - 2))
    dx = r * (g - g.mean(axis=sample_axes, keepdims=True)
              - xhat * (g * xhat).mean(axis=sample_axes, keepdims=True))
    axes = (0,) + tuple(range(2, dout.ndim))
    return dx, np.sum(dout * xhat, axis=axes), dout.sum(axis=axes)


MUTANTS = {
    "normalization.batchnorm_forward": [bn_running_var_biased, bn_normalises_with_unbiased_var, bn_momentum_swapped,
                                        bn_eval_uses_batch_stats, bn_updates_running_in_place, bn_eps_outside_sqrt,
                                        bn_running_as_plain_tuple, bn_running_in_dtype_of_x,
                                        bn_momentum_zero_means_default],
    "normalization.batchnorm_backward": [bn_backward_stats_constant, bn_backward_forgets_variance_path,
                                         bn_backward_ignores_eval_mode, bn_backward_variance_over_n_minus_1,
                                         bn_backward_dgamma_from_centred, bn_backward_scales_cache],
    "normalization.batchnorm_backward_alt": [bn_backward_stats_constant, bn_backward_forgets_gamma,
                                             bn_backward_ignores_eval_mode, bn_backward_mean_sum_sign],
    "normalization.layernorm_forward": [ln_over_batch_axis, ln_unbiased_variance, ln_inv_std_without_keepdims,
                                        ln_axis_one_hard_coded],
    "normalization.layernorm_backward": [ln_backward_batchnorm_axes, ln_backward_params_summed_over_axis0,
                                         ln_backward_forgets_gamma],
    "normalization.groupnorm_forward": [gn_interleaved_groups, gn_unbiased_variance, gn_instance_norm, gn_four_d_only],
    "normalization.groupnorm_backward": [gn_backward_no_mean_terms, gn_backward_params_not_summed_over_batch,
                                         gn_backward_mean_terms_over_whole_sample],
}

# The precision mistakes, for every function: float64 results with float32 rounding, float32 in and float64 out.
for _qualname in MUTANTS:
    MUTANTS[_qualname] += [computed_in_float32(_qualname, __name__), float64_output(_qualname, __name__)]
