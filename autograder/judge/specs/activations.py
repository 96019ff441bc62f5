"""Hidden cases for the activations chapter.

Element-wise activations are tried on random shapes (one of them a single
row), a 1-D vector, matrices with exact zeros (the kink of ReLU-like
functions), values up to ±1e4 (overflow of naive ``exp``), float32 input and
a 4-D batch. Leaky ReLU (and ELU) are tried across their parameter's range:
the default slope, a slope in (0, 1), ``alpha = 0`` (plain ReLU) and a slope
above 1 (where ``np.maximum(x, alpha * x)`` picks the wrong branch), each
also with exact zeros, where the slope ``alpha`` applies. Softmax is tried
on 1-D, 2-D and 3-D scores along the last axis, along axis 0 and along the
middle axis of a 3-D array, on rows of equal scores and rows whose maximum
is tied. Backward passes receive a cache made by the *reference* forward
pass, so a wrong forward pass never costs the backward pass's points.

Contract checked besides the values: every result keeps the floating dtype
of ``x`` (float32 in gives float32 out); a cache must be the given
``NamedTuple`` (its fields are compared by value, whatever their dtype);
softmax's ``axis`` field is compared as an axis: ``-1`` and ``1`` are the
same axis of a 2-D array. Inputs, caches included, are read-only.

Tolerances: float64 results must agree to ``rtol=1e-10, atol=1e-13``. A
correct implementation differs from ours by rounding only (measured: at most
1e-13 relative, over all the alternatives in ``tests/grading`` and 40
students), while a float64 result computed in float32 is off by 5e-8 or more
on every student's cases: such a float32 shortcut is always caught.
ReLU's forward and backward passes are exact (tolerance 0). float32 results
must agree to ``rtol=1e-4, atol=1e-6``; softmax's float32 tolerance is
looser (``rtol=2e-3, atol=1e-5``): with scores up to ±1e4, the textbook
``exp(x - logsumexp(x))`` rounds the ~1e4 normaliser to float32, an absolute
error of ~6e-4 in the exponent.
"""
import numpy as np

from autograder.judge.specs import Case, away_from, hidden, large, normal, same_axis, shapes, with_zeros
from solutions import activations as ref

# Graded elementwise activations whose generic cases suffice: name -> kinks the backward check
# stays away from. ReLU and leaky ReLU have cases of their own below (exact zeros, slopes).
ELEMENTWISE = {"sigmoid": (), "tanh": ()}


def _forward_cases(rng):
    for shape in shapes(rng, 3):
        yield Case(f"float64 input of shape {shape}", (normal(rng, shape, 3.0),))
    yield Case("a 1-D vector", (normal(rng, (9,), 3.0),))
    yield Case("input with exact zeros", (with_zeros(rng, (7, 5)),))
    yield Case("values up to ±1e4", (large(rng, (6, 4)),))
    yield Case("float32 input", (normal(rng, (5, 3), 3.0, np.float32),))
    yield Case("float32 values up to ±1e4", (large(rng, (4, 4), dtype=np.float32),))
    yield Case("4-D batch (N, C, H, W)", (normal(rng, (2, 3, 4, 5), 2.0),))


def _backward_cases(forward, kinks):
    def cases(rng):
        for shape in shapes(rng, 3):
            x = away_from(rng, shape, kinks)
            yield Case(f"float64 input of shape {shape}", (normal(rng, shape), forward(x)[1]))
        x = large(rng, (5, 4))
        yield Case("values up to ±1e4", (normal(rng, x.shape), forward(x)[1]))
        x = away_from(rng, (4, 6), kinks, dtype=np.float32)
        yield Case("float32 input", (normal(rng, x.shape, dtype=np.float32), forward(x)[1]))
    return cases


def _register_elementwise():
    for name, kinks in ELEMENTWISE.items():
        forward = getattr(ref, f"{name}_forward")
        hidden(f"activations.{name}_forward", rtol32=1e-4, atol32=1e-6)(_forward_cases)
        hidden(f"activations.{name}_backward", rtol32=1e-4, atol32=1e-6)(_backward_cases(forward, kinks))


_register_elementwise()


@hidden("activations.relu_forward", rtol=0.0, atol=0.0, rtol32=0.0, atol32=0.0,
        why="ReLU is exact: max(x, 0) has no rounding error.")
def _relu_forward_cases(rng):
    yield from _forward_cases(rng)


@hidden("activations.relu_backward", rtol=0.0, atol=0.0, rtol32=0.0, atol32=0.0,
        why="exact; at x == 0 the gradient must be 0 (the course's convention).")
def _relu_backward_cases(rng):
    yield from _backward_cases(ref.relu_forward, ())(rng)
    x = with_zeros(rng, (6, 6))
    yield Case("input with exact zeros (gradient 0 there)", (normal(rng, x.shape), ref.relu_forward(x)[1]))


