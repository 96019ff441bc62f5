"""Known mistakes of the perceptron exercise (see :mod:`autograder.judge.catalogue`)."""
import numpy as np

from autograder.judge.catalogue import computed_in_float32, float64_output, mistake
from solutions import perceptron as ref
from solutions.perceptron import PerceptronResult

#: The book section that teaches each graded function (an anchor of its chapter's page).
SECTIONS = {
    "step": "the-perceptron",
    "perceptron_forward": "the-perceptron",
    "and_gate": "logic-gates-from-a-single-perceptron",
    "or_gate": "logic-gates-from-a-single-perceptron",
    "nand_gate": "logic-gates-from-a-single-perceptron",
    "xor_gate": "two-layers-solve-xor",
    "perceptron_train": "the-perceptron-learning-rule",
}

#: Entries that give the same outcomes on every hidden case (``<function>/<key>``): the grader names them
#: together, and the mutant suite expects that.
ALIKE = [
    # On 0/1 inputs the bias -1.5 and the bias -1 make the same gate (AND).
    ("or_gate/and-bias", "or_gate/on-the-boundary"),
    # Both give float64 results computed in float64 from float32 data.
    ("perceptron_train/float64-weights", "perceptron_train/float64-output"),
]


def _float_dtype(x):
    x = np.asarray(x)
    return x.dtype if np.issubdtype(x.dtype, np.floating) else np.dtype(np.float64)


# -- step ----------------------------------------------------------------------

@mistake("perceptron.step", "fires-at-zero",
         name="the step is 1 at exactly 0",
         explain="Your step function gives 1 for an input of exactly 0. The course's Heaviside step gives 0 there: a "
                 "unit fires only when its input is strictly positive.")
def step_ge(x):
    """``x >= 0``: H(0) = 1, where the course's convention is H(0) = 0."""
    x = np.asarray(x)
    return (x >= 0).astype(_float_dtype(x))


@mistake("perceptron.step", "half-at-zero",
         name="the step is one half at exactly 0",
         explain="Your step gives 0.5 for an input of exactly 0, as a formula built on the sign function does. The "
                 "step takes only the values 0 and 1, and is 0 at exactly 0.")
def step_half_at_zero(x):
    """``(sign(x) + 1) / 2``: gives 0.5 at exactly 0."""
    return 0.5 * (np.sign(np.asarray(x, dtype=_float_dtype(x))) + 1)


@mistake("perceptron.step", "sign-function",
         name="the sign function instead of the step",
         explain="Your function gives −1 for negative inputs: that is the sign function. The step gives 0 for every "
                 "input that is not strictly positive.")
def step_is_sign(x):
    """Confuses the step with the sign function: -1 for negative input."""
    return np.sign(np.asarray(x, dtype=_float_dtype(x)))


@mistake("perceptron.step", "booleans",
         name="True and False instead of 0.0 and 1.0",
         explain="Your decisions are right, but they come back as booleans. A step returns the numbers 0.0 and 1.0 "
                 "in a floating-point array, so that they can be added, multiplied and compared with targets.")
def step_boolean(x):
    """``x > 0``: the right 0/1 decisions, but as ``True``/``False`` instead of the numbers 0.0 and 1.0."""
    return np.asarray(x) > 0


@mistake("perceptron.step", "integers",
         name="integers instead of floating-point 0.0 and 1.0",
         explain="Your decisions are right, but they come back as integers. The step returns floating-point numbers: "
                 "float32 for float32 input, float64 for anything else.")
def step_integer(x):
    """``(x > 0).astype(int)``: integers 0/1 instead of floating 0.0/1.0."""
    return (np.asarray(x) > 0).astype(int)


# -- perceptron_forward ----------------------------------------------------------

@mistake("perceptron.perceptron_forward", "booleans",
         name="True and False instead of 0.0 and 1.0",
         explain="Your decisions are right, but they come back as booleans. A step returns the numbers 0.0 and 1.0 "
                 "in a floating-point array, so that they can be added, multiplied and compared with targets.")
def forward_boolean(x, w, b):
    """Returns the comparison ``x @ w + b > 0`` itself: booleans, not 0.0/1.0."""
    return np.asarray(x) @ np.asarray(w) + b > 0


