"""Activation functions: forward and backward passes, side by side.

Every activation is a pair ``op_forward(x, ...) -> (out, cache)`` and
``op_backward(dout, cache) -> dx`` (or a tuple of gradients when the forward
has several array inputs, in their order). The caches are ``NamedTuple``\\ s
whose fields say what the backward pass needs.

All functions are vectorised, never modify their inputs, keep the floating
dtype of ``x`` (float32 in gives float32 out; integer input is promoted to
float64) and are numerically stable for ``|x|`` up to at least 1e4: no
overflow, no NaN and no ``RuntimeWarning``. Where a function has a kink, the
(sub)gradient chosen at the kink is the one PyTorch uses, and the docstring
says which.
"""
import math
from typing import NamedTuple

import numpy as np

__all__ = (
    "sigmoid_forward", "sigmoid_backward",
    "tanh_forward", "tanh_backward",
    "relu_forward", "relu_backward",
    "leaky_relu_forward", "leaky_relu_backward",
    "prelu_forward", "prelu_backward",
    "elu_forward", "elu_backward",
    "relu6_forward", "relu6_backward",
    "softplus_forward", "softplus_backward",
    "gelu_forward", "gelu_backward",
    "mish_forward", "mish_backward",
    "maxout_forward", "maxout_backward",
    "softmax_forward", "softmax_backward",
    "log_softmax_forward", "log_softmax_backward",
)

