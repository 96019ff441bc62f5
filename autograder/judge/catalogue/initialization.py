"""Known mistakes of the initialization exercise (see :mod:`autograder.judge.catalogue`)."""
import math

import numpy as np

from autograder.judge.catalogue import mistake
from solutions import initialization as ref

#: The book section that teaches each graded function (an anchor of its chapter's page).
SECTIONS = {
    "compute_fans": "how-the-variance-of-a-layer-is-passed-on",
    "calculate_gain": "gains",
    "xavier_uniform": "xavier-glorot-initialization",
    "xavier_normal": "xavier-glorot-initialization",
    "kaiming_uniform": "relu-halves-the-signal-kaiming-he-initialization",
    "kaiming_normal": "relu-halves-the-signal-kaiming-he-initialization",
}

#: Entries that give the same outcomes on every hidden case (``<function>/<key>``): the grader names them
#: together, and the mutant suite expects that.
ALIKE = []


# -- compute_fans ----------------------------------------------------------------

@mistake("initialization.compute_fans", "dense-as-out-in",
         name="a dense weight read as (out, in)",
         explain="In this course a dense weight is used as x times W, so its shape is (fan_in, fan_out), the "
                 "transpose of PyTorch's (out, in). Reading it the other way puts the scaling on the wrong fan.")
def fans_pytorch_dense_convention(shape):
    """Reads a dense weight as PyTorch's ``(out, in)``: fans swapped for 2-D shapes."""
    if len(shape) == 2:
        return shape[1], shape[0]
    return ref.compute_fans(shape)


@mistake("initialization.compute_fans", "no-kernel-size",
         name="convolution fans without the kernel size",
         explain="For a convolution kernel every output sees the input channels times the kernel's window, so the "
                 "fans are the channel counts multiplied by the kernel size. Without that factor the weights come "
                 "out several times too large.",
         see="convolutional-layers")
def fans_without_receptive_field(shape):
    """Convolution fans ``C_in, C_out`` without the factor ``prod(kernel)``."""
    if len(shape) == 2:
        return shape[0], shape[1]
    return shape[1], shape[0]


@mistake("initialization.compute_fans", "conv-channels-swapped",
         name="the kernel's channel axes swapped",
         explain="A convolution kernel has shape (out channels, in channels, kernel…): the fan_in comes from the "
                 "second axis, the fan_out from the first.",
         see="convolutional-layers")
def fans_conv_channels_swapped(shape):
    """Convolution kernel read as ``(C_in, C_out, ...)``: fan_in from ``shape[0]``."""
    if len(shape) == 2:
        return shape[0], shape[1]
    rf = math.prod(shape[2:])
    return shape[0] * rf, shape[1] * rf


@mistake("initialization.compute_fans", "first-kernel-dim-only",
         name="only the first kernel dimension counted",
         explain="The receptive field is the product of all kernel dimensions (k × k for a 2-D kernel), not the "
                 "first one alone.",
         see="convolutional-layers")
def fans_only_first_kernel_dim(shape):
    """Multiplies by the first kernel dimension only (right for 1-D kernels, wrong for 2-D and 3-D)."""
    if len(shape) == 2:
        return shape[0], shape[1]
    return shape[1] * shape[2], shape[0] * shape[2]


@mistake("initialization.compute_fans", "float-fans",
         name="fans as floating-point numbers",
         explain="Your fans of a dense weight come back as floating-point numbers: the product of an empty list of "
                 "kernel sizes is the float 1.0 in NumPy. Fans are counts, integers.")
def fans_prod_of_empty_is_float(shape):
    """One formula for every shape with ``np.prod(shape[2:])``, which is the float 1.0 for a dense weight."""
    receptive = np.prod(shape[2:])
    if len(shape) == 2:
        return shape[0] * receptive, shape[1] * receptive
    return shape[1] * receptive, shape[0] * receptive


# -- calculate_gain --------------------------------------------------------------

@mistake("initialization.calculate_gain", "float32-gain",
         name="the gain computed in float32",
         explain="Your gain is right to about seven significant digits only: it is computed, or returned, in "
                 "float32. Compute it in double precision, float64.",
         see="how-to-use#rules", float32_shortcut=True, precision="float32")
def gain_float32(nonlinearity, param=None):
    """Computes the gain in float32 (``np.float32`` constants and ``np.sqrt``): off by about 3e-8."""
    return np.float32(ref.calculate_gain(nonlinearity, param))


@mistake("initialization.calculate_gain", "zero-slope-as-default",
         name="a slope of 0 replaced by the default",
         explain="You replace a slope of 0 by the default 0.01, as happens when 0 is treated like a missing value. A "
                 "leaky ReLU of slope 0 is plain ReLU, with gain √2.")
