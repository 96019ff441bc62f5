"""Grading a whole class: one task per submission, on any ``concurrent.futures`` executor.

Each task autogrades one submission with nbgrader's own autograde (the same
preprocessors as ``nbgrader autograde SLUG --student ID --force``, so a fresh
sandboxed kernel per submission) in a long-lived worker process
(:mod:`autograder.grade.worker`): every executor thread keeps one such process and
hands it one submission after another, so nbgrader's start-up is paid once
per worker rather than once per submission. A crash, or a submission over its
wall-clock limit, costs that submission only: the worker is killed and the
next task starts a new one. The same :func:`grade_submission` runs on

* a local thread pool of ``workers`` threads (each thread waits on its
  worker process), the default;
* a Dask cluster, through ``distributed.Client(address).get_executor()``:
  each Dask worker thread keeps its own grading process; workers on other
  machines need the course directory on a shared file system and the
  gradebook in PostgreSQL.

Re-running is resumable: ``COURSE/.grading-state.json`` remembers, per
submission, the fingerprint of what was graded (the notebook's bytes and the
grader's own code and settings). A submission is graded again only when that
fingerprint changed or its last grading failed. A worker that dies mid-task
leaves no state entry, so the next run grades it again; nbgrader's
``--force`` replaces the earlier rows, so nothing is counted twice.
"""
from __future__ import annotations

import atexit
import hashlib
import json
import logging
import os
import threading
import time
from concurrent.futures import Executor, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from autograder.course import REPO, Course, MissingSecret
from autograder.grade import events
from autograder.grade.worker import GradingProcess, WorkerDied

log = logging.getLogger("autograder")

#: Wall-clock seconds one submission may take before its worker is killed.
SUBMISSION_TIMEOUT = 900


@dataclass(frozen=True)
class Task:
    course: str
    slug: str
    student: str
    cell_timeout: int | None = None
    submission_timeout: float = SUBMISSION_TIMEOUT
    action: str = "autograde"  # or "feedback": make the submission's feedback page


@dataclass(frozen=True)
class Outcome:
    slug: str
    student: str
    ok: bool
    seconds: float
    reason: str = ""
    fingerprint: str = ""
    events: tuple = ()  # what the preprocessors noted (autograder.grade.events)
    log: str = ""       # nbgrader's log of this submission

    @property
    def flags(self) -> list[str]:
        """The repairs and limits an instructor should look at, one sentence each."""
        return [e["message"] for e in self.events if e.get("kind") in (events.REPAIRED, events.LIMIT)]


