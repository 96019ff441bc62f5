"""Benchmark class grading: plain sequential ``nbgrader autograde`` vs ours with N workers.

Prints, from one run on one machine:

1. wall time of grading a synthetic class with plain ``nbgrader autograde SLUG``
   (sequential, SQLite) and with ``python -m autograder grade --workers N``
   (PostgreSQL), the speed-up, and whether every grade is identical;
2. the per-notebook overhead: the time our pipeline takes per submission
   (one worker, median over ``--repeat`` submissions) vs the bare floor (a
   fresh kernel running the same notebook and hidden-test code with nbclient
   alone, median of as many runs), and the same including the command's and
   the worker's start-up, spread over those submissions;
3. optionally (``--kernels``) the answer-module kernel benchmark
   (``bench_kernels.py``; needs PyTorch for the comparison).

Usage (from the repository, after ``make venv``)::

    .venv/bin/python benchmarks/bench_grading.py --students 40            # all notebooks
    .venv/bin/python benchmarks/bench_grading.py --students 8 --slugs activations losses
"""
from __future__ import annotations

import argparse
import csv
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))  # the fake-class helpers the tests use

from autograder.build.release import setup  # noqa: E402
from autograder.course import chapters  # noqa: E402
from autograder.nbgrader_run import nbgrader  # noqa: E402
from support.fakeclass import make_submission, write_submission  # noqa: E402
from support.pgcluster import Cluster  # noqa: E402

KINDS = ("correct", "blank", "half")


def synthetic_class(course: Path, inbox: Path, slugs, n_students: int) -> None:
    """Students cycling through correct / blank / half-solved submissions of every notebook."""
    for i in range(n_students):
        kind = KINDS[i % len(KINDS)]
        for slug in slugs:
            if kind == "correct":
                nb = make_submission(course, slug)
            elif kind == "blank":
                nb = make_submission(course, slug, solved=lambda g: False)
            else:
                nb = make_submission(course, slug, solved=lambda g: hash(g) % 2 == 0)
            write_submission(inbox, f"s{i:03d}", slug, nb)


def cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=REPO, capture_output=True, text=True,
                          check=True)


def by_function(course: Path, out: Path) -> dict:
    cli("export", str(course), "--to", str(out))
    with out.with_name(out.stem + "-by-function.csv").open() as fh:
        return {(r["student_id"], r["assignment"], r["function"]): r["score"] for r in csv.DictReader(fh)}


def class_benchmark(tmp: Path, slugs, n_students: int, workers: int, pg: Cluster) -> None:
    seq, par, inbox = tmp / "seq", tmp / "par", tmp / "inbox"
    setup(seq, slugs)
    synthetic_class(seq, inbox, slugs, n_students)
    (par).mkdir()
    (par / ".grading_secret").write_text((seq / ".grading_secret").read_text())  # same hidden inputs
    setup(par, slugs, url=pg.database("bench"))
    cli("collect", str(seq), str(inbox))
    cli("collect", str(par), str(inbox))

    start = time.monotonic()
    for slug in slugs:
        nbgrader(seq, "autograde", slug, "--force", check=False)
    t_plain = time.monotonic() - start

    start = time.monotonic()
    cli("grade", str(par), "--workers", str(workers), "--all")
    t_ours = time.monotonic() - start

    same = by_function(seq, tmp / "seq.csv") == by_function(par, tmp / "par.csv")
    n = n_students * len(slugs)
    print(f"\n1. Class grading: {n_students} students x {len(slugs)} notebook(s) = {n} submissions")
    print(f"   plain sequential `nbgrader autograde`: {t_plain:8.1f} s  ({t_plain / n:.2f} s per submission)")
    print(f"   ours, {workers} workers (PostgreSQL):      {t_ours:8.1f} s  ({t_ours / n:.2f} s per submission)")
    print(f"   speed-up: {t_plain / t_ours:.2f}x (target >= 1.8x on 2 cores)   identical grades: {same}")


def overhead_benchmark(tmp: Path, repeat: int) -> None:
    """Per-submission time of our pipeline against the floor, on ``repeat`` copies of one solved notebook."""
    slug = "activations"
    course = tmp / "one"
    setup(course, [slug])
    inbox = tmp / "one-inbox"
    for i in range(repeat):
        write_submission(inbox, f"ada{i}", slug, make_submission(course, slug))
    cli("collect", str(course), str(inbox))
    # The floor: the instructor's solved source notebook (its hidden cells run the same
    # checks in-kernel) in a fresh kernel, nothing else.
    source = nbformat.read(course / "source" / slug / f"{slug}.ipynb", as_version=4)
    floor = []
    for _ in range(repeat):
        nb = nbformat.from_dict(source)
        start = time.monotonic()
        NotebookClient(nb, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(tmp)}}).execute()
        floor.append(time.monotonic() - start)
    # Ours: the instructor's command with one worker; each submission's wall time
    # (as the grader measured it, round trip to the worker included) is in the state file.
    start = time.monotonic()
    cli("grade", str(course), "--all", "--assignment", slug, "--workers", "1")
    total = time.monotonic() - start
    state = json.loads((course / ".grading-state.json").read_text())
    per_submission = [entry["seconds"] for entry in state.values()]
    o, f = statistics.median(per_submission), statistics.median(floor)
    print(f"\n2. Per-notebook overhead ({slug}, {repeat} submissions, one worker):")
    print(f"   ours, per submission (median):                     {o:6.2f} s")
    print(f"   floor (fresh kernel + same notebook and hidden checks, nbclient, median): {f:6.2f} s")
    print(f"   ratio: {o / f:.2f}x (target <= 1.3x)")
    listed = lambda times: " ".join(f"{t:.2f}" for t in times)  # noqa: E731
    print(f"   (ours: {listed(per_submission)} s; floor: {listed(floor)} s)")
    print(f"   whole command incl. its start-up and the worker's, per submission: {total / repeat:6.2f} s "
          f"({total / repeat / f:.2f}x the floor)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=40, help="0 skips the class benchmark")
    parser.add_argument("--slugs", nargs="*", default=None, help="default: every exercise")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--kernels", action="store_true", help="also run bench_kernels.py")
    args = parser.parse_args(argv)
    slugs = args.slugs or chapters()
    with tempfile.TemporaryDirectory() as tmp, Cluster() as pg:
        if args.students:
            class_benchmark(Path(tmp), slugs, args.students, args.workers, pg)
        overhead_benchmark(Path(tmp), args.repeat)
    if args.kernels:
        print("\n3. Answer-module kernels vs PyTorch:")
        subprocess.run([sys.executable, str(REPO / "benchmarks" / "bench_kernels.py")], check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
