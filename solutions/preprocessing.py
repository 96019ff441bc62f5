"""Data preprocessing as fit/apply pairs: centering, standardization, min-max, PCA, whitening.

Every transformation comes as two functions:

* ``fit_<name>(x, ...) -> params`` computes the statistics on the
  **training data** and returns them as a ``typing.NamedTuple``;
* ``<name>(x, params)`` applies those fixed statistics to any data (training,
  validation or test). The test data never contributes to the statistics.

Conventions
-----------
* ``x`` is always a 2-D array of shape ``(N, D)``: one sample per row.
* Statistics are accumulated in float64 and stored in the floating dtype of
  the data they were fitted on (integer data gives float64 parameters).
* The apply functions compute in the floating dtype of *their* input: float32
  in gives float32 out; integer input is promoted to float64.
* Inputs are never mutated.
* Invalid input (not 2-D, NaN or infinity, a different number of features at
  apply time than at fit time, ...) raises ``ValueError`` with a message
  saying what was expected; a non-numeric dtype raises ``TypeError``.

The scalers follow scikit-learn's ``StandardScaler`` and ``MinMaxScaler``
(including their treatment of constant features) and ``fit_pca`` follows
``sklearn.decomposition.PCA``, including its sign convention, so that results
can be compared directly.
"""
import operator
from typing import NamedTuple

import numpy as np

__all__ = [
    "CenterParams",
    "fit_center",
    "center",
    "StandardizeParams",
    "fit_standardize",
    "standardize",
    "MinMaxParams",
    "fit_minmax",
    "minmax_scale",
    "PCAParams",
    "fit_pca",
    "pca_transform",
    "WhitenParams",
    "fit_whiten",
    "whiten",
]


# ----------------------------------------------------------------------------
# Input checking shared by every function
# ----------------------------------------------------------------------------
def _as_2d_float(x, name="x"):
    """Return ``x`` as a 2-D floating array (no copy when already one).

    Floating dtypes are kept; integer and boolean data become float64.
    """
    x = np.asarray(x)
    if x.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D array of shape (N, D), one sample per row; "
            f"got a {x.ndim}-D array of shape {x.shape}. "
            "Reshape a single feature with x.reshape(-1, 1) and a single "
            "sample with x.reshape(1, -1)."
        )
    if np.issubdtype(x.dtype, np.floating):
        pass
    elif np.issubdtype(x.dtype, np.integer) or x.dtype == np.bool_:
        x = x.astype(np.float64)
    else:
        raise TypeError(f"{name} must hold real numbers; got dtype {x.dtype}.")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} contains NaN or infinity.")
    return x


def _check_fit_data(x, min_samples=1):
    """Validate training data: 2-D, finite, enough samples, at least one feature."""
    x = _as_2d_float(x)
    N, D = x.shape
    if N < min_samples:
        raise ValueError(
            f"x must have at least {min_samples} sample(s) (rows) to fit on; got {N}."
        )
    if D < 1:
        raise ValueError("x must have at least one feature (column); got 0.")
    return x


def _check_apply_data(x, n_features_fitted):
    """Validate data to transform: 2-D, finite, same number of features as at fit."""
    x = _as_2d_float(x)
    if x.shape[1] != n_features_fitted:
        raise ValueError(
            f"x has {x.shape[1]} features (columns), but the parameters were "
            f"fitted on data with {n_features_fitted} features."
        )
    return x


def _svd_flip_rows(vt):
    """Make the entry of largest magnitude of every row of ``vt`` positive.

    Returns a new array. On a tie in magnitude the first such entry decides
    (``argmax`` picks the first), as in ``sklearn.utils.extmath.svd_flip``.
    """
    idx = np.argmax(np.abs(vt), axis=1)
    signs = np.sign(vt[np.arange(vt.shape[0]), idx])
    signs[signs == 0] = 1.0  # only for an all-zero row, which SVD never returns
    return vt * signs[:, np.newaxis]


