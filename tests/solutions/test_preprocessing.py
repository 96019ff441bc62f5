"""Tests of solutions.preprocessing: fit/apply pairs against scikit-learn and closed forms."""
import math

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from solutions.preprocessing import (
    CenterParams,
    MinMaxParams,
    PCAParams,
    StandardizeParams,
    WhitenParams,
    center,
    fit_center,
    fit_minmax,
    fit_pca,
    fit_standardize,
    fit_whiten,
    minmax_scale,
    pca_transform,
    standardize,
    whiten,
)

sklearn_preprocessing = pytest.importorskip("sklearn.preprocessing")
sklearn_decomposition = pytest.importorskip("sklearn.decomposition")
StandardScaler = sklearn_preprocessing.StandardScaler
MinMaxScaler = sklearn_preprocessing.MinMaxScaler
PCA = sklearn_decomposition.PCA

DTYPES = [np.float32, np.float64]
# (rtol, atol) for comparing with an independent computation in each dtype
TOL = {np.float32: (2e-5, 1e-5), np.float64: (1e-10, 1e-12)}


def make_data(rng, N, D, dtype=np.float64):
    """Correlated data with distinct per-feature means and spreads."""
    z = rng.standard_normal((N, D)) * np.linspace(3.0, 0.5, D)
    mix = np.eye(D) + 0.3 * rng.standard_normal((D, D))
    offset = rng.uniform(-5, 5, size=D)
    return (z @ mix + offset).astype(dtype)


def make_pca_data(rng, N, D, dtype=np.float64):
    """Data with well separated variances along a random orthonormal basis.

    Distinct eigenvalues make the principal axes unique up to sign, so they
    can be compared component by component with scikit-learn.
    """
    q, _ = np.linalg.qr(rng.standard_normal((D, D)))
    spreads = 2.0 ** -np.arange(D) * 4.0  # ratios of 2 between neighbours
    z = rng.standard_normal((N, D)) * spreads
    return (z @ q.T + rng.uniform(-3, 3, size=D)).astype(dtype)


# One entry per transformation: fit, apply, params class, output width for D features.
TRANSFORMS = {
    "center": (fit_center, center, CenterParams, lambda D: D),
    "standardize": (fit_standardize, standardize, StandardizeParams, lambda D: D),
    "minmax": (fit_minmax, minmax_scale, MinMaxParams, lambda D: D),
    "pca": (fit_pca, pca_transform, PCAParams, lambda D: D),
    "pca_k2": (lambda x: fit_pca(x, n_components=2), pca_transform, PCAParams, lambda D: 2),
    "whiten_pca": (fit_whiten, whiten, WhitenParams, lambda D: D),
    "whiten_zca": (lambda x: fit_whiten(x, method="zca"), whiten, WhitenParams, lambda D: D),
}


