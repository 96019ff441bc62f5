"""Known mistakes of the activations exercise (see :mod:`autograder.judge.catalogue`)."""
import numpy as np

from autograder.judge.catalogue import as_float, computed_in_float32, float64_output, mistake
from solutions import activations as ref
from solutions.activations import LeakyReluCache, ReluCache, SigmoidCache, SoftmaxCache, TanhCache

#: The book section that teaches each graded function (an anchor of its chapter's page).
SECTIONS = {
    "sigmoid_forward": "sigmoid",
    "sigmoid_backward": "sigmoid",
    "tanh_forward": "tanh",
    "tanh_backward": "tanh",
    "relu_forward": "relu",
    "relu_backward": "relu",
    "leaky_relu_forward": "leaky-relu-prelu-and-rrelu",
    "leaky_relu_backward": "leaky-relu-prelu-and-rrelu",
    "softmax_forward": "softmax",
    "softmax_backward": "softmax",
}

#: Entries that give the same outcomes on every hidden case (``<function>/<key>``): the grader names them
#: together, and the mutant suite expects that.
ALIKE = [
    # Both raise the same read-only error on every case (one writes into dout, the other into the cache).
    ("relu_backward/in-place-dout", "relu_backward/in-place-cache"),
    # Both give x times the slope in float64 for float32 input.
    ("leaky_relu_forward/float64-slope-array", "leaky_relu_forward/float64-output"),
]


# -- sigmoid -------------------------------------------------------------------

@mistake("activations.sigmoid_forward", "minus-x",
         name="σ(−x) instead of σ(x)",
         explain="The sign in the exponent is flipped: your function is near 0 for large positive inputs, where the "
                 "sigmoid is near 1. σ(x) is 1 divided by 1 plus the exponential of minus x.")
def sigmoid_of_minus_x(x):
    """Sign slip in the exponent: ``1 / (1 + exp(x))`` is sigma(-x)."""
    x = as_float(x)
    z = np.exp(-np.abs(x))
    out = np.where(x >= 0, z / (1 + z), 1 / (1 + z))
    return out, SigmoidCache(out)


@mistake("activations.sigmoid_forward", "stable-form-one-branch",
         name="one formula of the stable form for both signs",
         explain="Your stable form computes σ(|x|): right for positive x, wrong for negative x. For x < 0 the stable "
                 "sigmoid is the exponential of x divided by 1 plus that exponential, which stays below one half.")
def sigmoid_stable_wrong_branch(x):
    """Stable form from ``z = exp(-|x|)`` with ``1 / (1 + z)`` in both branches: sigma(|x|), wrong for x < 0."""
    x = as_float(x)
    z = np.exp(-np.abs(x))
    out = np.where(x >= 0, 1 / (1 + z), 1 / (1 + z))
    return out, SigmoidCache(out)


@mistake("activations.sigmoid_forward", "caches-input",
         name="the input cached instead of the output",
         explain="Your cache holds the input x, but the given SigmoidCache keeps the output σ(x): the backward pass "
                 "computes σ(x)(1 − σ(x)) from it without another exponential.")
def sigmoid_caches_input(x):
    """Keeps the input in the cache instead of the output the backward pass needs."""
    out, _ = ref.sigmoid_forward(x)
    return out, SigmoidCache(as_float(x).copy())


@mistake("activations.sigmoid_backward", "no-one-minus",
         name="σ′(x) written as σ(x)",
         explain="Your local derivative is σ(x) alone. The sigmoid's derivative is σ(x)(1 − σ(x)), and the cache "
                 "already holds σ(x).")
def sigmoid_backward_no_one_minus(dout, cache):
    """Local derivative written ``sigma(x)`` instead of ``sigma(x) (1 - sigma(x))``."""
    return dout * cache.out


@mistake("activations.sigmoid_backward", "sigmoid-again",
         name="the sigmoid applied to the cached output",
         explain="You apply the sigmoid once more to the cached value, as if it were the input. The cache holds the "
                 "output s = σ(x), so the local derivative is s(1 − s) directly.")
def sigmoid_backward_sigmoid_again(dout, cache):
    """Treats the cached output as the input: applies the sigmoid to it once more."""
    s, _ = ref.sigmoid_forward(cache.out)
    return dout * s * (1 - s)


