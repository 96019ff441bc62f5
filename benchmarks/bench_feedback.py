"""Benchmark feedback pages: plain ``nbgrader generate_feedback`` vs ``python -m autograder feedback``.

Prints, from one run on one machine, for a synthetic class graded once
(PostgreSQL gradebook, 2 workers):

1. the wall time of nbgrader's ``generate_feedback SLUG --force`` for every
   exercise, one after the other (what ``feedback`` did before it ran on the
   grading workers);
2. the wall time of ``feedback --all --workers N`` (every page, on N workers)
   and the ratio;
3. after regrading one student (``grade --student ID --all``), the wall time
   of ``feedback`` (only the pages whose grades changed) and how many pages it
   wrote.

Usage (from the repository, after ``make venv``)::

    .venv/bin/python benchmarks/bench_feedback.py --students 20 --slugs activations losses
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "benchmarks"))

from bench_grading import cli, synthetic_class  # noqa: E402

from autograder.build.release import setup  # noqa: E402
from autograder.nbgrader_run import nbgrader  # noqa: E402
from support.pgcluster import Cluster  # noqa: E402


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def pages(course: Path) -> dict[Path, int]:
    return {p: p.stat().st_mtime_ns for p in (course / "feedback").glob("*/*/*.html")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=20)
    parser.add_argument("--slugs", nargs="+", default=["activations", "losses"])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, Cluster() as pg:
        course, inbox = Path(tmp) / "course", Path(tmp) / "inbox"
        setup(course, args.slugs, url=pg.database("feedback"))
        synthetic_class(course, inbox, args.slugs, args.students)
        cli("collect", str(course), str(inbox))
        cli("grade", str(course), "--workers", str(args.workers))

        def plain():
            for slug in args.slugs:
                nbgrader(course, "generate_feedback", slug, "--force")
        plain_s = timed(plain)
        ours_s = timed(lambda: cli("feedback", str(course), "--all", "--workers", str(args.workers)))
        before = pages(course)
        cli("grade", str(course), "--student", "s000", "--all", "--workers", str(args.workers))
        again_s = timed(lambda: cli("feedback", str(course), "--workers", str(args.workers)))
        after = pages(course)
        rewritten = sum(1 for p in after if after[p] != before.get(p))
    print(f"class: {args.students} students x {len(args.slugs)} exercises = {len(after)} feedback pages")
    print(f"plain nbgrader generate_feedback, every page:    {plain_s:7.1f} s")
    print(f"autograder feedback --all, {args.workers} workers:           {ours_s:7.1f} s   "
          f"(plain / ours = {plain_s / ours_s:.2f}x)")
    print(f"autograder feedback after regrading one student: {again_s:7.1f} s   "
          f"({rewritten} page(s) rewritten; plain / ours = {plain_s / again_s:.2f}x)")


if __name__ == "__main__":
    main()