# ----------------------------------------------------------------------------
# Behaviour shared by every transformation
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", TRANSFORMS)
class TestCommon:
    def test_fit_returns_named_params(self, name):
        fit, _, params_cls, _ = TRANSFORMS[name]
        x = make_data(np.random.default_rng(0), 40, 5)
        params = fit(x)
        assert isinstance(params, params_cls)
        assert isinstance(params, tuple) and hasattr(params, "_fields")

    @pytest.mark.parametrize("dtype", DTYPES)
    def test_dtype_preserved(self, name, dtype):
        fit, apply, _, width = TRANSFORMS[name]
        rng = np.random.default_rng(1)
        x = make_data(rng, 50, 5, dtype)
        out = apply(make_data(rng, 7, 5, dtype), fit(x))
        assert out.dtype == dtype
        assert out.shape == (7, width(5))

    def test_float32_params_on_float64_data_give_float64(self, name):
        fit, apply, _, _ = TRANSFORMS[name]
        rng = np.random.default_rng(2)
        params = fit(make_data(rng, 50, 5, np.float32))
        assert apply(make_data(rng, 4, 5), params).dtype == np.float64

    def test_float64_params_on_float32_data_give_float32(self, name):
        fit, apply, _, _ = TRANSFORMS[name]
        rng = np.random.default_rng(2)
        params = fit(make_data(rng, 50, 5))
        assert apply(make_data(rng, 4, 5, np.float32), params).dtype == np.float32

    def test_integer_input_promoted_to_float64(self, name):
        fit, apply, _, _ = TRANSFORMS[name]
        x = np.random.default_rng(3).integers(-20, 20, size=(30, 4))
        out = apply(x, fit(x))
        assert out.dtype == np.float64
        assert_allclose(out, apply(x.astype(np.float64), fit(x.astype(np.float64))))

    def test_float32_close_to_float64(self, name):
        fit, apply, _, _ = TRANSFORMS[name]
        rng = np.random.default_rng(4)
        x = make_data(rng, 60, 4)
        x_new = make_data(rng, 9, 4)
        desired = apply(x_new, fit(x))
        x32, x_new32 = x.astype(np.float32), x_new.astype(np.float32)
        actual = apply(x_new32, fit(x32))
        # the inputs themselves differ by float32 rounding: compare on that scale
        assert_allclose(actual, desired, rtol=1e-4, atol=1e-4 * np.abs(desired).max())

    def test_inputs_not_mutated(self, name):
        fit, apply, _, _ = TRANSFORMS[name]
        rng = np.random.default_rng(5)
        x, x_new = make_data(rng, 30, 4), make_data(rng, 6, 4)
        x_copy, x_new_copy = x.copy(), x_new.copy()
        params = fit(x)
        params_copy = [np.copy(p) if isinstance(p, np.ndarray) else p for p in params]
        apply(x_new, params)
        apply(x, params)
        assert_array_equal(x, x_copy)
        assert_array_equal(x_new, x_new_copy)
        for p, p_copy in zip(params, params_copy):
            if isinstance(p, np.ndarray):
                assert_array_equal(p, p_copy)

    def test_statistics_come_from_training_data_only(self, name):
        # The apply function maps each row on its own with the fitted
        # statistics: transforming train and test together is the same as
        # transforming them separately, and differs from refitting on test.
        fit, apply, _, _ = TRANSFORMS[name]
        rng = np.random.default_rng(6)
        x_train = make_data(rng, 50, 4)
        x_test = make_data(rng, 20, 4) * 3 + 2  # a shifted distribution
        params = fit(x_train)
        both = apply(np.vstack([x_train, x_test]), params)
        assert_allclose(both[:50], apply(x_train, params), rtol=1e-12, atol=1e-12)
        assert_allclose(both[50:], apply(x_test, params), rtol=1e-12, atol=1e-12)
        assert not np.allclose(apply(x_test, params), apply(x_test, fit(x_test)))

    def test_stable_for_large_values(self, name):
        fit, apply, _, _ = TRANSFORMS[name]
        x = 1e4 * make_data(np.random.default_rng(7), 40, 4)
        out = apply(x, fit(x))
        assert np.all(np.isfinite(out))

    @pytest.mark.parametrize("shape", [(5,), (2, 3, 4), ()])
    def test_fit_rejects_non_2d(self, name, shape):
        fit, _, _, _ = TRANSFORMS[name]
        with pytest.raises(ValueError, match="2-D"):
            fit(np.ones(shape))

    def test_apply_rejects_non_2d(self, name):
        fit, apply, _, _ = TRANSFORMS[name]
        params = fit(make_data(np.random.default_rng(8), 20, 4))
        with pytest.raises(ValueError, match="2-D"):
            apply(np.ones(4), params)

    def test_apply_rejects_other_number_of_features(self, name):
        fit, apply, _, _ = TRANSFORMS[name]
        params = fit(make_data(np.random.default_rng(9), 20, 4))
        with pytest.raises(ValueError, match="3 features.*4 features"):
            apply(np.ones((5, 3)), params)

    @pytest.mark.parametrize("bad", [np.nan, np.inf])
    def test_rejects_non_finite(self, name, bad):
        fit, apply, _, _ = TRANSFORMS[name]
        x = make_data(np.random.default_rng(10), 20, 4)
        params = fit(x)
        x_bad = x.copy()
        x_bad[3, 2] = bad
        with pytest.raises(ValueError, match="NaN or infinity"):
            fit(x_bad)
        with pytest.raises(ValueError, match="NaN or infinity"):
            apply(x_bad, params)

    def test_rejects_non_numeric(self, name):
        fit, _, _, _ = TRANSFORMS[name]
        with pytest.raises(TypeError):
            fit(np.array([["a", "b"], ["c", "d"]]))

    def test_rejects_no_samples(self, name):
        fit, _, _, _ = TRANSFORMS[name]
        with pytest.raises(ValueError, match="at least"):
            fit(np.ones((0, 3)))