@mistake("activations.sigmoid_backward", "no-upstream",
         name="the upstream gradient forgotten",
         explain="You return the local derivative without multiplying it by the upstream gradient dout. The chain "
                 "rule multiplies the two, element by element.")
def sigmoid_backward_no_dout(dout, cache):
    """Returns the local derivative, forgetting to multiply by the upstream gradient."""
    return cache.out * (1 - cache.out) + 0 * dout


# -- tanh ----------------------------------------------------------------------

@mistake("activations.tanh_forward", "naive-exp",
         name="the definition with exponentials, which overflow",
         explain="Computed from its definition with e^x and e^−x, tanh overflows for large |x| (inf/inf is NaN). Use "
                 "a form that only exponentiates numbers that are not positive, such as 2σ(2x) − 1 with a stable "
                 "sigmoid.")
def tanh_naive_exp(x):
    """``(e^x - e^-x) / (e^x + e^-x)`` literally: inf / inf = NaN for large |x|."""
    x = as_float(x)
    out = (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))
    return out, TanhCache(out)


@mistake("activations.tanh_forward", "sigmoid-wrong-scale",
         name="2σ(x) − 1 instead of 2σ(2x) − 1",
         explain="2σ(x) − 1 is tanh(x/2): the sigmoid's argument must be doubled, tanh(x) = 2σ(2x) − 1.")
def tanh_as_shifted_sigmoid_wrong_scale(x):
    """``2 sigma(x) - 1`` (that is tanh(x / 2)) instead of ``2 sigma(2x) - 1``."""
    x = as_float(x)
    out = 2 * ref.sigmoid_forward(x)[0] - 1
    return out, TanhCache(out)


@mistake("activations.tanh_backward", "not-squared",
         name="1 − tanh instead of 1 − tanh²",
         explain="The derivative of tanh is 1 − tanh²(x): the cached output must be squared.")
def tanh_backward_not_squared(dout, cache):
    """Local derivative ``1 - tanh`` instead of ``1 - tanh**2``."""
    return dout * (1 - cache.out)


@mistake("activations.tanh_backward", "tanh-again",
         name="tanh applied to the cached output",
         explain="You take tanh of the cached value again, as if it were the input. The cache holds the output t = "
                 "tanh(x), so the local derivative is 1 − t².")
def tanh_backward_tanh_again(dout, cache):
    """Recomputes ``tanh`` of the cached output, as if the cache held the input."""
    t = np.tanh(cache.out)
    return dout * (1 - t * t)


# -- ReLU ----------------------------------------------------------------------

@mistake("activations.relu_forward", "max-reduction",
         name="a maximum over an axis instead of element by element",
         explain="Your function takes the largest value along an axis, which changes the shape of the result. ReLU "
                 "compares every element with 0 on its own: the element-wise maximum of x and 0.")
def relu_np_max(x):
    """``np.max(x, 0)`` (a reduction over axis 0) instead of ``np.maximum(x, 0)``."""
    x = as_float(x)
    return np.max(x, 0), ReluCache(x)


@mistake("activations.relu_forward", "in-place",
         name="negative inputs zeroed in the caller's array",
         explain="You set the negative entries to zero inside the input array, which belongs to the caller (and is "
                 "read-only during grading). Build a new array for the output.",
         see="how-to-use#rules")
def relu_in_place(x):
    """Zeroes the negative entries of the caller's array in place (right values, input destroyed)."""
    x[x < 0] = 0
    return x, ReluCache(x)


@mistake("activations.relu_forward", "caches-output",
         name="the output cached instead of the input",
         explain="Your cache holds the output, but the given ReluCache keeps the input x: the backward pass reads "
                 "the sign of the input from it.")
def relu_caches_output(x):
    """Stores the output in the cache instead of the input the given ReluCache asks for."""
    out = np.maximum(as_float(x), 0)
    return out, ReluCache(out)


@mistake("activations.relu_backward", "gradient-at-zero",
         name="gradient 1 at exactly 0",
         explain="Your mask lets the gradient through where x is exactly 0. ReLU has a kink there and this course "
                 "takes the subgradient 0 at x = 0: only strictly positive inputs pass the gradient.")