# Constants are Python floats on purpose: under NumPy's promotion rules a
# Python float does not turn a float32 array into float64, a np.float64 would.
_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_PI = 1.0 / math.sqrt(math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_TANH_COEF = 0.044715


def _as_float(x):
    """``x`` as an ndarray of a floating dtype (integers and bools become float64)."""
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    return x


def _sigmoid(x):
    """Logistic sigmoid ``1 / (1 + exp(-x))`` without overflow.

    ``exp`` is only ever applied to ``-|x| <= 0``, so it cannot overflow; for
    very negative ``x`` it underflows harmlessly to 0.
    """
    z = np.exp(-np.abs(x))
    # x >= 0: 1 / (1 + e^{-x});  x < 0: e^{x} / (1 + e^{x}).  Both use z = e^{-|x|}.
    return np.where(x >= 0, 1 / (1 + z), z / (1 + z))


# ---------------------------------------------------------------------------
# erf / erfc in NumPy (NumPy has no erf and SciPy is not a dependency)
# ---------------------------------------------------------------------------

_ERF_SERIES_TERMS = 30   # |x| < 1.5 needs 25 for full float64 precision; 5 spare
_ERF_SWITCH = 1.5        # erf: series below, continued fraction above
_ERFC_SWITCH = 1.0       # erfc: 1 - erf below, continued fraction above
# Depth of the continued fraction for full float64 precision: it converges
# more slowly the smaller x is (checked against math.erfc).
_CF_DEPTH_FROM_1 = 200   # for x >= 1.0
_CF_DEPTH_FROM_1_5 = 100  # for x >= 1.5


def _erf_series(x):
    """erf by the everywhere-positive series (accurate for ``|x| < 1.5``).

    .. math::
        \\operatorname{erf}(x) = \\frac{2}{\\sqrt\\pi} e^{-x^2}
        \\sum_{n\\ge 0} \\frac{2^n x^{2n+1}}{1\\cdot 3\\cdots(2n+1)}

    All terms have the sign of ``x``, so unlike the Taylor series of
    ``erf`` there is no cancellation between terms.
    """
    x2 = x * x
    term = x
    total = x
    for n in range(1, _ERF_SERIES_TERMS):
        term = term * (2 * x2) / (2 * n + 1)
        total = total + term
    return (2 * _INV_SQRT_PI) * np.exp(-x2) * total


def _erfc_cf(x, depth):
    """erfc by Laplace's continued fraction (for ``x >= 1``; see the depths above).

    .. math::
        \\operatorname{erfc}(x) = \\frac{e^{-x^2}}{\\sqrt\\pi}\\,
        \\cfrac{1}{x + \\cfrac{1/2}{x + \\cfrac{1}{x + \\cfrac{3/2}{x + \\cdots}}}}

    evaluated from a fixed ``depth`` backwards. Only for positive ``x``; for
    large ``x``, ``exp(-x^2)`` underflows harmlessly to 0.
    """
    t = x
    for k in range(depth, 0, -1):
        t = x + (0.5 * k) / t
    return np.exp(-x * x) * _INV_SQRT_PI / t


def _erf(x):
    """Error function of an array, vectorised, to about 1e-15 relative accuracy.

    Parameters
    ----------
    x : ndarray, any shape, floating dtype

    Returns
    -------
    ndarray, shape and dtype of ``x``

    Notes
    -----
    ``|x| < 1.5``: the positive series of :func:`_erf_series`;
    ``|x| >= 1.5``: :math:`\\operatorname{sign}(x)(1 - \\operatorname{erfc}(|x|))`
    with erfc from the continued fraction :func:`_erfc_cf`. Both pieces are
    accurate to a few ulps in float64 (checked against :func:`math.erf`).
    """
    x = _as_float(x)
    a = np.abs(x)
    small = a < _ERF_SWITCH
    out = np.empty_like(x)
    out[small] = _erf_series(x[small])
    big = ~small  # also NaN, which propagates through the continued fraction
    out[big] = np.copysign(1 - _erfc_cf(a[big], _CF_DEPTH_FROM_1_5), x[big])
    return out


def _erfc(x):
    """Complementary error function ``1 - erf(x)`` without cancellation for large ``x``.

    Parameters
    ----------
    x : ndarray, any shape, floating dtype

    Returns
    -------
    ndarray, shape and dtype of ``x``

    Notes
    -----
    For ``x >= 1`` the continued fraction gives erfc directly, with full
    relative accuracy even where erfc is tiny (``1 - erf`` would lose every
    digit there). For ``x < 1``, ``erfc(x) = 1 - erf(x) > 0.15`` and the
    subtraction costs at most a few ulps. The relative error grows like
    :math:`x^2\\varepsilon` for large ``x``, which is the condition number of
    erfc itself (the rounding of ``x`` already causes that much).
    """
    x = _as_float(x)
    out = np.empty_like(x)
    far = x >= _ERF_SWITCH
    out[far] = _erfc_cf(x[far], _CF_DEPTH_FROM_1_5)
    near = (x >= _ERFC_SWITCH) & ~far
    out[near] = _erfc_cf(x[near], _CF_DEPTH_FROM_1)
    small = ~(far | near)  # also NaN, which propagates through _erf
    out[small] = 1 - _erf(x[small])
    return out


# ---------------------------------------------------------------------------
# sigmoid
# ---------------------------------------------------------------------------

class SigmoidCache(NamedTuple):
    out: np.ndarray  # sigma(x), the forward output


def sigmoid_forward(x):
    r"""Logistic sigmoid, elementwise.

    Parameters
    ----------
    x : ndarray, any shape

    Returns
    -------
    out : ndarray, shape and dtype of `x`
        Values in [0, 1].
    cache : SigmoidCache

    Notes
    -----
    $$
    \sigma(x) = \frac{1}{1 + e^{-x}}, \qquad
    \sigma'(x) = \sigma(x)\,(1 - \sigma(x)).
    $$

    Computed from $e^{-|x|}$ so that `exp` never overflows.
    """
    x = _as_float(x)
    out = _sigmoid(x)
    return out, SigmoidCache(out)


def sigmoid_backward(dout, cache):
    """Backward pass of `sigmoid_forward`.

    Parameters
    ----------
    dout : ndarray, shape of `x`
    cache : SigmoidCache

    Returns
    -------
    dx : ndarray, shape of `x`
        Gradient of the loss with respect to the forward input `x`.
    """
    out = cache.out
    return dout * out * (1 - out)


# ---------------------------------------------------------------------------
# tanh
# ---------------------------------------------------------------------------

class TanhCache(NamedTuple):
    out: np.ndarray  # tanh(x)


def tanh_forward(x):
    r"""Hyperbolic tangent, elementwise.

    Parameters
    ----------
    x : ndarray, any shape

    Returns
    -------
    out : ndarray, shape and dtype of `x`
        Values in [-1, 1].
    cache : TanhCache

    Notes
    -----
    $$
    \tanh(x) = 2\sigma(2x) - 1, \qquad \tanh'(x) = 1 - \tanh^2(x).
    $$
    """
    x = _as_float(x)
    out = np.tanh(x)  # np.tanh saturates to +-1 without overflow
    return out, TanhCache(out)


def tanh_backward(dout, cache):
    """Backward pass of `tanh_forward`.

    Parameters
    ----------
    dout : ndarray, shape of `x`
    cache : TanhCache

    Returns
    -------
    dx : ndarray, shape of `x`
        Gradient of the loss with respect to the forward input `x`.
    """
    out = cache.out
    return dout * (1 - out * out)


# ---------------------------------------------------------------------------
# ReLU
# ---------------------------------------------------------------------------

class ReluCache(NamedTuple):
    x: np.ndarray  # forward input


def relu_forward(x):
    r"""Rectified linear unit `max(0, x)`, elementwise.

    Parameters
    ----------
    x : ndarray, any shape

    Returns
    -------
    out : ndarray, shape and dtype of `x`
    cache : ReluCache

    Notes
    -----
    $$
    \mathrm{ReLU}(x) = \max(0, x), \qquad
    \mathrm{ReLU}'(x) = [x > 0].
    $$

    At the kink `x == 0` the subgradient 0 is used (as in PyTorch).
    """
    x = _as_float(x)
    return np.maximum(x, 0), ReluCache(x)


def relu_backward(dout, cache):
    """Backward pass of `relu_forward`.

    Parameters
    ----------
    dout : ndarray, shape of `x`
    cache : ReluCache

    Returns
    -------
    dx : ndarray, shape of `x`
        `dout` where the *input* `x > 0`, else 0 (also at `x == 0`).
    """
    # A new array: the caller's dout is never written to.
    return np.where(cache.x > 0, dout, 0)


# ---------------------------------------------------------------------------
# leaky ReLU
# ---------------------------------------------------------------------------

class LeakyReluCache(NamedTuple):
    x: np.ndarray  # forward input
    alpha: float   # slope for x <= 0


def leaky_relu_forward(x, alpha=0.01):
    r"""Leaky ReLU: `x` for `x > 0`, `alpha * x` otherwise.

    Parameters
    ----------
    x : ndarray, any shape
    alpha : float
        Slope of the negative part (PyTorch's `negative_slope`).

    Returns
    -------
    out : ndarray, shape and dtype of `x`
    cache : LeakyReluCache

    Notes
    -----
    $$
    f(x) = \begin{cases} x & x > 0 \\ \alpha x & x \le 0 \end{cases},
    \qquad f'(x) = \begin{cases} 1 & x > 0 \\ \alpha & x \le 0 \end{cases}
    $$

    At `x == 0` the slope `alpha` is used, as in PyTorch.

    References
    ----------
    [1] A. L. Maas, A. Y. Hannun, A. Y. Ng, "Rectifier Nonlinearities
       Improve Neural Network Acoustic Models", ICML 2013 workshop.
    """
    x = _as_float(x)
    alpha = float(alpha)  # a Python float keeps float32 arrays float32
    return np.where(x > 0, x, alpha * x), LeakyReluCache(x, alpha)


def leaky_relu_backward(dout, cache):
    """Backward pass of `leaky_relu_forward`.

    Parameters
    ----------
    dout : ndarray, shape of `x`
    cache : LeakyReluCache

    Returns
    -------
    dx : ndarray, shape of `x`
        `dout` where `x > 0`, `alpha * dout` elsewhere (including `x == 0`).
    """
    return np.where(cache.x > 0, dout, cache.alpha * dout)


# ---------------------------------------------------------------------------
# PReLU
# ---------------------------------------------------------------------------

class PreluCache(NamedTuple):
    x: np.ndarray          # forward input
    alpha: np.ndarray      # slopes, reshaped to broadcast against x
    alpha_shape: tuple     # shape of the alpha passed in (dalpha gets it)
    sum_axes: tuple        # axes of x summed to obtain dalpha


def prelu_forward(x, alpha):
    """Parametric ReLU with a learnable negative slope.

    Parameters
    ----------
    x : ndarray, shape (N, C) or (N, C, H, W) or any shape (N, C, ...)
        With a scalar ``alpha``, any shape.
    alpha : float, 0-d ndarray, or ndarray of shape (C,)
        One slope shared by all elements, or one slope per channel
        ``x[:, c, ...]`` (as ``torch.nn.PReLU(num_parameters=C)``). A length-1
        array is a shared slope.

    Returns
    -------
    out : ndarray, shape and dtype of ``x``
    cache : PreluCache

    Raises
    ------
    ValueError
        If ``alpha`` is not a scalar or a 1-D array whose length is 1 or
        ``x.shape[1]``.

    Notes
    -----
    .. math:: f(x_{n,c,\\dots}) = \\begin{cases} x & x > 0 \\\\ \\alpha_c x & x \\le 0 \\end{cases}

    .. math:: \\frac{\\partial f}{\\partial x} = [x > 0] + \\alpha_c [x \\le 0], \\qquad
              \\frac{\\partial L}{\\partial \\alpha_c} = \\sum_{n, \\dots}
              \\frac{\\partial L}{\\partial f}\\, x\\, [x \\le 0].

    The computation is done in the dtype of ``x`` (``alpha`` is cast to it).

    References
    ----------
    .. [1] K. He, X. Zhang, S. Ren, J. Sun, "Delving Deep into Rectifiers:
       Surpassing Human-Level Performance on ImageNet Classification",
       ICCV 2015.
    """
    x = _as_float(x)
    alpha_in = np.asarray(alpha)
    alpha_shape = alpha_in.shape
    a = alpha_in.astype(x.dtype)
    if a.ndim == 0 or (a.ndim == 1 and a.shape[0] == 1):
        a = a.reshape(())
        sum_axes = tuple(range(x.ndim))
    elif a.ndim == 1 and x.ndim >= 2 and a.shape[0] == x.shape[1]:
        # (C,) -> (1, C, 1, ..., 1): broadcast along axis 1 of x
        a = a.reshape((1, -1) + (1,) * (x.ndim - 2))
        sum_axes = (0,) + tuple(range(2, x.ndim))
    else:
        raise ValueError(
            f"prelu_forward: alpha must be a scalar or have shape (C,) = "
            f"({x.shape[1] if x.ndim >= 2 else '?'},) matching x.shape[1]; "
            f"got alpha of shape {alpha_shape} for x of shape {x.shape}"
        )
    out = np.where(x > 0, x, a * x)
    return out, PreluCache(x, a, alpha_shape, sum_axes)


def prelu_backward(dout, cache):
    """Backward pass of :func:`prelu_forward`.

    Parameters
    ----------
    dout : ndarray, shape of ``x``
    cache : PreluCache

    Returns
    -------
    dx : ndarray, shape of ``x``
        ``dout`` where ``x > 0``, ``alpha * dout`` elsewhere (also at ``x == 0``).
    dalpha : ndarray, shape of ``alpha`` (``()`` for a scalar)
        ``sum(dout * x)`` over the elements with ``x <= 0`` (of the channel).
    """
    x, a = cache.x, cache.alpha
    positive = x > 0
    dx = np.where(positive, dout, a * dout)
    dalpha = np.where(positive, 0, dout * x).sum(axis=cache.sum_axes)
    return dx, np.reshape(dalpha, cache.alpha_shape)


# ---------------------------------------------------------------------------
# ELU
# ---------------------------------------------------------------------------

class EluCache(NamedTuple):
    x: np.ndarray  # forward input
    alpha: float


def elu_forward(x, alpha=1.0):
    """Exponential linear unit, elementwise.

    Parameters
    ----------
    x : ndarray, any shape
    alpha : float
        Saturation value of the negative part is ``-alpha``.

    Returns
    -------
    out : ndarray, shape and dtype of ``x``
    cache : EluCache

    Notes
    -----
    .. math:: f(x) = \\begin{cases} x & x > 0 \\\\ \\alpha (e^{x} - 1) & x \\le 0 \\end{cases},
              \\qquad f'(x) = \\begin{cases} 1 & x > 0 \\\\ \\alpha e^{x} & x \\le 0 \\end{cases}

    ``expm1`` keeps full precision for small ``|x|``, and is only evaluated
    at ``min(x, 0)``, so a large positive ``x`` never reaches ``exp``. At
    ``x == 0`` the slope ``alpha`` is used, as in PyTorch.

    References
    ----------
    .. [1] D.-A. Clevert, T. Unterthiner, S. Hochreiter, "Fast and Accurate
       Deep Network Learning by Exponential Linear Units (ELUs)", ICLR 2016.
    """
    x = _as_float(x)
    alpha = float(alpha)
    # np.where evaluates both branches: clamp first so exp never overflows
    out = np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))
    return out, EluCache(x, alpha)


