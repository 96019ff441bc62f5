"""Right normalization layers written differently from the answer module."""
import numpy as np

from solutions.normalization import BatchNormCache, GroupNormCache, LayerNormCache, RunningStats

# -- batch norm, forward -----------------------------------------------------------

def bn_forward_float64(x, gamma, beta, running, training=True, momentum=0.1, eps=1e-5):
    """In float64 with ``np.var(ddof=1)`` for the running variance, cast back; ``RunningStats`` built by position."""
    x = np.asarray(x)
    dt = x.dtype
    x64 = x.astype(np.float64)
    g64, b64 = np.asarray(gamma, np.float64), np.asarray(beta, np.float64)
    if training:
        mean = x64.mean(axis=0)
        var = x64.var(axis=0)
        new_running = RunningStats(
            ((1 - momentum) * running.mean.astype(np.float64) + momentum * mean).astype(running.mean.dtype),
            ((1 - momentum) * running.var.astype(np.float64) + momentum * x64.var(axis=0, ddof=1))
            .astype(running.var.dtype),
        )
    else:
        mean, var = running.mean.astype(np.float64), running.var.astype(np.float64)
        new_running = running
    std = np.sqrt(var + eps)
    xhat = (x64 - mean) / std
    cache = BatchNormCache(xhat=xhat.astype(dt), gamma=np.asarray(gamma).astype(dt), centred=(x64 - mean).astype(dt),
                           var=var.astype(dt), std=std.astype(dt), inv_std=(1 / std).astype(dt), training=training)
    return (g64 * xhat + b64).astype(dt), cache, new_running


def bn_forward_loop_over_features(x, gamma, beta, running, training=True, momentum=0.1, eps=1e-5):
    """One feature (column) at a time, with Python sums; prints the batch size."""
    x = np.asarray(x)
    n, d = x.shape
    print(f"batchnorm_forward: N = {n}, training = {training}")
    out, xhat, centred = np.empty_like(x), np.empty_like(x), np.empty_like(x)
    var, std = np.empty(d, x.dtype), np.empty(d, x.dtype)
    new_mean, new_var = running.mean.copy(), running.var.copy()
    for j in range(d):
        col = x[:, j].astype(np.float64)
        if training:
            m = sum(col) / n
            v = sum((col - m) ** 2) / n
            new_mean[j] = (1 - momentum) * running.mean[j] + momentum * m
            new_var[j] = (1 - momentum) * running.var[j] + momentum * v * n / (n - 1)
        else:
            m, v = float(running.mean[j]), float(running.var[j])
        s = np.sqrt(v + eps)
        centred[:, j] = col - m
        xhat[:, j] = (col - m) / s
        out[:, j] = gamma[j] * (col - m) / s + beta[j]
        var[j], std[j] = v, s
    if not training:
        new_mean, new_var = running.mean, running.var
    cache = BatchNormCache(xhat, gamma, centred, var, std, 1 / std, training)
    return out, cache, RunningStats(new_mean, new_var)


# -- batch norm, backward (graded twice: step by step and closed form) -----------------

def bn_backward_graph(dout, cache):
    """CS231n's staged graph from scratch: ``sqrtvar``, ``ivar``, ``xmu``, every node's local gradient in turn."""
    xhat, gamma, xmu, var, sqrtvar, ivar, training = cache
    n = dout.shape[0]
    dbeta = np.sum(dout, axis=0)
    dgamma = np.sum(dout * xhat, axis=0)
    dxhat = dout * gamma
    if not training:
        return dxhat * ivar, dgamma, dbeta
    divar = np.sum(dxhat * xmu, axis=0)
    dxmu1 = dxhat * ivar
    dsqrtvar = -1.0 / sqrtvar ** 2 * divar
    dvar = 0.5 / sqrtvar * dsqrtvar
    dsq = np.ones_like(dout) / n * dvar
    dxmu2 = 2 * xmu * dsq
    dx1 = dxmu1 + dxmu2
    dmu = -np.sum(dx1, axis=0)
    dx2 = np.ones_like(dout) / n * dmu
    return dx1 + dx2, dgamma, dbeta


