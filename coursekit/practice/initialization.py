"""Practice checks for the initialization exercise: one function per graded function.

Random weights cannot be compared value by value, so the initializers are
judged, as in the hidden tests, by statistics of large weight arrays: the
shape, the mean, the standard deviation, the bounds of a uniform draw and the
share of values within one standard deviation (68.3 % for a normal
distribution, 57.7 % for a uniform one). The tolerances are about six standard
errors: a right implementation fails by chance less than once in a million.
"""
import math

import numpy as np

from coursekit.i18n import _tr
from coursekit.practice import Mismatch, Practice, call, expect, expect_close, expect_dtype

_NORMAL_SHARE, _UNIFORM_SHARE = math.erf(1 / math.sqrt(2)), 1 / math.sqrt(3)  # shares within one std of 0


def practice_compute_fans(compute_fans):
    """Practice checks of `compute_fans`; True when all pass."""
    p = Practice("compute_fans")

    def table(cases):
        def test():
            for shape, fans, why in cases:
                got = call(compute_fans, shape)
                if type(got) not in (tuple, list) or len(got) != 2:
                    raise Mismatch(f"compute_fans({shape}) returned {got!r}, expected a pair (fan_in, fan_out)")
                for value in got:
                    expect(isinstance(value, (int, np.integer)), f"compute_fans({shape}) returned {got!r}: the fans "
                           "should be whole numbers (int)")
                expect(tuple(int(v) for v in got) == fans,
                       f"compute_fans({shape}) is {tuple(int(v) for v in got)}, expected {fans} ({why})")
        return test

    p.check("dense weights (fan_in, fan_out), one input included", table([
        ((3, 7), (3, 7), "x @ w: the rows are the inputs"), ((7, 3), (7, 3), "the same rule"),
        ((1, 9), (1, 9), "one input")]), hint="a dense weight here is (fan_in, fan_out), not PyTorch's (out, in).")
    p.check("convolution kernels (C_out, C_in, k...) in 1, 2 and 3 dimensions, 1x1 included", table([
        ((16, 3, 5, 5), (75, 400), "3 * 25 and 16 * 25"), ((6, 4, 3, 4), (48, 72), "4 * 12 and 6 * 12"),
        ((8, 4, 3), (12, 24), "4 * 3 and 8 * 3"), ((4, 2, 3, 3, 3), (54, 108), "2 * 27 and 4 * 27"),
        ((10, 6, 1, 1), (6, 10), "a 1x1 kernel: just the channels")]),
        hint="multiply the channels by the product of every kernel dimension (all dimensions after the first two).")
    return p.ok


def practice_calculate_gain(calculate_gain):
    """Practice checks of `calculate_gain`; True when all pass."""
    p = Practice("calculate_gain")

    def table(cases):
        def test():
            for args, kwargs, gain in cases:
                got = call(calculate_gain, *args, **kwargs)
                shown = ", ".join([repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()])
                expect(isinstance(got, (float, int, np.floating, np.integer)) and np.ndim(got) == 0,
                       f"calculate_gain({shown}) returned a {type(got).__name__}, expected a number")
                expect_close(got, gain, f"calculate_gain({shown})", rtol=1e-9, atol=0)
        return test

    names = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose2d", "sigmoid"]
    p.check("the fixed gains: linear, convolutions, sigmoid, tanh, relu, selu", table(
        [((name,), {}, 1.0) for name in names]
        + [(("tanh",), {}, 5 / 3), (("relu",), {}, math.sqrt(2)), (("selu",), {}, 0.75)]),
        hint="tanh has gain 5/3 and ReLU √2 (the factor of the standard deviation, not of the variance).")
    p.check("leaky ReLU: default slope 0.01, slopes 0.2, 2.5 and 0", table([
        (("leaky_relu",), {}, math.sqrt(2 / 1.0001)), (("leaky_relu",), {"param": 0.2}, math.sqrt(2 / 1.04)),
        (("leaky_relu", 2.5), {}, math.sqrt(2 / 7.25)), (("leaky_relu",), {"param": 0.0}, math.sqrt(2))]),
        hint="sqrt(2 / (1 + slope²)); a slope of 0 is a slope: test `param is None` for the default.")
    p.check("param is ignored by the other nonlinearities", table([
        (("relu",), {"param": 0.5}, math.sqrt(2)), (("tanh", 0.3), {}, 5 / 3)]))
    return p.ok


