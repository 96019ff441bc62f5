"""Careless notebooks, without nbgrader: repairs against the release, renamed files, failure reasons.

Fast tests of the pure parts; ``test_instructor.py`` grades such notebooks
through the documented commands.
"""
import copy
import json

import nbformat
import pytest

from autograder.course import REPO, Course
from autograder.grade import reasons
from autograder.grade.collect import notebook_match, renamed, student_of
from autograder.grade.repair import repair
from autograder.grade.report import case_categories, generic_category

RELEASE = REPO / "exercises" / "activations.ipynb"


@pytest.fixture
def release():
    return nbformat.read(RELEASE, as_version=4)


def gid(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def index(nb, grade_id):
    return next(i for i, c in enumerate(nb.cells) if gid(c) == grade_id)


def graded_ids(nb):
    """The grade ids nbgrader would see, with how often each appears."""
    ids = [gid(c) for c in nb.cells if gid(c)]
    return {i: ids.count(i) for i in ids}


def solved(release, grade_id="relu_forward_solution", body="    return np.maximum(x, 0), ReluCache(x)"):
    nb = copy.deepcopy(release)
    cell = nb.cells[index(nb, grade_id)]
    cell.source = cell.source.replace("    # YOUR CODE HERE\n    raise NotImplementedError()", body)
    assert cell.source != release.cells[index(release, grade_id)].source
    return nb


def test_an_untouched_notebook_needs_no_repair(release):
    nb = copy.deepcopy(release)
    assert repair(nb, release) == []
    assert nb == release


def test_a_duplicated_solution_cell_keeps_the_edited_copy_and_empties_the_stub(release):
    nb = solved(release)
    i = index(nb, "relu_forward_solution")
    stub = copy.deepcopy(release.cells[index(release, "relu_forward_solution")])
    nb.cells.insert(i + 1, stub)  # duplicated, then the copy above was solved: the stub would run last
    fixes = repair(nb, release)
    assert len(fixes) == 1 and "appeared 2 times" in fixes[0]
    assert graded_ids(nb)["relu_forward_solution"] == 1
    kept = nb.cells[index(nb, "relu_forward_solution")]
    assert "np.maximum" in kept.source
    assert "NotImplementedError" not in nb.cells[i + 1].source  # the stub no longer redefines the function


def test_two_different_copies_grade_the_last_one_as_the_notebook_runs(release):
    nb = solved(release)
    i = index(nb, "relu_forward_solution")
    second = copy.deepcopy(nb.cells[i])
    second.source = second.source.replace("np.maximum(x, 0)", "np.where(x > 0, x, 0.0)")
    nb.cells.insert(i + 1, second)
    fixes = repair(nb, release)
    assert "2 copies hold different code" in fixes[0]
    assert "np.where" in nb.cells[index(nb, "relu_forward_solution")].source
    assert "np.maximum" in nb.cells[i].source  # left as written: it runs, then the later one replaces it


def test_a_duplicated_hidden_tests_cell_counts_once(release):
    nb = copy.deepcopy(release)
    i = index(nb, "relu_forward_tests")
    nb.cells.insert(i + 1, copy.deepcopy(nb.cells[i]))
    fixes = repair(nb, release)
    assert graded_ids(nb)["relu_forward_tests"] == 1 and "hidden-tests cell" in fixes[0]


def test_an_extra_grade_cell_earns_nothing(release):
    nb = copy.deepcopy(release)
    bonus = nbformat.v4.new_code_cell("print('free points')")
    bonus.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": False, "points": 10,
                                  "grade_id": "bonus", "schema_version": 3}
    nb.cells.append(bonus)
    fixes = repair(nb, release)
    assert "nbgrader" not in nb.cells[-1].metadata and nb.cells[-1].source == "print('free points')"
    assert "'bonus'" in fixes[0] and "10 points claimed" in fixes[0]


