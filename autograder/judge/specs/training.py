"""Hidden cases for the training chapter.

Every argument handed to a learner's function is read-only, the arrays
inside the ``params``/``grads`` dicts included: an update written in place
(``params[k] -= ...``) fails with "assignment destination is read-only",
and a function that rewrites the caller's dict (``params[k] = ...``) fails
with "your function changed its input params".

``sgd_step`` is tried on the parameters of nets of one to three layers (with
and without batch norm's ``gamma``/``beta``), a convolution-shaped 4-D
weight, learning rates from 1e-3 to 1 and 0, float32, and gradients whose
dict lists the keys in another order than ``params`` (pairing the two dicts
by position instead of by key goes wrong there). Every key of the returned
dict is compared (the order of the keys is not judged).

``mlp_loss`` is tried on nets of one affine layer (softmax regression) to four,
with random widths, each activation (``relu``, ``tanh``, ``sigmoid``, and the
default), with and without L2 regularization, a single sample, two classes,
prediction mode (``y`` omitted or ``None``: the scores are compared), scores
reaching ±1e3 (a softmax or log without the maximum subtracted overflows or
gives ``log(0)``) and float32. The loss and the gradient of every parameter are
compared. Hidden pre-activations are kept at least 1e-6 away from 0, so that no
rounding difference can move a ReLU across its kink, except in one case
built to sit exactly on it: a sample of zeros with zero first-layer biases,
whose first pre-activations are exactly 0 in any order of summation (the
docstring's rule: ReLU's derivative is 0 there).

``adam_step`` is tried at the first step (``state=None``, also with some
gradients exactly 0 and with tiny gradients of about 1e-5, where putting
``eps`` inside the square root makes the step about ten times smaller) and
from given states after 1 to 250 steps, with
PyTorch's default and other ``beta1``/``beta2``, ``eps=1e-3``, a net with
``gamma``/``beta``, a 4-D weight and float32. The new parameters, the step
count and both running averages are compared; the state must come back as
an ``AdamState`` (the NamedTuple the notebook gives), with the dtype of the
parameters.

``update_ratio`` is tried on random parameters moved by relative amounts from
1e-4 to 1e-1, 1-D to 4-D arrays, an unchanged parameter (ratio 0), a bias of
norm 0 that moved (``inf``) or did not (``nan``), and float32.

``sample_log_uniform`` draws random numbers, so it is not compared value by
value. With ``size=None`` (and small sizes) the range is so narrow
(``high = low * (1 + 1e-7)``, or ``low == high``) that every correct value
is within ``rtol=1e-5`` of ours: those cases check the type (a single float
for ``size=None``, a float64 array otherwise), the shape and the range.
Large samples (10⁴ to 3·10⁴ values over ranges of 0.6 to 6 decades) must
have the requested shape, only positive finite values, and the base-10
logarithms must pass a two-sample Kolmogorov–Smirnov test against our own
sample at the 1e-10 level (distance below ``3.5 sqrt(2/n)``). A uniform draw
on ``[low, high]`` (not on the logarithms), natural logarithms mixed with
powers of 10, or a shifted range are off by 0.2 or more; a correct
implementation fails by chance with probability below 1e-10.

Contract checked besides the values: new parameters and gradients keep the
dtype of the parameters (float32 stays float32) and come back as dicts with
the keys of ``params``; ``loss`` and the ratios are numbers.

Tolerances: float64 results must agree to ``rtol=1e-9, atol=1e-12`` (a
correct implementation differs from ours by rounding only: measured at most
6e-12 relative, while a float64 result computed in float32 is off by 6e-7
or more for every student, so that shortcut is always caught); ``mlp_loss``
has ``atol=1e-10``, because with scores up to 1e3 a correct
``exp(s - logsumexp(s))`` rounds the normaliser by ~1e-13, which
``softmax - onehot`` keeps as absolute error where it is near 0 and the
weight gradients multiply by hidden activations of up to ~100; float32
results to ``rtol=1e-4, atol=1e-5`` (an independent implementation with
another order of operations stayed within 1 % of these over 1000 seeds).
``update_ratio`` returns numbers whatever the dtype, so one tolerance,
``rtol=1e-5``, covers float32 parameters (a correct float32 computation is
off by 2e-7); dividing by the norm of the new parameter instead of the old
one is off by 1e-4 or more on every case, and so is a float32 computation
for float64 parameters (the change of a parameter moved by 1e-4 of its norm
keeps only three digits in float32): caught. A float32 draw cast to float64
in ``sample_log_uniform`` is accepted (same law, same range).
"""
import math

