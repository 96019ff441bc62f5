"""Known mistakes of the normalization exercise (see :mod:`autograder.judge.catalogue`)."""
import numpy as np

from autograder.judge.catalogue import computed_in_float32, float64_output, mistake
from solutions import normalization as ref
from solutions.normalization import BatchNormCache, GroupNormCache, LayerNormCache, RunningStats

#: The book section that teaches each graded function (an anchor of its chapter's page).
SECTIONS = {
    "batchnorm_forward": "the-idea",
    "batchnorm_backward": "the-backward-pass",
    "batchnorm_backward_alt": "the-simplified-closed-form",
    "layernorm_forward": "other-axes-layer-instance-and-group-normalization",
    "layernorm_backward": "other-axes-layer-instance-and-group-normalization",
    "groupnorm_forward": "other-axes-layer-instance-and-group-normalization",
    "groupnorm_backward": "other-axes-layer-instance-and-group-normalization",
}

#: Entries that give the same outcomes on every hidden case (``<function>/<key>``): the grader names them
#: together, and the mutant suite expects that.
ALIKE = []


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


@mistake("normalization.batchnorm_forward", "running-var-biased",
         name="the biased batch variance in the running average",
         explain="The batch is normalized with the biased variance (divided by N), but the running average collects "
                 "the unbiased one, N/(N − 1) times larger, because it estimates the variance of the whole "
                 "distribution from a sample.",
         see="sec-bn-running-variance")
def bn_running_var_biased(x, gamma, beta, running, training=True, momentum=0.1, eps=1e-5):
    """Running variance from the biased batch variance (PyTorch uses the unbiased one)."""
    return _bn_forward(x, gamma, beta, running, training, momentum, eps, running_ddof=0)


@mistake("normalization.batchnorm_forward", "normalises-with-unbiased-var",
         name="the batch normalized with the unbiased variance",
         explain="You normalize the batch with the variance divided by N − 1. The batch is normalized with its own, "
                 "biased variance (divided by N), so that its normalized values have variance exactly 1; only the "
                 "running average uses the unbiased one.",
         see="sec-bn-running-variance")
def bn_normalises_with_unbiased_var(x, gamma, beta, running, training=True, momentum=0.1, eps=1e-5):
    """Normalises with the unbiased variance (divides by N - 1) instead of the biased one."""
    return _bn_forward(x, gamma, beta, running, training, momentum, eps, normalise_ddof=1)


@mistake("normalization.batchnorm_forward", "momentum-swapped",
         name="momentum as the weight of the old value",
         explain="You give momentum to the old running value, as Keras does. With the course's (and PyTorch's) "
                 "convention momentum is the weight of the new batch: the new average is (1 − momentum) times the "
                 "old one plus momentum times the batch's statistic.",
         see="training-mode-and-test-mode")
def bn_momentum_swapped(x, gamma, beta, running, training=True, momentum=0.1, eps=1e-5):
    """Keras's convention: ``momentum`` weighs the old running value instead of the batch."""
    return _bn_forward(x, gamma, beta, running, training, momentum, eps, swap_momentum=True)


@mistake("normalization.batchnorm_forward", "eval-uses-batch",
         name="batch statistics in evaluation mode",
         explain="In evaluation mode you still normalize with the batch's own statistics. At test time the layer "
                 "must use the running averages, so that a prediction does not depend on the other examples of the "
                 "batch.",
         see="training-mode-and-test-mode")
def bn_eval_uses_batch_stats(x, gamma, beta, running, training=True, momentum=0.1, eps=1e-5):
    """Normalises with the batch statistics also in evaluation mode."""
    return _bn_forward(x, gamma, beta, running, training, momentum, eps, eval_uses_batch=True)


@mistake("normalization.batchnorm_forward", "running-in-place",
         name="the running statistics updated in place",
         explain="You write the new running statistics into the arrays you were given. They belong to the caller "
                 "(and are read-only during grading): return new ones, as the third result.",
         see="how-to-use#rules")
