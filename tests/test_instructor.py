"""The instructor's view of a class, through the documented commands, on a class of careless learners.

One class on the activations exercise (15 points), its gradebook on the
course's own PostgreSQL server (``db start``), graded by two workers:
honest learners, learners whose notebooks went through accidents
(duplicated, renamed, extra and deleted cells, stale metadata), files renamed
by browsers and LMSs, two unreadable notebooks and a pair of learners who
share code. Every assertion says exactly what each learner must score; then
the class report, the LMS exports, the nbgrader export plugin, incremental
feedback and the similarity report are checked against the grades.
"""
import copy
import csv
import json
import stat
import subprocess
import sys
import zipfile

import nbformat
import pytest

from support.fakeclass import make_submission, run_cli, write_submission

pytestmark = pytest.mark.slow

SLUG = "activations"
FULL = 15
TITLE = "Activation functions"

NAIVE_SOFTMAX = ("shifted = x - np.max(x, axis=axis, keepdims=True)", "shifted = x")
WRONG_RELU = ("return np.maximum(x, 0), ReluCache(x)", "return x, ReluCache(x)")
SHARED_HELPER = '''

def _clip_each(values, low=-500.0, high=500.0):
    kept = []
    for value in np.ravel(values):
        if value < low:
            kept.append(low)
        elif value > high:
            kept.append(high)
        else:
            kept.append(value * 1.0)
    return np.reshape(np.array(kept), np.shape(values))
'''


def _index(nb, grade_id):
    return next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def _release(course):
    return nbformat.read(course / "release" / SLUG / f"{SLUG}.ipynb", as_version=4)


def accidents(course):
    """student -> (notebook, expected score): what happened to each, and what an honest grade is."""
    release = _release(course)
    out = {"ada": (make_submission(course, SLUG), FULL),
           "ben": (make_submission(course, SLUG, solved=lambda g: False), 0)}
    out["cyd"] = (make_submission(course, SLUG, edit=lambda g, s: s.replace(*NAIVE_SOFTMAX)
                                  if g == "softmax_forward_solution" else s), FULL - 2)
    # Duplicated a solution cell, solved the first copy: the unedited copy below must not undo it.
    nb = make_submission(course, SLUG)
    nb.cells.insert(_index(nb, "relu_forward_solution") + 1,
                    copy.deepcopy(release.cells[_index(release, "relu_forward_solution")]))
    out["dupe"] = (nb, FULL)
    # Two different copies: graded as the notebook runs (the later, wrong one).
    nb = make_submission(course, SLUG)
    i = _index(nb, "relu_forward_solution")
    second = copy.deepcopy(nb.cells[i])
    second.source = second.source.replace(*WRONG_RELU)
    nb.cells.insert(i + 1, second)
    out["twice"] = (nb, FULL - 1)
    # Duplicated a hidden-tests cell: counted once.
    nb = make_submission(course, SLUG)
    i = _index(nb, "softmax_backward_tests")
    nb.cells.insert(i + 1, copy.deepcopy(nb.cells[i]))
    out["dupt"] = (nb, FULL)
    # A cell with nbgrader metadata claiming 10 points: earns nothing.
    bonus = nbformat.v4.new_code_cell("print('bonus')")
    bonus.metadata["nbgrader"] = {"grade": True, "solution": True, "locked": False, "points": 10,
                                  "grade_id": "bonus", "schema_version": 3}
    nb = make_submission(course, SLUG)
    nb.cells.append(copy.deepcopy(bonus))
    out["bonus"] = (nb, FULL)
    # Blank, with a bonus cell and a duplicated tests cell: still nothing.
    nb = make_submission(course, SLUG, solved=lambda g: False)
    nb.cells.append(copy.deepcopy(bonus))
    i = _index(nb, "sigmoid_forward_tests")
    nb.cells.insert(i + 1, copy.deepcopy(nb.cells[i]))
    out["blankbonus"] = (nb, 0)
    # Renamed grade ids (a copied tests cell's "-Copy1", a solution cell renamed by hand).
    nb = make_submission(course, SLUG)
    nb.cells[_index(nb, "tanh_backward_tests")].metadata["nbgrader"]["grade_id"] = "tanh_backward_tests-Copy1"
    nb.cells[_index(nb, "relu_backward_solution")].metadata["nbgrader"]["grade_id"] = "my relu backward"
    out["renamed"] = (nb, FULL)
    # Deleted a hidden-tests cell, and the visible checks before it (nbgrader's own restore fails there).
    nb = make_submission(course, SLUG)
    i = _index(nb, "leaky_relu_forward_tests")
    del nb.cells[i - 1: i + 1]
    out["deleted"] = (nb, FULL)
    # Old nbgrader metadata on a solution cell (pasted from an older copy).
    nb = make_submission(course, SLUG)
    nb.cells[_index(nb, "sigmoid_backward_solution")].metadata["nbgrader"]["schema_version"] = 1
    out["stale"] = (nb, FULL)
    # Two learners who share a helper nobody else wrote.
    for student in ("sam", "tom"):
        out[student] = (make_submission(course, SLUG, edit=lambda g, s: s + SHARED_HELPER
                                        if g == "sigmoid_forward_solution" else s), FULL)
    return out


