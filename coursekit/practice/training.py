"""Practice checks for the training exercise: one function per graded function."""
import math

import numpy as np

from coursekit.practice import (
    Mismatch,
    Practice,
    call,
    expect,
    expect_close,
    expect_dtype,
    expect_finite,
    expect_gradient,
    expect_shape,
)


def _net(rng, sizes, dtype=np.float64, scale=None, extra=False):
    """Random parameters {W1, b1, ...} of an MLP with the given layer sizes (and gamma/beta if `extra`)."""
    params = {}
    for l, (fan_in, fan_out) in enumerate(zip(sizes, sizes[1:]), start=1):
        std = (2.0 / fan_in) ** 0.5 if scale is None else scale
        params[f"W{l}"] = rng.normal(0.0, std, size=(fan_in, fan_out)).astype(dtype)
        params[f"b{l}"] = rng.normal(0.0, 0.1, size=fan_out).astype(dtype)
        if extra and l < len(sizes) - 1:
            params[f"gamma{l}"] = rng.uniform(0.7, 1.3, size=fan_out).astype(dtype)
            params[f"beta{l}"] = rng.uniform(-0.3, 0.3, size=fan_out).astype(dtype)
    return params


def _dict(result, keys, what):
    if not isinstance(result, dict):
        raise Mismatch(f"{what} should be a dict with the keys {list(keys)}, got a {type(result).__name__}")
    expect(set(result) == set(keys), f"{what} has the keys {sorted(map(str, result))}, expected {sorted(keys)}")
    return result


# -- sgd_step ----------------------------------------------------------------------

def practice_sgd_step(sgd_step):
    """Practice checks of `sgd_step`; True when all pass."""
    p = Practice("sgd_step")
    rng = p.rng

    def by_hand():
        params = {"W": np.array([[1.0, -2.0], [0.5, 3.0]]), "b": np.array([0.0, 1.0])}
        grads = {"W": np.array([[10.0, 0.0], [-5.0, 1.0]]), "b": np.array([2.0, -4.0])}
        new = _dict(call(sgd_step, params, grads, 0.1), params, "the new parameters")
        expect_close(new["W"], [[0.0, -2.0], [1.0, 2.9]], "new W = W - 0.1 dW")
        expect_close(new["b"], [-0.2, 1.4], "new b = b - 0.1 db (biases are updated too)")

    def nets():
        for sizes, lr, extra in [([3, 5, 2], 0.1, False), ([4, 6, 5, 3], 1.0, True), ([2, 3], 1e-3, False)]:
            params = _net(rng, sizes, extra=extra)
            grads = {k: rng.standard_normal(v.shape) for k, v in params.items()}
            new = _dict(call(sgd_step, params, grads, lr), params, "the new parameters")
            for k in params:
                expect_close(new[k], params[k] - lr * grads[k], f"new {k} (lr {lr:g})", rtol=1e-12, atol=1e-15)
        params = _net(rng, [3, 4, 2])
        grads = {k: rng.standard_normal(params[k].shape) for k in reversed(list(params))}   # another key order
        new = _dict(call(sgd_step, params, grads, 0.5), params, "the new parameters")
        for k in params:
            expect_close(new[k], params[k] - 0.5 * grads[k], f"new {k} when grads lists its keys in another order "
                         "(pair them by key)", rtol=1e-12, atol=1e-15)
        params = {"W": 0.3 * rng.standard_normal((4, 3, 2, 2)), "b": rng.standard_normal(4)}
        new = _dict(call(sgd_step, params, {k: np.ones_like(v) for k, v in params.items()}, 0.0), params,
                    "the new parameters")
        expect_close(new["W"], params["W"], "a 4-D weight with lr 0 (should not move)", rtol=0, atol=0)

    def float32():
        params = _net(rng, [3, 4, 2], dtype=np.float32)
        grads = {k: rng.standard_normal(v.shape).astype(np.float32) for k, v in params.items()}
        new = _dict(call(sgd_step, params, grads, 0.01), params, "the new parameters")
        for k in params:
            expect_dtype(new[k], np.float32, f"new {k} for float32 parameters")

    p.check("a small case by hand", by_hand,
            hint="params[k] - lr * grads[k] for every key: a step against the gradient.")
    p.check("every key (gamma and beta too), keys in another order, read-only parameters, lr from 1e-3 to 1, "
            "a 4-D weight", nets,
            hint="build a new dict of new arrays: the arrays you are given are read-only in the hidden tests.")
    p.check("float32 parameters stay float32", float32)
    return p.ok


