"""Building the book: ``make site`` and ``publish`` both come through :func:`build_book`.

The book is a Jupyter Book 1.x project configured by ``_config.yml``. An
edition or a language is that configuration with a few settings changed,
written to a temporary file for the build (``_config.yml`` stays the one
place settings are written); every build shares one execution cache
(``_build/.jupyter_cache``), so a chapter runs once whatever is built from it.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from autograder.course import REPO

CONFIG = REPO / "_config.yml"
CACHE = REPO / "_build" / ".jupyter_cache"


class BuildFailed(RuntimeError):
    """The book did not build (with warnings as errors); the message ends with the build's output."""


def book_config(edition: str = "class") -> dict:
    """``_config.yml`` as a dict, set for ``edition`` and the shared execution cache."""
    config = yaml.safe_load(CONFIG.read_text())
    config.setdefault("execute", {})["cache"] = str(CACHE)
    # Jupyter Book finds local extensions relative to the configuration file, which is written elsewhere.
    sphinx = config.setdefault("sphinx", {})
    sphinx["local_extensions"] = {name: str(REPO / path) for name, path in
                                  (sphinx.get("local_extensions") or {}).items()}
    sphinx.setdefault("config", {})["nncourse_edition"] = edition
    return config


def build_book(out: Path, edition: str = "class") -> Path:
    """Build the book into ``out`` (warnings are errors); returns its ``html`` folder."""
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", suffix=".yml", prefix="_config.", dir=CACHE.parent, delete=False) as fh:
        yaml.safe_dump(book_config(edition), fh, sort_keys=False, allow_unicode=True)
        config_path = Path(fh.name)
    try:
        jupyter_book = Path(sys.executable).parent / "jupyter-book"
        proc = subprocess.run([str(jupyter_book), "build", str(REPO), "--config", str(config_path),
                               "--path-output", str(out), "--warningiserror", "--nitpick", "--keep-going"],
                              cwd=REPO, capture_output=True, text=True)
    finally:
        config_path.unlink(missing_ok=True)
    if proc.returncode != 0:
        raise BuildFailed(f"the book did not build ({edition} edition):\n{proc.stdout[-3000:]}{proc.stderr[-2000:]}")
    return Path(out) / "_build" / "html"
