"""Hidden cases for the initialization chapter.

``compute_fans`` and ``calculate_gain`` are deterministic and compared exactly
(fans are integers; gains to ``rtol=1e-9``, rounding only).

The four random initializers cannot be compared value by value — a learner
may draw from ``rng`` with other calls than ours, or even from ``np.random`` —
so their check compares **statistics** on large weights (3·10³ to 2.5·10⁵
entries): dense shapes that are far from square (so that using the wrong fan
changes the standard deviation by 25 % or more) and convolution
kernels (where forgetting the receptive field changes it by a factor of 3 or
more), with and without a gain, in both Kaiming modes. Small shapes are only
checked for shape and finite values. For a weight of ``n`` entries:

* shape equal to the requested one, every value finite;
* mean within ``6 σ/√n`` of 0;
* sample standard deviation within a relative ``6/√n`` (normal: 6 standard
  errors of the ratio of two sample deviations, ours and the learner's) or
  ``3/√n`` (uniform: 6.7 standard errors, since the bound, hence σ, is known
  almost exactly from our sample). That allows 0.6 % to
  2.2 % for most cases (10 % for the smallest, a 3456-entry kernel), while
  the mistakes these cases catch are off by 11 % or more: the wrong fan, a
  missing or wrong gain, the slope ``a`` ignored, a variance used as a
  standard deviation, a uniform bound without the factor √3;
* uniform: every value within the bound ``√3 σ`` (estimated as the largest
  magnitude in our sample, plus a slack of ``20/n`` relative, which our sample
  misses with probability ``e^-20``) and the largest magnitude within that
  slack of it;
* the fraction of values within one (own) standard deviation of their mean
  within ``6 √(p(1-p)/n)`` of ``p`` = 0.683 (normal) or 0.577 (uniform) —
  about 9 standard errors, since estimating the standard deviation from
  the same sample makes the fraction less variable than a binomial one: a
  uniform draw where a normal one is asked for, or the reverse, fails.

A correct implementation fails one of these by chance with probability
below 1e-8 per case (none failed in 14 000 trials with ``np.random`` draws).

Contract checked besides the values: ``compute_fans`` returns two integers
(``int`` or NumPy integers; ``12.0`` fails), ``calculate_gain`` a number,
the initializers float64 arrays (the docstrings promise float64: a float32
draw cast to float64 is fine, a float32 result is not). Parameters across
their range: ``calculate_gain``'s slope 0, 0.2, the default 0.01 and a random
slope from 0.3 to 3; Kaiming's ``a`` at 0, 0.5 and √5 (PyTorch's choice for
``nn.Linear``), ``a`` given with ``nonlinearity="relu"`` (where it must be
ignored), both modes and the nonlinearities linear, relu, leaky_relu, tanh
and selu; Xavier's gain 1, 5/3, √2 and 0.5.

The float32 shortcut: a float32 ``calculate_gain`` (about 3e-8 off) is
always caught, since gains must agree to ``rtol=1e-9``; float32 draws cast
to float64 are accepted by design, their statistics being those of float64
draws.
"""
import numpy as np

from autograder.judge.specs import Case, hidden

_MIN_STATS = 2000  # below this many entries only shape and finiteness are checked
_WITHIN_ONE_SIGMA = {"normal": 0.6826894921370859, "uniform": 1 / np.sqrt(3.0)}


