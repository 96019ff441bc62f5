"""A PostgreSQL server for a course's gradebook, from Debian's ``postgresql`` package.

Parallel grading needs a gradebook that takes concurrent writers; nbgrader's
SQLite file does not. ``python -m autograder db start COURSE`` runs a server
for the course (:func:`start_for_course`): a cluster of its own, made with
Debian's ``initdb`` (the package is installed when missing and the grader is
root), listening on 127.0.0.1 only, with password authentication
(``scram-sha-256``) and a random password that is kept only in the course's
0600 settings file. Its data live in ``COURSE/.postgres`` (or, for root, under
``/var/lib/postgresql/``, where the ``postgres`` user that runs the server can
reach them). ``db stop`` stops it; after a reboot ``db start`` starts the same
cluster again.

The tests and ``benchmarks/bench_grading.py`` use the same :class:`Server` for
a throwaway cluster (``tests/support/pgcluster.py``).
"""
from __future__ import annotations

import glob
import hashlib
import logging
import os
import pwd
import secrets
import shutil
import socket
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from autograder.course import Course
from autograder.nbgrader_run import nbgrader

log = logging.getLogger("autograder")

#: The database (and its owner) in a course's cluster.
DATABASE, USER = "gradebook", "grader"


def pg_bindir(install: bool = True) -> Path:
    """Where Debian keeps initdb/pg_ctl; installs the package when missing and allowed (root)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found and install and os.geteuid() == 0:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "postgresql"], check=True, env=env)
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found:
        raise RuntimeError("PostgreSQL server binaries not found: apt-get install postgresql")
    return Path(found[-1]).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A PostgreSQL cluster in ``root`` (``data/``, ``sock/``, ``log``), served on 127.0.0.1:``port``.

    As root, the cluster belongs to the ``postgres`` user, which runs the
    server (``initdb`` refuses to run as root).
    """

    def __init__(self, root: Path, port: int):
        self.root, self.port = Path(root), port
        self.bindir = pg_bindir()
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    @property
    def data(self) -> Path:
        return self.root / "data"

    def _run(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        proc = subprocess.run([*self.as_user, str(self.bindir / tool), *args], capture_output=True, text=True)
        if check and proc.returncode != 0:
            raise RuntimeError(f"{tool} failed: {(proc.stderr or proc.stdout).strip()[-800:]}")
        return proc

    def create(self, password: str) -> None:
        """Make the cluster, its superuser ``grader`` with ``password`` (never written anywhere but the cluster)."""
        self.root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o700 if not self.as_user else 0o755)
        (self.root / "sock").mkdir(exist_ok=True)
        pwfile = self.root / "pw"
        fd = os.open(pwfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(password + "\n")
        try:
            if self.as_user:
                user = pwd.getpwnam("postgres")
                for path in (self.root, self.root / "sock", pwfile):
                    os.chown(path, user.pw_uid, user.pw_gid)
            self._run("initdb", "-D", str(self.data), "-U", USER, "--auth=scram-sha-256", f"--pwfile={pwfile}")
        finally:
            pwfile.unlink(missing_ok=True)

    def running(self) -> bool:
        return self.data.is_dir() and self._run("pg_ctl", "-D", str(self.data), "status", check=False).returncode == 0

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-w", "-l", str(self.root / "log"), "-o",
                  f"-p {self.port} -k {self.root / 'sock'} -c listen_addresses=127.0.0.1", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def create_database(self, name: str, password: str) -> str:
        """Create database ``name`` (if missing); return its SQLAlchemy URL."""
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user=USER, password=password, dbname="postgres",
                             autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
        return url(password, self.port, name)


def url(password: str, port: int, name: str) -> str:
    return f"postgresql://{USER}:{password}@127.0.0.1:{port}/{name}"


def course_server_root(course: Course) -> Path:
    """Where a course's cluster lives: in the course, or (as root) where the ``postgres`` user can reach it."""
    if os.geteuid() != 0:
        return course.root / ".postgres"
    digest = hashlib.sha256(str(course.root).encode()).hexdigest()[:12]
    return Path("/var/lib/postgresql") / f"nncourse-{digest}"


def start_for_course(course: Course) -> tuple[str, bool]:
    """Start the course's PostgreSQL server, creating it (and its gradebook database) the first time.

    Returns the gradebook's URL and whether the server was created now. The
    URL (with its password) is kept in the course's settings file (0600).
    """
    settings = course.settings()
    server_root = Path(settings.get("db_server") or course_server_root(course))
    created = False
    if settings.get("db_server") and (server_root / "data").is_dir():
        server = Server(server_root, settings["db_port"])
        password = make_url(settings["db_url"]).password  # kept in one place: the URL
    else:
        if server_root.exists():
            shutil.rmtree(server_root)  # a half-made cluster from an interrupted start
        server = Server(server_root, free_port())
        password = secrets.token_urlsafe(24)
        server.create(password)
        created = True
    if not server.running():
        try:
            server.start()
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}\n(is port {server.port} taken? the server's log: {server_root / 'log'})") \
                from exc
    db_url = server.create_database(DATABASE, password)
    course.write_settings(db_url=db_url, db_server=str(server_root), db_port=server.port)
    return db_url, created


def stop_for_course(course: Course) -> bool:
    """Stop the course's server; ``False`` when it has none or it was not running."""
    settings = course.settings()
    if not settings.get("db_server"):
        return False
    server = Server(Path(settings["db_server"]), settings["db_port"])
    if not server.running():
        return False
    server.stop()
    return True


def status(course: Course) -> str:
    """One line: the course's gradebook, its server and whether it runs (no password)."""
    settings = course.settings()
    shown = course.db_url.split("@")[-1] if "@" in course.db_url else course.db_url
    if not settings.get("db_server"):
        return f"gradebook: {shown} (not a server of `db start`)"
    running = Server(Path(settings["db_server"]), settings["db_port"]).running()
    return f"gradebook: {shown}, server in {settings['db_server']}: {'running' if running else 'stopped'}"


def start(course: Course) -> str:
    """``db start``: the course's server running, its gradebook knowing the course's exercises; returns the URL.

    A new gradebook starts empty: the exercises are registered in it again
    (``nbgrader generate_assignment``), and the grading and feedback states
    are cleared, so that the next ``grade`` grades every submission into it.
    """
    course.root.mkdir(parents=True, exist_ok=True)
    db_url, created = start_for_course(course)
    if created:
        log.info("created a PostgreSQL cluster for the course in %s", course.settings()["db_server"])
        for name in (Course.STATE, Course.FEEDBACK_STATE):
            (course.root / name).unlink(missing_ok=True)
        if (course.root / "nbgrader_config.py").exists():
            for slug in course.released():
                nbgrader(course.root, "generate_assignment", slug, "--force")
                log.info("registered %s in the new gradebook", slug)
        if (course.root / "gradebook.db").exists():
            log.warning("the grades in %s stay there: run `grade COURSE` to grade every submission into the new "
                        "gradebook", course.root / "gradebook.db")
    return db_url