def relu_backward_ge(dout, cache):
    """Mask from ``x >= 0``: lets the gradient through at the kink, where the course's subgradient is 0."""
    return np.where(cache.x >= 0, dout, 0)


@mistake("activations.relu_backward", "mask-from-output",
         name="a mask that is true everywhere",
         explain="Your mask tests whether the output max(x, 0) is at least 0, which is true for every input, so the "
                 "whole upstream gradient passes. The mask must come from the sign of the input: x > 0.")
def relu_backward_mask_from_output_sign(dout, cache):
    """Mask from the sign of the *output* ``max(x, 0) >= 0``, which is true everywhere."""
    out = np.maximum(cache.x, 0)
    return np.where(out >= 0, dout, 0)


@mistake("activations.relu_backward", "in-place-cache",
         name="the cached input modified",
         explain="You clip the cached input in place to build the mask. The cache belongs to the caller, who may use "
                 "it again: compute the mask without writing into it.",
         see="how-to-use#rules")
def relu_backward_zeroes_cache(dout, cache):
    """Clips the cached input in place (``cache.x[cache.x < 0] = 0``) to build the mask: the cache is the caller's."""
    cache.x[cache.x < 0] = 0
    return dout * (cache.x > 0)


@mistake("activations.relu_backward", "in-place-dout",
         name="the upstream gradient overwritten",
         explain="You zero entries of dout inside the caller's array and return it. dout belongs to the caller (and "
                 "is read-only during grading): build a new array.",
         see="how-to-use#rules")
def relu_backward_in_place(dout, cache):
    """``dout[x <= 0] = 0; return dout``: right values, but the caller's ``dout`` is overwritten."""
    dout[cache.x <= 0] = 0
    return dout


# -- leaky ReLU ----------------------------------------------------------------

@mistake("activations.leaky_relu_forward", "ignores-alpha",
         name="the slope fixed at 0.01",
         explain="Your function uses the default slope 0.01 whatever alpha is passed. Use the alpha argument, and "
                 "store it in the cache.")
def leaky_relu_ignores_alpha(x, alpha=0.01):
    """Hard-codes the default slope 0.01 and ignores the ``alpha`` argument."""
    x = as_float(x)
    return np.where(x > 0, x, 0.01 * x), LeakyReluCache(x, 0.01)


@mistake("activations.leaky_relu_forward", "alpha-not-times-x",
         name="α instead of αx for negative inputs",
         explain="For x ≤ 0 your function returns the constant α. The leaky ReLU is a line of slope α there: α times "
                 "x.")
def leaky_relu_alpha_not_times_x(x, alpha=0.01):
    """Negative part ``alpha`` instead of ``alpha * x``."""
    x = as_float(x)
    return np.where(x > 0, x, alpha), LeakyReluCache(x, float(alpha))


@mistake("activations.leaky_relu_forward", "maximum-trick",
         name="the maximum of x and αx",
         explain="max(x, αx) equals the leaky ReLU only when 0 ≤ α ≤ 1: for a slope above 1 it picks αx for positive "
                 "inputs. Choose the branch by the sign of x instead.")
def leaky_relu_maximum(x, alpha=0.01):
    """``np.maximum(x, alpha * x)``: right for ``0 <= alpha <= 1`` only; a slope above 1 picks the wrong branch."""
    x = as_float(x)
    return np.maximum(x, alpha * x), LeakyReluCache(x, alpha)


@mistake("activations.leaky_relu_forward", "zero-alpha-as-default",
         name="a slope of 0 replaced by the default",
         explain="Your function replaces a slope of 0 by the default 0.01, as happens when 0 is treated like a "
                 "missing value. α = 0 is a legal slope (it gives plain ReLU) and must be used as given.")
def leaky_relu_zero_alpha_means_default(x, alpha=0.01):
    """``alpha = alpha or 0.01``: treats the slope 0 (plain ReLU) as "not given"."""
    x = as_float(x)
    alpha = float(alpha or 0.01)
    return np.where(x > 0, x, alpha * x), LeakyReluCache(x, alpha)