# ----------------------------------------------------------------------------
# Centering
# ----------------------------------------------------------------------------
class CenterParams(NamedTuple):
    """Parameters of `center`."""

    mean: np.ndarray  #: shape (D,), per-feature mean of the training data


def fit_center(x):
    r"""Fit mean-centering: the per-feature mean of the training data.

    Parameters
    ----------
    x : array_like, shape (N, D)
        Training data, one sample per row.

    Returns
    -------
    CenterParams
        `mean` : ndarray, shape (D,), in the floating dtype of `x`.

    Notes
    -----
    $$
    \mu_j = \frac{1}{N} \sum_{n=1}^N x_{nj}
    $$

    The sum is accumulated in float64, also for float32 data.
    """
    x = _check_fit_data(x)
    mean = x.mean(axis=0, dtype=np.float64)
    return CenterParams(mean=mean.astype(x.dtype))


def center(x, params):
    """Subtract the fitted mean from every sample.

    Parameters
    ----------
    x : array_like, shape (M, D)
        Data to transform (training or new data).
    params : CenterParams
        From `fit_center` on the training data.

    Returns
    -------
    out : ndarray, shape (M, D)
        `x - mean`, in the floating dtype of `x`.
    """
    x = _check_apply_data(x, params.mean.shape[0])
    return x - params.mean.astype(x.dtype)


# ----------------------------------------------------------------------------
# Standardization
# ----------------------------------------------------------------------------
class StandardizeParams(NamedTuple):
    """Parameters of `standardize`."""

    mean: np.ndarray  #: shape (D,), per-feature mean of the training data
    scale: np.ndarray  #: shape (D,), population std, 1 for constant features


def fit_standardize(x):
    r"""Fit standardization: per-feature mean and (population) standard deviation.

    Parameters
    ----------
    x : array_like, shape (N, D)
        Training data, one sample per row.

    Returns
    -------
    StandardizeParams
        `mean` : ndarray, shape (D,); `scale` : ndarray, shape (D,), the
        standard deviation with `ddof=0`, replaced by 1 for (numerically)
        constant features. Both in the floating dtype of `x`.

    Notes
    -----
    $$
    \mu_j = \frac{1}{N} \sum_n x_{nj}, \qquad
    \sigma_j^2 = \frac{1}{N} \sum_n (x_{nj} - \mu_j)^2
    $$

    The variance uses the *corrected two-pass* algorithm in float64
    (Chan, Golub & LeVeque): with $d_n = x_{nj} - \mu_j$,
    $\sigma_j^2 = \big(\sum_n d_n^2 - (\sum_n d_n)^2 / N\big) / N$;
    the second term removes the rounding error of $\mu_j$.

    A feature is treated as constant, and gets scale 1 so that it is only
    centred (never divided by zero or by rounding noise), exactly when
    scikit-learn's `StandardScaler` does so (its `_is_constant_feature`):

    $$
    \sigma_j^2 \le N \varepsilon \sigma_j^2 + (N \mu_j \varepsilon)^2,
    $$

    with $\varepsilon$ the float64 machine epsilon. The right-hand side is
    the error bound of the two-pass variance: a computed variance below it is
    indistinguishable from zero. For a constant feature the result of
    `standardize` is therefore `x - mean` (0 on the training data),
    never `inf` or `NaN`.

    References
    ----------
    [1] T. F. Chan, G. H. Golub, R. J. LeVeque, "Algorithms for computing
       the sample variance: analysis and recommendations", The American
       Statistician 37(3), 1983.
    [2] Y. LeCun, L. Bottou, G. B. Orr, K.-R. Müller, "Efficient BackProp",
       in Neural Networks: Tricks of the Trade, 1998 (section 4.3,
       "Normalizing the inputs").
    """
    x = _check_fit_data(x)
    N = x.shape[0]
    x64 = x.astype(np.float64)
    mean = x64.mean(axis=0)
    d = x64 - mean
    # Corrected two-pass variance: subtract the (tiny) error due to rounding in `mean`.
    var = (np.sum(d * d, axis=0) - np.sum(d, axis=0) ** 2 / N) / N
    # Rounding can leave a constant feature at -1e-30 or so; sqrt needs >= 0.
    var = np.maximum(var, 0.0)
    eps = np.finfo(np.float64).eps
    constant = var <= N * eps * var + (N * mean * eps) ** 2
    scale = np.where(constant, 1.0, np.sqrt(var))
    return StandardizeParams(mean=mean.astype(x.dtype), scale=scale.astype(x.dtype))