def _statistics(w, sigma, kind, what):
    """Shape-free checks of one large weight array against the wanted standard deviation and law."""
    n = w.size
    mean, std = float(w.mean()), float(w.std())
    allowed = 6 * sigma / math.sqrt(n)
    expect(abs(mean) <= allowed, f"{what}: mean {mean:.3g}, should be 0 (within {allowed:.1g})")
    tol = 6 / math.sqrt(n)
    expect(abs(std / sigma - 1) <= tol, f"{what}: standard deviation {std:.5g}, expected {sigma:.5g} "
           f"(ratio {std / sigma:.3f}; allowed ±{tol:.1%})")
    if kind == "uniform":
        bound = math.sqrt(3) * sigma
        biggest = float(np.abs(w).max())
        expect(biggest <= bound * (1 + 1e-9), f"{what}: a value of magnitude {biggest:.5g} lies outside the bounds "
               f"±{bound:.5g} = ±√3 σ of the uniform distribution")
        expect(biggest >= bound * (1 - 20 / n), f"{what}: the largest magnitude is {biggest:.5g}, but {n} uniform "
               f"draws on ±{bound:.5g} come within {20 / n:.0e} (relative) of the bound")
    share = {"normal": _NORMAL_SHARE, "uniform": _UNIFORM_SHARE}[kind]
    frac = float(np.mean(np.abs(w - mean) <= std))
    allowed = 6 * math.sqrt(share * (1 - share) / n)
    expect(abs(frac - share) <= allowed, f"{what}: {frac:.1%} of the values lie within one standard deviation; a "
           f"{kind} distribution has {share:.1%} there (is it drawn from the right distribution?)")


def _initializer_practice(name, init, kind, cases, hints):
    """Cases: (label, shape, kwargs, sigma worked out by hand)."""
    p = Practice(name, uses="compute_fans and calculate_gain, when your function calls them")
    rng = p.rng
    for (label, shape, kwargs, sigma), hint in zip(cases, hints):
        def test(shape=shape, kwargs=kwargs, sigma=sigma, label=label):
            w = call(init, shape, np.random.default_rng(int(rng.integers(2**32))), **kwargs)
            w = expect_dtype(w, np.float64, f"the weights for {label}")
            expect(w.shape == tuple(shape), f"the weights for {label} have shape {w.shape}, expected {tuple(shape)}")
            expect(np.isfinite(w).all(), f"the weights for {label} contain NaN or inf")
            if w.size >= 2000:
                _statistics(w, sigma, kind, label)
        p.check(f"{_tr(label)}: σ = {sigma:.4g}" if sigma else label, test, hint=hint)
    return p.ok


def _xavier_cases():
    return [
        ("dense (200, 800)", (200, 800), {}, math.sqrt(2 / 1000)),
        ("dense (1000, 250), gain 5/3", (1000, 250), {"gain": 5 / 3}, 5 / 3 * math.sqrt(2 / 1250)),
        ("2-D convolution (64, 32, 3, 3): fans 288 and 576", (64, 32, 3, 3), {}, math.sqrt(2 / 864)),
        ("1-D convolution (128, 16, 5), gain √2: fans 80 and 640", (128, 16, 5), {"gain": math.sqrt(2)},
         math.sqrt(2) * math.sqrt(2 / 720)),
        ("a small dense weight (3, 5): shape only", (3, 5), {}, 0.0),
    ]


