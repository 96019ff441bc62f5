"""A throwaway PostgreSQL server for tests and benchmarks (Debian's ``postgresql`` package).

Parallel grading needs a gradebook that takes concurrent writers. The tests
and ``benchmarks/bench_grading.py`` start a real server with the grader's own
:class:`autograder.grade.postgres.Server` (what ``python -m autograder db start``
runs for a course): a fresh cluster in a temporary directory, listening on
127.0.0.1 with password authentication.
"""
from __future__ import annotations

import secrets
import shutil
import tempfile
from pathlib import Path

from autograder.grade.postgres import Server, free_port


class Cluster:
    """``with Cluster() as pg: url = pg.database("name")`` — stopped and deleted on exit."""

    def __init__(self):
        # Not under a root-only temp dir: the server runs as "postgres" when we are root.
        self.root = Path(tempfile.mkdtemp(prefix="nncourse-pg-"))
        self.password = secrets.token_hex(12)
        self.server = Server(self.root, free_port())

    @property
    def port(self) -> int:
        return self.server.port

    def __enter__(self):
        self.server.create(self.password)
        self.server.start()
        return self

    def database(self, name: str) -> str:
        """Create database ``name``; return its SQLAlchemy URL."""
        return self.server.create_database(name, self.password)

    def __exit__(self, *exc):
        self.server.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)