# -- mlp_loss ----------------------------------------------------------------------

def _loss_and_grads(result, params):
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise Mismatch(f"with y given, the result should be a pair (loss, grads), got a {type(result).__name__}")
    loss, grads = result
    expect(np.ndim(loss) == 0 and isinstance(loss, (float, np.floating)),
           f"the loss is a {type(loss).__name__}, expected a single number (float)")
    return float(loss), _dict(grads, params, "grads")


def _cross_entropy_of(scores, y):
    """Mean of -log softmax(scores)[y], with numpy's stable log-sum-exp."""
    scores = np.asarray(scores, dtype=np.float64)
    return float(np.mean(np.logaddexp.reduce(scores, axis=1) - scores[np.arange(len(y)), y]))


def _away_from_kinks(rng, sizes, N, activation, scale=None, x_scale=1.0):
    """A net and inputs whose hidden pre-activations stay 1e-4 away from 0 (ReLU's kink)."""
    while True:
        params = _net(rng, sizes, scale=scale)
        x = x_scale * rng.standard_normal((N, sizes[0]))
        h, ok = x, True
        for l in range(1, len(sizes) - 1):
            a = h @ params[f"W{l}"] + params[f"b{l}"]
            ok &= bool(np.abs(a).min() > 1e-4)
            h = np.maximum(a, 0) if activation == "relu" else np.tanh(a)
        if ok or activation != "relu":
            return params, x


