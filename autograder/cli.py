"""The instructor's commands, ``python -m autograder COMMAND``: parsing and dispatch only.

Every command runs the real ``nbgrader`` inside the course directory; the work
is done in :mod:`autograder.build` (``setup``, ``build-exercises``) and
:mod:`autograder.grade` (``collect``, ``grade``, ``feedback``, ``export``,
``report``, ``similarity``, ``db``). Run ``python -m autograder --help``.

Course directory layout (nbgrader's)::

    COURSE/
      nbgrader_config.py      loads autograder/nbgrader_config.py
      .grading_secret         seeds the hidden inputs (0600; keep it, never share it)
      .autograder.json        the gradebook's URL when it is PostgreSQL (0600)
      source/<slug>/<slug>.ipynb     assembled from exercises/src/<slug>.md
      release/<slug>/<slug>.ipynb    what learners get
      submitted/<student>/<slug>/<slug>.ipynb
      autograded/ feedback/ gradebook.db
      logs/<student>/<slug>.json, .log   what the last grading noted, and nbgrader's log
      .postgres/                 the gradebook's PostgreSQL cluster, after `db start` (0700)

Exit status: 0 when the command did what was asked; 1 when ``grade`` could not
grade some submissions (they are listed at the end of its log); 2 for a usage
or set-up error (a one-line message says what to do).
"""
from __future__ import annotations

import argparse
import logging
from pathlib import Path

from autograder.course import REPO, Course, MissingSecret
from autograder.i18n import LANGUAGES
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
    p.add_argument("--language", default="en", choices=sorted(LANGUAGES),
                   help="the language of the notebooks learners get (default en; zh_CN: Chinese). Either "
                        "language's notebooks are graded alike; the feedback follows each notebook's language")
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
    p.add_argument("--student", action="append", help="only these students (repeatable)")
    p = sub.add_parser("feedback", help="per-student HTML feedback (only pages whose grades changed)")
    p.add_argument("course", type=Path)
    p.add_argument("--assignment", action="append", help="only these slugs")
    p.add_argument("--student", action="append", help="only these students (repeatable)")
    p.add_argument("--workers", type=int, help="parallel local workers (as for grade)")
    p.add_argument("--scheduler", help="address of a Dask scheduler: make the pages on that cluster")
    p.add_argument("--all", dest="everything", action="store_true", help="make every page again")
    p = sub.add_parser("export", help="grades CSV (nbgrader format) and per-function breakdown, or an LMS's CSV")
    p.add_argument("course", type=Path)
    p.add_argument("--to", type=Path, default=Path("grades.csv"))
    p.add_argument("--format", choices=["nbgrader", "canvas", "moodle"], default="nbgrader",
                   help="nbgrader's CSV and grades-by-function.csv (default), or a file Canvas or Moodle imports")
    p.add_argument("--roster", type=Path, help="with --format canvas: a gradebook CSV exported from Canvas, "
                                               "to match students and existing assignment columns")
    p = sub.add_parser("report", help="class report: HTML page with figures, and their CSV files")
    p.add_argument("course", type=Path)
    p.add_argument("--assignment", action="append", help="only these slugs")
    p.add_argument("--out", type=Path, help="folder for report.html and its CSV files (default COURSE/report)")
    p = sub.add_parser("similarity", help="most similar pairs of learners' solutions (never changes a grade)")
    p.add_argument("course", type=Path)
    p.add_argument("slug")
    p.add_argument("--out", type=Path, help="folder for the page and CSV (default COURSE/report)")
    p.add_argument("--threshold", type=float, default=0.5,
                   help="share of one learner's code found in the other's for a pair to be listed (default 0.5)")
    p.add_argument("--top", type=int, default=30, help="pairs shown on the page (all are in the CSV)")
    p = sub.add_parser("db", help="the course's PostgreSQL gradebook (Debian's postgresql), for parallel grading")
    p.add_argument("action", choices=["start", "stop", "status"])
    p.add_argument("course", type=Path)
    p = sub.add_parser("publish", help="write the learner's edition (site, notebooks, no answers) into DEST")
    p.add_argument("dest", type=Path, help="a new folder: it becomes a git repository with one commit")
    p.add_argument("--edition", choices=["class", "self-study"], default="class",
                   help="class (default): no answers; self-study: with the solutions, for readers on their own")
    p.add_argument("--site", type=Path, help="an already built html folder of this edition (default: build it)")
    p.add_argument("--course", type=Path, help="a course directory whose grading secret must appear nowhere")
    p.add_argument("--force", action="store_true", help="replace DEST if it is not empty")
    sub.add_parser("build-exercises", help="regenerate exercises/<slug>.ipynb (maintainers)")
    p = sub.add_parser("build-site", help="build the book in every language into _build/html (what `make site` runs)")
    p.add_argument("--edition", choices=["class", "self-study"], default="class")
    p.add_argument("--language", action="append", help="only these languages (default: every one, English first)")
    sub.add_parser("translations", help="refresh the translators' catalogues after an English edit (maintainers)")
    return parser


