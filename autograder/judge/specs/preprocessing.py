"""Hidden cases for the preprocessing chapter.

Fit functions return a parameter ``NamedTuple``; every field is compared
(arrays, and ``feature_range``, ``method``, ``eps`` as values). Apply
functions receive parameters fitted by the *reference* fit function (on
other, "training" data than the data they transform), so a wrong fit never
costs the apply function's points.

Inputs: random shapes (one a single sample, where every feature is
constant), one feature, integer data, float32 data, features with a large
offset (1e6: a one-pass ``E[x²] - E[x]²`` variance loses every digit
there). The near-constant rules of the docstrings are probed on both sides.
Standardization: constant features whose computed mean is not exact (0.1
repeated), a feature of about 1e6 that varies only in its last bits (both
must count as constant: an exact-zero test misses them), and features with a
small but real spread (std about 1e-6 around 5, about 1e-10 around 0, and
1e-3 around 1e6: none is constant, so absolute thresholds such as
``np.isclose(std, 0)`` and relative ones such as ``std < 1e-8 * |mean|`` are
caught). Min-max: ranges just below and above ``10 * eps`` of the data's dtype
(1e-15 and 1e-13 in float64, 5e-7 and 1e-5 in float32), other
``feature_range`` values and new data outside the training range (no
clipping). PCA and whitening data have well-separated variances (so that
every principal axis is well defined and a correct eigen-solver agrees with
the SVD to about 1e-12); PCA is also tried with ``n_components`` from 1 to
``min(N, D)``, with fewer samples than features, and on a constant feature
(total variance 0: the ratio is 0, not NaN); whitening with both methods,
``eps`` = 0, 1e-5, 0.1 and 10 (above every variance), and a constant
feature (one direction of exactly zero variance) with ``eps > 0``.

Contract checked besides the values: every array, fitted or transformed, is
in the floating dtype of ``x`` (float32 in gives float32 out; integer data
gives float64), and fitted parameters come back as the given ``NamedTuple``.
Inputs, fitted parameters included, are read-only.

Tolerances: centering, standardization and their fits agree to the defaults
``rtol=1e-10, atol=1e-13`` (float32: ``rtol=1e-4, atol=1e-5``); min-max
scaling of new data to ``rtol=1e-6, atol=1e-8``, because the documented
``x * scale + min_`` and the equally right ``(x - data_min) * scale + lo``
differ by 2e-8 relative on features with an offset of 1e6. PCA and whitening
agree to ``rtol=1e-9, atol=1e-11`` (float32: ``rtol=1e-3, atol=1e-4``): an
eigendecomposition of the covariance and an SVD of the data round
differently (measured: 7e-12 at most). Every float64 result computed in
float32 is off by 3e-8 (the mean of a feature) to 0.2 (anything at an offset
of 1e6) on every student's cases: the float32 shortcut is always caught.
"""
import numpy as np

from autograder.judge.specs import Case, hidden, normal, shapes
from solutions import preprocessing as ref

_PCA_TOL = {"rtol": 1e-9, "atol": 1e-11, "rtol32": 1e-3, "atol32": 1e-4}


def _shapes(rng, count, **kwargs):
    """Random shapes (one a single row) as tuples of Python ints, for readable labels."""
    return [tuple(int(n) for n in shape) for shape in shapes(rng, count, **kwargs)]


def _data(rng, count=3):
    """(label, x) training-like data sets for the scalers."""
    for shape in _shapes(rng, count, low=1, high=9):
        yield f"data of shape {shape}", normal(rng, shape, 3.0) + rng.uniform(-5, 5, shape[1])
    yield "a single feature (N, 1)", normal(rng, (9, 1), 2.0) - 4.0
    yield "integer data", rng.integers(-20, 21, size=(7, 4))
    yield "features with a large offset (about 1e6)", 1e6 + normal(rng, (12, 3))
    yield "float32 data", (normal(rng, (10, 4), 2.0) + 1.0).astype(np.float32)


def _new_data(rng, x):
    """Other samples with the same features as ``x`` (test data)."""
    d = np.asarray(x).shape[1]
    return normal(rng, (int(rng.integers(1, 8)), d), 4.0) + np.asarray(x, dtype=np.float64).mean(axis=0)


def _with_constant_features(rng):
    x = normal(rng, (6, 4), 2.0)
    x[:, 1] = 0.1  # the mean of copies of 0.1 is not exactly 0.1
    x[:, 3] = 7.0  # exact: the deviation is exactly 0
    return x


