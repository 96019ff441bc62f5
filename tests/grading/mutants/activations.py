"""Wrong activations: the mistakes of the activations exercise."""
import numpy as np

from grading.mutants import computed_in_float32, float64_output
from solutions import activations as ref
from solutions.activations import LeakyReluCache, ReluCache, SigmoidCache, SoftmaxCache, TanhCache


def _float(x):
    x = np.asarray(x)
    return x if np.issubdtype(x.dtype, np.floating) else x.astype(np.float64)


# -- sigmoid -------------------------------------------------------------------

def sigmoid_of_minus_x(x):
    """Sign slip in the exponent: ``1 / (1 + exp(x))`` is sigma(-x)."""
    x = _float(x)
    z = np.exp(-np.abs(x))
    out = np.where(x >= 0, z / (1 + z), 1 / (1 + z))
    return out, SigmoidCache(out)


def sigmoid_stable_wrong_branch(x):
    """Stable form from ``z = exp(-|x|)`` with ``1 / (1 + z)`` in both branches: sigma(|x|), wrong for x < 0."""
    x = _float(x)
    z = np.exp(-np.abs(x))
    out = np.where(x >= 0, 1 / (1 + z), 1 / (1 + z))
    return out, SigmoidCache(out)


def sigmoid_caches_input(x):
    """Keeps the input in the cache instead of the output the backward pass needs."""
    out, _ = ref.sigmoid_forward(x)
    return out, SigmoidCache(_float(x).copy())


def sigmoid_backward_no_one_minus(dout, cache):
    """Local derivative written ``sigma(x)`` instead of ``sigma(x) (1 - sigma(x))``."""
    return dout * cache.out


def sigmoid_backward_sigmoid_again(dout, cache):
    """Treats the cached output as the input: applies the sigmoid to it once more."""
    s, _ = ref.sigmoid_forward(cache.out)
    return dout * s * (1 - s)


def sigmoid_backward_no_dout(dout, cache):
    """Returns the local derivative, forgetting to multiply by the upstream gradient."""
    return cache.out * (1 - cache.out) + 0 * dout


# -- tanh ----------------------------------------------------------------------

def tanh_naive_exp(x):
    """``(e^x - e^-x) / (e^x + e^-x)`` literally: inf / inf = NaN for large |x|."""
    x = _float(x)
    out = (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))
    return out, TanhCache(out)


def tanh_as_shifted_sigmoid_wrong_scale(x):
    """``2 sigma(x) - 1`` (that is tanh(x / 2)) instead of ``2 sigma(2x) - 1``."""
    x = _float(x)
    out = 2 * ref.sigmoid_forward(x)[0] - 1
    return out, TanhCache(out)


def tanh_backward_not_squared(dout, cache):
    """Local derivative ``1 - tanh`` instead of ``1 - tanh**2``."""
    return dout * (1 - cache.out)


def tanh_backward_tanh_again(dout, cache):
    """Recomputes ``tanh`` of the cached output, as if the cache held the input."""
    t = np.tanh(cache.out)
    return dout * (1 - t * t)


# -- ReLU ----------------------------------------------------------------------

def relu_np_max(x):
    """``np.max(x, 0)`` (a reduction over axis 0) instead of ``np.maximum(x, 0)``."""
    x = _float(x)
    return np.max(x, 0), ReluCache(x)


def relu_in_place(x):
    """Zeroes the negative entries of the caller's array in place (right values, input destroyed)."""
    x[x < 0] = 0
    return x, ReluCache(x)


def relu_caches_output(x):
    """Stores the output in the cache instead of the input the given ReluCache asks for."""
    out = np.maximum(_float(x), 0)
    return out, ReluCache(out)


def relu_backward_ge(dout, cache):
    """Mask from ``x >= 0``: lets the gradient through at the kink, where the course's subgradient is 0."""
    return np.where(cache.x >= 0, dout, 0)