@pytest.mark.parametrize("grade_id, new_id", [
    ("relu_forward_tests", "relu_forward_tests-Copy1"),
    ("relu_forward_solution", "my_relu"),  # matched by the function it defines
    ("<checks>", "<checks> (2)"),          # the read-only checks before relu_forward's hidden tests
])
def test_a_renamed_grade_id_is_restored(release, grade_id, new_id):
    checks = gid(release.cells[index(release, "relu_forward_tests") - 1])
    assert release.cells[index(release, checks)].metadata["nbgrader"]["locked"]
    grade_id, new_id = grade_id.replace("<checks>", checks), new_id.replace("<checks>", checks)
    nb = solved(release)
    nb.cells[index(nb, grade_id)].metadata["nbgrader"]["grade_id"] = new_id
    fixes = repair(nb, release)
    assert graded_ids(nb) == graded_ids(release)
    assert f"renamed '{new_id}'" in fixes[0]


def test_renamed_cells_are_matched_by_their_own_source(release):
    nb = copy.deepcopy(release)
    for grade_id in ("relu_forward_tests", "tanh_forward_tests"):
        nb.cells[index(nb, grade_id)].metadata["nbgrader"]["grade_id"] = "tests"  # both renamed alike
    assert len(repair(nb, release)) == 2
    assert graded_ids(nb) == graded_ids(release)  # each kept its own, unchanged, locked source


def test_an_ambiguous_rename_is_not_guessed(release):
    nb = copy.deepcopy(release)
    both = nb.cells[index(nb, "relu_forward_solution")]
    both.source = "def relu_forward(x):\n    return x\n\ndef tanh_forward(x):\n    return x\n"
    both.metadata["nbgrader"]["grade_id"] = "mine"
    del nb.cells[index(nb, "tanh_forward_solution")]
    fixes = repair(nb, release)
    assert "mine" not in graded_ids(nb) and "relu_forward_solution" not in graded_ids(nb)
    assert "several release cells fit it" in fixes[0] and "def tanh_forward" in both.source


def test_stale_or_changed_metadata_is_restored_from_the_release(release):
    nb = solved(release)
    nb.cells[index(nb, "relu_forward_solution")].metadata["nbgrader"]["schema_version"] = 1
    nb.cells[index(nb, "softmax_backward_tests")].metadata["nbgrader"]["points"] = 30
    nb.cells[index(nb, "tanh_forward_solution")].metadata["nbgrader"] = {}
    fixes = repair(nb, release)
    assert nb.cells[index(nb, "softmax_backward_tests")].metadata["nbgrader"]["points"] == 3
    assert nb.cells[index(nb, "relu_forward_solution")].metadata["nbgrader"]["schema_version"] == 3
    assert any("schema_version 1 instead of 3" in f for f in fixes)
    assert any("points 30 instead of 3.0" in f for f in fixes)
    # The emptied record had no grade id: the cell stays (the learner's code runs) without one.
    assert "tanh_forward_solution" not in graded_ids(nb)


@pytest.mark.parametrize("name, prefix, copy_number", [
    ("activations.ipynb", "", 0),
    ("Activations.ipynb", "", 0),
    ("Copy of activations.ipynb", "", 0),
    ("activations (1).ipynb", "", 1),
    ("activations-1.ipynb", "", 1),
    ("activations copy 2.ipynb", "", 2),
    ("jdoe_activations.ipynb", "jdoe_", 0),
    ("lmseve-activations.ipynb", "lmseve-", 0),
    ("smithjane_LATE_12345_67890_activations-1.ipynb", "smithjane_LATE_12345_67890_", 1),
    ("jdoe_attempt_2026-11-20_Copy of Activations (2).ipynb", "jdoe_attempt_2026-11-20_", 2),
])
def test_renamed_notebooks_are_recognised(name, prefix, copy_number):
    assert notebook_match(name, "activations") == (prefix, copy_number)


@pytest.mark.parametrize("name", ["losses.ipynb", "activations.py", "activations_v2.ipynb", "notes.ipynb"])
def test_other_files_are_not_taken_for_the_exercise(name):
    assert notebook_match(name, "activations") is None


def test_student_ids_and_renames():
    assert student_of("smithjane_LATE_12345_67890_") == "smithjane"
    assert student_of("lmseve-") == "lmseve"
    assert student_of("Jane Smith_123456_assignsubmission_file_") == "JaneSmith"
    assert not renamed("jdoe_attempt_1_activations.ipynb", "activations")
    assert renamed("jdoe_Copy of activations.ipynb", "activations")
    assert renamed("jdoe_activations (1).ipynb", "activations")
    assert renamed("Activations.ipynb", "activations")


