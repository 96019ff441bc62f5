"""Wrong initializers: the mistakes of the initialization exercise."""
import math

import numpy as np

from solutions import initialization as ref


# -- compute_fans ----------------------------------------------------------------

def fans_pytorch_dense_convention(shape):
    """Reads a dense weight as PyTorch's ``(out, in)``: fans swapped for 2-D shapes."""
    if len(shape) == 2:
        return shape[1], shape[0]
    return ref.compute_fans(shape)


def fans_without_receptive_field(shape):
    """Convolution fans ``C_in, C_out`` without the factor ``prod(kernel)``."""
    if len(shape) == 2:
        return shape[0], shape[1]
    return shape[1], shape[0]


def fans_conv_channels_swapped(shape):
    """Convolution kernel read as ``(C_in, C_out, ...)``: fan_in from ``shape[0]``."""
    if len(shape) == 2:
        return shape[0], shape[1]
    rf = math.prod(shape[2:])
    return shape[0] * rf, shape[1] * rf


def fans_only_first_kernel_dim(shape):
    """Multiplies by the first kernel dimension only (right for 1-D kernels, wrong for 2-D and 3-D)."""
    if len(shape) == 2:
        return shape[0], shape[1]
    return shape[1] * shape[2], shape[0] * shape[2]


def fans_prod_of_empty_is_float(shape):
    """One formula for every shape with ``np.prod(shape[2:])``, which is the float 1.0 for a dense weight."""
    receptive = np.prod(shape[2:])
    if len(shape) == 2:
        return shape[0] * receptive, shape[1] * receptive
    return shape[1] * receptive, shape[0] * receptive


# -- calculate_gain --------------------------------------------------------------

def gain_float32(nonlinearity, param=None):
    """Computes the gain in float32 (``np.float32`` constants and ``np.sqrt``): off by about 3e-8."""
    return np.float32(ref.calculate_gain(nonlinearity, param))


def gain_slope_or_default(nonlinearity, param=None):
    """``slope = param or 0.01``: a slope of 0 silently becomes 0.01."""
    if nonlinearity == "leaky_relu":
        slope = param or 0.01
        return math.sqrt(2.0 / (1 + slope ** 2))
    return ref.calculate_gain(nonlinearity, param)


def gain_relu_two(nonlinearity, param=None):
    """ReLU gain 2 (the variance factor) instead of sqrt(2) (the std factor)."""
    if nonlinearity == "relu":
        return 2.0
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return 2.0 / (1 + slope ** 2)
    return ref.calculate_gain(nonlinearity, param)


def gain_slope_not_squared(nonlinearity, param=None):
    """Leaky ReLU gain ``sqrt(2 / (1 + a))``: the slope is not squared."""
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return math.sqrt(2.0 / (1 + slope))
    return ref.calculate_gain(nonlinearity, param)


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


def xavier_uniform_bound_is_std(shape, rng, gain=1.0):
    """Uses ``sigma`` as the bound, forgetting the ``sqrt(3)`` of a uniform distribution."""
    b = _xavier_std(shape, gain)
    return rng.uniform(-b, b, size=shape)


def xavier_uniform_fan_in_only(shape, rng, gain=1.0):
    """``Var(w) = 1 / fan_in`` (LeCun): the factor on fan_in alone instead of ``2 / (fan_in + fan_out)``."""
    b = math.sqrt(3.0) * _xavier_std(shape, gain, fan="in")
    return rng.uniform(-b, b, size=shape)


def xavier_uniform_ignores_gain(shape, rng, gain=1.0):
    """Drops the ``gain`` argument."""
    return ref.xavier_uniform(shape, rng)


def xavier_uniform_no_receptive_field(shape, rng, gain=1.0):
    """Convolution fans without the kernel size."""
    b = math.sqrt(3.0) * _xavier_std(shape, gain, fans=fans_without_receptive_field)
    return rng.uniform(-b, b, size=shape)


def xavier_uniform_draws_normal(shape, rng, gain=1.0):
    """A normal draw with the right standard deviation where a uniform one is asked for."""
    return ref.xavier_normal(shape, rng, gain=gain)


def xavier_normal_variance_as_std(shape, rng, gain=1.0):
    """Uses the variance ``gain² · 2 / (fan_in + fan_out)`` as the standard deviation."""
    return _xavier_std(shape, gain) ** 2 * rng.standard_normal(shape)


def xavier_normal_uniform_bound_as_std(shape, rng, gain=1.0):
    """Uses the uniform bound ``sqrt(6 / (fan_in + fan_out))`` as the normal's standard deviation."""
    return math.sqrt(3.0) * _xavier_std(shape, gain) * rng.standard_normal(shape)


def xavier_normal_draws_uniform(shape, rng, gain=1.0):
    """A uniform draw with the right standard deviation where a normal one is asked for."""
    return ref.xavier_uniform(shape, rng, gain=gain)


def xavier_normal_no_receptive_field(shape, rng, gain=1.0):
    """Convolution fans without the kernel size."""
    return _xavier_std(shape, gain, fans=fans_without_receptive_field) * rng.standard_normal(shape)


# -- Kaiming ---------------------------------------------------------------------

