"""What happened to the submission being graded, besides its score: notes for the log and the class report.

nbgrader's preprocessors run inside a grading worker (:mod:`autograder.grade.worker`),
one submission at a time. Ours note here what an instructor should know about
that submission: an accident that was repaired (:mod:`autograder.grade.repair`),
a limit that was hit (a cell interrupted, a kernel that died, output cut), and
which hidden cases of each function failed. The worker drains the notes after
each submission and sends them back with its reply; the grader keeps them in
the submission's results file (:mod:`autograder.grade.batch`), which the report
(:mod:`autograder.grade.report`) reads.

A plain ``nbgrader autograde`` in the course directory runs the same
preprocessors: there the notes are simply never drained (they also go to
nbgrader's log).
"""
from __future__ import annotations

#: Kinds of note.
REPAIRED = "repaired"   # an accident repaired against the release notebook (graded, but flagged)
LIMIT = "limit"         # a time, output or kernel limit was hit
CASES = "cases"         # the hidden cases of one function: labels, which failed, whether they ran

_notes: list[dict] = []


def note(kind: str, message: str = "", **data) -> None:
    """Remember one thing that happened to the submission being graded."""
    _notes.append({"kind": kind, "message": message, **data})


def drain() -> list[dict]:
    """The notes since the last call (the submission just graded), in order; forgets them."""
    notes = list(_notes)
    _notes.clear()
    return notes