def grader_fingerprint(slug: str) -> str:
    """Hash of what decides a grade of ``slug`` besides the notebook: its answers and specs, the grading code."""
    code = [p for p in REPO.glob("autograder/**/*.py") if p.parent.name != "specs" or p.stem in (slug, "__init__")]
    h = hashlib.sha256()
    for path in sorted([*code, *REPO.glob(f"solutions/{slug}.py")]):
        h.update(str(path.relative_to(REPO)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def submission_fingerprint(course: Path, slug: str, student: str, grader: str) -> str:
    h = hashlib.sha256(grader.encode())
    notebook = Course(course).submitted(student, slug)
    h.update(notebook.read_bytes() if notebook.exists() else b"<missing>")
    try:
        h.update(Course(course).secret().encode())
    except MissingSecret:
        pass
    return h.hexdigest()


_local = threading.local()
_opened: list[GradingProcess] = []
_opened_lock = threading.Lock()


def _grading_process(course: Path, cell_timeout: int | None) -> GradingProcess:
    """This thread's worker process for ``course`` (started on first use)."""
    processes = _local.__dict__.setdefault("processes", {})
    key = (str(course), cell_timeout)
    if key not in processes:
        processes[key] = GradingProcess(course, cell_timeout)
        with _opened_lock:
            _opened.append(processes[key])
    return processes[key]


@atexit.register
def close_grading_processes() -> None:
    """End the worker processes this process started (they also end by themselves when it exits)."""
    with _opened_lock:
        processes = list(_opened)
    for process in processes:
        process.close()


def grade_submission(task: Task) -> Outcome:
    """Autograde one submission (or make its feedback page) in this thread's worker process.

    Runs on any executor's worker.
    """
    course = Path(task.course)
    fingerprint = submission_fingerprint(course, task.slug, task.student, grader_fingerprint(task.slug)) \
        if task.action == "autograde" else ""
    start = time.monotonic()
    try:
        reply = _grading_process(course, task.cell_timeout).grade(task.slug, task.student, task.submission_timeout,
                                                                  task.action)
    except (TimeoutError, WorkerDied) as exc:
        limit = ({"kind": events.LIMIT, "message": f"the submission {exc}"},) if isinstance(exc, TimeoutError) else ()
        return Outcome(task.slug, task.student, False, time.monotonic() - start, str(exc), fingerprint, limit)
    seconds = time.monotonic() - start
    return Outcome(task.slug, task.student, reply["ok"], seconds, reply.get("reason", ""), fingerprint,
                   tuple(reply.get("events", ())), reply.get("log", ""))


def save_record(course: Course, outcome: Outcome) -> None:
    """Keep what the grading of one submission noted (``COURSE/logs/<student>/<slug>.json``) and nbgrader's log."""
    record = course.record(outcome.student, outcome.slug)
    record.parent.mkdir(parents=True, exist_ok=True)
    data = {"student": outcome.student, "assignment": outcome.slug, "ok": outcome.ok,
            "seconds": round(outcome.seconds, 3), "reason": outcome.reason, "graded_at": time.time(),
            "events": list(outcome.events)}
    tmp = record.with_name(record.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1))
    os.replace(tmp, record)
    course.log(outcome.student, outcome.slug).write_text(outcome.log)


def load_state(course: Path) -> dict:
    try:
        return json.loads((course / Course.STATE).read_text())
    except (OSError, ValueError):
        return {}


def save_state(course: Path, state: dict) -> None:
    tmp = course / (Course.STATE + ".tmp")
    tmp.write_text(json.dumps(state, indent=1, sort_keys=True))
    os.replace(tmp, course / Course.STATE)  # atomic: a crash never leaves half a file


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

        def close_remote() -> None:
            # Workers outlive this run: end their grading processes, so that the
            # next run starts them with the course's settings and code as they are then.
            client.run(close_grading_processes)
            client.close()

        return client.get_executor(), close_remote
    pool = ThreadPoolExecutor(max_workers=workers)

    def close() -> None:
        pool.shutdown()
        close_grading_processes()

    return pool, close


def run(course: Path, tasks: list[Task], executor: Executor, resume: bool = True) -> list[Outcome]:
    """Grade ``tasks`` on ``executor``; log progress with ETA and one line per submission."""
    state = load_state(course)
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
        save_record(Course(course), outcome)
        elapsed = time.monotonic() - start
        eta = elapsed / done * (len(todo) - done)
        progress = f"[{done}/{len(todo)} {100 * done // max(len(todo), 1)}% ETA {eta:.0f}s]"
        if outcome.ok:
            log.info("%s %s: graded in %.1f s", progress, key, outcome.seconds)
        else:
            log.error("%s %s: could not be graded (%s); the rest of the class goes on", progress, key,
                      outcome.reason)
        for flag in outcome.flags:
            log.warning("%s: %s", key, flag)
    return outcomes


def _workers(course: Course, workers: int | None, scheduler: str | None) -> int:
    """How many local workers: as asked, else the cores with PostgreSQL and 1 with SQLite (one writer at a time)."""
    sqlite = course.db_url.startswith("sqlite")
    if workers is None:
        workers = 1 if sqlite else (os.cpu_count() or 1)
    if sqlite and (workers > 1 or scheduler):
        raise ValueError("parallel grading needs a PostgreSQL gradebook: `python -m autograder db start COURSE` "
                         "runs one for the course (or `setup COURSE --db-url postgresql://...`)")
    return workers


def grade(root: Path, slugs: list[str] | None = None, cell_timeout: int | None = None,
          submission_timeout: float = SUBMISSION_TIMEOUT, workers: int | None = None, scheduler: str | None = None,
          resume: bool = True, students: list[str] | None = None) -> list[Outcome]:
    """Autograde every submission of a course: nbgrader's autograde once per student and exercise.

    One task per submission keeps one broken notebook from stopping the rest:
    a failure is logged with its reason and the batch goes on. Tasks run in
    long-lived worker processes (:mod:`autograder.grade.worker`), one per local
    thread: ``workers`` threads (default: the machine's cores when the
    gradebook is PostgreSQL, else 1 — SQLite does not take concurrent
    writers) or on the Dask cluster at ``scheduler``. ``students`` limits the
    run to those learners. Returns the outcome of every submission graded in
    this run.
    """
    course = Course(root)
    course.secret()  # refuse early: without the secret the hidden inputs would be predictable
    todo = course.submissions()
    roster = sorted({s for submitted in todo.values() for s in submitted})
    unknown = sorted(set(students or ()) - set(roster))
    if unknown:
        raise ValueError(f"no submission from {', '.join(unknown)} in {course.root / 'submitted'}")
    tasks = []
    for slug in slugs or course.released():
        submitted = [s for s in todo.get(slug, []) if not students or s in students]
        for student in sorted(set(students or roster) - set(submitted)):
            log.warning("%s/%s: no submission: scored 0", student, slug)
        for student in submitted:
            if not course.submitted(student, slug).exists():
                log.warning("%s/%s: notebook %s.ipynb is missing: scored 0", student, slug, slug)
            tasks.append(Task(str(course.root), slug, student, cell_timeout, submission_timeout))
    executor, close = make_executor(_workers(course, workers, scheduler), scheduler)
    try:
        return run(course.root, tasks, executor, resume=resume)
    finally:
        close()


# -- feedback ---------------------------------------------------------------------------

def _load_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def feedback_fingerprints(course: Course, slugs: list[str], students: list[str] | None = None) -> dict[str, str]:
    """``{"student/slug": hash}`` of what a feedback page shows, for every autograded submission of ``slugs``.

    The hash covers the graded notebook (its bytes and when it was written: a
    regrade rewrites it), the submission's grades and comments in the gradebook
    (manual grading in nbgrader's formgrader changes them too), and what turns
    them into a page: nbgrader's version and the course's configuration.
    A page whose hash is unchanged since it was written need not be made again.
    """
    import nbgrader
    from nbgrader.api import Gradebook, MissingEntry

    setup = hashlib.sha256(nbgrader.__version__.encode())
    for config in (course.root / "nbgrader_config.py", REPO / "autograder" / "nbgrader_config.py"):
        setup.update(config.read_bytes() if config.exists() else b"")
    code = setup.hexdigest()
    out = {}
    with Gradebook(course.db_url) as gb:
        for slug in slugs:
            for graded in sorted((course.root / "autograded").glob(f"*/{slug}/{slug}.ipynb")):
                student = graded.parent.parent.name
                if students and student not in students:
                    continue
                h = hashlib.sha256(code.encode())
                h.update(graded.read_bytes())
                h.update(str(graded.stat().st_mtime_ns).encode())
                try:
                    submission = gb.find_submission(slug, student)
                except MissingEntry:
                    continue
                rows = [(nb.name, g.name, g.auto_score, g.manual_score, g.extra_credit)
                        for nb in submission.notebooks for g in nb.grades]
                rows += [(nb.name, c.name, c.auto_comment, c.manual_comment)
                         for nb in submission.notebooks for c in nb.comments]
                h.update(repr((sorted(rows, key=repr), submission.late_submission_penalty)).encode())
                out[f"{student}/{slug}"] = h.hexdigest()
    return out


def feedback(root: Path, slugs: list[str] | None = None, students: list[str] | None = None,
             workers: int | None = None, scheduler: str | None = None, everything: bool = False) -> list[Outcome]:
    """Make the feedback page of every autograded submission whose grades changed since its page was made.

    nbgrader's ``generate_feedback`` for one student and exercise at a time,
    as tasks on the same workers as :func:`grade` (threads or a Dask cluster).
    ``COURSE/.feedback-state.json`` remembers each page's
    :func:`feedback_fingerprints` hash; ``everything`` makes every page again.
    Returns the outcome of every page made in this run.
    """
    course = Course(root)
    slugs = slugs or course.released()
    state_path = course.root / Course.FEEDBACK_STATE
    state = _load_json(state_path)
    current = feedback_fingerprints(course, slugs, students)
    todo = [key for key, fp in current.items()
            if everything or state.get(key) != fp or not course.feedback(*key.split("/")).exists()]
    if len(current) > len(todo):
        log.info("%d feedback page(s) unchanged since they were made: kept", len(current) - len(todo))
    if not todo:
        return []
    tasks = {Task(str(course.root), key.split("/")[1], key.split("/")[0], action="feedback"): key for key in todo}
    executor, close = make_executor(_workers(course, workers, scheduler), scheduler)
    outcomes = []
    try:
        futures = {executor.submit(grade_submission, task): task for task in tasks}
        for done, future in enumerate(as_completed(futures), 1):
            task = futures[future]
            key = tasks[task]
            try:
                outcome = future.result()
            except Exception as exc:
                outcome = Outcome(task.slug, task.student, False, 0.0, f"worker failed: {type(exc).__name__}: {exc}")
            outcomes.append(outcome)
            if outcome.ok:
                state[key] = current[key]
                log.info("[%d/%d] %s: feedback written in %.1f s", done, len(tasks), key, outcome.seconds)
            else:
                state.pop(key, None)
                log.error("[%d/%d] %s: no feedback page (%s)", done, len(tasks), key, outcome.reason)
            tmp = state_path.with_name(state_path.name + ".tmp")
            tmp.write_text(json.dumps(state, indent=1, sort_keys=True))
            os.replace(tmp, state_path)
    finally:
        close()
    return outcomes