def bn_updates_running_in_place(x, gamma, beta, running, training=True, momentum=0.1, eps=1e-5):
    """Writes the new running statistics into the arrays passed in (CS231n's ``bn_param`` dict habit)."""
    return _bn_forward(x, gamma, beta, running, training, momentum, eps, in_place=True)


@mistake("normalization.batchnorm_forward", "eps-outside-sqrt",
         name="ε added after the square root",
         explain="You divide by the square root of the variance plus ε. Batch norm divides by the square root of "
                 "(variance + ε).")
def bn_eps_outside_sqrt(x, gamma, beta, running, training=True, momentum=0.1, eps=1e-5):
    """``sqrt(var) + eps`` instead of ``sqrt(var + eps)``."""
    return _bn_forward(x, gamma, beta, running, training, momentum, eps, eps_outside=True)


@mistake("normalization.batchnorm_forward", "running-as-tuple",
         name="the running statistics as a plain tuple",
         explain="You return the new running statistics as a plain pair. They must come back as the given "
                 "RunningStats named tuple, so that the next step can read their mean and var by name.")
def bn_running_as_plain_tuple(x, gamma, beta, running, training=True, momentum=0.1, eps=1e-5):
    """Returns the new running statistics as a plain ``(mean, var)`` tuple: ``new_running.mean`` then fails."""
    return _bn_forward(x, gamma, beta, running, training, momentum, eps, running_as="plain tuple")


@mistake("normalization.batchnorm_forward", "running-in-dtype-of-x",
         name="running statistics converted to the dtype of x",
         explain="You convert the new running statistics to the dtype of the input. They keep the dtype of the "
                 "running statistics you were given (float64 running statistics stay float64 for float32 input).",
         see="how-to-use#rules")
def bn_running_in_dtype_of_x(x, gamma, beta, running, training=True, momentum=0.1, eps=1e-5):
    """Casts the new running statistics to the dtype of ``x``, not of ``running``."""
    return _bn_forward(x, gamma, beta, running, training, momentum, eps, running_as="dtype of x")


@mistake("normalization.batchnorm_forward", "zero-momentum-as-default",
         name="momentum 0 replaced by the default",
         explain="You replace momentum 0 by the default 0.1, as happens when 0 is treated like a missing value. "
                 "Momentum 0 is legal: the running statistics then stay as they are.",
         see="training-mode-and-test-mode")
def bn_momentum_zero_means_default(x, gamma, beta, running, training=True, momentum=0.1, eps=1e-5):
    """``momentum = momentum or 0.1``: a momentum of 0 (keep the running statistics) silently becomes 0.1."""
    return _bn_forward(x, gamma, beta, running, training, momentum or 0.1, eps)


# -- batch norm, backward ----------------------------------------------------------

@mistake(("normalization.batchnorm_backward", "normalization.batchnorm_backward_alt"), "stats-constant",
         name="the batch statistics treated as constants",
         explain="Your gradient treats the batch mean and variance as constants. In training mode they are computed "
                 "from the same inputs, so the gradient has two more terms, through the mean and through the "
                 "variance.",
         see="the-backward-pass")
def bn_backward_stats_constant(dout, cache):
    """Treats the batch mean and variance as constants: ``dx = gamma * dout / std`` also in training."""
    return cache.gamma * cache.inv_std * dout, np.sum(dout * cache.xhat, axis=0), dout.sum(axis=0)


@mistake("normalization.batchnorm_backward", "in-place-cache",
         name="the cache overwritten",
         explain="You multiply into the cached normalized input in place. The cache belongs to the caller: compute "
                 "the products in a new array.",
         see="how-to-use#rules")
def bn_backward_scales_cache(dout, cache):
    """Multiplies the cached ``xhat`` by ``dout`` in place to get ``dgamma``: the cache belongs to the caller."""
    dx, _, dbeta = ref.batchnorm_backward_alt(dout, cache)
    xhat = cache.xhat
    xhat *= dout
    return dx, xhat.sum(axis=0), dbeta


