"""Practice checks for the preprocessing exercise: one function per graded function.

The apply functions are checked with parameters written out here (not with
your fit functions), as the hidden tests give them parameters of their own.
"""
import numpy as np

from coursekit.practice import Mismatch, Practice, call, expect, expect_close, expect_dtype, expect_shape


def _fields(params, names, what):
    """The named fields of a parameter tuple, with a clear message if one is missing."""
    for name in names:
        if not hasattr(params, name):
            raise Mismatch(f"{what} has no field '{name}': return the given named tuple, filled in")
    return [getattr(params, name) for name in names]


def _data(rng, N=9, D=4):
    """Training-like data: every feature with its own offset and spread."""
    return rng.standard_normal((N, D)) * rng.uniform(0.5, 3.0, D) + rng.uniform(-5, 5, D)


def _spread(rng, N, D):
    """N samples whose covariance has D well-separated eigenvalues (4, 1.6, 0.64, ...) along random axes."""
    axes = _orthonormal(rng, D, D)
    stds = 2.0 * 0.63 ** np.arange(D)
    return rng.normal(size=(N, D)) * stds @ axes + rng.uniform(-3, 3, size=D)


def _orthonormal(rng, K, D):
    """K orthonormal rows of length D (from the SVD of a random matrix)."""
    _, _, vt = np.linalg.svd(rng.normal(size=(D, D)))
    return vt[:K]


def _dtype_rules(p, fit, names, make=None):
    """Statistics stored in the data's floating dtype: float32 stays float32, integers give float64."""
    rng = p.rng
    make = make or (lambda dtype: (_data(rng) * 3).astype(dtype))

    def test():
        for dtype, want in ((np.float32, np.float32), (np.int64, np.float64), (np.float64, np.float64)):
            params = call(fit, make(dtype))
            for name, value in zip(names, _fields(params, names, "the result")):
                expect_dtype(value, want, f"{name} for {np.dtype(dtype).name} data")
    p.check("statistics in the floating dtype of the data: float32 stays float32, integers give float64", test,
            hint="accumulate in float64, then store with .astype(x.dtype) (float64 for integer data).")


def _apply_dtypes(p, apply, params_for):
    """float32 in, float32 out (also with float64 parameters); integers in, float64 out."""
    rng = p.rng

    def test():
        params = params_for(rng)
        x = _data(rng, 5, 3)
        out64 = expect_shape(call(apply, x, params), (5, out_width(params)), "the output")
        out32 = expect_dtype(call(apply, x.astype(np.float32), params), np.float32, "the output for float32 data")
        expect_close(out32, call(apply, x.astype(np.float32).astype(np.float64), params),
                     "the float32 output (compared with your float64 one)", rtol=1e-4, atol=1e-4)
        xi = rng.integers(-5, 6, size=(4, 3))
        expect_dtype(call(apply, xi, params), np.float64, "the output for integer data")
        del out64

    def out_width(params):
        comps = getattr(params, "components", None)
        return 3 if comps is None or getattr(params, "method", None) is not None else len(comps)

    p.check("float32 data gives float32 (with float64 parameters too); integers give float64", test)


# -- centering --------------------------------------------------------------------

def practice_fit_center(fit_center):
    """Practice checks of `fit_center`; True when all pass."""
    p = Practice("fit_center")
    rng = p.rng

    def by_hand():
        (mean,) = _fields(call(fit_center, np.array([[1.0, 2.0], [3.0, 6.0], [8.0, -2.0]])), ["mean"], "the result")
        expect_close(mean, [4.0, 2.0], "the mean of the columns (1, 3, 8) and (2, 6, -2)")
        (mean,) = _fields(call(fit_center, np.array([[1.0, 100.0], [2.0, 100.0], [30.0, 100.0]])), ["mean"],
                          "the result")
        expect_close(mean, [11.0, 100.0], "the mean of (1, 2, 30) (a mean, not a median) and of a constant column")

    def kinds():
        for label, x in [("a single sample", _data(rng, 1, 5)), ("a single feature", _data(rng, 9, 1)),
                         ("a large offset (1e6)", 1e6 + rng.standard_normal((12, 3))),
                         ("integer data", rng.integers(-20, 21, size=(7, 4)))]:
            (mean,) = _fields(call(fit_center, x), ["mean"], "the result")
            expect_shape(mean, (x.shape[1],), f"mean for {label} (one per feature)")
            expect_close(mean, x.astype(np.float64).sum(axis=0) / len(x), f"mean for {label}", rtol=1e-12)

    p.check("small cases by hand", by_hand, hint="one mean per feature (column): average over the rows, axis 0.")
    p.check("a single sample, a single feature, a large offset, integer data", kinds)
    _dtype_rules(p, fit_center, ["mean"])
    return p.ok