def bn_backward_closed_form(dout, cache):
    """The closed form ``(1/N) gamma / std (N dout - sum dout - xhat sum(dout xhat))``, dividing by ``std``."""
    n = dout.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * cache.xhat).sum(axis=0)
    if not cache.training:
        return cache.gamma / cache.std * dout, dgamma, dbeta
    dx = cache.gamma / (n * cache.std) * (n * dout - dbeta - cache.xhat * dgamma)
    return dx, dgamma, dbeta


def bn_backward_jacobian_loop(dout, cache):
    """For every feature, the N x N Jacobian of ``xhat`` with respect to ``x`` formed explicitly, in float64."""
    dt = np.result_type(dout, cache.xhat)
    xhat, gamma = cache.xhat.astype(np.float64), cache.gamma.astype(np.float64)
    inv_std = cache.inv_std.astype(np.float64)
    g = dout.astype(np.float64) * gamma
    n, d = g.shape
    dx = np.empty((n, d))
    for j in range(d):
        if cache.training:
            jac = inv_std[j] * (np.eye(n) - 1.0 / n - np.outer(xhat[:, j], xhat[:, j]) / n)
        else:
            jac = inv_std[j] * np.eye(n)
        dx[:, j] = jac.T @ g[:, j]
    dgamma = (dout.astype(np.float64) * xhat).sum(axis=0)
    return dx.astype(dt), dgamma.astype(dt), dout.sum(axis=0)


# -- layer norm --------------------------------------------------------------------

def ln_forward_loop_over_rows(x, gamma, beta, eps=1e-5):
    """Normalises one row (vector along the last axis) at a time."""
    x = np.asarray(x)
    d = x.shape[-1]
    rows = x.reshape(-1, d)
    xhat, inv_std = np.empty_like(rows), np.empty((rows.shape[0], 1), x.dtype)
    for i, row in enumerate(rows):
        mu = row.mean()
        r = 1 / np.sqrt(((row - mu) ** 2).mean() + eps)
        xhat[i], inv_std[i] = (row - mu) * r, r
    xhat = xhat.reshape(x.shape)
    inv_std = inv_std.reshape(x.shape[:-1] + (1,))
    return gamma * xhat + beta, LayerNormCache(xhat, inv_std, gamma)


def ln_forward_transposed_batchnorm(x, gamma, beta, eps=1e-5):
    """CS231n's trick: batch-norm statistics of the transposed (D, rows) matrix, computed in float64."""
    x = np.asarray(x)
    d = x.shape[-1]
    xt = x.reshape(-1, d).T.astype(np.float64)
    mean = xt.mean(axis=0)
    inv_std = 1 / np.sqrt(xt.var(axis=0) + eps)
    xhat = ((xt - mean) * inv_std).T.reshape(x.shape)
    dt = x.dtype
    cache = LayerNormCache(xhat.astype(dt), inv_std.reshape(x.shape[:-1] + (1,)).astype(dt), gamma)
    return (gamma * xhat + beta).astype(dt), cache


def ln_backward_jacobian_loop(dout, cache):
    """The D x D Jacobian of each row formed explicitly."""
    xhat, inv_std, gamma = cache
    d = xhat.shape[-1]
    g = (dout * gamma).reshape(-1, d)
    xh = xhat.reshape(-1, d)
    r = inv_std.reshape(-1)
    dx = np.empty_like(g)
    for i in range(g.shape[0]):
        jac = r[i] * (np.eye(d) - 1.0 / d - np.outer(xh[i], xh[i]) / d)
        dx[i] = jac.T @ g[i]
    axes = tuple(range(dout.ndim - 1))
    return dx.reshape(dout.shape), np.sum(dout * xhat, axis=axes), np.sum(dout, axis=axes)


def ln_backward_closed_form(dout, cache):
    """Batch norm's closed form with the roles of the axes swapped (sums over the last axis)."""
    xhat, inv_std, gamma = cache
    d = xhat.shape[-1]
    g = dout * gamma
    dx = inv_std / d * (d * g - g.sum(axis=-1, keepdims=True) - xhat * (g * xhat).sum(axis=-1, keepdims=True))
    flat = dout.reshape(-1, d)
    return dx, (flat * xhat.reshape(-1, d)).sum(axis=0), flat.sum(axis=0)


# -- group norm --------------------------------------------------------------------

