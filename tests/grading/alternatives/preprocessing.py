"""Right preprocessing written differently from the answer module."""
import numpy as np

from solutions.preprocessing import CenterParams, MinMaxParams, PCAParams, StandardizeParams, WhitenParams


def _float(x):
    x = np.asarray(x)
    return x if np.issubdtype(x.dtype, np.floating) else x.astype(np.float64)


def _sign_rule(vt):
    """Flip every row so that its entry of largest magnitude is positive."""
    out = vt.copy()
    for k in range(out.shape[0]):
        j = int(np.argmax(np.abs(out[k])))
        if out[k, j] < 0:
            out[k] = -out[k]
    return out


def _eigh_descending(cov):
    lam, u = np.linalg.eigh(cov)
    return lam[::-1], u[:, ::-1].T


# -- centering -----------------------------------------------------------------

def fit_center_loop(x):
    """Sums the rows in a Python loop (float64), divides by N, casts to the data's dtype."""
    x = _float(x)
    total = np.zeros(x.shape[1])
    for row in x:
        total += row
    return CenterParams(mean=(total / x.shape[0]).astype(x.dtype))


def fit_center_in_dtype(x):
    """``x.mean(axis=0)`` in the data's own dtype (float32 data summed in float32)."""
    return CenterParams(mean=_float(x).mean(axis=0))


def center_float64(x, params):
    """Subtracts in float64, casts back to the dtype of ``x``."""
    x = _float(x)
    return (x.astype(np.float64) - params.mean.astype(np.float64)).astype(x.dtype)


def center_loop_over_rows(x, params):
    """Centres one sample at a time."""
    x = _float(x)
    mean = params.mean.astype(x.dtype)
    return np.array([row - mean for row in x], dtype=x.dtype).reshape(x.shape)


# -- standardization -------------------------------------------------------------

def fit_standardize_np_var(x):
    """``np.var`` (plain two-pass) in float64 with the docstring's constant-feature rule."""
    x = _float(x)
    n = x.shape[0]
    x64 = x.astype(np.float64)
    mean = x64.mean(axis=0)
    var = x64.var(axis=0)
    eps = np.finfo(np.float64).eps
    constant = var <= n * eps * var + (n * mean * eps) ** 2
    scale = np.where(constant, 1.0, np.sqrt(var))
    return StandardizeParams(mean=mean.astype(x.dtype), scale=scale.astype(x.dtype))


def fit_standardize_loop_over_features(x):
    """One feature at a time: its mean, its deviations, the corrected two-pass variance, the rule."""
    x = _float(x)
    n, d = x.shape
    eps = np.finfo(np.float64).eps
    mean, scale = np.empty(d), np.empty(d)
    for j in range(d):
        col = x[:, j].astype(np.float64)
        m = sum(col.tolist()) / n
        dev = col - m
        var = max((np.dot(dev, dev) - dev.sum() ** 2 / n) / n, 0.0)
        mean[j] = m
        scale[j] = 1.0 if var <= n * eps * var + (n * m * eps) ** 2 else np.sqrt(var)
    return StandardizeParams(mean=mean.astype(x.dtype), scale=scale.astype(x.dtype))


def standardize_float64(x, params):
    """Computes in float64, casts back to the dtype of ``x``."""
    x = _float(x)
    out = (x.astype(np.float64) - params.mean.astype(np.float64)) / params.scale.astype(np.float64)
    return out.astype(x.dtype)


def standardize_multiply_by_inverse(x, params):
    """Multiplies by ``1 / scale`` instead of dividing."""
    x = _float(x)
    return (x - params.mean.astype(x.dtype)) * (1 / params.scale.astype(x.dtype))


# -- min-max ---------------------------------------------------------------------

def fit_minmax_loop_over_features(x, feature_range=(0.0, 1.0)):
    """Python ``min``/``max`` per feature, the docstring's rule for (near-)constant features."""
    x = _float(x)
    lo, hi = float(feature_range[0]), float(feature_range[1])
    d = x.shape[1]
    data_min, data_max = np.empty(d, x.dtype), np.empty(d, x.dtype)
    for j in range(d):
        data_min[j], data_max[j] = min(x[:, j]), max(x[:, j])
    data_range = data_max - data_min
    data_range[data_range < 10 * np.finfo(x.dtype).eps] = 1
    scale = (np.asarray(hi - lo, dtype=x.dtype) / data_range).astype(x.dtype)
    min_ = (lo - data_min * scale).astype(x.dtype)
    return MinMaxParams(data_min, data_max, scale, min_, [lo, hi])


def fit_minmax_ptp(x, feature_range=(0, 1)):
    """``np.ptp`` for the range, computed in float64 and cast back; ``feature_range`` stored as a tuple of floats."""
    x = _float(x)
    lo, hi = map(float, feature_range)
    x64 = x.astype(np.float64)
    data_range = np.ptp(x64, axis=0)
    safe = np.where(data_range < 10 * np.finfo(x.dtype).eps, 1.0, data_range)
    scale = (hi - lo) / safe
    min_ = lo - x64.min(axis=0) * scale
    return MinMaxParams(x.min(axis=0), x.max(axis=0), scale.astype(x.dtype), min_.astype(x.dtype), (lo, hi))


def minmax_scale_from_lo(x, params):
    """``(x - data_min) * scale + lo``: the same affine map, written from the training minimum."""
    x = _float(x)
    lo = params.feature_range[0]
    return ((x.astype(np.float64) - params.data_min) * params.scale + lo).astype(x.dtype)


