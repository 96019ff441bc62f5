"""Fake learners for grading tests: submissions built from the release and source notebooks."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[2]


def solution_sources(course: Path, slug: str) -> dict[str, str]:
    """``{grade_id: source}`` of the solved cells in the instructor's source notebook."""
    nb = nbformat.read(course / "source" / slug / f"{slug}.ipynb", as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: c.source for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("solution")}


def make_submission(course: Path, slug: str, solved=lambda grade_id: True, edit=None) -> nbformat.NotebookNode:
    """A learner's notebook: the release version with some solution cells filled in.

    Parameters
    ----------
    solved : callable(grade_id) -> bool
        Which solution cells get the reference answer (as a learner who got them right).
    edit : callable(grade_id, source) -> source, optional
        Rewrites a cell afterwards (to plant a bug, a crash, an attack...).
    """
    answers = solution_sources(course, slug)
    nb = nbformat.read(course / "release" / slug / f"{slug}.ipynb", as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers and solved(grade_id):
            cell.source = answers[grade_id]
        if edit is not None and grade_id is not None:
            cell.source = edit(grade_id, cell.source)
    return nb


def write_submission(root: Path, student: str, slug: str, nb) -> Path:
    path = root / student / slug / f"{slug}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def run_cli(*args: str, check: bool = True, clone=None) -> subprocess.CompletedProcess:
    """The instructor's documented command, ``python -m autograder ...``, as a subprocess.

    ``clone`` is a ``(repository, python)`` pair (the ``outside_clone`` fixture)
    to run the command from instead of this checkout.
    """
    repo, python = clone or (REPO, sys.executable)
    proc = subprocess.run([str(python), "-m", "autograder", *args], cwd=repo,
                          capture_output=True, text=True, env=dict(os.environ))
    if check and proc.returncode != 0:
        raise AssertionError(f"autograder {args[0]} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc
