"""Practice checks for the activations exercise: one function per graded function."""
import numpy as np

from coursekit.practice import (
    Mismatch,
    Practice,
    away_from,
    call,
    expect,
    expect_close,
    expect_dtype,
    expect_finite,
    expect_gradient,
    expect_shape,
    first,
    spread,
    with_zeros,
)

_SHAPES = [(1, 5), (4, 3), (2, 3, 2, 2)]  # a single row, a matrix, a 4-D batch (N, C, H, W)


def _field(cache, name):
    """`cache.<name>`, or a Mismatch saying the cache lacks it."""
    if not hasattr(cache, name):
        raise Mismatch(f"the cache has no field '{name}': return the given cache class, filled in")
    return getattr(cache, name)


def _elementwise(practice, forward, label_values, values_check):
    """Checks every elementwise forward pass shares: shapes, zeros, ±1e4, float32, integers."""
    rng = practice.rng

    def shapes():
        for shape in _SHAPES:
            x = rng.normal(0.0, 3.0, size=shape)
            out = first(call(forward, x))
            expect_shape(out, shape, f"the output for input of shape {shape}")
            flat = first(call(forward, x.reshape(-1)))
            expect_close(out.reshape(-1), flat, f"the output for shape {shape} (elementwise: each value on its own)",
                         rtol=1e-12, atol=0.0)
            values_check(x, out)

    def float32():
        x = 3.0 * rng.standard_normal((4, 5))
        out32 = first(call(forward, x.astype(np.float32)))
        expect_dtype(out32, np.float32, "the output for float32 input")
        out64 = first(call(forward, x.astype(np.float32).astype(np.float64)))
        expect_close(out32, out64, "the float32 output (compared with your float64 one)", rtol=1e-5, atol=1e-6)
        big = first(call(forward, spread(rng, (3, 4), dtype=np.float32)))
        expect_dtype(big, np.float32, "the output for float32 values up to ±1e4")
        expect_finite(big, "the output for float32 values up to ±1e4")

    def integers():
        x = rng.integers(-3, 4, size=(3, 4))
        out = first(call(forward, x))
        expect_dtype(out, np.float64, "the output for integer input")
        values_check(x.astype(np.float64), out)

    practice.check(label_values[0], label_values[1])
    practice.check("shapes (1, 5), (4, 3) and a 4-D batch: same shape out, each value on its own", shapes)
    practice.check("float32 input: float32 out, the same values", float32)
    practice.check("integer input: float64 out", integers)


# -- sigmoid -------------------------------------------------------------------

def practice_sigmoid_forward(sigmoid_forward):
    """Practice checks of `sigmoid_forward`; True when all pass."""
    p = Practice("sigmoid_forward")
    rng = p.rng

    def values_check(x, out):
        expect_shape(out, x.shape, "the output")
        expect(np.all((out >= 0) & (out <= 1)), "some values lie outside [0, 1]")
        mirrored = first(call(sigmoid_forward, -x))
        expect_close(out + mirrored, np.ones_like(out), "σ(x) + σ(-x) (should be 1)", rtol=1e-12, atol=1e-12)

    def by_hand():
        a = np.exp(rng.uniform(-7, 7, size=(3, 4)))           # σ(ln a) = a / (1 + a)
        x = np.log(a)
        x[0, 0] = 0.0
        expected = a / (1 + a)
        expected[0, 0] = 0.5
        expect_close(first(call(sigmoid_forward, x)), expected, "σ(ln a) (should be a / (1 + a); σ(0) = 1/2)")

    def zeros_and_large():
        x = with_zeros(rng, (4, 5))
        out = first(call(sigmoid_forward, x))
        expect(np.all(out[x == 0] == 0.5), "σ(0) is not exactly 0.5")
        x = spread(rng, (5, 6))
        out = expect_finite(first(call(sigmoid_forward, x)), "the output for values up to ±1e4")
        high, low = x >= 40, x <= -40
        expect_close(out[high], np.ones(int(high.sum())), "σ(x) for x ≥ 40 (should round to 1)", rtol=0, atol=1e-12)
        expect(np.all((out[low] >= 0) & (out[low] <= 1e-12)), "σ(x) for x ≤ -40 should be within 1e-12 of 0")

    def cache_holds_output():
        x = 2.0 * rng.standard_normal((3, 4))
        out, cache = call(sigmoid_forward, x)
        expect_close(_field(cache, "out"), out, "cache.out (should be the output σ(x))", rtol=0, atol=0)

    _elementwise(p, sigmoid_forward, ("σ(0) = 1/2 and σ(ln a) = a / (1 + a), worked out by hand", by_hand),
                 values_check)
    p.check("exact zeros, and values up to ±1e4 (no NaN, saturates to 0 and 1)", zeros_and_large,
            hint="exponentiate only non-positive numbers (the exp of a large positive number overflows).")
    p.check("the cache holds the output σ(x)", cache_holds_output)
    return p.ok


