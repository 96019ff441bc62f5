"""Wrong perceptrons: the mistakes of the perceptron exercise."""
import numpy as np

from grading.mutants import computed_in_float32, float64_output
from solutions import perceptron as ref
from solutions.perceptron import PerceptronResult


def _float_dtype(x):
    x = np.asarray(x)
    return x.dtype if np.issubdtype(x.dtype, np.floating) else np.dtype(np.float64)


# -- step ----------------------------------------------------------------------

def step_ge(x):
    """``x >= 0``: H(0) = 1, where the course's convention is H(0) = 0."""
    x = np.asarray(x)
    return (x >= 0).astype(_float_dtype(x))


def step_half_at_zero(x):
    """``(sign(x) + 1) / 2``: gives 0.5 at exactly 0."""
    return 0.5 * (np.sign(np.asarray(x, dtype=_float_dtype(x))) + 1)


def step_is_sign(x):
    """Confuses the step with the sign function: -1 for negative input."""
    return np.sign(np.asarray(x, dtype=_float_dtype(x)))


def step_boolean(x):
    """``x > 0``: the right 0/1 decisions, but as ``True``/``False`` instead of the numbers 0.0 and 1.0."""
    return np.asarray(x) > 0


def step_integer(x):
    """``(x > 0).astype(int)``: integers 0/1 instead of floating 0.0/1.0."""
    return (np.asarray(x) > 0).astype(int)


# -- perceptron_forward ----------------------------------------------------------

def forward_boolean(x, w, b):
    """Returns the comparison ``x @ w + b > 0`` itself: booleans, not 0.0/1.0."""
    return np.asarray(x) @ np.asarray(w) + b > 0


def forward_fires_at_zero(x, w, b):
    """``x @ w + b >= 0``: fires at a weighted input of exactly 0, where H(0) = 0."""
    z = np.asarray(x) @ np.asarray(w) + b
    return (z >= 0).astype(z.dtype if np.issubdtype(z.dtype, np.floating) else np.float64)


def forward_bias_after_step(x, w, b):
    """Adds the bias after the step: ``step(x @ w) + b``."""
    return ref.step(np.asarray(x) @ np.asarray(w)) + b


def forward_bias_subtracted(x, w, b):
    """Threshold form with the wrong sign: ``step(x @ w - b)``."""
    return ref.step(np.asarray(x) @ np.asarray(w) - b)


def forward_no_bias(x, w, b):
    """Forgets the bias altogether."""
    return ref.step(np.asarray(x) @ np.asarray(w))


# -- gates -----------------------------------------------------------------------

def _unit(x, w, b):
    return ref.perceptron_forward(np.asarray(x), np.array(w, dtype=float), b)


def and_gate_or_bias(x):
    """Bias -0.5 (that of OR): fires as soon as one input is 1."""
    return _unit(x, (1.0, 1.0), -0.5)


def and_gate_threshold_on_the_boundary(x):
    """Bias -2: the weighted input of (1, 1) is exactly 0, and H(0) = 0 never fires."""
    return _unit(x, (1.0, 1.0), -2.0)


def or_gate_and_bias(x):
    """Bias -1.5 (that of AND)."""
    return _unit(x, (1.0, 1.0), -1.5)


def or_gate_threshold_on_the_boundary(x):
    """Bias -1: a single 1 gives a weighted input of exactly 0, which does not fire."""
    return _unit(x, (1.0, 1.0), -1.0)


def nand_gate_unflipped_weights(x):
    """Negates the bias of AND but not its weights: ``w = (1, 1), b = 1.5`` always fires."""
    return _unit(x, (1.0, 1.0), 1.5)


def nand_gate_is_nor(x):
    """Bias 0.5 with weights -1: NOR, fires only for (0, 0)."""
    return _unit(x, (-1.0, -1.0), 0.5)


def and_gate_boolean(x):
    """The right AND, returned as booleans (``(x[:, 0] + x[:, 1] - 1.5) > 0``)."""
    x = np.asarray(x, dtype=np.float64)
    return x[:, 0] + x[:, 1] - 1.5 > 0


def xor_integer(x):
    """The right XOR, as integers 0/1 (``np.logical_xor(...).astype(int)``)."""
    x = np.asarray(x)
    return np.logical_xor(x[:, 0] > 0.5, x[:, 1] > 0.5).astype(int)


def xor_and_of_or_and(x):
    """Hidden layer (OR, AND) instead of (OR, NAND), then AND: computes AND."""
    return ref.and_gate(np.column_stack([ref.or_gate(x), ref.and_gate(x)]))


def xor_or_of_nand_and(x):
    """OR of (NAND, AND): always 1."""
    return ref.or_gate(np.column_stack([ref.nand_gate(x), ref.and_gate(x)]))


def xor_nand_output(x):
    """NAND at the output instead of AND: XNOR."""
    return ref.nand_gate(np.column_stack([ref.or_gate(x), ref.nand_gate(x)]))


# -- perceptron_train ------------------------------------------------------------