@mistake("perceptron.perceptron_forward", "fires-at-zero",
         name="fires at a weighted input of exactly 0",
         explain="Your unit fires when w·x + b is exactly 0. In this course a unit fires only when w·x + b is "
                 "strictly positive: a point on the boundary gives 0.")
def forward_fires_at_zero(x, w, b):
    """``x @ w + b >= 0``: fires at a weighted input of exactly 0, where H(0) = 0."""
    z = np.asarray(x) @ np.asarray(w) + b
    return (z >= 0).astype(z.dtype if np.issubdtype(z.dtype, np.floating) else np.float64)


@mistake("perceptron.perceptron_forward", "bias-after-step",
         name="the bias added after the step",
         explain="You add the bias to the output of the step instead of to the weighted sum inside it. The bias "
                 "moves the threshold, so it must be added before the step decides.")
def forward_bias_after_step(x, w, b):
    """Adds the bias after the step: ``step(x @ w) + b``."""
    return ref.step(np.asarray(x) @ np.asarray(w)) + b


@mistake("perceptron.perceptron_forward", "bias-subtracted",
         name="the bias subtracted",
         explain="You subtract the bias from the weighted sum instead of adding it, so the threshold moves the wrong "
                 "way. The unit fires when w·x + b is positive.")
def forward_bias_subtracted(x, w, b):
    """Threshold form with the wrong sign: ``step(x @ w - b)``."""
    return ref.step(np.asarray(x) @ np.asarray(w) - b)


@mistake("perceptron.perceptron_forward", "no-bias",
         name="the bias left out",
         explain="The bias is not used, so the decision boundary always passes through the origin. The unit fires "
                 "when w·x + b, not w·x alone, is positive.")
def forward_no_bias(x, w, b):
    """Forgets the bias altogether."""
    return ref.step(np.asarray(x) @ np.asarray(w))


# -- gates -----------------------------------------------------------------------

def _unit(x, w, b):
    return ref.perceptron_forward(np.asarray(x), np.array(w, dtype=float), b)


@mistake("perceptron.and_gate", "or-bias",
         name="the bias of OR",
         explain="Your threshold is that of OR: the unit fires as soon as one input is 1. AND needs a bias that only "
                 "the input (1, 1) can overcome.")
def and_gate_or_bias(x):
    """Bias -0.5 (that of OR): fires as soon as one input is 1."""
    return _unit(x, (1.0, 1.0), -0.5)


@mistake("perceptron.and_gate", "on-the-boundary",
         name="(1, 1) exactly on the boundary",
         explain="With your bias the input (1, 1) gives a weighted sum of exactly 0, and a unit does not fire at 0. "
                 "Put the threshold strictly between the sums of (1, 0) and (1, 1).")
def and_gate_threshold_on_the_boundary(x):
    """Bias -2: the weighted input of (1, 1) is exactly 0, and H(0) = 0 never fires."""
    return _unit(x, (1.0, 1.0), -2.0)


@mistake("perceptron.or_gate", "and-bias",
         name="the bias of AND",
         explain="Your threshold is that of AND, so the unit fires only for (1, 1). OR must fire as soon as one "
                 "input is 1.")
def or_gate_and_bias(x):
    """Bias -1.5 (that of AND)."""
    return _unit(x, (1.0, 1.0), -1.5)


@mistake("perceptron.or_gate", "on-the-boundary",
         name="a single 1 exactly on the boundary",
         explain="With your bias an input with a single 1 gives a weighted sum of exactly 0, and a unit does not "
                 "fire at 0. Put the threshold strictly between the sums of (0, 0) and (1, 0).")
def or_gate_threshold_on_the_boundary(x):
    """Bias -1: a single 1 gives a weighted input of exactly 0, which does not fire."""
    return _unit(x, (1.0, 1.0), -1.0)


@mistake("perceptron.nand_gate", "bias-negated-only",
         name="only the bias of AND negated",
         explain="NAND is AND with the weights and the bias all negated. Negating only the bias gives a unit that "
                 "fires for every input.")
