"""What the grader diagnosed, read back from graded submissions: for the exports and the class report.

:class:`autograder.grade.preprocessors.JudgeHiddenTests` writes each graded
function's verdict record (:meth:`autograder.judge.verdict.Verdict.record`)
into the metadata of its hidden-tests cell's first output, in the autograded
notebook (``COURSE/autograded/<student>/<slug>/<slug>.ipynb``). The record
travels with the outputs it describes: a regrade rewrites both at once, and
reading it needs no kernel, no secret and no re-run. It holds only public
things: the function, the number of cases and failures, the catalogue ids of
the diagnosed mistakes, the keys of the failing kinds of case, the links.
"""
from __future__ import annotations

from pathlib import Path

import nbformat

from autograder.course import Course
from autograder.judge.verdict import RECORD_KEY

#: How several diagnosed mistakes are joined in one CSV cell.
SEPARATOR = ";"


def records(notebook) -> dict[str, dict]:
    """``{function: record}`` of an autograded notebook (a path or a notebook node); empty if none is found."""
    if not isinstance(notebook, nbformat.NotebookNode):
        notebook = nbformat.read(notebook, as_version=4)
    found = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            record = output.get("metadata", {}).get(RECORD_KEY)
            if isinstance(record, dict) and isinstance(record.get("function"), str):
                found[record["function"]] = record
    return found


def submission_records(course: Course, student: str, slug: str, notebook: str | None = None) -> dict[str, dict]:
    """``{function: record}`` of one student's graded notebook of an exercise (empty when not graded)."""
    path = Path(course.root) / "autograded" / student / slug / f"{notebook or slug}.ipynb"
    return records(path) if path.is_file() else {}


def diagnosis(record: dict | None) -> str:
    """The CSV form of a record's diagnosis: its catalogue ids joined by ``;``, empty when there is none."""
    return SEPARATOR.join(record.get("diagnosis", [])) if record else ""
