"""Practice checks for the normalization exercise: one function per graded function.

The forward passes are judged by what normalising means: after removing
`beta` and `gamma`, every group of values the statistics run over has mean
0 and variance `var / (var + eps)`; the cache fields are checked against the
descriptions of the given cache classes. The backward passes are judged by
numerical gradients and by two invariants of a normalisation in training mode:
over the values one statistic covers, `dx` sums to 0 (the path through the
mean) and is orthogonal to `xhat` (the path through the variance).
"""
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
    spread,
)


def _scale_shift(rng, D, dtype=np.float64):
    """gamma between 0.5 and 1.5, beta between -0.5 and 0.5 (never exactly 1 and 0)."""
    gamma = rng.uniform(0.5, 1.5, size=D)
    beta = rng.uniform(-0.5, 0.5, size=D)
    return gamma.astype(dtype), beta.astype(dtype)


def _cache_fields(cache, names, what="the cache"):
    for name in names:
        if not hasattr(cache, name):
            raise Mismatch(f"{what} has no field '{name}': return the given cache class, filled in")
    return [getattr(cache, name) for name in names]


def _triple(result, what):
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        raise Mismatch(f"{what} should return three values, got {type(result).__name__}"
                       + (f" of {len(result)}" if isinstance(result, (tuple, list)) else ""))
    return result


def _stats(new, what="the new running statistics"):
    """`(mean, var)` of returned running statistics, which must be a RunningStats (fields mean and var)."""
    if not (isinstance(new, tuple) and getattr(type(new), "_fields", None) == ("mean", "var")):
        raise Mismatch(f"{what} should be a RunningStats(mean=..., var=...), got a {type(new).__name__}")
    return np.asarray(new.mean), np.asarray(new.var)


def _normalised(x, out, gamma, beta, axes, eps, what):
    """With beta and gamma undone, each group (over `axes`) has mean 0 and variance var / (var + eps)."""
    x = np.asarray(x, dtype=np.float64)
    xhat = (np.asarray(out, dtype=np.float64) - beta) / gamma
    var = x.var(axis=axes, keepdims=True)
    expect_close(xhat.mean(axis=axes, keepdims=True), np.zeros(var.shape),
                 f"{what}: (out - beta) / gamma should have mean 0 over each group", rtol=0, atol=1e-7)
    expect_close(xhat.var(axis=axes, keepdims=True), var / (var + eps),
                 f"{what}: (out - beta) / gamma should have variance var / (var + eps) over each group "
                 "(var: the biased variance, dividing by the count)", rtol=1e-6, atol=1e-9)


# -- batch norm, forward ---------------------------------------------------------------