#: LMS download: file name -> (student, expected score).
LMS = {"lmseve-activations.ipynb": ("lmseve", FULL), "fay_12345_67890_activations-1.ipynb": ("fay", FULL),
       "gus_Copy of activations.ipynb": ("gus", FULL), "hal_activations (1).ipynb": ("hal", FULL),
       "ivy_Activations.ipynb": ("ivy", FULL), "kim_activations.ipynb": ("kim", FULL)}


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    root = tmp_path_factory.mktemp("instructor")
    course = root / "course"
    run_cli("setup", str(course), "--assignment", SLUG)
    started = run_cli("db", "start", str(course))
    try:
        inbox = root / "inbox"
        expected = {}
        for student, (nb, score) in accidents(course).items():
            write_submission(inbox, student, SLUG, nb)
            expected[student] = score
        # Folder layout, notebook renamed by Google Drive.
        jon = inbox / "jon" / SLUG / f"Copy of {SLUG}.ipynb"
        jon.parent.mkdir(parents=True)
        jon.write_text(nbformat.writes(make_submission(course, SLUG)))
        expected["jon"] = FULL
        for student, text in {"corrupt": '{"cells": [ this is not json', "empty": ""}.items():
            path = inbox / student / SLUG / f"{SLUG}.ipynb"
            path.parent.mkdir(parents=True)
            path.write_text(text)
            expected[student] = 0
        collected = run_cli("collect", str(course), str(inbox))
        archive = root / "lms.zip"
        with zipfile.ZipFile(archive, "w") as zf:
            for name, (student, score) in LMS.items():
                zf.writestr(name, nbformat.writes(make_submission(course, SLUG)))
                expected[student] = score
            # kim also uploaded a blank second copy: the exactly named one is kept.
            zf.writestr("kim_activations (1).ipynb", nbformat.writes(make_submission(course, SLUG,
                                                                                     solved=lambda g: False)))
        zipped = run_cli("collect", str(course), str(archive), "--assignment", SLUG)
        # Put into submitted/ by hand (an exchange, a script), never renamed.
        raw = course / "submitted" / "raw" / SLUG / f"Copy of {SLUG}.ipynb"
        raw.parent.mkdir(parents=True)
        raw.write_text(nbformat.writes(make_submission(course, SLUG)))
        expected["raw"] = 0
        graded = run_cli("grade", str(course), "--workers", "2", check=False)
        out = root / "export" / "grades.csv"
        run_cli("export", str(course), "--to", str(out))
        with out.open() as fh:
            grades = {r["student_id"]: float(r["score"]) for r in csv.DictReader(fh)}
        yield {"course": course, "root": root, "expected": expected, "grades": grades, "grade": graded,
               "collect_log": collected.stderr + zipped.stderr, "db": started.stderr,
               "log": graded.stdout + graded.stderr}
    finally:
        run_cli("db", "stop", str(course), check=False)
        settings = json.loads((course / ".autograder.json").read_text()) if (course / ".autograder.json").exists() \
            else {}
        if settings.get("db_server") and "nncourse-" in settings["db_server"]:
            subprocess.run(["rm", "-rf", settings["db_server"]], check=False)