def _softmax_inputs(rng):
    for shape in shapes(rng, 3):
        yield f"scores of shape {shape}", normal(rng, shape, 3.0), {}
    yield "a 1-D vector of 7 scores", normal(rng, (7,), 3.0), {}
    tied = np.repeat(normal(rng, (4, 1)), 5, axis=1)
    yield "rows with all scores equal (ties in the max)", tied, {}
    x = normal(rng, (5, 4), 2.0)
    x[:, 1] = x[:, 3] = x.max(axis=1) + 1.0
    yield "rows whose maximum is reached twice", x, {}
    yield "scores up to ±1e4", large(rng, (5, 6)), {}
    yield "float32 scores up to ±1e4", large(rng, (3, 7), dtype=np.float32), {}
    yield "softmax along axis 0", normal(rng, (6, 3), 2.0), {"axis": 0}
    yield "axis=1 of 2-D scores (the last axis)", normal(rng, (4, 5), 2.0), {"axis": 1}
    yield "3-D scores (N, T, C), default axis", normal(rng, (2, 3, 4), 2.0), {}
    yield "3-D scores along the middle axis (axis=1)", normal(rng, (3, 4, 2), 2.0), {"axis": 1}
    yield "3-D scores along axis=-2", normal(rng, (2, 5, 3), 2.0), {"axis": -2}


_SAME_AXIS = {"SoftmaxCache.axis": same_axis("out"), "LogSoftmaxCache.axis": same_axis("out")}


@hidden("activations.softmax_forward", rtol32=2e-3, atol32=1e-5, normalise=_SAME_AXIS,
        why="float32 scores up to ±1e4 leave ~1e-3 relative error in a correct log-sum-exp form; "
            "the cache's axis is compared as an axis (-1 and 1 are the last axis of 2-D scores).")
def _softmax_forward_cases(rng):
    for label, x, kwargs in _softmax_inputs(rng):
        yield Case(label, (x,), kwargs)


@hidden("activations.softmax_backward", rtol32=2e-3, atol32=1e-5)
def _softmax_backward_cases(rng):
    for label, x, kwargs in _softmax_inputs(rng):
        yield Case(label, (normal(rng, x.shape, dtype=x.dtype), ref.softmax_forward(x, **kwargs)[1]))
    x = normal(rng, (3, 6), 2.0)
    out, _ = ref.softmax_forward(x)
    yield Case("a cache that stores the last axis of 2-D scores as 1",
               (normal(rng, x.shape), ref.SoftmaxCache(out, 1)))


def _slopes(rng):
    """(label, alpha) across the range of a slope: small, in (0, 1), 0 and above 1."""
    yield "alpha = 0.2", 0.2
    a = float(np.round(rng.uniform(0.05, 0.95), 3))
    yield f"alpha = {a:g} (between 0 and 1)", a
    yield "alpha = 0 (plain ReLU)", 0.0
    a = float(np.round(rng.uniform(1.5, 5.0), 3))
    yield f"alpha = {a:g} (a slope above 1)", a


@hidden("activations.leaky_relu_forward", rtol32=1e-6, atol32=1e-7,
        why="slopes 0, in (0, 1) and above 1, each with exact zeros (slope alpha there).")
def _leaky_cases(rng):
    yield from _forward_cases(rng)
    for label, alpha in _slopes(rng):
        yield Case(f"{label}, with exact zeros", (with_zeros(rng, (5, 5)),), {"alpha": alpha})
    a = float(np.round(rng.uniform(1.5, 5.0), 3))
    yield Case(f"float32 input, alpha = {a:g}", (normal(rng, (4, 3), 2.0, np.float32),), {"alpha": a})


@hidden("activations.leaky_relu_backward", rtol32=1e-4, atol32=1e-6,
        why="caches with slopes 0, in (0, 1) and above 1; the slope alpha applies at x == 0.")
def _leaky_backward_cases(rng):
    yield from _backward_cases(ref.leaky_relu_forward, (0.0,))(rng)
    for label, alpha in _slopes(rng):
        x = with_zeros(rng, (5, 4))
        yield Case(f"{label}, with exact zeros", (normal(rng, x.shape), ref.leaky_relu_forward(x, alpha=alpha)[1]))
    x = with_zeros(rng, (6, 5))
    yield Case("input with exact zeros (slope alpha there)", (normal(rng, x.shape), ref.leaky_relu_forward(x)[1]))
    x = with_zeros(rng, (3, 4), dtype=np.float32)
    yield Case("float32 input, alpha = 2.5", (normal(rng, x.shape, dtype=np.float32),
                                              ref.leaky_relu_forward(x, alpha=2.5)[1]))