def elu_backward(dout, cache):
    """Backward pass of :func:`elu_forward`.

    Parameters
    ----------
    dout : ndarray, shape of ``x``
    cache : EluCache

    Returns
    -------
    dx : ndarray, shape of ``x``
        ``dout`` where ``x > 0``, ``dout * alpha * exp(x)`` elsewhere.
    """
    x, alpha = cache.x, cache.alpha
    return np.where(x > 0, dout, dout * (alpha * np.exp(np.minimum(x, 0))))


# ---------------------------------------------------------------------------
# ReLU6
# ---------------------------------------------------------------------------

class Relu6Cache(NamedTuple):
    x: np.ndarray  # forward input


def relu6_forward(x):
    """ReLU capped at 6: ``min(max(0, x), 6)``, elementwise.

    Parameters
    ----------
    x : ndarray, any shape

    Returns
    -------
    out : ndarray, shape and dtype of ``x``
        Values in [0, 6].
    cache : Relu6Cache

    Notes
    -----
    .. math:: f(x) = \\min(\\max(0, x), 6), \\qquad f'(x) = [0 < x < 6].

    At both kinks, ``x == 0`` and ``x == 6``, the gradient is 0. This is what
    PyTorch does: ``F.relu6`` is ``hardtanh(x, 0, 6)``, whose backward passes
    the gradient only strictly inside ``(min_val, max_val)``.

    References
    ----------
    .. [1] A. Krizhevsky, "Convolutional Deep Belief Networks on CIFAR-10",
       2010 (unpublished manuscript).
    """
    x = _as_float(x)
    return np.clip(x, 0, 6), Relu6Cache(x)