def gain_slope_or_default(nonlinearity, param=None):
    """``slope = param or 0.01``: a slope of 0 silently becomes 0.01."""
    if nonlinearity == "leaky_relu":
        slope = param or 0.01
        return math.sqrt(2.0 / (1 + slope ** 2))
    return ref.calculate_gain(nonlinearity, param)


@mistake("initialization.calculate_gain", "variance-factor",
         name="the variance factor 2 instead of √2",
         explain="ReLU halves the second moment, so the variance needs a factor 2 and the standard deviation a "
                 "factor √2. The gain multiplies the standard deviation: √2.")
def gain_relu_two(nonlinearity, param=None):
    """ReLU gain 2 (the variance factor) instead of sqrt(2) (the std factor)."""
    if nonlinearity == "relu":
        return 2.0
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return 2.0 / (1 + slope ** 2)
    return ref.calculate_gain(nonlinearity, param)


@mistake("initialization.calculate_gain", "slope-not-squared",
         name="the leaky slope not squared",
         explain="A leaky ReLU keeps the negative half with weight α², so its gain is the square root of 2/(1 + α²); "
                 "your formula uses α.")
def gain_slope_not_squared(nonlinearity, param=None):
    """Leaky ReLU gain ``sqrt(2 / (1 + a))``: the slope is not squared."""
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return math.sqrt(2.0 / (1 + slope))
    return ref.calculate_gain(nonlinearity, param)


@mistake("initialization.calculate_gain", "tanh-gain-one",
         name="gain 1 for tanh",
         explain="tanh shrinks every input except 0, and the course (like PyTorch) compensates with the gain 5/3. "
                 "Gain 1 belongs to the linear functions and the sigmoid.")
def gain_tanh_one(nonlinearity, param=None):
    """Gives tanh the gain 1 of the linear functions (and sigmoid 1 as well)."""
    if nonlinearity == "tanh":
        return 1.0
    return ref.calculate_gain(nonlinearity, param)


# -- Xavier ----------------------------------------------------------------------

def _xavier_std(shape, gain, *, fans=ref.compute_fans, fan="both"):
    fan_in, fan_out = fans(shape)
    if fan == "in":
        return gain * math.sqrt(1.0 / fan_in)
    return gain * math.sqrt(2.0 / (fan_in + fan_out))


@mistake("initialization.xavier_uniform", "bound-is-std",
         name="σ used as the bound",
         explain="A uniform distribution on [−a, a] has standard deviation a/√3. To get the standard deviation σ the "
                 "bound must be √3 σ.")
def xavier_uniform_bound_is_std(shape, rng, gain=1.0):
    """Uses ``sigma`` as the bound, forgetting the ``sqrt(3)`` of a uniform distribution."""
    b = _xavier_std(shape, gain)
    return rng.uniform(-b, b, size=shape)


@mistake("initialization.xavier_uniform", "fan-in-only",
         name="the fan_in alone (LeCun's rule)",
         explain="Your variance is 1/fan_in, LeCun's rule. Xavier averages both fans: its variance is 2/(fan_in + "
                 "fan_out).")
def xavier_uniform_fan_in_only(shape, rng, gain=1.0):
    """``Var(w) = 1 / fan_in`` (LeCun): the factor on fan_in alone instead of ``2 / (fan_in + fan_out)``."""
    b = math.sqrt(3.0) * _xavier_std(shape, gain, fan="in")
    return rng.uniform(-b, b, size=shape)


@mistake("initialization.xavier_uniform", "ignores-gain",
         name="the gain ignored",
         explain="The gain argument multiplies the standard deviation (and so the bound): use it.",
         see="gains")
def xavier_uniform_ignores_gain(shape, rng, gain=1.0):
    """Drops the ``gain`` argument."""
    return ref.xavier_uniform(shape, rng)


@mistake("initialization.xavier_uniform", "no-kernel-size",
         name="convolution fans without the kernel size",
         explain="For a convolution kernel every output sees the input channels times the kernel's window, so the "
                 "fans are the channel counts multiplied by the kernel size. Without that factor the weights come "
                 "out several times too large.",
         see="convolutional-layers")
def xavier_uniform_no_receptive_field(shape, rng, gain=1.0):
    """Convolution fans without the kernel size."""
    b = math.sqrt(3.0) * _xavier_std(shape, gain, fans=fans_without_receptive_field)
    return rng.uniform(-b, b, size=shape)