def practice_batchnorm_forward(batchnorm_forward, RunningStats, init_running_stats):
    """Practice checks of `batchnorm_forward`; True when all pass."""
    p = Practice("batchnorm_forward")
    rng = p.rng

    def running_after_training(D, dtype=np.float64):
        mean, var = rng.normal(0.0, 2.0, size=D), rng.uniform(0.4, 2.5, size=D)
        return RunningStats(mean=mean.astype(dtype), var=var.astype(dtype))

    def by_hand():
        eps = 1e-5
        x = np.array([[1.0, 2.0], [3.0, 6.0]])
        gamma, beta = np.array([2.0, 1.0]), np.array([0.0, 1.0])
        out, cache, new = _triple(call(batchnorm_forward, x, gamma, beta, init_running_stats(2)), "batchnorm_forward")
        a, b = 1 / np.sqrt(1 + eps), 2 / np.sqrt(4 + eps)
        expect_close(out, [[-2 * a, 1 - b], [2 * a, 1 + b]], "out for columns (1, 3) and (2, 6)")
        new_mean, new_var = _stats(new)
        expect_close(new_mean, [0.2, 0.4], "the new running mean 0.9 · 0 + 0.1 · (2, 4)")
        expect_close(new_var, [1.1, 1.7], "the new running var 0.9 · 1 + 0.1 · (2, 8) (unbiased batch variance)")

    def training():
        for N, D, kwargs in [(2, 3, {}), (6, 4, {}), (16, 5, {}), (8, 3, {"momentum": 0.5}),
                             (6, 5, {"momentum": 0.01, "eps": 1e-3}), (5, 3, {"momentum": 0.0})]:
            x = 2.0 * rng.standard_normal((N, D)) + 1.0
            gamma, beta = _scale_shift(rng, D)
            running = running_after_training(D)
            eps, m = kwargs.get("eps", 1e-5), kwargs.get("momentum", 0.1)
            out, cache, new = _triple(call(batchnorm_forward, x, gamma, beta, running, **kwargs), "batchnorm_forward")
            what = f"training, batch {(N, D)}" + "".join(f", {k} {v}" for k, v in kwargs.items())
            expect_shape(out, (N, D), f"out ({what})")
            _normalised(x, out, gamma, beta, 0, eps, what)
            mu, var = x.mean(axis=0), x.var(axis=0)
            new_mean, new_var = _stats(new)
            expect_close(new_mean, (1 - m) * running.mean + m * mu, f"{what}: the new running mean", rtol=1e-9)
            expect_close(new_var, (1 - m) * running.var + m * var * N / (N - 1),
                         f"{what}: the new running var (should average in the unbiased variance, N/(N-1) · var)",
                         rtol=1e-9)
            xhat, g, centred, cvar, std, inv_std, flag = _cache_fields(
                cache, ["xhat", "gamma", "centred", "var", "std", "inv_std", "training"])
            expect_close(centred, x - mu, f"{what}: cache.centred (x - the batch mean)", rtol=1e-9, atol=1e-12)
            expect_close(cvar, var, f"{what}: cache.var (the biased batch variance)", rtol=1e-9)
            expect_close(std, np.sqrt(var + eps), f"{what}: cache.std (sqrt(var + eps))", rtol=1e-9)
            expect_close(inv_std, (var + eps) ** -0.5, f"{what}: cache.inv_std", rtol=1e-9)
            expect_close(xhat, (x - mu) / np.sqrt(var + eps), f"{what}: cache.xhat", rtol=1e-8, atol=1e-12)
            expect_close(g, gamma, f"{what}: cache.gamma", rtol=0, atol=0)
            expect(flag is True or flag == True, f"{what}: cache.training is {flag!r}, expected True")  # noqa: E712

    def evaluation():
        for N, D, kwargs in [(6, 4, {}), (1, 5, {}), (4, 3, {"eps": 0.1})]:
            x = 2.0 * rng.standard_normal((N, D))
            gamma, beta = _scale_shift(rng, D)
            running = running_after_training(D)
            eps = kwargs.get("eps", 1e-5)
            out, cache, new = _triple(call(batchnorm_forward, x, gamma, beta, running, training=False, **kwargs),
                                      "batchnorm_forward")
            what = f"evaluation, batch {(N, D)}" + (", eps 0.1" if kwargs else "")
            expect_close(out, gamma * (x - running.mean) / np.sqrt(running.var + eps) + beta,
                         f"{what}: out (normalised with the running statistics)", rtol=1e-9, atol=1e-12)
            expect_close(np.concatenate(_stats(new)), np.concatenate([running.mean, running.var]),
                         f"{what}: the running statistics (should come back unchanged)", rtol=0, atol=0)
            flag = _cache_fields(cache, ["training"])[0]
            expect(flag is False or flag == False, f"{what}: cache.training is {flag!r}, expected False")  # noqa: E712

    def edge_cases():
        x = rng.standard_normal((7, 4))
        x[:, 2] = 3.0
        gamma, beta = _scale_shift(rng, 4)
        out = expect_finite(_triple(call(batchnorm_forward, x, gamma, beta, init_running_stats(4)),
                                    "batchnorm_forward")[0], "out with a constant feature")
        expect_close(out[:, 2], np.full(7, beta[2]), "out for a constant feature (should be beta)", atol=1e-9)
        x = spread(rng, (9, 3))
        gamma, beta = _scale_shift(rng, 3)
        out = expect_finite(_triple(call(batchnorm_forward, x, gamma, beta, init_running_stats(3)),
                                    "batchnorm_forward")[0], "out for values up to ±1e4")
        _normalised(x, out, gamma, beta, 0, 1e-5, "values up to ±1e4")

    def float32():
        x = (2.0 * rng.standard_normal((12, 6))).astype(np.float32)
        gamma, beta = _scale_shift(rng, 6, np.float32)
        for training in (True, False):
            out, cache, new = _triple(call(batchnorm_forward, x, gamma, beta, running_after_training(6, np.float32),
                                           training=training), "batchnorm_forward")
            mode = "training" if training else "evaluation"
            expect_dtype(out, np.float32, f"out for float32 input ({mode})")
            expect_dtype(_stats(new)[1], np.float32, f"the new running var for float32 statistics ({mode})")
        out, cache, new = _triple(call(batchnorm_forward, x, gamma, beta, running_after_training(6)),
                                  "batchnorm_forward")
        expect_dtype(_stats(new)[0], np.float64, "the new running mean for float32 input and float64 running "
                     "statistics (the dtype of running, not of x)")

    p.check("the visible example, by hand", by_hand)
    p.check("training: batches of 2 to 16, other momentum and eps; out, cache and new running statistics", training,
            hint="normalise with the biased batch variance; the running var averages in N/(N-1) times it; "
                 "momentum weighs the new batch (momentum 0 keeps the running statistics); return a RunningStats.")
    p.check("evaluation: the running statistics, a single sample, eps 0.1", evaluation,
            hint="with training=False use running.mean and running.var, and return running unchanged.")
    p.check("a constant feature, and values up to ±1e4", edge_cases, hint="eps goes inside the square root.")
    p.check("float32 input and statistics stay float32; the running statistics keep their own dtype", float32)
    return p.ok


