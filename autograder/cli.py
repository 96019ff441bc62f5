"""The instructor's commands: thin wrappers around nbgrader's own CLI.

Every step runs the real ``nbgrader`` command inside the course directory;
the wrappers only add what saves the instructor work (looping over the
chapters, the grading secret, a per-function breakdown, a readable log).
Run ``python -m autograder --help``.

Course directory layout (nbgrader's)::

    COURSE/
      nbgrader_config.py      loads autograder/nbgrader_config.py
      .grading_secret         seeds the hidden inputs (keep it; never share it)
      source/<slug>/<slug>.ipynb     assembled from exercises/src/<slug>.md
      release/<slug>/<slug>.ipynb    what learners get
      submitted/<student>/<slug>/<slug>.ipynb
      autograded/ feedback/ gradebook.db
"""
from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

from autograder.assemble import REPO, TEMPLATES, assemble, graded_functions
from autograder.grading import SECRET_ENV

log = logging.getLogger("autograder")

EXERCISES = REPO / "exercises"
CONFIG = Path(__file__).resolve().parent / "nbgrader_config.py"


def chapters() -> list[str]:
    """Slugs of every exercise template, in the course's order."""
    order = ["perceptron", "activations", "losses", "preprocessing", "initialization", "normalization", "training"]
    found = {p.stem for p in TEMPLATES.glob("*.md")}
    return [s for s in order if s in found] + sorted(found - set(order))


# -- nbgrader plumbing ---------------------------------------------------------

def nbgrader_env(course: Path) -> dict[str, str]:
    """The environment nbgrader runs in: ours, plus the course's grading secret."""
    env = dict(os.environ)
    # nbgrader shells out to `alembic` (gradebook migrations): our venv's bin must be on PATH.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    secret_file = course / ".grading_secret"
    if secret_file.exists():
        env[SECRET_ENV] = secret_file.read_text().strip()
    return env


