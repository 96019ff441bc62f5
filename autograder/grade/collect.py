"""Bringing learners' submissions into a course: ``python -m autograder collect``.

Learners and their tools rename notebooks: a browser saves a second download as
``activations (1).ipynb``, Google Drive makes ``Copy of activations.ipynb``, an
LMS adds ``-1`` to a resubmission and the student's name in front
(``jdoe_activations-1.ipynb``, ``lmseve-activations.ipynb``), and some learners
type ``Activations.ipynb``. nbgrader grades only ``<slug>.ipynb`` and reports any
other name as "No notebooks found, did you forget to run generate_assignment?".
:func:`notebook_match` recognises these names; :func:`collect` and, for LMS
downloads, nbgrader's ``zip_collect`` (through :class:`LmsFileNameCollector`,
set in ``autograder/nbgrader_config.py``) store each as ``<slug>.ipynb`` and log
every rename. When a learner has several notebooks for one exercise, the one
named exactly ``<slug>.ipynb`` is kept, else the highest-numbered copy (browsers
and LMSs number later copies higher); the others are logged as skipped.
"""
from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

from nbgrader.plugins import FileNameCollectorPlugin

from autograder.course import Course
from autograder.nbgrader_run import nbgrader

log = logging.getLogger("autograder")

#: What follows the exercise's name in a copied file's name: "-1", " (2)", "_copy", " copy 3".
_AFTER = re.compile(r"^(?:[-_ .]*\(\d+\)|[-_ .]+\d+|[-_ .]*copy(?:[-_ ]*\d+)?)*$", re.I)
#: What precedes it in a copied file's name: "Copy of ".
_COPY_OF = re.compile(r"copy[-_ ]*of[-_ ]*$", re.I)
#: Characters nbgrader accepts in a student id here.
_NOT_ID = re.compile(r"[^A-Za-z0-9.@-]")
_ZIPS = (".zip", ".gz")


def notebook_match(filename: str, slug: str) -> tuple[str, int] | None:
    """Whether ``filename`` is a (possibly renamed) notebook of ``slug``: ``(prefix, copy number)`` or ``None``.

    ``prefix`` is what precedes the exercise's name once a "Copy of" is
    removed (the LMS's student part, ``""`` for none); the copy number is the
    largest number in the suffix (0 for none).

    >>> notebook_match("jdoe_attempt_1_Copy of Activations (2).ipynb", "activations")
    ('jdoe_attempt_1_', 2)
    >>> notebook_match("losses.ipynb", "activations") is None
    True
    """
    if not filename.lower().endswith(".ipynb"):
        return None
    stem = filename[: -len(".ipynb")]
    lower = stem.lower()
    start = lower.rfind(slug.lower())
    while start >= 0:
        after = stem[start + len(slug):]
        if _AFTER.match(after):
            numbers = [int(n) for n in re.findall(r"\d+", after)]
            return _COPY_OF.sub("", stem[:start]), max(numbers, default=0)
        start = lower.rfind(slug.lower(), 0, start)
    return None


def student_of(prefix: str) -> str:
    """The student id in the part of an LMS file name before the exercise (``"jdoe_12345_"`` -> ``"jdoe"``)."""
    first = prefix.strip(" -_.").split("_")[0]
    return _NOT_ID.sub("", first)


def renamed(filename: str, slug: str) -> bool:
    """Whether the notebook part of ``filename`` is anything but exactly ``<slug>.ipynb``."""
    return not filename.endswith(f"{slug}.ipynb") or bool(_COPY_OF.search(filename[: -len(f"{slug}.ipynb")]))


def _best(candidates: list[Path], slug: str) -> Path:
    """The notebook to keep among one learner's several for ``slug``: the exact name, else the highest copy."""
    return max(candidates, key=lambda p: (not renamed(p.name, slug), notebook_match(p.name, slug)[1], p.name))


