"""Right initializers written differently from the answer module.

The random ones are graded by statistics, so they may draw in other ways than
ours: other Generator methods, a fresh unseeded Generator, or NumPy's global
``np.random`` functions (a chance failure has probability below 1e-8 per case).
"""
import math
from functools import reduce

import numpy as np

_GAINS = {"linear": 1.0, "sigmoid": 1.0, "tanh": 5 / 3, "relu": math.sqrt(2.0), "selu": 0.75}


# -- compute_fans ----------------------------------------------------------------

def fans_loop_as_list(shape):
    """Receptive field by a loop; returns a list ``[fan_in, fan_out]``."""
    shape = tuple(shape)
    receptive = 1
    for k in shape[2:]:
        receptive *= k
    return [shape[1] * receptive if len(shape) > 2 else shape[0],
            shape[0] * receptive if len(shape) > 2 else shape[1]]


def fans_numpy_ints(shape):
    """``np.prod`` of the kernel dimensions: NumPy integers instead of Python ints."""
    shape = np.asarray(shape)
    if shape.size == 2:
        return shape[0], shape[1]
    receptive = np.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


# -- calculate_gain --------------------------------------------------------------

def gain_table(nonlinearity, param=None):
    """A dict for the fixed gains, the conv names by prefix, ``param is None`` for the default slope."""
    if nonlinearity.startswith("conv"):
        return 1.0
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return math.sqrt(2.0 / (1.0 + slope * slope))
    return _GAINS[nonlinearity]


def gain_numpy(nonlinearity, param=None):
    """``if``/``elif`` chain with ``np.sqrt`` (returns NumPy floats)."""
    if nonlinearity == "relu":
        return np.sqrt(2.0)
    elif nonlinearity == "leaky_relu":
        return np.sqrt(2.0 / (1.0 + np.square(0.01 if param is None else param)))
    elif nonlinearity == "tanh":
        return np.float64(5.0) / 3.0
    elif nonlinearity == "selu":
        return np.float64(0.75)
    return np.float64(1.0)


def _fans(shape):
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = reduce(lambda a, b: a * b, shape[2:], 1)
    return shape[1] * receptive, shape[0] * receptive


# -- Xavier ----------------------------------------------------------------------

def xavier_uniform_float32(shape, rng, gain=1.0):
    """Draws and scales in float32 (``rng.random(shape, dtype=np.float32)``), then casts to float64."""
    fan_in, fan_out = _fans(shape)
    bound = np.float32(gain * math.sqrt(6.0 / (fan_in + fan_out)))
    return (bound * (np.float32(2) * rng.random(shape, dtype=np.float32) - np.float32(1))).astype(np.float64)


def xavier_uniform_scaled_random(shape, rng, gain=1.0):
    """``bound * (2 * rng.random(shape) - 1)``, with ``bound = gain * sqrt(6 / (fan_in + fan_out))``."""
    fan_in, fan_out = _fans(shape)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return bound * (2.0 * rng.random(shape) - 1.0)


def xavier_uniform_global_np_random(shape, rng, gain=1.0):
    """NumPy's global ``np.random.uniform``, ignoring ``rng``."""
    fan_in, fan_out = _fans(shape)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return np.random.uniform(-bound, bound, size=shape)


def xavier_normal_rng_normal(shape, rng, gain=1.0):
    """``rng.normal(0, std, shape)``."""
    fan_in, fan_out = _fans(shape)
    return rng.normal(0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), size=shape)


def xavier_normal_fresh_generator(shape, rng, gain=1.0):
    """Draws from a fresh ``np.random.default_rng()`` instead of the given ``rng``, in float32, cast to float64."""
    fan_in, fan_out = _fans(shape)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return (std * np.random.default_rng().standard_normal(shape, dtype=np.float32)).astype(np.float64)


# -- Kaiming ---------------------------------------------------------------------

def _kaiming_std(shape, a, mode, nonlinearity):
    fan_in, fan_out = _fans(shape)
    return gain_table(nonlinearity, a) / math.sqrt(fan_in if mode == "fan_in" else fan_out)


def kaiming_uniform_rng_uniform(shape, rng, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """``rng.uniform(-1, 1) * bound``."""
    bound = math.sqrt(3.0) * _kaiming_std(shape, a, mode, nonlinearity)
    return rng.uniform(-1.0, 1.0, size=shape) * bound


def kaiming_uniform_float32(shape, rng, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """Draws and scales in float32, then casts to float64."""
    bound = np.float32(math.sqrt(3.0) * _kaiming_std(shape, a, mode, nonlinearity))
    return (bound * (np.float32(2) * rng.random(shape, dtype=np.float32) - np.float32(1))).astype(np.float64)


def kaiming_normal_float32(shape, rng, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """``rng.standard_normal(shape, dtype=np.float32)`` scaled in float32, then cast to float64."""
    std = np.float32(_kaiming_std(shape, a, mode, nonlinearity))
    return (std * rng.standard_normal(shape, dtype=np.float32)).astype(np.float64)


def kaiming_uniform_global_np_random(shape, rng, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """``np.random.rand`` from the global state, ignoring ``rng``; bound as ``gain * sqrt(3 / fan)``."""
    fan_in, fan_out = _fans(shape)
    fan = fan_in if mode == "fan_in" else fan_out
    bound = gain_table(nonlinearity, a) * math.sqrt(3.0 / fan)
    return (2 * np.random.rand(*shape) - 1) * bound


def kaiming_normal_global_np_random(shape, rng, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """``np.random.normal`` from the global state, ignoring ``rng``."""
    return np.random.normal(0.0, _kaiming_std(shape, a, mode, nonlinearity), size=shape)


def kaiming_normal_rng_standard_normal(shape, rng, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """``std * rng.standard_normal(shape)`` with ``std = sqrt(2 / ((1 + a²) fan))`` for leaky ReLU written out."""
    fan_in, fan_out = _fans(shape)
    fan = fan_in if mode == "fan_in" else fan_out
    if nonlinearity == "leaky_relu":
        std = math.sqrt(2.0 / ((1.0 + a * a) * fan))
    else:
        std = gain_table(nonlinearity) / math.sqrt(fan)
    return std * rng.standard_normal(shape)


ALTERNATIVES = {
    "initialization.compute_fans": [fans_loop_as_list, fans_numpy_ints],
    "initialization.calculate_gain": [gain_table, gain_numpy],
    "initialization.xavier_uniform": [xavier_uniform_scaled_random, xavier_uniform_global_np_random,
                                      xavier_uniform_float32],
    "initialization.xavier_normal": [xavier_normal_rng_normal, xavier_normal_fresh_generator],
    "initialization.kaiming_uniform": [kaiming_uniform_rng_uniform, kaiming_uniform_global_np_random,
                                       kaiming_uniform_float32],
    "initialization.kaiming_normal": [kaiming_normal_global_np_random, kaiming_normal_rng_standard_normal,
                                      kaiming_normal_float32],
}

# The float32 shortcut of the random initializers (their inputs hold no float64 array): float32
# draws cast to float64, accepted by design (tests/grading/test_determinism.py).
FLOAT32_SHORTCUTS = {
    "initialization.xavier_uniform": xavier_uniform_float32,
    "initialization.xavier_normal": xavier_normal_fresh_generator,
    "initialization.kaiming_uniform": kaiming_uniform_float32,
    "initialization.kaiming_normal": kaiming_normal_float32,
}
