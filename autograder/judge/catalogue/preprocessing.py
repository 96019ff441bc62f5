"""Known mistakes of the preprocessing exercise (see :mod:`autograder.judge.catalogue`)."""
import numpy as np

from autograder.judge.catalogue import as_float, computed_in_float32, float64_output, mistake
from solutions import preprocessing as ref
from solutions.preprocessing import CenterParams, MinMaxParams, PCAParams, StandardizeParams, WhitenParams

#: The book section that teaches each graded function (an anchor of its chapter's page).
SECTIONS = {
    "fit_center": "zero-centring",
    "center": "zero-centring",
    "fit_standardize": "standardization-z-score",
    "standardize": "standardization-z-score",
    "fit_minmax": "min-max-scaling",
    "minmax_scale": "min-max-scaling",
    "fit_pca": "pca-rotating-onto-the-principal-axes",
    "pca_transform": "pca-rotating-onto-the-principal-axes",
    "fit_whiten": "whitening-pca-and-zca",
    "whiten": "whitening-pca-and-zca",
}

#: Entries that give the same outcomes on every hidden case (``<function>/<key>``): the grader names them
#: together, and the mutant suite expects that.
ALIKE = []


def _sign_rule(vt):
    idx = np.argmax(np.abs(vt), axis=1)
    return vt * np.sign(vt[np.arange(vt.shape[0]), idx])[:, None]


# -- centering -----------------------------------------------------------------

@mistake("preprocessing.fit_center", "mean-over-samples",
         name="one mean per sample instead of per feature",
         explain="You average along the wrong axis: each sample (row) gets its mean. Centring subtracts from each "
                 "feature (column) its mean over the training samples.")
def fit_center_over_samples(x):
    """Means over the wrong axis: one mean per sample (axis 1) instead of per feature."""
    return CenterParams(mean=as_float(x).mean(axis=1))


@mistake("preprocessing.fit_center", "median",
         name="the median instead of the mean",
         explain="You fit the median of each feature. Zero-centring subtracts the mean, so that every feature has "
                 "average 0 on the training data.")
def fit_center_median(x):
    """The median instead of the mean."""
    x = as_float(x)
    return CenterParams(mean=np.median(x, axis=0).astype(x.dtype))


@mistake("preprocessing.fit_center", "grand-mean",
         name="one mean for all features",
         explain="You average over every entry of the data and use that one number for every feature. Each feature "
                 "has its own mean, taken over the samples.")
def fit_center_grand_mean(x):
    """One mean over all entries (``np.mean(x)``), repeated for every feature."""
    x = as_float(x)
    return CenterParams(mean=np.full(x.shape[1], x.mean(), dtype=x.dtype))


@mistake("preprocessing.center", "refits-mean",
         name="the mean of the new data instead of the fitted one",
         explain="You subtract the mean of the data being transformed. The apply step uses the parameters fitted on "
                 "the training data, whatever data it is given: that is what makes test data comparable with "
                 "training data.",
         see="sec-pre-train-only")
def center_refits(x, params):
    """Subtracts the mean of the data being transformed, not the fitted training mean (leaks test statistics)."""
    x = as_float(x)
    return x - x.mean(axis=0)


@mistake("preprocessing.center", "in-place",
         name="the mean subtracted inside the caller's array",
         explain="You subtract the mean from the input array itself, which belongs to the caller (and is read-only "
                 "during grading). Return a new array.",
         see="how-to-use#rules")
def center_in_place(x, params):
    """``x -= params.mean``: right values, written into the caller's array."""
    x -= params.mean
    return x


@mistake("preprocessing.center", "adds-mean",
         name="the mean added instead of subtracted",
         explain="You add the fitted mean instead of subtracting it, which moves the data further from the origin.")
def center_adds_mean(x, params):
    """Adds the mean instead of subtracting it."""
    x = as_float(x)
    return x + params.mean.astype(x.dtype)


# -- standardization -------------------------------------------------------------

def _fit_std(x, *, ddof=0, one_pass=False, constant="rule"):
    x = as_float(x)
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


@mistake("preprocessing.fit_standardize", "sample-std",
         name="the sample standard deviation (N − 1)",
         explain="You divide by N − 1. Standardization uses the population standard deviation, which divides by N "
                 "(as scikit-learn's StandardScaler does).")