@mistake("activations.leaky_relu_forward", "float64-slope-array",
         name="float32 in, float64 out through an array of slopes",
         explain="You multiply x by an array of slopes built in float64, which promotes float32 input to float64. "
                 "float32 in must give float32 out: build the slopes in the dtype of x, or choose between x and αx "
                 "directly.",
         see="how-to-use#rules")
def leaky_relu_slope_array_float64(x, alpha=0.01):
    """``x * np.where(x > 0, 1.0, alpha)``: the slope array is float64, so float32 in gives float64 out."""
    x = as_float(x)
    return x * np.where(x > 0, 1.0, alpha), LeakyReluCache(x, float(alpha))


@mistake("activations.leaky_relu_backward", "slope-without-dout",
         name="α instead of α times dout for negative inputs",
         explain="For x ≤ 0 you return the slope α itself. The gradient there is α times the upstream gradient dout.")
def leaky_relu_backward_forgets_dout(dout, cache):
    """Negative side returns the slope ``alpha`` itself, not ``alpha * dout``."""
    return np.where(cache.x > 0, dout, cache.alpha)


@mistake("activations.leaky_relu_backward", "relu-backward",
         name="ReLU's backward pass: no gradient for x ≤ 0",
         explain="You pass no gradient where x ≤ 0, as ReLU does. The leaky ReLU has slope α there, so the gradient "
                 "is α times dout.")
def leaky_relu_backward_zero_slope(dout, cache):
    """Copies ReLU's backward pass: no gradient at all for ``x <= 0``."""
    return np.where(cache.x > 0, dout, 0)


@mistake("activations.leaky_relu_backward", "default-alpha",
         name="the default slope instead of the cached one",
         explain="You use the slope 0.01 instead of the α that the forward pass stored in the cache.")
def leaky_relu_backward_default_alpha(dout, cache):
    """Uses the default slope 0.01 instead of the ``alpha`` stored in the cache."""
    return np.where(cache.x > 0, dout, 0.01 * dout)


@mistake("activations.leaky_relu_backward", "slope-one-at-zero",
         name="slope 1 at exactly 0",
         explain="Your mask gives slope 1 where x is exactly 0. The course, like PyTorch, uses the slope α at x = 0: "
                 "zero belongs to the side x ≤ 0.")
def leaky_relu_backward_ge(dout, cache):
    """Mask from ``x >= 0``: slope 1 at the kink, where the course (like PyTorch) uses ``alpha``."""
    return np.where(cache.x >= 0, dout, cache.alpha * dout)


# -- softmax -------------------------------------------------------------------

@mistake("activations.softmax_forward", "no-max-shift",
         name="the maximum not subtracted",
         explain="You exponentiate the scores as they are, and above about 709 (88 in float32) the exponential "
                 "overflows to inf, giving inf/inf = NaN. Subtract each row's maximum first: softmax does not change "
                 "when the same number is added to all scores of a row.")
def softmax_no_max_shift(x, axis=-1):
    """Forgets to subtract the maximum: ``exp`` overflows for large scores (inf / inf = NaN)."""
    x = as_float(x)
    e = np.exp(x)
    out = e / np.sum(e, axis=axis, keepdims=True)
    return out, SoftmaxCache(out, axis)


@mistake("activations.softmax_forward", "ignores-axis",
         name="always along the last axis",
         explain="You normalise along the last axis whatever axis is asked for. The maximum, the sum of exponentials "
                 "and the division all go along the given axis.")
def softmax_ignores_axis(x, axis=-1):
    """Always normalises along the last axis, whatever ``axis`` says."""
    out, _ = ref.softmax_forward(x, axis=-1)
    return out, SoftmaxCache(out, axis)


@mistake("activations.softmax_forward", "global-max",
         name="one maximum for the whole array",
         explain="You subtract the largest score of the whole array instead of each row's own maximum, so a row far "
                 "below it underflows to zeros and gives 0/0. Subtract the maximum along the softmax axis, kept as a "
                 "size-1 axis so that it broadcasts.")
def softmax_global_max(x, axis=-1):
    """Subtracts the maximum of the whole array instead of each row's: rows far below it underflow to 0 / 0."""
    x = as_float(x)
    e = np.exp(x - np.max(x))
    out = e / np.sum(e, axis=axis, keepdims=True)
    return out, SoftmaxCache(out, axis)


