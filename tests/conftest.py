"""Shared fixtures: a generated course directory."""
from pathlib import Path

import pytest

from fakeclass import run_cli


@pytest.fixture(scope="session")
def course(tmp_path_factory) -> Path:
    """A course directory made by ``python -m autograder setup`` (all chapters released)."""
    root = tmp_path_factory.mktemp("course") / "nn-course"
    run_cli("setup", str(root))
    return root
