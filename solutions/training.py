r"""Training a network: SGD, momentum, RMSprop and Adam, learning-rate schedules, a multilayer net, monitoring, search.

Parameters of a network live in a ``dict`` from names to arrays. For a net
with ``L`` affine layers (``layer_sizes = [D, H1, ..., C]`` has ``L + 1``
entries) the keys are

* ``"W1", "b1", ..., "WL", "bL"``: layer ``l`` computes ``h @ W{l} + b{l}``,
  ``W{l}`` of shape ``(layer_sizes[l-1], layer_sizes[l])``;
* ``"gamma1", "beta1", ..., "gamma{L-1}", "beta{L-1}"`` with batch norm: one
  pair per *hidden* layer (never after the last affine layer).

Gradients come in a dict with the same keys. Nothing passed in is ever
mutated: an update step returns a new dict (the arrays of parameters it did
not change may be shared with the old one).

The network is a stack of blocks ``affine → [batch norm] → activation``
followed by a final affine layer and the softmax cross-entropy loss.
:func:`mlp_forward_backward` composes the layers of the other chapters
(:mod:`solutions.layers`, :mod:`solutions.activations`,
:mod:`solutions.normalization`, :mod:`solutions.losses`);
:func:`mlp_loss` is the same network without batch norm written out in plain
NumPy (it is an exercise), and the tests check that the two agree.

Batch norm's running statistics are state: a ``dict`` from the hidden layer
index ``l`` (1 to ``L - 1``) to a :class:`~solutions.normalization.RunningStats`,
passed in and returned, never modified (``None`` without batch norm).
"""
import itertools
import math
from typing import NamedTuple

import numpy as np

from coursekit.spiral import make_spiral  # a data set, public: it lives with the course's helpers
from solutions.activations import (
    relu_backward,
    relu_forward,
    sigmoid_backward,
    sigmoid_forward,
    tanh_backward,
    tanh_forward,
)
from solutions.initialization import kaiming_normal, small_random_normal, xavier_normal
from solutions.layers import affine_backward, affine_forward
from solutions.losses import cross_entropy
from solutions.normalization import batchnorm_backward, batchnorm_forward, init_running_stats

__all__ = [
    "sgd_step",
    "sgd_momentum_step",
    "rmsprop_step",
    "AdamState",
    "adam_step",
    "scheduled_lr",
    "init_mlp",
    "mlp_loss",
    "LayerActivity",
    "mlp_forward_backward",
    "predict",
    "accuracy",
    "update_ratio",
    "TrainResult",
    "train",
    "sample_log_uniform",
    "sample_config",
    "Trial",
    "random_search",
    "grid_search",
    "make_spiral",
]

ACTIVATIONS = ("relu", "tanh", "sigmoid")
"""Names accepted by the ``activation`` argument of the networks here."""

# Layer pairs of the activations chapter, for the composed network.
_ACTIVATION_LAYERS = {
    "relu": (relu_forward, relu_backward),
    "tanh": (tanh_forward, tanh_backward),
    "sigmoid": (sigmoid_forward, sigmoid_backward),
}


# --------------------------------------------------------------------------
# update rules
# --------------------------------------------------------------------------


def _same_keys(params, other, what):
    """Raise unless the dicts ``params`` and ``other`` have the same keys."""
    if set(params) != set(other):
        raise ValueError(
            f"{what} must have the same keys as params; "
            f"missing {sorted(set(params) - set(other))}, extra {sorted(set(other) - set(params))}"
        )


def sgd_step(params, grads, lr):
    r"""One step of (mini-batch) stochastic gradient descent.

    Parameters
    ----------
    params : dict of str to ndarray
        Current parameters, e.g. `{"W1": ..., "b1": ...}`. Not modified.
    grads : dict of str to ndarray
        Gradient of the loss for every key of `params`, each of the shape
        of its parameter.
    lr : float
        Learning rate (step size).

    Returns
    -------
    new_params : dict of str to ndarray
        A **new** dict with `params[k] - lr * grads[k]` for every key, in
        the order of `params`; the arrays of `params` are left unchanged.

    Raises
    ------
    ValueError
        If `params` and `grads` do not have the same keys.

    Notes
    -----
    $$
    \theta \leftarrow \theta - \eta\, \nabla_\theta L
    $$

    with $\nabla_\theta L$ the gradient on the current mini-batch: an
    unbiased but noisy estimate of the gradient of the training loss.
    """
    _same_keys(params, grads, "grads")
    return {name: params[name] - lr * grads[name] for name in params}


def sgd_momentum_step(params, grads, velocity, lr, momentum=0.9):
    r"""One step of SGD with (heavy-ball) momentum.

    Parameters
    ----------
    params : dict of str to ndarray
        Current parameters. Not modified.
    grads : dict of str to ndarray
        Gradients, same keys and shapes as ``params``.
    velocity : dict of str to ndarray or None
        Velocity of every parameter from the previous step; ``None`` at the
        first step (zero velocity). Not modified.
    lr : float
        Learning rate.
    momentum : float, optional
        Fraction of the velocity kept from one step to the next (default 0.9).

    Returns
    -------
    new_params : dict of str to ndarray
    new_velocity : dict of str to ndarray
        Pass it back in at the next step.

    Raises
    ------
    ValueError
        If the dicts do not have the same keys.

    Notes
    -----
    CS231n's form (the velocity includes the learning rate):

    .. math::

        v \leftarrow \mu v - \eta \nabla_\theta L, \qquad \theta \leftarrow \theta + v .

    With a constant gradient the velocity tends to
    :math:`-\eta \nabla L / (1 - \mu)`: momentum 0.9 takes steps up to ten
    times larger along directions where the gradient keeps its sign, and
    averages out directions where it oscillates. ``momentum=0`` is plain
    :func:`sgd_step`. PyTorch's ``SGD(momentum=mu)`` keeps
    :math:`b \leftarrow \mu b + \nabla L`, :math:`\theta \leftarrow \theta - \eta b`,
    which is the same sequence of parameters for a constant learning rate.

    References
    ----------
    .. [1] B. T. Polyak, "Some methods of speeding up the convergence of
       iteration methods", USSR Computational Mathematics and Mathematical
       Physics 4(5), 1964.
    .. [2] I. Sutskever, J. Martens, G. Dahl and G. Hinton, "On the importance
       of initialization and momentum in deep learning", ICML 2013.
    """
    _same_keys(params, grads, "grads")
    if velocity is None:
        velocity = {name: np.zeros_like(p) for name, p in params.items()}
    _same_keys(params, velocity, "velocity")
    new_velocity = {name: momentum * velocity[name] - lr * grads[name] for name in params}
    new_params = {name: params[name] + new_velocity[name] for name in params}
    return new_params, new_velocity


