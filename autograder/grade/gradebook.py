"""Keep one connection to a PostgreSQL gradebook per process, instead of one per opening.

nbgrader opens its gradebook (``nbgrader.api.Gradebook``) about ten times while
it autogrades one notebook, and a grading worker (:mod:`autograder.grade.worker`)
autogrades hundreds of notebooks. For a database server each opening builds a
new SQLAlchemy engine and connection, with its password handshake (~20 ms, so
~0.2 s per submission). Here one engine per database is kept for the process,
with a pool of one idle connection (checked before use, so a restarted server
is no problem), and ``Gradebook.close`` gives the connection back to that pool
instead of closing it.

SQLite gradebooks are left as nbgrader opens them: opening a file costs little,
and a pooled connection would keep a deleted or replaced gradebook file open.

:func:`install` is called by our grading workers (:mod:`autograder.grade.worker`)
when they start: explicitly, and only there. A plain ``nbgrader`` command run
in a course directory opens its gradebook as nbgrader ships.
"""
from __future__ import annotations

import nbgrader.api
import sqlalchemy

_engines: dict[str, sqlalchemy.engine.Engine] = {}
_nbgrader_close = nbgrader.api.Gradebook.close


def _is_server(db_url) -> bool:
    return not str(db_url).startswith("sqlite")


def _create_engine(db_url, **kwargs):
    """``sqlalchemy.create_engine`` as nbgrader calls it, shared per server database."""
    if not _is_server(db_url):
        return sqlalchemy.create_engine(db_url, **kwargs)
    key = str(db_url)
    if key not in _engines:
        # One idle connection per process: a cluster of many grading workers
        # holds about one connection each (see the instructor guide).
        _engines[key] = sqlalchemy.create_engine(db_url, pool_size=1, max_overflow=8, pool_pre_ping=True, **kwargs)
    return _engines[key]


def _close(self) -> None:
    """``Gradebook.close``: a shared engine keeps its pool; others are disposed as nbgrader does."""
    if self.engine in _engines.values():
        self.db.remove()  # the session's connection goes back to the pool
    else:
        _nbgrader_close(self)


def install() -> None:
    """Route nbgrader's engines and ``Gradebook.close`` through this module (idempotent)."""
    nbgrader.api.create_engine = _create_engine
    nbgrader.api.Gradebook.close = _close