def _train(x, y, lr, max_epochs, *, batch=False, fire_at_zero=False, no_bias=False,
           stop_rule="no_mistake", count="mistakes", dtype=None, errors_as=np.array, converged_as=bool):
    x = np.asarray(x)
    dtype = dtype or _float_dtype(x)
    x = x.astype(dtype)
    y = np.asarray(y, dtype=np.float64)
    w = np.zeros(x.shape[1], dtype=dtype)
    b = 0.0
    errors, converged = [], False
    for _ in range(max_epochs):
        mistakes = 0
        if batch:
            y_hat = (x @ w + b > 0).astype(np.float64)
            delta = lr * (y - y_hat)
            w = w + delta @ x
            b = b + delta.sum()
            mistakes = int(np.count_nonzero(delta))
        else:
            for n in range(x.shape[0]):
                z = x[n] @ w + b
                y_hat = 1.0 if (z >= 0 if fire_at_zero else z > 0) else 0.0
                delta = lr * (y[n] - y_hat)
                if delta != 0:
                    w = w + delta * x[n]
                    if not no_bias:
                        b = b + delta
                    mistakes += 1
        errors.append(mistakes if count == "mistakes" else sum(errors) + mistakes)
        if stop_rule == "no_mistake" and mistakes == 0:
            converged = True
            break
        if stop_rule == "end_of_epoch_check" and np.array_equal(x @ w + b > 0, y == 1):
            converged = True
            break
    return PerceptronResult(w=w, b=float(b), errors=errors_as(errors), converged=converged_as(converged))


def train_batch_perceptron(x, y, lr=1.0, max_epochs=100, rng=None):
    """Predicts the whole epoch with the weights from its start, then updates once (the batch perceptron)."""
    return _train(x, y, lr, max_epochs, batch=True)


def train_fires_at_zero(x, y, lr=1.0, max_epochs=100, rng=None):
    """Predicts 1 at a weighted input of exactly 0 (so the very first prediction, with w = 0, is 1)."""
    return _train(x, y, lr, max_epochs, fire_at_zero=True)


def train_bias_never_updated(x, y, lr=1.0, max_epochs=100, rng=None):
    """Updates ``w`` on a mistake but forgets ``b``."""
    return _train(x, y, lr, max_epochs, no_bias=True)


def train_stops_when_end_weights_fit(x, y, lr=1.0, max_epochs=100, rng=None):
    """Stops after an epoch whose *final* weights classify everything, even if the epoch made mistakes."""
    return _train(x, y, lr, max_epochs, stop_rule="end_of_epoch_check")


def train_never_stops_early(x, y, lr=1.0, max_epochs=100, rng=None):
    """Always runs ``max_epochs`` epochs and reports ``converged=False``."""
    return _train(x, y, lr, max_epochs, stop_rule="never")


def train_cumulative_errors(x, y, lr=1.0, max_epochs=100, rng=None):
    """Records the running total of mistakes instead of the mistakes of each epoch."""
    return _train(x, y, lr, max_epochs, count="cumulative")


def train_float64_weights(x, y, lr=1.0, max_epochs=100, rng=None):
    """``w = np.zeros(D)``: float64 weights whatever the input, so float32 in gives float64 out."""
    return _train(x, y, lr, max_epochs, dtype=np.float64)


def train_errors_as_float_array(x, y, lr=1.0, max_epochs=100, rng=None):
    """Counts the mistakes in a float array (``np.zeros(max_epochs)``): ``errors`` should be integers."""
    return _train(x, y, lr, max_epochs, errors_as=lambda e: np.array(e, dtype=np.float64))


def train_errors_as_list(x, y, lr=1.0, max_epochs=100, rng=None):
    """Returns ``errors`` as the Python list it was built in, not the documented integer array."""
    return _train(x, y, lr, max_epochs, errors_as=list)


def train_converged_as_int(x, y, lr=1.0, max_epochs=100, rng=None):
    """Reports convergence as the number 1 or 0 instead of the bool the result promises."""
    return _train(x, y, lr, max_epochs, converged_as=int)


MUTANTS = {
    "perceptron.step": [step_ge, step_half_at_zero, step_is_sign, step_boolean, step_integer],
    "perceptron.perceptron_forward": [forward_bias_after_step, forward_bias_subtracted, forward_no_bias,
                                      forward_boolean, forward_fires_at_zero],
    "perceptron.and_gate": [and_gate_or_bias, and_gate_threshold_on_the_boundary, and_gate_boolean],
    "perceptron.or_gate": [or_gate_and_bias, or_gate_threshold_on_the_boundary],
    "perceptron.nand_gate": [nand_gate_unflipped_weights, nand_gate_is_nor],
    "perceptron.xor_gate": [xor_and_of_or_and, xor_or_of_nand_and, xor_nand_output, xor_integer],
    "perceptron.perceptron_train": [train_batch_perceptron, train_fires_at_zero, train_bias_never_updated,
                                    train_stops_when_end_weights_fit, train_never_stops_early,
                                    train_cumulative_errors, train_float64_weights, train_errors_as_float_array,
                                    train_errors_as_list, train_converged_as_int],
}

# The precision mistakes. A float32 shortcut changes the 0/1 outputs of perceptron_forward
# and the gates on no hidden input (accepted by design), and the gates' precision is free.
MUTANTS["perceptron.step"] += [computed_in_float32("perceptron.step", __name__),
                               float64_output("perceptron.step", __name__)]
MUTANTS["perceptron.perceptron_forward"] += [float64_output("perceptron.perceptron_forward", __name__)]
MUTANTS["perceptron.perceptron_train"] += [computed_in_float32("perceptron.perceptron_train", __name__),
                                           float64_output("perceptron.perceptron_train", __name__)]