def standardize(x, params):
    """Centre and scale every feature with the fitted statistics.

    Parameters
    ----------
    x : array_like, shape (M, D)
        Data to transform.
    params : StandardizeParams
        From `fit_standardize` on the training data.

    Returns
    -------
    out : ndarray, shape (M, D)
        `(x - mean) / scale`, in the floating dtype of `x`. On the
        training data each non-constant feature has mean 0 and population
        standard deviation 1.
    """
    x = _check_apply_data(x, params.mean.shape[0])
    return (x - params.mean.astype(x.dtype)) / params.scale.astype(x.dtype)


# ----------------------------------------------------------------------------
# Min-max scaling
# ----------------------------------------------------------------------------
class MinMaxParams(NamedTuple):
    """Parameters of `minmax_scale`."""

    data_min: np.ndarray  #: shape (D,), per-feature minimum of the training data
    data_max: np.ndarray  #: shape (D,), per-feature maximum of the training data
    scale: np.ndarray  #: shape (D,), multiplier: (hi - lo) / (data_max - data_min)
    min_: np.ndarray  #: shape (D,), offset: lo - data_min * scale
    feature_range: tuple  #: (lo, hi), the target interval, as floats


def fit_minmax(x, feature_range=(0.0, 1.0)):
    r"""Fit min-max scaling of every feature onto `feature_range`.

    Parameters
    ----------
    x : array_like, shape (N, D)
        Training data, one sample per row.
    feature_range : tuple (lo, hi), default (0.0, 1.0)
        Target interval; requires `lo < hi`.

    Returns
    -------
    MinMaxParams
        `data_min`, `data_max`, `scale`, `min_` : ndarray, shape (D,),
        in the floating dtype of `x`; `feature_range` : tuple of two floats.

    Notes
    -----
    $$
    s_j = \frac{hi - lo}{\max_n x_{nj} - \min_n x_{nj}}, \qquad
    m_j = lo - s_j \min_n x_{nj}, \qquad
    \mathrm{out}_{nj} = s_j x_{nj} + m_j
    $$

    so the training minimum maps to `lo` and the maximum to `hi`. As in
    scikit-learn's `MinMaxScaler` (its `_handle_zeros_in_scale`), a feature
    whose range is below `10 * eps` of the data's dtype counts as constant
    and its range is taken as 1: the feature is shifted so that its training
    value maps to `lo`, never divided by zero. New data outside the
    training range maps outside `feature_range` (no clipping).
    """
    x = _check_fit_data(x)
    try:
        lo, hi = (float(v) for v in feature_range)
    except (TypeError, ValueError):
        raise ValueError(
            f"feature_range must be a pair of numbers (lo, hi); got {feature_range!r}."
        ) from None
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(
            f"feature_range must satisfy lo < hi (both finite); got {feature_range!r}."
        )
    dtype = x.dtype
    data_min = x.min(axis=0)
    data_max = x.max(axis=0)
    data_range = data_max - data_min
    # A (near-)zero range would blow up the scale: treat it as 1, like sklearn.
    safe_range = np.where(data_range < 10 * np.finfo(dtype).eps, 1, data_range).astype(dtype)
    scale = (dtype.type(hi) - dtype.type(lo)) / safe_range
    min_ = dtype.type(lo) - data_min * scale
    return MinMaxParams(
        data_min=data_min, data_max=data_max, scale=scale, min_=min_, feature_range=(lo, hi)
    )