def relu6_backward(dout, cache):
    """Backward pass of :func:`relu6_forward`.

    Parameters
    ----------
    dout : ndarray, shape of ``x``
    cache : Relu6Cache

    Returns
    -------
    dx : ndarray, shape of ``x``
        ``dout`` where ``0 < x < 6``, else 0 (also at exactly 0 and 6).
    """
    x = cache.x
    return np.where((x > 0) & (x < 6), dout, 0)


# ---------------------------------------------------------------------------
# softplus
# ---------------------------------------------------------------------------

class SoftplusCache(NamedTuple):
    x: np.ndarray  # forward input


def softplus_forward(x):
    """Softplus ``log(1 + exp(x))``, a smooth ReLU, elementwise.

    Parameters
    ----------
    x : ndarray, any shape

    Returns
    -------
    out : ndarray, shape and dtype of ``x``
        Positive values.
    cache : SoftplusCache

    Notes
    -----
    .. math:: \\mathrm{softplus}(x) = \\log(1 + e^{x}), \\qquad
              \\mathrm{softplus}'(x) = \\sigma(x).

    Computed as ``np.logaddexp(0, x)`` = :math:`\\max(x, 0) + \\log(1 + e^{-|x|})`,
    which never overflows.

    Difference from PyTorch: ``torch.nn.functional.softplus`` (``beta=1``,
    ``threshold=20``) returns ``x`` itself when ``x > 20`` (and gradient 1).
    This function is the exact softplus everywhere; the two differ by at most
    :math:`\\log(1 + e^{-20}) \\approx 2.1 \\cdot 10^{-9}` (a relative difference
    below 1e-10, invisible in float32).
    """
    x = _as_float(x)
    return np.logaddexp(0, x), SoftplusCache(x)


