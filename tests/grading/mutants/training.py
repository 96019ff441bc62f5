"""Wrong training steps: the mistakes of the training exercise."""
import numpy as np

from grading.mutants import computed_in_float32, float64_output


# -- sgd_step --------------------------------------------------------------------

def sgd_step_in_place(params, grads, lr):
    """Updates the arrays of ``params`` in place (``params[k] -= lr * grads[k]``) and returns them."""
    for k in params:
        params[k] -= lr * grads[k]
    return params


def sgd_step_rewrites_dict(params, grads, lr):
    """``params[k] = params[k] - lr * grads[k]``: new arrays, but written into the caller's dict, which is returned."""
    for k in params:
        params[k] = params[k] - lr * grads[k]
    return params


def sgd_step_pairs_by_position(params, grads, lr):
    """Pairs the two dicts by position (``zip(params.items(), grads.values())``), not by key."""
    return {k: p - lr * g for (k, p), g in zip(params.items(), grads.values())}


def sgd_step_ascent(params, grads, lr):
    """Steps along the gradient (``+ lr * grads``): gradient ascent."""
    return {k: params[k] + lr * grads[k] for k in params}


def sgd_step_weights_only(params, grads, lr):
    """Updates the weight matrices ``W*`` only; biases (and gamma/beta) are returned unchanged."""
    return {k: params[k] - lr * grads[k] if k.startswith("W") else params[k] for k in params}


# -- mlp_loss --------------------------------------------------------------------

def _forward_backward(params, x, y, activation, reg, *, shift=True, reg_biases=False, reg_grad=True,
                      half=True, mean=True, last_activated=False, probs_out=False, sigmoid_grad_of_a=False,
                      relu_ge=False):
    L = sum(1 for k in params if k.startswith("W"))
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    f = {"relu": lambda a: np.maximum(a, 0), "tanh": np.tanh,
         "sigmoid": lambda a: 0.5 * (1 + np.tanh(0.5 * a))}[activation]
    hs, pres = [x], []
    for l in range(1, L + 1):
        a = hs[-1] @ params[f"W{l}"] + params[f"b{l}"]
        pres.append(a)
        hs.append(f(a) if (l < L or last_activated) else a)
    scores = hs[-1]
    if y is None:
        if probs_out:
            e = np.exp(scores - scores.max(axis=1, keepdims=True))
            return e / e.sum(axis=1, keepdims=True)
        return scores
    N = scores.shape[0]
    rows = np.arange(N)
    if shift:
        s = scores - scores.max(axis=1, keepdims=True)
        logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
        probs = np.exp(logp)
    else:
        e = np.exp(scores)
        probs = e / e.sum(axis=1, keepdims=True)
        logp = np.log(probs)
    loss = -np.sum(logp[rows, y]) / (N if mean else 1)
    keys = [k for k in params if k.startswith("W") or (reg_biases and k.startswith("b"))]
    loss += (0.5 if half else 1.0) * reg * sum(np.sum(params[k] ** 2) for k in keys)
    d = probs.copy()
    d[rows, y] -= 1
    if mean:
        d /= N
    grads = {}
    for l in range(L, 0, -1):
        if l < L or last_activated:
            a, h = pres[l - 1], hs[l]
            if activation == "relu":
                d = d * ((a >= 0) if relu_ge else (a > 0))
            elif activation == "tanh":
                d = d * (1 - h * h)
            else:
                d = d * (a * (1 - a) if sigmoid_grad_of_a else h * (1 - h))
        w = params[f"W{l}"]
        grads[f"W{l}"] = hs[l - 1].T @ d + ((1.0 if half else 2.0) * reg * w if reg_grad else 0)
        grads[f"b{l}"] = d.sum(axis=0) + ((1.0 if half else 2.0) * reg * params[f"b{l}"] if reg_biases else 0)
        d = d @ w.T
    return float(loss), {k: grads[k] for k in params}


def mlp_loss_relu_derivative_one_at_zero(params, x, y=None, activation="relu", reg=0.0):
    """ReLU's derivative from ``a >= 0``: 1 at an exact 0, where the docstring takes 0."""
    return _forward_backward(params, x, y, activation, reg, relu_ge=True)


def mlp_loss_keeps_activations_in_params(params, x, y=None, activation="relu", reg=0.0):
    """Stores the hidden activations in the ``params`` dict it was given (a cache habit): the caller's dict grows."""
    result = _forward_backward(params, x, y, activation, reg)
    params["h0"] = np.asarray(x)
    return result


def mlp_loss_no_max_shift(params, x, y=None, activation="relu", reg=0.0):
    """Softmax as ``exp(s) / sum(exp(s))`` without subtracting the row maximum: overflows for large scores."""
    return _forward_backward(params, x, y, activation, reg, shift=False)