def rmsprop_step(params, grads, state, lr, alpha=0.99, eps=1e-8):
    r"""One step of RMSprop: SGD with each entry's step divided by its recent gradient size.

    Parameters
    ----------
    params : dict of str to ndarray
        Current parameters. Not modified.
    grads : dict of str to ndarray
        Gradients, same keys and shapes as ``params``.
    state : dict of str to ndarray or None
        Running average of the squared gradients of every parameter from the
        previous step; ``None`` at the first step (zeros). Not modified.
    lr : float
        Learning rate.
    alpha : float, optional
        Fraction of the running average kept from one step to the next
        (default 0.99, PyTorch's).
    eps : float, optional
        Added to the square root in the denominator (default 1e-8).

    Returns
    -------
    new_params : dict of str to ndarray
    new_state : dict of str to ndarray
        The new running averages; pass them back in at the next step.

    Raises
    ------
    ValueError
        If the dicts do not have the same keys.

    Notes
    -----
    The rule of ``torch.optim.RMSprop`` (no momentum, not centred):

    .. math::

        v \leftarrow \alpha v + (1 - \alpha)\, g \odot g, \qquad
        \theta \leftarrow \theta - \eta\, \frac{g}{\sqrt v + \epsilon} .

    Every entry gets its own step size: entries whose gradients are large
    take smaller steps, entries with small gradients larger ones.

    References
    ----------
    .. [1] T. Tieleman and G. Hinton, "Lecture 6.5 - RMSprop", Coursera:
       Neural Networks for Machine Learning, 2012.
    """
    _same_keys(params, grads, "grads")
    if state is None:
        state = {name: np.zeros_like(p) for name, p in params.items()}
    _same_keys(params, state, "state")
    new_state = {name: alpha * state[name] + (1 - alpha) * grads[name] * grads[name] for name in params}
    new_params = {name: params[name] - lr * grads[name] / (np.sqrt(new_state[name]) + eps) for name in params}
    return new_params, new_state


class AdamState(NamedTuple):
    """What Adam keeps from one step to the next (see `adam_step`)."""

    t: int
    """Number of steps taken so far (0 before the first one)."""
    m: dict
    """Running average of the gradients (first moment), one array per parameter."""
    v: dict
    """Running average of the squared gradients (second moment), one array per parameter."""