def practice_center(center, CenterParams):
    """Practice checks of `center` (with parameters written out here)."""
    p = Practice("center")
    rng = p.rng

    def by_hand():
        params = CenterParams(mean=np.array([2.0, 4.0]))
        expect_close(call(center, np.array([[1.0, 2.0], [3.0, 6.0]]), params), [[-1.0, -2.0], [1.0, 2.0]],
                     "centring (1, 2) and (3, 6) with the mean (2, 4)")
        expect_close(call(center, np.array([[0.0, 10.0]]), params), [[-2.0, 6.0]],
                     "new data (0, 10): the training mean (2, 4) is subtracted, not the new data's own")

    def new_data():
        params = CenterParams(mean=rng.uniform(-5, 5, 4))
        for N in (1, 6):
            x = _data(rng, N, 4)
            expect_close(call(center, x, params), x - params.mean, f"{N} new sample(s): x - mean", rtol=1e-12,
                         atol=1e-12)

    p.check("small cases by hand", by_hand, hint="subtract params.mean, the mean of the training data.")
    p.check("new data, a single sample included", new_data)
    _apply_dtypes(p, center, lambda rng: CenterParams(mean=rng.uniform(-5, 5, 3)))
    return p.ok


# -- standardization ------------------------------------------------------------------

def practice_fit_standardize(fit_standardize):
    """Practice checks of `fit_standardize`; True when all pass."""
    p = Practice("fit_standardize")
    rng = p.rng

    def by_hand():
        mean, scale = _fields(call(fit_standardize, np.array([[1.0, 2.0], [3.0, 6.0]])), ["mean", "scale"],
                              "the result")
        expect_close(mean, [2.0, 4.0], "mean of (1, 3) and (2, 6)")
        expect_close(scale, [1.0, 2.0], "scale of (1, 3) and (2, 6): the population std (divide by N)")

    def constant_features():
        x = rng.standard_normal((6, 4)) * 2
        x[:, 1] = 0.1                                    # the mean of copies of 0.1 is not exactly 0.1
        x[:, 3] = 1234.5678
        mean, scale = _fields(call(fit_standardize, x), ["mean", "scale"], "the result")
        expect_close(scale[[1, 3]], [1.0, 1.0], "scale of the constant features 0.1 and 1234.5678 (should be 1)",
                     rtol=0, atol=0)
        (scale1,) = _fields(call(fit_standardize, _data(rng, 1, 3)), ["scale"], "the result")
        expect_close(scale1, np.ones(3), "scale for a single sample (every feature is constant)", rtol=0, atol=0)

    def small_and_offset():
        pm = np.tile([-1.0, 1.0], 5)
        x = np.column_stack([5.0 + 1e-6 * pm, 1e6 + pm, pm, 1e-9 * pm, 1e6 + 1e-3 * pm])
        mean, scale = _fields(call(fit_standardize, x), ["mean", "scale"], "the result")
        expect_close(scale, [1e-6, 1.0, 1.0, 1e-9, 1e-3],
                     "scale of real spreads: 1e-6 around 5, 1 around 1e6, 1 around 0, 1e-9 around 0, 1e-3 around "
                     "1e6 (none is constant by the docstring's rule)", rtol=1e-6)
        expect_close(mean, [5.0, 1e6, 0.0, 0.0, 1e6], "mean of the same five features", rtol=1e-12, atol=1e-15)

    p.check("a small case by hand", by_hand, hint="np.std with the default ddof=0 (divide by N).")
    p.check("constant features (0.1 repeated, 1234.5678 repeated, a single sample) get scale 1", constant_features,
            hint="compare the computed variance with the rounding-error bound in the docstring, not with 0.")
    p.check("small but real spreads are not constant; an offset of 1e6 loses no digits", small_and_offset,
            hint="two passes: the mean first, then the mean of the squared deviations (not E[x²] - E[x]²); "
                 "decide 'constant' by the docstring's rounding-error bound, not by a fixed or relative threshold.")
    _dtype_rules(p, fit_standardize, ["mean", "scale"])
    return p.ok