@mistake("initialization.xavier_uniform", "draws-normal",
         name="a normal draw instead of a uniform one",
         explain="Your weights have the right spread but come from a normal distribution. The uniform variant draws "
                 "from [−a, a].")
def xavier_uniform_draws_normal(shape, rng, gain=1.0):
    """A normal draw with the right standard deviation where a uniform one is asked for."""
    return ref.xavier_normal(shape, rng, gain=gain)


@mistake("initialization.xavier_normal", "variance-as-std",
         name="the variance used as the standard deviation",
         explain="You scale the draws by the variance 2/(fan_in + fan_out). A normal draw is scaled by the standard "
                 "deviation, the square root of the variance.")
def xavier_normal_variance_as_std(shape, rng, gain=1.0):
    """Uses the variance ``gain² · 2 / (fan_in + fan_out)`` as the standard deviation."""
    return _xavier_std(shape, gain) ** 2 * rng.standard_normal(shape)


@mistake("initialization.xavier_normal", "bound-as-std",
         name="the uniform bound used as the standard deviation",
         explain="You use √3 σ, the bound of the uniform variant, as the standard deviation of a normal draw: the "
                 "weights are √3 times too large.")
def xavier_normal_uniform_bound_as_std(shape, rng, gain=1.0):
    """Uses the uniform bound ``sqrt(6 / (fan_in + fan_out))`` as the normal's standard deviation."""
    return math.sqrt(3.0) * _xavier_std(shape, gain) * rng.standard_normal(shape)


@mistake("initialization.xavier_normal", "draws-uniform",
         name="a uniform draw instead of a normal one",
         explain="Your weights have the right spread but come from a uniform distribution. The normal variant draws "
                 "from a normal distribution with that standard deviation.")
def xavier_normal_draws_uniform(shape, rng, gain=1.0):
    """A uniform draw with the right standard deviation where a normal one is asked for."""
    return ref.xavier_uniform(shape, rng, gain=gain)


@mistake("initialization.xavier_normal", "no-kernel-size",
         name="convolution fans without the kernel size",
         explain="For a convolution kernel every output sees the input channels times the kernel's window, so the "
                 "fans are the channel counts multiplied by the kernel size. Without that factor the weights come "
                 "out several times too large.",
         see="convolutional-layers")
def xavier_normal_no_receptive_field(shape, rng, gain=1.0):
    """Convolution fans without the kernel size."""
    return _xavier_std(shape, gain, fans=fans_without_receptive_field) * rng.standard_normal(shape)


# -- Kaiming ---------------------------------------------------------------------

def _kaiming_std(shape, a, mode, nonlinearity, *, fans=ref.compute_fans, gain=None, fan=None):
    fan_in, fan_out = fans(shape)
    chosen = {"fan_in": fan_in, "fan_out": fan_out}[fan or mode]
    g = ref.calculate_gain(nonlinearity, a) if gain is None else gain
    return g / math.sqrt(chosen)


@mistake("initialization.kaiming_uniform", "ignores-mode",
         name="always the fan_in",
         explain="You use the fan_in whatever mode says. With mode 'fan_out' the variance is scaled by the fan_out, "
                 "which keeps the gradients' spread in the backward pass.")