@mistake("normalization.batchnorm_backward", "no-variance-path",
         name="the path through the variance forgotten",
         explain="Your gradient goes through the mean but not through the variance. The variance also depends on "
                 "every input, which adds a term proportional to the normalized input.",
         see="step-by-step-through-the-graph")
def bn_backward_forgets_variance_path(dout, cache):
    """Keeps the path through the mean but forgets the one through the variance."""
    g = dout * cache.gamma
    dx = cache.inv_std * (g - g.mean(axis=0)) if cache.training else g * cache.inv_std
    return dx, np.sum(dout * cache.xhat, axis=0), dout.sum(axis=0)


@mistake(("normalization.batchnorm_backward", "normalization.batchnorm_backward_alt"), "ignores-eval-mode",
         name="training-mode gradient for an evaluation cache",
         explain="You always back-propagate through the batch statistics. In evaluation mode the layer used fixed "
                 "running averages, so it is an affine map and its gradient is γ times dout divided by the standard "
                 "deviation.",
         see="training-mode-and-test-mode")
def bn_backward_ignores_eval_mode(dout, cache):
    """Always back-propagates through the batch statistics, also for an evaluation-mode cache."""
    return ref.batchnorm_backward_alt(dout, cache._replace(training=True))


@mistake("normalization.batchnorm_backward", "variance-over-n-minus-1",
         name="the variance differentiated with N − 1",
         explain="You differentiate the variance as if it divided by N − 1. The batch is normalized with the biased "
                 "variance, which divides by N.",
         see="step-by-step-through-the-graph")
def bn_backward_variance_over_n_minus_1(dout, cache):
    """Differentiates the variance as if it divided by N - 1."""
    if not cache.training:
        return ref.batchnorm_backward(dout, cache)
    n = dout.shape[0]
    g = dout * cache.gamma
    dx = cache.inv_std / n * (n * g - g.sum(axis=0) - cache.xhat * (g * cache.xhat).sum(axis=0) * n / (n - 1))
    return dx, np.sum(dout * cache.xhat, axis=0), dout.sum(axis=0)


@mistake("normalization.batchnorm_backward", "dgamma-from-centred",
         name="dγ from the centred input",
         explain="γ multiplies the normalized input, so dγ is the sum of dout times the normalized input, not times "
                 "the merely centred one.")
def bn_backward_dgamma_from_centred(dout, cache):
    """``dgamma = sum(dout * (x - mean))``: the centred input instead of the normalised one."""
    dx, _, dbeta = ref.batchnorm_backward(dout, cache)
    return dx, np.sum(dout * cache.centred, axis=0), dbeta


@mistake("normalization.batchnorm_backward_alt", "forgets-gamma",
         name="γ left out of dx",
         explain="The gradient reaching the normalized input is dout times γ: you left γ out of dx.")
def bn_backward_forgets_gamma(dout, cache):
    """Back-propagates ``dout`` into ``xhat`` without multiplying by ``gamma``."""
    dx, dgamma, dbeta = ref.batchnorm_backward(dout, cache._replace(gamma=np.ones_like(cache.gamma)))
    return dx, np.sum(dout * cache.xhat, axis=0), dout.sum(axis=0)


@mistake("normalization.batchnorm_backward_alt", "sum-term-sign",
         name="the sign of the sum term of the closed form",
         explain="In the closed form the sum of dout over the batch is subtracted; you add it.",
         see="the-simplified-closed-form")
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


@mistake("normalization.layernorm_forward", "over-batch-axis",
         name="statistics over the batch: batch norm",
         explain="You normalize each feature over the batch, which is batch norm. Layer norm normalizes each example "
                 "over its own features (the last axis).")
def ln_over_batch_axis(x, gamma, beta, eps=1e-5):
    """Normalises each feature over the batch (axis 0): that is batch norm."""
    return _ln_forward(x, gamma, beta, eps, axis=0)


@mistake("normalization.layernorm_forward", "unbiased-variance",
         name="the variance divided by D − 1",
         explain="Layer norm normalizes with the biased variance over the features, divided by D.")