# ----------------------------------------------------------------------------
# Centering
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(1, 1), (10, 3), (200, 7)])
def test_center_matches_column_means(shape, dtype):
    rng = np.random.default_rng(11)
    x = make_data(rng, *shape, dtype)
    x_new = make_data(rng, 5, shape[1], dtype)
    params = fit_center(x)
    # exactly rounded column means, column by column
    mean = np.array([math.fsum(col) / shape[0] for col in x.astype(np.float64).T])
    rtol, atol = TOL[dtype]
    assert_allclose(params.mean, mean, rtol=rtol, atol=atol)
    assert_allclose(center(x_new, params), x_new - mean, rtol=rtol, atol=atol * 10)
    assert_allclose(center(x, params).astype(np.float64).mean(axis=0), 0.0, atol=atol * 10)


# ----------------------------------------------------------------------------
# Standardization
# ----------------------------------------------------------------------------
def _check_against_standard_scaler(x, x_new, rtol, atol):
    params = fit_standardize(x)
    scaler = StandardScaler().fit(x)
    assert_allclose(params.mean, scaler.mean_, rtol=rtol, atol=atol)
    assert_allclose(params.scale, scaler.scale_, rtol=rtol, atol=atol)
    for data in (x, x_new):
        out = standardize(data, params)
        assert np.all(np.isfinite(out))
        assert_allclose(out, scaler.transform(data), rtol=rtol, atol=atol)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(1, 3), (2, 1), (50, 4), (300, 10)])