def practice_standardize(standardize, StandardizeParams):
    """Practice checks of `standardize` (with parameters written out here)."""
    p = Practice("standardize")
    rng = p.rng

    def by_hand():
        params = StandardizeParams(mean=np.array([2.0, 4.0]), scale=np.array([1.0, 2.0]))
        expect_close(call(standardize, np.array([[1.0, 2.0], [3.0, 6.0]]), params), [[-1.0, -1.0], [1.0, 1.0]],
                     "standardizing (1, 2) and (3, 6) with mean (2, 4) and scale (1, 2)")
        expect_close(call(standardize, np.array([[2.0, 10.0]]), params), [[0.0, 3.0]],
                     "new data (2, 10): (x - mean) / scale with the training statistics")

    def new_data():
        params = StandardizeParams(mean=rng.uniform(-5, 5, 4), scale=np.array([0.5, 1.0, 3.0, 7.0]))
        for N in (1, 6):
            x = _data(rng, N, 4)
            expect_close(call(standardize, x, params), (x - params.mean) / params.scale, f"{N} new sample(s)",
                         rtol=1e-12, atol=1e-12)

    p.check("small cases by hand", by_hand, hint="centre first, then divide by the scale (not its square).")
    p.check("new data with scales from 0.5 to 7", new_data)
    _apply_dtypes(p, standardize, lambda rng: StandardizeParams(mean=rng.uniform(-5, 5, 3),
                                                                scale=rng.uniform(0.5, 3.0, 3)))
    return p.ok


# -- min-max ----------------------------------------------------------------------

_MINMAX = ["data_min", "data_max", "scale", "min_", "feature_range"]


