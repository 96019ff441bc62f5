"""Practice checks for the perceptron exercise: one function per graded function."""
import numpy as np

from coursekit.practice import Mismatch, Practice, call, expect, expect_close, expect_dtype, expect_shape, with_zeros

TRUTH = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])


def _zero_one(out, what):
    """0.0/1.0 numbers, not booleans."""
    out = np.asarray(out)
    expect(out.dtype != np.bool_, f"{what} holds True/False values: the outputs are the numbers 0.0 and 1.0")
    expect(np.issubdtype(out.dtype, np.floating), f"{what} has dtype {out.dtype}: the outputs are floating 0.0 and 1.0")
    return out


def practice_step(step):
    """Practice checks of `step`; True when all pass."""
    p = Practice("step")
    rng = p.rng

    def by_hand():
        x = np.array([[-2.0, -0.0, 0.0], [1e-300, 3.0, -1e-300], [5e-324, 1e4, -1e4]])
        out = _zero_one(expect_shape(call(step, x), x.shape, "step(x)"), "step(x)")
        expect_close(out, [[0, 0, 0], [1, 1, 0], [1, 1, 0]],
                     "step of (-2, -0, 0 / 1e-300, 3, -1e-300 / 5e-324, 1e4, -1e4)", rtol=0, atol=0)

    def shapes_with_zeros():
        for shape in [(1, 6), (5, 3), (2, 3, 2, 2)]:
            x = with_zeros(rng, shape)
            out = _zero_one(expect_shape(call(step, x), shape, f"the output for shape {shape}"), "the output")
            expect(np.all(out[x > 0] == 1), "a positive input did not give 1")
            expect(np.all(out[x <= 0] == 0), "an input ≤ 0 did not give 0 (H(0) = 0 in this course)")

    def dtypes():
        x = with_zeros(rng, (4, 3))
        expect_dtype(call(step, x.astype(np.float32)), np.float32, "step of float32 input")
        out = expect_dtype(call(step, rng.integers(-3, 4, size=(3, 4))), np.float64, "step of integer input")
        expect(set(np.unique(out)) <= {0.0, 1.0}, "step of integer input gave values other than 0 and 1")

    def lists_and_numbers():
        out = call(step, [-1.5, 0.0, 2.0, 0.0])
        expect_close(out, [0.0, 0.0, 1.0, 0.0], "step of the list [-1.5, 0, 2, 0]", rtol=0, atol=0)
        expect_close(call(step, 0.0), 0.0, "step(0.0)", rtol=0, atol=0)
        expect_close(call(step, 2), 1.0, "step(2)", rtol=0, atol=0)

    p.check("H(0) = 0, tiny and large values, signed zeros, by hand", by_hand,
            hint="only strictly positive inputs give 1: x > 0, not x >= 0.")
    p.check("exact zeros in a single row, a matrix and a 4-D array", shapes_with_zeros)
    p.check("float32 gives float32, integers give float64", dtypes)
    p.check("a Python list and single numbers", lists_and_numbers, hint="np.asarray(x) accepts lists and numbers.")
    return p.ok


def _layer_input(rng, N, D, M=None, scalar_bias=False):
    """x, w, b (and x @ w + b) with every weighted input at least 1e-3 away from 0."""
    shape_w = (D, M) if M else (D,)
    for _ in range(1000):
        x, w = rng.normal(size=(N, D)), rng.normal(size=shape_w)
        b = rng.normal(size=M) if M and not scalar_bias else rng.normal()
        z = x @ w + b
        if np.abs(z).min() > 1e-3:
            return x, w, b, z
    raise RuntimeError("no input far enough from the kink")


