r"""Weight initialization: constant, small random, Xavier/Glorot, Kaiming/He, and a deep-net experiment.

Shape convention
----------------
The course computes dense layers as ``x @ w`` with ``x`` of shape ``(N, D)``,
so a dense weight has shape ``(fan_in, fan_out)`` — **transposed** with respect
to PyTorch's ``nn.Linear.weight`` of shape ``(out, in)``. Convolution weights
have PyTorch's layout ``(C_out, C_in, kH, kW)`` (any number of kernel
dimensions). :func:`compute_fans` turns either into ``(fan_in, fan_out)``.

All random initializers take an explicit ``rng: numpy.random.Generator``
(never the global seed) and return float64 arrays of the requested shape.
With the fans translated, the formulas are those of ``torch.nn.init``:

================  ==========================================================
initializer       distribution
================  ==========================================================
xavier_normal     :math:`\mathcal N(0, \sigma^2)`, :math:`\sigma = g\sqrt{2/(n_{in}+n_{out})}`
xavier_uniform    :math:`\mathcal U(-\sqrt3\sigma, \sqrt3\sigma)`, same :math:`\sigma`
kaiming_normal    :math:`\mathcal N(0, \sigma^2)`, :math:`\sigma = g/\sqrt{n_{mode}}`
kaiming_uniform   :math:`\mathcal U(-\sqrt3\sigma, \sqrt3\sigma)`, same :math:`\sigma`
================  ==========================================================

(:math:`g` the gain of :func:`calculate_gain`; a uniform distribution on
:math:`[-b, b]` has variance :math:`b^2/3`, hence the factor :math:`\sqrt 3`.)
"""
import math
import numbers
import operator
from typing import NamedTuple

import numpy as np

__all__ = [
    "compute_fans",
    "calculate_gain",
    "constant",
    "zeros",
    "small_random_normal",
    "xavier_uniform",
    "xavier_normal",
    "kaiming_uniform",
    "kaiming_normal",
    "LayerStats",
    "deep_mlp_stats",
]


# ----------------------------------------------------------------------------
# Helpers
# ----------------------------------------------------------------------------
def _as_shape(shape):
    """Return ``shape`` as a tuple of non-negative Python ints (an int gives a 1-tuple)."""
    try:
        dims = (operator.index(shape),) if np.ndim(shape) == 0 else tuple(shape)
        dims = tuple(operator.index(d) for d in dims)
    except TypeError:
        raise ValueError(
            f"shape must be a tuple of non-negative integers; got {shape!r}."
        ) from None
    if any(d < 0 for d in dims):
        raise ValueError(f"shape must be a tuple of non-negative integers; got {shape!r}.")
    return dims


def _check_rng(rng):
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            "rng must be a numpy.random.Generator, e.g. np.random.default_rng(0); "
            f"got {type(rng).__name__}."
        )


# ----------------------------------------------------------------------------
# Fans and gains
# ----------------------------------------------------------------------------
def _fans(shape):
    """Fan computation shared by the initializers."""
    dims = _as_shape(shape)
    if len(dims) < 2:
        raise ValueError(
            f"fans need a weight of at least 2 dimensions ((fan_in, fan_out) or "
            f"(C_out, C_in, *kernel)); got shape {dims}."
        )
    if len(dims) == 2:
        return dims[0], dims[1]
    receptive_field = math.prod(dims[2:])
    return dims[1] * receptive_field, dims[0] * receptive_field


def compute_fans(shape):
    """Number of inputs and outputs of a unit for a weight of the given shape.

    Parameters
    ----------
    shape : tuple of int
        `(fan_in, fan_out)` for a dense weight used as `x @ w`, or
        `(C_out, C_in, k1, k2, ...)` for a convolution kernel (at least one
        kernel dimension).

    Returns
    -------
    fan_in, fan_out : int
        Dense: `shape[0], shape[1]`. Convolution:
        `C_in * prod(kernel), C_out * prod(kernel)` — every output value sees
        `C_in * prod(kernel)` inputs, every input value reaches
        `C_out * prod(kernel)` outputs (ignoring stride and borders).

    Raises
    ------
    ValueError
        For shapes with fewer than two dimensions (a bias has no fans).

    Notes
    -----
    The dense convention is the transpose of PyTorch's `(out, in)`; the
    convolution convention is PyTorch's. So `compute_fans((a, b))` equals
    `torch.nn.init._calculate_fan_in_and_fan_out` of a `(b, a)` tensor.
    """
    return _fans(shape)