def nbgrader(course: Path, *args: str, check: bool = True, timeout: float | None = None) -> subprocess.CompletedProcess:
    """Run one real nbgrader command in ``course``, with the grading secret in its environment.

    With ``timeout`` (seconds of wall time) the whole process group is killed
    when it runs over, and the result has return code -9 and a note on stderr.
    """
    cmd = [sys.executable, "-m", "nbgrader", *args]
    log.debug("$ %s", " ".join(cmd))
    popen = subprocess.Popen(cmd, cwd=course, env=nbgrader_env(course), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = popen.communicate(timeout=timeout)
        proc = subprocess.CompletedProcess(cmd, popen.returncode, out, err)
    except subprocess.TimeoutExpired:
        # The kernel template notices and ends its kernels, and with them everything they started.
        os.killpg(popen.pid, signal.SIGKILL)
        out, err = popen.communicate()
        proc = subprocess.CompletedProcess(cmd, -9, out, err + f"\nERROR: killed after {timeout:g} s of wall time")
    if check and proc.returncode != 0:
        raise SystemExit(f"nbgrader {args[0]} failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
    return proc


def db_url(course: Path) -> str:
    """The course's gradebook: PostgreSQL if ``setup --db-url`` said so, else nbgrader's SQLite file."""
    settings = course / ".autograder.json"
    if settings.exists():
        url = json.loads(settings.read_text()).get("db_url")
        if url:
            return url
    return f"sqlite:///{course / 'gradebook.db'}"


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by its owner only (0600) from the first byte on."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    os.replace(tmp, path)


def write_course_config(course: Path, url: str | None = None) -> None:
    """The course's ``nbgrader_config.py`` (no secret in it) and, with ``url``, its 0600 settings file."""
    if url:
        write_private(course / ".autograder.json", json.dumps({"db_url": url}))
    lines = [
        "# Written by `python -m autograder setup`: the course's settings live in the files loaded here.",
        "import json, pathlib",
        "c = get_config()  # noqa: F821",
        f"load_subconfig({str(CONFIG)!r})  # noqa: F821",
        f"c.CourseDirectory.root = {str(course)!r}",
        "# The gradebook's URL may hold a password: it is kept in a file only the instructor can read.",
        "_settings = pathlib.Path(__file__).with_name('.autograder.json')",
        "if _settings.exists() and json.loads(_settings.read_text()).get('db_url'):",
        "    c.CourseDirectory.db_url = json.loads(_settings.read_text())['db_url']",
    ]
    (course / "nbgrader_config.py").write_text("\n".join(lines) + "\n")


def setup(course: Path, slugs: list[str] | None = None, url: str | None = None) -> None:
    """Create (or refresh) a course directory and generate every release notebook.

    ``url`` is a SQLAlchemy database URL for the gradebook (PostgreSQL for
    parallel or multi-machine grading); without it nbgrader's SQLite file is used.
    """
    course.mkdir(parents=True, exist_ok=True)
    write_course_config(course, url or (db_url(course) if (course / ".autograder.json").exists() else None))
    secret = course / ".grading_secret"
    if not secret.exists():
        write_private(secret, secrets.token_hex(32) + "\n")
    for slug in slugs or chapters():
        target = course / "source" / slug / f"{slug}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(assemble(TEMPLATES / f"{slug}.md"), target)
        nbgrader(course, "generate_assignment", slug, "--force")
        log.info("released %s -> %s", slug, course / "release" / slug / f"{slug}.ipynb")


def build_exercises(out_dir: Path = EXERCISES) -> list[Path]:
    """Regenerate the committed release notebooks ``exercises/<slug>.ipynb``."""
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        course = Path(tmp) / "course"
        setup(course)
        for slug in chapters():
            src = course / "release" / slug / f"{slug}.ipynb"
            dest = out_dir / f"{slug}.ipynb"
            nb = nbformat.read(src, as_version=4)
            nbformat.write(nb, dest)
            written.append(dest)
    return written


# -- collecting ----------------------------------------------------------------

def collect(course: Path, source: Path, assignment: str | None) -> None:
    """Bring submissions into ``course/submitted``.

    ``source`` is either a folder in nbgrader's ``<student>/<slug>/<slug>.ipynb``
    layout (e.g. the exchange's inbound copy), or an LMS download (a ``.zip``
    or a folder of ``<student>_..._<slug>.ipynb`` files) for ``--assignment``,
    which goes through ``nbgrader zip_collect``.
    """
    if source.is_dir() and any(p.is_dir() for p in source.iterdir()) and assignment is None:
        for student_dir in sorted(p for p in source.iterdir() if p.is_dir()):
            for assign_dir in sorted(p for p in student_dir.iterdir() if p.is_dir()):
                dest = course / "submitted" / student_dir.name / assign_dir.name
                if dest.exists():
                    shutil.rmtree(dest)
                shutil.copytree(assign_dir, dest)
                log.info("collected %s/%s", student_dir.name, assign_dir.name)
        return
    if assignment is None:
        raise SystemExit("an LMS download needs --assignment SLUG (which exercise these files are)")
    archive = course / "downloaded" / assignment / "archive"
    archive.mkdir(parents=True, exist_ok=True)
    files = [source] if source.is_file() else sorted(p for p in source.iterdir() if p.is_file())
    for f in files:
        shutil.copy2(f, archive / f.name)
    proc = nbgrader(course, "zip_collect", assignment, "--force")
    for line in proc.stderr.splitlines():
        if "WARNING" in line or "ERROR" in line:
            log.warning("zip_collect: %s", line)
    log.info("collected %s from %s", assignment, source)


# -- grading -------------------------------------------------------------------

def submitted(course: Path) -> dict[str, list[str]]:
    """``{slug: [student, ...]}`` for everything under ``course/submitted``."""
    out: dict[str, list[str]] = {}
    for student_dir in sorted((course / "submitted").glob("*")):
        for assign_dir in sorted(student_dir.glob("*")):
            out.setdefault(assign_dir.name, []).append(student_dir.name)
    return out


def grade(course: Path, slugs: list[str] | None = None, cell_timeout: int | None = None,
          submission_timeout: float = 900, workers: int | None = None, scheduler: str | None = None,
          resume: bool = True) -> int:
    """Autograde every submission: nbgrader's autograde once per student and exercise.

    One task per submission keeps one broken notebook from stopping the rest:
    a failure is logged with its reason and the batch goes on. Tasks run in
    long-lived worker processes (:mod:`autograder.worker`), one per local
    thread: ``workers`` threads (default: the machine's cores when the
    gradebook is PostgreSQL, else 1 — SQLite does not take concurrent
    writers) or on the Dask cluster at ``scheduler``. Returns the number of
    submissions that could not be graded.
    """
    from autograder import batch

    todo = submitted(course)
    roster = sorted({s for students in todo.values() for s in students})
    tasks = []
    for slug in slugs or [s for s in chapters() if (course / "source" / s).is_dir()]:
        students = todo.get(slug, [])
        for student in sorted(set(roster) - set(students)):
            log.warning("%s/%s: no submission: scored 0", student, slug)
        for student in students:
            if not (course / "submitted" / student / slug / f"{slug}.ipynb").exists():
                log.warning("%s/%s: notebook %s.ipynb is missing: scored 0", student, slug, slug)
            tasks.append(batch.Task(str(course), slug, student, cell_timeout, submission_timeout))
    sqlite = db_url(course).startswith("sqlite")
    if workers is None:
        workers = 1 if sqlite else (os.cpu_count() or 1)
    if sqlite and (workers > 1 or scheduler):
        raise SystemExit("parallel grading needs a PostgreSQL gradebook: `setup COURSE --db-url postgresql://...`")
    executor, close = batch.make_executor(workers, scheduler)
    try:
        outcomes = batch.run(course, tasks, executor, resume=resume)
    finally:
        close()
    return sum(not o.ok for o in outcomes)


def _last_error(stderr: str) -> str:
    lines = [ln for ln in stderr.splitlines() if "ERROR" in ln or "Error" in ln]
    return (lines[-1] if lines else stderr.strip().splitlines()[-1] if stderr.strip() else "unknown").strip()[:300]


def feedback(course: Path, slugs: list[str] | None = None) -> None:
    for slug in slugs or chapters():
        if (course / "autograded").exists():
            nbgrader(course, "generate_feedback", slug, "--force", check=False)
    log.info("feedback written under %s", course / "feedback")


def export(course: Path, out: Path) -> tuple[Path, Path]:
    """nbgrader's CSV export, plus ``<out>-by-function.csv`` with one row per student and graded function."""
    out = out.resolve()
    nbgrader(course, "export", "--to", str(out))
    breakdown = out.with_name(out.stem + "-by-function.csv")
    from nbgrader.api import Gradebook

    with Gradebook(db_url(course)) as gb, breakdown.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["student_id", "assignment", "function", "score", "max_score"])
        for assignment in gb.assignments:
            for student in gb.students:
                try:
                    sub = gb.find_submission(assignment.name, student.id)
                except Exception:  # no submission: every function scores 0
                    sub = None
                for nb in assignment.notebooks:
                    for cell in nb.grade_cells:
                        score = 0.0
                        if sub is not None:
                            g = gb.find_grade(cell.name, nb.name, assignment.name, student.id)
                            score = g.score
                        function = cell.name.removesuffix("_tests")
                        writer.writerow([student.id, assignment.name, function, f"{score:g}", f"{cell.max_score:g}"])
    return out, breakdown


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__.split("\n\n")[0])
    parser.add_argument("-v", "--verbose", action="store_true")
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
    p.add_argument("--submission-timeout", type=float, default=900,
                   help="wall-clock seconds for one submission before it is stopped (default 900)")
    p.add_argument("--workers", type=int, help="parallel local workers (default: cores with PostgreSQL, 1 with SQLite)")
    p.add_argument("--scheduler", help="address of a Dask scheduler (tcp://host:8786): grade on that cluster")
    p.add_argument("--all", dest="resume", action="store_false",
                   help="grade everything again, not only new or changed submissions")
    p = sub.add_parser("feedback", help="per-student HTML feedback")
    p.add_argument("course", type=Path)
    p = sub.add_parser("export", help="grades CSV (nbgrader format) and per-function breakdown")
    p.add_argument("course", type=Path)
    p.add_argument("--to", type=Path, default=Path("grades.csv"))
    sub.add_parser("build-exercises", help="regenerate exercises/<slug>.ipynb (maintainers)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="[autograder] %(message)s")

    course = getattr(args, "course", None)
    course = course.resolve() if course else None
    if args.command == "setup":
        setup(course, args.assignment, url=args.db_url)
    elif args.command == "collect":
        collect(course, args.source.resolve(), args.assignment)
    elif args.command == "grade":
        failed = grade(course, args.assignment, args.cell_timeout, args.submission_timeout, args.workers,
                       args.scheduler, args.resume)
        log.info("done: %d submission(s) could not be graded", failed)
    elif args.command == "feedback":
        feedback(course)
    elif args.command == "export":
        for path in export(course, args.to):
            log.info("wrote %s", path)
    elif args.command == "build-exercises":
        for path in build_exercises():
            log.info("wrote %s", path.relative_to(REPO))
    return 0