def nand_gate_unflipped_weights(x):
    """Negates the bias of AND but not its weights: ``w = (1, 1), b = 1.5`` always fires."""
    return _unit(x, (1.0, 1.0), 1.5)


@mistake("perceptron.nand_gate", "nor",
         name="NOR instead of NAND",
         explain="Your unit fires only for (0, 0): that is NOR. NAND fires for every input except (1, 1).")
def nand_gate_is_nor(x):
    """Bias 0.5 with weights -1: NOR, fires only for (0, 0)."""
    return _unit(x, (-1.0, -1.0), 0.5)


@mistake("perceptron.and_gate", "booleans",
         name="True and False instead of 0.0 and 1.0",
         explain="Your decisions are right, but they come back as booleans. A step returns the numbers 0.0 and 1.0 "
                 "in a floating-point array, so that they can be added, multiplied and compared with targets.")
def and_gate_boolean(x):
    """The right AND, returned as booleans (``(x[:, 0] + x[:, 1] - 1.5) > 0``)."""
    x = np.asarray(x, dtype=np.float64)
    return x[:, 0] + x[:, 1] - 1.5 > 0


@mistake("perceptron.xor_gate", "integers",
         name="integers instead of floating-point 0.0 and 1.0",
         explain="Your XOR is right, but it comes back as integers. The gates return floating-point 0.0 and 1.0, "
                 "like the perceptrons they are made of.")
def xor_integer(x):
    """The right XOR, as integers 0/1 (``np.logical_xor(...).astype(int)``)."""
    x = np.asarray(x)
    return np.logical_xor(x[:, 0] > 0.5, x[:, 1] > 0.5).astype(int)


@mistake("perceptron.xor_gate", "and-hidden-unit",
         name="AND in the hidden layer instead of NAND",
         explain="With OR and AND as hidden units and AND at the output, the network computes AND. XOR is true when "
                 "at least one input is 1 (OR) but not both (NAND): OR and NAND, combined by AND.")
def xor_and_of_or_and(x):
    """Hidden layer (OR, AND) instead of (OR, NAND), then AND: computes AND."""
    return ref.and_gate(np.column_stack([ref.or_gate(x), ref.and_gate(x)]))


@mistake("perceptron.xor_gate", "or-output",
         name="NAND and AND combined by OR",
         explain="NAND and AND of the same input are never both 0, so combining them with OR gives 1 everywhere. The "
                 "hidden layer needs OR and NAND, and the output unit AND.")
def xor_or_of_nand_and(x):
    """OR of (NAND, AND): always 1."""
    return ref.or_gate(np.column_stack([ref.nand_gate(x), ref.and_gate(x)]))


@mistake("perceptron.xor_gate", "nand-output",
         name="NAND at the output (XNOR)",
         explain="With NAND as the output unit the network computes XNOR, the opposite of XOR. The output unit must "
                 "be AND.")
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


@mistake("perceptron.perceptron_train", "batch-updates",
         name="one update per epoch",
         explain="You predict the whole epoch with the weights from its start and update once at its end (the batch "
                 "perceptron). Rosenblatt's rule updates after every single example, so each prediction uses the "
                 "weights left by the previous one.")
def train_batch_perceptron(x, y, lr=1.0, max_epochs=100, rng=None):
    """Predicts the whole epoch with the weights from its start, then updates once (the batch perceptron)."""
    return _train(x, y, lr, max_epochs, batch=True)


@mistake("perceptron.perceptron_train", "fires-at-zero",
         name="predicts 1 at a weighted input of exactly 0",
         explain="Your prediction fires when w·x + b is exactly 0, so already the first prediction, with zero "
                 "weights, is 1. The step is 0 at exactly 0: the first example of class 1 is the first mistake.")
def train_fires_at_zero(x, y, lr=1.0, max_epochs=100, rng=None):
    """Predicts 1 at a weighted input of exactly 0 (so the very first prediction, with w = 0, is 1)."""
    return _train(x, y, lr, max_epochs, fire_at_zero=True)


@mistake("perceptron.perceptron_train", "bias-not-updated",
         name="the bias is never updated",
         explain="Your rule updates the weights after a mistake but not the bias, so the boundary cannot leave the "
                 "origin. The bias moves by the learning rate times the error, like a weight whose input is always 1.")