def test_every_learner_is_graded_on_their_code(klass):
    assert klass["grades"] == klass["expected"]


def test_accidents_are_flagged_in_the_log(klass):
    log = klass["log"]
    for student, words in {"dupe": "appeared 2 times", "twice": "2 copies hold different code",
                           "dupt": "'softmax_backward_tests' appeared 2 times", "bonus": "'bonus'",
                           "renamed": "had been renamed 'tanh_backward_tests-Copy1'",
                           "deleted": "'leaky_relu_forward_tests' had been deleted: it was put back",
                           "stale": "schema_version 1 instead of 3"}.items():
        assert any(line.startswith(f"[autograder] flagged: {student}/{SLUG}:") and words in line
                   for line in log.splitlines()), (student, words)


def test_renamed_files_are_collected_and_each_rename_logged(klass):
    log = klass["collect_log"]
    assert "jon/activations: renamed 'Copy of activations.ipynb' to activations.ipynb" in log
    for name in ("gus_Copy of activations.ipynb", "hal_activations (1).ipynb", "ivy_Activations.ipynb",
                 "fay_12345_67890_activations-1.ipynb"):
        assert f"'{name}' collected as activations.ipynb" in log, name
    assert "kim sent several notebooks for activations: kept 'kim_activations.ipynb'" in log


def test_grade_fails_and_names_each_cause(klass):
    assert klass["grade"].returncode == 1
    lines = [line for line in klass["log"].splitlines() if line.startswith("[autograder] not graded:")]
    assert len(lines) == 3, lines
    why = {line.split(": ")[1]: line for line in lines}
    assert "JSON is broken" in why["corrupt/activations"] and "line 1 column 13" in why["corrupt/activations"]
    assert "empty file" in why["empty/activations"]
    assert "only Copy of activations.ipynb: a renamed file" in why["raw/activations"]
    assert not any("Please see the" in line or "generate_assignment" in line for line in lines)
    course = klass["course"]
    assert "NotJSONError" in (course / "logs" / "corrupt" / f"{SLUG}.log").read_text()  # the whole log is kept


def test_the_course_runs_its_own_postgresql_gradebook(klass):
    course = klass["course"]
    settings_file = course / ".autograder.json"
    assert stat.S_IMODE(settings_file.stat().st_mode) == 0o600
    url = json.loads(settings_file.read_text())["db_url"]
    assert url.startswith("postgresql://") and "@127.0.0.1:" in url
    password = url.split("@")[0].rsplit(":", 1)[1]
    assert password not in (course / "nbgrader_config.py").read_text()
    assert "[2/" in klass["log"]  # graded by the workers, on the course's server
    status = run_cli("db", "status", str(course))
    assert "running" in status.stderr and password not in status.stderr + status.stdout


@pytest.fixture(scope="module")
def report(klass):
    out = klass["root"] / "report"
    run_cli("report", str(klass["course"]), "--out", str(out))
    return out


