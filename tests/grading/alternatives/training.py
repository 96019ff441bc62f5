"""Right training steps unlike ours: loops, other formulas, float64 computation, other random draws."""
import collections
import warnings

import numpy as np

# -- sgd_step --------------------------------------------------------------------

def sgd_step_copy_then_in_place(params, grads, lr):
    """Copies every array first, then updates the copies in place."""
    new = {}
    for name, value in params.items():
        new[name] = value.copy()
        new[name] -= lr * grads[name]
    return new


def sgd_step_float64_cast_back(params, grads, lr):
    """Computes in float64 and casts back to each parameter's dtype."""
    return {k: (np.asarray(params[k], np.float64) - lr * np.asarray(grads[k], np.float64)).astype(params[k].dtype)
            for k in params}


def sgd_step_dict_copy(params, grads, lr):
    """Copies the dict (``dict(params)``, same arrays), then replaces each entry of the copy by a new array."""
    new = dict(params)
    for k in new:
        new[k] = new[k] - lr * grads[k]
    return new


# -- mlp_loss --------------------------------------------------------------------

def mlp_loss_probabilities(params, x, y=None, activation="relu", reg=0.0):
    """Softmax probabilities from the shifted scores, loss as log-sum-exp minus the correct score, sigmoid via exp."""
    L = len([k for k in params if k[0] == "W"])
    acts, pres = [x], []
    for l in range(1, L + 1):
        z = np.dot(acts[-1], params["W%d" % l]) + params["b%d" % l]
        if l < L:
            pres.append(z)
            if activation == "relu":
                z = z * (z > 0)
            elif activation == "tanh":
                z = np.tanh(z)
            else:
                z = 1 / (1 + np.exp(-z))  # may overflow to inf for very negative z: gives 0, a warning at most
        acts.append(z)
    scores = acts[-1]
    if y is None:
        return scores
    N = len(y)
    m = np.max(scores, axis=1, keepdims=True)
    e = np.exp(scores - m)
    s = e.sum(axis=1, keepdims=True)
    loss = np.sum(m[:, 0] + np.log(s[:, 0]) - scores[np.arange(N), y]) / N
    loss += reg / 2 * sum(np.linalg.norm(params["W%d" % l]) ** 2 for l in range(1, L + 1))
    d = e / s
    d[np.arange(N), y] -= 1
    d = d / N
    grads = {}
    for l in range(L, 0, -1):
        grads["W%d" % l] = (d.T @ acts[l - 1]).T + reg * params["W%d" % l]
        grads["b%d" % l] = np.sum(d, axis=0)
        if l > 1:
            dh = d @ params["W%d" % l].T
            h = acts[l - 1]
            if activation == "relu":
                d = dh * (pres[l - 2] > 0)
            elif activation == "tanh":
                d = dh * (1 - h ** 2)
            else:
                d = dh * h * (1 - h)
    return loss, grads


def mlp_loss_onehot_float64(params, x, y=None, activation="relu", reg=0.0):
    """One-hot targets and a float64 computation cast back to the input dtype; loops over layers with lists."""
    dtype = np.result_type(np.asarray(x).dtype, *(v.dtype for v in params.values()), np.float32)
    if not np.issubdtype(dtype, np.floating):
        dtype = np.float64
    p = {k: np.asarray(v, np.float64) for k, v in params.items()}
    L = sum(k.startswith("W") for k in p)
    h = [np.asarray(x, np.float64)]
    a = []
    for l in range(1, L):
        a.append(h[-1] @ p[f"W{l}"] + p[f"b{l}"])
        if activation == "relu":
            h.append(np.where(a[-1] > 0, a[-1], 0.0))
        elif activation == "tanh":
            h.append(np.tanh(a[-1]))
        else:
            with np.errstate(over="ignore"):
                h.append(1 / (1 + np.exp(-a[-1])))
    scores = h[-1] @ p[f"W{L}"] + p[f"b{L}"]
    if y is None:
        return scores.astype(dtype)
    N, C = scores.shape
    onehot = np.eye(C)[y]
    lse = np.logaddexp.reduce(scores, axis=1)
    loss = float(np.mean(lse - np.sum(onehot * scores, axis=1)))
    loss += 0.5 * reg * sum(float(np.vdot(p[f"W{l}"], p[f"W{l}"])) for l in range(1, L + 1))
    d = (np.exp(scores - lse[:, None]) - onehot) / N
    grads = {}
    for l in range(L, 0, -1):
        grads[f"W{l}"] = h[l - 1].T @ d + reg * p[f"W{l}"]
        grads[f"b{l}"] = d.sum(axis=0)
        if l > 1:
            d = d @ p[f"W{l}"].T
            if activation == "relu":
                d = d * (a[l - 2] > 0)
            elif activation == "tanh":
                d = d * (1 - h[l - 1] ** 2)
            else:
                d = d * h[l - 1] * (1 - h[l - 1])
    return loss, {k: grads[k].astype(dtype) for k in params}


# -- update_ratio ----------------------------------------------------------------

def update_ratio_linalg_norm(params, new_params):
    """``np.linalg.norm`` of the flattened arrays, NumPy numbers returned, division warnings left on."""
    out = {}
    for k in params:
        out[k] = np.linalg.norm((new_params[k] - params[k]).ravel()) / np.linalg.norm(params[k].ravel())
    return out