def softplus_backward(dout, cache):
    """Backward pass of :func:`softplus_forward`.

    Parameters
    ----------
    dout : ndarray, shape of ``x``
    cache : SoftplusCache

    Returns
    -------
    dx : ndarray, shape of ``x``
        ``dout * sigmoid(x)``.
    """
    return dout * _sigmoid(cache.x)


# ---------------------------------------------------------------------------
# GELU
# ---------------------------------------------------------------------------

class GeluCache(NamedTuple):
    x: np.ndarray      # forward input
    approximate: str   # "none" or "tanh"


def _gelu_tanh_inner(x):
    """``u = sqrt(2/pi) * (x + 0.044715 x^3)`` and ``du/dx``."""
    x2 = x * x
    u = _SQRT_2_OVER_PI * (x + _GELU_TANH_COEF * x2 * x)
    du = _SQRT_2_OVER_PI * (1 + 3 * _GELU_TANH_COEF * x2)
    return u, du


def gelu_forward(x, approximate="none"):
    """Gaussian error linear unit ``x * Phi(x)``, elementwise.

    Parameters
    ----------
    x : ndarray, any shape
    approximate : {"none", "tanh"}
        ``"none"``: the exact form with the Gaussian CDF (via erf);
        ``"tanh"``: the tanh approximation. Same names as
        ``torch.nn.functional.gelu``.

    Returns
    -------
    out : ndarray, shape and dtype of ``x``
    cache : GeluCache

    Raises
    ------
    ValueError
        If ``approximate`` is neither ``"none"`` nor ``"tanh"``.

    Notes
    -----
    Exact:

    .. math:: \\mathrm{GELU}(x) = x\\,\\Phi(x), \\quad
              \\Phi(x) = \\tfrac12 \\operatorname{erfc}(-x/\\sqrt2), \\quad
              \\mathrm{GELU}'(x) = \\Phi(x) + x\\,\\varphi(x),
              \\quad \\varphi(x) = \\frac{e^{-x^2/2}}{\\sqrt{2\\pi}}.

    :math:`\\Phi` is computed through erfc, not as :math:`\\tfrac12(1 +
    \\operatorname{erf}(x/\\sqrt2))`, so that it keeps its relative accuracy for
    very negative ``x`` where it is tiny.

    Tanh approximation, with :math:`u = \\sqrt{2/\\pi}\\,(x + 0.044715\\,x^3)`:

    .. math:: \\mathrm{GELU}(x) \\approx \\tfrac12 x (1 + \\tanh u) = x\\,\\sigma(2u),
              \\qquad \\frac{d}{dx} = \\sigma(2u) + 2x\\,\\sigma(2u)\\sigma(-2u)\\,u'(x).

    The form :math:`x\\sigma(2u)` is used because :math:`1 + \\tanh u` cancels
    catastrophically for very negative ``u``.

    References
    ----------
    .. [1] D. Hendrycks, K. Gimpel, "Gaussian Error Linear Units (GELUs)",
       arXiv:1606.08415, 2016.
    """
    if approximate not in ("none", "tanh"):
        raise ValueError(
            f"gelu_forward: approximate must be 'none' or 'tanh', got {approximate!r}"
        )
    x = _as_float(x)
    if approximate == "none":
        cdf = 0.5 * _erfc(-_SQRT_HALF * x)
        out = x * cdf
    else:
        u, _ = _gelu_tanh_inner(x)
        out = x * _sigmoid(2 * u)
    return out, GeluCache(x, approximate)