def adam_step(params, grads, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    r"""One step of Adam, with the semantics of `torch.optim.Adam` (no weight decay).

    Parameters
    ----------
    params : dict of str to ndarray
        Current parameters. Not modified.
    grads : dict of str to ndarray
        Gradients, same keys and shapes as `params`.
    state : AdamState or None
        The step count and the two running averages from the previous step;
        `None` at the first step (count 0, averages zero). Not modified.
    lr : float
        Learning rate (PyTorch's default is 1e-3).
    beta1 : float, optional
        Decay of the running average of the gradients (default 0.9).
    beta2 : float, optional
        Decay of the running average of the squared gradients (default 0.999).
    eps : float, optional
        Added to the square root in the denominator (default 1e-8).

    Returns
    -------
    new_params : dict of str to ndarray
        In the order of `params`; the arrays of `params` are left unchanged.
    new_state : AdamState
        Step count `state.t + 1` and the new averages (dicts in the order of
        `params`); pass it back in at the next step.

    Raises
    ------
    ValueError
        If the dicts do not have the same keys.

    Notes
    -----
    With $t$ the number of this step (1 for the first):

    $$
    m \leftarrow \beta_1 m + (1 - \beta_1)\, g, \qquad
    v \leftarrow \beta_2 v + (1 - \beta_2)\, g \odot g,
    $$

    $$
    \hat m = \frac{m}{1 - \beta_1^t}, \qquad \hat v = \frac{v}{1 - \beta_2^t}, \qquad
    \theta \leftarrow \theta - \eta\, \frac{\hat m}{\sqrt{\hat v} + \epsilon} .
    $$

    The averages start at zero, so in the first steps they are too small;
    dividing by $1 - \beta^t$ (the *bias correction*) makes them
    unbiased. At the first step $\hat m = g$ and $\hat v = g^2$,
    so every entry moves by about $\eta$, whatever the size of its
    gradient. Results are in the dtype of the parameters (float32 stays
    float32).

    References
    ----------
    [1] D. P. Kingma and J. Ba, "Adam: A method for stochastic
       optimization", ICLR 2015.
    """
    _same_keys(params, grads, "grads")
    if state is None:
        zeros = {name: np.zeros_like(p) for name, p in params.items()}
        state = AdamState(t=0, m=zeros, v=dict(zeros))
    _same_keys(params, state.m, "state.m")
    _same_keys(params, state.v, "state.v")
    t = int(state.t) + 1
    m = {name: beta1 * state.m[name] + (1 - beta1) * grads[name] for name in params}
    v = {name: beta2 * state.v[name] + (1 - beta2) * grads[name] * grads[name] for name in params}
    correction1 = 1 - beta1 ** t
    correction2 = 1 - beta2 ** t
    new_params = {name: params[name] - lr * (m[name] / correction1) / (np.sqrt(v[name] / correction2) + eps)
                  for name in params}
    return new_params, AdamState(t=t, m=m, v=v)


def scheduled_lr(step, base_lr, schedule="constant", total_steps=None, warmup_steps=0,
                 drop_every=None, drop_factor=0.1, min_lr=0.0):
    r"""The learning rate of one step under a learning-rate schedule.

    Parameters
    ----------
    step : int
        Number of the step, from 0.
    base_lr : float
        The learning rate the schedule starts from (after any warm-up).
    schedule : {"constant", "step", "cosine"}, optional
        ``"constant"``: ``base_lr``. ``"step"``: multiplied by ``drop_factor``
        every ``drop_every`` steps. ``"cosine"``: from ``base_lr`` down to
        ``min_lr`` along half a cosine over ``total_steps``.
    total_steps : int, optional
        Length of training in steps (needed for ``"cosine"``).
    warmup_steps : int, optional
        Number of warm-up steps (default 0): during them the rate grows
        linearly, ``base_lr * (step + 1) / warmup_steps``, and the schedule
        runs over the remaining steps.
    drop_every : int, optional
        Steps between two drops (needed for ``"step"``).
    drop_factor : float, optional
        Factor of each drop of the step schedule (default 0.1).
    min_lr : float, optional
        Final learning rate of the cosine schedule (default 0).

    Returns
    -------
    float

    Raises
    ------
    ValueError
        On an unknown schedule or a missing ``total_steps``/``drop_every``.

    Notes
    -----
    With :math:`s` the number of steps since the warm-up ended and :math:`S`
    the number of steps after it, the cosine schedule is
    :math:`\eta_s = \eta_{\min} + \tfrac12 (\eta_0 - \eta_{\min})(1 + \cos(\pi s / S))`
    (Loshchilov and Hutter's SGDR without restarts); the step schedule is
    :math:`\eta_s = \eta_0\, \gamma^{\lfloor s / k \rfloor}`.
    """
    if step < warmup_steps:
        return float(base_lr * (step + 1) / warmup_steps)
    s = step - warmup_steps
    if schedule == "constant":
        return float(base_lr)
    if schedule == "step":
        if not drop_every:
            raise ValueError("the step schedule needs drop_every")
        return float(base_lr * drop_factor ** (s // drop_every))
    if schedule == "cosine":
        if not total_steps:
            raise ValueError("the cosine schedule needs total_steps")
        span = max(total_steps - warmup_steps, 1)
        progress = min(s / span, 1.0)
        return float(min_lr + 0.5 * (base_lr - min_lr) * (1 + math.cos(math.pi * progress)))
    raise ValueError(f"schedule must be 'constant', 'step' or 'cosine'; got {schedule!r}")


# --------------------------------------------------------------------------
# the network
# --------------------------------------------------------------------------


def init_mlp(layer_sizes, rng, init="kaiming", scale=0.01, batchnorm=False):
    r"""Initial parameters of a fully connected network.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``[D, H1, ..., C]``: input size, hidden widths, number of classes;
        at least two entries (``[D, C]`` is softmax regression).
    rng : numpy.random.Generator
        Source of the random weights (drawn layer by layer, ``W1`` first).
    init : {"kaiming", "xavier", "small"}, optional
        ``"kaiming"`` (default): :func:`~solutions.initialization.kaiming_normal`,
        standard deviation :math:`\sqrt{2 / \text{fan\_in}}` (for ReLU);
        ``"xavier"``: :func:`~solutions.initialization.xavier_normal`,
        :math:`\sqrt{2 / (\text{fan\_in} + \text{fan\_out})}`;
        ``"small"``: :func:`~solutions.initialization.small_random_normal`,
        ``scale`` whatever the layer size.
    scale : float, optional
        Standard deviation for ``init="small"`` (default 0.01); ignored otherwise.
    batchnorm : bool, optional
        Also create ``gamma{l}`` (ones) and ``beta{l}`` (zeros) for every
        hidden layer ``l = 1 .. L-1``.

    Returns
    -------
    params : dict of str to ndarray (float64)
        ``W{l}`` of shape ``(layer_sizes[l-1], layer_sizes[l])``, ``b{l}``
        zeros of shape ``(layer_sizes[l],)``, and with batch norm
        ``gamma{l}``, ``beta{l}`` of shape ``(layer_sizes[l],)``; in the
        order ``W1, b1, [gamma1, beta1,] W2, ...``.

    Raises
    ------
    ValueError
        For fewer than two sizes, a size below 1, or an unknown ``init``.

    Notes
    -----
    All layers, the last one included, use the same rule. Biases start at 0
    (the random weights already break the symmetry between units), and batch
    norm starts as the identity after normalisation (:math:`\gamma = 1`,
    :math:`\beta = 0`).
    """
    sizes = [int(s) for s in layer_sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"layer_sizes must hold at least two positive sizes [D, ..., C]; got {layer_sizes!r}")
    initializers = {
        "kaiming": lambda shape: kaiming_normal(shape, rng, nonlinearity="relu"),
        "xavier": lambda shape: xavier_normal(shape, rng),
        "small": lambda shape: small_random_normal(shape, rng, scale=scale),
    }
    if init not in initializers:
        raise ValueError(f"init must be one of {sorted(initializers)}; got {init!r}")
    L = len(sizes) - 1
    params = {}
    for l in range(1, L + 1):
        fan_in, fan_out = sizes[l - 1], sizes[l]
        params[f"W{l}"] = initializers[init]((fan_in, fan_out))
        params[f"b{l}"] = np.zeros(fan_out)
        if batchnorm and l < L:
            params[f"gamma{l}"] = np.ones(fan_out)
            params[f"beta{l}"] = np.zeros(fan_out)
    return params


def _n_layers(params, batchnorm=False):
    """Number L of affine layers in ``params``, after checking that its keys are exactly the expected ones."""
    L = sum(1 for name in params if name.startswith("W"))
    expected = {f"{kind}{l}" for l in range(1, L + 1) for kind in ("W", "b")}
    if batchnorm:
        expected |= {f"{kind}{l}" for l in range(1, L) for kind in ("gamma", "beta")}
    if L == 0 or set(params) != expected:
        raise ValueError(
            f"params must hold exactly the keys {sorted(expected) or ['W1', 'b1', '...']}"
            f"{' (with batch norm)' if batchnorm else ''}; got {sorted(params)}"
        )
    return L


FLAT = 0.05
"""A unit is on a flat part of its activation when the derivative is below this fraction of its maximum."""


def _flat(z, h, activation):
    """Boolean array: where the derivative of ``activation`` at ``z`` (output ``h``) is below ``FLAT`` of its
    maximum."""
    if activation == "relu":
        return z <= 0
    if activation == "tanh":
        return 1 - h * h < FLAT               # tanh' = 1 - h^2, at most 1
    return h * (1 - h) < FLAT * 0.25            # sigmoid' = h (1 - h), at most 1/4


def _activate(a, activation):
    """Apply the activation named ``activation`` to the pre-activations ``a``."""
    if activation == "relu":
        return np.maximum(a, 0)
    if activation == "tanh":
        return np.tanh(a)
    if activation == "sigmoid":
        # sigmoid(a) = (1 + tanh(a / 2)) / 2: no exp, so no overflow for large |a|.
        return 0.5 * (1 + np.tanh(0.5 * a))
    raise ValueError(f"activation must be 'relu', 'tanh' or 'sigmoid'; got {activation!r}")


def _activate_backward(dh, a, h, activation):
    """Gradient with respect to the pre-activations ``a``, given ``dh = dL/dh`` and ``h = f(a)``."""
    if activation == "relu":
        return np.where(a > 0, dh, 0)  # subgradient 0 at a == 0
    if activation == "tanh":
        return dh * (1 - h * h)
    return dh * h * (1 - h)  # sigmoid


def mlp_loss(params, x, y=None, activation="relu", reg=0.0):
    r"""Softmax-classifier MLP: loss and gradients of every parameter (no batch norm).

    The network has L affine layers. Each hidden layer `l = 1 .. L-1`
    computes `a = h @ W{l} + b{l}` then `h = f(a)` (with `h = x` for the
    first layer); the last one gives the class scores
    `scores = h @ W{L} + b{L}`, followed by the softmax cross-entropy.

    Parameters
    ----------
    params : dict of str to ndarray
        Exactly the keys `"W1", "b1", ..., "WL", "bL"` (L >= 1), with
        `W{l}` of shape `(D_{l-1}, D_l)` and `b{l}` of shape `(D_l,)`;
        `D_0 = D` and `D_L = C`. Not modified.
    x : ndarray, shape (N, D)
        Minibatch of inputs. Not modified.
    y : ndarray of int, shape (N,), or None
        Correct class of each sample, in `[0, C)`. `None`: prediction
        mode, return the scores only.
    activation : {"relu", "tanh", "sigmoid"}, optional
        Nonlinearity `f` of the hidden layers (default `"relu"`; ReLU's
        derivative at exactly 0 is taken as 0).
    reg : float, optional
        L2 regularization strength (default 0): the loss gets
        `0.5 * reg * sum_l sum(W{l} ** 2)` added (weights only, not biases).

    Returns
    -------
    scores : ndarray, shape (N, C)
        When `y` is None.
    loss : float
        When `y` is given: mean cross-entropy over the N samples, plus the
        regularization term.
    grads : dict of str to ndarray
        When `y` is given: the gradient of `loss` with respect to every
        parameter, same keys (in the same order) and shapes as `params`.

    Raises
    ------
    ValueError
        If `params` has other keys (this network has no batch norm, so no
        `gamma`/`beta`), `y` has the wrong shape, or the activation is
        unknown.

    Notes
    -----
    Forward, with $h_0 = x$: $a_l = h_{l-1} W_l + b_l$,
    $h_l = f(a_l)$ for $l < L$, scores $s = h_{L-1} W_L + b_L$,

    $$
    \text{loss} = -\frac1N \sum_n \log \operatorname{softmax}(s_n)_{y_n}
    + \frac{\lambda}{2} \sum_l \lVert W_l \rVert_F^2 .
    $$

    Backward, from $\partial \text{loss} / \partial s_{nc} =
    (\operatorname{softmax}(s_n)_c - [c = y_n]) / N$, one affine and one
    activation backward pass per layer; the regularization adds
    $\lambda W_l$ to the gradient of each $W_l$. The log-softmax
    subtracts each row's maximum first, so large scores do not overflow.
    Results are in the floating dtype of `x` and the parameters (float32
    stays float32).
    """
    L = _n_layers(params)
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)

    # Forward: keep what the backward pass needs from every hidden layer.
    inputs, pre, post = [], [], []
    h = x
    for l in range(1, L):
        a = h @ params[f"W{l}"] + params[f"b{l}"]
        inputs.append(h)
        pre.append(a)
        h = _activate(a, activation)
        post.append(h)
    inputs.append(h)
    scores = h @ params[f"W{L}"] + params[f"b{L}"]
    if y is None:
        return scores

    y = np.asarray(y)
    N = scores.shape[0]
    if y.shape != (N,):
        raise ValueError(f"y must have shape (N,) = ({N},); got {y.shape}")
    rows = np.arange(N)
    # Stable log-softmax: subtract each row's maximum before exponentiating.
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    loss = -np.mean(log_probs[rows, y])
    if reg:
        loss = loss + 0.5 * reg * sum(np.sum(params[f"W{l}"] ** 2) for l in range(1, L + 1))

    # Backward: d loss / d scores, then layer by layer down to W1.
    dout = np.exp(log_probs)
    dout[rows, y] -= 1
    dout /= N
    grads = {}
    for l in range(L, 0, -1):
        w = params[f"W{l}"]
        grads[f"W{l}"] = inputs[l - 1].T @ dout + reg * w
        grads[f"b{l}"] = dout.sum(axis=0)
        if l > 1:
            dout = _activate_backward(dout @ w.T, pre[l - 2], post[l - 2], activation)
    return float(loss), {name: grads[name] for name in params}


class LayerActivity(NamedTuple):
    """Statistics of the hidden layers during one forward/backward pass, one entry per hidden layer."""

    act_mean: np.ndarray
    """Mean of the activations ``h_l = f(...)``, shape (L-1,)."""
    act_std: np.ndarray
    """Standard deviation (ddof=0) of the activations ``h_l``, shape (L-1,)."""
    grad_std: np.ndarray
    """Standard deviation of ``dL/dz_l``, the gradient at the affine output ``z_l`` (before batch norm),
    shape (L-1,)."""
    saturated_frac: np.ndarray
    """Fraction of the activations of each layer that sit on a flat part of the nonlinearity, shape (L-1,).

    An entry counts when the derivative of the activation there is below
    :data:`FLAT` (5 %) of its largest value: ``|tanh| > 0.975``, a sigmoid
    below 0.0127 or above 0.987, or a ReLU input ``<= 0`` (an inactive unit)."""
    dead_frac: np.ndarray
    """Fraction of the units of each layer that are flat for *every* sample of the batch, shape (L-1,).

    Such a unit passes no gradient at all for this batch: a dead ReLU, or a
    tanh/sigmoid unit saturated on every sample."""


def mlp_forward_backward(params, x, y=None, activation="relu", batchnorm=False, reg=0.0,
                         running=None, training=True, return_activity=False):
    r"""Loss and gradients of an MLP built from the course's layers, with optional batch norm.

    The hidden blocks are ``affine → [batch norm] → activation``, then a final
    affine layer and the softmax cross-entropy. Without batch norm this is
    the network of :func:`mlp_loss` (same loss, same gradients), composed of
    :func:`~solutions.layers.affine_forward`, the activation layers,
    :func:`~solutions.normalization.batchnorm_forward` and
    :func:`~solutions.losses.cross_entropy`.

    Parameters
    ----------
    params : dict of str to ndarray
        ``W1, b1, ..., WL, bL`` and, with ``batchnorm``, ``gamma{l}`` and
        ``beta{l}`` for ``l = 1 .. L-1`` (see :func:`init_mlp`). Not modified.
    x : ndarray, shape (N, D)
    y : ndarray of int, shape (N,), or None
        Labels; ``None`` for prediction mode (scores only).
    activation : {"relu", "tanh", "sigmoid"}, optional
    batchnorm : bool, optional
        Insert batch norm between each hidden affine layer and its activation.
    reg : float, optional
        L2 strength: ``0.5 * reg * sum(W{l} ** 2)`` is added to the loss
        (weights only; not biases, not ``gamma``/``beta``).
    running : dict of int to RunningStats, optional
        Batch norm's running statistics per hidden layer ``l``; ``None``
        starts from :func:`~solutions.normalization.init_running_stats`.
        Not modified. Ignored without batch norm.
    training : bool, optional
        Batch norm in training mode (batch statistics, running ones updated;
        default) or evaluation mode (running statistics, unchanged).
    return_activity : bool, optional
        Also return the :class:`LayerActivity` of the hidden layers.

    Returns
    -------
    scores : ndarray, shape (N, C)
        When ``y`` is None (nothing else is returned; use
        ``training=False`` to predict with batch norm).
    loss : float
        Mean cross-entropy plus the regularization term.
    grads : dict of str to ndarray
        Same keys, order and shapes as ``params``.
    new_running : dict of int to RunningStats, or None
        Updated running statistics (training), ``running`` (evaluation), or
        None without batch norm.
    activity : LayerActivity
        Only with ``return_activity=True``.

    Raises
    ------
    ValueError
        If the keys of ``params`` do not match ``batchnorm``, or on an
        unknown activation.
    """
    L = _n_layers(params, batchnorm)
    if activation not in _ACTIVATION_LAYERS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}; got {activation!r}")
    act_forward, act_backward = _ACTIVATION_LAYERS[activation]
    if batchnorm and running is None:
        running = {l: init_running_stats(params[f"b{l}"].shape[0]) for l in range(1, L)}
    new_running = {} if batchnorm else None

    h = x
    caches, outputs, flat = [], [], []
    for l in range(1, L):
        z, affine_cache = affine_forward(h, params[f"W{l}"], params[f"b{l}"])
        bn_cache = None
        if batchnorm:
            z, bn_cache, new_running[l] = batchnorm_forward(
                z, params[f"gamma{l}"], params[f"beta{l}"], running[l], training=training)
        h, act_cache = act_forward(z)
        caches.append((affine_cache, bn_cache, act_cache))
        outputs.append(h)
        if return_activity:
            flat.append(_flat(z, h, activation))
    scores, last_cache = affine_forward(h, params[f"W{L}"], params[f"b{L}"])
    if y is None:
        return scores

    loss, dscores = cross_entropy(scores, y)
    if reg:
        loss += 0.5 * reg * sum(float(np.sum(params[f"W{l}"] ** 2)) for l in range(1, L + 1))
    grads = {}
    dh, grads[f"W{L}"], grads[f"b{L}"] = affine_backward(dscores, last_cache)
    grad_std = np.zeros(L - 1)
    for l in range(L - 1, 0, -1):
        affine_cache, bn_cache, act_cache = caches[l - 1]
        dz = act_backward(dh, act_cache)
        if batchnorm:
            dz, grads[f"gamma{l}"], grads[f"beta{l}"] = batchnorm_backward(dz, bn_cache)
        grad_std[l - 1] = np.std(dz)
        dh, grads[f"W{l}"], grads[f"b{l}"] = affine_backward(dz, affine_cache)
    if reg:
        for l in range(1, L + 1):
            grads[f"W{l}"] = grads[f"W{l}"] + reg * params[f"W{l}"]
    grads = {name: grads[name] for name in params}
    if not return_activity:
        return loss, grads, new_running
    activity = LayerActivity(
        act_mean=np.array([np.mean(h) for h in outputs]),
        act_std=np.array([np.std(h) for h in outputs]),
        grad_std=grad_std,
        saturated_frac=np.array([np.mean(f) for f in flat]),
        dead_frac=np.array([np.mean(np.all(f, axis=0)) for f in flat]),
    )
    return loss, grads, new_running, activity


def predict(params, x, activation="relu", batchnorm=False, running=None):
    """Predicted class of every sample (batch norm in evaluation mode).

    Parameters
    ----------
    params : dict of str to ndarray
    x : ndarray, shape (N, D)
    activation : {"relu", "tanh", "sigmoid"}, optional
    batchnorm : bool, optional
    running : dict of int to RunningStats, optional
        Running statistics from training (needed with batch norm).

    Returns
    -------
    ndarray of int64, shape (N,)
        ``argmax`` of the scores.
    """
    scores = mlp_forward_backward(params, x, None, activation=activation, batchnorm=batchnorm,
                                  running=running, training=False)
    return np.argmax(scores, axis=1)


def accuracy(params, x, y, activation="relu", batchnorm=False, running=None):
    """Fraction of samples whose predicted class (see :func:`predict`) is ``y``.

    Returns
    -------
    float
        In [0, 1].
    """
    return float(np.mean(predict(params, x, activation, batchnorm, running) == np.asarray(y)))


# --------------------------------------------------------------------------
# monitoring
# --------------------------------------------------------------------------


def update_ratio(params, new_params):
    r"""Relative size of an update, per parameter: `||new - old|| / ||old||`.

    Parameters
    ----------
    params : dict of str to ndarray
        Parameters before the update. Not modified.
    new_params : dict of str to ndarray
        Parameters after it, same keys and shapes. Not modified.

    Returns
    -------
    dict of str to float
        For every key of `params` (in its order), the Frobenius (L2) norm of
        the change divided by the norm of the **old** parameter — a plain
        division, so a parameter of norm 0 (a bias at initialization) gives
        `inf` if it moved and `nan` if it did not.

    Raises
    ------
    ValueError
        If the dicts do not have the same keys.

    Notes
    -----
    $$
    r_\theta = \frac{\lVert \theta_{t+1} - \theta_t \rVert}{\lVert \theta_t \rVert}
    $$

    A rule of thumb (Karpathy, CS231n): for the weight matrices it should be
    around $10^{-3}$. Much smaller (1e-5) and the learning rate is
    probably too low; much larger (1e-1) and it is probably too high.
    """
    _same_keys(params, new_params, "new_params")
    ratios = {}
    with np.errstate(divide="ignore", invalid="ignore"):  # norm 0: inf or nan, as documented
        for name in params:
            old = np.asarray(params[name])
            change = np.sqrt(np.sum((np.asarray(new_params[name]) - old) ** 2))
            ratios[name] = float(np.float64(change) / np.float64(np.sqrt(np.sum(old ** 2))))
    return ratios


# --------------------------------------------------------------------------
# the training loop
# --------------------------------------------------------------------------


class TrainResult(NamedTuple):
    """What :func:`train` returns: the trained parameters and the history of training."""

    params: dict
    """Parameters after the last step."""
    running: dict | None
    """Batch norm's running statistics after the last step (None without batch norm)."""
    loss_history: np.ndarray
    """Mini-batch loss (with regularization) of every iteration, shape (iterations,)."""
    lr_history: np.ndarray
    """Learning rate used at every iteration, shape (iterations,)."""
    train_acc: np.ndarray
    """Accuracy on the whole training set after each epoch (evaluation mode), shape (epochs,)."""
    val_acc: np.ndarray
    """Accuracy on the validation set after each epoch, shape (epochs,)."""
    val_loss: np.ndarray
    """Cross-entropy (without regularization) on the validation set after each epoch, shape (epochs,)."""
    record_iters: np.ndarray
    """Iterations (0-based) at which the monitoring statistics below were recorded, shape (R,)."""
    update_ratios: dict
    """For each weight matrix ``W{l}``: :func:`update_ratio` of the step taken at each recorded iteration,
    shape (R,)."""
    act_std: np.ndarray
    """Standard deviation of each hidden layer's activations at each recorded iteration, shape (R, L-1)."""
    grad_std: np.ndarray
    """Standard deviation of each hidden layer's ``dL/dz`` (see :class:`LayerActivity`), shape (R, L-1)."""
    saturated_frac: np.ndarray
    """:attr:`LayerActivity.saturated_frac` of each hidden layer at each recorded iteration, shape (R, L-1)."""
    dead_frac: np.ndarray
    """:attr:`LayerActivity.dead_frac` of each hidden layer at each recorded iteration, shape (R, L-1)."""
    diverged: bool
    """True when the loss became inf or NaN; training stopped there and later entries are NaN."""


OPTIMIZERS = ("sgd", "rmsprop", "adam")
"""Names accepted by the ``optimizer`` argument of :func:`train`."""


def train(params, x_train, y_train, x_val, y_val, lr, epochs, batch_size, rng,
          activation="relu", batchnorm=False, reg=0.0, momentum=0.0, lr_decay=1.0, record_every=10,
          optimizer="sgd", probe=None):
    r"""Train an MLP with a mini-batch optimizer and record what happens.

    Parameters
    ----------
    params : dict of str to ndarray
        Initial parameters (e.g. from :func:`init_mlp`). Not modified.
    x_train : ndarray, shape (N_train, D)
    y_train : ndarray of int, shape (N_train,)
    x_val : ndarray, shape (M, D)
    y_val : ndarray of int, shape (M,)
    lr : float or callable
        Learning rate; or a function of the iteration number (from 0)
        returning the learning rate of that iteration, such as a schedule
        built on :func:`scheduled_lr`.
    epochs : int
        Number of passes over the training set.
    batch_size : int
        Samples per mini-batch. Each epoch visits a fresh random permutation
        of the training set in ``max(N_train // batch_size, 1)`` batches; the
        last ``N_train % batch_size`` samples of the permutation are left out
        of that epoch (so every batch has the same size, which batch norm likes).
    rng : numpy.random.Generator
        Draws the permutations.
    activation : {"relu", "tanh", "sigmoid"}, optional
    batchnorm : bool, optional
        ``params`` must then have the ``gamma``/``beta`` keys.
    reg : float, optional
        L2 regularization strength (see :func:`mlp_forward_backward`).
    momentum : float, optional
        Momentum of the ``"sgd"`` optimizer: 0 (default) is :func:`sgd_step`,
        anything else :func:`sgd_momentum_step`. Ignored by the others.
    lr_decay : float, optional
        A float ``lr`` is multiplied by this after every epoch (default 1);
        ignored when ``lr`` is callable.
    record_every : int, optional
        Record update ratios and the layer statistics every this many
        iterations (and at iteration 0).
    optimizer : {"sgd", "rmsprop", "adam"}, optional
        The update rule: :func:`sgd_step` / :func:`sgd_momentum_step`,
        :func:`rmsprop_step` or :func:`adam_step` (with their default
        decay rates).
    probe : tuple of ndarray, optional
        ``(x, y)``: measure the layer statistics (standard deviations,
        saturated and dead fractions) on this fixed set of samples, with the
        current parameters, instead of on the current mini-batch. A fixed
        set makes "dead" mean dead on those samples, not on one batch.

    Returns
    -------
    TrainResult
        Final parameters and running statistics, the loss and learning rate
        of every iteration, train/validation accuracy and validation loss per
        epoch, and the monitoring history.

    Notes
    -----
    Accuracies and the validation loss are measured after each epoch with
    batch norm in evaluation mode (running statistics). If the mini-batch
    loss becomes inf or NaN (learning rate far too high) training stops,
    ``diverged`` is True and the remaining history is NaN; floating-point
    warnings on the way there are silenced.
    """
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {OPTIMIZERS}; got {optimizer!r}")
    x_train = np.asarray(x_train)
    y_train = np.asarray(y_train)
    N = x_train.shape[0]
    batch = min(int(batch_size), N)
    per_epoch = max(N // batch, 1)
    weights = [name for name in params if name.startswith("W")]
    L = len(weights)

    loss_history = np.full(epochs * per_epoch, np.nan)
    lr_history = np.full(epochs * per_epoch, np.nan)
    train_acc, val_acc, val_loss = (np.full(epochs, np.nan) for _ in range(3))
    record_iters, ratio_rows = [], []
    layer_rows = {"act_std": [], "grad_std": [], "saturated_frac": [], "dead_frac": []}
    running, state, diverged = None, None, False
    epoch_lr = lr
    it = 0
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for epoch in range(epochs):
            order = rng.permutation(N)
            for k in range(per_epoch):
                idx = order[k * batch:(k + 1) * batch]
                record = it % record_every == 0
                result = mlp_forward_backward(
                    params, x_train[idx], y_train[idx], activation=activation, batchnorm=batchnorm,
                    reg=reg, running=running, training=True, return_activity=record and probe is None)
                loss, grads, new_running = result[:3]
                loss_history[it] = loss
                if not np.isfinite(loss):
                    diverged = True
                    break
                step_lr = float(lr(it)) if callable(lr) else epoch_lr
                lr_history[it] = step_lr
                if optimizer == "adam":
                    new_params, state = adam_step(params, grads, state, step_lr)
                elif optimizer == "rmsprop":
                    new_params, state = rmsprop_step(params, grads, state, step_lr)
                elif momentum:
                    new_params, state = sgd_momentum_step(params, grads, state, step_lr, momentum)
                else:
                    new_params = sgd_step(params, grads, step_lr)
                if record:
                    if probe is None:
                        activity = result[3]
                    else:  # the current parameters on the fixed probe set (running statistics left alone)
                        activity = mlp_forward_backward(
                            params, probe[0], probe[1], activation=activation, batchnorm=batchnorm, reg=reg,
                            running=running, training=True, return_activity=True)[3]
                    ratios = update_ratio({w: params[w] for w in weights}, {w: new_params[w] for w in weights})
                    record_iters.append(it)
                    ratio_rows.append([ratios[w] for w in weights])
                    for field, rows in layer_rows.items():
                        rows.append(getattr(activity, field))
                params, running = new_params, new_running
                it += 1
            if diverged:
                break
            train_acc[epoch] = accuracy(params, x_train, y_train, activation, batchnorm, running)
            val_acc[epoch] = accuracy(params, x_val, y_val, activation, batchnorm, running)
            scores = mlp_forward_backward(params, x_val, None, activation=activation, batchnorm=batchnorm,
                                          running=running, training=False)
            val_loss[epoch] = cross_entropy(scores, y_val)[0]
            if not callable(lr):
                epoch_lr *= lr_decay

    ratio_rows = np.array(ratio_rows, dtype=np.float64).reshape(-1, L)
    # explicit row count: with no hidden layer (L == 1) there are 0 columns, and -1 cannot be inferred
    layers = {field: np.array(rows, dtype=np.float64).reshape(len(rows), L - 1) for field, rows in layer_rows.items()}
    return TrainResult(
        params=params,
        running=running,
        loss_history=loss_history,
        lr_history=lr_history,
        train_acc=train_acc,
        val_acc=val_acc,
        val_loss=val_loss,
        record_iters=np.array(record_iters, dtype=np.int64),
        update_ratios={w: ratio_rows[:, i] for i, w in enumerate(weights)},
        diverged=diverged,
        **layers,
    )


# --------------------------------------------------------------------------
# hyper-parameter search
# --------------------------------------------------------------------------


def sample_log_uniform(rng, low, high, size=None):
    r"""Random values whose base-10 logarithm is uniform on `[log10(low), log10(high)]`.

    Parameters
    ----------
    rng : numpy.random.Generator
        The only source of randomness.
    low, high : float
        Range, `0 < low <= high`.
    size : int or tuple of int, optional
        Shape of the result; `None` (default) for a single value.

    Returns
    -------
    float or ndarray of float64
        A Python float when `size` is None, else an array of shape `size`;
        every value in `[low, high]`.

    Raises
    ------
    ValueError
        Unless `0 < low <= high`.

    Notes
    -----
    Learning rates and regularization strengths act multiplicatively, so a
    search should spend as many trials between 1e-4 and 1e-3 as between 1e-2
    and 1e-1. With $u \sim \mathcal U(\log_{10} a, \log_{10} b)$ the value
    is $10^u$: each decade of the range gets the same share of samples,
    where a uniform draw on $[a, b]$ would put 90 % of them in the top
    decade.

    References
    ----------
    [1] J. Bergstra and Y. Bengio, "Random search for hyper-parameter
       optimization", JMLR 13, 2012.
    """
    if not 0 < low <= high:
        raise ValueError(f"need 0 < low <= high; got low={low!r}, high={high!r}")
    values = 10.0 ** rng.uniform(np.log10(low), np.log10(high), size)
    # 10 ** log10(v) can miss v by an ulp: keep the values inside the range.
    values = np.clip(values, low, high)
    return float(values) if size is None else values


def sample_config(space, rng):
    """Draw one configuration from a search space.

    Parameters
    ----------
    space : dict of str to tuple
        For each hyper-parameter, one of ``("log", low, high)`` (see
        :func:`sample_log_uniform`), ``("uniform", low, high)``,
        ``("int", low, high)`` (an integer in ``[low, high]``, both included)
        or ``("choice", options)`` (one of a sequence of values, equally likely).
    rng : numpy.random.Generator

    Returns
    -------
    dict of str to value
        One value per key of ``space``, drawn in the order of ``space``.

    Raises
    ------
    ValueError
        On an unknown kind of range.
    """
    config = {}
    for name, (kind, *args) in space.items():
        if kind == "log":
            config[name] = sample_log_uniform(rng, *args)
        elif kind == "uniform":
            config[name] = float(rng.uniform(*args))
        elif kind == "int":
            config[name] = int(rng.integers(args[0], args[1] + 1))
        elif kind == "choice":
            options = list(args[0])
            config[name] = options[int(rng.integers(len(options)))]
        else:
            raise ValueError(f"{name}: unknown kind {kind!r}; use 'log', 'uniform', 'int' or 'choice'")
    return config


class Trial(NamedTuple):
    """One evaluated configuration of a search."""

    config: dict
    """Hyper-parameter name -> value."""
    score: float
    """What the objective returned (higher is better, e.g. validation accuracy)."""


def random_search(objective, space, n_trials, rng):
    """Random search: evaluate ``objective`` on ``n_trials`` configurations drawn from ``space``.

    Parameters
    ----------
    objective : callable
        ``objective(config) -> float``, higher is better (e.g. trains a net
        with the hyper-parameters in ``config`` and returns its validation
        accuracy). It may use its own random generator.
    space : dict of str to tuple
        See :func:`sample_config`.
    n_trials : int
    rng : numpy.random.Generator
        Draws the configurations (only them).

    Returns
    -------
    list of Trial
        In the order evaluated; ``max(trials, key=lambda t: t.score)`` is the best.

    Notes
    -----
    Bergstra and Bengio's argument: when only a few hyper-parameters matter,
    a grid of ``k`` values per axis tries only ``k`` distinct values of each,
    while ``k**d`` random trials try ``k**d`` distinct values of every one.
    """
    trials = []
    for _ in range(n_trials):
        config = sample_config(space, rng)
        trials.append(Trial(config=config, score=float(objective(config))))
    return trials


def grid_search(objective, grid):
    """Grid search: evaluate ``objective`` on every combination of the values in ``grid``.

    Parameters
    ----------
    objective : callable
        ``objective(config) -> float``, higher is better.
    grid : dict of str to sequence
        Values to try for each hyper-parameter.

    Returns
    -------
    list of Trial
        ``prod(len(v) for v in grid.values())`` trials, the last key varying fastest.
    """
    names = list(grid)
    trials = []
    for values in itertools.product(*(list(grid[name]) for name in names)):
        config = dict(zip(names, values))
        trials.append(Trial(config=config, score=float(objective(config))))
    return trials
