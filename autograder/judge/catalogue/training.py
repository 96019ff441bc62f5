"""Known mistakes of the training exercise (see :mod:`autograder.judge.catalogue`)."""
import numpy as np

from autograder.judge.catalogue import computed_in_float32, float64_output, mistake

#: The book section that teaches each graded function (an anchor of its chapter's page).
SECTIONS = {
    "sgd_step": "mini-batch-stochastic-gradient-descent",
    "adam_step": "rmsprop-and-adam-a-step-size-for-every-parameter",
    "mlp_loss": "a-multilayer-network-from-the-course-s-layers",
    "update_ratio": "the-update-to-weight-ratio",
    "sample_log_uniform": "sample-on-a-log-scale",
}

#: Entries that give the same outcomes on every hidden case (``<function>/<key>``): the grader names them
#: together, and the mutant suite expects that.
ALIKE = []


# -- sgd_step --------------------------------------------------------------------

@mistake("training.sgd_step", "in-place",
         name="the parameter arrays updated in place",
         explain="You subtract the step inside the caller's parameter arrays. They belong to the caller (and are "
                 "read-only during grading): return a new dict of new arrays.",
         see="how-to-use#rules")
def sgd_step_in_place(params, grads, lr):
    """Updates the arrays of ``params`` in place (``params[k] -= lr * grads[k]``) and returns them."""
    for k in params:
        params[k] -= lr * grads[k]
    return params


@mistake("training.sgd_step", "rewrites-dict",
         name="new arrays written into the caller's dict",
         explain="Your arrays are new, but you store them in the dict you were given and return it, so the caller's "
                 "parameters change too. Build and return a new dict.",
         see="how-to-use#rules")
def sgd_step_rewrites_dict(params, grads, lr):
    """``params[k] = params[k] - lr * grads[k]``: new arrays, but written into the caller's dict, which is returned."""
    for k in params:
        params[k] = params[k] - lr * grads[k]
    return params


@mistake("training.sgd_step", "pairs-by-position",
         name="parameters and gradients paired by position",
         explain="You pair each parameter with the gradient in the same position of the other dict. Two dicts may "
                 "list their keys in different orders: pair them by key.")
def sgd_step_pairs_by_position(params, grads, lr):
    """Pairs the two dicts by position (``zip(params.items(), grads.values())``), not by key."""
    return {k: p - lr * g for (k, p), g in zip(params.items(), grads.values())}


@mistake("training.sgd_step", "ascent",
         name="a step up the gradient",
         explain="You add the learning rate times the gradient, which climbs the loss. Gradient descent subtracts it.")
def sgd_step_ascent(params, grads, lr):
    """Steps along the gradient (``+ lr * grads``): gradient ascent."""
    return {k: params[k] + lr * grads[k] for k in params}


@mistake("training.sgd_step", "weights-only",
         name="only the weight matrices updated",
         explain="You update the weight matrices and leave the other parameters (biases, γ, β) as they are. Every "
                 "parameter with a gradient takes a step.")
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


@mistake("training.mlp_loss", "relu-gradient-at-zero",
         name="ReLU's derivative 1 at exactly 0",
         explain="Your ReLU backward pass lets the gradient through where the pre-activation is exactly 0. The "
                 "course takes ReLU's derivative as 0 there, as in the activations chapter.",
         see="activations#relu")
def mlp_loss_relu_derivative_one_at_zero(params, x, y=None, activation="relu", reg=0.0):
    """ReLU's derivative from ``a >= 0``: 1 at an exact 0, where the docstring takes 0."""
    return _forward_backward(params, x, y, activation, reg, relu_ge=True)


@mistake("training.mlp_loss", "writes-into-params",
         name="intermediate values stored in the caller's params",
         explain="You store intermediate values in the params dict you were given, so the caller's dict grows. Keep "
                 "them in local variables or a dict of your own.",
         see="how-to-use#rules")
def mlp_loss_keeps_activations_in_params(params, x, y=None, activation="relu", reg=0.0):
    """Stores the hidden activations in the ``params`` dict it was given (a cache habit): the caller's dict grows."""
    result = _forward_backward(params, x, y, activation, reg)
    params["h0"] = np.asarray(x)
    return result