def test_standardize_matches_sklearn(shape, dtype):
    rng = np.random.default_rng(12)
    x = make_data(rng, *shape, dtype)
    x_new = make_data(rng, 6, shape[1], dtype)
    _check_against_standard_scaler(x, x_new, *TOL[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
def test_standardize_constant_features_like_sklearn(dtype):
    rng = np.random.default_rng(13)
    N = 100
    columns = [
        np.full(N, 0.1),  # mean not exactly representable: var is rounding noise
        np.full(N, 1e6),
        np.zeros(N),
        np.full(N, -3.7),
        1e8 + 1e-9 * rng.standard_normal(N),  # varies below float64 resolution
        1.0 + 1e-6 * rng.standard_normal(N),  # small but genuine spread
        1e-20 * rng.standard_normal(N),  # tiny values, genuine spread
        rng.standard_normal(N),
    ]
    x = np.stack(columns, axis=1).astype(dtype)
    x_new = x[:10] + 1.0
    _check_against_standard_scaler(x, x_new, *TOL[dtype])
    params = fit_standardize(x)
    assert_array_equal(params.scale[:5], 1.0)  # the first five count as constant
    assert np.all(params.scale[5:] != 1.0)
    # a constant feature is only centred: exactly 0 on the training data
    assert_allclose(standardize(x, params)[:, :4], 0.0, atol=TOL[dtype][1])


@pytest.mark.parametrize("dtype", DTYPES)
def test_standardize_training_output_is_standard(dtype):
    x = make_data(np.random.default_rng(14), 500, 6, dtype)
    out = standardize(x, fit_standardize(x)).astype(np.float64)
    rtol, atol = TOL[dtype]
    assert_allclose(out.mean(axis=0), 0.0, atol=10 * atol)
    assert_allclose(out.std(axis=0), 1.0, rtol=10 * rtol)


def test_standardize_uses_population_std():
    x = np.array([[1.0], [3.0]])  # mean 2, population std 1 (sample std would be sqrt 2)
    params = fit_standardize(x)
    assert_allclose(params.mean, [2.0])
    assert_allclose(params.scale, [1.0])
    assert_allclose(standardize(np.array([[5.0]]), params), [[3.0]])


# ----------------------------------------------------------------------------
# Min-max scaling
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("feature_range", [(0.0, 1.0), (-1.0, 1.0), (-3.0, 0.5), (2, 7)])
def test_minmax_matches_sklearn(feature_range, dtype):
    rng = np.random.default_rng(15)
    x = make_data(rng, 80, 5, dtype)
    x[:, 1] = 0.1  # constant feature
    x[:, 3] = 1e-16 * rng.random(80)  # non-zero range, but below 10 eps: constant
    x_new = make_data(rng, 9, 5, dtype) * 2
    params = fit_minmax(x, feature_range)
    scaler = MinMaxScaler(feature_range=feature_range).fit(x)
    rtol, atol = TOL[dtype]
    for field, attr in [("data_min", "data_min_"), ("data_max", "data_max_"),
                        ("scale", "scale_"), ("min_", "min_")]:
        assert_allclose(getattr(params, field), getattr(scaler, attr), rtol=rtol, atol=atol)
    assert params.feature_range == tuple(float(v) for v in feature_range)
    for data in (x, x_new):
        assert_allclose(minmax_scale(data, params), scaler.transform(data), rtol=rtol, atol=atol)


@pytest.mark.parametrize("feature_range", [(0.0, 1.0), (-2.0, 3.0)])
def test_minmax_training_data_spans_range(feature_range):
    lo, hi = feature_range
    x = make_data(np.random.default_rng(16), 60, 4)
    out = minmax_scale(x, fit_minmax(x, feature_range))
    assert_allclose(out.min(axis=0), lo, atol=1e-12)
    assert_allclose(out.max(axis=0), hi, atol=1e-12)
    # hand-computed affine map, column by column
    desired = lo + (x - x.min(axis=0)) / (x.max(axis=0) - x.min(axis=0)) * (hi - lo)
    assert_allclose(out, desired, rtol=1e-12, atol=1e-12)


def test_minmax_does_not_clip_new_data():
    x = np.array([[0.0], [10.0]])
    params = fit_minmax(x)
    assert_allclose(minmax_scale(np.array([[-5.0], [20.0]]), params), [[-0.5], [2.0]])


def test_minmax_constant_feature_maps_to_low_end():
    x = np.full((5, 2), 3.0)
    x[:, 1] = np.arange(5)
    params = fit_minmax(x, (-1.0, 1.0))
    out = minmax_scale(x, params)
    assert_allclose(out[:, 0], -1.0)
    assert np.all(np.isfinite(out))


@pytest.mark.parametrize("feature_range", [(1.0, 1.0), (1.0, 0.0), (0.0, np.inf), (0.0,), "ab", None])
def test_minmax_rejects_bad_feature_range(feature_range):
    with pytest.raises(ValueError, match="feature_range"):
        fit_minmax(np.ones((3, 2)), feature_range)


# ----------------------------------------------------------------------------
# PCA
# ----------------------------------------------------------------------------
def _significant(params, rel=1e-10):
    """Number of leading components with non-negligible variance (unique axes)."""
    ev = np.asarray(params.explained_variance, dtype=np.float64)
    return int(np.sum(ev > rel * ev[0]))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n_components", [None, 1, 3])
@pytest.mark.parametrize("shape", [(200, 6), (40, 5), (8, 20)])
@pytest.mark.parametrize("svd_solver", ["full", "auto"])
def test_pca_matches_sklearn(shape, n_components, dtype, svd_solver):
    rng = np.random.default_rng(17)
    x = make_pca_data(rng, *shape, dtype) if shape[0] > shape[1] else make_data(rng, *shape, dtype)
    x_new = make_pca_data(rng, 7, shape[1], dtype)
    params = fit_pca(x, n_components)
    sk = PCA(n_components=n_components, svd_solver=svd_solver).fit(x)
    rtol, atol = (1e-4, 1e-4) if dtype == np.float32 else (1e-9, 1e-10)
    K = sk.n_components_
    assert params.components.shape == (K, shape[1])
    assert_allclose(params.mean, sk.mean_, rtol=rtol, atol=atol)
    # Directions of (numerically) zero variance are arbitrary; compare the rest.
    k = _significant(params)
    assert_allclose(params.components[:k], sk.components_[:k], rtol=rtol, atol=atol)
    assert_allclose(params.explained_variance, sk.explained_variance_, rtol=rtol, atol=atol)
    assert_allclose(params.explained_variance_ratio, sk.explained_variance_ratio_, rtol=rtol, atol=atol)
    scale = np.abs(sk.transform(x_new)).max()
    assert_allclose(pca_transform(x_new, params)[:, :k], sk.transform(x_new)[:, :k],
                    rtol=rtol, atol=atol * scale)


@pytest.mark.parametrize("seed", range(5))
def test_pca_sign_rule(seed):
    # In every component the entry of largest magnitude is positive.
    x = make_data(np.random.default_rng(seed), 30, 6)
    comps = fit_pca(x).components
    largest = comps[np.arange(comps.shape[0]), np.argmax(np.abs(comps), axis=1)]
    assert np.all(largest > 0)
    # and the rule decides: flipping the data's sign gives the same components
    assert_allclose(fit_pca(-x).components, comps, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("shape", [(100, 5), (30, 8)])
def test_pca_against_covariance_eigendecomposition(shape):
    rng = np.random.default_rng(18)
    x = make_pca_data(rng, *shape)
    params = fit_pca(x)
    cov = np.cov(x, rowvar=False)  # N - 1 in the denominator
    eigvals = np.linalg.eigvalsh(cov)[::-1]
    assert_allclose(params.explained_variance, eigvals, rtol=1e-9, atol=1e-12)
    assert_allclose(params.explained_variance_ratio, eigvals / np.trace(cov), rtol=1e-9, atol=1e-12)
    assert np.all(np.diff(params.explained_variance) <= 0)
    comps = params.components
    assert_allclose(comps @ comps.T, np.eye(comps.shape[0]), atol=1e-12)
    # each row is an eigenvector: cov v = lambda v
    assert_allclose(comps @ cov, params.explained_variance[:, None] * comps, rtol=1e-8, atol=1e-10)
    # the projected training data is uncorrelated with those variances
    z = pca_transform(x, params)
    assert_allclose(np.cov(z, rowvar=False), np.diag(params.explained_variance), rtol=1e-9, atol=1e-10)


def test_pca_ratio_sums_to_one_at_full_rank_and_less_when_truncated():
    x = make_pca_data(np.random.default_rng(19), 50, 4)
    assert_allclose(fit_pca(x).explained_variance_ratio.sum(), 1.0, rtol=1e-12)
    assert fit_pca(x, 2).explained_variance_ratio.sum() < 1.0


def test_pca_truncation_keeps_leading_components():
    x = make_pca_data(np.random.default_rng(20), 50, 5)
    full, two = fit_pca(x), fit_pca(x, 2)
    assert_allclose(two.components, full.components[:2])
    assert_allclose(two.explained_variance, full.explained_variance[:2])
    assert_allclose(pca_transform(x, two), pca_transform(x, full)[:, :2])


def test_pca_constant_data():
    params = fit_pca(np.full((5, 3), 2.0))
    assert_allclose(params.explained_variance, 0.0, atol=1e-30)
    assert_array_equal(params.explained_variance_ratio, 0.0)
    assert np.all(np.isfinite(params.components))


@pytest.mark.parametrize("n_components", [0, -1, 6, 2.5, "2", True])
def test_pca_rejects_bad_n_components(n_components):
    with pytest.raises(ValueError, match="n_components"):
        fit_pca(np.random.default_rng(0).standard_normal((10, 5)), n_components)


@pytest.mark.parametrize("fit", [fit_pca, fit_whiten])
def test_pca_and_whiten_need_two_samples(fit):
    with pytest.raises(ValueError, match="at least 2 sample"):
        fit(np.ones((1, 3)))


# ----------------------------------------------------------------------------
# Whitening
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(300, 5), (60, 8)])
def test_pca_whitening_matches_sklearn(shape, dtype):
    rng = np.random.default_rng(21)
    x = make_pca_data(rng, *shape, dtype)
    x_new = make_pca_data(rng, 10, shape[1], dtype)
    params = fit_whiten(x, method="pca", eps=1e-12)
    sk = PCA(whiten=True, svd_solver="full").fit(x)
    rtol, atol = (1e-3, 1e-3) if dtype == np.float32 else (1e-6, 1e-8)
    for data in (x, x_new):
        assert_allclose(whiten(data, params), sk.transform(data), rtol=rtol, atol=atol)


@pytest.mark.parametrize("method", ["pca", "zca"])
@pytest.mark.parametrize("eps", [1e-5, 1e-2, 1.0])
def test_whitened_training_covariance(method, eps):
    rng = np.random.default_rng(22)
    x = make_pca_data(rng, 400, 6)
    params = fit_whiten(x, method=method, eps=eps)
    cov_out = np.cov(whiten(x, params), rowvar=False)
    # independent eigendecomposition of the sample covariance
    lam, u = np.linalg.eigh(np.cov(x, rowvar=False))
    shrink = lam / (lam + eps)  # variance left along each axis
    desired = np.diag(np.sort(shrink)[::-1]) if method == "pca" else (u * shrink) @ u.T
    assert_allclose(cov_out, desired, rtol=1e-8, atol=1e-10)
    if eps == 1e-5:  # small eps: identity up to eps / lambda_min
        assert_allclose(cov_out, np.eye(6), atol=2 * eps / lam.min())


@pytest.mark.parametrize("eps", [1e-5, 0.1])
def test_zca_matrix_is_inverse_square_root_of_regularised_covariance(eps):
    x = make_pca_data(np.random.default_rng(23), 200, 5)
    params = fit_whiten(x, method="zca", eps=eps)
    w = params.matrix
    assert_allclose(w, w.T, rtol=1e-12, atol=1e-12 * np.abs(w).max())
    cov_reg = np.cov(x, rowvar=False) + eps * np.eye(5)
    # W is symmetric positive definite with W (Sigma + eps I) W = I
    assert np.all(np.linalg.eigvalsh(w) > 0)
    assert_allclose(w @ cov_reg @ w, np.eye(5), rtol=1e-9, atol=1e-9)


def test_pca_whitening_matrix_whitens_regularised_covariance():
    x = make_pca_data(np.random.default_rng(24), 200, 5)
    eps = 1e-3
    w = fit_whiten(x, method="pca", eps=eps).matrix
    cov_reg = np.cov(x, rowvar=False) + eps * np.eye(5)
    assert_allclose(w.T @ cov_reg @ w, np.eye(5), rtol=1e-9, atol=1e-9)


def test_zca_is_pca_whitening_rotated_back():
    rng = np.random.default_rng(25)
    x = make_pca_data(rng, 100, 4)
    x_new = make_pca_data(rng, 5, 4)
    pca = fit_whiten(x, method="pca")
    zca = fit_whiten(x, method="zca")
    assert_allclose(zca.components, pca.components)
    assert_allclose(pca.components, fit_pca(x).components, rtol=1e-10, atol=1e-12)
    assert_allclose(whiten(x_new, zca), whiten(x_new, pca) @ pca.components, rtol=1e-10, atol=1e-12)
    assert_allclose(zca.scale, np.sqrt(zca.explained_variance + zca.eps))


def test_zca_stays_closest_to_the_input():
    # Of all whitenings, ZCA has the smallest mean squared distance to the
    # centred input; rotating its output keeps it white but moves it away.
    rng = np.random.default_rng(26)
    x = make_data(rng, 300, 5)
    xc = x - x.mean(axis=0)
    zca = whiten(x, fit_whiten(x, method="zca"))
    dist_zca = np.mean((zca - xc) ** 2)
    dist_pca = np.mean((whiten(x, fit_whiten(x, method="pca")) - xc) ** 2)
    assert dist_zca < dist_pca
    for _ in range(5):
        q, _ = np.linalg.qr(rng.standard_normal((5, 5)))
        assert dist_zca < np.mean((zca @ q - xc) ** 2)


@pytest.mark.parametrize("method", ["pca", "zca"])
def test_whiten_rank_deficient_data_is_bounded_by_eps(method):
    # N < D and a duplicated feature: several directions have zero variance.
    rng = np.random.default_rng(27)
    x = make_data(rng, 6, 10)
    x[:, 9] = x[:, 0]
    eps = 1e-4
    params = fit_whiten(x, method=method, eps=eps)
    assert params.components.shape == (10, 10)
    assert_allclose(params.components @ params.components.T, np.eye(10), atol=1e-12)
    assert_allclose(params.explained_variance[5:], 0.0, atol=1e-10)  # rank <= N - 1 = 5
    x_new = make_data(rng, 4, 10)
    out = whiten(x_new, params)
    assert np.all(np.isfinite(out))
    # the amplification is at most 1 / sqrt(eps)
    norms_in = np.linalg.norm(x_new - params.mean, axis=1)
    assert np.all(np.linalg.norm(out, axis=1) <= norms_in / np.sqrt(eps) * (1 + 1e-12))
    # the training data has no component along the null directions
    z = (x - params.mean) @ params.components[5:].T
    assert_allclose(z, 0.0, atol=1e-10)


def test_whiten_eps_zero_with_zero_variance_raises():
    with pytest.raises(ValueError, match="eps > 0"):
        fit_whiten(np.random.default_rng(0).standard_normal((3, 5)), eps=0.0)


def test_whiten_eps_zero_on_full_rank_data_whitens_exactly():
    x = make_pca_data(np.random.default_rng(28), 100, 4)
    out = whiten(x, fit_whiten(x, method="zca", eps=0.0))
    assert_allclose(np.cov(out, rowvar=False), np.eye(4), atol=1e-10)


@pytest.mark.parametrize("method", ["PCA", "zca_", "", None])
def test_whiten_rejects_unknown_method(method):
    with pytest.raises(ValueError, match="method"):
        fit_whiten(np.ones((4, 2)), method=method)


@pytest.mark.parametrize("eps", [-1e-5, np.nan, np.inf, "small"])
def test_whiten_rejects_bad_eps(eps):
    with pytest.raises(ValueError, match="eps"):
        fit_whiten(np.random.default_rng(0).standard_normal((4, 2)), eps=eps)
