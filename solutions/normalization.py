r"""Normalization layers: batch norm (train/eval), spatial batch norm, layer, group, instance norm.

Every layer is a pair ``op_forward(...) -> (out, cache)`` and
``op_backward(dout, cache) -> (dx, dgamma, dbeta)``.

.. important::

   **The one exception to the** ``(out, cache)`` **rule.** Batch norm keeps
   running statistics for evaluation. Rather than silently writing them into
   an object passed in, :func:`batchnorm_forward` and
   :func:`spatial_batchnorm_forward` take the current statistics as an argument
   and return the updated ones as a **third** value::

       running = init_running_stats(D)
       out, cache, running = batchnorm_forward(x, gamma, beta, running)

   Nothing passed in is ever mutated; forgetting to keep the returned
   ``running`` simply means the statistics are not updated.

The running statistics follow PyTorch's ``BatchNorm1d``/``BatchNorm2d``
exactly (``momentum=0.1``, ``eps=1e-5``, running variance from the *unbiased*
batch variance, normalisation with the *biased* one).

Layer, group and instance norm compute their statistics per sample, so they
behave the same in training and evaluation and keep no state. They share one
private helper that normalises over the trailing axes; batch norm's full
backward pass is written out step by step because it is taught that way.
"""
import math
from typing import NamedTuple

import numpy as np

__all__ = [
    "RunningStats",
    "init_running_stats",
    "BatchNormCache",
    "batchnorm_forward",
    "batchnorm_backward",
    "batchnorm_backward_alt",
    "SpatialBatchNormCache",
    "spatial_batchnorm_forward",
    "spatial_batchnorm_backward",
    "LayerNormCache",
    "layernorm_forward",
    "layernorm_backward",
    "GroupNormCache",
    "groupnorm_forward",
    "groupnorm_backward",
    "InstanceNormCache",
    "instancenorm_forward",
    "instancenorm_backward",
]


# --------------------------------------------------------------------------
# small private helpers
# --------------------------------------------------------------------------


def _as_float(x):
    """``x`` as an array of its own floating dtype; integers become float64."""
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    return x


def _per_channel(gamma, beta, n, dtype, what="D"):
    """Check that ``gamma`` and ``beta`` have shape (n,) and cast them to ``dtype``."""
    gamma = np.asarray(gamma)
    beta = np.asarray(beta)
    if gamma.shape != (n,) or beta.shape != (n,):
        raise ValueError(
            f"gamma and beta must have shape ({what},) = ({n},); "
            f"got {gamma.shape} and {beta.shape}"
        )
    return gamma.astype(dtype, copy=False), beta.astype(dtype, copy=False)


# --------------------------------------------------------------------------
# batch normalization
# --------------------------------------------------------------------------


class RunningStats(NamedTuple):
    """Running (exponential moving average) statistics of batch norm, per feature."""

    mean: np.ndarray
    """Running mean, shape (D,)."""
    var: np.ndarray
    """Running (unbiased) variance, shape (D,)."""


def init_running_stats(D, dtype=np.float64):
    """Initial running statistics: mean 0 and variance 1, as in PyTorch.

    Parameters
    ----------
    D : int
        Number of features (channels for spatial batch norm).
    dtype : dtype, optional
        Dtype of the statistics (default float64).

    Returns
    -------
    RunningStats
        `mean` = zeros, shape (D,); `var` = ones, shape (D,).
    """
    return RunningStats(mean=np.zeros(D, dtype=dtype), var=np.ones(D, dtype=dtype))


class BatchNormCache(NamedTuple):
    """What the batch-norm backward passes need from the forward pass.

    In training, `var` is the biased batch variance; in evaluation, `var`
    is the running variance and the statistics are constants.
    """

    xhat: np.ndarray
    """Normalised input, shape (N, D)."""
    gamma: np.ndarray
    """Scale, shape (D,)."""
    centred: np.ndarray
    """`x - mean`, shape (N, D)."""
    var: np.ndarray
    """Variance used for normalising, shape (D,)."""
    std: np.ndarray
    """`sqrt(var + eps)`, shape (D,)."""
    inv_std: np.ndarray
    """`1 / std`, shape (D,)."""
    training: bool
    """Whether batch statistics (True) or running statistics (False) were used."""


