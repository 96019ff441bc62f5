"""Tests of solutions.layers: the affine layer."""
import numpy as np
import pytest
from numpy.testing import assert_allclose

from coursekit.checking import rel_error
from coursekit.gradcheck import numerical_gradient
from solutions.layers import AffineCache, affine_backward, affine_forward

SHAPES = [(1, 1, 1), (2, 3, 4), (5, 4, 3), (7, 1, 6)]


def _affine_loop(x, w, b):
    """Slow reference: every output as an explicit sum."""
    N, D = x.shape
    M = w.shape[1]
    out = np.zeros((N, M))
    for n in range(N):
        for j in range(M):
            total = b[j]
            for d in range(D):
                total += x[n, d] * w[d, j]
            out[n, j] = total
    return out


def _data(rng, N, D, M, dtype=np.float64):
    x = rng.normal(size=(N, D)).astype(dtype)
    w = rng.normal(size=(D, M)).astype(dtype)
    b = rng.normal(size=M).astype(dtype)
    return x, w, b


@pytest.mark.parametrize("N, D, M", SHAPES)
@pytest.mark.parametrize("seed", [0, 1])
def test_affine_forward_matches_loop(N, D, M, seed):
    x, w, b = _data(np.random.default_rng(seed), N, D, M)
    out, cache = affine_forward(x, w, b)
    assert out.shape == (N, M)
    assert_allclose(out, _affine_loop(x, w, b), rtol=1e-12, atol=1e-12)
    assert isinstance(cache, AffineCache)


@pytest.mark.parametrize("N, D, M", SHAPES)
def test_affine_backward_numerical(N, D, M):
    rng = np.random.default_rng(42)
    x, w, b = _data(rng, N, D, M)
    dout = rng.normal(size=(N, M))
    _, cache = affine_forward(x, w, b)
    dx, dw, db = affine_backward(dout, cache)
    assert dx.shape == x.shape and dw.shape == w.shape and db.shape == b.shape
    dx_num = numerical_gradient(lambda v: affine_forward(v, w, b)[0], x, dout)
    dw_num = numerical_gradient(lambda v: affine_forward(x, v, b)[0], w, dout)
    db_num = numerical_gradient(lambda v: affine_forward(x, w, v)[0], b, dout)
    assert rel_error(dx, dx_num) < 1e-7
    assert rel_error(dw, dw_num) < 1e-7
    assert rel_error(db, db_num) < 1e-7


def test_affine_backward_closed_form():
    rng = np.random.default_rng(3)
    x, w, b = _data(rng, 4, 3, 2)
    dout = rng.normal(size=(4, 2))
    dx, dw, db = affine_backward(dout, affine_forward(x, w, b)[1])
    # Independent: sum of outer products over the batch.
    dw_ref = sum(np.outer(x[n], dout[n]) for n in range(4))
    assert_allclose(dw, dw_ref, rtol=1e-12, atol=1e-12)
    assert_allclose(db, dout.sum(axis=0), rtol=1e-12, atol=1e-12)
    assert_allclose(dx, np.einsum("nm,dm->nd", dout, w), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_affine_dtype_preserved(dtype):
    rng = np.random.default_rng(5)
    x, w, b = _data(rng, 3, 4, 2, dtype)
    out, cache = affine_forward(x, w, b)
    dx, dw, db = affine_backward(rng.normal(size=(3, 2)).astype(dtype), cache)
    for arr in (out, dx, dw, db):
        assert arr.dtype == dtype
    x64, w64, b64 = (a.astype(np.float64) for a in (x, w, b))
    assert_allclose(out, _affine_loop(x64, w64, b64), rtol=1e-5, atol=1e-5)


def test_affine_integer_input_promoted():
    x = np.array([[1, 2], [3, 4]])
    w = np.array([[1, 0, 2], [0, 1, -1]])
    b = np.array([0, 1, 2])
    out, _ = affine_forward(x, w, b)
    assert out.dtype == np.float64
    assert_allclose(out, _affine_loop(x, w, b), rtol=0, atol=0)


def test_affine_no_mutation():
    rng = np.random.default_rng(7)
    x, w, b = _data(rng, 4, 3, 2)
    dout = rng.normal(size=(4, 2))
    copies = [a.copy() for a in (x, w, b, dout)]
    _, cache = affine_forward(x, w, b)
    affine_backward(dout, cache)
    for arr, copy in zip((x, w, b, dout), copies):
        assert_allclose(arr, copy, rtol=0, atol=0)


@pytest.mark.parametrize(
    "x_shape, w_shape, b_shape",
    [
        ((2, 3), (4, 2), (2,)),  # D mismatch
        ((2, 3), (3, 2), (3,)),  # M mismatch
        ((3,), (3, 2), (2,)),  # x not 2-D
        ((2, 3), (3,), (1,)),  # w not 2-D
        ((2, 3), (3, 2), (1, 2)),  # b not 1-D
    ],
)
def test_affine_invalid_shapes(x_shape, w_shape, b_shape):
    with pytest.raises(ValueError):
        affine_forward(np.ones(x_shape), np.ones(w_shape), np.ones(b_shape))


def test_affine_backward_wrong_dout_shape():
    _, cache = affine_forward(np.ones((2, 3)), np.ones((3, 4)), np.ones(4))
    with pytest.raises(ValueError):
        affine_backward(np.ones((2, 3)), cache)