def practice_fit_minmax(fit_minmax):
    """Practice checks of `fit_minmax`; True when all pass."""
    p = Practice("fit_minmax")
    rng = p.rng

    def by_hand():
        x = np.array([[1.0, 2.0], [3.0, 6.0]])
        lo_, hi_, scale, min_, fr = _fields(call(fit_minmax, x), _MINMAX, "the result")
        expect_close(np.concatenate([lo_, hi_]), [1.0, 2.0, 3.0, 6.0], "data_min and data_max of (1, 3), (2, 6)")
        expect_close(scale, [0.5, 0.25], "scale onto [0, 1]: 1 / range")
        expect_close(min_, [-0.5, -0.5], "min_ onto [0, 1]: 0 - data_min * scale")
        _, _, scale, min_, fr = _fields(call(fit_minmax, x, feature_range=(-1, 1)), _MINMAX, "the result")
        expect_close(np.concatenate([scale, min_]), [1.0, 0.5, -2.0, -2.0], "scale and min_ onto (-1, 1)")

    def ranges():
        x = _data(rng, 8, 3)
        for fr in [(0.0, 1.0), (-1.0, 1.0), (2, 5)]:
            lo_, hi_, scale, min_, stored = _fields(call(fit_minmax, x, feature_range=fr), _MINMAX, "the result")
            expect(tuple(stored) == (float(fr[0]), float(fr[1])) and all(type(v) is float for v in stored),
                   f"feature_range is stored as {stored!r}, expected the floats {(float(fr[0]), float(fr[1]))}")
            expect_close(lo_ * scale + min_, np.full(3, fr[0]), f"the training minimum mapped with {fr} (should be lo)",
                         rtol=1e-12, atol=1e-12)
            expect_close(hi_ * scale + min_, np.full(3, fr[1]), f"the training maximum mapped with {fr} (should be hi)",
                         rtol=1e-12, atol=1e-12)

    def constant():
        x = rng.standard_normal((5, 3))
        x[:, 1] = 5.0
        x[:, 2] = 1.0
        x[0, 2] = 1.0 + 2.0 ** -52           # a range of one rounding error: constant by the docstring's rule
        lo_, hi_, scale, min_, fr = _fields(call(fit_minmax, x), _MINMAX, "the result")
        expect(np.all(np.isfinite(scale)) and np.all(np.isfinite(min_)), "scale or min_ is not finite")
        expect_close([scale[1], min_[1]], [1.0, -5.0], "a constant feature 5: range taken as 1 (scale 1, min_ -5)")
        expect_close(scale[2], 1.0, "a feature whose range is one rounding error (below 10 eps): range taken as 1",
                     rtol=1e-12)
        tiny = np.array([[0.0, 3.0], [1e-13, 3.0]])       # a real range of 1e-13 (well above 10 eps)
        expect_close(_fields(call(fit_minmax, tiny), _MINMAX, "the result")[2][0], 1e13,
                     "scale of a real range of 1e-13 (not constant: only a range below 10 eps is)", rtol=1e-6)
        narrow = np.array([[1.0], [1.0 + 5e-7]], dtype=np.float32)   # below 10 float32 eps (1.2e-6)
        expect_close(_fields(call(fit_minmax, narrow), _MINMAX, "the result")[2][0], 1.0,
                     "scale of a float32 range of 5e-7 (below 10 eps of float32: constant, range taken as 1)",
                     rtol=1e-6)

    p.check("small cases by hand, onto [0, 1] and (-1, 1)", by_hand,
            hint="scale = (hi - lo) / (max - min); min_ = lo - data_min * scale.")
    p.check("feature ranges (0, 1), (-1, 1) and integers (2, 5): the minimum lands on lo, the maximum on hi", ranges,
            hint="use both ends of feature_range, and store them as floats.")
    p.check("constant features, ranges of a rounding error, a real range of 1e-13, a float32 range of 5e-7", constant,
            hint="a range below 10 * eps of the data's own dtype counts as 1 (the docstring's rule), no other one.")
    _dtype_rules(p, fit_minmax, _MINMAX[:4])
    return p.ok


def practice_minmax_scale(minmax_scale, MinMaxParams):
    """Practice checks of `minmax_scale` (with parameters written out here)."""
    p = Practice("minmax_scale")
    rng = p.rng

    def params_for(rng):
        data_min, data_max = rng.uniform(-3, 0, 3), rng.uniform(1, 4, 3)
        data_max[1] = data_min[1]                         # a constant feature: range taken as 1
        rng_ = np.where(data_max > data_min, data_max - data_min, 1.0)
        scale = 2.0 / rng_
        return MinMaxParams(data_min=data_min, data_max=data_max, scale=scale, min_=-1.0 - data_min * scale,
                            feature_range=(-1.0, 1.0))

    def by_hand():
        params = MinMaxParams(data_min=np.array([1.0, 2.0]), data_max=np.array([3.0, 6.0]),
                              scale=np.array([0.5, 0.25]), min_=np.array([-0.5, -0.5]), feature_range=(0.0, 1.0))
        expect_close(call(minmax_scale, np.array([[1.0, 2.0], [3.0, 6.0]]), params), [[0.0, 0.0], [1.0, 1.0]],
                     "the training data (1, 2), (3, 6) lands on [0, 1]")
        expect_close(call(minmax_scale, np.array([[2.0, 10.0], [-1.0, 0.0]]), params), [[0.5, 2.0], [-1.0, -0.5]],
                     "new data outside the training range is not clipped")

    def new_data():
        params = params_for(rng)
        x = _data(rng, 6, 3) * 2
        expect_close(call(minmax_scale, x, params), x * params.scale + params.min_,
                     "new data onto (-1, 1), with a constant feature: x * scale + min_", rtol=1e-12, atol=1e-12)

    p.check("small cases by hand, no clipping", by_hand, hint="x * scale + min_, with the fitted scale and min_.")
    p.check("new data onto (-1, 1), parameters of a constant feature", new_data)
    _apply_dtypes(p, minmax_scale, params_for)
    return p.ok


