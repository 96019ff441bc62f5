"""Wrong preprocessing: the mistakes of the preprocessing exercise."""
import numpy as np

from grading.mutants import computed_in_float32, float64_output
from solutions import preprocessing as ref
from solutions.preprocessing import CenterParams, MinMaxParams, PCAParams, StandardizeParams, WhitenParams


def _float(x):
    x = np.asarray(x)
    return x if np.issubdtype(x.dtype, np.floating) else x.astype(np.float64)


def _sign_rule(vt):
    idx = np.argmax(np.abs(vt), axis=1)
    return vt * np.sign(vt[np.arange(vt.shape[0]), idx])[:, None]


# -- centering -----------------------------------------------------------------

def fit_center_over_samples(x):
    """Means over the wrong axis: one mean per sample (axis 1) instead of per feature."""
    return CenterParams(mean=_float(x).mean(axis=1))


def fit_center_median(x):
    """The median instead of the mean."""
    x = _float(x)
    return CenterParams(mean=np.median(x, axis=0).astype(x.dtype))


def fit_center_grand_mean(x):
    """One mean over all entries (``np.mean(x)``), repeated for every feature."""
    x = _float(x)
    return CenterParams(mean=np.full(x.shape[1], x.mean(), dtype=x.dtype))


def center_refits(x, params):
    """Subtracts the mean of the data being transformed, not the fitted training mean (leaks test statistics)."""
    x = _float(x)
    return x - x.mean(axis=0)


def center_in_place(x, params):
    """``x -= params.mean``: right values, written into the caller's array."""
    x -= params.mean
    return x


def center_adds_mean(x, params):
    """Adds the mean instead of subtracting it."""
    x = _float(x)
    return x + params.mean.astype(x.dtype)


# -- standardization -------------------------------------------------------------

def _fit_std(x, *, ddof=0, one_pass=False, constant="rule"):
    x = _float(x)
    x64 = x.astype(np.float64)
    n = x.shape[0]
    mean = x64.mean(axis=0)
    if one_pass:
        var = np.maximum((x64 * x64).mean(axis=0) - mean * mean, 0.0)
    else:
        var = ((x64 - mean) ** 2).sum(axis=0) / max(n - ddof, 1)
    std = np.sqrt(var)
    if constant == "exact_zero":
        scale = np.where(std == 0, 1.0, std)
    elif constant == "threshold_1e-5":
        scale = np.where(std < 1e-5, 1.0, std)
    elif constant == "isclose":
        scale = np.where(np.isclose(std, 0), 1.0, std)
    elif constant == "relative":
        scale = np.where(std <= 1e-8 * np.abs(mean), 1.0, std)
    elif constant == "none":
        scale = std
    else:
        eps = np.finfo(np.float64).eps
        scale = np.where(var <= n * eps * var + (n * mean * eps) ** 2, 1.0, std)
    return StandardizeParams(mean=mean.astype(x.dtype), scale=scale.astype(x.dtype))


def fit_standardize_ddof1(x):
    """Sample standard deviation (divides by N - 1) instead of the population one."""
    return _fit_std(x, ddof=1)


def fit_standardize_constant_only_if_zero(x):
    """Treats a feature as constant only when its computed std is exactly 0 (0.1 repeated is not caught)."""
    return _fit_std(x, constant="exact_zero")


def fit_standardize_threshold_too_big(x):
    """Calls every feature with std below 1e-5 constant, including a real spread of 1e-6."""
    return _fit_std(x, constant="threshold_1e-5")


def fit_standardize_one_pass_variance(x):
    """One-pass ``E[x²] - E[x]²``: loses every digit for features with a large offset."""
    return _fit_std(x, one_pass=True)


def fit_standardize_no_constant_handling(x):
    """No special case for constant features: scale 0 (or rounding noise)."""
    return _fit_std(x, constant="none")


def fit_standardize_isclose_zero(x):
    """``np.isclose(std, 0)`` as the constant test: any std below its default ``atol=1e-8`` counts as constant."""
    return _fit_std(x, constant="isclose")