def minmax_scale(x, params):
    """Map every feature linearly with the fitted min-max parameters.

    Parameters
    ----------
    x : array_like, shape (M, D)
        Data to transform.
    params : MinMaxParams
        From `fit_minmax` on the training data.

    Returns
    -------
    out : ndarray, shape (M, D)
        `x * scale + min_`, in the floating dtype of `x`. The training data
        lands in `feature_range`; other data may fall outside it.
    """
    x = _check_apply_data(x, params.scale.shape[0])
    return x * params.scale.astype(x.dtype) + params.min_.astype(x.dtype)


# ----------------------------------------------------------------------------
# PCA
# ----------------------------------------------------------------------------
class PCAParams(NamedTuple):
    """Parameters of `pca_transform`."""

    mean: np.ndarray  #: shape (D,), mean of the training data
    components: np.ndarray  #: shape (K, D), orthonormal principal axes as rows
    explained_variance: np.ndarray  #: shape (K,), variance along each axis (N - 1)
    explained_variance_ratio: np.ndarray  #: shape (K,), share of the total variance


def _check_n_components(n_components, N, D):
    k_max = min(N, D)
    if n_components is None:
        return k_max
    if isinstance(n_components, (bool, np.bool_)):
        raise ValueError(f"n_components must be an integer or None; got {n_components!r}.")
    try:
        k = operator.index(n_components)
    except TypeError:
        raise ValueError(
            f"n_components must be an integer or None; got {n_components!r}."
        ) from None
    if not 1 <= k <= k_max:
        raise ValueError(
            f"n_components must be between 1 and min(N, D) = {k_max}; got {k}."
        )
    return k


def fit_pca(x, n_components=None):
    r"""Fit principal component analysis on the training data.

    Parameters
    ----------
    x : array_like, shape (N, D)
        Training data, one sample per row; `N >= 2`.
    n_components : int or None, default None
        Number K of components to keep, `1 <= K <= min(N, D)`; None keeps
        `min(N, D)`.

    Returns
    -------
    PCAParams
        `mean` : ndarray, shape (D,);
        `components` : ndarray, shape (K, D), the principal axes (orthonormal
        rows) sorted by decreasing variance;
        `explained_variance` : ndarray, shape (K,), the variance of the
        training data along each axis (divided by N - 1);
        `explained_variance_ratio` : ndarray, shape (K,), each variance over
        the total variance of the data (over *all* directions, so the ratios
        sum to less than 1 when K < rank). All in the floating dtype of `x`.

    Notes
    -----
    With the centred data $X_c = X - \mathbf{1}\mu^\top$ and its thin
    singular value decomposition $X_c = U S V^\top$, the rows of
    $V^\top$ are the eigenvectors of the sample covariance
    $\Sigma = X_c^\top X_c / (N - 1)$ with eigenvalues

    $$
    \lambda_k = \frac{s_k^2}{N - 1}.
    $$

    Working on $X_c$ instead of forming $\Sigma$ avoids squaring
    the condition number. The computation is done in float64.

    **Sign convention.** An eigenvector is only defined up to its sign. We fix
    it as scikit-learn's `PCA` does (`svd_flip` with
    `u_based_decision=False`): in every component, the entry with the
    largest absolute value is positive (on a tie, the first of them). With
    this rule, `components` agree with `sklearn.decomposition.PCA`'s
    `components_` whenever the variances are distinct.

    If all features are constant (total variance 0),
    `explained_variance_ratio` is set to 0.

    References
    ----------
    [1] K. Pearson, "On lines and planes of closest fit to systems of
       points in space", Philosophical Magazine 2(11), 1901.
    [2] I. T. Jolliffe, *Principal Component Analysis*, 2nd ed., Springer, 2002.
    """
    x = _check_fit_data(x, min_samples=2)
    N, D = x.shape
    K = _check_n_components(n_components, N, D)
    x64 = x.astype(np.float64)
    mean = x64.mean(axis=0)
    _, s, vt = np.linalg.svd(x64 - mean, full_matrices=False)  # s sorted descending
    vt = _svd_flip_rows(vt)
    explained_variance = s**2 / (N - 1)
    total = explained_variance.sum()
    if total > 0:
        ratio = explained_variance / total
    else:  # constant data: nothing to explain
        ratio = np.zeros_like(explained_variance)
    dt = x.dtype
    return PCAParams(
        mean=mean.astype(dt),
        components=vt[:K].astype(dt),
        explained_variance=explained_variance[:K].astype(dt),
        explained_variance_ratio=ratio[:K].astype(dt),
    )