@mistake("training.mlp_loss", "no-max-shift",
         name="the row maximum not subtracted in the softmax",
         explain="You exponentiate the scores as they are; large scores overflow to inf and the loss becomes NaN. "
                 "Subtract each row's maximum first, as in the losses chapter.",
         see="losses#softmax-cross-entropy")
def mlp_loss_no_max_shift(params, x, y=None, activation="relu", reg=0.0):
    """Softmax as ``exp(s) / sum(exp(s))`` without subtracting the row maximum: overflows for large scores."""
    return _forward_backward(params, x, y, activation, reg, shift=False)


@mistake("training.mlp_loss", "regularizes-biases",
         name="the biases regularized",
         explain="Your L2 penalty also covers the biases. It applies to the weight matrices only.")
def mlp_loss_regularizes_biases(params, x, y=None, activation="relu", reg=0.0):
    """The L2 term also covers the biases."""
    return _forward_backward(params, x, y, activation, reg, reg_biases=True)


@mistake("training.mlp_loss", "reg-missing-in-gradient",
         name="the penalty missing from the gradients",
         explain="You add the L2 penalty to the loss but not its derivative, λW, to the weight gradients.")
def mlp_loss_reg_missing_in_gradient(params, x, y=None, activation="relu", reg=0.0):
    """The regularization is added to the loss but not to the weight gradients."""
    return _forward_backward(params, x, y, activation, reg, reg_grad=False)


@mistake("training.mlp_loss", "reg-without-half",
         name="λ times the squares, without the ½",
         explain="The course's penalty is λ/2 times the sum of squared weights, whose gradient is λW. Yours has no "
                 "factor ½ (and a gradient of 2λW).")
def mlp_loss_reg_without_half(params, x, y=None, activation="relu", reg=0.0):
    """``reg * sum(W**2)`` (no factor 1/2), with the matching gradient ``2 reg W``."""
    return _forward_backward(params, x, y, activation, reg, half=False)


@mistake("training.mlp_loss", "summed",
         name="summed over the samples instead of averaged",
         explain="Your loss and gradients sum over the samples. The data loss is the mean over the N samples, so "
                 "that the learning rate does not depend on the batch size.")
def mlp_loss_summed_over_samples(params, x, y=None, activation="relu", reg=0.0):
    """Sum of the per-sample losses instead of their mean (the gradient is N times too large)."""
    return _forward_backward(params, x, y, activation, reg, mean=False)


@mistake("training.mlp_loss", "activation-on-scores",
         name="the nonlinearity applied to the scores",
         explain="You apply the nonlinearity after the last layer too. The last affine layer produces the class "
                 "scores, which go to the softmax as they are.")
def mlp_loss_activation_after_last_layer(params, x, y=None, activation="relu", reg=0.0):
    """Applies the nonlinearity to the scores too."""
    return _forward_backward(params, x, y, activation, reg, last_activated=True)


@mistake("training.mlp_loss", "sigmoid-derivative-of-input",
         name="the sigmoid's derivative from the pre-activation",
         explain="You write the sigmoid's derivative as a(1 − a) of the pre-activation a. It is h(1 − h) of the "
                 "sigmoid's output h = σ(a).",
         see="activations#sigmoid")
def mlp_loss_sigmoid_derivative_of_preactivation(params, x, y=None, activation="relu", reg=0.0):
    """Sigmoid's derivative written as ``a (1 - a)`` of the pre-activation instead of ``h (1 - h)``."""
    return _forward_backward(params, x, y, activation, reg, sigmoid_grad_of_a=True)


@mistake("training.mlp_loss", "returns-probabilities",
         name="probabilities returned in prediction mode",
         explain="Without labels the function returns the class scores, the last layer's output, not their softmax.")
def mlp_loss_predicts_probabilities(params, x, y=None, activation="relu", reg=0.0):
    """Returns softmax probabilities instead of the scores when ``y`` is None."""
    return _forward_backward(params, x, y, activation, reg, probs_out=True)


# -- update_ratio ----------------------------------------------------------------

@mistake("training.update_ratio", "new-norm",
         name="divided by the new parameter's norm",
         explain="You divide by the norm of the updated parameter. The ratio compares the step with the parameter "
                 "before it: divide by the old norm.")
