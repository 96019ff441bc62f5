"""Hidden cases for the normalization chapter.

Batch norm's forward pass is graded on its three results — ``out``, the cache
and the returned running statistics — in training and in evaluation mode, on
running statistics that are not the initial ones (as after a few earlier
training steps), with ``momentum`` across its range (0: the running
statistics stay, 0.01, 0.1, 0.5, and 1: they become the batch's), ``eps``
from 1e-3 to 1, a constant feature (variance 0), values up to ±1e4, a single
sample in evaluation mode, float32 input, and float32 input with float64
running statistics (``new_running`` keeps the dtype of ``running``). The
running statistics must follow PyTorch's rule (unbiased batch variance in
the running average, biased one for normalising). Every input array,
the running statistics' included, is read-only: an implementation that
updates them in place (instead of returning new ones) fails with
"assignment destination is read-only".

Layer norm is tried on 2-D, 3-D and 4-D input, a single row, a constant row,
``eps`` up to 1 and float32; group norm on (N, C, H, W) with G = 1, G = C
and values in between, a single sample, (N, C) input without spatial axes,
(N, C, L) input with one spatial axis, and float32.

Backward passes receive a cache made by the *reference* forward pass, so a
wrong forward pass never costs the backward pass's points; batch norm's two
backward passes see caches from training and from evaluation mode. Caches
are read-only too.

Contract checked besides the values: ``out`` and every gradient have the
floating dtype of ``x`` (float32 in gives float32 out); ``new_running`` is a
``RunningStats`` in the dtype of ``running``; caches must be the given
``NamedTuple`` (field names and shapes as documented; their dtypes are free).

Tolerances: float64 results must agree to ``rtol=1e-9, atol=1e-11``: a
correct implementation differs from ours by rounding only (measured: at
most 2e-12 relative, for the step-by-step backward pass; the gradients of a
normalisation are differences of sums, so the absolute floor is a little
above the activations chapter's), while every float64 result computed in
float32 is off by 8e-7 or more on every student's cases: that shortcut is
always caught. float32 results to ``rtol=1e-4, atol=1e-4``: the normalised
values are O(1) and each one carries the rounding of an N-term float32 mean
and variance.
"""
import numpy as np

from autograder.judge.compare import compare
from autograder.judge.specs import Case, hidden, large, normal, shapes
from solutions import normalization as ref

TOL = dict(rtol=1e-9, atol=1e-11, rtol32=1e-4, atol32=1e-4)


def _params(rng, D, dtype=np.float64):
    """gamma around 1 (never 1 exactly) and beta around 0 (never 0), shape (D,)."""
    gamma = (1.0 + 0.5 * rng.standard_normal(D)).astype(dtype)
    beta = (0.5 * rng.standard_normal(D)).astype(dtype)
    return gamma, beta


def _stats(mean, var):
    return ref.RunningStats(mean=mean, var=var)


def _initial(D, dtype=np.float64):
    """The initial running statistics (mean 0, variance 1)."""
    return _stats(*ref.init_running_stats(D, dtype))


def _running(rng, D, dtype=np.float64):
    """Running statistics as after some training (not the initial (0, 1))."""
    return _stats(normal(rng, D, 2.0, dtype), rng.uniform(0.5, 3.0, D).astype(dtype))


def _int_shapes(rng, count, low=1):
    """Random 2-D shapes (the first a single row), as tuples of Python ints for readable labels."""
    return [tuple(int(n) for n in shape) for shape in shapes(rng, count, low=low)]


def _named(got, expected, rtol, atol, names):
    """Compare the parts of a result tuple one by one, naming each part."""
    if not isinstance(got, (tuple, list)) or len(got) != len(expected):
        return f"the function should return {len(expected)} values ({', '.join(names)}), got {type(got).__name__}"
    for name, g, e in zip(names, got, expected):
        problem = compare(g, e, rtol, atol, where=name)
        if problem:
            return problem
    return None


def _check_forward_bn(got, expected, rtol, atol):
    return _named(got, expected, rtol, atol, ("out", "cache", "new_running"))


def _check_forward(got, expected, rtol, atol):
    return _named(got, expected, rtol, atol, ("out", "cache"))