def batchnorm_forward(x, gamma, beta, running, training=True, momentum=0.1, eps=1e-5):
    r"""Batch normalization: normalise each feature over the batch, then scale and shift.

    Returns **three** values, `(out, cache, new_running)`: the running
    statistics are state, returned as a new `RunningStats`, never written
    into the arrays of `running`.

    Parameters
    ----------
    x : ndarray, shape (N, D)
        Minibatch (in training, N >= 2).
    gamma, beta : ndarray, shape (D,)
        Scale and shift.
    running : RunningStats
        Current running statistics `(mean, var)`, each of shape (D,). Not modified.
    training : bool, optional
        True (default): normalise with the batch statistics and update the
        running ones. False: normalise with `running` and return it unchanged.
    momentum : float, optional
        Weight of the current batch in the running average (default 0.1).
    eps : float, optional
        Added to the variance inside the square root (default 1e-5).

    Returns
    -------
    out : ndarray, shape (N, D), floating dtype of `x`
    cache : BatchNormCache
    new_running : RunningStats, in the dtype of `running`

    Notes
    -----
    Training, with the batch mean $\mu$ and the *biased* batch variance
    $\sigma^2$ of each feature:

    $$
    \hat x = \frac{x - \mu}{\sqrt{\sigma^2 + \epsilon}}, \qquad
    \text{out} = \gamma \hat x + \beta ,
    $$

    $$
    m \leftarrow (1 - \text{momentum})\, m + \text{momentum}\, \mu, \qquad
    v \leftarrow (1 - \text{momentum})\, v + \text{momentum}\, \tfrac{N}{N - 1}\, \sigma^2 .
    $$

    Evaluation: the same $\hat x$ and out with $m$ and $v$ in place of
    $\mu$ and $\sigma^2$. (Ioffe and Szegedy, ICML 2015; PyTorch's rules.)
    """
    x = _as_float(x)
    if x.ndim != 2:
        raise ValueError(f"x must have shape (N, D); got {x.shape}")
    N, D = x.shape
    dtype = x.dtype
    gamma, beta = _per_channel(gamma, beta, D, dtype)
    run_mean, run_var = (np.asarray(a) for a in running)
    if run_mean.shape != (D,) or run_var.shape != (D,):
        raise ValueError(
            f"running mean and var must have shape ({D},); got {run_mean.shape} and {run_var.shape}"
        )

    if training:
        if N < 2:
            raise ValueError(f"batch norm in training needs N >= 2 samples; got N = {N}")
        mean = x.mean(axis=0)
        centred = x - mean
        # Two-pass variance (centre first, then square): no catastrophic
        # cancellation as in E[x^2] - E[x]^2 when |x| is large. einsum sums
        # the squares without storing them in an (N, D) temporary.
        var = np.einsum("nd,nd->d", centred, centred) / N  # biased: divides by N
        # The running average uses the unbiased variance, like PyTorch.
        unbiased_var = var * (N / (N - 1))
        run_dtype = _as_float(run_mean).dtype
        new_running = RunningStats(
            mean=((1 - momentum) * run_mean + momentum * mean).astype(run_dtype, copy=False),
            var=((1 - momentum) * run_var + momentum * unbiased_var).astype(run_dtype, copy=False),
        )
    else:
        mean = run_mean.astype(dtype, copy=False)
        var = run_var.astype(dtype, copy=False)
        centred = x - mean
        new_running = running

    # eps inside the square root keeps a constant feature (var = 0) finite.
    std = np.sqrt(var + eps)
    inv_std = 1 / std
    xhat = centred * inv_std
    out = xhat * gamma
    out += beta  # in place: out = gamma * xhat + beta with one (N, D) array fewer
    cache = BatchNormCache(
        xhat=xhat, gamma=gamma, centred=centred, var=var, std=std, inv_std=inv_std,
        training=bool(training),
    )
    return out, cache, new_running