def pca_transform(x, params):
    """Project data onto the fitted principal axes.

    Parameters
    ----------
    x : array_like, shape (M, D)
        Data to transform.
    params : PCAParams
        From `fit_pca` on the training data.

    Returns
    -------
    out : ndarray, shape (M, K)
        `(x - mean) @ components.T`, the coordinates along the principal
        axes, in the floating dtype of `x`. On the training data column k
        has variance `explained_variance[k]` (with N - 1).
    """
    x = _check_apply_data(x, params.mean.shape[0])
    return (x - params.mean.astype(x.dtype)) @ params.components.T.astype(x.dtype)


# ----------------------------------------------------------------------------
# Whitening (PCA and ZCA)
# ----------------------------------------------------------------------------
class WhitenParams(NamedTuple):
    """Parameters of `whiten`."""

    mean: np.ndarray  #: shape (D,), mean of the training data
    components: np.ndarray  #: shape (D, D), eigenvectors of the covariance as rows (U^T)
    scale: np.ndarray  #: shape (D,), sqrt(explained_variance + eps)
    method: str  #: "pca" or "zca"
    eps: float  #: regulariser added to every variance
    explained_variance: np.ndarray  #: shape (D,), covariance eigenvalues, descending
    matrix: np.ndarray  #: shape (D, D), W such that whiten(x) = (x - mean) @ W