def _backward_checks(p, backward, forward, kinks=(), forward_kwargs=None):
    """Gradient checks every elementwise backward pass shares."""
    rng = p.rng
    forward_kwargs = forward_kwargs or {}

    def gradients():
        for shape in _SHAPES:
            x = away_from(rng, shape, kinks)
            dout = rng.standard_normal(shape)
            cache = call(forward, x, **forward_kwargs)[1]
            dx = call(backward, dout, cache)
            expect_gradient(lambda z: first(call(forward, z, **forward_kwargs)), x, dout, dx,
                            f"dx for input of shape {shape}")

    def large():
        x = spread(rng, (4, 5))
        dout = rng.standard_normal(x.shape)
        dx = call(backward, dout, call(forward, x, **forward_kwargs)[1])
        expect_shape(dx, x.shape, "dx")
        expect_finite(dx, "dx for values up to ±1e4")
        expect_gradient(lambda z: first(call(forward, z, **forward_kwargs)), x, dout, dx,
                        "dx for values up to ±1e4", atol=1e-7)

    def float32():
        x = away_from(rng, (4, 6), kinks).astype(np.float32)
        dout = rng.standard_normal(x.shape).astype(np.float32)
        dx32 = call(backward, dout, call(forward, x, **forward_kwargs)[1])
        expect_dtype(dx32, np.float32, "dx for float32 input")
        dx64 = call(backward, dout.astype(np.float64), call(forward, x.astype(np.float64), **forward_kwargs)[1])
        expect_close(dx32, dx64, "the float32 dx (compared with your float64 one)", rtol=1e-4, atol=1e-6)

    p.check("agrees with the numerical gradient: shapes (1, 5), (4, 3) and a 4-D batch", gradients,
            hint="multiply dout by the local derivative, using what the cache holds.")
    p.check("values up to ±1e4: finite, agrees with the numerical gradient", large)
    p.check("float32 input: float32 dx, the same values", float32)


def practice_sigmoid_backward(sigmoid_backward, sigmoid_forward):
    """Practice checks of `sigmoid_backward` (with your `sigmoid_forward` for the caches)."""
    p = Practice("sigmoid_backward", uses="sigmoid_forward")
    _backward_checks(p, sigmoid_backward, sigmoid_forward)
    return p.ok


# -- tanh ----------------------------------------------------------------------