# -- batch norm, backward --------------------------------------------------------------

def _bn_backward_practice(name, backward, batchnorm_forward, RunningStats, init_running_stats):
    p = Practice(name, uses="batchnorm_forward")
    rng = p.rng

    def gradients(training):
        def test():
            cases = [(2, 3, {}), (6, 4, {}), (16, 5, {}), (6, 5, {"eps": 1e-3})]
            if not training:
                cases = [(6, 4, {}), (1, 5, {}), (4, 3, {"eps": 0.1})]
            for N, D, kwargs in cases:
                x = 2.0 * rng.standard_normal((N, D)) + 1.0
                gamma, beta = _scale_shift(rng, D)
                running = (init_running_stats(D) if training else
                           RunningStats(mean=rng.normal(size=D), var=rng.uniform(0.4, 2.5, size=D)))
                dout = rng.standard_normal((N, D))

                def forward(x_=x, g_=gamma, b_=beta, running=running, kwargs=kwargs):
                    return _triple(call(batchnorm_forward, x_, g_, b_, running, training=training, **kwargs),
                                   "batchnorm_forward")[0]

                cache = _triple(call(batchnorm_forward, x, gamma, beta, running, training=training, **kwargs),
                                "batchnorm_forward")[1]
                grads = _triple(call(backward, dout, cache), name)
                what = f"{'training' if training else 'evaluation'}, batch {(N, D)}"
                expect_gradient(lambda z: forward(x_=z), x, dout, grads[0], f"dx ({what})")
                expect_gradient(lambda g: forward(g_=g), gamma, dout, grads[1], f"dgamma ({what})")
                expect_gradient(lambda b: forward(b_=b), beta, dout, grads[2], f"dbeta ({what})")
        return test

    def paths():
        x = 2.0 * rng.standard_normal((8, 4)) + 1.0
        gamma, beta = _scale_shift(rng, 4)
        dout = rng.standard_normal((8, 4))
        # eps = 1e-10: with eps > 0 the normalisation is not quite scale-invariant, and dx · xhat not quite 0.
        cache = _triple(call(batchnorm_forward, x, gamma, beta, init_running_stats(4), eps=1e-10),
                        "batchnorm_forward")[1]
        dx = np.asarray(_triple(call(backward, dout, cache), name)[0], dtype=np.float64)
        xhat = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0))
        expect_close(dx.sum(axis=0), np.zeros(4), "the column sums of dx (should be 0: shifting a whole column "
                     "changes only the mean, which the normalisation removes)", rtol=0, atol=1e-9)
        expect_close(np.sum(dx * xhat, axis=0), np.zeros(4), "the sums over the batch of dx · xhat (should be 0: "
                     "scaling a column's deviations changes only the variance)", rtol=0, atol=1e-9)

    def edge_cases():
        x = rng.standard_normal((7, 4))
        x[:, 2] = 3.0
        gamma, beta = _scale_shift(rng, 4)
        cache = _triple(call(batchnorm_forward, x, gamma, beta, init_running_stats(4)), "batchnorm_forward")[1]
        grads = _triple(call(backward, rng.standard_normal((7, 4)), cache), name)
        for label, g in zip(["dx", "dgamma", "dbeta"], grads):
            expect_finite(g, f"{label} with a constant feature")
        expect_shape(grads[1], (4,), "dgamma")
        expect_shape(grads[2], (4,), "dbeta")
        x = spread(rng, (9, 3))
        dout = rng.standard_normal((9, 3))
        cache = _triple(call(batchnorm_forward, x, *_scale_shift(rng, 3), init_running_stats(3)),
                        "batchnorm_forward")[1]
        expect_finite(_triple(call(backward, dout, cache), name)[0], "dx for values up to ±1e4")

    def float32():
        x = (2.0 * rng.standard_normal((12, 6))).astype(np.float32)
        gamma, beta = _scale_shift(rng, 6, np.float32)
        dout = rng.standard_normal((12, 6)).astype(np.float32)
        stats = RunningStats(mean=np.zeros(6, np.float32), var=np.ones(6, np.float32))
        for training in (True, False):
            cache = _triple(call(batchnorm_forward, x, gamma, beta, stats, training=training), "batchnorm_forward")[1]
            for label, g in zip(["dx", "dgamma", "dbeta"], _triple(call(backward, dout, cache), name)):
                expect_dtype(g, np.float32, f"{label} for float32 input ({'training' if training else 'evaluation'})")

    p.check("training mode: dx, dgamma, dbeta agree with the numerical gradients", gradients(True),
            hint="x reaches xhat three ways (directly, through the mean, through the variance): add all three.")
    p.check("dx sums to 0 over the batch and is orthogonal to xhat (training)", paths,
            hint="a non-zero column sum means the path through the mean is missing or wrong; a non-zero sum of "
                 "dx · xhat, the path through the variance.")
    p.check("evaluation mode: the statistics are constants", gradients(False),
            hint="with cache.training False, only xhat = (x - mean) · inv_std depends on x.")
    p.check("a constant feature, values up to ±1e4, gradient shapes", edge_cases)
    p.check("float32 in, float32 gradients", float32)
    return p.ok