def update_ratio_float64_sums(params, new_params):
    """Sums of squares in float64, square roots with ``np.sqrt``, inf and nan written out explicitly."""
    out = {}
    for k in params:
        step = np.sqrt(np.sum((np.asarray(new_params[k], np.float64) - np.asarray(params[k], np.float64)) ** 2))
        size = np.sqrt(np.sum(np.asarray(params[k], np.float64) ** 2))
        if size == 0:
            out[k] = float("nan") if step == 0 else float("inf")
        else:
            out[k] = float(step / size)
    return out


# -- sample_log_uniform ----------------------------------------------------------

def log_uniform_power_of_ratio(rng, low, high, size=None):
    """``low * (high / low) ** (1 - u)``: the same law from other values of ``u``."""
    v = low * (high / low) ** (1 - rng.random(size))
    return float(v) if size is None else np.clip(v, low, high)


def log_uniform_natural_logs(rng, low, high, size=None):
    """``exp`` of a uniform draw between natural logarithms."""
    v = np.exp(rng.uniform(np.log(low), np.log(high), size))
    return float(v) if size is None else v


def log_uniform_global_state(rng, low, high, size=None):
    """Draws from NumPy's global generator (against the rules, but the law is right) and warns about it."""
    warnings.warn("using np.random instead of rng", stacklevel=2)
    v = 10 ** np.random.uniform(np.log10(low), np.log10(high), size)
    return float(v) if size is None else v


def log_uniform_float32_draws(rng, low, high, size=None):
    """Draws ``u`` in float32, computes ``10 ** u`` in float64: float32 rounding of ``u`` keeps law and range."""
    u = np.asarray(rng.random(size, dtype=np.float32), dtype=np.float64)
    v = np.clip(10.0 ** (np.log10(low) + u * (np.log10(high) - np.log10(low))), low, high)
    return float(v) if size is None else v
# -- adam_step -------------------------------------------------------------------

# The learner's notebook defines AdamState from the `# given:` cell; a NamedTuple with the same fields.
AdamTuple = collections.namedtuple("AdamState", ["t", "m", "v"])


def adam_step_pytorch_form(params, grads, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """PyTorch's arrangement: step lr / (1 - beta1**t), denominator sqrt(v) / sqrt(1 - beta2**t) + eps."""
    t = 1 if state is None else state[0] + 1
    m = {k: (1 - beta1) * grads[k] + (0 if state is None else beta1 * state[1][k]) for k in params}
    v = {k: (1 - beta2) * grads[k] * grads[k] + (0 if state is None else beta2 * state[2][k]) for k in params}
    step_size = lr / (1 - beta1 ** t)
    root_correction = (1 - beta2 ** t) ** 0.5
    new = {k: params[k] - step_size * m[k] / (np.sqrt(v[k]) / root_correction + eps) for k in params}
    return new, AdamTuple(t, m, v)


def adam_step_float64_loops(params, grads, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """A loop over the keys, float64 arithmetic cast back, a NumPy integer step count."""
    if state is None:
        state = AdamTuple(np.int64(0), {k: np.zeros(np.shape(p)) for k, p in params.items()},
                          {k: np.zeros(np.shape(p)) for k, p in params.items()})
    t = np.int64(state.t) + 1
    new, m, v = {}, {}, {}
    for k in params:
        dtype = np.asarray(params[k]).dtype
        g = np.asarray(grads[k], np.float64)
        m64 = beta1 * np.asarray(state.m[k], np.float64) + (1 - beta1) * g
        v64 = beta2 * np.asarray(state.v[k], np.float64) + (1 - beta2) * np.square(g)
        m_hat = m64 / (1 - np.power(beta1, t))
        v_hat = v64 / (1 - np.power(beta2, t))
        new[k] = (np.asarray(params[k], np.float64) - lr * m_hat / (np.sqrt(v_hat) + eps)).astype(dtype)
        m[k], v[k] = m64.astype(dtype), v64.astype(dtype)
    return new, AdamTuple(t, m, v)


def adam_step_copies_updated_in_place(params, grads, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """Copies every array, then updates the copies in place (``*=``, ``+=``) and prints a progress line."""
    t = (0 if state is None else state.t) + 1
    print(f"adam step {t}")
    new, m, v = {}, {}, {}
    for k, p in params.items():
        m[k] = np.zeros_like(p) if state is None else state.m[k].copy()
        v[k] = np.zeros_like(p) if state is None else state.v[k].copy()
        m[k] *= beta1
        m[k] += (1 - beta1) * grads[k]
        v[k] *= beta2
        v[k] += (1 - beta2) * grads[k] ** 2
        new[k] = p.copy()
        new[k] -= lr * (m[k] / (1 - beta1 ** t)) / (np.sqrt(v[k] / (1 - beta2 ** t)) + eps)
    return new, AdamTuple(t, m, v)


ALTERNATIVES = {
    "training.sgd_step": [sgd_step_copy_then_in_place, sgd_step_float64_cast_back, sgd_step_dict_copy],
    "training.mlp_loss": [mlp_loss_probabilities, mlp_loss_onehot_float64],
    "training.update_ratio": [update_ratio_linalg_norm, update_ratio_float64_sums],
    "training.sample_log_uniform": [log_uniform_power_of_ratio, log_uniform_natural_logs, log_uniform_global_state,
                                    log_uniform_float32_draws],
    "training.adam_step": [adam_step_pytorch_form, adam_step_float64_loops, adam_step_copies_updated_in_place],
}

# The float32 shortcut of the functions whose inputs hold no float64 array: accepted by design
# (tests/grading/test_determinism.py grades it with many students).
FLOAT32_SHORTCUTS = {"training.sample_log_uniform": log_uniform_float32_draws}