def gelu_backward(dout, cache):
    """Backward pass of :func:`gelu_forward`.

    Parameters
    ----------
    dout : ndarray, shape of ``x``
    cache : GeluCache

    Returns
    -------
    dx : ndarray, shape of ``x``
    """
    x = cache.x
    if cache.approximate == "none":
        cdf = 0.5 * _erfc(-_SQRT_HALF * x)
        pdf = _INV_SQRT_2PI * np.exp(-0.5 * (x * x))  # underflows to 0, never overflows
        local = cdf + x * pdf
    else:
        u, du = _gelu_tanh_inner(x)
        s_pos = _sigmoid(2 * u)
        s_neg = _sigmoid(-2 * u)  # 1 - sigma(2u), without cancellation
        local = s_pos + 2 * x * s_pos * s_neg * du
    return dout * local


# ---------------------------------------------------------------------------
# Mish
# ---------------------------------------------------------------------------

class MishCache(NamedTuple):
    x: np.ndarray         # forward input
    tanh_sp: np.ndarray   # tanh(softplus(x))


def mish_forward(x):
    """Mish ``x * tanh(softplus(x))``, elementwise.

    Parameters
    ----------
    x : ndarray, any shape

    Returns
    -------
    out : ndarray, shape and dtype of ``x``
    cache : MishCache

    Notes
    -----
    .. math:: \\mathrm{Mish}(x) = x \\tanh(\\mathrm{softplus}(x)), \\qquad
              \\mathrm{Mish}'(x) = \\tanh(\\mathrm{sp}(x))
              + x\\,\\bigl(1 - \\tanh^2(\\mathrm{sp}(x))\\bigr)\\,\\sigma(x).

    Softplus by ``logaddexp`` (no overflow) and ``tanh`` saturates, so any
    finite ``x`` is safe.

    References
    ----------
    .. [1] D. Misra, "Mish: A Self Regularized Non-Monotonic Activation
       Function", BMVC 2020 (arXiv:1908.08681).
    """
    x = _as_float(x)
    tanh_sp = np.tanh(np.logaddexp(0, x))
    return x * tanh_sp, MishCache(x, tanh_sp)


