"""Where things are: this repository's chapters, and a course directory's files.

* :func:`chapters` lists the course's exercises in the book's order, read
  from ``_toc.yml`` (the one chapter list: the book, the grader, the tests and
  the exports all take it from here);
* :class:`Course` is an nbgrader course directory made by ``python -m
  autograder setup``: its paths, its grading secret and its settings (the
  gradebook's URL), the last two in files only the instructor can read.
"""
from __future__ import annotations

import importlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TEMPLATES = REPO / "exercises" / "src"
TOC = REPO / "_toc.yml"
#: What a slug may look like: nbgrader uses it as an assignment id and in file names
#: an LMS download is matched against (``autograder/nbgrader_config.py``).
SLUG = re.compile(r"[a-z]+")


def _toc_files(node) -> list[str]:
    if isinstance(node, dict):
        found = [node["file"]] if isinstance(node.get("file"), str) else []
        for key in ("root", "parts", "chapters", "sections"):
            value = node.get(key)
            if isinstance(value, str) and key == "root":
                found.insert(0, value)
            elif isinstance(value, list):
                for child in value:
                    found += _toc_files(child)
        return found
    return []


def chapters(toc: Path = TOC, templates: Path = TEMPLATES) -> list[str]:
    """Slugs of the chapters that have an exercise, in the book's order (``_toc.yml``)."""
    import yaml

    order = [Path(f).name for f in _toc_files(yaml.safe_load(toc.read_text()))]
    return [slug for slug in order if (templates / f"{slug}.md").is_file()]


def chapter_module(package: str, slug: str):
    """``<package>.<slug>`` imported, or None when the chapter has no such module.

    A chapter may not have hidden tests, catalogue entries or alternatives
    yet; an import error *inside* an existing module still raises.
    """
    name = f"{package}.{slug}"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        return None


def site_url() -> str:
    """The book's public address (``html.baseurl`` in ``_config.yml``), for links from notebooks and feedback."""
    import yaml

    config = yaml.safe_load((REPO / "_config.yml").read_text())
    return str(config.get("html", {}).get("baseurl", "")).rstrip("/")


def chapter_title(slug: str) -> str:
    """The title of the book's chapter ``slug`` (its page's first heading)."""
    for line in (REPO / "book" / f"{slug}.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return slug


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by its owner only (0600) from the first byte on."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    os.replace(tmp, path)


class MissingSecret(RuntimeError):
    """The course has no grading secret: hidden inputs would be predictable."""


@dataclass(frozen=True)
class Course:
    """An nbgrader course directory (nbgrader's layout, plus our settings)."""

    root: Path

    SECRET = ".grading_secret"
    SETTINGS = ".autograder.json"
    STATE = ".grading-state.json"
    FEEDBACK_STATE = ".feedback-state.json"

    def __post_init__(self):
        object.__setattr__(self, "root", Path(self.root).resolve())

    # -- nbgrader's layout ---------------------------------------------------------
    def source(self, slug: str) -> Path:
        return self.root / "source" / slug / f"{slug}.ipynb"

    def release(self, slug: str) -> Path:
        return self.root / "release" / slug / f"{slug}.ipynb"

    def submitted(self, student: str, slug: str) -> Path:
        return self.root / "submitted" / student / slug / f"{slug}.ipynb"

    def autograded(self, student: str, slug: str) -> Path:
        return self.root / "autograded" / student / slug / f"{slug}.ipynb"

    def feedback(self, student: str, slug: str) -> Path:
        return self.root / "feedback" / student / slug / f"{slug}.html"

    # -- what grading noted, beside nbgrader's layout --------------------------------
    def record(self, student: str, slug: str) -> Path:
        """The last grading of one submission: outcome, time, repairs, limits, hidden cases (JSON)."""
        return self.root / "logs" / student / f"{slug}.json"

    def log(self, student: str, slug: str) -> Path:
        """nbgrader's whole log of the last grading of one submission."""
        return self.root / "logs" / student / f"{slug}.log"

    def submissions(self) -> dict[str, list[str]]:
        """``{slug: [student, ...]}`` for everything under ``submitted/``."""
        out: dict[str, list[str]] = {}
        for student_dir in sorted((self.root / "submitted").glob("*")):
            for assignment_dir in sorted(p for p in student_dir.glob("*") if p.is_dir()):
                out.setdefault(assignment_dir.name, []).append(student_dir.name)
        return out

    def released(self) -> list[str]:
        """Slugs that have a source notebook here, in the course's order."""
        return [slug for slug in chapters() if self.source(slug).is_file()]

    # -- private files -------------------------------------------------------------
    def secret(self) -> str:
        path = self.root / self.SECRET
        if not path.is_file():
            raise MissingSecret(f"no grading secret in {self.root}: run `python -m autograder setup {self.root}`")
        return path.read_text().strip()

    def settings(self) -> dict:
        path = self.root / self.SETTINGS
        return json.loads(path.read_text()) if path.is_file() else {}

    def write_settings(self, **values) -> None:
        write_private(self.root / self.SETTINGS, json.dumps({**self.settings(), **values}))

    @property
    def db_url(self) -> str:
        """The gradebook: PostgreSQL if ``setup --db-url`` said so, else nbgrader's SQLite file."""
        return self.settings().get("db_url") or f"sqlite:///{self.root / 'gradebook.db'}"