def practice_mlp_loss(mlp_loss):
    """Practice checks of `mlp_loss`; True when all pass."""
    p = Practice("mlp_loss")
    rng = p.rng

    def by_hand():
        x, y = np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 1.0]]), np.array([2, 0])
        zero = {"W1": np.zeros((3, 4)), "b1": np.zeros(4)}
        loss, grads = _loss_and_grads(call(mlp_loss, zero, x, y), zero)
        expect_close(loss, np.log(4), "softmax regression with zero weights: the loss (log 4 for 4 equal classes)")
        dscores = (np.full((2, 4), 0.25) - np.eye(4)[y]) / 2
        expect_close(grads["W1"], x.T @ dscores, "softmax regression with zero weights: dW1")
        expect_close(grads["b1"], dscores.sum(axis=0), "softmax regression with zero weights: db1")
        net = {"W1": np.array([[1.0, -2.0]]), "b1": np.array([0.0, -1.0])}
        expect_close(call(mlp_loss, net, np.array([[1.0], [2.0]])), [[1.0, -3.0], [2.0, -5.0]],
                     "one layer, y omitted: the scores (negative ones too: no activation after the last layer)")
        expect_close(call(mlp_loss, net, np.array([[1.0]]), None), [[1.0, -3.0]], "y=None: the scores")
        reg_loss, reg_grads = _loss_and_grads(call(mlp_loss, net, np.array([[1.0]]), np.array([0]), reg=0.5), net)
        expect_close(reg_loss, math.log(1 + math.exp(-4.0)) + 0.25 * 5.0,
                     "one layer with reg = 0.5: the loss gets 0.5 · reg · sum(W²) = 1.25 (biases not included)")
        expect_close(reg_grads["b1"], [-1 / (1 + math.exp(4.0)), 1 / (1 + math.exp(4.0))],
                     "one layer with reg = 0.5: db1 (no regularization of the biases)")

    def relu_kink():
        # All hidden pre-activations exactly 0 (zero input, zero biases): ReLU's derivative there is 0,
        # so the first layer gets no gradient at all.
        params = {"W1": rng.normal(size=(2, 3)), "b1": np.zeros(3), "W2": rng.normal(size=(3, 2)),
                  "b2": np.array([0.5, -0.5])}
        loss, grads = _loss_and_grads(call(mlp_loss, params, np.zeros((2, 2)), np.array([0, 1])), params)
        expect_close(grads["b1"], np.zeros(3), "db1 when every hidden pre-activation is exactly 0 (ReLU's derivative "
                     "is 0 there)", rtol=0, atol=0)
        expect_close(grads["W1"], np.zeros((2, 3)), "dW1 there", rtol=0, atol=0)

    def consistent():
        cases = [([4, 5, 3], "relu", 0.0), ([3, 6, 4, 5], "tanh", 0.3), ([5, 4, 3], "sigmoid", 0.1)]
        for sizes, activation, reg in cases:
            params, x = _away_from_kinks(rng, sizes, 6, activation)
            y = np.arange(6) % sizes[-1]
            scores = expect_shape(call(mlp_loss, params, x, activation=activation), (6, sizes[-1]),
                                  "the scores (y omitted)")
            loss, _ = _loss_and_grads(call(mlp_loss, params, x, y, activation=activation, reg=reg), params)
            weights = sum(float(np.sum(v * v)) for k, v in params.items() if k.startswith("W"))
            expect_close(loss, _cross_entropy_of(scores, y) + 0.5 * reg * weights,
                         f"{len(sizes) - 1} layers, {activation}, reg {reg:g}: the loss against your own scores "
                         "(mean over samples of -log softmax, plus 0.5 · reg · sum of W²)", rtol=1e-9)
        params, x = _away_from_kinks(rng, [4, 6, 3], 5, "relu")
        expect_close(call(mlp_loss, params, x), call(mlp_loss, params, x, activation="relu"),
                     "the scores with the default activation (should be ReLU)", rtol=0, atol=0)

    def gradients():
        cases = [([5, 3], "relu", 0.0, 4), ([4, 6, 3], "relu", 0.0, 5), ([3, 5, 4, 3], "tanh", 0.2, 4),
                 ([4, 3, 5, 4, 2], "sigmoid", 0.0, 3), ([5, 7, 3], "sigmoid", 0.2, 1), ([4, 6, 2], "relu", 0.1, 8)]
        for sizes, activation, reg, N in cases:
            params, x = _away_from_kinks(rng, sizes, N, activation)
            y = rng.permutation(N) % sizes[-1]
            _, grads = _loss_and_grads(call(mlp_loss, params, x, y, activation=activation, reg=reg), params)
            what = f"{len(sizes) - 1} layer(s) {sizes}, {activation}, reg {reg:g}, N = {N}"
            for name in params:
                def loss_of(value, name=name, params=params, x=x, y=y, activation=activation, reg=reg):
                    return np.array(call(mlp_loss, {**params, name: value}, x, y, activation=activation, reg=reg)[0])
                expect_shape(grads[name], params[name].shape, f"the gradient of {name}")
                expect_gradient(loss_of, params[name], np.array(1.0), grads[name], f"d{name} ({what})", atol=1e-9)

    def large_scores():
        params, x = _away_from_kinks(rng, [4, 6, 5], 6, "relu", scale=8.0, x_scale=6.0)
        y = rng.integers(0, 5, 6)
        loss, grads = _loss_and_grads(call(mlp_loss, params, x, y), params)
        expect_finite([loss, *[v for g in grads.values() for v in np.ravel(g)]], "the loss and gradients for scores "
                      "up to about ±1e3")
        expect_close(loss, _cross_entropy_of(call(mlp_loss, params, x), y),
                     "the loss for scores up to about ±1e3 (against your own scores)", rtol=1e-9)
        huge = {"W1": np.array([[1000.0, -1000.0, 0.0]]), "b1": np.zeros(3)}
        loss, _ = _loss_and_grads(call(mlp_loss, huge, np.array([[1.0], [-1.0]]), np.array([1, 1])), huge)
        expect_close(loss, 1000.0, "scores (±1000, 0): the right class 2000 and 0 below the best, by hand")

    def float32():
        params = _net(rng, [5, 8, 4], dtype=np.float32)
        x = rng.standard_normal((6, 5)).astype(np.float32)
        loss, grads = _loss_and_grads(call(mlp_loss, params, x, rng.integers(0, 4, 6), activation="tanh", reg=0.05),
                                      params)
        for name, g in grads.items():
            expect_dtype(g, np.float32, f"the gradient of {name} for float32 input and parameters")

    p.check("small cases by hand: softmax regression, the scores, L2 regularization", by_hand,
            hint="no activation after the last layer; 0.5 · reg · sum of squared weights, biases not included.")
    p.check("the loss agrees with your own scores; the default activation is ReLU", consistent,
            hint="the mean (not the sum) of -log softmax over the N samples.")
    p.check("every gradient agrees with the numerical one: 1 to 4 layers, every activation, reg, a single sample",
            gradients, hint="δ_{l-1} = (δ_l W_l^T) ⊙ f'(a_{l-1}); the regularization adds reg · W to dW.")
    p.check("large scores: no overflow", large_scores, hint="subtract each row's maximum before np.exp.")
    p.check("hidden pre-activations of exactly 0: ReLU's derivative is 0 there", relu_kink,
            hint="the derivative of ReLU is [a > 0], strictly.")
    p.check("float32 parameters and input give float32 gradients", float32)
    return p.ok


