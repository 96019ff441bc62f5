"""The instructor's commands, ``python -m autograder COMMAND``: parsing and dispatch only.

Every command runs the real ``nbgrader`` inside the course directory; the work
is done in :mod:`autograder.build` (``setup``, ``build-exercises``) and
:mod:`autograder.grade` (``collect``, ``grade``, ``feedback``, ``export``).
Run ``python -m autograder --help``.

Course directory layout (nbgrader's)::

    COURSE/
      nbgrader_config.py      loads autograder/nbgrader_config.py
      .grading_secret         seeds the hidden inputs (0600; keep it, never share it)
      .autograder.json        the gradebook's URL when it is PostgreSQL (0600)
      source/<slug>/<slug>.ipynb     assembled from exercises/src/<slug>.md
      release/<slug>/<slug>.ipynb    what learners get
      submitted/<student>/<slug>/<slug>.ipynb
      autograded/ feedback/ gradebook.db

Exit status: 0 when the command did what was asked; 1 when ``grade`` could not
grade some submissions (they are listed at the end of its log); 2 for a usage
or set-up error (a one-line message says what to do).
"""
from __future__ import annotations

import argparse
import logging
from pathlib import Path

from autograder.course import REPO, Course, MissingSecret
from autograder.nbgrader_run import NbgraderFailed

log = logging.getLogger("autograder")


def _parser() -> argparse.ArgumentParser:
    from autograder.grade.batch import SUBMISSION_TIMEOUT

    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__.split("\n\n")[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="log every nbgrader command as it runs")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("setup", help="create a course directory and generate the release notebooks")
    p.add_argument("course", type=Path)
    p.add_argument("--assignment", action="append", help="only these slugs (default: every exercise)")
    p.add_argument("--db-url", help="gradebook database URL, e.g. postgresql://user:pw@host/db (default: SQLite)")
    p = sub.add_parser("collect", help="bring submissions into COURSE/submitted")
    p.add_argument("course", type=Path)
    p.add_argument("source", type=Path, help="submitted/-style folder, or an LMS .zip / folder of files")
    p.add_argument("--assignment", help="exercise slug, for LMS downloads")
    p = sub.add_parser("grade", help="autograde every submission (never stops on a bad one)")
    p.add_argument("course", type=Path)
    p.add_argument("--assignment", action="append", help="only these slugs")
    p.add_argument("--cell-timeout", type=int, help="seconds per cell (default: nbgrader_config.py, 60)")
    p.add_argument("--submission-timeout", type=float, default=SUBMISSION_TIMEOUT,
                   help=f"wall-clock seconds for one submission before it is stopped (default {SUBMISSION_TIMEOUT})")
    p.add_argument("--workers", type=int, help="parallel local workers (default: cores with PostgreSQL, 1 with SQLite)")
    p.add_argument("--scheduler", help="address of a Dask scheduler (tcp://host:8786): grade on that cluster")
    p.add_argument("--all", dest="resume", action="store_false",
                   help="grade everything again, not only new or changed submissions")
    p = sub.add_parser("feedback", help="per-student HTML feedback")
    p.add_argument("course", type=Path)
    p.add_argument("--assignment", action="append", help="only these slugs")
    p = sub.add_parser("export", help="grades CSV (nbgrader format) and per-function breakdown")
    p.add_argument("course", type=Path)
    p.add_argument("--to", type=Path, default=Path("grades.csv"))
    sub.add_parser("build-exercises", help="regenerate exercises/<slug>.ipynb (maintainers)")
    return parser


def _run(args) -> int:
    course = Course(args.course) if getattr(args, "course", None) else None
    if args.command == "setup":
        from autograder.build.release import setup

        setup(course.root, args.assignment, url=args.db_url)
    elif args.command == "collect":
        from autograder.grade.collect import collect

        collect(course, args.source.resolve(), args.assignment)
    elif args.command == "grade":
        from autograder.grade.batch import grade

        outcomes = grade(course.root, args.assignment, args.cell_timeout, args.submission_timeout, args.workers,
                         args.scheduler, args.resume)
        failed = [o for o in outcomes if not o.ok]
        log.info("done: %d graded, %d could not be graded", len(outcomes) - len(failed), len(failed))
        for o in failed:
            log.error("not graded: %s/%s: %s", o.student, o.slug, o.reason)
        return 1 if failed else 0
    elif args.command == "feedback":
        from autograder.grade.export import feedback

        feedback(course, args.assignment)
    elif args.command == "export":
        from autograder.grade.export import export

        for path in export(course, args.to):
            log.info("wrote %s", path)
    elif args.command == "build-exercises":
        from autograder.build.release import build_exercises

        for path in build_exercises():
            log.info("wrote %s", path.relative_to(REPO))
    return 0


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="[autograder] %(message)s")
    try:
        return _run(args)
    except (MissingSecret, NbgraderFailed, ValueError) as exc:
        log.error("%s", exc)
        return 2