def gn_forward_loop(x, gamma, beta, G, eps=1e-5):
    """A loop over samples and groups, each group's channels sliced out of ``x``."""
    x = np.asarray(x)
    n, c = x.shape[:2]
    size = c // G
    xhat = np.empty_like(x)
    inv_std = np.empty((n, G) + (1,) * (x.ndim - 1), x.dtype)
    for i in range(n):
        for g in range(G):
            block = x[i, g * size:(g + 1) * size]
            mu = block.mean()
            r = 1 / np.sqrt(((block - mu) ** 2).mean() + eps)
            xhat[i, g * size:(g + 1) * size] = (block - mu) * r
            inv_std[i, g] = r
    shape = (c,) + (1,) * (x.ndim - 2)
    return gamma.reshape(shape) * xhat + beta.reshape(shape), GroupNormCache(xhat, inv_std, gamma, G)


def gn_forward_flat_groups(x, gamma, beta, G, eps=1e-5):
    """Reshapes to (N, G, -1), normalises along the last axis in float64, and casts back."""
    x = np.asarray(x)
    n, c = x.shape[:2]
    flat = x.reshape(n, G, -1).astype(np.float64)
    mean = flat.mean(axis=-1, keepdims=True)
    inv_std = 1 / np.sqrt(flat.var(axis=-1, keepdims=True) + eps)
    xhat = ((flat - mean) * inv_std).reshape(x.shape)
    shape = (1, c) + (1,) * (x.ndim - 2)
    out = gamma.reshape(shape) * xhat + beta.reshape(shape)
    cache = GroupNormCache(xhat.astype(x.dtype), inv_std.reshape((n, G) + (1,) * (x.ndim - 1)).astype(x.dtype),
                           gamma, G)
    return out.astype(x.dtype), cache




def gn_backward_loop(dout, cache):
    """A loop over samples and groups, each with the closed form over its m values."""
    xhat, inv_std, gamma, G = cache
    n, c = xhat.shape[:2]
    size = c // G
    g = dout * gamma.reshape((c,) + (1,) * (dout.ndim - 2))
    dx = np.empty_like(g)
    r = inv_std.reshape(n, G)
    for i in range(n):
        for k in range(G):
            sl = slice(k * size, (k + 1) * size)
            gg, xh = g[i, sl], xhat[i, sl]
            dx[i, sl] = r[i, k] * (gg - gg.mean() - xh * (gg * xh).mean())
    axes = (0,) + tuple(range(2, dout.ndim))
    return dx, (dout * xhat).sum(axis=axes), dout.sum(axis=axes)


def gn_backward_flat_groups(dout, cache):
    """Reshaped to (N, G, m): the closed form with explicit sums and ``1/m``, in float64 cast back."""
    xhat, inv_std, gamma, G = cache
    dt = np.result_type(dout, xhat)
    n, c = xhat.shape[:2]
    g = (dout.astype(np.float64) * gamma.reshape((c,) + (1,) * (dout.ndim - 2))).reshape(n, G, -1)
    xh = xhat.astype(np.float64).reshape(n, G, -1)
    m = xh.shape[-1]
    r = inv_std.astype(np.float64).reshape(n, G, 1)
    dx = r / m * (m * g - g.sum(axis=-1, keepdims=True) - xh * (g * xh).sum(axis=-1, keepdims=True))
    axes = (0,) + tuple(range(2, dout.ndim))
    return dx.reshape(xhat.shape).astype(dt), (dout * xhat).sum(axis=axes), dout.sum(axis=axes)


ALTERNATIVES = {
    "normalization.batchnorm_forward": [bn_forward_float64, bn_forward_loop_over_features],
    "normalization.batchnorm_backward": [bn_backward_graph, bn_backward_closed_form, bn_backward_jacobian_loop],
    "normalization.batchnorm_backward_alt": [bn_backward_closed_form, bn_backward_graph, bn_backward_jacobian_loop],
    "normalization.layernorm_forward": [ln_forward_loop_over_rows, ln_forward_transposed_batchnorm],
    "normalization.layernorm_backward": [ln_backward_jacobian_loop, ln_backward_closed_form],
    "normalization.groupnorm_forward": [gn_forward_loop, gn_forward_flat_groups],
    "normalization.groupnorm_backward": [gn_backward_loop, gn_backward_flat_groups],
}

# {alternative: (what goes wrong, seeds of students for whom it fails)}