def _distribution_check(kind):
    """A ``check`` comparing the statistics of ``got`` with those of ``expected``."""

    def check(got, expected, rtol, atol):
        expected = np.asarray(expected, dtype=np.float64)
        if not isinstance(got, np.ndarray):
            return (f"the result should be an array of shape {expected.shape} and dtype float64, "
                    f"got {type(got).__name__}")
        if got.shape != expected.shape:
            return f"the weights have shape {got.shape}, expected shape {expected.shape}"
        if got.dtype != np.float64:
            return f"the weights have dtype {got.dtype}, expected float64 (as the docstring says)"
        arr = got
        if not np.isfinite(arr).all():
            return "the weights contain NaN or inf"
        n = arr.size
        if n < _MIN_STATS:
            return None
        if kind == "uniform":
            bound = np.abs(expected).max()
            sigma = bound / np.sqrt(3.0)
            std_tol = 3.0 / np.sqrt(n)
        else:
            sigma = expected.std()
            std_tol = 6.0 / np.sqrt(n)
        mean = arr.mean()
        if abs(mean) > 6.0 * sigma / np.sqrt(n):
            return f"the weights should have mean 0, got mean {mean:.4g} (standard deviation {sigma:.4g} expected)"
        std = arr.std()
        if abs(std / sigma - 1.0) > std_tol:
            return (f"the standard deviation of the weights is {std:.4g}, expected {sigma:.4g} "
                    f"(ratio {std / sigma:.3f}; allowed ±{std_tol:.1%})")
        if kind == "uniform":
            biggest = np.abs(arr).max()
            slack = 20.0 / n
            if biggest > bound * (1 + slack):
                return (f"a value of magnitude {biggest:.4g} lies outside the bounds ±{bound:.4g} "
                        "of the uniform distribution")
            if biggest < bound * (1 - slack):
                return (f"the largest magnitude is {biggest:.4g}: a uniform draw of {n} values "
                        f"should come within {slack:.0e} (relative) of the bound {bound:.4g}")
        p = _WITHIN_ONE_SIGMA[kind]
        frac = np.mean(np.abs(arr - mean) <= std)  # the shape of the distribution, whatever its scale
        if abs(frac - p) > 6.0 * np.sqrt(p * (1 - p) / n):
            return (f"{frac:.1%} of the values lie within one standard deviation of 0; a {kind} distribution "
                    f"has {p:.1%} there")
        return None

    return check


def _seeded(rng):
    """A fresh Generator for the learner's call (the grader deep-copies it for the reference)."""
    return np.random.default_rng(int(rng.integers(2**63)))


# -- deterministic ----------------------------------------------------------------

@hidden("initialization.compute_fans", rtol=0.0, atol=0.0, rtol32=0.0, atol32=0.0, float32_shortcut="accepted",
        why="fans are integers (int or NumPy integers): exact.")
def _compute_fans_cases(rng):
    fan_in, fan_out = (int(n) for n in rng.integers(2, 50, 2))
    yield Case(f"dense weight of shape {(fan_in, fan_out)}", ((fan_in, fan_out),))
    yield Case("dense weight of shape (7, 3)", ((7, 3),))
    yield Case("dense weight with one input, shape (1, 9)", ((1, 9),))
    yield Case("2-D convolution kernel of shape (16, 3, 5, 5)", ((16, 3, 5, 5),))
    c_out, c_in, k = (int(n) for n in rng.integers(2, 9, 3))
    yield Case(f"2-D convolution kernel of shape {(c_out, c_in, k, k + 1)}", ((c_out, c_in, k, k + 1),))
    yield Case("1-D convolution kernel of shape (8, 4, 3)", ((8, 4, 3),))
    yield Case("3-D convolution kernel of shape (4, 2, 3, 3, 3)", ((4, 2, 3, 3, 3),))
    yield Case("1x1 convolution kernel of shape (10, 6, 1, 1)", ((10, 6, 1, 1),))


@hidden("initialization.calculate_gain", rtol=1e-9, atol=0.0,
        why="a number from a table or a square root: rounding only (a float32 gain is caught).")
