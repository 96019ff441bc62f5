"""Right perceptrons written differently from the answer module."""
import sys

import numpy as np

from solutions.perceptron import PerceptronResult

# -- step ----------------------------------------------------------------------

def step_heaviside(x):
    """``np.heaviside(x, 0.0)``: NumPy's Heaviside with the value 0 at 0."""
    return np.heaviside(x, 0.0)


def step_where(x):
    """``np.where(x > 0, 1.0, 0.0)`` cast to the input's floating dtype (float64 for integers)."""
    x = np.asarray(x)
    return np.where(x > 0, 1.0, 0.0).astype(x.dtype if np.issubdtype(x.dtype, np.floating) else np.float64)


def step_loop(x):
    """A loop over the elements (Python floats), for any shape including a single number."""
    x = np.asarray(x)
    out = np.zeros(x.shape, dtype=x.dtype if np.issubdtype(x.dtype, np.floating) else np.float64)
    for idx in np.ndindex(x.shape):
        out[idx] = 1.0 if x[idx] > 0 else 0.0
    return out


# -- perceptron_forward ----------------------------------------------------------

def forward_einsum(x, w, b):
    """``einsum`` for the weighted input, ``np.heaviside`` for the step (in the dtype of the weighted input)."""
    z = np.einsum("nd,d...->n...", np.asarray(x), np.asarray(w)) + b
    z = z if np.issubdtype(z.dtype, np.floating) else z.astype(np.float64)
    return np.heaviside(z, 0.0).astype(z.dtype)


def forward_loop(x, w, b):
    """Explicit loops over samples and units with Python sums (float64), the 0/1 outputs in the inputs' dtype."""
    dtype = np.result_type(np.asarray(x), np.asarray(w), np.asarray(b), 1.0)
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    w2 = w.reshape(w.shape[0], -1)
    b2 = np.broadcast_to(np.asarray(b, dtype=np.float64), (w2.shape[1],))
    out = np.zeros((x.shape[0], w2.shape[1]))
    for n in range(x.shape[0]):
        for m in range(w2.shape[1]):
            z = sum(float(x[n, d]) * float(w2[d, m]) for d in range(x.shape[1])) + float(b2[m])
            out[n, m] = 1.0 if z > 0 else 0.0
    return (out[:, 0] if w.ndim == 1 else out).astype(dtype)


# -- gates -----------------------------------------------------------------------

def _unit(x, w, b):
    return (np.asarray(x, dtype=np.float64) @ np.asarray(w, dtype=np.float64) + b > 0).astype(np.float64)


def and_gate_other_weights(x):
    """Another separating line: ``w = (0.5, 0.5), b = -0.7``."""
    return _unit(x, (0.5, 0.5), -0.7)


def or_gate_zero_bias(x):
    """``w = (1, 1), b = 0``: (0, 0) gives a weighted input of exactly 0, and H(0) = 0 is the right answer there."""
    return _unit(x, (1.0, 1.0), 0.0)


def nand_gate_bias_two(x):
    """``w = (-1, -1), b = 2``: (1, 1) lands exactly on 0, which does not fire, as NAND needs."""
    return _unit(x, (-1.0, -1.0), 2.0)


def xor_or_and_not_and(x):
    """Hidden layer (OR, AND), output ``OR - 2 AND - 0.5 > 0``: OR but not AND."""
    h = np.column_stack([_unit(x, (1.0, 1.0), -0.5), _unit(x, (1.0, 1.0), -1.5)])
    return _unit(h, (1.0, -2.0), -0.5)


def xor_two_one_sided_units(x):
    """Hidden units ``x1 AND NOT x2`` and ``x2 AND NOT x1``, output their OR."""
    h = np.column_stack([_unit(x, (1.0, -1.0), -0.5), _unit(x, (-1.0, 1.0), -0.5)])
    return _unit(h, (1.0, 1.0), -0.5)


# -- perceptron_train ------------------------------------------------------------

def train_in_place_lists(x, y, lr=1.0, max_epochs=100, rng=None):
    """In-place updates of a copy of ``x``, ``errors`` built as a list, ``b`` a NumPy float; prints each epoch."""
    x = np.array(x)
    x = x if np.issubdtype(x.dtype, np.floating) else x.astype(np.float64)
    y = np.asarray(y)
    w = np.zeros(x.shape[1], dtype=x.dtype)
    b = np.float64(0.0)
    errors = []
    for epoch in range(max_epochs):
        mistakes = 0
        for xi, yi in zip(x, y):
            y_hat = 1.0 if np.dot(w, xi) + b > 0 else 0.0
            update = lr * (yi - y_hat)
            w += update * xi
            b += update
            mistakes += int(update != 0)
        errors.append(mistakes)
        print(f"epoch {epoch + 1}: {mistakes} mistakes", file=sys.stdout if mistakes else sys.stderr)
        if mistakes == 0:
            return PerceptronResult(w, b, np.array(errors), True)
    return PerceptronResult(w, b, np.array(errors), False)


def train_augmented_weights(x, y, lr=1.0, max_epochs=100, rng=None):
    """Bias folded into the weights: a column of ones appended to ``x``, one vector ``(w, b)``."""
    x = np.asarray(x)
    dtype = x.dtype if np.issubdtype(x.dtype, np.floating) else np.float64
    xa = np.hstack([x.astype(dtype), np.ones((x.shape[0], 1), dtype=dtype)])
    wa = np.zeros(xa.shape[1], dtype=dtype)
    errors = []
    for _ in range(max_epochs):
        mistakes = 0
        order = range(len(xa)) if rng is None else rng.permutation(len(xa))
        for n in order:
            y_hat = 1 if xa[n, :-1] @ wa[:-1] + wa[-1] > 0 else 0
            if y_hat != y[n]:
                wa = wa + lr * (int(y[n]) - y_hat) * xa[n]
                mistakes += 1
        errors.append(mistakes)
        if mistakes == 0:
            break
    return PerceptronResult(wa[:-1], float(wa[-1]), np.array(errors), errors[-1] == 0)


ALTERNATIVES = {
    "perceptron.step": [step_heaviside, step_where, step_loop],
    "perceptron.perceptron_forward": [forward_einsum, forward_loop],
    "perceptron.and_gate": [and_gate_other_weights],
    "perceptron.or_gate": [or_gate_zero_bias],
    "perceptron.nand_gate": [nand_gate_bias_two],
    "perceptron.xor_gate": [xor_or_and_not_and, xor_two_one_sided_units],
    "perceptron.perceptron_train": [train_in_place_lists, train_augmented_weights],
}