# -- update_ratio ----------------------------------------------------------------

def _ratios(result, keys):
    ratios = _dict(result, keys, "the ratios")
    for k, r in ratios.items():
        expect(isinstance(r, (float, np.floating)) and np.ndim(r) == 0,
               f"the ratio of {k} is a {type(r).__name__}, expected a float (float(...))")
    return ratios


def practice_update_ratio(update_ratio):
    """Practice checks of `update_ratio`; True when all pass."""
    p = Practice("update_ratio")
    rng = p.rng

    def by_hand():
        old = {"W": np.array([[3.0, 4.0]]), "b": np.array([1.0, 0.0, 0.0])}
        new = {"W": np.array([[3.003, 3.996]]), "b": np.array([0.0, 1.0, 0.0])}
        ratios = _ratios(call(update_ratio, old, new), old)
        expect_close(ratios["W"], 1e-3, "W (3, 4) moved by (0.003, -0.004): 0.005 / 5")
        expect_close(ratios["b"], math.sqrt(2), "b (1, 0, 0) rotated to (0, 1, 0): the norm of the change √2 over 1 "
                     "(the norm itself did not change)")

    def properties():
        for shape in [(4, 3), (2, 3, 3, 2), (5,)]:
            w = rng.standard_normal(shape)
            for eps in (1e-4, 1e-2, 0.1):
                expect_close(_ratios(call(update_ratio, {"w": w}, {"w": (1 + eps) * w}), ["w"])["w"], eps,
                             f"w of shape {shape} scaled by 1 + {eps:g} (ratio {eps:g})", rtol=1e-6)
        w = rng.standard_normal((3, 4))
        expect_close(_ratios(call(update_ratio, {"w": w, "v": w}, {"w": w.copy(), "v": w + 1}), ["w", "v"])["w"], 0.0,
                     "an unchanged parameter (ratio 0)", rtol=0, atol=0)

    def zero_norm():
        old = {"b": np.zeros(3), "c": np.zeros(2)}
        ratios = _ratios(call(update_ratio, old, {"b": np.array([0.0, 1e-3, 0.0]), "c": np.zeros(2)}), old)
        expect(np.isinf(ratios["b"]), f"a zero bias that moved gives {ratios['b']!r}, expected inf (a plain division)")
        expect(np.isnan(ratios["c"]), f"a zero bias that did not move gives {ratios['c']!r}, expected nan")

    def float32():
        w = rng.standard_normal((6, 5)).astype(np.float32)
        r = _ratios(call(update_ratio, {"w": w}, {"w": (w * np.float32(1.01))}), ["w"])["w"]
        expect_close(r, 0.01, "float32 parameters scaled by 1.01", rtol=1e-4)

    p.check("small cases by hand", by_hand,
            hint="the norm of the change, new - old, over the norm of the old parameter (not a difference of norms).")
    p.check("scaling by 1 + eps gives eps (1-D to 4-D); an unchanged parameter gives 0", properties)
    p.check("a parameter of norm 0 gives inf (moved) or nan (did not move)", zero_norm,
            hint="a plain division: no eps in the denominator.")
    p.check("float32 parameters, Python floats out", float32)
    return p.ok


# -- sample_log_uniform ----------------------------------------------------------

def _ks_uniform(values, a, b):
    """Kolmogorov-Smirnov distance between the sample `values` and the uniform law on [a, b]."""
    u = np.sort((np.ravel(values) - a) / (b - a))
    n = u.size
    above = np.arange(1, n + 1) / n - u
    below = u - np.arange(0, n) / n
    return float(max(above.max(), below.max()))