def practice_tanh_forward(tanh_forward):
    """Practice checks of `tanh_forward`; True when all pass."""
    p = Practice("tanh_forward")
    rng = p.rng

    def values_check(x, out):
        expect_shape(out, x.shape, "the output")
        expect(np.all((out >= -1) & (out <= 1)), "some values lie outside [-1, 1]")
        mirrored = first(call(tanh_forward, -x))
        expect_close(out, -mirrored, "tanh(x) against -tanh(-x) (tanh is odd)", rtol=1e-12, atol=1e-15)

    def by_hand():
        a = np.exp(rng.uniform(-4, 4, size=(3, 4)))           # tanh(ln a) = (a² - 1) / (a² + 1)
        x = np.log(a)
        x[0, 0] = 0.0
        expected = (a * a - 1) / (a * a + 1)
        expected[0, 0] = 0.0
        expect_close(first(call(tanh_forward, x)), expected, "tanh(ln a) (should be (a² - 1) / (a² + 1))",
                     atol=1e-12)

    def zeros_and_large():
        x = with_zeros(rng, (4, 5))
        out = first(call(tanh_forward, x))
        expect(np.all(out[x == 0] == 0), "tanh(0) is not exactly 0")
        x = spread(rng, (5, 6))
        out = expect_finite(first(call(tanh_forward, x)), "the output for values up to ±1e4")
        far = np.abs(x) >= 20
        expect_close(out[far], np.sign(x[far]), "tanh(x) for |x| ≥ 20 (should round to ±1)", rtol=0, atol=1e-12)

    def cache_holds_output():
        x = 2.0 * rng.standard_normal((3, 4))
        out, cache = call(tanh_forward, x)
        expect_close(_field(cache, "out"), out, "cache.out (should be the output tanh(x))", rtol=0, atol=0)

    _elementwise(p, tanh_forward, ("tanh(0) = 0 and tanh(ln a) = (a² - 1) / (a² + 1), worked out by hand", by_hand),
                 values_check)
    p.check("exact zeros, and values up to ±1e4 (no NaN, saturates to ±1)", zeros_and_large,
            hint="e^x overflows for large x: np.tanh, or a form that exponentiates only non-positive numbers.")
    p.check("the cache holds the output tanh(x)", cache_holds_output)
    return p.ok


def practice_tanh_backward(tanh_backward, tanh_forward):
    """Practice checks of `tanh_backward` (with your `tanh_forward` for the caches)."""
    p = Practice("tanh_backward", uses="tanh_forward")
    _backward_checks(p, tanh_backward, tanh_forward)
    return p.ok


# -- ReLU ----------------------------------------------------------------------

def practice_relu_forward(relu_forward):
    """Practice checks of `relu_forward`; True when all pass."""
    p = Practice("relu_forward")
    rng = p.rng

    def values_check(x, out):
        expect_shape(out, x.shape, "the output")
        expect(np.array_equal(out[x > 0], x[x > 0]), "a positive input did not come out unchanged")
        expect(np.all(out[x <= 0] == 0), "a negative input or 0 did not give 0")

    def by_hand():
        out = first(call(relu_forward, np.array([[-2.0, -0.0, 0.0, 1e-300, 3.5, -1e-300]])))
        expect_close(out, [[0.0, 0.0, 0.0, 1e-300, 3.5, 0.0]], "ReLU of (-2, -0, 0, 1e-300, 3.5, -1e-300)",
                     rtol=0, atol=0)

    def zeros_and_large():
        x = with_zeros(rng, (5, 4))
        values_check(x, first(call(relu_forward, x)))
        x = spread(rng, (4, 6))
        values_check(x, expect_finite(first(call(relu_forward, x)), "the output for values up to ±1e4"))

    def cache_holds_input():
        x = with_zeros(rng, (3, 4))
        cache = call(relu_forward, x)[1]
        expect_close(_field(cache, "x"), x, "cache.x (should be the forward input x)", rtol=0, atol=0)

    _elementwise(p, relu_forward, ("ReLU of a few values, worked out by hand", by_hand), values_check)
    p.check("exact zeros and values up to ±1e4", zeros_and_large)
    p.check("the cache holds the input x", cache_holds_input, hint="ReluCache(x): the backward pass needs the input.")
    return p.ok


def _zero_slope_check(p, backward, forward, slope_name, slope_at_zero, forward_kwargs=None):
    rng = p.rng
    forward_kwargs = forward_kwargs or {}

    def at_zero():
        x = with_zeros(rng, (6, 5))
        dout = rng.standard_normal(x.shape)
        dx = expect_shape(call(backward, dout, call(forward, x, **forward_kwargs)[1]), x.shape, "dx")
        zero, pos = x == 0, x > 0
        expect_close(dx[zero], slope_at_zero * dout[zero], f"dx where x == 0 (slope {slope_name} there)",
                     rtol=1e-12, atol=0)
        expect_close(dx[pos], dout[pos], "dx where x > 0 (slope 1 there)", rtol=1e-12, atol=0)

    return at_zero


