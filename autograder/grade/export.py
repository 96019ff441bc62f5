"""Grades out of the gradebook: nbgrader's CSV, a per-function breakdown, feedback pages."""
from __future__ import annotations

import csv
import logging
from pathlib import Path

from autograder.course import Course
from autograder.exercise import function_of
from autograder.grade import diagnoses
from autograder.nbgrader_run import nbgrader

log = logging.getLogger("autograder")


def feedback(course: Course, slugs: list[str] | None = None) -> None:
    """nbgrader's HTML feedback for every graded submission of ``slugs`` (default: all)."""
    if not (course.root / "autograded").exists():
        log.warning("nothing graded yet in %s", course.root)
        return
    for slug in slugs or course.released():
        nbgrader(course.root, "generate_feedback", slug, "--force", check=False)
    log.info("feedback written under %s", course.root / "feedback")


def export(course: Course, out: Path) -> tuple[Path, Path]:
    """nbgrader's CSV export, plus ``<out>-by-function.csv`` with one row per student and graded function.

    The per-function rows carry the grader's ``diagnosis``: the catalogue ids
    of the known mistakes the function was diagnosed with (joined by ``;``),
    empty when it passed, was not diagnosed or was not submitted. It is read
    from the autograded notebooks (:mod:`autograder.grade.diagnoses`).
    """
    from nbgrader.api import Gradebook, MissingEntry

    out = out.resolve()
    nbgrader(course.root, "export", "--to", str(out))
    breakdown = out.with_name(out.stem + "-by-function.csv")
    with Gradebook(course.db_url) as gb, breakdown.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["student_id", "assignment", "function", "score", "max_score", "diagnosis"])
        for assignment in gb.assignments:
            for student in gb.students:
                try:
                    gb.find_submission(assignment.name, student.id)
                    submitted = True
                except MissingEntry:  # no submission: every function scores 0
                    submitted = False
                for nb in assignment.notebooks:
                    found = diagnoses.submission_records(course, student.id, assignment.name, nb.name) \
                        if submitted else {}
                    for cell in nb.grade_cells:
                        score = gb.find_grade(cell.name, nb.name, assignment.name, student.id).score \
                            if submitted else 0.0
                        function = function_of(cell.name)
                        writer.writerow([student.id, assignment.name, function, f"{score:g}", f"{cell.max_score:g}",
                                         diagnoses.diagnosis(found.get(function))])
    return out, breakdown