def kaiming_uniform_ignores_mode(shape, rng, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """Always uses fan_in, whatever ``mode`` says."""
    b = math.sqrt(3.0) * _kaiming_std(shape, a, mode, nonlinearity, fan="fan_in")
    return rng.uniform(-b, b, size=shape)


@mistake("initialization.kaiming_uniform", "dense-as-out-in",
         name="a dense weight read as (out, in)",
         explain="In this course a dense weight is used as x times W, so its shape is (fan_in, fan_out), the "
                 "transpose of PyTorch's (out, in). Reading it the other way puts the scaling on the wrong fan.")
def kaiming_uniform_pytorch_dense_convention(shape, rng, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """Reads a dense weight as PyTorch's ``(out, in)``: the factor lands on the wrong fan."""
    b = math.sqrt(3.0) * _kaiming_std(shape, a, mode, nonlinearity, fans=fans_pytorch_dense_convention)
    return rng.uniform(-b, b, size=shape)


@mistake("initialization.kaiming_uniform", "bound-is-std",
         name="σ used as the bound",
         explain="A uniform distribution on [−a, a] has standard deviation a/√3. To get the standard deviation σ the "
                 "bound must be √3 σ.")
def kaiming_uniform_bound_is_std(shape, rng, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """Uses ``sigma`` as the bound, forgetting ``sqrt(3)``."""
    b = _kaiming_std(shape, a, mode, nonlinearity)
    return rng.uniform(-b, b, size=shape)


@mistake("initialization.kaiming_uniform", "always-relu-gain",
         name="gain √2 for every nonlinearity",
         explain="You use ReLU's gain √2 whatever the nonlinearity and the slope a. The gain comes from the "
                 "nonlinearity argument (and the slope, for a leaky ReLU).",
         see="gains")
def kaiming_uniform_always_relu_gain(shape, rng, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """Gain sqrt(2) for every nonlinearity: ignores ``nonlinearity`` and the slope ``a``."""
    b = math.sqrt(3.0) * _kaiming_std(shape, a, mode, nonlinearity, gain=math.sqrt(2.0))
    return rng.uniform(-b, b, size=shape)


@mistake("initialization.kaiming_normal", "ignores-mode",
         name="always the fan_in",
         explain="You use the fan_in whatever mode says. With mode 'fan_out' the variance is scaled by the fan_out, "
                 "which keeps the gradients' spread in the backward pass.")
def kaiming_normal_ignores_mode(shape, rng, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """Always uses fan_in, whatever ``mode`` says."""
    return _kaiming_std(shape, a, mode, nonlinearity, fan="fan_in") * rng.standard_normal(shape)


@mistake("initialization.kaiming_normal", "dense-as-out-in",
         name="a dense weight read as (out, in)",
         explain="In this course a dense weight is used as x times W, so its shape is (fan_in, fan_out), the "
                 "transpose of PyTorch's (out, in). Reading it the other way puts the scaling on the wrong fan.")
def kaiming_normal_pytorch_dense_convention(shape, rng, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """Reads a dense weight as PyTorch's ``(out, in)``: the factor lands on the wrong fan."""
    std = _kaiming_std(shape, a, mode, nonlinearity, fans=fans_pytorch_dense_convention)
    return std * rng.standard_normal(shape)


@mistake("initialization.kaiming_normal", "variance-as-std",
         name="the variance used as the standard deviation",
         explain="You scale the draws by gain²/fan, the variance. A normal draw is scaled by the standard deviation, "
                 "gain/√fan.")
def kaiming_normal_variance_as_std(shape, rng, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """Uses the variance ``gain² / fan`` as the standard deviation."""
    return _kaiming_std(shape, a, mode, nonlinearity) ** 2 * rng.standard_normal(shape)


@mistake("initialization.kaiming_normal", "draws-uniform",
         name="a uniform draw instead of a normal one",
         explain="Your weights have the right spread but come from a uniform distribution. The normal variant draws "
                 "from a normal distribution with that standard deviation.")
def kaiming_normal_draws_uniform(shape, rng, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """A uniform draw with the right standard deviation where a normal one is asked for."""
    return ref.kaiming_uniform(shape, rng, a=a, mode=mode, nonlinearity=nonlinearity)


@mistake("initialization.kaiming_normal", "ignores-slope",
         name="the slope a not passed to the gain",
         explain="You compute the gain of the nonlinearity without the slope a, so a leaky ReLU always gets the gain "
                 "of the default slope. Pass a on to the gain.")
def kaiming_normal_ignores_slope(shape, rng, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """Calls ``calculate_gain(nonlinearity)`` without the slope ``a``."""
    return _kaiming_std(shape, None, mode, nonlinearity) * rng.standard_normal(shape)


@mistake("initialization.xavier_normal", "float32-weights",
         name="float32 weights",
         explain="Your weights come back as float32. The docstring promises float64 weights (drawing in float32 and "
                 "converting is fine, returning float32 is not).",
         see="how-to-use#rules")
def xavier_normal_float32_draws(shape, rng, gain=1.0):
    """Draws in float32 (``rng.standard_normal(shape, dtype=np.float32)``): float32 weights, float64 promised."""
    return np.float32(_xavier_std(shape, gain)) * rng.standard_normal(shape, dtype=np.float32)


@mistake("initialization.kaiming_uniform", "slope-for-relu",
         name="the slope a used for every nonlinearity",
         explain="You apply the slope a whenever it is given. It belongs to the leaky ReLU only: for any other "
                 "nonlinearity, plain ReLU included, it is ignored.",
         see="gains")
def kaiming_uniform_slope_for_every_nonlinearity(shape, rng, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """Uses the slope ``a`` whenever it is given, also for ``nonlinearity="relu"`` where it must be ignored."""
    b = math.sqrt(3.0) * _kaiming_std(shape, a, mode, "leaky_relu" if a else nonlinearity)
    return rng.uniform(-b, b, size=shape)


# No generic precision mistakes: the initializers' float32 draws cast to float64 are accepted (their statistics
# are those of float64 draws), the fans are integers, and the gain's float32 shortcut is gain_float32 above.