@mistake("activations.softmax_forward", "in-place-shift",
         name="the maximum subtracted inside the caller's array",
         explain="You subtract the maximum from the input array itself, which belongs to the caller (and is "
                 "read-only during grading). Subtract into a new array.",
         see="how-to-use#rules")
def softmax_in_place_shift(x, axis=-1):
    """``x -= x.max(...)`` on the caller's array: right values, input modified."""
    x -= np.max(x, axis=axis, keepdims=True)
    e = np.exp(x)
    out = e / np.sum(e, axis=axis, keepdims=True)
    return out, SoftmaxCache(out, axis)


@mistake("activations.softmax_forward", "rows-only",
         name="axis 1 hard-coded",
         explain="Your function always works along axis 1, the rows of a 2-D score matrix. It must work along the "
                 "given axis, for 1-D and 3-D scores too.")
def softmax_rows_only(x, axis=-1):
    """Hard-codes ``axis=1`` (rows of a 2-D score matrix): wrong for 1-D and 3-D scores."""
    x = as_float(x)
    e = np.exp(x - np.max(x, axis=1, keepdims=True))
    out = e / np.sum(e, axis=1, keepdims=True)
    return out, SoftmaxCache(out, axis)


@mistake("activations.softmax_forward", "cache-axis-zero",
         name="the wrong axis stored in the cache",
         explain="Your cache stores axis 0 whatever axis was used. The backward pass reads the axis from the cache, "
                 "so store the one the forward pass normalised along.")
def softmax_cache_axis_zero(x, axis=-1):
    """Stores ``axis=0`` in the cache whatever axis it normalised (a copy-paste slip)."""
    out, _ = ref.softmax_forward(x, axis=axis)
    return out, SoftmaxCache(out, 0)


@mistake("activations.softmax_backward", "in-place-cache",
         name="the cached probabilities overwritten",
         explain="You use the cached probabilities as scratch space and multiply into them in place. The cache "
                 "belongs to the caller: compute the result in a new array.",
         see="how-to-use#rules")
def softmax_backward_scales_cache(dout, cache):
    """``s = cache.out; s *= ...``: reuses the cached probabilities as scratch space, in place."""
    s = cache.out
    dot = np.sum(dout * s, axis=cache.axis, keepdims=True)
    s *= dout - dot
    return s


@mistake("activations.softmax_backward", "diagonal-only",
         name="only the diagonal of the Jacobian",
         explain="You use s(1 − s), the diagonal of the softmax Jacobian, as if softmax acted on each score "
                 "separately. Every output depends on every score of its row: the gradient is s times (dout minus "
                 "the row's sum of dout times s).")
def softmax_backward_diagonal_only(dout, cache):
    """Keeps only the diagonal of the Jacobian: ``dout * s * (1 - s)``."""
    s = cache.out
    return dout * s * (1 - s)


@mistake("activations.softmax_backward", "ignores-axis",
         name="the sum along the last axis",
         explain="Your sum over a row runs along the last axis, not along the axis the forward pass stored in the "
                 "cache.")
def softmax_backward_ignores_axis(dout, cache):
    """Sums over the last axis whatever axis the forward pass normalised."""
    s = cache.out
    return s * (dout - np.sum(dout * s, axis=-1, keepdims=True))


@mistake("activations.softmax_backward", "missing-factor-s",
         name="the leading factor s missing",
         explain="You return dout minus the row's sum of dout times s, without multiplying by s. The gradient of "
                 "softmax is s times (dout minus that sum), element by element.")
def softmax_backward_forgets_s(dout, cache):
    """``dout - sum(dout * s)``: the leading factor ``s`` of the vector-Jacobian product is missing."""
    s, axis = cache.out, cache.axis
    return dout - np.sum(dout * s, axis=axis, keepdims=True)


# The precision mistakes, for every function: float64 results with float32 rounding, float32 in and float64 out.
for _qualname in SECTIONS:
    computed_in_float32(f"activations.{_qualname}", __name__)
    float64_output(f"activations.{_qualname}", __name__)
