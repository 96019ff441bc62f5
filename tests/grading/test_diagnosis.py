"""The diagnosis on its own: what it matches, what it says, what it stores, and that it never moves a grade."""
import html

import nbformat
import numpy as np

from autograder.grade import diagnoses
from autograder.grade.preprocessors import feedback_outputs
from autograder.i18n import Catalogue
from autograder.judge import catalogue, diagnosis
from autograder.judge.outcome import Outcome, RaisedInKernel
from autograder.judge.specs import get_spec
from autograder.judge.verdict import RECORD_KEY, reference_function, run_in_process
from solutions.activations import ReluCache

SIGMOID = "activations.sigmoid_forward"


def sigmoid_sign_slip(x):
    out = 1 / (1 + np.exp(x))
    return out, reference_function(SIGMOID)(x)[1]._replace(out=out)


def relu_wrong_for_large_values(x):
    """Right except where |x| > 100: fails the large-value cases only (no entry of the catalogue does that)."""
    x = np.asarray(x)
    out = np.where(np.abs(x) > 100, 0, np.maximum(x, 0)).astype(x.dtype)
    return out, ReluCache(x)


def test_a_known_mistake_is_named_with_its_explanation_and_link():
    verdict = run_in_process(SIGMOID, sigmoid_sign_slip, 7)
    [entry] = verdict.advice.mistakes
    assert entry.id == f"{SIGMOID}/minus-x"
    text = verdict.report()
    assert f"This looks like a known mistake: {entry.name}. {entry.explanation} See {entry.url}" in text
    assert entry.url.startswith(catalogue.url("activations#sigmoid"))
    assert f'<a href="{entry.url}"' in verdict.advice.html() and "&lt;" not in entry.name


def test_chinese_feedback_joins_its_parts_with_chinese_marks():
    """A case's label and its problem, a mistake's name and its explanation: "：" and "。" in Chinese,
    where English writes ": " and ". "."""
    verdict = run_in_process(SIGMOID, sigmoid_sign_slip, 7)
    [entry] = verdict.advice.mistakes
    t = Catalogue("autograder", "zh_CN")
    text = verdict.report(language="zh_CN")
    assert f"{t(entry.name)}。{t(entry.explanation)}" in text
    name, explanation = html.escape(t(entry.name)), html.escape(t(entry.explanation))
    assert f"<strong>{name}。</strong>{explanation}" in verdict.advice.html(t)
    shown = verdict.failures[:5]  # the report lists five failing cases, then how many more
    labels = {case.label for case in verdict.cases for failure in shown if failure.startswith(f"{case.label}: ")}
    assert labels and all(f"{t(label)}：" in text and f"{t(label)}: " not in text for label in labels)


def test_without_a_known_mistake_the_failing_kind_of_case_is_named_with_the_section():
    verdict = run_in_process("activations.relu_forward", relu_wrong_for_large_values, 7)
    advice = verdict.advice
    assert advice.ids == [] and advice.categories[0][0] == "large"
    failed, total = advice.categories[0][1:]
    assert failed == total >= 2
    assert f"very large values ({failed} of {total} such cases failed)" in advice.text()
    assert advice.links()[0] == catalogue.url("activations#relu")  # then the rules page, for the float32 one
    assert verdict.record()["categories"][0] == "large" and verdict.record()["diagnosis"] == []


def test_an_unattempted_function_gets_only_the_link():
    def unfinished(x):
        raise NotImplementedError()

    advice = run_in_process("activations.relu_forward", unfinished, 7).advice
    assert advice.ids == [] and advice.categories == ()
    assert advice.text() == f"See {catalogue.url('activations#relu')}"