_XAVIER_HINTS = ["σ = gain · sqrt(2 / (fan_in + fan_out)).", "multiply by the gain.",
                 "a convolution's fans include the kernel size (compute_fans).", "", ""]


def practice_xavier_uniform(xavier_uniform):
    """Practice checks of `xavier_uniform`; True when all pass."""
    hints = [(h, "The uniform bound is √3 σ.") if i == 0 else h for i, h in enumerate(_XAVIER_HINTS)]
    return _initializer_practice("xavier_uniform", xavier_uniform, "uniform", _xavier_cases(), hints)


def practice_xavier_normal(xavier_normal):
    """Practice checks of `xavier_normal`; True when all pass."""
    hints = [(h, "NumPy's normal takes the standard deviation, not the variance.") if i == 0 else h
             for i, h in enumerate(_XAVIER_HINTS)]
    return _initializer_practice("xavier_normal", xavier_normal, "normal", _xavier_cases(), hints)


def _kaiming_cases():
    return [
        ("dense (200, 800), defaults (ReLU, fan_in 200)", (200, 800), {}, math.sqrt(2 / 200)),
        ("dense (800, 200), mode 'fan_out' (200)", (800, 200), {"mode": "fan_out"}, math.sqrt(2 / 200)),
        ("convolution (64, 32, 3, 3), 'relu': fan_in 288", (64, 32, 3, 3), {"nonlinearity": "relu"},
         math.sqrt(2 / 288)),
        ("dense (400, 100), leaky ReLU slope a = 0.5", (400, 100), {"a": 0.5, "nonlinearity": "leaky_relu"},
         math.sqrt(2 / 1.25) / math.sqrt(400)),
        ("dense (300, 600), 'tanh'", (300, 600), {"nonlinearity": "tanh"}, 5 / 3 / math.sqrt(300)),
        ("convolution (32, 16, 5, 5), 'linear', mode 'fan_out' (800)", (32, 16, 5, 5),
         {"nonlinearity": "linear", "mode": "fan_out"}, 1 / math.sqrt(800)),
        ("3-D convolution (16, 8, 3, 3, 3), mode 'fan_out' (432)", (16, 8, 3, 3, 3), {"mode": "fan_out"},
         math.sqrt(2 / 432)),
        ("dense (400, 300), 'relu' with a = 0.5 given (ignored)", (400, 300), {"nonlinearity": "relu", "a": 0.5},
         math.sqrt(2 / 400)),
        ("a small dense weight (2, 3): shape only", (2, 3), {}, 0.0),
    ]


_KAIMING_HINTS = ["σ = gain / sqrt(fan); the defaults mean ReLU (a = 0) and fan_in.",
                  "mode='fan_out' divides by fan_out.", "", "pass a to calculate_gain as the slope.",
                  "use the gain of the nonlinearity asked for.", "", "",
                  "the slope a only matters for nonlinearity='leaky_relu'.", ""]


def practice_kaiming_uniform(kaiming_uniform):
    """Practice checks of `kaiming_uniform`; True when all pass."""
    hints = [(h, "The uniform bound is √3 σ.") if i == 0 else h for i, h in enumerate(_KAIMING_HINTS)]
    return _initializer_practice("kaiming_uniform", kaiming_uniform, "uniform", _kaiming_cases(), hints)


def practice_kaiming_normal(kaiming_normal):
    """Practice checks of `kaiming_normal`; True when all pass."""
    hints = [(h, "NumPy's normal takes the standard deviation.") if i == 0 else h for i, h in enumerate(_KAIMING_HINTS)]
    return _initializer_practice("kaiming_normal", kaiming_normal, "normal", _kaiming_cases(), hints)


SELF_CHECKS = {
    "compute_fans": practice_compute_fans, "calculate_gain": practice_calculate_gain,
    "xavier_uniform": practice_xavier_uniform, "xavier_normal": practice_xavier_normal,
    "kaiming_uniform": practice_kaiming_uniform, "kaiming_normal": practice_kaiming_normal,
}