def mish_backward(dout, cache):
    """Backward pass of :func:`mish_forward`.

    Parameters
    ----------
    dout : ndarray, shape of ``x``
    cache : MishCache

    Returns
    -------
    dx : ndarray, shape of ``x``
    """
    x, t = cache.x, cache.tanh_sp
    return dout * (t + x * (1 - t * t) * _sigmoid(x))


# ---------------------------------------------------------------------------
# maxout
# ---------------------------------------------------------------------------

class MaxoutCache(NamedTuple):
    x: np.ndarray    # input, (N, D)
    w: np.ndarray    # weights, (D, M, K)
    idx: np.ndarray  # winning piece per output, (N, M), integers in [0, K)


def maxout_forward(x, w, b):
    """Maxout unit: the largest of ``K`` affine pieces for each of ``M`` outputs.

    Parameters
    ----------
    x : ndarray, shape (N, D)
    w : ndarray, shape (D, M, K)
        Weights of piece ``k`` of output ``m`` are ``w[:, m, k]``.
    b : ndarray, shape (M, K)

    Returns
    -------
    out : ndarray, shape (N, M)
    cache : MaxoutCache

    Raises
    ------
    ValueError
        If the shapes do not fit together.

    Notes
    -----
    .. math:: z_{nmk} = \\sum_d x_{nd} w_{dmk} + b_{mk}, \\qquad
              \\mathrm{out}_{nm} = \\max_k z_{nmk}.

    The gradient flows only through the winning piece
    :math:`k^* = \\arg\\max_k z_{nmk}`. On ties the *first* maximal piece
    (smallest ``k``, the one ``np.argmax`` returns) receives all of it.

    References
    ----------
    .. [1] I. J. Goodfellow, D. Warde-Farley, M. Mirza, A. Courville,
       Y. Bengio, "Maxout Networks", ICML 2013.
    """
    x, w, b = _as_float(x), _as_float(w), _as_float(b)
    if x.ndim != 2 or w.ndim != 3 or b.ndim != 2 or w.shape[0] != x.shape[1] \
            or b.shape != w.shape[1:]:
        raise ValueError(
            "maxout_forward: expected x (N, D), w (D, M, K), b (M, K); got "
            f"x {x.shape}, w {w.shape}, b {b.shape}"
        )
    z = np.tensordot(x, w, axes=(1, 0)) + b           # (N, M, K)
    idx = np.argmax(z, axis=2)                        # (N, M), first maximum on ties
    out = np.take_along_axis(z, idx[..., None], axis=2)[..., 0]
    return out, MaxoutCache(x, w, idx)