def test_a_bug_in_the_diagnosis_never_changes_the_verdict(monkeypatch):
    expected = run_in_process(SIGMOID, sigmoid_sign_slip, 7).failures

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a grader bug")

    monkeypatch.setattr(diagnosis, "advise", broken)
    verdict = run_in_process(SIGMOID, sigmoid_sign_slip, 7)
    assert verdict.failures == expected and verdict.advice.ids == []
    assert verdict.advice.unavailable == "ZeroDivisionError: a grader bug"
    assert "a grader bug" not in verdict.report()


def test_outcomes_match_as_the_hidden_test_judges_them():
    spec = get_spec("activations.relu_forward")
    entry = catalogue.by_id("activations.relu_forward/in-place")
    x = np.array([[-1.0, 2.0]])
    expected = reference_function(spec.qualname)(x)
    read_only = RaisedInKernel("ValueError", "assignment destination is read-only")
    other_value_error = RaisedInKernel("ValueError", "operands could not be broadcast together")
    assert diagnosis.same_outcome(spec, entry, Outcome(read_only), Outcome(read_only), expected)
    assert not diagnosis.same_outcome(spec, entry, Outcome(other_value_error), Outcome(read_only), expected)
    assert not diagnosis.same_outcome(spec, entry, Outcome(expected), Outcome(read_only), expected)
    # A changed argument matches only the same argument changed.
    changed = Outcome(expected, "x (its values changed, first at index (0, 0))")
    assert diagnosis.same_outcome(spec, entry, changed, changed, expected)
    assert not diagnosis.same_outcome(spec, entry, Outcome(expected), changed, expected)


def test_a_float32_computation_is_told_from_a_small_float64_error():
    """Within float32 tolerances of the float32 shortcut, but carrying float64 digits: not that mistake."""
    spec = get_spec(SIGMOID)
    entry = catalogue.float32_shortcut(SIGMOID)
    x = np.linspace(-3, 3, 7)
    expected = reference_function(SIGMOID)(x)
    shortcut = entry.function(x)
    nudged = (expected[0] * (1 + 1e-7), expected[1]._replace(out=expected[0] * (1 + 1e-7)))
    in_float32 = tuple(np.asarray(v).astype(np.float32).astype(np.float64) if i == 0 else v
                       for i, v in enumerate(expected))
    assert diagnosis.same_outcome(spec, entry, Outcome(shortcut), Outcome(shortcut), expected)
    assert not diagnosis.same_outcome(spec, entry, Outcome(nudged), Outcome(shortcut), expected)
    assert diagnosis._float32_precision(in_float32[0]) and not diagnosis._float32_precision(nudged[0])


def test_the_record_travels_in_the_graded_cell_and_is_read_back_for_the_export():
    failing = run_in_process(SIGMOID, sigmoid_sign_slip, 7)
    passing = run_in_process("activations.relu_forward", reference_function("activations.relu_forward"), 7)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("# hidden tests", outputs=feedback_outputs(v))
                                         for v in (failing, passing)])
    nb = nbformat.reads(nbformat.writes(nb), as_version=4)  # as nbgrader writes and the export reads it
    nbformat.validate(nb)
    found = diagnoses.records(nb)
    assert found["sigmoid_forward"]["diagnosis"] == [f"{SIGMOID}/minus-x"] and not found["sigmoid_forward"]["passed"]
    assert found["relu_forward"]["passed"] and found["relu_forward"]["diagnosis"] == []
    assert diagnoses.diagnosis(found["sigmoid_forward"]) == f"{SIGMOID}/minus-x"
    assert diagnoses.diagnosis(found["relu_forward"]) == "" == diagnoses.diagnosis(None)
    # The failing cell: the advice first (HTML for the feedback page), then the error nbgrader scores 0.
    advice, error = nb.cells[0].outputs
    assert advice.output_type == "display_data" and RECORD_KEY in advice.metadata
    assert "text/html" in advice.data and error.output_type == "error"
    assert "This looks like" not in error.evalue and "hidden cases failed" in error.evalue
    [passed] = nb.cells[1].outputs
    assert passed.output_type == "display_data" and "all" in passed.data["text/plain"]