def batchnorm_backward(dout, cache):
    r"""Backward pass of batch norm, step by step through the computational graph.

    Parameters
    ----------
    dout : ndarray, shape (N, D)
        Upstream gradient dL/d(out).
    cache : BatchNormCache
        From `batchnorm_forward`.

    Returns
    -------
    dx : ndarray, shape (N, D)
    dgamma, dbeta : ndarray, shape (D,)

    Notes
    -----
    Walk the graph of the training forward pass (per feature)
    $x \to \mu \to c = x - \mu \to \sigma^2 \to s = \sqrt{\sigma^2 + \epsilon}
    \to r = 1/s \to \hat x = c\,r \to \text{out}$ backwards, one local
    derivative per step; where a value feeds two nodes (`c` and `x`) add the
    gradients of both paths. In evaluation (`cache.training` False) the
    statistics are constants.
    """
    xhat, gamma, centred, var, std, inv_std, training = cache
    dout = np.asarray(dout)
    if dout.shape != xhat.shape:
        raise ValueError(f"dout has shape {dout.shape}, expected {xhat.shape}")
    dout = dout.astype(xhat.dtype, copy=False)
    N = dout.shape[0]

    # out = gamma * xhat + beta
    dbeta = dout.sum(axis=0)
    dgamma = np.sum(dout * xhat, axis=0)
    dxhat = dout * gamma

    if not training:
        # Running statistics are constants: xhat = (x - mean) * inv_std.
        return dxhat * inv_std, dgamma, dbeta

    # xhat = centred * inv_std  (two inputs; inv_std is shared by the batch)
    dinv_std = np.sum(dxhat * centred, axis=0)
    dcentred = dxhat * inv_std  # first path into centred
    # inv_std = 1 / std
    dstd = -dinv_std / std**2
    # std = sqrt(var + eps)
    dvar = dstd / (2 * std)
    # var = mean(centred**2): d var / d centred[n] = 2 centred[n] / N
    dcentred = dcentred + (2 / N) * centred * dvar  # second path into centred
    # centred = x - mean: x directly, and through mean (with a minus sign)
    dmean = -np.sum(dcentred, axis=0)
    # mean = sum(x) / N: every x[n] gets dmean / N
    dx = dcentred + dmean / N
    return dx, dgamma, dbeta


def batchnorm_backward_alt(dout, cache):
    r"""Backward pass of batch norm in simplified closed form (the chapter derives it).

    Same result as `batchnorm_backward`, with `dx` in one vectorised expression.

    Parameters
    ----------
    dout : ndarray, shape (N, D)
        Upstream gradient dL/d(out).
    cache : BatchNormCache
        From `batchnorm_forward`.

    Returns
    -------
    dx : ndarray, shape (N, D)
    dgamma, dbeta : ndarray, shape (D,)

    Notes
    -----
    Training, per feature, with $r = (\sigma^2 + \epsilon)^{-1/2}$:

    $$
    \frac{\partial L}{\partial x_k}
    = \frac{\gamma r}{N} \Big( N\, \text{dout}_k - \sum_n \text{dout}_n
    - \hat x_k \sum_n \text{dout}_n \hat x_n \Big).
    $$

    Evaluation: $\partial L / \partial x = \gamma r\, \text{dout}$.
    """
    xhat, gamma, _, _, _, inv_std, training = cache
    dout = np.asarray(dout)
    if dout.shape != xhat.shape:
        raise ValueError(f"dout has shape {dout.shape}, expected {xhat.shape}")
    dout = dout.astype(xhat.dtype, copy=False)
    N = dout.shape[0]

    dbeta = dout.sum(axis=0)
    dgamma = np.einsum("nd,nd->d", dout, xhat)  # sum over n of dout * xhat, no (N, D) temporary
    if not training:
        return gamma * inv_std * dout, dgamma, dbeta
    # dx = (gamma * inv_std / N) * (N * dout - dbeta - xhat * dgamma), with the
    # 1/N moved inside and built up in place in a single (N, D) array.
    dx = xhat * (-dgamma / N)
    dx += dout
    dx -= dbeta / N
    dx *= gamma * inv_std
    return dx, dgamma, dbeta


class SpatialBatchNormCache(NamedTuple):
    """What :func:`spatial_batchnorm_backward` needs from the forward pass."""

    batchnorm: BatchNormCache
    """Cache of the batch norm applied to the input reshaped to (N*H*W, C)."""
    shape: tuple
    """Shape (N, C, H, W) of the input."""


def _channels_last(x):
    """(N, C, H, W) -> (N*H*W, C): one row per pixel, one column per channel."""
    return x.transpose(0, 2, 3, 1).reshape(-1, x.shape[1])


