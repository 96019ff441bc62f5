"""Shared fixtures: a generated course directory, and the book built once per test session."""
import subprocess
import sys
from pathlib import Path

import pytest

from fakeclass import run_cli

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def course(tmp_path_factory, postgres) -> Path:
    """A course directory made by ``python -m autograder setup`` (all chapters released).

    Its gradebook is PostgreSQL, so grading tests run on the machine's cores in
    parallel; the SQLite path is covered by ``test_parallel.py``.
    """
    root = tmp_path_factory.mktemp("course") / "nn-course"
    run_cli("setup", str(root), "--db-url", postgres("course"))
    return root


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server for the session; call it with a name to get a fresh database's URL."""
    from autograder.pgcluster import Cluster

    with Cluster() as cluster:
        yield cluster.database


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """``jupyter-book build`` exactly as ``make site`` runs it, into a private folder; its ``_build/html``.

    Built once per session and shared by ``test_site.py`` and the browser tests.
    """
    out = tmp_path_factory.mktemp("site")
    jb = Path(sys.executable).parent / "jupyter-book"
    proc = subprocess.run([str(jb), "build", str(REPO), "--path-output", str(out),
                           "--warningiserror", "--nitpick", "--keep-going"],
                          capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0, f"book build failed:\n{proc.stdout[-6000:]}\n{proc.stderr[-3000:]}"
    return out / "_build" / "html"