def test_report_numbers_match_the_grades_csv(klass, report):
    tmp_path = report
    page = (tmp_path / "report.html").read_text()
    assert page.count("<img src='data:image/png;base64,") == 6
    for name in ("score-distribution.csv", "pass-rate-by-function.csv", "failure-rate-by-case.csv", "diagnoses.csv",
                 "problems.csv", "grading-time.csv", "summary.csv"):
        assert f"href='{name}'" in page, name
    with (tmp_path / "grades.csv").open() as fh:
        grades = [r for r in csv.DictReader(fh)]
    scores = [float(r["score"]) for r in grades]
    with (tmp_path / "summary.csv").open() as fh:
        (summary,) = list(csv.DictReader(fh))
    assert int(summary["students"]) == len(grades) == len(klass["expected"])
    assert float(summary["mean_score"]) == pytest.approx(sum(scores) / len(scores), abs=0.005)
    assert int(summary["could_not_be_graded"]) == 3
    with (tmp_path / "score-distribution.csv").open() as fh:
        histogram = {float(r["score"]): int(r["students"]) for r in csv.DictReader(fh)}
    assert histogram == {s: scores.count(s) for s in set(scores)}
    with (tmp_path / "pass-rate-by-function.csv").open() as fh:
        rates = {r["function"]: r for r in csv.DictReader(fh)}
    graded = len(klass["expected"]) - 3
    assert int(rates["softmax_forward"]["graded"]) == graded
    assert int(rates["softmax_forward"]["passed"]) == graded - 3  # ben and blankbonus (blank), cyd (naive)
    assert int(rates["relu_forward"]["passed"]) == graded - 3    # ben, blankbonus, twice
    with (tmp_path / "failure-rate-by-case.csv").open() as fh:
        cases = [r for r in csv.DictReader(fh) if r["function"] == "softmax_forward"]
    overflow = [r for r in cases if "1e4" in r["category"]]
    assert overflow and all(int(r["failed"]) == 1 for r in overflow)  # cyd's naive softmax, the only one
    # Each category counts its cases once per learner who implemented the function (the two blank ones did not).
    assert all(int(r["cases_run"]) % (graded - 2) == 0 for r in cases) and min(int(r["cases_run"]) for r in cases) \
        == graded - 2
    with (tmp_path / "problems.csv").open() as fh:
        problems = list(csv.DictReader(fh))
    kinds = {(p["student_id"], p["kind"]) for p in problems}
    assert {("corrupt", "could not be graded"), ("empty", "could not be graded"), ("raw", "could not be graded"),
            ("dupe", "repaired accident"), ("deleted", "repaired accident")} <= kinds
    if (tmp_path / "diagnoses.csv").read_text().count("\n") == 1:  # no diagnosis column yet, or none recorded
        assert "No diagnoses recorded." in page