def practice_batchnorm_backward(batchnorm_backward, batchnorm_forward, RunningStats, init_running_stats):
    """Practice checks of `batchnorm_backward` (with your `batchnorm_forward` for the caches)."""
    return _bn_backward_practice("batchnorm_backward", batchnorm_backward, batchnorm_forward, RunningStats,
                                 init_running_stats)


def practice_batchnorm_backward_alt(batchnorm_backward_alt, batchnorm_forward, RunningStats, init_running_stats):
    """Practice checks of `batchnorm_backward_alt` (with your `batchnorm_forward` for the caches)."""
    return _bn_backward_practice("batchnorm_backward_alt", batchnorm_backward_alt, batchnorm_forward, RunningStats,
                                 init_running_stats)


# -- layer norm ------------------------------------------------------------------------

def _pair(result, what):
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise Mismatch(f"{what} should return (out, cache), got {type(result).__name__}")
    return result


def practice_layernorm_forward(layernorm_forward):
    """Practice checks of `layernorm_forward`; True when all pass."""
    p = Practice("layernorm_forward")
    rng = p.rng

    def rows():
        for shape, kwargs in [((1, 6), {}), ((4, 6), {}), ((2, 3, 5), {}), ((3, 4), {"eps": 0.1})]:
            x = 2.0 * rng.standard_normal(shape) + 1.0
            gamma, beta = _scale_shift(rng, shape[-1])
            eps = kwargs.get("eps", 1e-5)
            out, cache = _pair(call(layernorm_forward, x, gamma, beta, **kwargs), "layernorm_forward")
            what = f"input {shape}" + (", eps 0.1" if kwargs else "")
            expect_shape(out, shape, f"out ({what})")
            _normalised(x, out, gamma, beta, -1, eps, what)
            xhat, inv_std, g = _cache_fields(cache, ["xhat", "inv_std", "gamma"])
            expect_shape(inv_std, shape[:-1] + (1,), f"cache.inv_std ({what}: one value per row, keepdims=True)")
            expect_close(inv_std, (x.var(axis=-1, keepdims=True) + eps) ** -0.5, f"cache.inv_std ({what})",
                         rtol=1e-9)
            expect_close(xhat, (np.asarray(out) - beta) / gamma, f"cache.xhat ({what})", rtol=1e-8, atol=1e-10)
            expect_close(g, gamma, f"cache.gamma ({what})", rtol=0, atol=0)

    def edge_cases():
        x = rng.standard_normal((4, 6))
        x[1] = -2.0
        gamma, beta = _scale_shift(rng, 6)
        out = expect_finite(_pair(call(layernorm_forward, x, gamma, beta), "layernorm_forward")[0],
                            "out with a constant row")
        expect_close(out[1], beta, "out for a constant row (should be beta)", atol=1e-9)
        x = spread(rng, (5, 7))
        gamma, beta = _scale_shift(rng, 7)
        out = expect_finite(_pair(call(layernorm_forward, x, gamma, beta), "layernorm_forward")[0],
                            "out for values up to ±1e4")
        _normalised(x, out, gamma, beta, -1, 1e-5, "values up to ±1e4")

    def float32():
        x = (2.0 * rng.standard_normal((6, 8))).astype(np.float32)
        out = _pair(call(layernorm_forward, x, *_scale_shift(rng, 8, np.float32)), "layernorm_forward")[0]
        expect_dtype(out, np.float32, "out for float32 input")

    p.check("every row (last axis) normalised on its own: 2-D, 3-D, a single row, eps 0.1; the cache", rows,
            hint="statistics along the last axis (axis=-1, keepdims=True), biased variance.")
    p.check("a constant row, and values up to ±1e4", edge_cases)
    p.check("float32 stays float32", float32)
    return p.ok


