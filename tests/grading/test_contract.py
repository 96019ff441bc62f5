"""The judging library on its own: read-only inputs, mutation found by deep comparison, dtype-aware comparison.

These are the pieces of the one verdict path: the kernel's harness hands the
learner's function inputs decoded read-only (:func:`frozen` below is exactly
that), the grader compares the arguments it sends back with
:func:`~autograder.judge.compare.changed_arguments` and the results with
:func:`~autograder.judge.compare.compare`, and
:func:`~autograder.judge.verdict.run_in_process` runs the whole path without a
kernel.
"""
from typing import NamedTuple

import numpy as np
import pytest

from autograder.judge import codec
from autograder.judge.compare import changed_arguments, compare, normalised
from autograder.judge.specs import Case, Spec, same_axis
from autograder.judge.verdict import RaisedInKernel, evaluate, plain_data, result_names, run_in_process
from solutions.activations import SoftmaxCache
from solutions.normalization import RunningStats


class Pair(NamedTuple):
    w: np.ndarray
    b: float


def readonly(value, namespace=None):
    """``value`` as the harness hands it to a learner's function: encoded, then decoded read-only."""
    arrays = {}
    return codec.decode(codec.encode(value, arrays), arrays, namespace, frozen=True)


# -- readonly ------------------------------------------------------------------------