def maxout_backward(dout, cache):
    """Backward pass of :func:`maxout_forward`.

    Parameters
    ----------
    dout : ndarray, shape (N, M)
    cache : MaxoutCache

    Returns
    -------
    dx : ndarray, shape (N, D)
    dw : ndarray, shape (D, M, K)
    db : ndarray, shape (M, K)
    """
    x, w, idx = cache.x, cache.w, cache.idx
    N, M = idx.shape
    K = w.shape[2]
    dz = np.zeros((N, M, K), dtype=np.result_type(dout, w))
    # route each upstream gradient to the winning piece only
    np.put_along_axis(dz, idx[..., None], np.asarray(dout)[..., None], axis=2)
    dx = np.tensordot(dz, w, axes=([1, 2], [1, 2]))   # (N, D)
    dw = np.tensordot(x, dz, axes=(0, 0))             # (D, M, K)
    db = dz.sum(axis=0)                               # (M, K)
    return dx, dw, db


# ---------------------------------------------------------------------------
# softmax and log-softmax
# ---------------------------------------------------------------------------

class SoftmaxCache(NamedTuple):
    out: np.ndarray  # the probabilities
    axis: int


def softmax_forward(x, axis=-1):
    r"""Softmax along one axis: positive values that sum to 1 along `axis`.

    Parameters
    ----------
    x : ndarray, any shape, e.g. (N, C) scores
    axis : int
        The axis of the classes.

    Returns
    -------
    out : ndarray, shape and dtype of `x`
    cache : SoftmaxCache

    Notes
    -----
    $$
    s_i = \frac{e^{x_i - m}}{\sum_j e^{x_j - m}}, \quad m = \max_j x_j .
    $$

    Subtracting the maximum changes nothing mathematically, but makes every
    exponent `<= 0`: no overflow, and the largest term is exactly 1, so the
    denominator is at least 1.
    """
    x = _as_float(x)
    shifted = x - np.max(x, axis=axis, keepdims=True)  # stability: exponents <= 0
    e = np.exp(shifted)
    out = e / np.sum(e, axis=axis, keepdims=True)
    return out, SoftmaxCache(out, axis)


def softmax_backward(dout, cache):
    """Backward pass of `softmax_forward`.

    Parameters
    ----------
    dout : ndarray, shape of `x`
    cache : SoftmaxCache

    Returns
    -------
    dx : ndarray, shape of `x`
        Gradient with respect to the scores `x`: the Jacobian of softmax
        along `cache.axis` applied to `dout` (a vector-Jacobian product,
        without ever forming the Jacobian). Deriving its short form is part
        of the exercise.
    """
    s, axis = cache.out, cache.axis
    return s * (dout - np.sum(dout * s, axis=axis, keepdims=True))


class LogSoftmaxCache(NamedTuple):
    out: np.ndarray  # log-probabilities
    axis: int


def log_softmax_forward(x, axis=-1):
    """Logarithm of the softmax along one axis, computed without forming the softmax.

    Parameters
    ----------
    x : ndarray, any shape, e.g. (N, C) scores
    axis : int

    Returns
    -------
    out : ndarray, shape and dtype of ``x``
        Values ``<= 0``; ``exp(out)`` sums to 1 along ``axis``.
    cache : LogSoftmaxCache

    Notes
    -----
    .. math:: \\log s_i = (x_i - m) - \\log \\sum_j e^{x_j - m}, \\quad m = \\max_j x_j,

    .. math:: \\frac{\\partial L}{\\partial x_i} = g_i - s_i \\sum_j g_j,
              \\qquad g = \\partial L / \\partial \\log s.

    With the maximum subtracted the sum is in ``[1, C]``, so its log is
    finite; ``log(softmax(x))`` instead would give ``log(0) = -inf`` for
    scores far below the maximum.
    """
    x = _as_float(x)
    shifted = x - np.max(x, axis=axis, keepdims=True)  # stability: exponents <= 0
    out = shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))
    return out, LogSoftmaxCache(out, axis)


def log_softmax_backward(dout, cache):
    """Backward pass of :func:`log_softmax_forward`.

    Parameters
    ----------
    dout : ndarray, shape of ``x``
    cache : LogSoftmaxCache

    Returns
    -------
    dx : ndarray, shape of ``x``
        ``dout - softmax(x) * sum(dout, axis)``.
    """
    out, axis = cache.out, cache.axis
    return dout - np.exp(out) * np.sum(dout, axis=axis, keepdims=True)