def train_bias_never_updated(x, y, lr=1.0, max_epochs=100, rng=None):
    """Updates ``w`` on a mistake but forgets ``b``."""
    return _train(x, y, lr, max_epochs, no_bias=True)


@mistake("perceptron.perceptron_train", "stops-early",
         name="stops when the final weights fit",
         explain="You stop after an epoch whose final weights classify everything, even if that epoch made mistakes. "
                 "The rule stops only after an epoch without a single mistake, and that mistake-free epoch is "
                 "counted too.")
def train_stops_when_end_weights_fit(x, y, lr=1.0, max_epochs=100, rng=None):
    """Stops after an epoch whose *final* weights classify everything, even if the epoch made mistakes."""
    return _train(x, y, lr, max_epochs, stop_rule="end_of_epoch_check")


@mistake("perceptron.perceptron_train", "never-stops",
         name="never stops early",
         explain="You always run every epoch and report no convergence. Training stops after the first epoch without "
                 "a mistake, and reports that it converged.")
def train_never_stops_early(x, y, lr=1.0, max_epochs=100, rng=None):
    """Always runs ``max_epochs`` epochs and reports ``converged=False``."""
    return _train(x, y, lr, max_epochs, stop_rule="never")


@mistake("perceptron.perceptron_train", "cumulative-errors",
         name="a running total of mistakes",
         explain="Your list of errors holds the running total of mistakes. It should hold the number of mistakes "
                 "made in each epoch, so that a 0 marks a mistake-free epoch.")
def train_cumulative_errors(x, y, lr=1.0, max_epochs=100, rng=None):
    """Records the running total of mistakes instead of the mistakes of each epoch."""
    return _train(x, y, lr, max_epochs, count="cumulative")


@mistake("perceptron.perceptron_train", "float64-weights",
         name="float64 weights for float32 data",
         explain="Your weights start as a float64 array whatever the data, so float32 data gives float64 weights. "
                 "Start from zeros of the data's floating dtype: float32 in, float32 out.",
         see="how-to-use#rules")
def train_float64_weights(x, y, lr=1.0, max_epochs=100, rng=None):
    """``w = np.zeros(D)``: float64 weights whatever the input, so float32 in gives float64 out."""
    return _train(x, y, lr, max_epochs, dtype=np.float64)


@mistake("perceptron.perceptron_train", "float-errors",
         name="mistake counts as floating-point numbers",
         explain="Your mistake counts are stored as floating-point numbers. They are counts: an integer array with "
                 "one entry per epoch run.")
def train_errors_as_float_array(x, y, lr=1.0, max_epochs=100, rng=None):
    """Counts the mistakes in a float array (``np.zeros(max_epochs)``): ``errors`` should be integers."""
    return _train(x, y, lr, max_epochs, errors_as=lambda e: np.array(e, dtype=np.float64))


@mistake("perceptron.perceptron_train", "errors-as-list",
         name="mistake counts as a list",
         explain="Your mistake counts come back as a Python list. The result promises an integer array with one "
                 "entry per epoch run.")
def train_errors_as_list(x, y, lr=1.0, max_epochs=100, rng=None):
    """Returns ``errors`` as the Python list it was built in, not the documented integer array."""
    return _train(x, y, lr, max_epochs, errors_as=list)


@mistake("perceptron.perceptron_train", "converged-as-number",
         name="convergence reported as a number",
         explain="You report convergence as the number 1 or 0. The result's converged field is a bool, True or False.")
def train_converged_as_int(x, y, lr=1.0, max_epochs=100, rng=None):
    """Reports convergence as the number 1 or 0 instead of the bool the result promises."""
    return _train(x, y, lr, max_epochs, converged_as=int)


# The precision mistakes. A float32 shortcut changes the 0/1 outputs of perceptron_forward
# and the gates on no hidden input (accepted by design), and the gates' precision is free.
computed_in_float32("perceptron.step", __name__)
float64_output("perceptron.step", __name__)
float64_output("perceptron.perceptron_forward", __name__)
computed_in_float32("perceptron.perceptron_train", __name__)
float64_output("perceptron.perceptron_train", __name__)