def practice_perceptron_forward(perceptron_forward):
    """Practice checks of `perceptron_forward`; True when all pass."""
    p = Practice("perceptron_forward")
    rng = p.rng

    def fires_where_positive(out, z, what):
        out = _zero_one(expect_shape(out, z.shape, what), what)
        bad = out != (z > 0)
        if bad.any():
            idx = tuple(int(i) for i in np.argwhere(bad)[0])
            raise Mismatch(f"{what}: at index {idx} the weighted input x·w + b is {z[idx]:.4g}, "
                           f"so the output should be {float(z[idx] > 0):g}, got {out[idx]:g}")

    def by_hand():
        x = TRUTH.astype(np.float64)
        expect_close(call(perceptron_forward, x, np.array([1.0, 1.0]), -1.5), [0, 0, 0, 1],
                     "one unit w = (1, 1), b = -1.5 (AND) on the truth table", rtol=0, atol=0)
        expect_close(call(perceptron_forward, x, np.ones((2, 2)), np.array([-1.5, -0.5])),
                     [[0, 0], [0, 1], [0, 1], [1, 1]], "two units (AND, OR) on the truth table", rtol=0, atol=0)

    def one_unit():
        for N, D in [(1, 3), (6, 4), (9, 2)]:
            x, w, b, z = _layer_input(rng, N, D)
            fires_where_positive(call(perceptron_forward, x, w, b), z, f"one unit, x of shape {(N, D)}")

    def layers():
        for N, D, M in [(1, 3, 4), (7, 5, 3)]:
            x, w, b, z = _layer_input(rng, N, D, M)
            fires_where_positive(call(perceptron_forward, x, w, b), z, f"{M} units, x of shape {(N, D)}")
        x, w, b, z = _layer_input(rng, 6, 3, 4, scalar_bias=True)
        fires_where_positive(call(perceptron_forward, x, w, b), z, "4 units sharing one scalar bias")

    def exactly_zero():
        # Weighted inputs of exactly 0 (integers, so in any order of summation): H(0) = 0, the unit does not fire.
        x = np.array([[1.0, 1.0], [2.0, 1.0], [0.0, 0.0]])
        out = call(perceptron_forward, x, np.array([1.0, -1.0]), 0.0)
        expect_close(out, [0.0, 1.0, 0.0], "one unit w = (1, -1), b = 0 on (1, 1), (2, 1), (0, 0): "
                     "weighted inputs 0, 1, 0", rtol=0, atol=0)
        w, b = np.array([[1.0, -1.0], [-1.0, 2.0]]), np.array([0.0, -1.0])
        expect_close(call(perceptron_forward, x, w, b), [[0.0, 0.0], [1.0, 0.0], [0.0, 0.0]],
                     "two units whose weighted inputs include exact zeros", rtol=0, atol=0)

    def other_dtypes():
        while True:
            x = rng.integers(0, 3, size=(7, 4))
            w = rng.standard_normal((4, 3))
            b = rng.standard_normal(3)
            z = x @ w + b
            if np.all(np.abs(z) > 1e-3):
                break
        fires_where_positive(call(perceptron_forward, x, w, b), z, "integer input")
        x, w, b, z = _layer_input(rng, 5, 3, 2)
        x32, w32, b32 = x.astype(np.float32), w.astype(np.float32), b.astype(np.float32)
        out32 = call(perceptron_forward, x32, w32, b32)
        fires_where_positive(out32, x32.astype(np.float64) @ w32 + b32, "float32 input")
        expect_dtype(out32, np.float32, "the output for float32 input")
        expect_dtype(call(perceptron_forward, x.astype(np.int64), w.astype(np.int64), b.astype(np.int64)),
                     np.float64, "the output for integer input and weights")

    p.check("AND and (AND, OR) on the truth table, by hand", by_hand)
    p.check("one unit: fires exactly where x·w + b > 0, a single row included", one_unit,
            hint="step(x @ w + b): the bias goes inside the step, added, not subtracted.")
    p.check("layers of M units, and M units sharing a scalar bias", layers,
            hint="x @ w has shape (N, M); b broadcasts over the rows.")
    p.check("weighted inputs of exactly 0 do not fire", exactly_zero, hint="H(0) = 0: x @ w + b > 0, strictly.")
    p.check("integer and float32 input: float32 stays float32, integers give float64", other_dtypes)
    return p.ok


def _gate_practice(name, gate, truth_value):
    p = Practice(name)
    rng = p.rng

    def table():
        out = _zero_one(expect_shape(call(gate, TRUTH.copy()), (4,), "the output on the truth table"), "the output")
        expect_close(out, truth_value(TRUTH), f"{name} on the truth table (0,0), (0,1), (1,0), (1,1)", rtol=0, atol=0)

    def random_rows():
        for N in (1, 9, 23):
            x = (rng.uniform(size=(N, 2)) < 0.5).astype(np.float64)
            expect_close(expect_shape(call(gate, x), (N,), f"the output for {N} rows"), truth_value(x),
                         f"{name} of {N} random 0/1 rows", rtol=0, atol=0)

    def dtypes():
        x = np.array([[1, 1], [0, 1], [1, 0], [0, 0], [1, 1], [1, 0], [0, 0], [0, 1]])
        expect_close(call(gate, x), truth_value(x), f"{name} of integer rows", rtol=0, atol=0)
        x32 = x.astype(np.float32)
        expect_close(call(gate, x32), truth_value(x), f"{name} of float32 rows", rtol=0, atol=0)

    p.check("the truth table", table)
    p.check("random 0/1 rows: 1, 9 and 23 of them", random_rows)
    p.check("integer and float32 rows", dtypes)
    return p