def fit_whiten(x, method="pca", eps=1e-5):
    r"""Fit PCA or ZCA whitening on the training data.

    Parameters
    ----------
    x : array_like, shape (N, D)
        Training data, one sample per row; `N >= 2`.
    method : {"pca", "zca"}, default "pca"
        `"pca"`: rotate onto the principal axes and divide each coordinate by
        its standard deviation. `"zca"`: the same, then rotate back to the
        original axes.
    eps : float, default 1e-5
        Non-negative number added to every variance before dividing by its
        square root; see Notes. It is in the units of the data's variance.

    Returns
    -------
    WhitenParams
        `mean` : ndarray, shape (D,); `components` : ndarray, shape (D, D),
        the eigenvectors $U^\top$ of the covariance as rows, sorted by
        decreasing eigenvalue, with the sign rule of `fit_pca`;
        `scale` : ndarray, shape (D,), $\sqrt{\lambda + \varepsilon}$;
        `method`; `eps`; `explained_variance` : ndarray, shape (D,), the
        eigenvalues $\lambda$ (N - 1 in the denominator, zeros past the
        rank when N <= D); `matrix` : ndarray, shape (D, D), the whitening
        matrix W. Arrays in the floating dtype of `x`.

    Raises
    ------
    ValueError
        For an unknown `method`, a negative or non-finite `eps`, or when
        `eps = 0` and some direction has exactly zero variance.

    Notes
    -----
    With the covariance $\Sigma = X_c^\top X_c / (N - 1) = U \Lambda U^\top$
    (computed from the SVD of the centred data, as in `fit_pca`; all D
    eigenvectors are kept) and samples as rows, `whiten` returns
    $(x - \mu) W$ with

    $$
    W_{\mathrm{PCA}} = U (\Lambda + \varepsilon I)^{-1/2}, \qquad
    W_{\mathrm{ZCA}} = U (\Lambda + \varepsilon I)^{-1/2} U^\top .
    $$

    For $\varepsilon = 0$ both give whitened training data with
    identity covariance, $W^\top \Sigma W = I$; with
    $\varepsilon > 0$ the variance along axis k is
    $\lambda_k / (\lambda_k + \varepsilon)$, slightly below 1.
    $W_{\mathrm{ZCA}}$ is symmetric, and among all whitening matrices it
    is the one whose output stays closest (in mean squared distance) to the
    centred input, which is why ZCA-whitened images still look like images.

    **Why eps.** Directions of (near) zero variance are common: constant
    pixels, features that are linear combinations of others, or any data with
    N <= D. Dividing by $\sqrt{\lambda_k}$ there would divide by zero or
    amplify rounding noise enormously. Adding $\varepsilon$ caps the
    amplification at $1/\sqrt{\varepsilon}$ and barely changes the
    directions with $\lambda_k \gg \varepsilon$.

    With `method="pca"` and tiny `eps` the result equals
    `sklearn.decomposition.PCA(whiten=True).fit(x).transform(x)` when N > D.

    References
    ----------
    [1] A. J. Bell, T. J. Sejnowski, "The 'independent components' of
       natural scenes are edge filters", Vision Research 37(23), 1997.
    [2] A. Krizhevsky, "Learning multiple layers of features from tiny
       images", Tech. report, University of Toronto, 2009 (appendix A, ZCA).
    [3] A. Kessy, A. Lewin, K. Strimmer, "Optimal whitening and
       decorrelation", The American Statistician 72(4), 2018.
    """
    if method not in ("pca", "zca"):
        raise ValueError(f'method must be "pca" or "zca"; got {method!r}.')
    try:
        eps = float(eps)
    except (TypeError, ValueError):
        raise ValueError(f"eps must be a non-negative number; got {eps!r}.") from None
    if not (np.isfinite(eps) and eps >= 0):
        raise ValueError(f"eps must be a non-negative finite number; got {eps!r}.")
    x = _check_fit_data(x, min_samples=2)
    N, D = x.shape
    x64 = x.astype(np.float64)
    mean = x64.mean(axis=0)
    # With N <= D the thin SVD has only N axes: ask for all D rows of V^T then
    # (the extra ones span the zero-variance directions). U is N x N there, so
    # this stays cheap; for N > D the thin SVD already has D axes.
    _, s, vt = np.linalg.svd(x64 - mean, full_matrices=N < D)
    vt = _svd_flip_rows(vt)
    variance = np.zeros(D)
    variance[: s.shape[0]] = s**2 / (N - 1)
    scale = np.sqrt(variance + eps)
    if np.any(scale == 0):
        raise ValueError(
            "the training data has a direction of exactly zero variance; "
            "use eps > 0 to whiten it."
        )
    w = vt.T / scale  # rotate onto the axes, then divide by the std: U diag(1/scale)
    if method == "zca":
        w = w @ vt  # ... then rotate back: U diag(1/scale) U^T
    dt = x.dtype
    return WhitenParams(
        mean=mean.astype(dt),
        components=vt.astype(dt),
        scale=scale.astype(dt),
        method=method,
        eps=eps,
        explained_variance=variance.astype(dt),
        matrix=w.astype(dt),
    )


def whiten(x, params):
    """Apply the fitted PCA or ZCA whitening.

    Parameters
    ----------
    x : array_like, shape (M, D)
        Data to transform.
    params : WhitenParams
        From `fit_whiten` on the training data.

    Returns
    -------
    out : ndarray, shape (M, D)
        `(x - mean) @ matrix`, in the floating dtype of `x`. On the
        training data the covariance (with N - 1) is the identity up to the
        effect of `eps`.
    """
    x = _check_apply_data(x, params.mean.shape[0])
    return (x - params.mean.astype(x.dtype)) @ params.matrix.astype(x.dtype)
