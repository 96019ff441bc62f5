"""autograder.grade.gradebook: one pooled connection per PostgreSQL gradebook and process; SQLite untouched."""
import os
import sys
from pathlib import Path

import nbgrader.api
import pytest
from nbgrader.api import Gradebook
from sqlalchemy import text

from autograder.grade import gradebook


@pytest.fixture(autouse=True)
def alembic_on_path(monkeypatch):
    """nbgrader runs the `alembic` command when it creates a gradebook: our venv's, as the CLI arranges."""
    monkeypatch.setenv("PATH", os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))


@pytest.fixture
def installed(monkeypatch):
    """Install the change for one test only: later tests see nbgrader as it ships."""
    monkeypatch.setattr(nbgrader.api, "create_engine", nbgrader.api.create_engine)
    monkeypatch.setattr(nbgrader.api.Gradebook, "close", nbgrader.api.Gradebook.close)
    gradebook.install()
    yield
    for engine in gradebook._engines.values():
        engine.dispose()
    gradebook._engines.clear()


def backend_pid(url):
    with Gradebook(url) as gb:
        return gb.db.execute(text("SELECT pg_backend_pid()")).scalar()


@pytest.mark.slow
def test_postgres_openings_share_one_connection(installed, postgres):
    url = postgres("pooled")
    with Gradebook(url) as gb:
        gb.add_student("ada")
    assert backend_pid(url) == backend_pid(url)  # nbgrader as shipped: a new server process per opening
    with Gradebook(url) as gb:
        assert gb.find_student("ada").id == "ada"  # what one opening wrote, the next one reads


@pytest.mark.slow
def test_without_it_each_opening_connects_anew(postgres):
    url = postgres("unpooled")
    assert backend_pid(url) != backend_pid(url)


@pytest.mark.slow  # nbgrader creates the gradebook with alembic: seconds
def test_sqlite_gradebooks_are_opened_as_nbgrader_does(installed, tmp_path):
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with Gradebook(url) as first:
        engine = first.engine
    with Gradebook(url) as second:
        assert second.engine is not engine
    assert not gradebook._engines