def _kaiming_std(shape, a, mode, nonlinearity, *, fans=ref.compute_fans, gain=None, fan=None):
    fan_in, fan_out = fans(shape)
    chosen = {"fan_in": fan_in, "fan_out": fan_out}[fan or mode]
    g = ref.calculate_gain(nonlinearity, a) if gain is None else gain
    return g / math.sqrt(chosen)


def kaiming_uniform_ignores_mode(shape, rng, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """Always uses fan_in, whatever ``mode`` says."""
    b = math.sqrt(3.0) * _kaiming_std(shape, a, mode, nonlinearity, fan="fan_in")
    return rng.uniform(-b, b, size=shape)


def kaiming_uniform_pytorch_dense_convention(shape, rng, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """Reads a dense weight as PyTorch's ``(out, in)``: the factor lands on the wrong fan."""
    b = math.sqrt(3.0) * _kaiming_std(shape, a, mode, nonlinearity, fans=fans_pytorch_dense_convention)
    return rng.uniform(-b, b, size=shape)


def kaiming_uniform_bound_is_std(shape, rng, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """Uses ``sigma`` as the bound, forgetting ``sqrt(3)``."""
    b = _kaiming_std(shape, a, mode, nonlinearity)
    return rng.uniform(-b, b, size=shape)


def kaiming_uniform_always_relu_gain(shape, rng, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """Gain sqrt(2) for every nonlinearity: ignores ``nonlinearity`` and the slope ``a``."""
    b = math.sqrt(3.0) * _kaiming_std(shape, a, mode, nonlinearity, gain=math.sqrt(2.0))
    return rng.uniform(-b, b, size=shape)


def kaiming_normal_ignores_mode(shape, rng, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """Always uses fan_in, whatever ``mode`` says."""
    return _kaiming_std(shape, a, mode, nonlinearity, fan="fan_in") * rng.standard_normal(shape)


def kaiming_normal_pytorch_dense_convention(shape, rng, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """Reads a dense weight as PyTorch's ``(out, in)``: the factor lands on the wrong fan."""
    std = _kaiming_std(shape, a, mode, nonlinearity, fans=fans_pytorch_dense_convention)
    return std * rng.standard_normal(shape)


def kaiming_normal_variance_as_std(shape, rng, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """Uses the variance ``gain² / fan`` as the standard deviation."""
    return _kaiming_std(shape, a, mode, nonlinearity) ** 2 * rng.standard_normal(shape)


def kaiming_normal_draws_uniform(shape, rng, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """A uniform draw with the right standard deviation where a normal one is asked for."""
    return ref.kaiming_uniform(shape, rng, a=a, mode=mode, nonlinearity=nonlinearity)


def kaiming_normal_ignores_slope(shape, rng, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """Calls ``calculate_gain(nonlinearity)`` without the slope ``a``."""
    return _kaiming_std(shape, None, mode, nonlinearity) * rng.standard_normal(shape)


def xavier_normal_float32_draws(shape, rng, gain=1.0):
    """Draws in float32 (``rng.standard_normal(shape, dtype=np.float32)``): float32 weights, float64 promised."""
    return np.float32(_xavier_std(shape, gain)) * rng.standard_normal(shape, dtype=np.float32)


def kaiming_uniform_slope_for_every_nonlinearity(shape, rng, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """Uses the slope ``a`` whenever it is given, also for ``nonlinearity="relu"`` where it must be ignored."""
    b = math.sqrt(3.0) * _kaiming_std(shape, a, mode, "leaky_relu" if a else nonlinearity)
    return rng.uniform(-b, b, size=shape)


MUTANTS = {
    "initialization.compute_fans": [fans_pytorch_dense_convention, fans_without_receptive_field,
                                    fans_conv_channels_swapped, fans_only_first_kernel_dim,
                                    fans_prod_of_empty_is_float],
    "initialization.calculate_gain": [gain_slope_or_default, gain_relu_two, gain_slope_not_squared, gain_tanh_one,
                                      gain_float32],
    "initialization.xavier_uniform": [xavier_uniform_bound_is_std, xavier_uniform_fan_in_only,
                                      xavier_uniform_ignores_gain, xavier_uniform_no_receptive_field,
                                      xavier_uniform_draws_normal],
    "initialization.xavier_normal": [xavier_normal_variance_as_std, xavier_normal_uniform_bound_as_std,
                                     xavier_normal_draws_uniform, xavier_normal_no_receptive_field,
                                     xavier_normal_float32_draws],
    "initialization.kaiming_uniform": [kaiming_uniform_ignores_mode, kaiming_uniform_pytorch_dense_convention,
                                       kaiming_uniform_bound_is_std, kaiming_uniform_always_relu_gain,
                                       kaiming_uniform_slope_for_every_nonlinearity],
    "initialization.kaiming_normal": [kaiming_normal_ignores_mode, kaiming_normal_pytorch_dense_convention,
                                      kaiming_normal_variance_as_std, kaiming_normal_draws_uniform,
                                      kaiming_normal_ignores_slope],
}

# The float32 shortcut of the functions whose inputs hold no float64 array (the generic one in
# grading.mutants would change nothing there); tests/grading/test_determinism.py uses it.
FLOAT32_SHORTCUTS = {"initialization.calculate_gain": gain_float32}