WRITES = {
    "item assignment": lambda a: a.__setitem__(0, 1.0),
    "augmented assignment": lambda a: a.__iadd__(1.0),
    "ufunc out=": lambda a: np.multiply(a, 2.0, out=a),
    "sort in place": lambda a: a.sort(),
    "fill": lambda a: a.fill(0.0),
    "write through a view": lambda a: a.reshape(-1).__setitem__(0, 1.0),
    "unlock the array": lambda a: a.setflags(write=True),
    "unlock its base": lambda a: a.base.setflags(write=True),
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_readonly_arrays_cannot_be_written_or_unlocked(write):
    original = np.arange(6.0).reshape(2, 3)
    frozen = readonly(original)
    with pytest.raises(ValueError, match="read-only|WRITEABLE"):
        write(frozen)
    np.testing.assert_array_equal(frozen, original)


def test_readonly_copies_containers_deeply_and_keeps_types():
    rng = np.random.default_rng(3)
    x32 = np.asfortranarray(np.arange(12, dtype=np.float32).reshape(3, 4))[:, ::2]  # not C-contiguous
    sent = (x32, {"W": np.ones((2, 2)), "ids": [np.arange(3), 4]}, Pair(np.zeros(2), 0.5), rng, "relu")
    got = readonly(sent, namespace={"Pair": Pair})
    assert type(got[2]) is Pair and got[4] == "relu"
    assert got[0].dtype == np.float32 and got[0].shape == (3, 2)
    np.testing.assert_array_equal(got[0], x32)
    assert got[1] is not sent[1] and got[1]["ids"] is not sent[1]["ids"]
    assert not got[1]["W"].flags.writeable and not got[1]["ids"][0].flags.writeable
    assert not got[2].w.flags.writeable
    assert got[3] is not rng and got[3].random() == np.random.default_rng(3).random()
    assert readonly(np.zeros((0, 3), np.float32)).shape == (0, 3)


# -- changed_arguments ------------------------------------------------------------------

def _call(fn, *args):
    """What grading does: hand ``fn`` read-only copies, then compare them with what was sent."""
    copies = readonly(args)
    fn(*copies)
    return changed_arguments(args, copies, names=["params", "grads", "lr"][:len(args)])


def test_untouched_arguments_are_not_reported():
    params = {"W": np.array([[1.0, np.nan]]), "n": [1, 2.5, None]}

    def reader(params, grads):
        grads.random(3)  # drawing from a Generator changes its state: that is what it is for
        return {k: v for k, v in params.items()}

    assert _call(reader, params, np.random.default_rng(0)) is None


MUTATIONS = {
    "dict entry replaced": (lambda p: p.__setitem__("W", p["W"] * 2), "params['W'] (its values changed"),
    "dict entry replaced by another dtype": (lambda p: p.__setitem__("W", p["W"].astype(np.float32)),
                                             "params['W'] (its dtype float64 became float32)"),
    "dict key added": (lambda p: p.__setitem__("h1", 0), "params (its keys ['W', 'b', 'l'] became"),
    "dict key removed": (lambda p: p.pop("b"), "params (its keys"),
    "list appended to": (lambda p: p["l"].append(3), "params['l'] (its length 2 became 3)"),
    "list item replaced": (lambda p: p["l"].__setitem__(1, 7), "params['l'][1] (2 became 7)"),
    "array reshaped in place": (lambda p: setattr(p["W"], "shape", (4,)), "params['W'] (its shape (2, 2) became (4,))"),
}


@pytest.mark.parametrize("mutate, message", MUTATIONS.values(), ids=MUTATIONS.keys())
def test_every_kind_of_container_mutation_is_reported(mutate, message):
    params = {"W": np.arange(4.0).reshape(2, 2), "b": np.zeros(2), "l": [1, 2]}
    assert message in _call(mutate, params)


def test_changes_inside_named_tuples_and_keyword_arguments_are_reported():
    before = (Pair(np.zeros(2), 0.5), [Pair(np.ones(2), 1.0)])
    after = (Pair(np.zeros(2), 0.5), [Pair(np.array([1.0, 2.0]), 1.0)])
    assert changed_arguments(before, after) == "argument 2[0].w (its values changed, first at index (1,))"
    assert changed_arguments({"size": [3, 4]}, {"size": [3]}) == "size (its length 2 became 1)"


def test_arguments_sent_back_by_a_kernel_compare_by_meaning():
    """The codec rebuilds named tuples by name and fields (another class); numbers compare by value."""
    sent = (RunningStats(np.zeros(3), np.ones(3)), np.float64(0.1), {"a": (2, 5)})
    returned = plain_data(sent)
    assert type(returned[0]) is not RunningStats
    assert changed_arguments(sent, returned) is None
    assert changed_arguments(sent, (returned[0], 0.1, {"a": (2, 5)})) is None
    assert changed_arguments(sent, (returned[0], 0.1, {"a": (2, 6)})) == "argument 3['a'][1] (5 became 6)"


# -- compare ---------------------------------------------------------------------------

def test_compare_names_dtype_shape_and_worst_index():
    exp = np.zeros((2, 3), np.float32)
    assert compare(exp.astype(np.float64), exp, 1e-4, 1e-5) == (
        "the result has dtype float64, expected float32 (float32 in gives float32 out)")
    assert "expected float64 (keep the precision" in compare(np.zeros(3, np.float32), np.zeros(3), 1e-7, 0)
    assert "not True and False" in compare(np.zeros(3, bool), np.zeros(3), 0, 0)
    assert compare(np.zeros((3, 2)), np.zeros((2, 3)), 0, 0) == "the result has shape (3, 2), expected shape (2, 3)"
    got = np.zeros((2, 3))
    got[1, 2], got[0, 1] = 5.0, 1.0
    assert compare(got, np.zeros((2, 3)), 0, 1e-3) == (
        "the result: 2 of 6 values are off, the worst at index (1, 2): expected 0, got 5")
    assert "should be an array of shape (3,) and dtype float64, got a list" in compare([0.0, 0, 0], np.zeros(3), 0, 0)


def test_compare_dtype_rules():
    f32 = np.ones(3, np.float32)
    assert compare(f32, np.ones(3), 0, 0, dtype="kind") is None
    assert "dtype int64" in compare(np.ones(3, np.int64), np.ones(3), 0, 0, dtype="kind")
    assert compare(np.ones(3, np.int32), np.ones(3, np.int64), 0, 0) is None  # any integer dtype
    assert "integer" in compare(np.ones(3), np.ones(3, np.int64), 0, 0)
    assert compare([1, 1, 1], np.ones(3), 0, 0, dtype="value") is None


def test_compare_scalars_by_kind():
    assert compare(np.float32(0.5), 0.5, 0, 0) is None  # a loss "float" of any precision
    assert compare(np.array(0.5), 0.5, 0, 0) is None
    assert "single number, got the bool" in compare(True, 1.0, 0, 0)
    assert "single number, got an array of shape (1,)" in compare(np.array([0.5]), 0.5, 0, 0)
    assert "an integer (int), got the float 12.0" in compare(12.0, 12, 0, 0)
    assert compare(np.int64(12), 12, 0, 0) is None
    assert "a bool" in compare(1, True, 0, 0) and compare(np.True_, True, 0, 0) is None


def test_compare_named_tuples_and_caches():
    ref = Pair(np.zeros(2, np.float32), 0.5)
    assert "should be a Pair (a NamedTuple with the fields w, b), got a tuple" in compare(tuple(ref), ref, 0, 0)
    assert "Pair.w has dtype float64" in compare(Pair(np.zeros(2), 0.5), ref, 0, 0)
    cache = SoftmaxCache(np.full((2, 2), 0.5, np.float32), -1)
    result = (cache.out, cache)
    learner = (cache.out, SoftmaxCache(cache.out.astype(np.float64), -1))  # a float64 cache is the learner's business
    assert compare(learner, result, 1e-4, 1e-5, parts=("out", "cache")) is None
    assert compare((cache.out.astype(np.float64), cache), result, 1e-4, 1e-5, parts=("out", "cache")).startswith(
        "out has dtype float64")
    assert compare({"W": np.ones(2)}, {"W": np.ones(2), "b": 0.0}, 0, 0) == (
        "the result should have the keys ['W', 'b'], got ['W']")


def test_normalised_axis_makes_equal_meanings_equal():
    rules = {"SoftmaxCache.axis": same_axis("out")}
    out = np.full((2, 3), 1 / 3)
    expected = (out, SoftmaxCache(out, -1))
    for axis, same in ((1, True), (-1, True), (0, False), ("1", False)):
        got = normalised((out, SoftmaxCache(out, axis)), expected, rules)
        assert (compare(got, normalised(expected, expected, rules), 0, 0) is None) == same, axis


# -- evaluate and the whole path in process -----------------------------------------------

def _spec(**options):
    return Spec("activations.relu_forward", cases=lambda rng: iter(()), **options)


def test_evaluate_explains_a_write_into_a_read_only_input():
    case = Case("a case", ())
    for exc in (ValueError("assignment destination is read-only"),
                RaisedInKernel("ValueError", "output array is read-only")):
        [message] = evaluate(_spec(), [(case, None, exc, None)])
        assert message.startswith("a case: your function wrote into its input (ValueError: ")
        assert "work on a copy" in message
    [message] = evaluate(_spec(), [(case, None, ValueError("shapes do not fit"), None)])
    assert message == "a case: raised ValueError: shapes do not fit"
    [message] = evaluate(_spec(), [(case, 1.0, 1.0, "dout (its values changed, first at index (0,))")])
    assert message == "a case: your function changed its input dout (its values changed, first at index (0,)): " \
                      "work on a copy"


def test_the_harness_hands_read_only_inputs_and_the_judge_finds_changed_containers():
    def writes(x):
        x[x < 0] = 0
        return x, None

    failures = run_in_process("activations.relu_forward", writes, 7).failures
    assert failures and all("wrote into its input" in m for m in failures)

    def rewrites_dict(params, grads, lr):
        for k in params:
            params[k] = params[k] - lr * grads[k]
        return params

    failures = run_in_process("training.sgd_step", rewrites_dict, 7).failures
    assert failures and all("your function changed its input params[" in m for m in failures)


def test_results_reach_the_judge_through_the_kernel_codec():
    assert type(plain_data(2.0)) is float and type(plain_data(np.float32(2.0))) is np.float32

    class Claims(np.ndarray):
        def __eq__(self, other):
            return True

    got = plain_data(np.zeros(3).view(Claims))
    assert type(got) is np.ndarray and compare(got, np.ones(3), 0, 0) is not None
    assert "got an object the grader cannot read (object)" in compare(plain_data(object()), np.ones(3), 0, 0)


def test_result_names_come_from_the_reference_docstring():
    assert result_names("activations.relu_forward") == ("out", "cache")
    assert result_names("normalization.batchnorm_backward") == ("dx", "dgamma", "dbeta")
    assert result_names("perceptron.perceptron_train") == ()