def update_ratio_new_norm(params, new_params):
    """Divides by the norm of the *new* parameter."""
    return {k: float(np.linalg.norm(new_params[k] - params[k]) / np.linalg.norm(new_params[k])) for k in params}


@mistake("training.update_ratio", "difference-of-norms",
         name="the change of the norm instead of the norm of the change",
         explain="You subtract the two norms. The ratio needs the norm of the difference of the two parameters: a "
                 "rotation changes the weights without changing their norm.")
def update_ratio_difference_of_norms(params, new_params):
    """``| ||new|| - ||old|| | / ||old||``: the change of the norm, not the norm of the change."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return {k: float(abs(np.linalg.norm(new_params[k]) - np.linalg.norm(params[k])) / np.linalg.norm(params[k]))
                for k in params}


@mistake("training.update_ratio", "squared-norms",
         name="a ratio of squared norms",
         explain="You divide sums of squares, which gives the square of the ratio. Take the square roots: the ratio "
                 "of norms.")
def update_ratio_squared_norms(params, new_params):
    """Ratio of squared norms (sums of squares), i.e. the square of the ratio."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return {k: float(np.sum((new_params[k] - params[k]) ** 2) / np.sum(params[k] ** 2)) for k in params}


@mistake("training.update_ratio", "eps-in-denominator",
         name="a small number added to the norm",
         explain="You add a small number to the denominator, so a parameter of norm 0 gives a finite ratio. The "
                 "docstring asks for a plain division: inf when such a parameter moved, NaN when it did not.")
def update_ratio_eps_denominator(params, new_params):
    """Adds 1e-12 to the denominator: finite numbers where a zero parameter should give inf or nan."""
    return {k: float(np.linalg.norm(new_params[k] - params[k]) / (np.linalg.norm(params[k]) + 1e-12)) for k in params}


# -- sample_log_uniform ----------------------------------------------------------

@mistake("training.sample_log_uniform", "linear",
         name="uniform instead of log-uniform",
         explain="You sample uniformly between the bounds, so most values land in the top decade. Sample the "
                 "exponent uniformly, between the base-10 logarithms of the bounds, and raise 10 to it.")
def log_uniform_linear(rng, low, high, size=None):
    """Uniform on ``[low, high]`` itself: most values land in the top decade."""
    v = rng.uniform(low, high, size)
    return float(v) if size is None else v


@mistake("training.sample_log_uniform", "mixed-bases",
         name="natural logarithms with base 10",
         explain="You take natural logarithms of the bounds but raise 10 to the result. The logarithm and the power "
                 "must use the same base.")
def log_uniform_natural_log_mixed(rng, low, high, size=None):
    """Draws the exponent between natural logarithms, then raises 10 to it."""
    v = 10.0 ** rng.uniform(np.log(low), np.log(high), size)
    return float(v) if size is None else v


@mistake("training.sample_log_uniform", "no-logs",
         name="the bounds used as exponents",
         explain="You raise 10 to a number between the bounds themselves. The exponent lies between the logarithms "
                 "of the bounds.")
def log_uniform_without_logs(rng, low, high, size=None):
    """``10 ** uniform(low, high)``: the logarithms of the bounds are forgotten."""
    v = 10.0 ** rng.uniform(low, high, size)
    return float(v) if size is None else v


@mistake("training.sample_log_uniform", "float32",
         name="drawn in float32",
         explain="Your samples are float32. The docstring promises float64 numbers (and a single float when size is "
                 "None).",
         see="how-to-use#rules")
def log_uniform_float32(rng, low, high, size=None):
    """Draws and exponentiates in float32 (``rng.random(size, dtype=np.float32)``): float32, not float64."""
    u = rng.random(size, dtype=np.float32)
    v = np.float32(10.0) ** (np.float32(np.log10(low)) + u * np.float32(np.log10(high / low)))
    return float(v) if size is None else v


@mistake("training.sample_log_uniform", "array-for-single",
         name="an array instead of one number",
         explain="With size None the function returns one Python float; yours returns a 0-dimensional array.")
def log_uniform_size_none_as_array(rng, low, high, size=None):
    """Always returns an array: ``size=None`` gives a 0-d array instead of the promised single float."""
    return np.array(10.0 ** rng.uniform(np.log10(low), np.log10(high), size))