def practice_relu_backward(relu_backward, relu_forward):
    """Practice checks of `relu_backward` (with your `relu_forward` for the caches)."""
    p = Practice("relu_backward", uses="relu_forward")
    p.check("exact zeros: gradient 0 at x == 0 (the course's convention), dout where x > 0",
            _zero_slope_check(p, relu_backward, relu_forward, "0", 0.0),
            hint="decide from the input x in the cache, with a strict x > 0.")
    _backward_checks(p, relu_backward, relu_forward, kinks=(0.0,))
    return p.ok


# -- leaky ReLU ----------------------------------------------------------------

def practice_leaky_relu_forward(leaky_relu_forward):
    """Practice checks of `leaky_relu_forward`; True when all pass."""
    p = Practice("leaky_relu_forward")
    rng = p.rng

    def values_check(x, out, alpha=0.01):
        expect_shape(out, x.shape, "the output")
        expect(np.array_equal(out[x > 0], x[x > 0]), "a positive input did not come out unchanged")
        expect_close(out[x <= 0], alpha * x[x <= 0], f"the output where x <= 0 (should be {alpha} x)", atol=0)

    def by_hand():
        x = np.array([[-100.0, -0.0, 0.0, 2.0, -3.0]])
        expect_close(first(call(leaky_relu_forward, x)), [[-1.0, 0.0, 0.0, 2.0, -0.03]],
                     "the default slope 0.01 on (-100, -0, 0, 2, -3)", atol=0)
        expect_close(first(call(leaky_relu_forward, x, alpha=0.2)), [[-20.0, 0.0, 0.0, 2.0, -0.6]],
                     "alpha = 0.2 on (-100, -0, 0, 2, -3)", atol=0)

    def other_slopes():
        x = with_zeros(rng, (5, 4), scale=3.0)
        for alpha in (0.2, 0.5, 0.0, 1.5):  # any slope, also one above 1
            values_check(x, first(call(leaky_relu_forward, x, alpha=alpha)), alpha)
        x = spread(rng, (4, 5))
        values_check(x, expect_finite(first(call(leaky_relu_forward, x)), "the output for values up to ±1e4"))

    def cache():
        x = with_zeros(rng, (3, 4))
        c = call(leaky_relu_forward, x, alpha=0.3)[1]
        expect_close(_field(c, "x"), x, "cache.x (should be the forward input x)", rtol=0, atol=0)
        expect(_field(c, "alpha") == 0.3, f"cache.alpha is {c.alpha!r}, expected the slope 0.3 you were given")

    _elementwise(p, leaky_relu_forward, ("the default slope and alpha = 0.2 by hand", by_hand), values_check)
    p.check("other slopes (0.2, 0.5, 0 and 1.5), exact zeros, values up to ±1e4", other_slopes,
            hint="use the alpha argument, not a fixed 0.01; x where x > 0 and alpha x elsewhere holds for any "
                 "slope (np.maximum(x, alpha * x) only for alpha <= 1).")
    p.check("the cache holds the input and the slope", cache)
    return p.ok


def practice_leaky_relu_backward(leaky_relu_backward, leaky_relu_forward):
    """Practice checks of `leaky_relu_backward` (with your `leaky_relu_forward` for the caches)."""
    p = Practice("leaky_relu_backward", uses="leaky_relu_forward")
    p.check("exact zeros: slope alpha at x == 0 (as in PyTorch), 1 where x > 0",
            _zero_slope_check(p, leaky_relu_backward, leaky_relu_forward, "alpha = 0.01", 0.01),
            hint="the slope 1 only where x > 0 (strictly); alpha elsewhere, x == 0 included.")
    p.check("alpha = 0.2 from the cache, exact zeros included",
            _zero_slope_check(p, leaky_relu_backward, leaky_relu_forward, "alpha = 0.2", 0.2, {"alpha": 0.2}),
            hint="read the slope from cache.alpha.")
    _backward_checks(p, leaky_relu_backward, leaky_relu_forward, kinks=(0.0,), forward_kwargs={"alpha": 0.1})
    return p.ok


# -- softmax -------------------------------------------------------------------