# -- PCA --------------------------------------------------------------------------

_PCA = ["mean", "components", "explained_variance", "explained_variance_ratio"]


def _check_axes(components, x, variance, what):
    """Orthonormal rows, the sign rule, and the eigen-equation of the covariance."""
    K, D = components.shape
    comps = components.astype(np.float64)
    expect_close(comps @ comps.T, np.eye(K), f"{what}: components @ components.T (rows should be orthonormal)",
                 rtol=0, atol=1e-5)
    top = comps[np.arange(K), np.argmax(np.abs(comps), axis=1)]
    expect(np.all(top > 0), f"{what}: a component whose largest entry (in magnitude) is negative: apply the sign rule")
    xc = x.astype(np.float64) - x.astype(np.float64).mean(axis=0)
    cov = xc.T @ xc / (len(x) - 1)
    expect_close(comps @ cov, variance.astype(np.float64)[:, None] * comps,
                 f"{what}: covariance times each component (should be its variance times the component)",
                 rtol=1e-4, atol=1e-6 * max(1.0, float(np.trace(cov))))
    expect(np.all(np.diff(variance) <= 1e-9 * max(1.0, float(variance[0]))),
           f"{what}: the variances {np.round(variance, 4).tolist()} are not in decreasing order")


def practice_fit_pca(fit_pca):
    """Practice checks of `fit_pca`; True when all pass."""
    p = Practice("fit_pca")
    rng = p.rng

    def by_hand():
        u1, u2 = np.array([0.6, 0.8]), np.array([-0.8, 0.6])
        x = np.array([2 * u1, -2 * u1, u2, -u2]) + np.array([3.0, -1.0])
        mean, comps, var, ratio = _fields(call(fit_pca, x), _PCA, "the result")
        expect_close(mean, [3.0, -1.0], "mean")
        expect_close(comps, [[0.6, 0.8], [0.8, -0.6]], "components (with the sign rule)", atol=1e-12)
        expect_close(var, [8 / 3, 2 / 3], "explained_variance (divided by N - 1 = 3)")
        expect_close(ratio, [0.8, 0.2], "explained_variance_ratio")

    def axes():
        for N, D, K in [(30, 3, None), (40, 5, 2), (12, 1, None), (6, 10, 4)]:
            x = _spread(rng, N, D)
            mean, comps, var, ratio = _fields(call(fit_pca, x) if K is None else call(fit_pca, x, n_components=K),
                                              _PCA, "the result")
            k = min(N, D) if K is None else K
            what = f"data of shape {(N, D)}" + ("" if K is None else f", n_components={K}")
            expect_shape(comps, (k, D), f"components for {what}")
            expect_shape(var, (k,), f"explained_variance for {what}")
            expect_close(mean, x.mean(axis=0), f"mean for {what}", rtol=1e-9, atol=1e-9)
            _check_axes(comps, x, var, what)
            xc = x - x.mean(axis=0)
            total = np.sum(xc * xc) / (N - 1)
            expect_close(ratio, var / total, f"explained_variance_ratio for {what} (variance over the total variance "
                         "of all directions)", rtol=1e-6, atol=1e-9)

    def constant_data():
        mean, comps, var, ratio = _fields(call(fit_pca, np.full((5, 3), 2.5)), _PCA, "the result")
        expect_close(ratio, np.zeros(np.shape(ratio)), "explained_variance_ratio of constant data (the docstring: 0, "
                     "not 0/0)", rtol=0, atol=0)

    p.check("a small case by hand", by_hand,
            hint="rows of V^T from the SVD of the centred data; variances s² / (N - 1); the sign rule.")
    p.check("constant data: ratios 0", constant_data, hint="a total variance of 0 explains nothing: ratio 0.")
    p.check("orthonormal axes sorted by variance, eigenvectors of the covariance; n_components; fewer samples than "
            "features", axes, hint="centre first; keep the first K rows; the ratios divide by the total variance.")
    _dtype_rules(p, fit_pca, _PCA, make=lambda dtype: np.round(_spread(rng, 24, 3) * 8).astype(dtype))
    return p.ok