def _calculate_gain_cases(rng):
    for name in ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose2d", "sigmoid", "tanh", "relu", "selu"):
        yield Case(f"nonlinearity {name!r}", (name,))
    yield Case("'leaky_relu' with the default slope", ("leaky_relu",))
    yield Case("'leaky_relu' with slope 0.2", ("leaky_relu",), {"param": 0.2})
    yield Case("'leaky_relu' with slope 0 (plain ReLU)", ("leaky_relu",), {"param": 0.0})
    slope = float(np.round(rng.uniform(0.3, 3.0), 3))
    yield Case(f"'leaky_relu' with slope {slope}", ("leaky_relu", slope))
    yield Case("'relu' with a slope given (ignored)", ("relu",), {"param": 0.5})
    yield Case("'tanh' with a slope given (ignored)", ("tanh", 0.3))


# -- random initializers ---------------------------------------------------------

def _xavier_cases(rng):
    yield Case("dense weight of shape (200, 800)", ((200, 800), _seeded(rng)))
    yield Case("dense weight of shape (1000, 250) with gain 5/3", ((1000, 250), _seeded(rng)), {"gain": 5 / 3})
    yield Case("2-D convolution kernel of shape (64, 32, 3, 3)", ((64, 32, 3, 3), _seeded(rng)))
    yield Case("1-D convolution kernel of shape (128, 16, 5) with gain √2",
               ((128, 16, 5), _seeded(rng)), {"gain": np.sqrt(2.0)})
    yield Case("dense weight of shape (100, 400) with gain 0.5", ((100, 400), _seeded(rng)), {"gain": 0.5})
    yield Case("small dense weight of shape (3, 5)", ((3, 5), _seeded(rng)))


def _kaiming_cases(rng):
    yield Case("dense weight of shape (200, 800), default arguments", ((200, 800), _seeded(rng)))
    yield Case("dense weight of shape (800, 200), mode 'fan_out'", ((800, 200), _seeded(rng)), {"mode": "fan_out"})
    yield Case("2-D convolution kernel of shape (64, 32, 3, 3), nonlinearity 'relu'",
               ((64, 32, 3, 3), _seeded(rng)), {"nonlinearity": "relu"})
    yield Case("dense weight of shape (400, 100), leaky ReLU with slope 0.5",
               ((400, 100), _seeded(rng)), {"a": 0.5, "nonlinearity": "leaky_relu"})
    yield Case("dense weight of shape (300, 600), nonlinearity 'tanh'",
               ((300, 600), _seeded(rng)), {"nonlinearity": "tanh"})
    yield Case("2-D convolution kernel of shape (32, 16, 5, 5), 'linear', mode 'fan_out'",
               ((32, 16, 5, 5), _seeded(rng)), {"nonlinearity": "linear", "mode": "fan_out"})
    yield Case("3-D convolution kernel of shape (16, 8, 3, 3, 3), mode 'fan_out'",
               ((16, 8, 3, 3, 3), _seeded(rng)), {"mode": "fan_out"})
    yield Case("dense weight of shape (500, 120), a = √5 (PyTorch's choice for nn.Linear)",
               ((500, 120), _seeded(rng)), {"a": np.sqrt(5.0)})
    yield Case("dense weight of shape (250, 500), a = 0.5 with nonlinearity 'relu' (a is ignored)",
               ((250, 500), _seeded(rng)), {"a": 0.5, "nonlinearity": "relu"})
    yield Case("dense weight of shape (300, 150), nonlinearity 'selu'", ((300, 150), _seeded(rng)),
               {"nonlinearity": "selu"})
    yield Case("small dense weight of shape (2, 3)", ((2, 3), _seeded(rng)))


_WHY = ("compared by statistics (mean, standard deviation, bounds, shape of the distribution), not values; "
        "a float64 array.")

for _name, _kind, _cases in (("xavier_uniform", "uniform", _xavier_cases), ("xavier_normal", "normal", _xavier_cases),
                             ("kaiming_uniform", "uniform", _kaiming_cases),
                             ("kaiming_normal", "normal", _kaiming_cases)):
    hidden(f"initialization.{_name}", check=_distribution_check(_kind), float32_shortcut="accepted", why=_WHY)(_cases)