def fit_standardize_ddof1(x):
    """Sample standard deviation (divides by N - 1) instead of the population one."""
    return _fit_std(x, ddof=1)


@mistake("preprocessing.fit_standardize", "constant-only-if-zero",
         name="a feature is constant only when its spread is exactly 0",
         explain="A constant feature such as 0.1 repeated rarely gives a computed standard deviation of exactly 0: "
                 "rounding leaves a tiny value, and dividing by it blows the feature up. The docstring says how "
                 "small a variance counts as zero.")
def fit_standardize_constant_only_if_zero(x):
    """Treats a feature as constant only when its computed std is exactly 0 (0.1 repeated is not caught)."""
    return _fit_std(x, constant="exact_zero")


@mistake("preprocessing.fit_standardize", "threshold-too-big",
         name="real but small spreads treated as constant",
         explain="Your threshold calls every feature with a standard deviation below 1e-5 constant, including "
                 "features that really vary on a small scale. Only a variance within rounding error of zero counts, "
                 "as the docstring says.")
def fit_standardize_threshold_too_big(x):
    """Calls every feature with std below 1e-5 constant, including a real spread of 1e-6."""
    return _fit_std(x, constant="threshold_1e-5")


@mistake("preprocessing.fit_standardize", "one-pass-variance",
         name="variance as mean of squares minus square of mean",
         explain="The one-pass formula subtracts two huge, nearly equal numbers when a feature has a large offset, "
                 "and loses every significant digit. Compute the mean first, then the mean of the squared deviations "
                 "from it.")
def fit_standardize_one_pass_variance(x):
    """One-pass ``E[x²] - E[x]²``: loses every digit for features with a large offset."""
    return _fit_std(x, one_pass=True)


@mistake("preprocessing.fit_standardize", "no-constant-rule",
         name="no special case for constant features",
         explain="A constant feature gets a scale of 0 (or of rounding noise), so standardizing it divides by zero. "
                 "Such a feature gets scale 1 and is only centred.")
def fit_standardize_no_constant_handling(x):
    """No special case for constant features: scale 0 (or rounding noise)."""
    return _fit_std(x, constant="none")


@mistake("preprocessing.fit_standardize", "isclose-zero",
         name="a general closeness test as the constant rule",
         explain="Your constant test uses a fixed absolute tolerance (about 1e-8), so a feature with a small but "
                 "real spread counts as constant. Only a variance within rounding error of zero counts, as the "
                 "docstring says.")
def fit_standardize_isclose_zero(x):
    """``np.isclose(std, 0)`` as the constant test: any std below its default ``atol=1e-8`` counts as constant."""
    return _fit_std(x, constant="isclose")


@mistake("preprocessing.fit_standardize", "relative-threshold",
         name="a threshold relative to the mean",
         explain="Your constant test compares the spread with the size of the mean, so a feature with a large offset "
                 "and a small but real spread counts as constant. Only a variance within rounding error of zero "
                 "counts.")
def fit_standardize_relative_threshold(x):
    """Constant when ``std <= 1e-8 * |mean|``: a real spread of 1e-3 around 1e6 is called constant."""
    return _fit_std(x, constant="relative")


@mistake("preprocessing.standardize", "patches-params",
         name="the fitted parameters repaired in place",
         explain="You replace zero scales inside the fitted parameters you were given. They belong to the caller "
                 "(and are read-only during grading); the fit step has already given constant features a scale of 1.",
         see="how-to-use#rules")
def standardize_patches_scale(x, params):
    """Repairs zero scales in the fitted parameters (``params.scale[params.scale == 0] = 1``): they are the caller's."""
    params.scale[params.scale == 0] = 1
    return ref.standardize(x, params)


@mistake("preprocessing.standardize", "divides-by-variance",
         name="divided by the variance",
         explain="You divide by the square of the scale, the variance. Standardization divides the centred data by "
                 "the standard deviation.")
def standardize_divides_by_variance(x, params):
    """Divides by ``scale**2``, the variance."""
    x = as_float(x)
    return (x - params.mean.astype(x.dtype)) / params.scale.astype(x.dtype) ** 2


@mistake("preprocessing.standardize", "scales-then-centres",
         name="the mean subtracted after scaling",
         explain="You divide by the scale and then subtract the mean. The mean is in the units of the data: subtract "
                 "it first, then divide.")