def mlp_loss_regularizes_biases(params, x, y=None, activation="relu", reg=0.0):
    """The L2 term also covers the biases."""
    return _forward_backward(params, x, y, activation, reg, reg_biases=True)


def mlp_loss_reg_missing_in_gradient(params, x, y=None, activation="relu", reg=0.0):
    """The regularization is added to the loss but not to the weight gradients."""
    return _forward_backward(params, x, y, activation, reg, reg_grad=False)


def mlp_loss_reg_without_half(params, x, y=None, activation="relu", reg=0.0):
    """``reg * sum(W**2)`` (no factor 1/2), with the matching gradient ``2 reg W``."""
    return _forward_backward(params, x, y, activation, reg, half=False)


def mlp_loss_summed_over_samples(params, x, y=None, activation="relu", reg=0.0):
    """Sum of the per-sample losses instead of their mean (the gradient is N times too large)."""
    return _forward_backward(params, x, y, activation, reg, mean=False)


def mlp_loss_activation_after_last_layer(params, x, y=None, activation="relu", reg=0.0):
    """Applies the nonlinearity to the scores too."""
    return _forward_backward(params, x, y, activation, reg, last_activated=True)


def mlp_loss_sigmoid_derivative_of_preactivation(params, x, y=None, activation="relu", reg=0.0):
    """Sigmoid's derivative written as ``a (1 - a)`` of the pre-activation instead of ``h (1 - h)``."""
    return _forward_backward(params, x, y, activation, reg, sigmoid_grad_of_a=True)


def mlp_loss_predicts_probabilities(params, x, y=None, activation="relu", reg=0.0):
    """Returns softmax probabilities instead of the scores when ``y`` is None."""
    return _forward_backward(params, x, y, activation, reg, probs_out=True)


# -- update_ratio ----------------------------------------------------------------

def update_ratio_new_norm(params, new_params):
    """Divides by the norm of the *new* parameter."""
    return {k: float(np.linalg.norm(new_params[k] - params[k]) / np.linalg.norm(new_params[k])) for k in params}


def update_ratio_difference_of_norms(params, new_params):
    """``| ||new|| - ||old|| | / ||old||``: the change of the norm, not the norm of the change."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return {k: float(abs(np.linalg.norm(new_params[k]) - np.linalg.norm(params[k])) / np.linalg.norm(params[k]))
                for k in params}


def update_ratio_squared_norms(params, new_params):
    """Ratio of squared norms (sums of squares), i.e. the square of the ratio."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return {k: float(np.sum((new_params[k] - params[k]) ** 2) / np.sum(params[k] ** 2)) for k in params}


def update_ratio_eps_denominator(params, new_params):
    """Adds 1e-12 to the denominator: finite numbers where a zero parameter should give inf or nan."""
    return {k: float(np.linalg.norm(new_params[k] - params[k]) / (np.linalg.norm(params[k]) + 1e-12)) for k in params}


# -- sample_log_uniform ----------------------------------------------------------

def log_uniform_linear(rng, low, high, size=None):
    """Uniform on ``[low, high]`` itself: most values land in the top decade."""
    v = rng.uniform(low, high, size)
    return float(v) if size is None else v


def log_uniform_natural_log_mixed(rng, low, high, size=None):
    """Draws the exponent between natural logarithms, then raises 10 to it."""
    v = 10.0 ** rng.uniform(np.log(low), np.log(high), size)
    return float(v) if size is None else v


def log_uniform_without_logs(rng, low, high, size=None):
    """``10 ** uniform(low, high)``: the logarithms of the bounds are forgotten."""
    v = 10.0 ** rng.uniform(low, high, size)
    return float(v) if size is None else v


def log_uniform_float32(rng, low, high, size=None):
    """Draws and exponentiates in float32 (``rng.random(size, dtype=np.float32)``): float32, not float64."""
    u = rng.random(size, dtype=np.float32)
    v = np.float32(10.0) ** (np.float32(np.log10(low)) + u * np.float32(np.log10(high / low)))
    return float(v) if size is None else v


def log_uniform_size_none_as_array(rng, low, high, size=None):
    """Always returns an array: ``size=None`` gives a 0-d array instead of the promised single float."""
    return np.array(10.0 ** rng.uniform(np.log10(low), np.log10(high), size))