class LmsFileNameCollector(FileNameCollectorPlugin):
    """nbgrader ``zip_collect`` plugin: student and notebook from an LMS download's file names, renames logged.

    ``<student>_<anything>_<slug>.ipynb`` (Canvas, and most LMSs), with the
    notebook part renamed as :func:`notebook_match` allows, or
    ``<student>-<slug>.ipynb``; a file named only after the exercise takes the
    student from its folder (``<student>/<slug>.ipynb`` inside the archive).
    """

    def _assignment(self) -> str:
        return self.parent.coursedir.assignment_id

    def _choices(self) -> dict[str, Path]:
        """``{student: the file kept}`` over the whole extracted download (computed once)."""
        if getattr(self, "_chosen", None) is None:
            app, slug = self.parent, self._assignment()
            root = Path(app._format_collect_path(app.extracted_directory))
            found: dict[str, list[Path]] = {}
            for path in sorted(p for p in root.rglob("*") if p.is_file()):
                student = self._student(path, root)
                if student:
                    found.setdefault(student, []).append(path)
            self._chosen, self._skipped = {}, set()
            for student, paths in found.items():
                keep = _best(paths, slug)
                self._chosen[student] = keep
                for other in paths:
                    if other != keep:
                        self._skipped.add(other)
                        self.log.warning("%s sent several notebooks for %s: kept '%s', skipped '%s'", student, slug,
                                         keep.name, other.name)
        return self._chosen

    def _student(self, path: Path, root: Path) -> str | None:
        match = notebook_match(path.name, self._assignment())
        if match is None:
            return None
        if student_of(match[0]):
            return student_of(match[0])
        folders = path.relative_to(root).parts[:-1]
        archive = Path(self.parent._format_collect_path(self.parent.archive_directory))
        if folders and any((archive / (folders[0] + ext)).exists() for ext in _ZIPS):
            folders = folders[1:]  # the archive's own folder, which zip_collect extracts it into
        return student_of(folders[-1]) if folders else None

    def collect(self, submitted_file: str):
        slug = self._assignment()
        path = Path(submitted_file)
        chosen = self._choices()
        student = next((s for s, p in chosen.items() if p == path), None)
        if student is None:
            if notebook_match(path.name, slug) is None:
                self.log.warning("'%s' is not a notebook of %s (expected <student>_..._%s.ipynb): skipped",
                                 path.name, slug, slug)
            elif path not in self._skipped:  # (a skipped copy was logged with the one kept)
                self.log.warning("'%s' names no student (expected <student>_..._%s.ipynb, or a <student>/ "
                                 "folder): skipped", path.name, slug)
            return None
        if renamed(path.name, slug):
            self.log.warning("Renamed: %s's '%s' collected as %s.ipynb", student, path.name, slug)
        return {"student_id": student, "file_id": f"{slug}.ipynb"}


def _copy_submission(assign_dir: Path, dest: Path, slug: str, student: str) -> None:
    """Copy one ``<student>/<slug>`` folder, the notebook renamed to ``<slug>.ipynb`` if it was renamed."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(assign_dir, dest)
    if (dest / f"{slug}.ipynb").exists():
        return
    candidates = [p for p in dest.glob("*.ipynb") if notebook_match(p.name, slug)]
    if not candidates:
        return
    keep = _best(candidates, slug)
    for other in candidates:
        if other != keep:
            log.warning("%s/%s: several notebooks: kept '%s', skipped '%s'", student, slug, keep.name, other.name)
            other.rename(other.with_name(other.name + ".skipped"))
    keep.rename(dest / f"{slug}.ipynb")
    log.warning("%s/%s: renamed '%s' to %s.ipynb", student, slug, keep.name, slug)


def collect(course: Course, source: Path, assignment: str | None) -> None:
    """Bring submissions into ``course/submitted``.

    ``source`` is either a folder in nbgrader's ``<student>/<slug>/<slug>.ipynb``
    layout (e.g. the exchange's inbound copy), or an LMS download (a ``.zip``
    or a folder of ``<student>_..._<slug>.ipynb`` files) for ``assignment``,
    which goes through ``nbgrader zip_collect``. Renamed notebooks are stored
    as ``<slug>.ipynb``, with a log line each.
    """
    if source.is_dir() and any(p.is_dir() for p in source.iterdir()) and assignment is None:
        slugs = {s.lower(): s for s in course.released()}
        for student_dir in sorted(p for p in source.iterdir() if p.is_dir()):
            for assign_dir in sorted(p for p in student_dir.iterdir() if p.is_dir()):
                slug = slugs.get(assign_dir.name.lower(), assign_dir.name)
                if slug != assign_dir.name:
                    log.warning("%s: folder '%s' collected as %s", student_dir.name, assign_dir.name, slug)
                _copy_submission(assign_dir, course.root / "submitted" / student_dir.name / slug, slug,
                                 student_dir.name)
                log.info("collected %s/%s", student_dir.name, slug)
        return
    if assignment is None:
        raise ValueError("an LMS download needs --assignment SLUG (which exercise these files are)")
    archive = course.root / "downloaded" / assignment / "archive"
    if archive.exists():
        shutil.rmtree(archive)  # an earlier download's files would be collected again
    archive.mkdir(parents=True)
    files = [source] if source.is_file() else sorted(p for p in source.iterdir() if p.is_file())
    for f in files:
        shutil.copy2(f, archive / f.name)
    proc = nbgrader(course.root, "zip_collect", assignment, "--force")
    for line in proc.stderr.splitlines():
        if "WARNING" in line or "ERROR" in line:
            log.warning("zip_collect: %s", line.split("] ", 1)[-1] if "] " in line else line)
    log.info("collected %s from %s", assignment, source)