def standardize_scales_before_centring(x, params):
    """``x / scale - mean``: subtracts the mean after scaling."""
    x = as_float(x)
    return x / params.scale.astype(x.dtype) - params.mean.astype(x.dtype)


@mistake("preprocessing.standardize", "refits-mean",
         name="the mean of the new data instead of the fitted one",
         explain="You centre with the mean of the data being transformed. The apply step uses the parameters fitted "
                 "on the training data, whatever data it is given.",
         see="sec-pre-train-only")
def standardize_refits_mean(x, params):
    """Centres with the mean of the data being transformed."""
    x = as_float(x)
    return (x - x.mean(axis=0)) / params.scale.astype(x.dtype)


# -- min-max ---------------------------------------------------------------------

def _fit_mm(x, feature_range, *, constant="rule", offset_sign=-1, ignore_range=False):
    x = as_float(x)
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


@mistake("preprocessing.fit_minmax", "no-constant-rule",
         name="a zero range divided by",
         explain="A constant feature has range 0, and dividing by it gives inf or NaN. The docstring's rule gives "
                 "such a feature range 1, so it is only shifted.")
def fit_minmax_no_constant_handling(x, feature_range=(0.0, 1.0)):
    """Divides by a zero range for constant features (scale inf)."""
    return _fit_mm(x, feature_range, constant="none")


@mistake("preprocessing.fit_minmax", "constant-only-if-zero",
         name="a feature is constant only when its range is exactly 0",
         explain="A range of rounding size (1e-15, say) is treated as real and gives a huge scale. The docstring's "
                 "rule counts any range below ten machine epsilons of the data's dtype as constant.")
def fit_minmax_constant_only_if_zero(x, feature_range=(0.0, 1.0)):
    """Treats a feature as constant only when its range is exactly 0 (a range of 1e-15 gives a scale of 1e15)."""
    return _fit_mm(x, feature_range, constant="exact_zero")


@mistake("preprocessing.fit_minmax", "absolute-threshold",
         name="small but real ranges treated as constant",
         explain="Your fixed threshold calls a real range of 1e-13 constant. Only ranges below ten machine epsilons "
                 "of the data's dtype count as constant.")
def fit_minmax_absolute_threshold(x, feature_range=(0.0, 1.0)):
    """Calls every range below 1e-8 constant, including a real range of 1e-13."""
    return _fit_mm(x, feature_range, constant="absolute")


@mistake("preprocessing.fit_minmax", "float64-eps-for-float32",
         name="the float64 epsilon for float32 data",
         explain="Your constant rule uses float64's machine epsilon whatever the data. float32 data rounds far more "
                 "coarsely: use the epsilon of the data's own dtype.")
def fit_minmax_float64_eps_for_float32(x, feature_range=(0.0, 1.0)):
    """Uses float64's ``eps`` whatever the data: a float32 range of 5e-7 (below 10 float32 eps) is not constant."""
    return _fit_mm(x, feature_range, constant="float64_eps")


@mistake("preprocessing.fit_minmax", "offset-sign",
         name="the offset with the wrong sign",
         explain="Your offset adds the scaled minimum instead of subtracting it, so the training minimum does not "
                 "land on the lower end of the range.")
def fit_minmax_offset_sign(x, feature_range=(0.0, 1.0)):
    """Offset ``lo + data_min * scale`` instead of ``lo - data_min * scale``."""
    return _fit_mm(x, feature_range, offset_sign=+1)


@mistake("preprocessing.fit_minmax", "ignores-range",
         name="always onto [0, 1]",
         explain="You scale onto [0, 1] whatever feature_range asks for: the training minimum must go to its lower "
                 "end and the maximum to its upper end.")
def fit_minmax_ignores_range(x, feature_range=(0.0, 1.0)):
    """Always scales onto [0, 1], whatever ``feature_range`` says."""
    return _fit_mm(x, feature_range, ignore_range=True)


@mistake("preprocessing.minmax_scale", "clips",
         name="the result clipped to the range",
         explain="You clip the result to feature_range. New data outside the training range must map outside it too: "
                 "the scaling is a linear map, without clipping.")