MUTANTS = {
    "training.sgd_step": [sgd_step_in_place, sgd_step_ascent, sgd_step_weights_only, sgd_step_rewrites_dict,
                          sgd_step_pairs_by_position],
    "training.mlp_loss": [mlp_loss_no_max_shift, mlp_loss_regularizes_biases, mlp_loss_reg_missing_in_gradient,
                          mlp_loss_reg_without_half, mlp_loss_summed_over_samples,
                          mlp_loss_activation_after_last_layer, mlp_loss_sigmoid_derivative_of_preactivation,
                          mlp_loss_predicts_probabilities, mlp_loss_relu_derivative_one_at_zero,
                          mlp_loss_keeps_activations_in_params],
    "training.update_ratio": [update_ratio_new_norm, update_ratio_difference_of_norms, update_ratio_squared_norms,
                              update_ratio_eps_denominator],
    "training.sample_log_uniform": [log_uniform_linear, log_uniform_natural_log_mixed, log_uniform_without_logs,
                                    log_uniform_float32, log_uniform_size_none_as_array],
}

# The precision mistakes. update_ratio returns numbers whatever the dtype (float32 in, float64 out is fine);
# sample_log_uniform takes no array.
for _qualname in ("training.sgd_step", "training.mlp_loss"):
    MUTANTS[_qualname] += [computed_in_float32(_qualname, __name__), float64_output(_qualname, __name__)]
MUTANTS["training.update_ratio"] += [computed_in_float32("training.update_ratio", __name__)]

# -- adam_step -------------------------------------------------------------------

def _adam(params, grads, state, lr, beta1, beta2, eps, *, correct=True, old_t=False, eps_inside=False,
          grad_not_m=False, sqrt_correction=True, keep_t=False):
    from solutions.training import AdamState

    if state is None:
        state = AdamState(0, {k: np.zeros_like(v) for k, v in params.items()},
                          {k: np.zeros_like(v) for k, v in params.items()})
    t = state.t + 1
    m = {k: beta1 * state.m[k] + (1 - beta1) * grads[k] for k in params}
    v = {k: beta2 * state.v[k] + (1 - beta2) * grads[k] ** 2 for k in params}
    power = state.t if old_t else t
    with np.errstate(divide="ignore", invalid="ignore"):
        c1 = 1 - beta1 ** power if correct else 1.0
        c2 = 1 - beta2 ** power if correct else 1.0
        new = {}
        for k in params:
            first = grads[k] if grad_not_m else m[k] / c1
            second = v[k] / c2 if sqrt_correction else None
            if eps_inside:
                denom = np.sqrt(second + eps)
            elif sqrt_correction:
                denom = np.sqrt(second) + eps
            else:
                denom = np.sqrt(v[k]) / c2 + eps
            new[k] = params[k] - lr * first / denom
    return new, AdamState(state.t if keep_t else t, m, v)


def adam_step_no_bias_correction(params, grads, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """Uses the running averages m and v as they are, without dividing by 1 - beta**t."""
    return _adam(params, grads, state, lr, beta1, beta2, eps, correct=False)


def adam_step_correction_with_old_count(params, grads, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """Bias correction with the step count before this step (t - 1): off by one, 0/0 at the first step."""
    return _adam(params, grads, state, lr, beta1, beta2, eps, old_t=True)


def adam_step_eps_inside_sqrt(params, grads, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """Divides by sqrt(v_hat + eps) instead of sqrt(v_hat) + eps."""
    return _adam(params, grads, state, lr, beta1, beta2, eps, eps_inside=True)


def adam_step_gradient_in_numerator(params, grads, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """Steps along the raw gradient g / (sqrt(v_hat) + eps): the first moment is kept but never used."""
    return _adam(params, grads, state, lr, beta1, beta2, eps, grad_not_m=True)


def adam_step_correction_outside_sqrt(params, grads, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """Divides sqrt(v) by 1 - beta2**t instead of by its square root."""
    return _adam(params, grads, state, lr, beta1, beta2, eps, sqrt_correction=False)


def adam_step_count_not_advanced(params, grads, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """Corrects with the right t but returns the old step count in the new state."""
    return _adam(params, grads, state, lr, beta1, beta2, eps, keep_t=True)


def adam_step_swapped_betas(params, grads, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """Uses beta2 for the first moment and beta1 for the second."""
    return _adam(params, grads, state, lr, beta2, beta1, eps)


def adam_step_in_place(params, grads, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """Right numbers, but written into the arrays of params (params[k] -= ...)."""
    new, new_state = _adam(params, grads, state, lr, beta1, beta2, eps)
    for k in params:
        params[k] -= params[k] - new[k]
    return params, new_state


MUTANTS["training.adam_step"] = [
    adam_step_no_bias_correction, adam_step_correction_with_old_count, adam_step_eps_inside_sqrt,
    adam_step_gradient_in_numerator, adam_step_correction_outside_sqrt, adam_step_count_not_advanced,
    adam_step_swapped_betas, adam_step_in_place,
]
MUTANTS["training.adam_step"] += [computed_in_float32("training.adam_step", __name__),
                                  float64_output("training.adam_step", __name__)]