def _norm_backward_checks(p, backward, forward, cases, group_axes, name):
    """Gradient checks and the two invariants for layer and group norm."""
    rng = p.rng

    def gradients():
        for shape, extra, kwargs in cases:
            x = 2.0 * rng.standard_normal(shape) + 1.0
            C = shape[1] if extra else shape[-1]
            gamma, beta = _scale_shift(rng, C)
            dout = rng.standard_normal(shape)

            def out_of(x_=x, g_=gamma, b_=beta, extra=extra, kwargs=kwargs):
                return _pair(call(forward, x_, g_, b_, *extra, **kwargs), "the forward pass")[0]

            cache = _pair(call(forward, x, gamma, beta, *extra, **kwargs), "the forward pass")[1]
            grads = _triple(call(backward, dout, cache), name)
            what = f"input {shape}" + (f", G = {extra[0]}" if extra else "")
            expect_shape(grads[1], (C,), f"dgamma ({what})")
            expect_shape(grads[2], (C,), f"dbeta ({what})")
            expect_gradient(lambda z: out_of(x_=z), x, dout, grads[0], f"dx ({what})")
            expect_gradient(lambda g: out_of(g_=g), gamma, dout, grads[1], f"dgamma ({what})")
            expect_gradient(lambda b: out_of(b_=b), beta, dout, grads[2], f"dbeta ({what})")

    def invariants():
        shape, extra, _ = cases[1]
        x = 2.0 * rng.standard_normal(shape)
        C = shape[1] if extra else shape[-1]
        gamma, beta = _scale_shift(rng, C)
        # eps = 1e-10: with eps > 0 the normalisation is not quite scale-invariant, and dx · xhat not quite 0.
        out, cache = _pair(call(forward, x, gamma, beta, *extra, eps=1e-10), "the forward pass")
        dx = np.asarray(_triple(call(backward, rng.standard_normal(shape), cache), name)[0], dtype=np.float64)
        grouped, xg = group_axes(dx), group_axes(x)
        axes = grouped.ndim - 1
        xhat = (xg - xg.mean(axis=axes, keepdims=True)) / np.sqrt(xg.var(axis=axes, keepdims=True))
        zeros = np.zeros(xhat.mean(axis=axes).shape)
        expect_close(grouped.sum(axis=axes), zeros, "the sums of dx over each normalised group (should be 0: the "
                     "path through the mean)", rtol=0, atol=1e-9)
        expect_close(np.sum(grouped * xhat, axis=axes), zeros, "the sums of dx · xhat over each group (should be 0: "
                     "the path through the variance)", rtol=0, atol=1e-9)

    def float32():
        shape, extra, _ = cases[0]
        C = shape[1] if extra else shape[-1]
        x = (2.0 * rng.standard_normal(shape)).astype(np.float32)
        cache = _pair(call(forward, x, *_scale_shift(rng, C, np.float32), *extra), "the forward pass")[1]
        grads = _triple(call(backward, rng.standard_normal(shape).astype(np.float32), cache), name)
        for label, g in zip(["dx", "dgamma", "dbeta"], grads):
            expect_dtype(g, np.float32, f"{label} for float32 input")

    p.check("dx, dgamma, dbeta agree with the numerical gradients", gradients,
            hint="the closed form of batch norm, with the mean terms over the values one statistic covers; "
                 "dgamma and dbeta sum over every other axis.")
    p.check("dx sums to 0 and is orthogonal to xhat over each normalised group", invariants)
    p.check("float32 in, float32 gradients", float32)