def _run(args) -> int:
    course = Course(args.course) if getattr(args, "course", None) else None
    if args.command == "setup":
        from autograder.build.release import setup

        setup(course.root, args.assignment, url=args.db_url, language=args.language)
    elif args.command == "collect":
        from autograder.grade.collect import collect

        collect(course, args.source.resolve(), args.assignment)
    elif args.command == "grade":
        from autograder.grade.batch import grade

        outcomes = grade(course.root, args.assignment, args.cell_timeout, args.submission_timeout, args.workers,
                         args.scheduler, args.resume, args.student)
        failed = [o for o in outcomes if not o.ok]
        flagged = [o for o in outcomes if o.ok and o.flags]
        log.info("done: %d graded (%d flagged), %d could not be graded", len(outcomes) - len(failed), len(flagged),
                 len(failed))
        for o in flagged:
            log.warning("flagged: %s/%s: %s", o.student, o.slug, "; ".join(o.flags))
        for o in failed:
            log.error("not graded: %s/%s: %s (log: %s)", o.student, o.slug, o.reason, course.log(o.student, o.slug))
        return 1 if failed else 0
    elif args.command == "feedback":
        from autograder.grade.batch import feedback

        outcomes = feedback(course.root, args.assignment, args.student, args.workers, args.scheduler,
                            args.everything)
        failed = [o for o in outcomes if not o.ok]
        log.info("feedback: %d page(s) written under %s, %d failed", len(outcomes) - len(failed),
                 course.root / "feedback", len(failed))
        return 1 if failed else 0
    elif args.command == "export":
        from autograder.grade.export import export

        for path in export(course, args.to, args.format, args.roster):
            log.info("wrote %s", path)
    elif args.command == "report":
        from autograder.grade.report import build_report

        log.info("wrote %s", build_report(course, args.out or course.root / "report", args.assignment))
    elif args.command == "similarity":
        from autograder.grade.similarity import similarity

        for path in similarity(course, args.slug, args.out or course.root / "report", args.threshold, args.top):
            log.info("wrote %s", path)
    elif args.command == "db":
        from autograder.grade import postgres

        if args.action == "start":
            postgres.start(course)
            log.info("gradebook server running; grade with: python -m autograder grade %s --workers N", course.root)
        elif args.action == "stop":
            log.info("stopped" if postgres.stop_for_course(course) else "no server of `db start` was running")
        log.info("%s", postgres.status(course))
    elif args.command == "publish":
        from autograder.build.publish import publish

        publish(args.dest, args.edition, args.site, course, args.force)
    elif args.command == "build-exercises":
        from autograder.build.release import build_exercises

        for path in build_exercises():
            log.info("wrote %s", path.relative_to(REPO))
    elif args.command == "build-site":
        from autograder.build.book import build_site
        from autograder.i18n import LANGUAGES

        log.info("the site is in %s", build_site(edition=args.edition, languages=args.language or list(LANGUAGES)))
    elif args.command == "translations":
        from autograder.build.translations import update_all

        for path in update_all():
            log.info("up to date: %s", path.relative_to(REPO))
    return 0


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="[autograder] %(message)s")
    try:
        return _run(args)
    except (MissingSecret, NbgraderFailed, ValueError, RuntimeError) as exc:
        log.error("%s", exc)
        return 2