def _channels_first(x2, shape):
    """Inverse of :func:`_channels_last`."""
    N, C, H, W = shape
    return x2.reshape(N, H, W, C).transpose(0, 3, 1, 2)


def spatial_batchnorm_forward(x, gamma, beta, running, training=True, momentum=0.1, eps=1e-5):
    r"""Spatial batch normalization for images: per-channel statistics over (N, H, W).

    .. important::

       Returns **three** values, ``(out, cache, new_running)``, like
       :func:`batchnorm_forward`: the running statistics are returned, never
       mutated.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
        Minibatch of images. In training N·H·W must be at least 2.
    gamma, beta : ndarray, shape (C,)
        Per-channel scale and shift.
    running : RunningStats
        Current running statistics, each of shape (C,). Not modified.
    training, momentum, eps
        As for :func:`batchnorm_forward` (PyTorch's ``BatchNorm2d`` semantics).

    Returns
    -------
    out : ndarray, shape (N, C, H, W)
    cache : SpatialBatchNormCache
    new_running : RunningStats

    Notes
    -----
    A convolutional feature map shares its weights over positions, so every
    pixel of channel :math:`c` is a sample of the same feature: the statistics
    of channel :math:`c` are taken over :math:`m = N H W` values,

    .. math::

        \mu_c = \frac1m \sum_{n,h,w} x_{nchw}, \qquad
        \sigma_c^2 = \frac1m \sum_{n,h,w} (x_{nchw} - \mu_c)^2 ,

    and the running variance uses :math:`\frac{m}{m-1} \sigma_c^2`. This is
    ordinary batch norm applied to ``x`` reshaped to (N·H·W, C).

    References
    ----------
    .. [1] S. Ioffe and C. Szegedy, "Batch Normalization: Accelerating Deep
       Network Training by Reducing Internal Covariate Shift", ICML 2015,
       arXiv:1502.03167, section 3.2.
    """
    x = _as_float(x)
    if x.ndim != 4:
        raise ValueError(f"x must have shape (N, C, H, W); got {x.shape}")
    out2, bn_cache, new_running = batchnorm_forward(
        _channels_last(x), gamma, beta, running, training=training, momentum=momentum, eps=eps
    )
    cache = SpatialBatchNormCache(batchnorm=bn_cache, shape=x.shape)
    return _channels_first(out2, x.shape), cache, new_running


def spatial_batchnorm_backward(dout, cache):
    """Backward pass of :func:`spatial_batchnorm_forward`.

    Parameters
    ----------
    dout : ndarray, shape (N, C, H, W)
        Upstream gradient.
    cache : SpatialBatchNormCache

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)
    dgamma : ndarray, shape (C,)
    dbeta : ndarray, shape (C,)
    """
    bn_cache, shape = cache
    dout = np.asarray(dout)
    if dout.shape != tuple(shape):
        raise ValueError(f"dout has shape {dout.shape}, expected {tuple(shape)}")
    dx2, dgamma, dbeta = batchnorm_backward_alt(_channels_last(dout), bn_cache)
    return _channels_first(dx2, shape), dgamma, dbeta


# --------------------------------------------------------------------------
# per-sample normalizations: layer, group, instance norm
# --------------------------------------------------------------------------


def _merge_axes(a, start, stop=None):
    """``a`` with its axes ``start, ..., stop - 1`` (default: to the end) merged into one.

    A view for contiguous ``a`` (as ``reshape``); lets ``einsum`` and the
    reductions below see one axis of known position instead of several.
    """
    stop = a.ndim if stop is None else stop
    return a.reshape(a.shape[:start] + (math.prod(a.shape[start:stop]),) + a.shape[stop:])


def _normalize(x, first, eps):
    """Normalise ``x`` to mean 0, variance 1 over its trailing axes ``first, first + 1, ...``.

    Biased variance. Returns ``xhat`` (shape of x) and ``inv_std`` (shape of x
    with those axes reduced to size 1).
    """
    rows = _merge_axes(x, first)  # one row per normalisation group
    mean = rows.mean(axis=-1, keepdims=True)
    xhat = rows - mean  # centred; scaled in place below
    # Two-pass variance: centre first, then square (stable for large |x|);
    # vecdot sums the squares along the row without storing them.
    var = np.vecdot(xhat, xhat)[..., None] / rows.shape[-1]
    # eps inside the square root keeps a constant group (var = 0) finite.
    inv_std = 1 / np.sqrt(var + eps)
    xhat *= inv_std
    return xhat.reshape(x.shape), inv_std.reshape(x.shape[:first] + (1,) * (x.ndim - first))