# -- centering -----------------------------------------------------------------

@hidden("preprocessing.fit_center")
def _fit_center_cases(rng):
    for label, x in _data(rng):
        yield Case(label, (x,))


def _apply_cases(rng, fit, fit_kwargs=()):
    """Cases (x, params) for an apply function, params from the reference ``fit``."""
    for kw in fit_kwargs or ({},):
        for label, x in _data(rng, 2):
            params = fit(x, **kw)
            extra = f" ({', '.join(f'{k}={v!r}' for k, v in kw.items())})" if kw else ""
            yield Case(f"the training data itself: {label}{extra}", (x, params))
            new = _new_data(rng, x)
            if np.issubdtype(np.asarray(x).dtype, np.floating):
                new = new.astype(x.dtype)
            yield Case(f"new data, parameters fitted on {label}{extra}", (new, params))


@hidden("preprocessing.center")
def _center_cases(rng):
    yield from _apply_cases(rng, ref.fit_center)
    x = normal(rng, (5, 3))
    yield Case("float32 data, float64 parameters", (x.astype(np.float32), ref.fit_center(normal(rng, (8, 3)))))


# -- standardization -------------------------------------------------------------

@hidden("preprocessing.fit_standardize")
def _fit_standardize_cases(rng):
    for label, x in _data(rng):
        yield Case(label, (x,))
    yield Case("constant features (one of repeated 0.1, one of repeated 7.0)", (_with_constant_features(rng),))
    x = normal(rng, (8, 3))
    x[:, 2] = 1234.5678
    yield Case("a constant feature of repeated 1234.5678", (x,))
    x = normal(rng, (10, 2))
    x[:, 0] = 5.0 + 1e-6 * rng.standard_normal(10)
    yield Case("a feature with a small but real spread (std about 1e-6)", (x,))
    x = normal(rng, (9, 3))
    x[:, 0] = 1e-10 * rng.standard_normal(9)
    x[:, 2] = 1e6 + 1e-3 * rng.standard_normal(9)
    yield Case("tiny but real spreads: std 1e-10 around 0, std 1e-3 around 1e6 (not constant)", (x,))
    x = normal(rng, (10, 3))
    x[:, 1] = 1e6 + np.spacing(1e6) * rng.integers(0, 4, 10)
    yield Case("a feature of 1e6 that varies only in its last bits (constant)", (x,))


@hidden("preprocessing.standardize")
def _standardize_cases(rng):
    yield from _apply_cases(rng, ref.fit_standardize)
    train = _with_constant_features(rng)
    params = ref.fit_standardize(train)
    yield Case("training data with constant features", (train, params))
    yield Case("new data, parameters with constant features (scale 1)", (_new_data(rng, train), params))


# -- min-max ---------------------------------------------------------------------

@hidden("preprocessing.fit_minmax")
def _fit_minmax_cases(rng):
    for label, x in _data(rng):
        yield Case(label, (x,))
    yield Case("feature_range = (-1, 1)", (normal(rng, (7, 3), 2.0),), {"feature_range": (-1.0, 1.0)})
    yield Case("feature_range = (2, 5) given as integers", (normal(rng, (6, 4)),), {"feature_range": (2, 5)})
    yield Case("constant features", (_with_constant_features(rng),))
    yield Case("float32 data, feature_range = (-1, 1)", (normal(rng, (5, 3), dtype=np.float32),),
               {"feature_range": (-1.0, 1.0)})
    x = normal(rng, (6, 3))
    x[:, 0] = rng.permutation([0.0, 1e-15, 2e-16, 5e-16, 1e-16, 0.0])  # range 1e-15 < 10 eps: constant
    x[:, 2] = rng.permutation([2e-14, 1.2e-13, 5e-14, 2e-14, 7e-14, 1e-13])  # range 1e-13 > 10 eps: not constant
    yield Case("float64 features with ranges 1e-15 (constant) and 1e-13 (not constant)", (x,))
    x = normal(rng, (5, 3), dtype=np.float32)
    x[:, 1] = np.float32(1.0) + np.float32(5e-7) * rng.permutation([0.0, 1.0, 0.5, 0.0, 1.0]).astype(np.float32)
    x[:, 2] = rng.permutation([0.0, 1e-5, 3e-6, 0.0, 5e-6]).astype(np.float32)
    yield Case("float32 features with ranges of about 5e-7 (constant) and 1e-5 (not)", (x,))