def fit_standardize_relative_threshold(x):
    """Constant when ``std <= 1e-8 * |mean|``: a real spread of 1e-3 around 1e6 is called constant."""
    return _fit_std(x, constant="relative")


def standardize_patches_scale(x, params):
    """Repairs zero scales in the fitted parameters (``params.scale[params.scale == 0] = 1``): they are the caller's."""
    params.scale[params.scale == 0] = 1
    return ref.standardize(x, params)


def standardize_divides_by_variance(x, params):
    """Divides by ``scale**2``, the variance."""
    x = _float(x)
    return (x - params.mean.astype(x.dtype)) / params.scale.astype(x.dtype) ** 2


def standardize_scales_before_centring(x, params):
    """``x / scale - mean``: subtracts the mean after scaling."""
    x = _float(x)
    return x / params.scale.astype(x.dtype) - params.mean.astype(x.dtype)


def standardize_refits_mean(x, params):
    """Centres with the mean of the data being transformed."""
    x = _float(x)
    return (x - x.mean(axis=0)) / params.scale.astype(x.dtype)


# -- min-max ---------------------------------------------------------------------

def _fit_mm(x, feature_range, *, constant="rule", offset_sign=-1, ignore_range=False):
    x = _float(x)
    lo, hi = (0.0, 1.0) if ignore_range else (float(v) for v in feature_range)
    data_min, data_max = x.min(axis=0), x.max(axis=0)
    data_range = data_max - data_min
    threshold = {"rule": 10 * np.finfo(x.dtype).eps, "float64_eps": 10 * np.finfo(np.float64).eps,
                 "absolute": 1e-8, "exact_zero": 0.0, "none": None}[constant]
    if constant == "exact_zero":
        data_range = np.where(data_range == 0, 1, data_range)
    elif threshold is not None:
        data_range = np.where(data_range < threshold, 1, data_range)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = ((hi - lo) / data_range).astype(x.dtype)
    min_ = (lo + offset_sign * data_min * scale).astype(x.dtype)
    return MinMaxParams(data_min=data_min, data_max=data_max, scale=scale, min_=min_, feature_range=(lo, hi))


def fit_minmax_no_constant_handling(x, feature_range=(0.0, 1.0)):
    """Divides by a zero range for constant features (scale inf)."""
    return _fit_mm(x, feature_range, constant="none")


def fit_minmax_constant_only_if_zero(x, feature_range=(0.0, 1.0)):
    """Treats a feature as constant only when its range is exactly 0 (a range of 1e-15 gives a scale of 1e15)."""
    return _fit_mm(x, feature_range, constant="exact_zero")


def fit_minmax_absolute_threshold(x, feature_range=(0.0, 1.0)):
    """Calls every range below 1e-8 constant, including a real range of 1e-13."""
    return _fit_mm(x, feature_range, constant="absolute")


def fit_minmax_float64_eps_for_float32(x, feature_range=(0.0, 1.0)):
    """Uses float64's ``eps`` whatever the data: a float32 range of 5e-7 (below 10 float32 eps) is not constant."""
    return _fit_mm(x, feature_range, constant="float64_eps")


def fit_minmax_offset_sign(x, feature_range=(0.0, 1.0)):
    """Offset ``lo + data_min * scale`` instead of ``lo - data_min * scale``."""
    return _fit_mm(x, feature_range, offset_sign=+1)


def fit_minmax_ignores_range(x, feature_range=(0.0, 1.0)):
    """Always scales onto [0, 1], whatever ``feature_range`` says."""
    return _fit_mm(x, feature_range, ignore_range=True)


def minmax_scale_clips(x, params):
    """Clips the result to ``feature_range``: new data outside the training range is squashed."""
    x = _float(x)
    out = x * params.scale.astype(x.dtype) + params.min_.astype(x.dtype)
    return np.clip(out, *params.feature_range)