def minmax_scale_clips(x, params):
    """Clips the result to ``feature_range``: new data outside the training range is squashed."""
    x = as_float(x)
    out = x * params.scale.astype(x.dtype) + params.min_.astype(x.dtype)
    return np.clip(out, *params.feature_range)


@mistake("preprocessing.minmax_scale", "ignores-fitted-scale",
         name="the fitted scale and offset not used",
         explain="You rescale from the fitted minimum and maximum, which ignores feature_range and the "
                 "constant-feature rule (dividing by a zero range). Apply the fitted scale and offset.")
def minmax_scale_from_min_and_max(x, params):
    """``(x - data_min) / (data_max - data_min)``: ignores ``feature_range`` and divides by 0 for constant features."""
    x = as_float(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (x - params.data_min) / (params.data_max - params.data_min)


# -- PCA -------------------------------------------------------------------------

def _fit_pca(x, n_components, *, flip=True, ddof=1, order="svd", ratio_of_kept=False, center=True,
             zero_total="ratio 0"):
    x = as_float(x)
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


@mistake("preprocessing.fit_pca", "no-sign-rule",
         name="the signs of the components left as they come",
         explain="An eigenvector is defined up to its sign, so the course fixes it: each component is flipped so "
                 "that its entry of largest magnitude is positive, as scikit-learn does.")
def fit_pca_no_sign_rule(x, n_components=None):
    """Keeps the signs the SVD happens to return."""
    return _fit_pca(x, n_components, flip=False)


@mistake("preprocessing.fit_pca", "variance-over-n",
         name="explained variance divided by N",
         explain="PCA uses the sample covariance, which divides by N − 1. Your explained variances divide by N.")
def fit_pca_variance_over_n(x, n_components=None):
    """Explained variance ``s² / N`` instead of ``s² / (N - 1)``."""
    return _fit_pca(x, n_components, ddof=0)


@mistake("preprocessing.fit_pca", "ascending-order",
         name="components in ascending order of variance",
         explain="A symmetric eigensolver returns the eigenvalues in ascending order, so your first component has "
                 "the least variance. Principal components come in descending order.")
def fit_pca_eigh_unsorted(x, n_components=None):
    """``eigh`` of the covariance, but its ascending order is kept: the first component has the least variance."""
    return _fit_pca(x, n_components, order="eigh_ascending")


@mistake("preprocessing.fit_pca", "ratio-of-kept",
         name="ratios of the kept components only",
         explain="You divide by the variance of the kept components, so the ratios always sum to 1. The explained "
                 "variance ratio divides by the total variance of all components.")
def fit_pca_ratio_of_kept_components(x, n_components=None):
    """Divides by the variance of the kept components only, so the ratios always sum to 1."""
    return _fit_pca(x, n_components, ratio_of_kept=True)


@mistake("preprocessing.fit_pca", "uncentred",
         name="the data not centred",
         explain="You decompose the raw data. PCA works on the covariance, so subtract the mean of each feature "
                 "first.")
def fit_pca_uncentred(x, n_components=None):
    """SVD of the raw data, without subtracting the mean first."""
    return _fit_pca(x, n_components, center=False)


@mistake("preprocessing.fit_pca", "ratio-nan-for-constant",
         name="NaN ratios for constant data",
         explain="For data without any variance the total variance is 0 and your ratios are 0/0. The docstring "
                 "defines the ratio as 0 in that case.")
def fit_pca_ratio_nan_for_constant_data(x, n_components=None):
    """Divides by the total variance even when it is 0: constant data gives a ratio of NaN, not 0."""
    return _fit_pca(x, n_components, zero_total="divide")


@mistake("preprocessing.pca_transform", "uncentred",
         name="the training mean not subtracted",
         explain="You project the data without subtracting the fitted mean first. PCA coordinates are those of the "
                 "centred data.")
def pca_transform_uncentred(x, params):
    """Projects ``x`` without subtracting the training mean."""
    x = as_float(x)
    return x @ params.components.T.astype(x.dtype)


@mistake("preprocessing.pca_transform", "whitened",
         name="divided by the standard deviations",
         explain="You also divide by the standard deviation along each component: that is PCA whitening. The PCA "
                 "transform only rotates (and keeps K components).")
def pca_transform_whitened(x, params):
    """Also divides by the standard deviation along each axis (that is PCA whitening)."""
    return ref.pca_transform(x, params) / np.sqrt(params.explained_variance)


@mistake("preprocessing.pca_transform", "reconstructs",
         name="mapped back to the original features",
         explain="You project onto the components and map back to the D original features. The transform returns the "
                 "K coordinates along the components.")
def pca_transform_reconstructs(x, params):
    """Projects and maps back to the D original features (``@ V^T V``) instead of returning the K coordinates."""
    x = as_float(x)
    comps = params.components.astype(x.dtype)
    return (x - params.mean.astype(x.dtype)) @ comps.T @ comps


# -- whitening -------------------------------------------------------------------

def _fit_wh(x, method, eps, *, scale_rule="sqrt(var + eps)", zca_back=True, ddof=1):
    x = as_float(x)
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


@mistake("preprocessing.fit_whiten", "eps-outside-sqrt",
         name="ε added after the square root",
         explain="You divide by the square root of the variance plus ε. Whitening divides by the square root of "
                 "(variance + ε).")
def fit_whiten_eps_outside_sqrt(x, method="pca", eps=1e-5):
    """``sqrt(var) + eps`` instead of ``sqrt(var + eps)``."""
    return _fit_wh(x, method, eps, scale_rule="sqrt(var) + eps")


@mistake("preprocessing.fit_whiten", "divides-by-variance",
         name="divided by the variance",
         explain="You divide by variance + ε without the square root. Whitening divides each direction by its "
                 "standard deviation, so that its variance becomes 1.")
def fit_whiten_divides_by_variance(x, method="pca", eps=1e-5):
    """Divides by ``var + eps`` (no square root)."""
    return _fit_wh(x, method, eps, scale_rule="var + eps")


@mistake("preprocessing.fit_whiten", "zca-not-rotated-back",
         name="ZCA without the rotation back",
         explain="Your ZCA matrix stops after scaling in the PCA basis: that is PCA whitening. ZCA rotates back to "
                 "the original axes afterwards.")
def fit_whiten_zca_without_rotating_back(x, method="pca", eps=1e-5):
    """ZCA that forgets the final rotation ``@ U^T`` (so it is PCA whitening)."""
    return _fit_wh(x, method, eps, zca_back=False)


@mistake("preprocessing.fit_whiten", "ignores-eps",
         name="ε not used",
         explain="You divide by the square root of the variance alone. Without ε a direction with zero variance "
                 "gives inf; with it the amplification is capped.")
def fit_whiten_ignores_eps(x, method="pca", eps=1e-5):
    """Divides by ``sqrt(var)``, ignoring ``eps`` (and a zero-variance direction gives inf)."""
    return _fit_wh(x, method, eps, scale_rule="sqrt(var)")


@mistake("preprocessing.whiten", "uncentred",
         name="the training mean not subtracted",
         explain="You multiply the data by the whitening matrix without subtracting the fitted mean first.")
def whiten_uncentred(x, params):
    """Forgets to subtract the training mean."""
    x = as_float(x)
    return x @ params.matrix.astype(x.dtype)


@mistake("preprocessing.whiten", "always-pca",
         name="PCA whitening whatever the method",
         explain="You rebuild the matrix from the components and scales, which gives PCA whitening even when the "
                 "fitted method is ZCA. Apply the fitted matrix.")
def whiten_always_pca(x, params):
    """Rebuilds the matrix as ``U diag(1/scale)`` whatever the method, so ZCA is never rotated back."""
    x = as_float(x)
    w = params.components.T / params.scale
    return (x - params.mean) @ w.astype(x.dtype)


@mistake("preprocessing.whiten", "transposed-matrix",
         name="the transposed whitening matrix",
         explain="You multiply by the transpose of the fitted matrix. That is right only for the symmetric ZCA "
                 "matrix; the PCA one is not symmetric.")
def whiten_transposed_matrix(x, params):
    """Multiplies by ``W^T`` (right for the symmetric ZCA matrix, wrong for PCA)."""
    x = as_float(x)
    return (x - params.mean.astype(x.dtype)) @ params.matrix.T.astype(x.dtype)


# The precision mistakes, for every function: float64 results with float32 rounding, float32 in and float64 out.
for _qualname in SECTIONS:
    computed_in_float32(f"preprocessing.{_qualname}", __name__)
    float64_output(f"preprocessing.{_qualname}", __name__)
