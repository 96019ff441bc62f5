"""Hidden cases for the activations chapter.

Element-wise activations are tried on random shapes (one of them a single
row), on matrices with exact zeros (the kink of ReLU-like functions), on values
up to ±1e4 (overflow of naive ``exp``), on float32 input and on a 4-D batch.
Backward passes receive a cache made by the *reference* forward pass, so a
wrong forward pass never costs the backward pass's points.

Tolerances: float64 results must agree to ``rtol=1e-7, atol=1e-10`` (a
correct implementation differs from ours only by rounding, ~1e-15); float32
to ``rtol=1e-4, atol=1e-6``. Softmax's float32 tolerance is looser
(``rtol=2e-3, atol=1e-5``): with scores up to ±1e4, the textbook
``exp(x - logsumexp(x))`` rounds the ~1e4 normaliser to float32, an absolute
error of ~6e-4 in the exponent.
"""
from autograder.specs import Case, away_from, hidden, large, normal, shapes, with_zeros
from solutions import activations as ref

import numpy as np

# name -> kinks the backward check stays away from
ELEMENTWISE = {
    "sigmoid": (), "tanh": (), "relu": (0.0,), "leaky_relu": (0.0,), "elu": (0.0,),
    "relu6": (0.0, 6.0), "softplus": (), "gelu": (), "mish": (),
}


def _forward_cases(rng):
    for shape in shapes(rng, 3):
        yield Case(f"float64 input of shape {shape}", (normal(rng, shape, 3.0),))
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
    tied = np.repeat(normal(rng, (4, 1)), 5, axis=1)
    yield "rows with all scores equal (ties in the max)", tied, {}
    yield "scores up to ±1e4", large(rng, (5, 6)), {}
    yield "float32 scores up to ±1e4", large(rng, (3, 7), dtype=np.float32), {}
    yield "softmax along axis 0", normal(rng, (6, 3), 2.0), {"axis": 0}


@hidden("activations.softmax_forward", rtol32=2e-3, atol32=1e-5,
        why="float32 scores up to ±1e4 leave ~1e-3 relative error in a correct log-sum-exp form")
def _softmax_forward_cases(rng):
    for label, x, kwargs in _softmax_inputs(rng):
        yield Case(label, (x,), kwargs)


@hidden("activations.softmax_backward", rtol32=2e-3, atol32=1e-5)
def _softmax_backward_cases(rng):
    for label, x, kwargs in _softmax_inputs(rng):
        yield Case(label, (normal(rng, x.shape, dtype=x.dtype), ref.softmax_forward(x, **kwargs)[1]))


@hidden("activations.log_softmax_forward", atol32=1e-4)
def _log_softmax_forward_cases(rng):
    for label, x, kwargs in _softmax_inputs(rng):
        yield Case(label, (x,), kwargs)


@hidden("activations.log_softmax_backward", atol32=1e-5)
def _log_softmax_backward_cases(rng):
    for label, x, kwargs in _softmax_inputs(rng):
        yield Case(label, (normal(rng, x.shape, dtype=x.dtype), ref.log_softmax_forward(x, **kwargs)[1]))


@hidden("activations.leaky_relu_backward", rtol32=1e-4, atol32=1e-6)
def _leaky_backward_cases(rng):
    yield from _backward_cases(ref.leaky_relu_forward, (0.0,))(rng)
    x = normal(rng, (5, 4))
    yield Case("alpha = 0.2", (normal(rng, x.shape), ref.leaky_relu_forward(x, alpha=0.2)[1]))
    x = with_zeros(rng, (6, 5))
    yield Case("input with exact zeros (slope alpha there)", (normal(rng, x.shape), ref.leaky_relu_forward(x)[1]))


@hidden("activations.leaky_relu_forward", rtol32=1e-6, atol32=1e-7)
def _leaky_cases(rng):
    yield from _forward_cases(rng)
    yield Case("alpha = 0.2", (normal(rng, (5, 5)),), {"alpha": 0.2})