# The precision mistakes. update_ratio returns numbers whatever the dtype (float32 in, float64 out is fine);
# sample_log_uniform takes no array.
for _qualname in ("training.sgd_step", "training.mlp_loss"):
    computed_in_float32(_qualname, __name__)
    float64_output(_qualname, __name__)
computed_in_float32("training.update_ratio", __name__)


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


@mistake("training.adam_step", "no-bias-correction",
         name="no bias correction",
         explain="You step with the running averages as they are. Both start at zero, so in the first steps they are "
                 "too small: dividing them by 1 − β₁ᵗ and 1 − β₂ᵗ removes that bias.")
def adam_step_no_bias_correction(params, grads, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """Uses the running averages m and v as they are, without dividing by 1 - beta**t."""
    return _adam(params, grads, state, lr, beta1, beta2, eps, correct=False)


@mistake("training.adam_step", "old-step-count",
         name="the bias correction with the previous step count",
         explain="You correct with the step count before this step, t − 1, which divides by zero at the first step. "
                 "The count of this step, t, is the previous count plus 1.")
def adam_step_correction_with_old_count(params, grads, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """Bias correction with the step count before this step (t - 1): off by one, 0/0 at the first step."""
    return _adam(params, grads, state, lr, beta1, beta2, eps, old_t=True)


@mistake("training.adam_step", "eps-inside-sqrt",
         name="ε inside the square root",
         explain="You divide by the square root of (v̂ + ε). Adam, like PyTorch, adds ε after taking the square "
                 "root.")
def adam_step_eps_inside_sqrt(params, grads, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """Divides by sqrt(v_hat + eps) instead of sqrt(v_hat) + eps."""
    return _adam(params, grads, state, lr, beta1, beta2, eps, eps_inside=True)


@mistake("training.adam_step", "gradient-in-numerator",
         name="the raw gradient instead of the first moment",
         explain="You keep the first moment m but step along the current gradient. Adam steps along the corrected "
                 "average m̂: that is its momentum.")
def adam_step_gradient_in_numerator(params, grads, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """Steps along the raw gradient g / (sqrt(v_hat) + eps): the first moment is kept but never used."""
    return _adam(params, grads, state, lr, beta1, beta2, eps, grad_not_m=True)


@mistake("training.adam_step", "correction-outside-sqrt",
         name="the second moment's correction outside the square root",
         explain="You divide √v by 1 − β₂ᵗ. The correction applies to v itself, so √v is divided by the square root "
                 "of 1 − β₂ᵗ.")
def adam_step_correction_outside_sqrt(params, grads, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """Divides sqrt(v) by 1 - beta2**t instead of by its square root."""
    return _adam(params, grads, state, lr, beta1, beta2, eps, sqrt_correction=False)


@mistake("training.adam_step", "count-not-advanced",
         name="the step count not advanced",
         explain="Your new state keeps the old step count, so the next step corrects with the wrong t. The returned "
                 "count is the previous one plus 1.")
def adam_step_count_not_advanced(params, grads, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """Corrects with the right t but returns the old step count in the new state."""
    return _adam(params, grads, state, lr, beta1, beta2, eps, keep_t=True)


@mistake("training.adam_step", "swapped-betas",
         name="β₁ and β₂ swapped",
         explain="You average the gradients with β₂ and their squares with β₁. β₁ (0.9) belongs to the first moment, "
                 "β₂ (0.999) to the second.")
def adam_step_swapped_betas(params, grads, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """Uses beta2 for the first moment and beta1 for the second."""
    return _adam(params, grads, state, lr, beta2, beta1, eps)


@mistake("training.adam_step", "in-place",
         name="the parameter arrays updated in place",
         explain="You write the new values into the caller's parameter arrays. They belong to the caller (and are "
                 "read-only during grading): return a new dict of new arrays.",
         see="how-to-use#rules")
def adam_step_in_place(params, grads, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """Right numbers, but written into the arrays of params (params[k] -= ...)."""
    new, new_state = _adam(params, grads, state, lr, beta1, beta2, eps)
    for k in params:
        params[k] -= params[k] - new[k]
    return params, new_state


computed_in_float32("training.adam_step", __name__)
float64_output("training.adam_step", __name__)