def relu_backward_mask_from_output_sign(dout, cache):
    """Mask from the sign of the *output* ``max(x, 0) >= 0``, which is true everywhere."""
    out = np.maximum(cache.x, 0)
    return np.where(out >= 0, dout, 0)


def relu_backward_zeroes_cache(dout, cache):
    """Clips the cached input in place (``cache.x[cache.x < 0] = 0``) to build the mask: the cache is the caller's."""
    cache.x[cache.x < 0] = 0
    return dout * (cache.x > 0)


def relu_backward_in_place(dout, cache):
    """``dout[x <= 0] = 0; return dout``: right values, but the caller's ``dout`` is overwritten."""
    dout[cache.x <= 0] = 0
    return dout


# -- leaky ReLU ----------------------------------------------------------------

def leaky_relu_ignores_alpha(x, alpha=0.01):
    """Hard-codes the default slope 0.01 and ignores the ``alpha`` argument."""
    x = _float(x)
    return np.where(x > 0, x, 0.01 * x), LeakyReluCache(x, 0.01)


def leaky_relu_alpha_not_times_x(x, alpha=0.01):
    """Negative part ``alpha`` instead of ``alpha * x``."""
    x = _float(x)
    return np.where(x > 0, x, alpha), LeakyReluCache(x, float(alpha))


def leaky_relu_maximum(x, alpha=0.01):
    """``np.maximum(x, alpha * x)``: right for ``0 <= alpha <= 1`` only; a slope above 1 picks the wrong branch."""
    x = _float(x)
    return np.maximum(x, alpha * x), LeakyReluCache(x, alpha)


def leaky_relu_zero_alpha_means_default(x, alpha=0.01):
    """``alpha = alpha or 0.01``: treats the slope 0 (plain ReLU) as "not given"."""
    x = _float(x)
    alpha = float(alpha or 0.01)
    return np.where(x > 0, x, alpha * x), LeakyReluCache(x, alpha)


def leaky_relu_slope_array_float64(x, alpha=0.01):
    """``x * np.where(x > 0, 1.0, alpha)``: the slope array is float64, so float32 in gives float64 out."""
    x = _float(x)
    return x * np.where(x > 0, 1.0, alpha), LeakyReluCache(x, float(alpha))


def leaky_relu_backward_forgets_dout(dout, cache):
    """Negative side returns the slope ``alpha`` itself, not ``alpha * dout``."""
    return np.where(cache.x > 0, dout, cache.alpha)


def leaky_relu_backward_zero_slope(dout, cache):
    """Copies ReLU's backward pass: no gradient at all for ``x <= 0``."""
    return np.where(cache.x > 0, dout, 0)


def leaky_relu_backward_default_alpha(dout, cache):
    """Uses the default slope 0.01 instead of the ``alpha`` stored in the cache."""
    return np.where(cache.x > 0, dout, 0.01 * dout)


def leaky_relu_backward_ge(dout, cache):
    """Mask from ``x >= 0``: slope 1 at the kink, where the course (like PyTorch) uses ``alpha``."""
    return np.where(cache.x >= 0, dout, cache.alpha * dout)


# -- softmax -------------------------------------------------------------------

def softmax_no_max_shift(x, axis=-1):
    """Forgets to subtract the maximum: ``exp`` overflows for large scores (inf / inf = NaN)."""
    x = _float(x)
    e = np.exp(x)
    out = e / np.sum(e, axis=axis, keepdims=True)
    return out, SoftmaxCache(out, axis)


def softmax_ignores_axis(x, axis=-1):
    """Always normalises along the last axis, whatever ``axis`` says."""
    out, _ = ref.softmax_forward(x, axis=-1)
    return out, SoftmaxCache(out, axis)


def softmax_global_max(x, axis=-1):
    """Subtracts the maximum of the whole array instead of each row's: rows far below it underflow to 0 / 0."""
    x = _float(x)
    e = np.exp(x - np.max(x))
    out = e / np.sum(e, axis=axis, keepdims=True)
    return out, SoftmaxCache(out, axis)