@hidden("preprocessing.minmax_scale", rtol=1e-6, atol=1e-8,
        why="x * scale + min_ and (x - data_min) * scale + lo differ by 2e-8 at an offset of 1e6.")
def _minmax_scale_cases(rng):
    yield from _apply_cases(rng, ref.fit_minmax, ({}, {"feature_range": (-1.0, 1.0)}))
    train = _with_constant_features(rng)
    params = ref.fit_minmax(train)
    yield Case("new data, parameters with constant features", (_new_data(rng, train), params))


# -- PCA -------------------------------------------------------------------------

def _spread(rng, N, D, dtype=np.float64):
    """N samples whose covariance has D well-separated eigenvalues along random axes."""
    q, _ = np.linalg.qr(rng.standard_normal((D, D)))
    stds = 3.0 * 0.6 ** np.arange(D)  # variances 9, 3.24, 1.17, ...: well apart
    x = (rng.standard_normal((N, D)) * stds) @ q.T + rng.uniform(-3, 3, D)
    return x.astype(dtype)


def _pca_data(rng):
    for N, D in ((30, 3), (50, 5), (2 * int(rng.integers(5, 15)), 2)):
        yield f"data of shape {(N, D)}", _spread(rng, N, D), {}
    yield "a single feature", _spread(rng, 12, 1), {}
    yield "n_components = 2 of 5 features", _spread(rng, 40, 5), {"n_components": 2}
    yield "n_components = 1 of 4 features", _spread(rng, 30, 4), {"n_components": 1}
    yield "n_components = 3 of 3 features (all of them)", _spread(rng, 25, 3), {"n_components": 3}
    yield "fewer samples than features (6, 10), n_components = 4", _spread(rng, 6, 10), {"n_components": 4}
    yield "integer data", np.round(_spread(rng, 25, 3) * 10).astype(np.int64), {}
    yield "float32 data", _spread(rng, 40, 4, np.float32), {}


@hidden("preprocessing.fit_pca", **_PCA_TOL)
def _fit_pca_cases(rng):
    for label, x, kw in _pca_data(rng):
        yield Case(label, (x,), kw)
    x = np.full((7, 1), float(rng.integers(-20, 21)) / 4)  # a multiple of 1/4: every mean of it is exact
    yield Case("a single constant feature (total variance 0: the ratio is 0)", (x,))


@hidden("preprocessing.pca_transform", **_PCA_TOL)
def _pca_transform_cases(rng):
    for label, x, kw in _pca_data(rng):
        params = ref.fit_pca(x, **kw)
        yield Case(f"the training data itself: {label}", (x, params))
        new = _new_data(rng, x)
        yield Case(f"new data, parameters fitted on {label}",
                   (new.astype(x.dtype) if np.issubdtype(x.dtype, np.floating) else new, params))


# -- whitening -------------------------------------------------------------------

def _whiten_data(rng):
    for method in ("pca", "zca"):
        yield f"data of shape (40, 3), method={method!r}", _spread(rng, 40, 3), {"method": method}
        yield f"data of shape (60, 5), method={method!r}, eps=0", _spread(rng, 60, 5), {"method": method, "eps": 0.0}
        yield f"data of shape (30, 4), method={method!r}, eps=0.1", _spread(rng, 30, 4), {"method": method, "eps": 0.1}
        yield (f"data of shape (25, 3), method={method!r}, eps=10 (above every variance)", _spread(rng, 25, 3),
               {"method": method, "eps": 10.0})
        x = _spread(rng, 20, 4)
        x[:, 2] = 2.5
        yield f"a constant feature (zero variance), method={method!r}", x, {"method": method}
        yield f"float32 data, method={method!r}", _spread(rng, 50, 3, np.float32), {"method": method}
    yield "two features, default method and eps", _spread(rng, 15, 2), {}
    yield "integer data, method='zca'", np.round(_spread(rng, 30, 3) * 10).astype(np.int64), {"method": "zca"}


@hidden("preprocessing.fit_whiten", **_PCA_TOL)
def _fit_whiten_cases(rng):
    for label, x, kw in _whiten_data(rng):
        yield Case(label, (x,), kw)


@hidden("preprocessing.whiten", **_PCA_TOL)
def _whiten_cases(rng):
    for label, x, kw in _whiten_data(rng):
        params = ref.fit_whiten(x, **kw)
        if "constant" in label or "float32" in label or "integer" in label:
            yield Case(f"the training data itself: {label}", (x, params))
        else:
            new = _new_data(rng, x)
            yield Case(f"new data, parameters fitted on {label}", (new, params))