def practice_layernorm_backward(layernorm_backward, layernorm_forward):
    """Practice checks of `layernorm_backward` (with your `layernorm_forward` for the caches)."""
    p = Practice("layernorm_backward", uses="layernorm_forward")
    cases = [((4, 6), (), {}), ((1, 5), (), {}), ((2, 3, 5), (), {}), ((3, 4), (), {"eps": 0.1})]
    _norm_backward_checks(p, layernorm_backward, layernorm_forward, cases, lambda a: a, "layernorm_backward")
    return p.ok


# -- group norm ------------------------------------------------------------------------

def _grouped(x, G):
    """`x` as (N, G, values of the group): consecutive channels, all positions."""
    x = np.asarray(x, dtype=np.float64)
    return x.reshape(len(x), G, -1)


def practice_groupnorm_forward(groupnorm_forward):
    """Practice checks of `groupnorm_forward`; True when all pass."""
    p = Practice("groupnorm_forward")
    rng = p.rng

    def groups():
        cases = [((2, 6, 3, 4), 3, {}), ((3, 8, 2, 2), 2, {}), ((2, 4, 3, 3), 1, {}), ((2, 4, 3, 2), 4, {}),
                 ((1, 6, 2, 3), 2, {}), ((5, 6), 3, {}), ((2, 4, 2, 3), 2, {"eps": 0.1})]
        for shape, G, kwargs in cases:
            offsets = rng.uniform(-3, 3, shape[1]).reshape((shape[1],) + (1,) * (len(shape) - 2))
            x = 2.0 * rng.standard_normal(shape) + offsets
            C = shape[1]
            gamma, beta = _scale_shift(rng, C)
            eps = kwargs.get("eps", 1e-5)
            out, cache = _pair(call(groupnorm_forward, x, gamma, beta, G, **kwargs), "groupnorm_forward")
            what = f"input {shape}, G = {G}" + (", eps 0.1" if kwargs else "")
            expect_shape(out, shape, f"out ({what})")
            bshape = (C,) + (1,) * (len(shape) - 2)
            xhat = (np.asarray(out, dtype=np.float64) - beta.reshape(bshape)) / gamma.reshape(bshape)
            xg, hg = _grouped(x, G), _grouped(xhat, G)
            var = xg.var(axis=2, keepdims=True)
            expect_close(hg.mean(axis=2, keepdims=True), np.zeros(var.shape),
                         f"{what}: each group of C/G consecutive channels (and all positions) should have mean 0 "
                         "after undoing beta and gamma", rtol=0, atol=1e-7)
            expect_close(hg.var(axis=2, keepdims=True), var / (var + eps),
                         f"{what}: each group should have variance var / (var + eps)", rtol=1e-6, atol=1e-9)
            c_xhat, inv_std, g, stored_G = _cache_fields(cache, ["xhat", "inv_std", "gamma", "G"])
            want = (len(x), G) + (1,) * (len(shape) - 1)
            expect_shape(inv_std, want, f"cache.inv_std ({what}: shape (N, G, 1, ...), keepdims=True)")
            expect_close(np.ravel(inv_std), np.ravel((var + eps) ** -0.5), f"cache.inv_std ({what})", rtol=1e-9)
            expect_close(c_xhat, xhat, f"cache.xhat ({what})", rtol=1e-8, atol=1e-10)
            expect(stored_G == G, f"{what}: cache.G is {stored_G!r}")

    def edge_cases():
        x = rng.standard_normal((2, 4, 2, 2))
        x[1, 2:] = 5.0
        gamma, beta = _scale_shift(rng, 4)
        out = expect_finite(_pair(call(groupnorm_forward, x, gamma, beta, 2), "groupnorm_forward")[0],
                            "out with a constant group")
        expect_close(out[1, 2:], np.broadcast_to(beta[2:, None, None], (2, 2, 2)),
                     "out for a constant group (should be beta)", atol=1e-9)
        x = (2.0 * rng.standard_normal((2, 6, 4, 4))).astype(np.float32)
        out = _pair(call(groupnorm_forward, x, *_scale_shift(rng, 6, np.float32), 3), "groupnorm_forward")[0]
        expect_dtype(out, np.float32, "out for float32 input")

    p.check("groups of consecutive channels: G = 1, 2, 3, C, a single sample, (N, C) input, eps 0.1; the cache",
            groups, hint="reshape (N, C, ...) to (N, G, C // G, ...) and take the statistics over axes 2, 3, ...")
    p.check("a constant group, and float32", edge_cases)
    return p.ok


def practice_groupnorm_backward(groupnorm_backward, groupnorm_forward):
    """Practice checks of `groupnorm_backward` (with your `groupnorm_forward` for the caches)."""
    p = Practice("groupnorm_backward", uses="groupnorm_forward")
    cases = [((2, 6, 3, 2), (3,), {}), ((2, 6, 2, 2), (3,), {}), ((2, 4, 3, 3), (1,), {}), ((2, 4, 3, 2), (4,), {}),
             ((1, 6, 2, 3), (2,), {}), ((5, 6), (3,), {}), ((2, 4, 2, 3), (2,), {"eps": 0.1})]
    _norm_backward_checks(p, groupnorm_backward, groupnorm_forward, cases, lambda a: _grouped(a, 3),
                          "groupnorm_backward")
    return p.ok


SELF_CHECKS = {
    "batchnorm_forward": practice_batchnorm_forward, "batchnorm_backward": practice_batchnorm_backward,
    "batchnorm_backward_alt": practice_batchnorm_backward_alt,
    "layernorm_forward": practice_layernorm_forward, "layernorm_backward": practice_layernorm_backward,
    "groupnorm_forward": practice_groupnorm_forward, "groupnorm_backward": practice_groupnorm_backward,
}