def practice_and_gate(and_gate):
    """Practice checks of `and_gate`; True when all pass."""
    return _gate_practice("and_gate", and_gate, lambda x: (x[:, 0] * x[:, 1]).astype(np.float64)).ok


def practice_or_gate(or_gate):
    """Practice checks of `or_gate`; True when all pass."""
    return _gate_practice("or_gate", or_gate, lambda x: np.maximum(x[:, 0], x[:, 1]).astype(np.float64)).ok


def practice_nand_gate(nand_gate):
    """Practice checks of `nand_gate`; True when all pass."""
    return _gate_practice("nand_gate", nand_gate, lambda x: (1 - x[:, 0] * x[:, 1]).astype(np.float64)).ok


def practice_xor_gate(xor_gate):
    """Practice checks of `xor_gate`; True when all pass."""
    return _gate_practice("xor_gate", xor_gate, lambda x: (x[:, 0] != x[:, 1]).astype(np.float64)).ok


# -- the learning rule -----------------------------------------------------------

def _result(result, dtype=np.float64):
    """`(w, b, errors, converged)` read from the returned named tuple, each of the documented type."""
    for field in ("w", "b", "errors", "converged"):
        if not hasattr(result, field):
            raise Mismatch(f"the result has no field '{field}': return the given PerceptronResult")
    expect_dtype(result.w, dtype, "w (the floating dtype of x)")
    expect(np.ndim(result.b) == 0 and isinstance(result.b, (float, np.floating, int, np.integer)),
           f"b is a {type(result.b).__name__}, expected a number")
    if isinstance(result.errors, np.ndarray):
        expect(np.issubdtype(result.errors.dtype, np.integer), f"errors has dtype {result.errors.dtype}: "
               "expected an integer array (np.array(counts), counts being ints)")
    else:
        raise Mismatch(f"errors is a {type(result.errors).__name__}: "
                       "expected an integer array (np.array(counts), counts being ints)")
    expect(result.errors.ndim == 1, f"errors has shape {result.errors.shape}: one count per epoch run")
    expect(isinstance(result.converged, (bool, np.bool_)),
           f"converged is {result.converged!r} ({type(result.converged).__name__}): expected True or False")
    return np.asarray(result.w, dtype=np.float64), float(result.b), result.errors, bool(result.converged)


def _separable(rng, N, D, margin=0.1):
    """N points around an offset centre, labelled by a random hyperplane, none within `margin` of it."""
    normal = rng.normal(size=D)
    normal = normal / np.sqrt(normal @ normal)
    offset = rng.uniform(-3, 3, size=D)
    points = []
    while len(points) < N:
        p = offset + rng.normal(size=D)
        if abs((p - offset) @ normal - 0.2) >= margin:
            points.append(p)
    x = np.array(points)
    return x, ((x - offset) @ normal > 0.2).astype(np.int64)


