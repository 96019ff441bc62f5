"""Parallel and distributed grading give exactly the grades of sequential grading.

A real PostgreSQL server (Debian's package, installed if missing, a throwaway
cluster in a temp dir) holds the gradebooks of the parallel runs; a local Dask
cluster with two worker processes stands in for a multi-machine one.
The server comes from the session fixture ``postgres`` (tests/conftest.py).
"""
import csv
import os
import signal
import threading
import time
from pathlib import Path

import pytest
from test_hostile import OS_EXIT, append_to

from autograder.build.release import setup
from autograder.grade import batch
from support.fakeclass import make_submission, run_cli, write_submission

pytestmark = pytest.mark.slow

SLUG = "activations"


@pytest.fixture(scope="module")
def dask_scheduler():
    from distributed import LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    yield cluster.scheduler_address
    cluster.close()


@pytest.fixture(scope="module")
def inbox(tmp_path_factory):
    """Five students on one exercise, made once from a scratch course."""
    scratch = tmp_path_factory.mktemp("scratch") / "course"
    setup(scratch, [SLUG])
    inbox = tmp_path_factory.mktemp("inbox")
    write_submission(inbox, "ada", SLUG, make_submission(scratch, SLUG))
    write_submission(inbox, "ben", SLUG, make_submission(scratch, SLUG, solved=lambda g: False))
    write_submission(inbox, "cyd", SLUG, make_submission(scratch, SLUG, solved=lambda g: g.startswith("relu")))
    crash = "### BEGIN SOLUTION\n    raise ValueError('x')"
    write_submission(inbox, "dee", SLUG, make_submission(
        scratch, SLUG, edit=lambda g, s: s.replace("### BEGIN SOLUTION", crash) if g == "tanh_forward_solution" else s))
    write_submission(inbox, "eve", SLUG, make_submission(scratch, SLUG, edit=append_to("softmax_forward", OS_EXIT)))
    return inbox, (scratch / ".grading_secret").read_text()


def grade_class(root: Path, inbox, secret: str, *grade_args, db_url=None):
    course = root / "course"
    course.mkdir(parents=True)
    (course / ".grading_secret").write_text(secret)  # same hidden inputs as the other runs
    setup(course, [SLUG], url=db_url)
    run_cli("collect", str(course), str(inbox))
    log = run_cli("grade", str(course), "--assignment", SLUG, *grade_args)
    out = root / "grades.csv"
    run_cli("export", str(course), "--to", str(out))
    rows = {}
    with out.with_name("grades-by-function.csv").open() as fh:
        for r in csv.DictReader(fh):
            rows[(r["student_id"], r["function"])] = float(r["score"])
    return course, rows, log.stdout + log.stderr


@pytest.fixture(scope="module")
def sequential(tmp_path_factory, inbox):
    return grade_class(tmp_path_factory.mktemp("seq"), *inbox)


def test_sequential_grades_are_the_expected_ones(sequential):
    _, rows, _ = sequential
    assert sum(v for (s, _), v in rows.items() if s == "ada") == 15
    assert sum(v for (s, _), v in rows.items() if s == "ben") == 0
    assert sum(v for (s, _), v in rows.items() if s == "cyd") == 3
    assert sum(v for (s, _), v in rows.items() if s == "dee") == 14
    assert sum(v for (s, _), v in rows.items() if s == "eve") == 10


def test_two_local_workers_on_postgres_match_sequential(tmp_path, inbox, sequential, postgres):
    course, rows, log = grade_class(tmp_path, *inbox, "--workers", "2", db_url=postgres("local2"))
    assert rows == sequential[1]
    assert "[5/5 100%" in log
    # Resumable: nothing changed, nothing regraded; one changed notebook, one regraded.
    again = run_cli("grade", str(course), "--assignment", SLUG, "--workers", "2")
    assert "5 submission(s) unchanged" in again.stderr + again.stdout
    nb = course / "submitted" / "ben" / SLUG / f"{SLUG}.ipynb"
    nb.write_text(nb.read_text().replace("YOUR CODE HERE", "still nothing"))
    third = run_cli("grade", str(course), "--assignment", SLUG, "--workers", "2")
    assert "4 submission(s) unchanged" in third.stderr + third.stdout and "[1/1 100%" in third.stderr + third.stdout


def test_dask_cluster_on_postgres_matches_sequential(tmp_path, inbox, sequential, postgres, dask_scheduler):
    _, rows, log = grade_class(tmp_path, *inbox, "--scheduler", dask_scheduler, db_url=postgres("dask"))
    assert rows == sequential[1]


def test_parallel_grading_refuses_sqlite(tmp_path, inbox):
    course = tmp_path / "course"
    setup(course, [SLUG])
    proc = run_cli("grade", str(course), "--workers", "2", check=False)
    assert proc.returncode != 0 and "PostgreSQL" in proc.stderr


def test_a_worker_killed_mid_submission_loses_nothing(tmp_path, inbox, sequential):
    """As when the machine's OOM killer picks a grading process: that submission fails, is regraded next run."""
    inbox_dir, secret = inbox
    course = tmp_path / "course"
    course.mkdir()
    (course / ".grading_secret").write_text(secret)
    setup(course, [SLUG])
    run_cli("collect", str(course), str(inbox_dir))
    tasks = [batch.Task(str(course), SLUG, student) for student in ("ada", "ben")]

    def kill_first_worker():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            started = [p.proc for p in batch._opened if p.proc is not None]
            if started:
                time.sleep(1.0)  # the request for ada is sent: she is being graded now
                os.killpg(started[0].pid, signal.SIGKILL)
                return
            time.sleep(0.05)

    batch.close_grading_processes()
    batch._opened.clear()
    killer = threading.Thread(target=kill_first_worker)
    executor, close = batch.make_executor(1)
    killer.start()
    try:
        first = {o.student: o for o in batch.run(course, tasks, executor)}
    finally:
        killer.join()
        close()
    assert not first["ada"].ok and "died" in first["ada"].reason
    assert first["ben"].ok  # a new worker took the next submission

    executor, close = batch.make_executor(1)
    try:
        second = batch.run(course, tasks, executor)
    finally:
        close()
    assert [(o.student, o.ok) for o in second] == [("ada", True)]  # only what was lost is graded again
    out = tmp_path / "grades.csv"
    run_cli("export", str(course), "--to", str(out))
    with out.with_name("grades-by-function.csv").open() as fh:
        rows = {(r["student_id"], r["function"]): float(r["score"]) for r in csv.DictReader(fh)}
    assert {k: v for k, v in rows.items() if k[0] in ("ada", "ben")} == \
        {k: v for k, v in sequential[1].items() if k[0] in ("ada", "ben")}
    with out.open() as fh:
        assert sorted(r["student_id"] for r in csv.DictReader(fh)) == ["ada", "ben"]  # one row each, none doubled