def practice_pca_transform(pca_transform, PCAParams):
    """Practice checks of `pca_transform` (with parameters written out here)."""
    p = Practice("pca_transform")
    rng = p.rng

    def params_for(rng, K=2, D=3):
        var = np.sort(rng.uniform(0.5, 5.0, K))[::-1]
        return PCAParams(mean=rng.uniform(-3, 3, D), components=_orthonormal(rng, K, D), explained_variance=var,
                         explained_variance_ratio=var / (var.sum() + 1.0))

    def by_hand():
        u1, u2 = np.array([0.6, 0.8]), np.array([-0.8, 0.6])
        x = np.array([2 * u1, -2 * u1, u2, -u2]) + np.array([3.0, -1.0])
        params = PCAParams(mean=np.array([3.0, -1.0]), components=np.array([[0.6, 0.8], [0.8, -0.6]]),
                           explained_variance=np.array([8 / 3, 2 / 3]), explained_variance_ratio=np.array([0.8, 0.2]))
        expect_close(call(pca_transform, x, params), [[2.0, 0.0], [-2.0, 0.0], [0.0, -1.0], [0.0, 1.0]],
                     "the coordinates of ±2 u1 and ±u2", atol=1e-12)

    def new_data():
        for K, D in [(1, 3), (2, 3), (4, 4)]:
            params = params_for(rng, K, D)
            x = _data(rng, 5, D)
            out = expect_shape(call(pca_transform, x, params), (5, K), f"the output with K = {K} of D = {D} axes")
            expect_close(out, (x - params.mean) @ params.components.T,
                         f"the coordinates along {K} axes ((x - mean) @ components.T)", rtol=1e-9, atol=1e-12)

    p.check("a small case by hand", by_hand)
    p.check("new data, K = 1, 2 and 4 axes", new_data,
            hint="centre with the training mean, then project: the result has K columns, one per axis.")
    _apply_dtypes(p, pca_transform, params_for)
    return p.ok


# -- whitening ---------------------------------------------------------------------

_WHITEN = ["mean", "components", "scale", "method", "eps", "explained_variance", "matrix"]