import numpy as np

from autograder.judge.compare import compare
from autograder.judge.specs import Case, hidden, normal
from solutions.training import AdamState

TOL = dict(rtol=1e-9, atol=1e-12, rtol32=1e-4, atol32=1e-5)


def _net(rng, sizes, dtype=np.float64, batchnorm=False, scale=None):
    """Random parameters of an MLP: Kaiming-sized weights, biases (and gamma, beta) away from their initial values."""
    params = {}
    L = len(sizes) - 1
    for l in range(1, L + 1):
        std = math.sqrt(2.0 / sizes[l - 1]) if scale is None else scale
        params[f"W{l}"] = normal(rng, (sizes[l - 1], sizes[l]), std, dtype)
        params[f"b{l}"] = normal(rng, sizes[l], 0.1, dtype)
        if batchnorm and l < L:
            params[f"gamma{l}"] = (1 + normal(rng, sizes[l], 0.2)).astype(dtype)
            params[f"beta{l}"] = normal(rng, sizes[l], 0.2, dtype)
    return params


def _sizes(rng, n_layers, low=2, high=9):
    return [int(s) for s in rng.integers(low, high, n_layers + 1)]


# -- sgd_step --------------------------------------------------------------------

def _grads_like(rng, params):
    return {k: normal(rng, v.shape, 1.0, v.dtype) for k, v in params.items()}


@hidden("training.sgd_step", **TOL,
        why="every key of the new dict; the caller's dicts and arrays are read-only.")
def _sgd_step_cases(rng):
    for n_layers, lr in [(1, 0.1), (2, 1e-3), (3, 1.0)]:
        params = _net(rng, _sizes(rng, n_layers))
        yield Case(f"{n_layers}-layer net, lr {lr:g}", (params, _grads_like(rng, params), lr))
    params = _net(rng, _sizes(rng, 3), batchnorm=True)
    yield Case("3-layer net with batch norm's gamma and beta, lr 0.05", (params, _grads_like(rng, params), 0.05))
    params = {"W": normal(rng, (4, 3, 2, 2), 0.3), "b": normal(rng, 4, 0.1)}
    yield Case("a 4-D (convolution) weight and a bias, lr 0.3", (params, _grads_like(rng, params), 0.3))
    params = _net(rng, _sizes(rng, 2))
    yield Case("lr 0: the parameters come back unchanged", (params, _grads_like(rng, params), 0.0))
    params = _net(rng, [4, 4, 4])  # equal shapes: pairing by position instead of by key goes unnoticed by shape
    grads = _grads_like(rng, params)
    yield Case("grads listing the keys in another order than params, lr 0.5",
               (params, dict(reversed(list(grads.items()))), 0.5))
    params = _net(rng, _sizes(rng, 2), dtype=np.float32)
    yield Case("float32 parameters and gradients, lr 0.01", (params, _grads_like(rng, params), 0.01))


# -- mlp_loss --------------------------------------------------------------------

def _hidden_preactivations(params, x, activation):
    """The hidden pre-activations of the net (for keeping them away from ReLU's kink)."""
    L = sum(1 for k in params if k.startswith("W"))
    f = {"relu": lambda a: np.maximum(a, 0), "tanh": np.tanh,
         "sigmoid": lambda a: 0.5 * (1 + np.tanh(0.5 * a))}[activation]
    h, out = x, []
    for l in range(1, L):
        a = h @ params[f"W{l}"] + params[f"b{l}"]
        out.append(a)
        h = f(a)
    return out