def ln_unbiased_variance(x, gamma, beta, eps=1e-5):
    """Divides the variance by D - 1."""
    return _ln_forward(x, gamma, beta, eps, ddof=1)


@mistake("normalization.layernorm_forward", "cache-without-keepdims",
         name="the cached 1/σ without its size-1 axis",
         explain="The given LayerNormCache keeps 1/σ with the feature axis kept at size 1, so that it broadcasts "
                 "against the input. Yours drops that axis.")
def ln_inv_std_without_keepdims(x, gamma, beta, eps=1e-5):
    """Caches ``inv_std`` with the feature axis dropped, not kept with size 1 as LayerNormCache says."""
    return _ln_forward(x, gamma, beta, eps, keepdims=False)


@mistake("normalization.layernorm_forward", "axis-one",
         name="statistics over axis 1",
         explain="You normalize over axis 1, which is the feature axis only for 2-D input. For (batch, time, "
                 "features) input the features are the last axis.")
def ln_axis_one_hard_coded(x, gamma, beta, eps=1e-5):
    """Statistics over axis 1, right for (N, D) only, wrong for (batch, time, features)."""
    return _ln_forward(x, gamma, beta, eps, axis=1)


@mistake("normalization.layernorm_backward", "batchnorm-axes",
         name="batch norm's formula with batch norm's axes",
         explain="You copied batch norm's closed form without changing its axes: its sums run over the batch. Layer "
                 "norm's statistics are per example, so dx's sums run over the features of each example.")
def ln_backward_batchnorm_axes(dout, cache):
    """Copies batch norm's closed form without swapping the axes: the mean terms run over the batch."""
    xhat, inv_std, gamma = cache
    n = dout.shape[0]
    g = dout * gamma
    dx = inv_std / n * (n * g - g.sum(axis=0) - xhat * (g * xhat).sum(axis=0))
    axes = tuple(range(dout.ndim - 1))
    return dx, np.sum(dout * xhat, axis=axes), dout.sum(axis=axes)


@mistake("normalization.layernorm_backward", "params-summed-over-axis-0",
         name="dγ and dβ summed over the first axis only",
         explain="γ and β are shared by every position of every example, so their gradients sum over all axes but "
                 "the features. For 3-D input summing over the first axis alone leaves the wrong shape.")
def ln_backward_params_summed_over_axis0(dout, cache):
    """``dgamma``, ``dbeta`` summed over axis 0 only: wrong shape for 3-D input."""
    dx, _, _ = ref.layernorm_backward(dout, cache)
    return dx, np.sum(dout * cache.xhat, axis=0), dout.sum(axis=0)


@mistake("normalization.layernorm_backward", "forgets-gamma",
         name="γ left out of dx",
         explain="The gradient reaching the normalized input is dout times γ: you left γ out of dx.")
def ln_backward_forgets_gamma(dout, cache):
    """Back-propagates ``dout`` into ``xhat`` without multiplying by ``gamma``."""
    dx, _, _ = ref.layernorm_backward(dout, cache._replace(gamma=np.ones_like(cache.gamma)))
    _, dgamma, dbeta = ref.layernorm_backward(dout, cache)
    return dx, dgamma, dbeta


# -- group norm --------------------------------------------------------------------

@mistake("normalization.groupnorm_forward", "interleaved-groups",
         name="groups of interleaved channels",
         explain="You put channel c in group c mod G. Groups are consecutive blocks of C/G channels: the first C/G "
                 "channels form group 0, and so on.")
def gn_interleaved_groups(x, gamma, beta, G, eps=1e-5):
    """Puts channel ``c`` in group ``c % G`` (interleaved) instead of consecutive blocks of C/G channels."""
    n, c = x.shape[:2]
    perm = np.argsort(np.arange(c) % G, kind="stable")  # channels of group 0 first, then group 1, ...
    inverse = np.argsort(perm)
    out, cache = ref.groupnorm_forward(x[:, perm], gamma[perm], beta[perm], G, eps)
    return out[:, inverse], cache._replace(xhat=cache.xhat[:, inverse], gamma=gamma)