def _sums_to_one(out, axis, what):
    expect(np.all((out >= 0) & (out <= 1)), f"{what}: some probabilities lie outside [0, 1]")
    sums = np.sum(np.asarray(out, dtype=np.float64), axis=axis)
    expect_close(sums, np.ones_like(sums), f"{what}: the sums along axis {axis} (should be 1)", rtol=0, atol=1e-6)


def practice_softmax_forward(softmax_forward):
    """Practice checks of `softmax_forward`; True when all pass."""
    p = Practice("softmax_forward")
    rng = p.rng

    def by_hand():
        a = rng.integers(1, 6, size=(4, 3)).astype(np.float64)     # softmax(ln a + c) = a / sum(a), any c
        shift = np.array([[0.0], [50.0], [1000.0], [-1000.0]])
        out = first(call(softmax_forward, np.log(a) + shift))
        expect_close(out, a / a.sum(axis=1, keepdims=True),
                     "softmax(ln a + c) (should be a / sum(a), for c = 0, 50, 1000 and -1000)")

    def rows():
        for shape in [(1, 5), (4, 3), (6, 7)]:
            x = 3.0 * rng.standard_normal(shape)
            out = expect_shape(first(call(softmax_forward, x)), shape, f"the output for scores of shape {shape}")
            _sums_to_one(out, -1, f"scores of shape {shape}")
            log_ratio = np.log(out) - x        # the same for every class of a row: minus the log of the normaliser
            spread_ = np.max(log_ratio, axis=-1) - np.min(log_ratio, axis=-1)
            expect(np.all(spread_ < 1e-9), f"scores of shape {shape}: probabilities are not proportional to exp(score)")
            shifted = first(call(softmax_forward, x + 1e3 * rng.standard_normal((shape[0], 1))))
            expect_close(shifted, out, "the output after adding a large constant to each row (should not change)",
                         rtol=1e-6, atol=1e-12)

    def ties_and_large():
        tied = np.repeat(rng.standard_normal((3, 1)), 4, axis=1)
        expect_close(first(call(softmax_forward, tied)), np.full((3, 4), 0.25), "rows of equal scores (ties)")
        x = spread(rng, (5, 6))
        out = expect_finite(first(call(softmax_forward, x)), "the output for scores up to ±1e4")
        _sums_to_one(out, -1, "scores up to ±1e4")

    def axes():
        x = 2.0 * rng.standard_normal((6, 3))
        out = expect_shape(first(call(softmax_forward, x, axis=0)), (6, 3), "the output along axis 0")
        _sums_to_one(out, 0, "axis=0")
        x3 = 2.0 * rng.standard_normal((2, 3, 4))
        _sums_to_one(first(call(softmax_forward, x3, axis=1)), 1, "3-D scores, axis=1")

    def float32():
        x = (3.0 * rng.standard_normal((4, 5))).astype(np.float32)
        out = expect_dtype(first(call(softmax_forward, x)), np.float32, "the output for float32 scores")
        expect_close(out, first(call(softmax_forward, x.astype(np.float64))),
                     "the float32 output (compared with your float64 one)", rtol=1e-4, atol=1e-6)
        big = expect_dtype(first(call(softmax_forward, spread(rng, (3, 7), dtype=np.float32))), np.float32,
                           "the output for float32 scores up to ±1e4")
        _sums_to_one(expect_finite(big, "the output for float32 scores up to ±1e4"), -1, "float32 scores up to ±1e4")

    def cache():
        x = rng.standard_normal((3, 4))
        for axis in (-1, 0):
            out, c = call(softmax_forward, x, axis=axis)
            expect_close(_field(c, "out"), out, "cache.out (should be the probabilities)", rtol=0, atol=0)
            stored = _field(c, "axis")
            expect(isinstance(stored, (int, np.integer)) and stored % x.ndim == axis % x.ndim,
                   f"cache.axis is {stored!r} for axis={axis}: it should name the axis the softmax ran along")

    p.check("softmax(ln a + c) = a / sum(a) by hand, also for c = ±1000", by_hand,
            hint="subtract each row's maximum before exp: the result does not change, and nothing overflows.")
    p.check("single row and matrices: rows sum to 1, shift by a constant changes nothing", rows)
    p.check("ties (all scores equal) and scores up to ±1e4", ties_and_large,
            hint="subtract the maximum of each row (keepdims=True), not of the whole array.")
    p.check("axis=0, and 3-D scores with axis=1", axes, hint="use the axis argument for the max and the sum.")
    p.check("float32 scores: float32 out, the same values", float32)
    p.check("the cache holds the probabilities and the axis", cache)
    return p.ok