def _normalize_backward(dxhat, xhat, inv_std, first):
    r"""Gradient through :func:`_normalize`, given dL/d(xhat); reuses ``dxhat``'s memory.

    Over the m elements of one normalisation group (derivation as in
    :func:`batchnorm_backward_alt`):
    :math:`dx = r \,(g - \overline{g} - \hat x\, \overline{g \hat x})`,
    where the bars are means over the group. ``dxhat`` must be a temporary of
    the caller: it is overwritten with ``dx``.
    """
    g, xhat_rows = _merge_axes(dxhat, first), _merge_axes(xhat, first)
    mean_g = g.mean(axis=-1, keepdims=True)
    mean_gx = np.einsum("...i,...i->...", g, xhat_rows)[..., None] / g.shape[-1]
    g -= mean_g
    g -= xhat_rows * mean_gx
    g *= _merge_axes(inv_std, first)
    return g.reshape(dxhat.shape)


class LayerNormCache(NamedTuple):
    """What `layernorm_backward` needs from the forward pass."""

    xhat: np.ndarray
    """Normalised input, shape (..., D)."""
    inv_std: np.ndarray
    """`1 / sqrt(var + eps)` per sample, shape (..., 1)."""
    gamma: np.ndarray
    """Scale, shape (D,)."""


def layernorm_forward(x, gamma, beta, eps=1e-5):
    r"""Layer normalization: normalise each sample over its features.

    Parameters
    ----------
    x : ndarray, shape (N, D) or (..., D)
        Inputs; every vector along the last axis is normalised on its own.
    gamma, beta : ndarray, shape (D,)
        Per-feature scale and shift.
    eps : float, optional
        Added to the variance inside the square root (default 1e-5).

    Returns
    -------
    out : ndarray, shape of x
    cache : LayerNormCache

    Notes
    -----
    For each sample $n$, with the mean and biased variance over its
    $D$ features,

    $$
    \mu_n = \frac1D \sum_d x_{nd}, \quad
    \sigma_n^2 = \frac1D \sum_d (x_{nd} - \mu_n)^2, \quad
    \text{out}_{nd} = \gamma_d \frac{x_{nd} - \mu_n}{\sqrt{\sigma_n^2 + \epsilon}} + \beta_d .
    $$

    No statistic crosses the batch, so training and evaluation are identical
    and there is no running state. Same as
    `torch.nn.functional.layer_norm(x, (D,), gamma, beta, eps)`.

    References
    ----------
    [1] J. L. Ba, J. R. Kiros and G. E. Hinton, "Layer Normalization",
       arXiv:1607.06450, 2016.
    """
    x = _as_float(x)
    if x.ndim < 1:
        raise ValueError("x must have at least one axis (the features)")
    D = x.shape[-1]
    gamma, beta = _per_channel(gamma, beta, D, x.dtype)
    xhat, inv_std = _normalize(x, x.ndim - 1, eps)
    out = xhat * gamma
    out += beta  # in place: out = gamma * xhat + beta with one temporary fewer
    return out, LayerNormCache(xhat=xhat, inv_std=inv_std, gamma=gamma)


def layernorm_backward(dout, cache):
    """Backward pass of `layernorm_forward`.

    Parameters
    ----------
    dout : ndarray, shape (..., D)
        Upstream gradient.
    cache : LayerNormCache

    Returns
    -------
    dx : ndarray, shape (..., D)
    dgamma : ndarray, shape (D,)
    dbeta : ndarray, shape (D,)

    Notes
    -----
    The batch-norm closed form (`batchnorm_backward_alt`) with the roles
    of the axes swapped: the statistics, and so the mean terms, run over the
    features of each sample; `dgamma` and `dbeta` sum over all other axes.
    """
    xhat, inv_std, gamma = cache
    dout = np.asarray(dout)
    if dout.shape != xhat.shape:
        raise ValueError(f"dout has shape {dout.shape}, expected {xhat.shape}")
    dout = dout.astype(xhat.dtype, copy=False)
    batch_axes = tuple(range(dout.ndim - 1))
    dbeta = dout.sum(axis=batch_axes)
    # sum of dout * xhat over the batch axes, without storing the product
    last = dout.ndim - 1
    dgamma = np.einsum("nd,nd->d", _merge_axes(dout, 0, last), _merge_axes(xhat, 0, last))
    dx = _normalize_backward(dout * gamma, xhat, inv_std, last)
    return dx, dgamma, dbeta


