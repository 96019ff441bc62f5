"""Grading a whole class: one task per submission, on any ``concurrent.futures`` executor.

Each task runs one real ``nbgrader autograde SLUG --student ID --force`` in its
own process (so a fresh kernel per submission, and a crash stays in its task).
The same :func:`grade_submission` runs on

* a local thread pool of ``workers`` threads (each thread waits on its
  nbgrader process), the default;
* a Dask cluster, through ``distributed.Client(address).get_executor()``:
  workers on other machines need the course directory on a shared file
  system and the gradebook in PostgreSQL.

Re-running is resumable: ``COURSE/.grading-state.json`` remembers, per
submission, the fingerprint of what was graded (the notebook's bytes and the
grader's own code and settings). A submission is graded again only when that
fingerprint changed or its last grading failed. A worker that dies mid-task
leaves no state entry, so the next run grades it again; nbgrader's
``--force`` replaces the earlier rows, so nothing is counted twice.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from concurrent.futures import Executor, ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path

log = logging.getLogger("autograder")

REPO = Path(__file__).resolve().parent.parent
STATE_FILE = ".grading-state.json"


@dataclass(frozen=True)
class Task:
    course: str
    slug: str
    student: str
    cell_timeout: int | None = None
    submission_timeout: float = 900


@dataclass(frozen=True)
class Outcome:
    slug: str
    student: str
    ok: bool
    seconds: float
    reason: str = ""
    fingerprint: str = ""


def grader_fingerprint(slug: str) -> str:
    """Hash of what decides a grade of ``slug`` besides the notebook: its answers and specs, the grading code."""
    h = hashlib.sha256()
    for path in sorted([*REPO.glob(f"solutions/{slug}.py"), *REPO.glob(f"autograder/specs/{slug}.py"),
                        REPO / "autograder" / "specs" / "__init__.py", *REPO.glob("autograder/*.py")]):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def submission_fingerprint(course: Path, slug: str, student: str, grader: str) -> str:
    h = hashlib.sha256(grader.encode())
    notebook = course / "submitted" / student / slug / f"{slug}.ipynb"
    h.update(notebook.read_bytes() if notebook.exists() else b"<missing>")
    secret = course / ".grading_secret"
    h.update(secret.read_bytes() if secret.exists() else b"")
    return h.hexdigest()


def grade_submission(task: Task) -> Outcome:
    """Autograde one submission with the real nbgrader CLI (runs on any executor's worker)."""
    from autograder.cli import _last_error, nbgrader

    course = Path(task.course)
    fingerprint = submission_fingerprint(course, task.slug, task.student, grader_fingerprint(task.slug))
    extra = [f"--Execute.timeout={task.cell_timeout}"] if task.cell_timeout else []
    start = time.monotonic()
    proc = nbgrader(course, "autograde", task.slug, "--student", task.student, "--force", *extra,
                    check=False, timeout=task.submission_timeout)
    seconds = time.monotonic() - start
    if proc.returncode != 0:
        return Outcome(task.slug, task.student, False, seconds, _last_error(proc.stderr), fingerprint)
    return Outcome(task.slug, task.student, True, seconds, "", fingerprint)


def load_state(course: Path) -> dict:
    try:
        return json.loads((course / STATE_FILE).read_text())
    except (OSError, ValueError):
        return {}


def save_state(course: Path, state: dict) -> None:
    tmp = course / (STATE_FILE + ".tmp")
    tmp.write_text(json.dumps(state, indent=1, sort_keys=True))
    os.replace(tmp, course / STATE_FILE)  # atomic: a crash never leaves half a file


def pending(course: Path, tasks: list[Task], state: dict) -> tuple[list[Task], int]:
    """The tasks whose submission changed (or failed) since the last run, and how many are skipped."""
    graders = {slug: grader_fingerprint(slug) for slug in {t.slug for t in tasks}}
    todo = []
    for task in tasks:
        entry = state.get(f"{task.student}/{task.slug}")
        if entry and entry.get("ok") and entry.get("fingerprint") == submission_fingerprint(
                course, task.slug, task.student, graders[task.slug]):
            continue
        todo.append(task)
    return todo, len(tasks) - len(todo)


def make_executor(workers: int, scheduler: str | None = None) -> tuple[Executor, callable]:
    """A local thread pool, or a Dask cluster's executor when ``scheduler`` is given."""
    if scheduler:
        from distributed import Client

        client = Client(scheduler)
        return client.get_executor(), client.close
    pool = ThreadPoolExecutor(max_workers=workers)
    return pool, pool.shutdown


def run(course: Path, tasks: list[Task], executor: Executor, resume: bool = True) -> list[Outcome]:
    """Grade ``tasks`` on ``executor``; log progress with ETA and one line per submission."""
    state = load_state(course) if resume else {}
    todo, skipped = pending(course, tasks, state) if resume else (tasks, 0)
    if skipped:
        log.info("%d submission(s) unchanged since they were graded: skipped", skipped)
    outcomes: list[Outcome] = []
    start = time.monotonic()
    futures = {executor.submit(grade_submission, task): task for task in todo}
    for done, future in enumerate(as_completed(futures), 1):
        task = futures[future]
        try:
            outcome = future.result()
        except Exception as exc:  # the worker itself died: report, keep going, regrade next run
            outcome = Outcome(task.slug, task.student, False, 0.0, f"worker failed: {type(exc).__name__}: {exc}")
        outcomes.append(outcome)
        key = f"{outcome.student}/{outcome.slug}"
        state[key] = {"ok": outcome.ok, "fingerprint": outcome.fingerprint, "seconds": round(outcome.seconds, 2)}
        save_state(course, state)
        elapsed = time.monotonic() - start
        eta = elapsed / done * (len(todo) - done)
        progress = f"[{done}/{len(todo)} {100 * done // max(len(todo), 1)}% ETA {eta:.0f}s]"
        if outcome.ok:
            log.info("%s %s: graded in %.1f s", progress, key, outcome.seconds)
        else:
            log.error("%s %s: could not be graded (%s); the rest of the class goes on", progress, key,
                      outcome.reason)
    return outcomes


def outcome_table(outcomes: list[Outcome]) -> list[dict]:
    return [asdict(o) for o in outcomes]