def practice_perceptron_train(perceptron_train):
    """Practice checks of `perceptron_train`; True when all pass."""
    p = Practice("perceptron_train")
    rng = p.rng

    def and_by_hand():
        w, b, errors, converged = _result(call(perceptron_train, TRUTH.astype(np.float64), np.array([0, 0, 0, 1])))
        expect_close(errors, [1, 3, 3, 2, 1, 0], "AND: mistakes per epoch (traced by hand in the visible checks)",
                     rtol=0, atol=0)
        expect_close(w, [2.0, 1.0], "AND: w", rtol=0, atol=1e-12)
        expect_close(b, -2.0, "AND: b", rtol=0, atol=1e-12)
        expect(converged is True or converged == True, f"AND: converged is {converged!r}, expected True")  # noqa: E712

    def or_by_hand():
        # OR, lr = 1, integer input: epoch 1 only (0,1) is wrong -> w = (0, 1), b = 1; epoch 2 (0,0) and (1,0)
        # are wrong -> w = (1, 1), b = 1; epoch 3 (0,0) is wrong -> b = 0; epoch 4 makes no mistake.
        w, b, errors, converged = _result(call(perceptron_train, TRUTH.copy(), np.array([0, 1, 1, 1])))
        expect_close(errors, [1, 2, 1, 0], "OR: mistakes per epoch", rtol=0, atol=0)
        expect_close(np.append(w, b), [1.0, 1.0, 0.0], "OR: (w, b)", rtol=0, atol=1e-12)

    def tiny_cases():
        x = rng.standard_normal((1, 3))
        w, b, errors, converged = _result(call(perceptron_train, x, np.array([1])))
        # The first prediction, with w = 0 and b = 0, is H(0) = 0: one mistake, then w = x, b = 1.
        expect_close(errors, [1, 0], "a single sample with label 1: mistakes per epoch", rtol=0, atol=0)
        expect_close(np.append(w, b), np.append(x[0], 1.0), "a single sample with label 1: (w, b) after one update",
                     rtol=1e-12, atol=1e-12)
        w, b, errors, converged = _result(call(perceptron_train, rng.standard_normal((6, 2)), np.zeros(6, dtype=int)))
        expect_close(errors, [0], "all labels 0: mistakes per epoch (H(0) = 0 is already right)", rtol=0, atol=0)
        expect_close(np.append(w, b), np.zeros(3), "all labels 0: (w, b) (nothing to learn)", rtol=0, atol=0)

    def separable():
        for N, D in [(20, 2), (40, 5)]:
            x, y = _separable(rng, N, D)
            w, b, errors, converged = _result(call(perceptron_train, x, y))
            expect(bool(converged), f"{N} separable points in {D}-D: converged is {converged!r}, expected True")
            expect(errors[-1] == 0, f"{N} separable points: converged, but the last epoch made {errors[-1]} mistakes")
            expect(np.all((errors >= 0) & (errors <= N)),
                   f"{N} points: mistakes per epoch {errors.tolist()}: each epoch can make at most {N}")
            wrong = int(np.sum((x @ w + b > 0) != y))
            expect(wrong == 0, f"{N} separable points: the returned w and b misclassify {wrong} of them")

    def learning_rate():
        x, y = _separable(rng, 15, 3)
        w1, b1, e1, _ = _result(call(perceptron_train, x, y, lr=1.0))
        w2, b2, e2, _ = _result(call(perceptron_train, x, y, lr=0.1))
        expect_close(e2, e1, "mistakes per epoch with lr = 0.1 (the same as with lr = 1)", rtol=0, atol=0)
        expect_close(np.append(w2, b2), 0.1 * np.append(w1, b1), "(w, b) with lr = 0.1 (0.1 times those with lr = 1)",
                     rtol=1e-9, atol=1e-12)

    def not_separable():
        repeated = rng.normal(size=(6, 3))
        contradicting = (np.vstack([repeated, repeated[:2]]), np.array([0, 1, 1, 0, 1, 0, 1, 1]))
        for x, y, epochs, what in [(TRUTH.astype(np.float64), np.array([0, 1, 1, 0]), 10, "XOR"),
                                   (*contradicting, 7, "a point given twice with both labels")]:
            w, b, errors, converged = _result(call(perceptron_train, x, y, max_epochs=epochs))
            expect(not converged, f"{what}: converged is {converged!r}, expected False")
            expect(len(errors) == epochs, f"{what}, max_epochs={epochs}: {len(errors)} epochs recorded")
            expect(np.all((errors > 0) & (errors <= len(y))),
                   f"{what}: mistakes per epoch {errors.tolist()}: each between 1 and {len(y)}")
        x, y = _separable(rng, 25, 4, margin=0.02)
        w, b, errors, converged = _result(call(perceptron_train, x, y, max_epochs=1))
        expect(len(errors) == 1, f"max_epochs=1: {len(errors)} epochs recorded")
        expect(bool(converged) == (errors[0] == 0), "max_epochs=1: converged should say whether that epoch was perfect")

    def float32():
        quarters = np.arange(-8, 9) / 4                       # exact in float32
        grid = np.column_stack([rng.choice(quarters, 16), rng.choice(quarters, 16)]).astype(np.float32)
        labels = (grid @ np.array([1.0, 0.5]) > 0.3).astype(np.float64)
        w, b, errors, converged = _result(call(perceptron_train, grid, labels), dtype=np.float32)
        expect(np.isfinite(np.append(w, b)).all(), "float32 input: w or b is not finite")
        expect(bool(converged), "float32 input on separable data: converged is False")

    p.check("AND, traced by hand", and_by_hand,
            hint="predict each sample with the weights as they are at that moment, and update after each mistake.")
    p.check("OR on integer input, traced by hand", or_by_hand)
    p.check("a single sample, and labels that are all 0", tiny_cases, hint="start from w = 0, b = 0; H(0) = 0.")
    p.check("separable data: converges, and the result classifies every sample", separable,
            hint="stop after the first epoch without a mistake; count the mistakes of each epoch afresh.")
    p.check("the learning rate only scales w and b", learning_rate)
    p.check("XOR and random labels never converge; max_epochs=1", not_separable)
    p.check("float32 input: w stays float32", float32)
    return p.ok


SELF_CHECKS = {
    "step": practice_step, "perceptron_forward": practice_perceptron_forward,
    "and_gate": practice_and_gate, "or_gate": practice_or_gate, "nand_gate": practice_nand_gate,
    "xor_gate": practice_xor_gate, "perceptron_train": practice_perceptron_train,
}