def practice_fit_whiten(fit_whiten):
    """Practice checks of `fit_whiten`; True when all pass."""
    p = Practice("fit_whiten")
    rng = p.rng

    def fields(x, **kwargs):
        return dict(zip(_WHITEN, _fields(call(fit_whiten, x, **kwargs), _WHITEN, "the result")))

    def by_hand():
        u1, u2 = np.array([0.6, 0.8]), np.array([-0.8, 0.6])
        x = np.array([2 * u1, -2 * u1, u2, -u2]) + np.array([3.0, -1.0])
        s1, s2 = np.sqrt(8 / 3), np.sqrt(2 / 3)
        f = fields(x, method="pca", eps=0.0)
        expect_close(f["scale"], [s1, s2], "scale with eps = 0: the standard deviations along the axes")
        expect_close(f["matrix"], np.column_stack([u1 / s1, -u2 / s2]), "the PCA matrix", atol=1e-12)
        f = fields(x, method="zca", eps=0.0)
        expect_close(f["matrix"], np.outer(u1, u1) / s1 + np.outer(u2, u2) / s2, "the ZCA matrix", atol=1e-12)
        expect(f["method"] == "zca" and f["eps"] == 0.0, "method and eps are not stored as given")
        f = fields(x, eps=0.5)
        expect_close(f["scale"], np.sqrt([8 / 3 + 0.5, 2 / 3 + 0.5]), "scale with eps = 0.5: sqrt(variance + eps)")

    def white():
        for method in ("pca", "zca"):
            for eps in (0.0, 1e-5, 0.1):
                x = _spread(rng, 40, 3)
                f = fields(x, method=method, eps=eps)
                what = f"method={method!r}, eps={eps:g}"
                _check_axes(f["components"].astype(np.float64), x, f["explained_variance"], what)
                expect_close(f["scale"], np.sqrt(f["explained_variance"] + eps),
                             f"{what}: scale (should be sqrt(explained_variance + eps))", rtol=1e-9)
                out = (x - f["mean"]) @ f["matrix"]
                cov = np.cov(out, rowvar=False)
                var = f["explained_variance"]
                shrink = var / (var + eps)
                comps = f["components"]
                target = np.diag(shrink) if method == "pca" else comps.T @ np.diag(shrink) @ comps
                expect_close(cov, target, f"{what}: the covariance of the whitened training data", rtol=1e-6,
                             atol=1e-8)
                if method == "zca":
                    expect_close(f["matrix"], f["matrix"].T, f"{what}: the ZCA matrix (should be symmetric: "
                                 "rotate back to the original axes)", rtol=1e-9, atol=1e-12)

    def zero_variance():
        x = _spread(rng, 20, 4)
        x[:, 2] = 2.5
        f = fields(x, method="zca")
        expect(np.all(np.isfinite(f["matrix"])), "a constant feature with eps = 1e-5: the matrix is not finite")
        expect_close(f["explained_variance"][-1], 0.0, "the variance of the constant direction", rtol=0, atol=1e-9)
        x = _spread(rng, 3, 5)
        f = fields(x)
        expect_shape(f["matrix"], (5, 5), "the matrix for 3 samples of 5 features (keep all D axes)")
        expect_shape(f["components"], (5, 5), "the components for 3 samples of 5 features")

    p.check("a small case by hand: PCA, ZCA, eps", by_hand,
            hint="scale = sqrt(variance + eps); PCA: W = U diag(1/scale); ZCA: W = U diag(1/scale) U^T.")
    p.check("both methods, eps = 0, 1e-5, 0.1: the whitened training data has the right covariance", white)
    p.check("a constant feature, and fewer samples than features (all D axes kept)", zero_variance)
    _dtype_rules(p, fit_whiten, ["mean", "components", "scale", "explained_variance", "matrix"],
                 make=lambda dtype: np.round(_spread(rng, 32, 3) * 8).astype(dtype))
    return p.ok


def practice_whiten(whiten, WhitenParams):
    """Practice checks of `whiten` (with parameters written out here)."""
    p = Practice("whiten")
    rng = p.rng

    def params_for(rng, method="pca", D=3):
        comps = _orthonormal(rng, D, D)
        var = np.sort(rng.uniform(0.5, 5.0, D))[::-1]
        scale = np.sqrt(var + 1e-5)
        matrix = comps.T / scale
        if method == "zca":
            matrix = matrix @ comps
        return WhitenParams(mean=rng.uniform(-3, 3, D), components=comps, scale=scale, method=method, eps=1e-5,
                            explained_variance=var, matrix=matrix)

    def both_methods():
        for method in ("pca", "zca"):
            params = params_for(rng, method)
            x = _data(rng, 6, 3)
            expect_close(call(whiten, x, params), (x - params.mean) @ params.matrix,
                         f"method={method!r}: (x - mean) @ matrix", rtol=1e-9, atol=1e-12)
            expect_close(call(whiten, x[:1], params), (x[:1] - params.mean) @ params.matrix,
                         f"method={method!r}, a single sample", rtol=1e-9, atol=1e-12)

    p.check("PCA and ZCA parameters, a single sample included", both_methods,
            hint="centre with the training mean, then multiply by params.matrix (samples are rows).")
    _apply_dtypes(p, whiten, lambda rng: params_for(rng, "zca"))
    return p.ok


SELF_CHECKS = {
    "fit_center": practice_fit_center, "center": practice_center,
    "fit_standardize": practice_fit_standardize, "standardize": practice_standardize,
    "fit_minmax": practice_fit_minmax, "minmax_scale": practice_minmax_scale,
    "fit_pca": practice_fit_pca, "pca_transform": practice_pca_transform,
    "fit_whiten": practice_fit_whiten, "whiten": practice_whiten,
}
