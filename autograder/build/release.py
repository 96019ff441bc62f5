"""Course directories and release notebooks: ``setup`` and ``build-exercises``.

:func:`setup` makes (or refreshes) an instructor's course directory: its
``nbgrader_config.py``, its grading secret and, for every exercise, the source
notebook assembled from the template and the release notebook nbgrader
generates from it, in one language (English unless ``setup --language`` says
otherwise). :func:`build_exercises` regenerates the committed release
notebooks the same way, in a throwaway course without a secret:
``exercises/<slug>.ipynb`` in English, ``exercises/<folder>/<slug>.ipynb`` in
each other language (``exercises/zh/``).
"""
from __future__ import annotations

import logging
import secrets
import tempfile
from pathlib import Path

import nbformat

from autograder.build.assemble import assemble
from autograder.course import REPO, TEMPLATES, Course, chapters, write_private
from autograder.i18n import LANGUAGES, folder
from autograder.nbgrader_run import nbgrader

log = logging.getLogger("autograder")

EXERCISES = REPO / "exercises"
CONFIG = REPO / "autograder" / "nbgrader_config.py"


def write_course_config(course: Path, url: str | None = None) -> None:
    """The course's ``nbgrader_config.py`` (no secret in it) and, with ``url``, its 0600 settings file."""
    if url:
        Course(course).write_settings(db_url=url)
    lines = [
        "# Written by `python -m autograder setup`: the course's settings live in the files loaded here.",
        "import json, pathlib",
        "c = get_config()  # noqa: F821",
        f"load_subconfig({str(CONFIG)!r})  # noqa: F821",
        f"c.CourseDirectory.root = {str(course)!r}",
        "# The gradebook's URL may hold a password: it is kept in a file only the instructor can read.",
        f"_settings = pathlib.Path(__file__).with_name({Course.SETTINGS!r})",
        "if _settings.exists() and json.loads(_settings.read_text()).get('db_url'):",
        "    c.CourseDirectory.db_url = json.loads(_settings.read_text())['db_url']",
    ]
    (course / "nbgrader_config.py").write_text("\n".join(lines) + "\n")


def release(course: Course, slugs: list[str], language: str = "en") -> None:
    """Assemble each exercise's source notebook into ``course`` and let nbgrader make its release version."""
    for slug in slugs:
        target = course.source(slug)
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(assemble(TEMPLATES / f"{slug}.md", language), target)
        nbgrader(course.root, "generate_assignment", slug, "--force")
        log.info("released %s -> %s", slug, course.release(slug))


def setup(root: Path, slugs: list[str] | None = None, url: str | None = None, language: str = "en") -> Course:
    """Create (or refresh) a course directory and generate its release notebooks.

    ``url`` is a SQLAlchemy database URL for the gradebook (PostgreSQL for
    parallel or multi-machine grading); without it the course keeps what it
    had, or nbgrader's SQLite file. An existing secret is never replaced.
    ``language`` is the language of the notebooks learners get. Their graded
    cells are the same in every language, so a course also scores the
    notebooks of another language (``exercises/zh/<slug>.ipynb``) alike, with
    the hidden tests' feedback in the notebook's language; but nbgrader
    restores a submission's locked cells (instructions, helpers) from this
    course's release, so those come back in the course's language.
    """
    root.mkdir(parents=True, exist_ok=True)
    course = Course(root)
    write_course_config(course.root, url)
    if not (course.root / Course.SECRET).exists():
        write_private(course.root / Course.SECRET, secrets.token_hex(32) + "\n")
    release(course, slugs or chapters(), language)
    return course


def build_exercises(out_dir: Path = EXERCISES, languages=tuple(LANGUAGES)) -> list[Path]:
    """Regenerate the committed release notebooks: ``exercises/<slug>.ipynb``, ``exercises/zh/<slug>.ipynb``."""
    written = []
    for language in languages:
        with tempfile.TemporaryDirectory() as tmp:
            course = Course(Path(tmp) / "course")
            course.root.mkdir()
            write_course_config(course.root)
            release(course, chapters(), language)
            for slug in chapters():
                dest = out_dir / folder(language) / f"{slug}.ipynb"
                dest.parent.mkdir(parents=True, exist_ok=True)
                nbformat.write(nbformat.read(course.release(slug), as_version=4), dest)
                written.append(dest)
    return written
