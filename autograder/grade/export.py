"""Grades out of the gradebook: nbgrader's CSV, a per-function breakdown, and CSV files an LMS imports.

The breakdown and the LMS files are nbgrader *export plugins*, so that plain
nbgrader users get them too, from inside the course directory::

    nbgrader export --exporter=autograder.grade.export.ByFunctionExportPlugin --to grades-by-function.csv
    nbgrader export --exporter=autograder.grade.export.CanvasExportPlugin --to canvas.csv
    nbgrader export --exporter=autograder.grade.export.MoodleExportPlugin --to moodle.csv

:func:`export` (``python -m autograder export``) runs the same plugin classes.

* :class:`ByFunctionExportPlugin`: one row per student, exercise and graded
  function (``student_id, assignment, function, score, max_score,
  diagnosis``); ``diagnosis`` holds the catalogue ids of the known mistakes
  the grader diagnosed (joined by ``;``), empty when it passed, was not
  diagnosed or was not submitted, read from the autograded notebooks
  (:mod:`autograder.grade.diagnoses`);
* :class:`CanvasExportPlugin`: Canvas's gradebook-import layout, one row per
  student and one column per exercise (``Student, ID, SIS User ID, SIS Login
  ID, Section``, then the exercises), with Canvas's "Points Possible" row;
  given a Canvas gradebook export (``--roster``), students and existing
  assignment columns are matched to it;
* :class:`MoodleExportPlugin`: one row per student and one column per exercise,
  after ``Student ID, Email address, First name, Last name``; Moodle's grade
  import maps ``Student ID`` (or the e-mail) to its users.
"""
from __future__ import annotations

import csv
import logging
import os
import re
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import ExportPlugin
from traitlets import Unicode

from autograder.course import Course, chapter_title
from autograder.exercise import function_of
from autograder.grade import diagnoses
from autograder.nbgrader_run import nbgrader

log = logging.getLogger("autograder")

FORMATS = ("nbgrader", "canvas", "moodle")
#: The identifying columns of Canvas's gradebook export, which its import reads back.
CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
#: The first cell of the row under Canvas's header that holds each assignment's points.
CANVAS_POINTS = "    Points Possible"
#: Moodle's grade import maps one identifying column ("Student ID" here) to its users' username or ID number.
MOODLE_COLUMNS = ["Student ID", "Email address", "First name", "Last name"]


def by_function_rows(gb: Gradebook, assignments=(), students=(), course: Course | None = None):
    """One dict per student, exercise and graded function (score 0 where nothing was submitted).

    With ``course``, each row also has the function's ``diagnosis``.
    """
    for assignment in gb.assignments:
        if assignments and assignment.name not in assignments:
            continue
        for student in gb.students:
            if students and student.id not in students:
                continue
            try:
                gb.find_submission(assignment.name, student.id)
                submitted = True
            except MissingEntry:  # no submission: every function scores 0
                submitted = False
            for nb in assignment.notebooks:
                found = diagnoses.submission_records(course, student.id, assignment.name, nb.name) \
                    if submitted and course is not None else {}
                for cell in nb.grade_cells:
                    score = gb.find_grade(cell.name, nb.name, assignment.name, student.id).score \
                        if submitted else 0.0
                    function = function_of(cell.name)
                    row = {"student_id": student.id, "assignment": assignment.name, "function": function,
                           "score": f"{score:g}", "max_score": f"{cell.max_score:g}"}
                    if course is not None:
                        row["diagnosis"] = diagnoses.diagnosis(found.get(function))
                    yield row


def _scores(gb: Gradebook, assignments=(), students=()):
    """``(assignments, [(student, {assignment name: score})])`` with nbgrader's scores (late penalties applied)."""
    chosen = [a for a in gb.assignments if not assignments or a.name in assignments]
    rows = []
    for student in gb.students:
        if students and student.id not in students:
            continue
        scores = {}
        for assignment in chosen:
            try:
                scores[assignment.name] = gb.find_submission(assignment.name, student.id).score
            except MissingEntry:
                scores[assignment.name] = 0.0
        rows.append((student, scores))
    return chosen, rows


def write_csv(path: Path, header: list[str], rows) -> None:
    """``header`` then ``rows`` into ``path`` as UTF-8 CSV (every table the grader writes)."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


def _title(slug: str) -> str:
    try:
        return chapter_title(slug)
    except OSError:  # an assignment this repository does not know
        return slug


class ByFunctionExportPlugin(ExportPlugin):
    """The per-function breakdown: one row per student, exercise and graded function, with its diagnosis."""

    course_root = Unicode("", help="The course directory (default: nbgrader's CourseDirectory.root, "
                          "else the working directory), whose graded notebooks hold the diagnoses.").tag(config=True)

    def export(self, gradebook: Gradebook) -> None:
        dest = Path(self.to or "grades-by-function.csv")
        self.log.info("Exporting the per-function breakdown to %s", dest)
        configured = self.config.CourseDirectory.get("root") if "CourseDirectory" in self.config else None
        course = Course(self.course_root or configured or os.getcwd())
        rows = list(by_function_rows(gradebook, self.assignment, self.student, course))
        header = list(rows[0]) if rows else ["student_id", "assignment", "function", "score", "max_score", "diagnosis"]
        write_csv(dest, header, ([row[k] for k in header] for row in rows))


def _key(text: str) -> str:
    """A name or id reduced to lower-case letters and digits ("Smith, Jane" and "smithjane" agree)."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