def practice_sample_log_uniform(sample_log_uniform):
    """Practice checks of `sample_log_uniform`; True when all pass."""
    p = Practice("sample_log_uniform")
    rng = p.rng

    def gen():
        return np.random.default_rng(int(rng.integers(2**32)))

    def single():
        for low, high in [(1e-4, 1e-1), (0.3, 0.3), (2.0, 50.0)]:
            v = call(sample_log_uniform, gen(), low, high)
            expect(type(v) is float or isinstance(v, float),
                   f"with size=None the result is a {type(v).__name__}, expected one Python float")
            slack = 1e-12 * high  # 10 ** log10(v) may miss v by a rounding error
            expect(low - slack <= v <= high + slack,
                   f"sample_log_uniform(rng, {low:g}, {high:g}) gave {v!r}, outside the range")

    def shapes():
        expect_close(call(sample_log_uniform, gen(), 0.3, 0.3, size=5), np.full(5, 0.3),
                     "low == high, size=5: every value is low", rtol=1e-12)
        for size, shape in [(7, (7,)), ((3, 4), (3, 4))]:
            out = expect_shape(np.asarray(call(sample_log_uniform, gen(), 1e-3, 10.0, size=size)), shape,
                               f"the result for size={size}")
            inside = (out >= 1e-3 * (1 - 1e-12)) & (out <= 10.0 * (1 + 1e-12))
            expect(np.all(inside), f"size={size}: values outside [1e-3, 10]")

    def distribution():
        for low, high, size in [(1e-5, 1e-1, 20000), (0.5, 2.0, 10000), (1e-3, 10.0, (200, 100))]:
            out = np.asarray(call(sample_log_uniform, gen(), low, high, size=size), dtype=np.float64)
            expect(np.all(np.isfinite(out)) and np.all(out > 0), "the values should be positive and finite")
            expect(np.all((out >= low * (1 - 1e-12)) & (out <= high * (1 + 1e-12))),
                   f"on [{low:g}, {high:g}]: values outside the range")
            distance = _ks_uniform(np.log10(out), math.log10(low), math.log10(high))
            limit = 3.5 / math.sqrt(out.size)
            expect(distance <= limit, f"on [{low:g}, {high:g}]: the base-10 logarithms are not uniform on "
                   f"[{math.log10(low):.3g}, {math.log10(high):.3g}] (Kolmogorov-Smirnov distance {distance:.3f}, "
                   f"allowed {limit:.3f})")

    p.check("size=None gives one float in [low, high]", single, hint="float(...) of the single value.")
    p.check("low == high; size as an int and as a tuple", shapes)
    p.check("the logarithms are uniform: 4 decades, less than one decade, a (200, 100) sample", distribution,
            hint="draw the exponent u uniformly between log10(low) and log10(high), then return 10 ** u.")
    return p.ok


# -- adam_step -----------------------------------------------------------------------