def _loss_case(rng, sizes, N, activation="relu", reg=0.0, dtype=np.float64, predict=False, scale=None,
               x_scale=1.0, on_kink=False):
    """(args, kwargs) of one mlp_loss case, drawn until no hidden pre-activation is within 1e-6 of 0.

    With ``on_kink``, the first sample is all zeros and the first layer's
    biases are 0: that sample's first pre-activations are exactly 0 (the
    other samples, and the later layers, stay away from 0).
    """
    while True:
        params = _net(rng, sizes, dtype, scale=scale)
        x = normal(rng, (N, sizes[0]), x_scale, dtype)
        if on_kink:
            x[0] = 0
            params["b1"] = np.zeros_like(params["b1"])
        pre = _hidden_preactivations(params, x, activation or "relu")
        if on_kink:
            pre = [pre[0][1:]] + pre[1:]
        if all(np.abs(a).min() > 1e-6 for a in pre):
            break
    kwargs = {} if activation is None else {"activation": activation}
    if reg:
        kwargs["reg"] = reg
    if predict:
        return (params, x), kwargs
    y = rng.integers(0, sizes[-1], N)
    return (params, x, y), kwargs


def _check_loss(got, expected, rtol, atol):
    """The scores in prediction mode, else ``(loss, grads)``: the two results have their own names."""
    if isinstance(expected, np.ndarray):
        return compare(got, expected, rtol, atol, where="scores")
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return f"the function should return (loss, grads), got {type(got).__name__}"
    return compare(got, expected, rtol, atol, parts=("loss", "grads"))


@hidden("training.mlp_loss", check=_check_loss, **(TOL | {"atol": 1e-10}),
        why="loss and every gradient (or the scores when y is None); ReLU's derivative 0 at an exact 0; "
            "atol 1e-10: with scores up to 1e3 a correct log-sum-exp leaves ~1e-13 of absolute error in "
            "softmax - onehot, times hidden activations up to ~100.")
def _mlp_loss_cases(rng):
    for n_layers, activation in [(1, "relu"), (2, "relu"), (3, "tanh"), (4, "sigmoid")]:
        sizes = _sizes(rng, n_layers)
        args, kwargs = _loss_case(rng, sizes, int(rng.integers(3, 9)), activation)
        yield Case(f"{n_layers} affine layer{'s' if n_layers > 1 else ''} {sizes}, {activation}", args, kwargs)
    sizes = _sizes(rng, 2)
    args, kwargs = _loss_case(rng, sizes, 6, None)
    yield Case(f"2 layers {sizes}, activation not given (ReLU by default)", args, kwargs)
    for activation, reg in [("relu", 0.1), ("tanh", 1.5)]:
        sizes = _sizes(rng, 3)
        args, kwargs = _loss_case(rng, sizes, 5, activation, reg=reg)
        yield Case(f"3 layers {sizes}, {activation}, L2 regularization reg={reg:g}", args, kwargs)
    args, kwargs = _loss_case(rng, [5, 7, 3], 1, "sigmoid", reg=0.2)
    yield Case("a single sample, sigmoid, reg=0.2", args, kwargs)
    args, kwargs = _loss_case(rng, [4, 6, 2], 8, "relu")
    yield Case("two classes", args, kwargs)
    args, kwargs = _loss_case(rng, [5, 6, 4], 6, "relu", on_kink=True)
    yield Case("a sample of zeros, zero first-layer biases: pre-activations exactly 0 (ReLU's derivative 0 there)",
               args, kwargs)
    args, kwargs = _loss_case(rng, [6, 8, 4], 5, "relu", predict=True)
    yield Case("prediction mode: y not given, the scores are returned", args, kwargs)
    args, kwargs = _loss_case(rng, [3, 5, 5, 4], 4, "tanh", predict=True)
    yield Case("prediction mode: y=None, tanh", (*args, None), kwargs)
    args, kwargs = _loss_case(rng, [4, 6, 5], 6, "relu", scale=8.0, x_scale=6.0)
    yield Case("scores up to about ±1e3 (a stable log-softmax is needed)", args, kwargs)
    args, kwargs = _loss_case(rng, [5, 8, 6, 4], 7, "tanh", reg=0.05, dtype=np.float32)
    yield Case("float32 input and parameters, tanh, reg=0.05", args, kwargs)


# -- update_ratio ----------------------------------------------------------------