# -- PCA -------------------------------------------------------------------------

def fit_pca_eigh(x, n_components=None):
    """``eigh`` of the covariance ``np.cov(x, rowvar=False)``, sorted descending, with the sign rule."""
    x = _float(x)
    n, d = x.shape
    k = min(n, d) if n_components is None else n_components
    x64 = x.astype(np.float64)
    cov = np.atleast_2d(np.cov(x64, rowvar=False))
    lam, vt = _eigh_descending(cov)
    vt = _sign_rule(vt)
    lam = np.maximum(lam, 0)
    total = np.trace(cov)
    return PCAParams(mean=x64.mean(axis=0).astype(x.dtype), components=vt[:k].astype(x.dtype),
                     explained_variance=lam[:k].astype(x.dtype),
                     explained_variance_ratio=(lam[:k] / total if total > 0 else 0 * lam[:k]).astype(x.dtype))


def fit_pca_svd_of_covariance(x, n_components=None):
    """SVD of the (symmetric, positive semi-definite) covariance matrix: its singular values are the variances."""
    x = _float(x)
    n, d = x.shape
    k = min(n, d) if n_components is None else n_components
    xc = x.astype(np.float64) - x.astype(np.float64).mean(axis=0)
    cov = xc.T @ xc / (n - 1)
    _, lam, vt = np.linalg.svd(cov)
    vt = _sign_rule(vt)
    return PCAParams(mean=(x.astype(np.float64).mean(axis=0)).astype(x.dtype), components=vt[:k].astype(x.dtype),
                     explained_variance=lam[:k].astype(x.dtype),
                     explained_variance_ratio=(lam[:k] / lam.sum() if lam.sum() > 0
                                               else np.zeros(k)).astype(x.dtype))


def pca_transform_loop(x, params):
    """One dot product per sample and component."""
    x = _float(x)
    comps = params.components.astype(np.float64)
    mean = params.mean.astype(np.float64)
    out = np.empty((x.shape[0], comps.shape[0]))
    for i, row in enumerate(x.astype(np.float64)):
        for k, axis in enumerate(comps):
            out[i, k] = np.dot(row - mean, axis)
    return out.astype(x.dtype)


def pca_transform_einsum(x, params):
    """``einsum`` with the components, in the data's dtype."""
    x = _float(x)
    return np.einsum("nd,kd->nk", x - params.mean.astype(x.dtype), params.components.astype(x.dtype))


# -- whitening -------------------------------------------------------------------

def fit_whiten_eigh(x, method="pca", eps=1e-5):
    """``eigh`` of the covariance, sorted descending, sign rule; ZCA as ``U diag(1/scale) U^T``."""
    x = _float(x)
    x64 = x.astype(np.float64)
    cov = np.atleast_2d(np.cov(x64, rowvar=False))
    lam, vt = _eigh_descending(cov)
    vt = _sign_rule(vt)
    lam = np.maximum(lam, 0)
    scale = np.sqrt(lam + eps)
    w = vt.T @ np.diag(1 / scale)
    if method == "zca":
        w = w @ vt
    dt = x.dtype
    return WhitenParams(x64.mean(axis=0).astype(dt), vt.astype(dt), scale.astype(dt), method, eps,
                        lam.astype(dt), w.astype(dt))


def fit_whiten_via_pca(x, method="pca", eps=1e-5):
    """SVD of the centred data (all D axes), then the two matrices written as sums of outer products."""
    x = _float(x)
    n, d = x.shape
    x64 = x.astype(np.float64)
    mean = x64.mean(axis=0)
    _, s, vt = np.linalg.svd(x64 - mean, full_matrices=True)
    vt = _sign_rule(vt)
    lam = np.zeros(d)
    lam[: s.size] = s ** 2 / (n - 1)
    scale = np.sqrt(lam + eps)
    if method == "zca":
        w = sum(np.outer(vt[k], vt[k]) / scale[k] for k in range(d))
    else:
        w = np.column_stack([vt[k] / scale[k] for k in range(d)])
    dt = x.dtype
    return WhitenParams(mean.astype(dt), vt.astype(dt), scale.astype(dt), method, float(eps), lam.astype(dt),
                        np.asarray(w).astype(dt))


def whiten_step_by_step(x, params):
    """Rotate onto the axes, divide by the scales, and for ZCA rotate back: without using ``params.matrix``."""
    x = _float(x)
    coords = (x.astype(np.float64) - params.mean) @ params.components.T.astype(np.float64)
    coords = coords / params.scale.astype(np.float64)
    if params.method == "zca":
        coords = coords @ params.components.astype(np.float64)
    return coords.astype(x.dtype)


ALTERNATIVES = {
    "preprocessing.fit_center": [fit_center_loop, fit_center_in_dtype],
    "preprocessing.center": [center_float64, center_loop_over_rows],
    "preprocessing.fit_standardize": [fit_standardize_np_var, fit_standardize_loop_over_features],
    "preprocessing.standardize": [standardize_float64, standardize_multiply_by_inverse],
    "preprocessing.fit_minmax": [fit_minmax_loop_over_features, fit_minmax_ptp],
    "preprocessing.minmax_scale": [minmax_scale_from_lo],
    "preprocessing.fit_pca": [fit_pca_eigh, fit_pca_svd_of_covariance],
    "preprocessing.pca_transform": [pca_transform_loop, pca_transform_einsum],
    "preprocessing.fit_whiten": [fit_whiten_eigh, fit_whiten_via_pca],
    "preprocessing.whiten": [whiten_step_by_step],
}