def practice_adam_step(adam_step, AdamState):
    """Practice checks of `adam_step`; True when all pass."""
    p = Practice("adam_step")
    rng = p.rng

    def pair(result):
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise Mismatch(f"the result should be a pair (new_params, new_state), got a {type(result).__name__}")
        new, state = result
        expect(isinstance(state, tuple) and getattr(type(state), "_fields", None) == ("t", "m", "v"),
               f"the new state should be an AdamState(t, m, v), got a {type(state).__name__}")
        return new, state

    def first_step():
        params = _net(rng, [3, 4, 2])
        grads = {k: rng.normal(0.0, 10.0 ** rng.uniform(-3, 2), size=v.shape) for k, v in params.items()}
        new, state = pair(call(adam_step, params, grads, None, 0.01))
        new = _dict(new, params, "the new parameters")
        for k in params:  # m_hat = g and v_hat = g², so each entry moves by lr g / (|g| + eps), about lr
            g = grads[k]
            expect_close(new[k], params[k] - 0.01 * g / (np.abs(g) + 1e-8), f"new {k} after the first step "
                         "(every entry moves by about lr, whatever the size of its gradient)", rtol=1e-9, atol=1e-12)
        expect(state.t == 1, f"the step count after the first step is {state.t!r}, expected 1")
        for k in params:
            expect_close(state.m[k], 0.1 * grads[k], f"m[{k!r}] after the first step ((1 - beta1) g)", rtol=1e-9)
            expect_close(state.v[k], 0.001 * grads[k] ** 2, f"v[{k!r}] after the first step ((1 - beta2) g²)",
                         rtol=1e-9, atol=1e-300)

    def tiny_gradient():
        new, _ = pair(call(adam_step, {"w": np.array([1.0, 1.0])}, {"w": np.array([1e-6, -1e-6])}, None, 0.1))
        expect_close(new["w"], [1 - 0.1 / 1.01, 1 + 0.1 / 1.01], "a first step with gradients ±1e-6: the move is "
                     "lr · 1e-6 / (1e-6 + eps), eps = 1e-8 added outside the square root", rtol=1e-9)

    def constant_then_zero():
        for beta1, beta2 in [(0.9, 0.999), (0.5, 0.8)]:
            params = {"w": np.array([0.0])}
            state, moves = None, []
            for g in [1.0, 1.0, 1.0]:
                new, state = pair(call(adam_step, params, {"w": np.array([g])}, state, 0.1, beta1=beta1, beta2=beta2))
                moves.append(float(new["w"][0] - params["w"][0]))
                params = new
            expect_close(moves, [-0.1 / (1 + 1e-8)] * 3, f"betas ({beta1}, {beta2}): three steps with the same "
                         "gradient 1 (bias correction makes m_hat = 1 and v_hat = 1 at every step)", rtol=1e-9)
            expect(state.t == 3, f"the step count after three steps is {state.t!r}, expected 3")
            # A gradient of 1, then 0: by hand, m_hat = beta1 / (1 + beta1) and v_hat = beta2 / (1 + beta2).
            one, s1 = pair(call(adam_step, {"w": np.array([0.0])}, {"w": np.array([1.0])}, None, 0.1,
                                beta1=beta1, beta2=beta2))
            two, _ = pair(call(adam_step, one, {"w": np.array([0.0])}, s1, 0.1, beta1=beta1, beta2=beta2))
            m_hat, v_hat = beta1 / (1 + beta1), beta2 / (1 + beta2)
            expect_close(two["w"][0] - one["w"][0], -0.1 * m_hat / (np.sqrt(v_hat) + 1e-8),
                         f"betas ({beta1}, {beta2}): the second step after gradients 1 then 0 (by hand: "
                         "m_hat = beta1 / (1 + beta1), v_hat = beta2 / (1 + beta2))", rtol=1e-9)

    def keys_and_dtypes():
        params = _net(rng, [3, 4, 2], dtype=np.float32)
        grads = {k: rng.normal(size=params[k].shape).astype(np.float32) for k in reversed(list(params))}
        new, state = pair(call(adam_step, params, grads, None, 0.01))
        new = _dict(new, params, "the new parameters")
        for k in params:
            expect_dtype(new[k], np.float32, f"new {k} for float32 parameters")
            expect_close(new[k], params[k] - 0.01 * grads[k] / (np.abs(grads[k]) + 1e-8),
                         f"new {k} when grads lists its keys in another order (pair them by key)", rtol=1e-4, atol=1e-6)

    p.check("the first step (state None): every entry moves by lr, t = 1, m and v as documented", first_step,
            hint="m_hat = m / (1 - beta1**t), v_hat = v / (1 - beta2**t) with t the number of this step (1 first).")
    p.check("a tiny gradient: eps goes outside the square root", tiny_gradient,
            hint="theta - lr * m_hat / (sqrt(v_hat) + eps).")
    p.check("constant gradients move by lr at every step; gradients 1 then 0, by hand; other betas", constant_then_zero,
            hint="update m and v with the new gradient, count the step, correct both averages, step with m_hat.")
    p.check("float32 stays float32; dicts paired by key; nothing you are given is modified", keys_and_dtypes)
    return p.ok


SELF_CHECKS = {
    "sgd_step": practice_sgd_step, "adam_step": practice_adam_step, "mlp_loss": practice_mlp_loss,
    "update_ratio": practice_update_ratio, "sample_log_uniform": practice_sample_log_uniform,
}