def _check_backward(got, expected, rtol, atol):
    return _named(got, expected, rtol, atol, ("dx", "dgamma", "dbeta"))


# -- batch norm ------------------------------------------------------------------

def _batchnorm_inputs(rng):
    """(label, args, kwargs) for batchnorm_forward; training unless told."""
    for shape in _int_shapes(rng, 3, low=2)[1:] + [(2, 3), (16, 5)]:
        D = shape[1]
        yield (f"training, batch of shape {shape}, initial running statistics",
               (normal(rng, shape, 2.0) + 1.0, *_params(rng, D), _initial(D)), {})
    x = normal(rng, (10, 4), 3.0) - 2.0
    yield ("training, running statistics as after a few earlier steps (not the initial ones)",
           (x, *_params(rng, 4), _running(rng, 4)), {})
    yield ("training with momentum 0.5 and non-initial running statistics",
           (normal(rng, (8, 3), 1.5), *_params(rng, 3), _running(rng, 3)), {"momentum": 0.5})
    yield ("training with momentum 0.01 and eps 1e-3",
           (normal(rng, (6, 5)), *_params(rng, 5), _running(rng, 5)), {"momentum": 0.01, "eps": 1e-3})
    yield ("training with momentum 0 (the running statistics stay as they are)",
           (normal(rng, (5, 3), 2.0), *_params(rng, 3), _running(rng, 3)), {"momentum": 0.0})
    yield ("training with momentum 1 (the running statistics become the batch's) and eps 1",
           (normal(rng, (7, 4), 2.0), *_params(rng, 4), _running(rng, 4)), {"momentum": 1.0, "eps": 1.0})
    x = normal(rng, (7, 4))
    x[:, 2] = 3.0
    yield ("training, one feature constant over the batch (variance 0)",
           (x, *_params(rng, 4), _initial(4)), {})
    yield ("training, values up to ±1e4", (large(rng, (9, 3)), *_params(rng, 3), _running(rng, 3)), {})
    yield ("evaluation mode with running statistics as after training",
           (normal(rng, (6, 4), 2.0), *_params(rng, 4), _running(rng, 4)), {"training": False})
    yield ("evaluation mode, a single sample",
           (normal(rng, (1, 5), 2.0), *_params(rng, 5), _running(rng, 5)), {"training": False})
    yield ("evaluation mode with eps 0.1",
           (normal(rng, (4, 3)), *_params(rng, 3), _running(rng, 3)), {"training": False, "eps": 0.1})
    yield ("training, float32 input, parameters and running statistics",
           (normal(rng, (12, 6), 2.0, np.float32), *_params(rng, 6, np.float32),
            _running(rng, 6, np.float32)), {})
    yield ("evaluation mode, float32",
           (normal(rng, (5, 4), 2.0, np.float32), *_params(rng, 4, np.float32),
            _running(rng, 4, np.float32)), {"training": False})
    yield ("training, float32 input and parameters with float64 running statistics",
           (normal(rng, (8, 3), 2.0, np.float32), *_params(rng, 3, np.float32), _running(rng, 3)), {})


@hidden("normalization.batchnorm_forward", check=_check_forward_bn, **TOL,
        why="out, cache and new_running are all compared; running variance uses the unbiased batch variance.")
def _batchnorm_forward_cases(rng):
    for label, args, kwargs in _batchnorm_inputs(rng):
        yield Case(label, args, kwargs)


def _batchnorm_backward_cases(rng):
    for label, args, kwargs in _batchnorm_inputs(rng):
        x = args[0]
        _, cache, _ = ref.batchnorm_forward(*args, **kwargs)
        yield Case(label, (normal(rng, x.shape, dtype=x.dtype), cache))


hidden("normalization.batchnorm_backward", check=_check_backward, **TOL,
       why="cache from the reference forward pass, in training and evaluation mode.")(_batchnorm_backward_cases)
hidden("normalization.batchnorm_backward_alt", check=_check_backward, **TOL,
       why="same cases as batchnorm_backward.")(_batchnorm_backward_cases)


# -- layer norm ------------------------------------------------------------------