def softmax_in_place_shift(x, axis=-1):
    """``x -= x.max(...)`` on the caller's array: right values, input modified."""
    x -= np.max(x, axis=axis, keepdims=True)
    e = np.exp(x)
    out = e / np.sum(e, axis=axis, keepdims=True)
    return out, SoftmaxCache(out, axis)


def softmax_rows_only(x, axis=-1):
    """Hard-codes ``axis=1`` (rows of a 2-D score matrix): wrong for 1-D and 3-D scores."""
    x = _float(x)
    e = np.exp(x - np.max(x, axis=1, keepdims=True))
    out = e / np.sum(e, axis=1, keepdims=True)
    return out, SoftmaxCache(out, axis)


def softmax_cache_axis_zero(x, axis=-1):
    """Stores ``axis=0`` in the cache whatever axis it normalised (a copy-paste slip)."""
    out, _ = ref.softmax_forward(x, axis=axis)
    return out, SoftmaxCache(out, 0)


def softmax_backward_scales_cache(dout, cache):
    """``s = cache.out; s *= ...``: reuses the cached probabilities as scratch space, in place."""
    s = cache.out
    dot = np.sum(dout * s, axis=cache.axis, keepdims=True)
    s *= dout - dot
    return s


def softmax_backward_diagonal_only(dout, cache):
    """Keeps only the diagonal of the Jacobian: ``dout * s * (1 - s)``."""
    s = cache.out
    return dout * s * (1 - s)


def softmax_backward_ignores_axis(dout, cache):
    """Sums over the last axis whatever axis the forward pass normalised."""
    s = cache.out
    return s * (dout - np.sum(dout * s, axis=-1, keepdims=True))


def softmax_backward_forgets_s(dout, cache):
    """``dout - sum(dout * s)``: the leading factor ``s`` of the vector-Jacobian product is missing."""
    s, axis = cache.out, cache.axis
    return dout - np.sum(dout * s, axis=axis, keepdims=True)


MUTANTS = {
    "activations.sigmoid_forward": [sigmoid_of_minus_x, sigmoid_stable_wrong_branch, sigmoid_caches_input],
    "activations.sigmoid_backward": [sigmoid_backward_no_one_minus, sigmoid_backward_sigmoid_again,
                                     sigmoid_backward_no_dout],
    "activations.tanh_forward": [tanh_naive_exp, tanh_as_shifted_sigmoid_wrong_scale],
    "activations.tanh_backward": [tanh_backward_not_squared, tanh_backward_tanh_again],
    "activations.relu_forward": [relu_np_max, relu_in_place, relu_caches_output],
    "activations.relu_backward": [relu_backward_ge, relu_backward_mask_from_output_sign, relu_backward_in_place,
                                  relu_backward_zeroes_cache],
    "activations.leaky_relu_forward": [leaky_relu_ignores_alpha, leaky_relu_alpha_not_times_x, leaky_relu_maximum,
                                       leaky_relu_zero_alpha_means_default, leaky_relu_slope_array_float64],
    "activations.leaky_relu_backward": [leaky_relu_backward_forgets_dout, leaky_relu_backward_zero_slope,
                                        leaky_relu_backward_default_alpha, leaky_relu_backward_ge],
    "activations.softmax_forward": [softmax_no_max_shift, softmax_ignores_axis, softmax_global_max,
                                    softmax_in_place_shift, softmax_rows_only, softmax_cache_axis_zero],
    "activations.softmax_backward": [softmax_backward_diagonal_only, softmax_backward_ignores_axis,
                                     softmax_backward_forgets_s, softmax_backward_scales_cache],
}

# The precision mistakes, for every function: float64 results with float32 rounding, float32 in and float64 out.
for _qualname in MUTANTS:
    MUTANTS[_qualname] += [computed_in_float32(_qualname, __name__), float64_output(_qualname, __name__)]