def minmax_scale_from_min_and_max(x, params):
    """``(x - data_min) / (data_max - data_min)``: ignores ``feature_range`` and divides by 0 for constant features."""
    x = _float(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (x - params.data_min) / (params.data_max - params.data_min)


# -- PCA -------------------------------------------------------------------------

def _fit_pca(x, n_components, *, flip=True, ddof=1, order="svd", ratio_of_kept=False, center=True,
             zero_total="ratio 0"):
    x = _float(x)
    n, d = x.shape
    k = min(n, d) if n_components is None else n_components
    x64 = x.astype(np.float64)
    mean = x64.mean(axis=0)
    data = x64 - mean if center else x64
    if order == "eigh_ascending":
        lam, u = np.linalg.eigh(data.T @ data / (n - ddof))
        vt, var = u.T, np.maximum(lam, 0)
    else:
        _, s, vt = np.linalg.svd(data, full_matrices=False)
        var = s ** 2 / (n - ddof)
    if flip:
        vt = _sign_rule(vt)
    total = var[:k].sum() if ratio_of_kept else var.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = var / total if total > 0 or zero_total == "divide" else np.zeros_like(var)
    dt = x.dtype
    return PCAParams(mean=mean.astype(dt), components=vt[:k].astype(dt), explained_variance=var[:k].astype(dt),
                     explained_variance_ratio=ratio[:k].astype(dt))


def fit_pca_no_sign_rule(x, n_components=None):
    """Keeps the signs the SVD happens to return."""
    return _fit_pca(x, n_components, flip=False)


def fit_pca_variance_over_n(x, n_components=None):
    """Explained variance ``s² / N`` instead of ``s² / (N - 1)``."""
    return _fit_pca(x, n_components, ddof=0)


def fit_pca_eigh_unsorted(x, n_components=None):
    """``eigh`` of the covariance, but its ascending order is kept: the first component has the least variance."""
    return _fit_pca(x, n_components, order="eigh_ascending")


def fit_pca_ratio_of_kept_components(x, n_components=None):
    """Divides by the variance of the kept components only, so the ratios always sum to 1."""
    return _fit_pca(x, n_components, ratio_of_kept=True)


def fit_pca_uncentred(x, n_components=None):
    """SVD of the raw data, without subtracting the mean first."""
    return _fit_pca(x, n_components, center=False)


def fit_pca_ratio_nan_for_constant_data(x, n_components=None):
    """Divides by the total variance even when it is 0: constant data gives a ratio of NaN, not 0."""
    return _fit_pca(x, n_components, zero_total="divide")


def pca_transform_uncentred(x, params):
    """Projects ``x`` without subtracting the training mean."""
    x = _float(x)
    return x @ params.components.T.astype(x.dtype)


def pca_transform_whitened(x, params):
    """Also divides by the standard deviation along each axis (that is PCA whitening)."""
    return ref.pca_transform(x, params) / np.sqrt(params.explained_variance)


def pca_transform_reconstructs(x, params):
    """Projects and maps back to the D original features (``@ V^T V``) instead of returning the K coordinates."""
    x = _float(x)
    comps = params.components.astype(x.dtype)
    return (x - params.mean.astype(x.dtype)) @ comps.T @ comps


# -- whitening -------------------------------------------------------------------

def _fit_wh(x, method, eps, *, scale_rule="sqrt(var + eps)", zca_back=True, ddof=1):
    x = _float(x)
    n, d = x.shape
    x64 = x.astype(np.float64)
    mean = x64.mean(axis=0)
    _, s, vt = np.linalg.svd(x64 - mean, full_matrices=n < d)
    vt = _sign_rule(vt)
    var = np.zeros(d)
    var[: s.shape[0]] = s ** 2 / (n - ddof)
    if scale_rule == "sqrt(var) + eps":
        scale = np.sqrt(var) + eps
    elif scale_rule == "var + eps":
        scale = var + eps
    elif scale_rule == "sqrt(var)":
        scale = np.sqrt(var)
    else:
        scale = np.sqrt(var + eps)
    with np.errstate(divide="ignore"):
        w = vt.T / scale
    if method == "zca" and zca_back:
        w = w @ vt
    dt = x.dtype
    return WhitenParams(mean=mean.astype(dt), components=vt.astype(dt), scale=scale.astype(dt), method=method,
                        eps=float(eps), explained_variance=var.astype(dt), matrix=w.astype(dt))


def fit_whiten_eps_outside_sqrt(x, method="pca", eps=1e-5):
    """``sqrt(var) + eps`` instead of ``sqrt(var + eps)``."""
    return _fit_wh(x, method, eps, scale_rule="sqrt(var) + eps")


def fit_whiten_divides_by_variance(x, method="pca", eps=1e-5):
    """Divides by ``var + eps`` (no square root)."""
    return _fit_wh(x, method, eps, scale_rule="var + eps")


def fit_whiten_zca_without_rotating_back(x, method="pca", eps=1e-5):
    """ZCA that forgets the final rotation ``@ U^T`` (so it is PCA whitening)."""
    return _fit_wh(x, method, eps, zca_back=False)


def fit_whiten_ignores_eps(x, method="pca", eps=1e-5):
    """Divides by ``sqrt(var)``, ignoring ``eps`` (and a zero-variance direction gives inf)."""
    return _fit_wh(x, method, eps, scale_rule="sqrt(var)")


def whiten_uncentred(x, params):
    """Forgets to subtract the training mean."""
    x = _float(x)
    return x @ params.matrix.astype(x.dtype)


def whiten_always_pca(x, params):
    """Rebuilds the matrix as ``U diag(1/scale)`` whatever the method, so ZCA is never rotated back."""
    x = _float(x)
    w = params.components.T / params.scale
    return (x - params.mean) @ w.astype(x.dtype)


def whiten_transposed_matrix(x, params):
    """Multiplies by ``W^T`` (right for the symmetric ZCA matrix, wrong for PCA)."""
    x = _float(x)
    return (x - params.mean.astype(x.dtype)) @ params.matrix.T.astype(x.dtype)


MUTANTS = {
    "preprocessing.fit_center": [fit_center_over_samples, fit_center_median, fit_center_grand_mean],
    "preprocessing.center": [center_refits, center_adds_mean, center_in_place],
    "preprocessing.fit_standardize": [fit_standardize_ddof1, fit_standardize_constant_only_if_zero,
                                      fit_standardize_threshold_too_big, fit_standardize_one_pass_variance,
                                      fit_standardize_no_constant_handling, fit_standardize_isclose_zero,
                                      fit_standardize_relative_threshold],
    "preprocessing.standardize": [standardize_divides_by_variance, standardize_scales_before_centring,
                                  standardize_refits_mean, standardize_patches_scale],
    "preprocessing.fit_minmax": [fit_minmax_no_constant_handling, fit_minmax_offset_sign, fit_minmax_ignores_range,
                                 fit_minmax_constant_only_if_zero, fit_minmax_absolute_threshold,
                                 fit_minmax_float64_eps_for_float32],
    "preprocessing.minmax_scale": [minmax_scale_clips, minmax_scale_from_min_and_max],
    "preprocessing.fit_pca": [fit_pca_no_sign_rule, fit_pca_variance_over_n, fit_pca_eigh_unsorted,
                              fit_pca_ratio_of_kept_components, fit_pca_uncentred,
                              fit_pca_ratio_nan_for_constant_data],
    "preprocessing.pca_transform": [pca_transform_uncentred, pca_transform_whitened, pca_transform_reconstructs],
    "preprocessing.fit_whiten": [fit_whiten_eps_outside_sqrt, fit_whiten_divides_by_variance,
                                 fit_whiten_zca_without_rotating_back, fit_whiten_ignores_eps],
    "preprocessing.whiten": [whiten_uncentred, whiten_always_pca, whiten_transposed_matrix],
}

# The precision mistakes, for every function: float64 results with float32 rounding, float32 in and float64 out.
for _qualname in MUTANTS:
    MUTANTS[_qualname] += [computed_in_float32(_qualname, __name__), float64_output(_qualname, __name__)]