class CanvasExportPlugin(ExportPlugin):
    """Canvas gradebook import: one row per student, one column per exercise, and the Points Possible row."""

    roster = Unicode("", help="A gradebook CSV exported from Canvas: its students' names and ids, and the "
                              "assignment columns to fill.").tag(config=True)

    def _roster(self) -> tuple[dict, list[str]]:
        if not self.roster:
            return {}, []
        with open(self.roster, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            people = [row for row in reader if (row.get("Student") or "").strip() and
                      "Points Possible" not in row.get("Student", "")]
            headers = list(reader.fieldnames or [])
        index = {}
        for person in people:
            for column in ("ID", "SIS User ID", "SIS Login ID", "Student"):
                if (person.get(column) or "").strip():
                    index.setdefault(_key(person[column]), person)
        return index, headers

    def export(self, gradebook: Gradebook) -> None:
        dest = Path(self.to or "canvas.csv")
        index, headers = self._roster()
        assignments, rows = _scores(gradebook, self.assignment, self.student)
        columns = []
        for assignment in assignments:
            title = _title(assignment.name)
            # An assignment already in Canvas appears as "Title (12345)" in its export: fill that column.
            existing = [h for h in headers if re.fullmatch(rf"(?:{re.escape(title)}|{re.escape(assignment.name)})"
                                                           rf"\s*\(\d+\)", h.strip(), re.I)]
            columns.append(existing[0] if existing else title)
        out = [[CANVAS_POINTS, "", "", "", "", *(f"{a.max_score:g}" for a in assignments)]]
        unmatched = []
        for student, scores in rows:
            person = index.get(_key(student.id)) or index.get(_key(f"{student.last_name or ''}"
                                                                   f"{student.first_name or ''}"))
            if index and person is None:
                unmatched.append(student.id)
            if person:
                ids = [person.get(c, "") for c in CANVAS_COLUMNS]
            else:
                name = ", ".join(n for n in (student.last_name, student.first_name) if n) or student.id
                ids = [name, "", "", student.id, ""]
            out.append([*ids, *(f"{scores[a.name]:g}" for a in assignments)])
        for student_id in unmatched:
            self.log.warning("Student %s is not in the Canvas roster %s: written with the SIS Login ID %s",
                             student_id, self.roster, student_id)
        self.log.info("Exporting grades for Canvas to %s", dest)
        write_csv(dest, CANVAS_COLUMNS + columns, out)


class MoodleExportPlugin(ExportPlugin):
    """Moodle grade import: one row per student, one column per exercise, and the columns Moodle maps from."""

    def export(self, gradebook: Gradebook) -> None:
        dest = Path(self.to or "moodle.csv")
        assignments, rows = _scores(gradebook, self.assignment, self.student)
        out = [[student.id, student.email or "", student.first_name or "", student.last_name or "",
                *(f"{scores[a.name]:g}" for a in assignments)] for student, scores in rows]
        self.log.info("Exporting grades for Moodle to %s", dest)
        write_csv(dest, MOODLE_COLUMNS + [_title(a.name) for a in assignments], out)


PLUGINS = {"canvas": CanvasExportPlugin, "moodle": MoodleExportPlugin}


def export(course: Course, out: Path, fmt: str = "nbgrader", roster: Path | None = None) -> list[Path]:
    """Write grades to ``out``; returns the files written.

    ``fmt`` ``"nbgrader"``: nbgrader's own CSV, plus ``<out>-by-function.csv``
    (:class:`ByFunctionExportPlugin`); ``"canvas"`` or ``"moodle"``: the file
    that LMS imports (``roster``: a Canvas gradebook export to match students to).
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}: one of {', '.join(FORMATS)}")
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "nbgrader":
        nbgrader(course.root, "export", "--to", str(out))
        breakdown = out.with_name(out.stem + "-by-function.csv")
        with Gradebook(course.db_url) as gb:
            ByFunctionExportPlugin(to=str(breakdown), course_root=str(course.root)).export(gb)
        return [out, breakdown]
    plugin = PLUGINS[fmt](to=str(out))
    if roster is not None:
        if fmt != "canvas":
            raise ValueError("--roster is a Canvas gradebook export: it goes with --format canvas")
        plugin.roster = str(roster.resolve())
    plugin.log = log
    with Gradebook(course.db_url) as gb:
        plugin.export(gb)
    return [out]