def _layernorm_inputs(rng):
    for shape in _int_shapes(rng, 3):
        yield f"input of shape {shape}", (normal(rng, shape, 2.0) + 1.0, *_params(rng, shape[1])), {}
    yield "3-D input (batch, time, features)", (normal(rng, (2, 3, 5), 2.0), *_params(rng, 5)), {}
    x = normal(rng, (4, 6))
    x[1] = -2.0
    yield "one row constant (variance 0)", (x, *_params(rng, 6)), {}
    yield "4-D input (N, C, H, W) normalised over W", (normal(rng, (2, 2, 3, 4), 2.0), *_params(rng, 4)), {}
    yield "eps 0.1", (normal(rng, (3, 4)), *_params(rng, 4)), {"eps": 0.1}
    yield "eps 1 (larger than some variances)", (normal(rng, (4, 5), 0.7), *_params(rng, 5)), {"eps": 1.0}
    yield "values up to ±1e4", (large(rng, (5, 7)), *_params(rng, 7)), {}
    yield "float32 input and parameters", (normal(rng, (6, 8), 2.0, np.float32), *_params(rng, 8, np.float32)), {}


@hidden("normalization.layernorm_forward", check=_check_forward, **TOL,
        why="out and cache (inv_std keeps a size-1 feature axis) are compared.")
def _layernorm_forward_cases(rng):
    for label, args, kwargs in _layernorm_inputs(rng):
        yield Case(label, args, kwargs)


@hidden("normalization.layernorm_backward", check=_check_backward, **TOL,
        why="cache from the reference forward pass.")
def _layernorm_backward_cases(rng):
    for label, args, kwargs in _layernorm_inputs(rng):
        x = args[0]
        yield Case(label, (normal(rng, x.shape, dtype=x.dtype), ref.layernorm_forward(*args, **kwargs)[1]))


# -- group norm ------------------------------------------------------------------

def _groupnorm_inputs(rng):
    yield "shape (2, 6, 3, 4) with G = 3", (normal(rng, (2, 6, 3, 4), 2.0) + 1.0, *_params(rng, 6), 3), {}
    yield "shape (3, 8, 2, 2) with G = 2", (normal(rng, (3, 8, 2, 2), 2.0), *_params(rng, 8), 2), {}
    yield "G = 1 (layer norm over channels and space)", (normal(rng, (2, 4, 3, 3)), *_params(rng, 4), 1), {}
    yield "G = C (instance norm)", (normal(rng, (2, 4, 3, 2)), *_params(rng, 4), 4), {}
    yield "a single sample", (normal(rng, (1, 6, 2, 3), 3.0), *_params(rng, 6), 2), {}
    yield "input of shape (N, C) without spatial axes", (normal(rng, (5, 6), 2.0), *_params(rng, 6), 3), {}
    yield "input of shape (N, C, L) with one spatial axis", (normal(rng, (3, 4, 5), 2.0), *_params(rng, 4), 2), {}
    x = normal(rng, (2, 4, 2, 2))
    x[1, 2:] = 5.0
    yield "one group of one sample constant (variance 0)", (x, *_params(rng, 4), 2), {}
    yield "eps 0.1", (normal(rng, (2, 4, 2, 3)), *_params(rng, 4), 2), {"eps": 0.1}
    x32 = normal(rng, (2, 6, 4, 4), 2.0, np.float32)
    yield "float32 input and parameters", (x32, *_params(rng, 6, np.float32), 3), {}


@hidden("normalization.groupnorm_forward", check=_check_forward, **TOL,
        why="out and cache (inv_std of shape (N, G, 1, 1, 1) for 4-D input) are compared.")
def _groupnorm_forward_cases(rng):
    for label, args, kwargs in _groupnorm_inputs(rng):
        yield Case(label, args, kwargs)


@hidden("normalization.groupnorm_backward", check=_check_backward, **TOL,
        why="cache from the reference forward pass.")
def _groupnorm_backward_cases(rng):
    for label, args, kwargs in _groupnorm_inputs(rng):
        x = args[0]
        yield Case(label, (normal(rng, x.shape, dtype=x.dtype), ref.groupnorm_forward(*args, **kwargs)[1]))