_LINEAR_NAMES = (
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "sigmoid",
)


def _gain(nonlinearity, param=None):
    """Gain table shared by the initializers."""
    if nonlinearity in _LINEAR_NAMES:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3.0
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, numbers.Real) and not isinstance(param, (bool, np.bool_)):
            slope = float(param)
        else:
            raise ValueError(f"negative slope of leaky_relu must be a number; got {param!r}.")
        if not math.isfinite(slope):
            raise ValueError(f"negative slope of leaky_relu must be finite; got {param!r}.")
        return math.sqrt(2.0 / (1.0 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4.0
    raise ValueError(
        f"unsupported nonlinearity {nonlinearity!r}; expected one of "
        f"{', '.join(_LINEAR_NAMES + ('tanh', 'relu', 'leaky_relu', 'selu'))}."
    )


def calculate_gain(nonlinearity, param=None):
    r"""Recommended gain (std multiplier) for weights followed by a nonlinearity.

    Parameters
    ----------
    nonlinearity : str
        One of `"linear"`, `"conv1d"`, `"conv2d"`, `"conv3d"`,
        `"conv_transpose1d"`, `"conv_transpose2d"`, `"conv_transpose3d"`,
        `"sigmoid"`, `"tanh"`, `"relu"`, `"leaky_relu"`, `"selu"`.
    param : float, optional
        Negative slope for `"leaky_relu"` (default 0.01); ignored otherwise.

    Returns
    -------
    float
        The gain, the same table as `torch.nn.init.calculate_gain`:

        | nonlinearity   | gain                                  |
        | -------------- | ------------------------------------- |
        | linear, conv*  | 1                                     |
        | sigmoid        | 1                                     |
        | tanh           | 5/3                                   |
        | relu           | $\sqrt 2$                             |
        | leaky_relu     | $\sqrt{2 / (1 + \text{slope}^2)}$      |
        | selu           | 3/4                                   |

    Raises
    ------
    ValueError
        For an unknown nonlinearity or a slope that is not a real number.

    Notes
    -----
    The ReLU gain comes from $E[\mathrm{relu}(z)^2] = \tfrac12 E[z^2]$
    for a symmetric $z$: the factor 2 restores the halved second moment.
    A leaky ReLU with slope $a$ keeps $(1 + a^2)/2$ of it. The 5/3
    of tanh and the 3/4 of SELU are PyTorch's empirical choices.

    References
    ----------
    [1] K. He, X. Zhang, S. Ren, J. Sun, "Delving deep into rectifiers:
       surpassing human-level performance on ImageNet classification",
       ICCV 2015.
    """
    return _gain(nonlinearity, param)


# ----------------------------------------------------------------------------
# Deterministic and small random initializers
# ----------------------------------------------------------------------------
def constant(shape, value, rng=None):
    """Array of the given shape filled with ``value``.

    Parameters
    ----------
    shape : int or tuple of int
        Any shape (also 1-D, e.g. a bias).
    value : float
        The fill value.
    rng : numpy.random.Generator, optional
        Accepted and ignored, so that every initializer can be called as
        ``init(shape, rng)``.

    Returns
    -------
    ndarray, float64, shape ``shape``

    Notes
    -----
    A constant weight matrix makes all units of a layer compute the same
    function and receive the same gradient: the symmetry is never broken.
    Constants are fine for biases (usually 0).
    """
    return np.full(_as_shape(shape), value, dtype=np.float64)


def zeros(shape, rng=None):
    """Array of zeros of the given shape; ``rng`` is accepted and ignored (see :func:`constant`).

    Parameters
    ----------
    shape : int or tuple of int
    rng : numpy.random.Generator, optional
        Ignored.

    Returns
    -------
    ndarray, float64, shape ``shape``
    """
    return np.zeros(_as_shape(shape), dtype=np.float64)


def small_random_normal(shape, rng, scale=0.01):
    r"""Independent draws from :math:`\mathcal N(0, \text{scale}^2)`.

    Parameters
    ----------
    shape : int or tuple of int
        Any shape.
    rng : numpy.random.Generator
    scale : float, default 0.01
        Standard deviation, independent of the layer size — which is the
        problem: in a deep net the activations shrink by about
        ``scale * sqrt(fan_in)`` per layer.

    Returns
    -------
    ndarray, float64, shape ``shape``
    """
    _check_rng(rng)
    return scale * rng.standard_normal(_as_shape(shape))


# ----------------------------------------------------------------------------
# Xavier / Glorot
# ----------------------------------------------------------------------------
def _xavier_std(shape, gain):
    fan_in, fan_out = _fans(shape)
    if fan_in + fan_out == 0:  # only for an empty array; any std will do
        return 0.0
    return gain * math.sqrt(2.0 / (fan_in + fan_out))


def xavier_uniform(shape, rng, gain=1.0):
    r"""Xavier/Glorot uniform initialization.

    Parameters
    ----------
    shape : tuple of int
        `(fan_in, fan_out)` or `(C_out, C_in, *kernel)`, see `compute_fans`.
    rng : numpy.random.Generator
    gain : float, default 1.0
        Multiplier of the standard deviation, e.g. `calculate_gain("tanh")`.

    Returns
    -------
    ndarray, float64, shape `shape`
        Draws from $\mathcal U(-b, b)$.

    Notes
    -----
    $$
    \sigma = g \sqrt{\frac{2}{n_{in} + n_{out}}}, \qquad b = \sqrt 3 \, \sigma
    = g \sqrt{\frac{6}{n_{in} + n_{out}}}
    $$

    Keeping the activation variance in the forward pass needs
    $n_{in}\mathrm{Var}(w) = 1$, keeping the gradient variance in the
    backward pass needs $n_{out}\mathrm{Var}(w) = 1$; Glorot and Bengio
    compromise with the harmonic mean $\mathrm{Var}(w) = 2/(n_{in}+n_{out})$.

    References
    ----------
    [1] X. Glorot, Y. Bengio, "Understanding the difficulty of training deep
       feedforward neural networks", AISTATS 2010.
    """
    _check_rng(rng)
    bound = math.sqrt(3.0) * _xavier_std(shape, gain)
    return rng.uniform(-bound, bound, size=_as_shape(shape))


def xavier_normal(shape, rng, gain=1.0):
    r"""Xavier/Glorot normal initialization.

    Parameters
    ----------
    shape : tuple of int
        `(fan_in, fan_out)` or `(C_out, C_in, *kernel)`, see `compute_fans`.
    rng : numpy.random.Generator
    gain : float, default 1.0
        Multiplier of the standard deviation.

    Returns
    -------
    ndarray, float64, shape `shape`
        Draws from $\mathcal N(0, \sigma^2)$.

    Notes
    -----
    $$
    \sigma = g \sqrt{\frac{2}{n_{in} + n_{out}}}
    $$

    See `xavier_uniform` for the reasoning.

    References
    ----------
    [1] X. Glorot, Y. Bengio, "Understanding the difficulty of training deep
       feedforward neural networks", AISTATS 2010.
    """
    _check_rng(rng)
    return _xavier_std(shape, gain) * rng.standard_normal(_as_shape(shape))


# ----------------------------------------------------------------------------
# Kaiming / He
# ----------------------------------------------------------------------------
def _kaiming_std(shape, a, mode, nonlinearity):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f'mode must be "fan_in" or "fan_out"; got {mode!r}.')
    gain = _gain(nonlinearity, a)  # `a` only matters for leaky_relu
    fan_in, fan_out = _fans(shape)
    fan = fan_in if mode == "fan_in" else fan_out
    if fan == 0:  # only for an empty array; any std will do
        return 0.0
    return gain / math.sqrt(fan)


def kaiming_uniform(shape, rng, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    r"""Kaiming/He uniform initialization.

    Parameters
    ----------
    shape : tuple of int
        `(fan_in, fan_out)` or `(C_out, C_in, *kernel)`, see `compute_fans`.
    rng : numpy.random.Generator
    a : float, default 0.0
        Negative slope of the leaky ReLU after this layer; used only when
        `nonlinearity="leaky_relu"` (the default, which with `a=0` is ReLU).
    mode : {"fan_in", "fan_out"}, default "fan_in"
        `"fan_in"` keeps the variance of the activations in the forward
        pass, `"fan_out"` that of the gradients in the backward pass.
    nonlinearity : str, default "leaky_relu"
        Any name accepted by `calculate_gain`.

    Returns
    -------
    ndarray, float64, shape `shape`
        Draws from $\mathcal U(-b, b)$.

    Raises
    ------
    ValueError
        For an unknown `mode` or `nonlinearity`.

    Notes
    -----
    $$
    \sigma = \frac{g}{\sqrt{n_{mode}}}, \qquad b = \sqrt 3 \, \sigma,
    $$

    with $g$ = `calculate_gain(nonlinearity, a)`. For ReLU,
    $\mathrm{Var}(w) = 2/n_{in}$ keeps $E[h^2]$ constant from layer
    to layer, because ReLU keeps half of the second moment.

    References
    ----------
    [1] K. He, X. Zhang, S. Ren, J. Sun, "Delving deep into rectifiers:
       surpassing human-level performance on ImageNet classification",
       ICCV 2015.
    """
    _check_rng(rng)
    bound = math.sqrt(3.0) * _kaiming_std(shape, a, mode, nonlinearity)
    return rng.uniform(-bound, bound, size=_as_shape(shape))


def kaiming_normal(shape, rng, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    r"""Kaiming/He normal initialization.

    Parameters
    ----------
    shape : tuple of int
        `(fan_in, fan_out)` or `(C_out, C_in, *kernel)`, see `compute_fans`.
    rng : numpy.random.Generator
    a : float, default 0.0
        Negative slope of the leaky ReLU (only with `nonlinearity="leaky_relu"`).
    mode : {"fan_in", "fan_out"}, default "fan_in"
    nonlinearity : str, default "leaky_relu"
        Any name accepted by `calculate_gain`.

    Returns
    -------
    ndarray, float64, shape `shape`
        Draws from $\mathcal N(0, \sigma^2)$.

    Raises
    ------
    ValueError
        For an unknown `mode` or `nonlinearity`.

    Notes
    -----
    $$
    \sigma = \frac{g}{\sqrt{n_{mode}}}
    $$

    See `kaiming_uniform`.

    References
    ----------
    [1] K. He, X. Zhang, S. Ren, J. Sun, "Delving deep into rectifiers:
       surpassing human-level performance on ImageNet classification",
       ICCV 2015.
    """
    _check_rng(rng)
    return _kaiming_std(shape, a, mode, nonlinearity) * rng.standard_normal(_as_shape(shape))


# ----------------------------------------------------------------------------
# Experiment: statistics of a deep MLP at initialization
# ----------------------------------------------------------------------------
class LayerStats(NamedTuple):
    """Statistics of one layer of :func:`deep_mlp_stats`."""

    mean: float  #: mean of the layer's activations (after the nonlinearity)
    std: float  #: standard deviation (ddof=0) of the activations
    activations: np.ndarray  #: shape (N, width), the activations themselves
    grad_std: float | None  #: std of dL/d(pre-activation) of the layer; None without backward


# nonlinearity -> (f(a), f'(a) expressed through a and h = f(a))
_NONLINEARITIES = {
    "tanh": (np.tanh, lambda a, h: 1.0 - h * h),
    "relu": (lambda a: np.maximum(a, 0.0), lambda a, h: (a > 0).astype(a.dtype)),
    # sigmoid written with tanh: no overflow of exp for large |a|
    "sigmoid": (lambda a: 0.5 * (1.0 + np.tanh(0.5 * a)), lambda a, h: h * (1.0 - h)),
    "linear": (lambda a: a, lambda a, h: np.ones_like(a)),
}


def deep_mlp_stats(x, layer_sizes, init, nonlinearity, rng, backward=True):
    r"""Push a batch through a freshly initialised deep MLP and record per-layer statistics.

    Each layer computes :math:`a_l = h_{l-1} W_l` (zero bias) and
    :math:`h_l = f(a_l)`, with :math:`h_0 = x` and
    ``W_l = init((width_{l-1}, width_l), rng)``. Then a random upstream
    gradient :math:`\partial L / \partial h_L` with independent
    :math:`\mathcal N(0, 1)` entries is back-propagated to the input.

    Parameters
    ----------
    x : array_like, shape (N, D0)
        Input batch.
    layer_sizes : sequence of int
        Widths of the layers, e.g. ``[500] * 10``.
    init : callable
        ``init(shape, rng) -> ndarray of that shape``, called once per layer
        in order with ``shape = (fan_in, fan_out)``; e.g.
        ``functools.partial(xavier_normal, gain=5/3)``.
    nonlinearity : {"tanh", "relu", "sigmoid", "linear"}
    rng : numpy.random.Generator
        Passed to ``init``; after all weights are drawn, the upstream gradient
        is drawn from it too (``rng.standard_normal((N, width_L))``).
    backward : bool, default True
        Whether to run the backward pass (``grad_std`` is None otherwise and
        nothing more is drawn from ``rng``).

    Returns
    -------
    list of LayerStats, one per layer
        ``mean`` and ``std`` (float, ddof=0) over all entries of the layer's
        activations :math:`h_l`; ``activations``: the array :math:`h_l`, shape
        (N, width_l), float64, for histograms; ``grad_std``: the standard
        deviation of the gradient with respect to the layer's
        **pre-activations** :math:`\partial L/\partial a_l`, shape
        (N, width_l) — the "back-propagated gradient" of Glorot & Bengio,
        independent of the batch size (the weight gradient is
        :math:`h_{l-1}^\top \partial L/\partial a_l`).

    Notes
    -----
    Forward: :math:`a_l = h_{l-1} W_l`, :math:`h_l = f(a_l)`.
    Backward, for :math:`L = \sum h_L \odot G` with the random :math:`G`:

    .. math::

        \frac{\partial L}{\partial a_l} = \frac{\partial L}{\partial h_l}
        \odot f'(a_l), \qquad
        \frac{\partial L}{\partial h_{l-1}} = \frac{\partial L}{\partial a_l} W_l^\top .

    For zero-mean independent weights and inputs, one layer gives
    :math:`\mathrm{Var}(a_l) = n_{in} \mathrm{Var}(w) E[h_{l-1}^2]` forward and
    :math:`\mathrm{Var}(\partial L/\partial h_{l-1}) = n_{out} \mathrm{Var}(w)
    \mathrm{Var}(\partial L/\partial a_l)` backward: which of the two stays
    constant through depth is what the initializers are designed for.

    References
    ----------
    .. [1] X. Glorot, Y. Bengio, "Understanding the difficulty of training deep
       feedforward neural networks", AISTATS 2010.
    .. [2] K. He, X. Zhang, S. Ren, J. Sun, "Delving deep into rectifiers",
       ICCV 2015.
    """
    if nonlinearity not in _NONLINEARITIES:
        raise ValueError(
            f"nonlinearity must be one of {', '.join(_NONLINEARITIES)}; got {nonlinearity!r}."
        )
    _check_rng(rng)
    x = np.asarray(x)
    if x.ndim != 2:
        raise ValueError(f"x must be a 2-D array of shape (N, D0); got shape {x.shape}.")
    if not (np.issubdtype(x.dtype, np.number) and not np.iscomplexobj(x)):
        raise TypeError(f"x must hold real numbers; got dtype {x.dtype}.")
    widths = [int(w) for w in layer_sizes]
    if len(widths) == 0 or any(w < 1 for w in widths):
        raise ValueError(
            f"layer_sizes must be a non-empty sequence of positive widths; got {layer_sizes!r}."
        )
    f, fprime = _NONLINEARITIES[nonlinearity]

    h = x.astype(np.float64)  # a copy: the caller's x is never touched
    weights, pre, post = [], [], []
    for fan_in, fan_out in zip([h.shape[1]] + widths[:-1], widths):
        w = np.asarray(init((fan_in, fan_out), rng), dtype=np.float64)
        if w.shape != (fan_in, fan_out):
            raise ValueError(
                f"init returned shape {w.shape} for requested shape {(fan_in, fan_out)}."
            )
        a = h @ w
        h = f(a)
        weights.append(w)
        pre.append(a)
        post.append(h)

    grad_stds = [None] * len(widths)
    if backward:
        dh = rng.standard_normal(post[-1].shape)  # dL/dh_L
        for l in range(len(widths) - 1, -1, -1):
            da = dh * fprime(pre[l], post[l])
            grad_stds[l] = float(da.std())
            if l > 0:
                dh = da @ weights[l].T  # dL/dh_{l-1}

    return [
        LayerStats(mean=float(h.mean()), std=float(h.std()), activations=h, grad_std=g)
        for h, g in zip(post, grad_stds)
    ]
