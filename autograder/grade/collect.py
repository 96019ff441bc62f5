"""Bringing learners' submissions into a course: ``python -m autograder collect``."""
from __future__ import annotations

import logging
import shutil
from pathlib import Path

from autograder.course import Course
from autograder.nbgrader_run import nbgrader

log = logging.getLogger("autograder")


def collect(course: Course, source: Path, assignment: str | None) -> None:
    """Bring submissions into ``course/submitted``.

    ``source`` is either a folder in nbgrader's ``<student>/<slug>/<slug>.ipynb``
    layout (e.g. the exchange's inbound copy), or an LMS download (a ``.zip``
    or a folder of ``<student>_..._<slug>.ipynb`` files) for ``assignment``,
    which goes through ``nbgrader zip_collect``.
    """
    if source.is_dir() and any(p.is_dir() for p in source.iterdir()) and assignment is None:
        for student_dir in sorted(p for p in source.iterdir() if p.is_dir()):
            for assign_dir in sorted(p for p in student_dir.iterdir() if p.is_dir()):
                dest = course.root / "submitted" / student_dir.name / assign_dir.name
                if dest.exists():
                    shutil.rmtree(dest)
                shutil.copytree(assign_dir, dest)
                log.info("collected %s/%s", student_dir.name, assign_dir.name)
        return
    if assignment is None:
        raise ValueError("an LMS download needs --assignment SLUG (which exercise these files are)")
    archive = course.root / "downloaded" / assignment / "archive"
    archive.mkdir(parents=True, exist_ok=True)
    files = [source] if source.is_file() else sorted(p for p in source.iterdir() if p.is_file())
    for f in files:
        shutil.copy2(f, archive / f.name)
    proc = nbgrader(course.root, "zip_collect", assignment, "--force")
    for line in proc.stderr.splitlines():
        if "WARNING" in line or "ERROR" in line:
            log.warning("zip_collect: %s", line)
    log.info("collected %s from %s", assignment, source)
