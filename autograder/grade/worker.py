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
one JSON line back, ``{"ok": bool, "reason": str, "seconds": float}``. It exits
at the end of its input, i.e. when the process that started it goes away.

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
import time
from pathlib import Path

from autograder.nbgrader_run import last_error, nbgrader_env

#: Submissions one worker grades before it is replaced by a fresh process.
MAX_TASKS = 200


def _reason(result: dict) -> str:
    """One readable line saying why nbgrader could not grade a submission."""
    return last_error("\n".join(filter(None, [result.get("log"), result.get("error")])))


def serve(course: Path, cell_timeout: int | None = None) -> None:
    """Grade the submissions named on stdin, one result line each on stdout."""
    # Kernels inherit stdout and print their connection banner there: keep the
    # original stdout for our replies only, and send everything else to stderr.
    replies = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    from nbgrader.apps.api import NbGraderAPI
    from traitlets.config.loader import PyFileConfigLoader

    from autograder.grade import gradebook, preprocessors

    gradebook.install()  # one pooled connection to a PostgreSQL gradebook for all our submissions
    os.chdir(course)  # as the nbgrader command, so that relative paths in the course's config mean the same
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    if cell_timeout:
        config.Execute.timeout = cell_timeout
    api = NbGraderAPI(config=config)
    for line in sys.stdin:
        request = json.loads(line)
        start = time.monotonic()
        try:
            result = api.autograde(request["slug"], request["student"], force=True, create=True)
        except Exception as exc:  # capture_log catches nbgrader's errors; this is for our own
            result = {"success": False, "error": f"{type(exc).__name__}: {exc}"}
        finally:
            preprocessors.clean_up_after_submission()
        reply = {"ok": bool(result.get("success")), "seconds": time.monotonic() - start}
        if not reply["ok"]:
            reply["reason"] = _reason(result)
        replies.write(json.dumps(reply) + "\n")


class WorkerDied(RuntimeError):
    """The worker process exited, or was killed, before it replied."""


class GradingProcess:
    """The grader's handle on one worker process (started on first use, restarted when needed)."""

    def __init__(self, course: Path, cell_timeout: int | None = None):
        self.course, self.cell_timeout = Path(course), cell_timeout
        self.proc: subprocess.Popen | None = None
        self.served = 0

    def _start(self) -> None:
        cmd = [sys.executable, "-m", "autograder.grade.worker", str(self.course)]
        if self.cell_timeout:
            cmd += ["--cell-timeout", str(self.cell_timeout)]
        # Its own session, so that a kill takes the whole process group; stderr
        # (kernel banners, library chatter) is not the grader's business: each
        # reply carries nbgrader's own reason when a submission fails.
        self.proc = subprocess.Popen(cmd, cwd=self.course, env=nbgrader_env(), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True)
        self.served = 0

    def grade(self, slug: str, student: str, timeout: float | None = None) -> dict:
        """Autograde one submission; returns the worker's reply (``ok``, ``seconds``, ``reason``).

        Raises :class:`WorkerDied` if the worker exited without replying, or
        :class:`TimeoutError` after ``timeout`` seconds (the worker is killed).
        """
        if self.proc is None or self.proc.poll() is not None or self.served >= MAX_TASKS:
            self.close()
            self._start()
        self.served += 1
        try:
            self.proc.stdin.write(json.dumps({"slug": slug, "student": student}).encode() + b"\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            self.kill()
            raise WorkerDied("the grading worker exited before it could take the submission") from None
        return json.loads(self._read_line(timeout))

    def _read_line(self, timeout: float | None) -> bytes:
        fd = self.proc.stdout.fileno()
        deadline = None if timeout is None else time.monotonic() + timeout
        data = b""
        while not data.endswith(b"\n"):
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                self.kill()
                raise TimeoutError(f"killed after {timeout:g} s of wall time")
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                code = self.proc.wait()
                self.kill()  # what it started may still run
                raise WorkerDied(f"the grading worker died (exit code {code})")
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


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m autograder.grade.worker", description=__doc__.split("\n\n")[0])
    parser.add_argument("course", type=Path)
    parser.add_argument("--cell-timeout", type=int)
    args = parser.parse_args(argv)
    serve(args.course.resolve(), args.cell_timeout)


if __name__ == "__main__":
    main()