def practice_softmax_backward(softmax_backward, softmax_forward):
    """Practice checks of `softmax_backward` (with your `softmax_forward` for the caches)."""
    p = Practice("softmax_backward", uses="softmax_forward")
    rng = p.rng

    def grad(shape, axis=-1, scale=3.0, atol=1e-9):
        x = rng.normal(0.0, scale, size=shape)
        dout = rng.normal(size=shape)
        dx = call(softmax_backward, dout, call(softmax_forward, x, axis=axis)[1])
        expect_gradient(lambda z: first(call(softmax_forward, z, axis=axis)), x, dout, dx,
                        f"dx for scores of shape {shape}, axis={axis}", atol=atol)

    def gradients():
        for shape in [(1, 5), (4, 3)]:
            grad(shape)

    def axes():
        grad((5, 3), axis=0)
        grad((2, 3, 4), axis=1)

    def constant_dout():
        x = 2.0 * rng.standard_normal((4, 5))
        dout = np.repeat(rng.standard_normal((4, 1)), 5, axis=1)
        dx = call(softmax_backward, dout, call(softmax_forward, x)[1])
        expect_close(dx, np.zeros_like(x), "dx for a dout that is constant along each row (should be 0: "
                     "adding a constant to every score changes no probability)", rtol=0, atol=1e-12)

    def ties_and_large():
        tied = np.repeat(rng.standard_normal((3, 1)), 4, axis=1)
        dout = rng.standard_normal(tied.shape)
        dx = call(softmax_backward, dout, call(softmax_forward, tied)[1])
        expect_gradient(lambda z: first(call(softmax_forward, z)), tied, dout, dx, "dx for tied scores")
        x = spread(rng, (3, 4))
        dout = rng.standard_normal(x.shape)
        dx = expect_finite(call(softmax_backward, dout, call(softmax_forward, x)[1]), "dx for scores up to ±1e4")
        expect_gradient(lambda z: first(call(softmax_forward, z)), x, dout, dx, "dx for scores up to ±1e4", atol=1e-7)

    def float32():
        x = (2.0 * rng.standard_normal((4, 6))).astype(np.float32)
        dout = rng.standard_normal(x.shape).astype(np.float32)
        dx32 = expect_dtype(call(softmax_backward, dout, call(softmax_forward, x)[1]), np.float32,
                            "dx for float32 scores")
        dx64 = call(softmax_backward, dout.astype(np.float64), call(softmax_forward, x.astype(np.float64))[1])
        expect_close(dx32, dx64, "the float32 dx (compared with your float64 one)", rtol=1e-3, atol=1e-6)

    p.check("agrees with the numerical gradient: a single row and a matrix", gradients,
            hint="every probability depends on every score of its row: the off-diagonal Jacobian terms count too.")
    p.check("axis=0, and 3-D scores with axis=1", axes, hint="sum along cache.axis, with keepdims=True.")
    p.check("a dout constant along each row gives dx = 0", constant_dout)
    p.check("ties, and scores up to ±1e4", ties_and_large)
    p.check("float32: float32 dx, the same values", float32)
    return p.ok


SELF_CHECKS = {
    "sigmoid_forward": practice_sigmoid_forward, "sigmoid_backward": practice_sigmoid_backward,
    "tanh_forward": practice_tanh_forward, "tanh_backward": practice_tanh_backward,
    "relu_forward": practice_relu_forward, "relu_backward": practice_relu_backward,
    "leaky_relu_forward": practice_leaky_relu_forward, "leaky_relu_backward": practice_leaky_relu_backward,
    "softmax_forward": practice_softmax_forward, "softmax_backward": practice_softmax_backward,
}