def _moved(rng, params, relative):
    """``params`` moved by about ``relative`` times their norm, in random directions."""
    new = {}
    for k, v in params.items():
        step = rng.standard_normal(v.shape)
        step *= relative * np.linalg.norm(v) / max(np.linalg.norm(step), 1e-300)
        new[k] = (v + step).astype(v.dtype)
    return new


@hidden("training.update_ratio", rtol=1e-5, atol=0.0, rtol32=1e-5, atol32=0.0,
        why="Python floats for every key, whatever the dtype: one tolerance; norm-0 parameters give inf or nan.")
def _update_ratio_cases(rng):
    for n_layers, relative in [(1, 1e-3), (2, 1e-2), (3, 1e-4)]:
        params = _net(rng, _sizes(rng, n_layers))
        yield Case(f"{n_layers}-layer net moved by about {relative:g}", (params, _moved(rng, params, relative)))
    params = {"W": normal(rng, (3, 2, 3, 3), 0.2), "g": normal(rng, 5)}
    yield Case("a 4-D weight and a 1-D parameter moved by about 0.1", (params, _moved(rng, params, 0.1)))
    params = _net(rng, [4, 5, 3])
    new = _moved(rng, params, 0.01)
    new["W2"] = params["W2"].copy()
    yield Case("one parameter unchanged (ratio 0)", (params, new))
    params = {"W": normal(rng, (4, 3)), "b": np.zeros(3), "c": np.zeros(2)}
    new = {"W": params["W"] + normal(rng, (4, 3), 1e-3), "b": normal(rng, 3, 1e-3), "c": np.zeros(2)}
    yield Case("zero biases, one moved (inf) and one not (nan)", (params, new))
    params = _net(rng, _sizes(rng, 2), dtype=np.float32)
    yield Case("float32 parameters", (params, _moved(rng, params, 1e-2)))


# -- sample_log_uniform ----------------------------------------------------------

_KS = 3.5  # two-sample KS at the 1e-10 level: P(D > c sqrt(2/n)) <= 2 exp(-c^2) with equal sizes


def _check_log_uniform(got, expected, rtol, atol):
    if np.ndim(expected) == 0:
        if not isinstance(got, (float, np.floating)):
            return f"with size=None the result should be a single float, got {type(got).__name__}"
        return compare(got, expected, rtol, atol, where="the value (outside [low, high]?)")
    if not isinstance(got, np.ndarray):
        return (f"the result should be an array of shape {np.shape(expected)} and dtype float64, "
                f"got {type(got).__name__}")
    if got.shape != expected.shape:
        return f"the result has shape {got.shape}, expected shape {expected.shape} (the size argument)"
    if got.dtype != np.float64:
        return f"the result has dtype {got.dtype}, expected float64 (as the docstring says)"
    arr = got
    if not (np.isfinite(arr).all() and (arr > 0).all()):
        return "the values should all be positive and finite"
    if expected.max() <= expected.min() * (1 + 1e-6):  # a narrow range: every correct value is close to ours
        return compare(arr, expected, rtol, atol, where="the values (outside [low, high]?)")
    a, b = np.sort(np.log10(arr).ravel()), np.sort(np.log10(expected).ravel())
    grid = np.concatenate([a, b])
    distance = np.max(np.abs(np.searchsorted(a, grid, side="right") / a.size
                             - np.searchsorted(b, grid, side="right") / b.size))
    limit = _KS * math.sqrt(2 / b.size)
    if distance > limit:
        return (f"the base-10 logarithms of the values are not uniform on [log10(low), log10(high)]: "
                f"Kolmogorov-Smirnov distance {distance:.3f} from the expected distribution (allowed {limit:.3f})")
    return None


def _fresh(rng):
    return np.random.default_rng(int(rng.integers(2**63)))


@hidden("training.sample_log_uniform", check=_check_log_uniform, rtol=1e-5, atol=0.0, rtol32=1e-5, atol32=0.0,
        float32_shortcut="accepted",
        why="random values: a narrow range for size=None and small sizes (rtol is the range), "
            "a Kolmogorov-Smirnov test of the logarithms for large samples.")