def test_report_renders_in_a_browser(report, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    try:
        page.goto((report / "report.html").as_uri())
        widths = page.eval_on_selector_all("img", "imgs => imgs.map(i => i.naturalWidth)")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        page.screenshot(path=str(report / "report.png"), full_page=True)
    finally:
        page.close()
    assert len(widths) == 6 and all(w > 150 for w in widths), widths  # every figure decoded and shown
    assert overflow <= 0


def test_diagnoses_are_shown_when_the_breakdown_has_them(klass, tmp_path):
    from autograder.course import Course
    from autograder.grade.report import Report

    report = Report(Course(klass["course"]), tmp_path)
    for row in report.by_function:
        row["diagnosis"] = "softmax without subtracting the maximum" if (
            row["student_id"], row["function"]) == ("cyd", "softmax_forward") else ""
    _, name = report.diagnoses()
    with (tmp_path / name).open() as fh:
        assert list(csv.DictReader(fh)) == [{"assignment": SLUG, "function": "softmax_forward",
                                              "diagnosis": "softmax without subtracting the maximum",
                                              "submissions": "1"}]


def test_canvas_export_has_the_gradebook_import_layout(klass, tmp_path):
    course = klass["course"]
    out = tmp_path / "canvas.csv"
    run_cli("export", str(course), "--format", "canvas", "--to", str(out))
    rows = list(csv.reader(out.open()))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", TITLE]
    assert rows[1][0].strip() == "Points Possible" and rows[1][-1] == "15"
    assert {r[3]: float(r[5]) for r in rows[2:]} == klass["grades"]
    # With Canvas's own export as the roster: its ids, and its existing assignment column.
    roster = tmp_path / "roster.csv"
    roster.write_text("Student,ID,SIS User ID,SIS Login ID,Section,Activation functions (5501)\n"
                      "    Points Possible,,,,,15.00\n"
                      "\"Lovelace, Ada\",101,S101,ada,Group A,\n")
    run_cli("export", str(course), "--format", "canvas", "--to", str(out), "--roster", str(roster))
    rows = list(csv.reader(out.open()))
    assert rows[0][-1] == "Activation functions (5501)"
    assert ["Lovelace, Ada", "101", "S101", "ada", "Group A", "15"] in rows


def test_nbgrader_export_plugin_gives_the_per_function_breakdown(klass, tmp_path):
    course = klass["course"]
    out = tmp_path / "by-function.csv"
    proc = subprocess.run([sys.executable, "-m", "nbgrader", "export",
                           "--exporter=autograder.grade.export.ByFunctionExportPlugin", "--to", str(out)],
                          cwd=course, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(out.open()))
    assert {r["student_id"] for r in rows} == set(klass["grades"])
    totals = {}
    for r in rows:
        totals[r["student_id"]] = totals.get(r["student_id"], 0.0) + float(r["score"])
    assert totals == klass["grades"]
    assert {r["function"] for r in rows} == {"sigmoid_forward", "sigmoid_backward", "tanh_forward", "tanh_backward",
                                             "relu_forward", "relu_backward", "leaky_relu_forward",
                                             "leaky_relu_backward", "softmax_forward", "softmax_backward"}


def test_feedback_rewrites_only_the_pages_whose_grades_changed(klass):
    course = klass["course"]
    run_cli("feedback", str(course), "--workers", "2")
    pages = {p.parts[-3]: p for p in (course / "feedback").glob(f"*/{SLUG}/{SLUG}.html")}
    graded = {s for s in klass["expected"] if s not in ("corrupt", "empty", "raw")}
    assert set(pages) == graded
    before = {s: p.stat().st_mtime_ns for s, p in pages.items()}
    again = run_cli("feedback", str(course))
    assert f"{len(graded)} feedback page(s) unchanged" in again.stderr
    assert {s: p.stat().st_mtime_ns for s, p in pages.items()} == before
    regrade = run_cli("grade", str(course), "--student", "cyd", "--all")
    assert "[1/1 100%" in regrade.stderr
    third = run_cli("feedback", str(course))
    after = {s: p.stat().st_mtime_ns for s, p in pages.items()}
    assert [s for s in after if after[s] != before[s]] == ["cyd"], third.stderr


def test_similarity_report_finds_the_shared_code_and_changes_no_grade(klass, tmp_path):
    course = klass["course"]
    run_cli("similarity", str(course), SLUG, "--out", str(tmp_path))
    rows = list(csv.DictReader((tmp_path / f"similarity-{SLUG}.csv").open()))
    pair = [r for r in rows if {r["student_a"], r["student_b"]} == {"sam", "tom"}]
    assert pair and float(pair[0]["share_of_a_in_b"]) == 1.0
    with_ada = [r for r in rows if {r["student_a"], r["student_b"]} == {"sam", "ada"}]
    assert not with_ada or min(float(with_ada[0]["share_of_a_in_b"]), float(with_ada[0]["share_of_b_in_a"])) < 0.9
    page = (tmp_path / f"similarity-{SLUG}.html").read_text()
    assert "sam" in page and "_clip_each" in page and "# --- sigmoid_forward_solution ---" in page
    assert "Logistic sigmoid, elementwise." not in page  # the given docstring is not the learners' code
    out = tmp_path / "after.csv"
    run_cli("export", str(course), "--to", str(out))
    with out.open() as fh:
        assert {r["student_id"]: float(r["score"]) for r in csv.DictReader(fh)} == klass["grades"]