class GroupNormCache(NamedTuple):
    """What `groupnorm_backward` needs from the forward pass."""

    xhat: np.ndarray
    """Normalised input, shape (N, C, H, W)."""
    inv_std: np.ndarray
    """`1 / sqrt(var + eps)` per sample and group, shape (N, G, 1, ..., 1): one trailing 1
    per axis of a group (C/G channels and each spatial axis), e.g. (N, G, 1, 1, 1) for
    (N, C, H, W) input and (N, G, 1) for (N, C) input."""
    gamma: np.ndarray
    """Scale, shape (C,)."""
    G: int
    """Number of groups."""


def groupnorm_forward(x, gamma, beta, G, eps=1e-5):
    r"""Group normalization: normalise each sample over groups of channels.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
        Inputs. Any number of spatial axes is accepted, (N, C) included
        (that is H = W = 1).
    gamma, beta : ndarray, shape (C,)
        Per-channel scale and shift.
    G : int
        Number of groups; must divide C.
    eps : float, optional
        Added to the variance inside the square root (default 1e-5).

    Returns
    -------
    out : ndarray, shape of x
    cache : GroupNormCache

    Raises
    ------
    ValueError
        If C is not divisible by G, or on shapes that do not fit.

    Notes
    -----
    The C channels are split into G consecutive groups of C/G channels. For
    sample $n$ and group $g$ the mean $\mu_{ng}$ and biased
    variance $\sigma_{ng}^2$ are taken over the
    $m = (C/G) \cdot H \cdot W$ values of the group, and

    $$
    \text{out}_{nchw} = \gamma_c \frac{x_{nchw} - \mu_{n g(c)}}
    {\sqrt{\sigma_{n g(c)}^2 + \epsilon}} + \beta_c .
    $$

    G = 1 is layer norm over (C, H, W); G = C is instance norm. Same as
    `torch.nn.functional.group_norm(x, G, gamma, beta, eps)`.

    References
    ----------
    [1] Y. Wu and K. He, "Group Normalization", ECCV 2018, arXiv:1803.08494.
    """
    x = _as_float(x)
    if x.ndim < 2:
        raise ValueError(f"x must have shape (N, C, H, W) or (N, C); got {x.shape}")
    if isinstance(G, bool) or not isinstance(G, (int, np.integer)) or G < 1:
        raise ValueError(f"G must be a positive integer; got {G!r}")
    G = int(G)
    N, C = x.shape[:2]
    if C % G != 0:
        raise ValueError(f"the number of channels C = {C} is not divisible by G = {G}")
    gamma, beta = _per_channel(gamma, beta, C, x.dtype, what="C")
    # (N, C, *spatial) -> (N, G, C/G, *spatial); statistics over axes 2, 3, ...
    grouped = x.reshape((N, G, C // G) + x.shape[2:])
    xhat_grouped, inv_std = _normalize(grouped, 2, eps)
    xhat = xhat_grouped.reshape(x.shape)
    # gamma and beta act per channel: shape (C, 1, 1) broadcasts over (H, W).
    bshape = (C,) + (1,) * (x.ndim - 2)
    out = xhat * gamma.reshape(bshape)
    out += beta.reshape(bshape)  # in place: one temporary fewer
    return out, GroupNormCache(xhat=xhat, inv_std=inv_std, gamma=gamma, G=G)


def groupnorm_backward(dout, cache):
    """Backward pass of `groupnorm_forward`.

    Parameters
    ----------
    dout : ndarray, shape (N, C, H, W)
        Upstream gradient.
    cache : GroupNormCache

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)
    dgamma : ndarray, shape (C,)
    dbeta : ndarray, shape (C,)
    """
    xhat, inv_std, gamma, G = cache
    dout = np.asarray(dout)
    if dout.shape != xhat.shape:
        raise ValueError(f"dout has shape {dout.shape}, expected {xhat.shape}")
    dout = dout.astype(xhat.dtype, copy=False)
    N, C = xhat.shape[:2]
    sum_axes = (0,) + tuple(range(2, dout.ndim))  # all but the channel axis
    dbeta = dout.sum(axis=sum_axes)
    # sum of dout * xhat over all but the channel axis, without storing the product
    dgamma = np.einsum("ncs,ncs->c", _merge_axes(dout, 2), _merge_axes(xhat, 2))
    dxhat = dout * gamma.reshape((C,) + (1,) * (dout.ndim - 2))
    gshape = (N, G, C // G) + xhat.shape[2:]
    dx = _normalize_backward(dxhat.reshape(gshape), xhat.reshape(gshape), inv_std, 2)
    return dx.reshape(xhat.shape), dgamma, dbeta


class InstanceNormCache(NamedTuple):
    """What :func:`instancenorm_backward` needs from the forward pass."""

    xhat: np.ndarray
    """Normalised input, shape (N, C, H, W)."""
    inv_std: np.ndarray
    """``1 / sqrt(var + eps)`` per sample and channel, shape (N, C, 1, 1)."""
    gamma: np.ndarray
    """Scale, shape (C,)."""


def instancenorm_forward(x, gamma, beta, eps=1e-5):
    r"""Instance normalization: normalise each channel of each sample over space.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
        Inputs. Any number (at least one) of spatial axes is accepted, e.g.
        (N, C, L).
    gamma, beta : ndarray, shape (C,)
        Per-channel scale and shift.
    eps : float, optional
        Added to the variance inside the square root (default 1e-5).

    Returns
    -------
    out : ndarray, shape of x
    cache : InstanceNormCache

    Notes
    -----
    For sample :math:`n` and channel :math:`c`, the mean :math:`\mu_{nc}` and
    biased variance :math:`\sigma_{nc}^2` are taken over the :math:`H W`
    positions, and

    .. math::

        \text{out}_{nchw} = \gamma_c \frac{x_{nchw} - \mu_{nc}}
            {\sqrt{\sigma_{nc}^2 + \epsilon}} + \beta_c .

    Like ``torch.nn.InstanceNorm2d(C, affine=True, track_running_stats=False)``
    (group norm with G = C).

    References
    ----------
    .. [1] D. Ulyanov, A. Vedaldi and V. Lempitsky, "Instance Normalization:
       The Missing Ingredient for Fast Stylization", arXiv:1607.08022, 2016.
    """
    x = _as_float(x)
    if x.ndim < 3:
        raise ValueError(
            f"x must have shape (N, C, H, W) (at least one spatial axis); got {x.shape}"
        )
    C = x.shape[1]
    gamma, beta = _per_channel(gamma, beta, C, x.dtype, what="C")
    xhat, inv_std = _normalize(x, 2, eps)
    bshape = (C,) + (1,) * (x.ndim - 2)
    out = xhat * gamma.reshape(bshape)
    out += beta.reshape(bshape)
    return out, InstanceNormCache(xhat=xhat, inv_std=inv_std, gamma=gamma)


def instancenorm_backward(dout, cache):
    """Backward pass of :func:`instancenorm_forward`.

    Parameters
    ----------
    dout : ndarray, shape (N, C, H, W)
        Upstream gradient.
    cache : InstanceNormCache

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)
    dgamma : ndarray, shape (C,)
    dbeta : ndarray, shape (C,)
    """
    xhat, inv_std, gamma = cache
    dout = np.asarray(dout)
    if dout.shape != xhat.shape:
        raise ValueError(f"dout has shape {dout.shape}, expected {xhat.shape}")
    dout = dout.astype(xhat.dtype, copy=False)
    C = xhat.shape[1]
    sum_axes = (0,) + tuple(range(2, dout.ndim))
    dbeta = dout.sum(axis=sum_axes)
    dgamma = np.einsum("ncs,ncs->c", _merge_axes(dout, 2), _merge_axes(xhat, 2))
    dxhat = dout * gamma.reshape((C,) + (1,) * (dout.ndim - 2))
    dx = _normalize_backward(dxhat, xhat, inv_std, 2)
    return dx, dgamma, dbeta