def _sample_log_uniform_cases(rng):
    for low in (float(10 ** rng.uniform(-6, -2)), float(rng.uniform(1, 50))):
        yield Case(f"size=None, a narrow range starting at {low:.3g}", (_fresh(rng), low, low * (1 + 1e-7)))
    low = float(10 ** rng.uniform(-3, 0))
    yield Case("low == high, size=5", (_fresh(rng), low, low), {"size": 5})
    low = float(10 ** rng.uniform(-4, -1))
    yield Case("a narrow range, size=(3, 4)", (_fresh(rng), low, low * (1 + 1e-7)), {"size": (3, 4)})
    yield Case("20000 values on [1e-5, 1e-1]", (_fresh(rng), 1e-5, 1e-1), {"size": 20000})
    yield Case("10000 values on [0.5, 2] (less than one decade)", (_fresh(rng), 0.5, 2.0), {"size": 10000})
    yield Case("size (200, 100) on [1e-3, 10]", (_fresh(rng), 1e-3, 10.0), {"size": (200, 100)})
    low = float(10 ** rng.uniform(-6, -2))
    high = low * float(10 ** rng.uniform(1, 4))
    yield Case("30000 values on a random range of 1 to 4 decades", (_fresh(rng), low, high), {"size": 30000})


# -- adam_step -------------------------------------------------------------------

def _adam_state(rng, params, t):
    """A state after ``t`` steps: first moments of either sign, positive second moments of matching size."""
    m = {k: normal(rng, v.shape, 0.3, v.dtype) for k, v in params.items()}
    v2 = {k: (m[k] ** 2 * rng.uniform(1.0, 4.0, v.shape) + normal(rng, v.shape, 0.05) ** 2).astype(v.dtype)
          for k, v in params.items()}
    return AdamState(t=int(t), m=m, v=v2)


@hidden("training.adam_step", **TOL,
        why="new parameters and the whole AdamState (step count, both running averages); inputs are read-only.")
def _adam_step_cases(rng):
    for n_layers, lr in [(1, 1e-3), (2, 0.01), (3, 0.1)]:
        params = _net(rng, _sizes(rng, n_layers))
        yield Case(f"first step (state None) of a {n_layers}-layer net, lr {lr:g}",
                   (params, _grads_like(rng, params), None, lr))
    params = _net(rng, _sizes(rng, 2))
    grads = {k: np.where(rng.random(v.shape) < 0.3, 0.0, g) for (k, v), g in
             zip(params.items(), _grads_like(rng, params).values())}
    yield Case("first step, some gradients exactly 0", (params, grads, None, 0.01))
    for t, betas in [(1, (0.9, 0.999)), (4, (0.8, 0.99)), (250, (0.9, 0.999)), (30, (0.5, 0.9))]:
        params = _net(rng, _sizes(rng, 2))
        state = _adam_state(rng, params, t)
        yield Case(f"state after {t} step{'s' if t > 1 else ''}, beta1={betas[0]:g}, beta2={betas[1]:g}",
                   (params, _grads_like(rng, params), state, 0.02),
                   {"beta1": betas[0], "beta2": betas[1]})
    params = _net(rng, _sizes(rng, 2), batchnorm=True)
    yield Case("a net with batch norm's gamma and beta, state after 3 steps",
               (params, _grads_like(rng, params), _adam_state(rng, params, 3), 1e-3))
    params = {"W": normal(rng, (4, 3, 2, 2), 0.3), "b": normal(rng, 4, 0.1)}
    tiny = {k: normal(rng, v.shape, 1e-5) for k, v in params.items()}
    yield Case("first step with tiny gradients (about 1e-5, where eps matters)",
               (params, tiny, None, 0.01))
    params = _net(rng, _sizes(rng, 2))
    yield Case("eps=1e-3, state after 5 steps", (params, _grads_like(rng, params),
                                                _adam_state(rng, params, 5), 0.05), {"eps": 1e-3})
    params = _net(rng, _sizes(rng, 2), dtype=np.float32)
    yield Case("float32 parameters, gradients and state, after 10 steps",
               (params, _grads_like(rng, params), _adam_state(rng, params, 10), 0.01))