@mistake("normalization.groupnorm_forward", "unbiased-variance",
         name="the group variance divided by m − 1",
         explain="Group norm normalizes with the biased variance of each group, divided by the number of values in "
                 "the group.")
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


@mistake("normalization.groupnorm_forward", "four-d-only",
         name="4-D input only",
         explain="Your reshape assumes (N, C, H, W) input. Group norm must also work on (N, C) and (N, C, L) input: "
                 "group the channels and take the statistics over everything after them.")
def gn_four_d_only(x, gamma, beta, G, eps=1e-5):
    """Reshapes to ``(N, G, C // G, H, W)``: right for 4-D input, fails for (N, C) or (N, C, L)."""
    n, c, h, w = x.shape
    grouped = x.reshape(n, G, c // G, h, w)
    mean = grouped.mean(axis=(2, 3, 4), keepdims=True)
    inv_std = 1 / np.sqrt(grouped.var(axis=(2, 3, 4), keepdims=True) + eps)
    xhat = ((grouped - mean) * inv_std).reshape(x.shape)
    return gamma.reshape(1, c, 1, 1) * xhat + beta.reshape(1, c, 1, 1), GroupNormCache(xhat, inv_std, gamma, G)


@mistake("normalization.groupnorm_forward", "instance-norm",
         name="every channel on its own (instance norm)",
         explain="You normalize each channel on its own, which is instance norm (G = C). The statistics are taken "
                 "over a whole group of C/G channels.")
def gn_instance_norm(x, gamma, beta, G, eps=1e-5):
    """Normalises each channel on its own (instance norm), ignoring the groups."""
    out, cache = ref.groupnorm_forward(x, gamma, beta, x.shape[1], eps)
    n = x.shape[0]
    inv_std = cache.inv_std.reshape((n, G, -1) + cache.inv_std.shape[3:])[:, :, :1]
    return out, cache._replace(inv_std=inv_std, G=G)


@mistake("normalization.groupnorm_backward", "stats-constant",
         name="the group statistics treated as constants",
         explain="Your dx is γ times dout divided by σ, as if each group's mean and variance did not depend on the "
                 "input. They do, which adds the two terms of batch norm's formula, taken over each group.")
def gn_backward_no_mean_terms(dout, cache):
    """``dx = gamma * dout * inv_std``: forgets that the group statistics depend on x."""
    xhat, inv_std, gamma, G = cache
    n, c = xhat.shape[:2]
    dxhat = dout * gamma.reshape((c,) + (1,) * (dout.ndim - 2))
    dx = (dxhat.reshape(inv_std.shape[:2] + (-1,)) * inv_std.reshape(n, G, 1)).reshape(xhat.shape)
    axes = (0,) + tuple(range(2, dout.ndim))
    return dx, np.sum(dout * xhat, axis=axes), dout.sum(axis=axes)


@mistake("normalization.groupnorm_backward", "params-not-summed-over-batch",
         name="dγ and dβ not summed over the batch",
         explain="γ and β are shared by all examples, so their gradients sum over the batch as well as over the "
                 "spatial positions.")
def gn_backward_params_not_summed_over_batch(dout, cache):
    """Sums ``dgamma``, ``dbeta`` over space only and returns the first sample's."""
    dx, _, _ = ref.groupnorm_backward(dout, cache)
    axes = tuple(range(2, dout.ndim))
    return dx, np.sum(dout * cache.xhat, axis=axes)[0], dout.sum(axis=axes)[0]


@mistake("normalization.groupnorm_backward", "mean-terms-per-example",
         name="the mean terms over the whole example",
         explain="Your mean terms run over all channels of an example. Each group has its own statistics, so the "
                 "terms are taken over each group's channels and positions.")
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


# The precision mistakes, for every function: float64 results with float32 rounding, float32 in and float64 out.
for _qualname in SECTIONS:
    computed_in_float32(f"normalization.{_qualname}", __name__)
    float64_output(f"normalization.{_qualname}", __name__)