def _log(*lines):
    return "\n".join(["[INFO] Creating/updating student with ID 'jdoe': {}", *lines,
                      "[ERROR] There was an error processing assignment 'activations' for student 'jdoe'",
                      "[ERROR] Please see the the above traceback for details on the specific errors on the above "
                      "failures."])


def test_reasons_name_the_real_cause(tmp_path):
    course = Course(tmp_path)
    folder = tmp_path / "submitted" / "jdoe" / "activations"
    folder.mkdir(parents=True)
    renamed_log = _log("[WARNING] Skipping unknown notebook: x/Copy of activations.ipynb",
                       "[ERROR] No notebooks found, did you forget to run 'nbgrader generate_assignment'?")
    (folder / "Copy of activations.ipynb").write_text("{}")
    why = reasons.explain(renamed_log, course, "activations", "jdoe")
    assert "Copy of activations.ipynb" in why and "renamed" in why and "generate_assignment" not in why

    json_log = _log("    json.decoder.JSONDecodeError: Expecting value: line 1 column 13 (char 12)",
                    "    nbformat.reader.NotJSONError: Notebook does not appear to be JSON: '{\"cells\": [ this'")
    (folder / "activations.ipynb").write_text('{"cells": [ this')
    why = reasons.explain(json_log, course, "activations", "jdoe")
    assert "JSON is broken" in why and "line 1 column 13" in why
    (folder / "activations.ipynb").write_text("")
    assert "empty file" in reasons.explain(json_log, course, "activations", "jdoe")

    schema_log = _log("    nbgrader.nbgraderformat.common.SchemaTooOldError: Outdated schema version: 0 (expected 3)")
    why = reasons.explain(schema_log, course, "activations", "jdoe")
    assert "metadata" in why and "Outdated schema version: 0" in why and "nbgrader update" not in why

    other = _log("    KeyError: 'grade_id'")
    assert reasons.explain(other, course, "activations", "jdoe") == "KeyError: 'grade_id'"
    for log in (renamed_log, json_log, schema_log, other):
        assert "Please see" not in reasons.explain(log, course, "activations", "jdoe")


def test_case_categories_leave_out_what_is_drawn_at_random():
    categories = case_categories("activations.leaky_relu_forward")
    assert "float64 input of shape (…)" in categories
    assert any(c.startswith("alpha = … (") for c in categories), categories
    assert "values up to ±1e4" in categories  # fixed numbers stay
    assert generic_category("x of shape (3, 4), w of shape (4,), margin = 3.8") == \
        "x of shape (…), w of shape (…), margin = …"


def test_the_committed_release_has_what_the_repairs_rely_on():
    """Every graded and solution cell of every release notebook has a grade id (repairs match on them)."""
    for path in sorted((REPO / "exercises").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        metas = [c.metadata["nbgrader"] for c in nb.cells if "nbgrader" in c.metadata]
        assert all(m.get("grade_id") for m in metas if m.get("grade") or m.get("solution") or m.get("locked")), path
        assert json.loads(json.dumps(metas)) == metas  # plain JSON: copied as is into repaired cells


def test_similarity_compares_only_what_the_learner_wrote(release):
    from autograder.grade.similarity import learner_code, solution_cells

    given = solution_cells(release)
    body = ('    def helper(v):\n        """An inner docstring,\n        on two lines.\n        """\n        return v\n'
            '    return np.maximum(x, 0), ReluCache(x)')
    code = learner_code(solved(release, body=body), given)
    assert code.startswith("# --- relu_forward_solution ---\n")
    assert "Rectified linear unit" not in code and "NotImplementedError" not in code  # given, not written
    assert "An inner docstring" in code and "np.maximum" in code
    # Still Python: nothing cut out of the middle (the inner docstring's closing line is also the release's).
    compile("def f(x):\n" + code.split("\n", 1)[1], "learner", "exec")
    assert learner_code(copy.deepcopy(release), given) == ""  # nothing changed, nothing to compare
