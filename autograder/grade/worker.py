"""A long-lived grading process: nbgrader's autograde, in-process, one submission after another.

Starting ``python -m nbgrader`` costs about two seconds before any grading
happens (importing nbgrader, nbconvert and jsonschema, loading the
configuration, asking ``alembic`` for the gradebook's schema version). Paid
for every submission, that start-up is most of the time a submission takes,
so a class is graded by a few of these processes instead, each serving many
submissions::

    python -m autograder.grade.worker COURSE [--cell-timeout SECONDS]

reads one JSON request per line on stdin, ``{"slug": ..., "student": ...}``,
runs ``NbGraderAPI.autograde(slug, student, force=True)`` (the same
preprocessors as ``nbgrader autograde``, so a fresh sandboxed kernel per
submission: nothing of one learner's run survives into the next), and writes
one JSON line back, ``{"ok": bool, "reason": str, "seconds": float, "log": str,
"events": [...]}``: the reason in words (:mod:`autograder.grade.reasons`),
nbgrader's whole log for that submission, and what our preprocessors noted
(:mod:`autograder.grade.events`). A request ``{"action": "feedback", ...}``
generates that submission's feedback page instead (nbgrader's
``generate_feedback``). It exits at the end of its input, i.e. when the
process that started it goes away.

The parent side is :class:`GradingProcess`: it starts a worker, sends it one
submission at a time, and enforces the submission's wall-clock limit by killing
the worker (and whatever its kernel left behind), after which the next
submission gets a new worker. A worker is also replaced after
:data:`MAX_TASKS` submissions, so that slow leaks in the libraries it hosts
cannot build up over a class of thousands.
"""
from __future__ import annotations

import argparse
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

from autograder.nbgrader_run import last_error, nbgrader_env

#: Submissions one worker grades before it is replaced by a fresh process.
MAX_TASKS = 200
#: Characters of nbgrader's log sent back per submission (a longer log keeps its end, where the error is).
MAX_LOG = 200_000


def serve(course: Path, cell_timeout: int | None = None) -> None:
    """Grade the submissions named on stdin, one result line each on stdout."""
    # Kernels inherit stdout and print their connection banner there: keep the
    # original stdout for our replies only, and send everything else to stderr.
    replies = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    from nbgrader.apps.api import NbGraderAPI
    from traitlets.config.loader import PyFileConfigLoader

    from autograder.course import Course
    from autograder.grade import events, gradebook, preprocessors, reasons

    gradebook.install()  # one pooled connection to a PostgreSQL gradebook for all our submissions
    os.chdir(course)  # as the nbgrader command, so that relative paths in the course's config mean the same
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    if cell_timeout:
        config.Execute.timeout = cell_timeout
    api = NbGraderAPI(config=config)
    for line in sys.stdin:
        request = json.loads(line)
        slug, student = request["slug"], request["student"]
        start = time.monotonic()
        events.drain()
        try:
            if request.get("action") == "feedback":
                result = api.generate_feedback(slug, student, force=True)
            else:
                result = api.autograde(slug, student, force=True, create=True)
        except Exception:  # capture_log catches nbgrader's errors; this is for our own
            result = {"success": False, "error": traceback.format_exc()}
        finally:
            preprocessors.clean_up_after_submission()
        log = "\n".join(filter(None, [result.get("log"), result.get("error")]))
        reply = {"ok": bool(result.get("success")), "seconds": time.monotonic() - start, "log": log[-MAX_LOG:],
                 "events": events.drain()}
        if not reply["ok"]:
            reply["reason"] = reasons.explain(log, Course(course), slug, student)
        replies.write(json.dumps(reply) + "\n")


class WorkerDied(RuntimeError):
    """The worker process exited, or was killed, before it replied."""


class GradingProcess:
    """The grader's handle on one worker process (started on first use, restarted when needed)."""

    def __init__(self, course: Path, cell_timeout: int | None = None):
        self.course, self.cell_timeout = Path(course), cell_timeout
        self.proc: subprocess.Popen | None = None
        self.stderr = None
        self.served = 0

    def _start(self) -> None:
        cmd = [sys.executable, "-m", "autograder.grade.worker", str(self.course)]
        if self.cell_timeout:
            cmd += ["--cell-timeout", str(self.cell_timeout)]
        # Its own session, so that a kill takes the whole process group. Each reply
        # carries nbgrader's log; stderr (kernel banners, library chatter, and the
        # last words of a worker that dies) goes to a file whose end is read when
        # the worker dies or is killed.
        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(cmd, cwd=self.course, env=nbgrader_env(), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self.stderr, start_new_session=True)
        self.served = 0

    def last_words(self) -> str:
        """The worker's most telling recent line on stderr (its last error line), or ``""``."""
        if self.stderr is None:
            return ""
        self.stderr.seek(max(0, self.stderr.seek(0, os.SEEK_END) - 20_000))
        tail = self.stderr.read().decode(errors="replace")
        return last_error(tail) if tail.strip() else ""

    def grade(self, slug: str, student: str, timeout: float | None = None, action: str = "autograde") -> dict:
        """Autograde one submission (or make its feedback page); returns the worker's reply.

        The reply has ``ok``, ``seconds``, ``log``, ``events`` and, on failure,
        ``reason``. Raises :class:`WorkerDied` if the worker exited without
        replying, or :class:`TimeoutError` after ``timeout`` seconds (the
        worker is killed); their message ends with the worker's last error line.
        """
        if self.proc is None or self.proc.poll() is not None or self.served >= MAX_TASKS:
            self.close()
            self._start()
        self.served += 1
        try:
            self.proc.stdin.write(json.dumps({"slug": slug, "student": student, "action": action}).encode() + b"\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            words = self.last_words()
            self.kill()
            raise WorkerDied("the grading worker exited before it could take the submission"
                             + (f" (its last words: {words})" if words else "")) from None
        return json.loads(self._read_line(timeout))

    def _read_line(self, timeout: float | None) -> bytes:
        fd = self.proc.stdout.fileno()
        deadline = None if timeout is None else time.monotonic() + timeout
        data = b""
        while not data.endswith(b"\n"):
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                self.kill()
                raise TimeoutError(f"still running after {timeout:g} s of wall time (--submission-timeout): "
                                   f"stopped, with its kernel")
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                code = self.proc.wait()
                words = self.last_words()
                self.kill()  # what it started may still run
                how = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
                raise WorkerDied(f"the grading worker died ({how})" + (f"; its last words: {words}" if words else ""))
            data += chunk
        return data

    def kill(self) -> None:
        """Kill the worker and everything it started.

        Its kernel template (a session of its own) sees the worker go and ends
        its kernels, and with each kernel its whole PID namespace.
        """
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        self.proc = None
        self._forget_stderr()

    def close(self) -> None:
        """Let the worker finish (end of input), or kill it if it does not."""
        if self.proc is None:
            return
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.kill()
        self.proc = None
        self._forget_stderr()

    def _forget_stderr(self) -> None:
        if self.stderr is not None:
            self.stderr.close()
            self.stderr = None


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m autograder.grade.worker", description=__doc__.split("\n\n")[0])
    parser.add_argument("course", type=Path)
    parser.add_argument("--cell-timeout", type=int)
    args = parser.parse_args(argv)
    serve(args.course.resolve(), args.cell_timeout)


if __name__ == "__main__":
    main()
