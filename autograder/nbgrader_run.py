"""Running the real ``nbgrader`` command in a course directory.

Every instructor command ends in nbgrader's own CLI (or its Python API, in a
grading worker): this module starts it with the environment it needs and turns
its error output into one readable line.
"""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

log = logging.getLogger("autograder")


class NbgraderFailed(RuntimeError):
    """An nbgrader command exited with an error; the message ends with its last lines of output."""


def nbgrader_env() -> dict[str, str]:
    """The environment nbgrader runs in: ours, with our venv's ``bin`` first on ``PATH``.

    nbgrader shells out to ``alembic`` (gradebook migrations), which lives there.
    """
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def nbgrader(course: Path, *args: str, check: bool = True, timeout: float | None = None) -> subprocess.CompletedProcess:
    """Run one real nbgrader command in ``course``.

    With ``timeout`` (seconds of wall time) the whole process group is killed
    when it runs over, and the result has return code -9 and a note on stderr;
    the kernel template notices and ends its kernels, and with them everything
    they started. With ``check``, a failure raises :class:`NbgraderFailed`.
    """
    cmd = [sys.executable, "-m", "nbgrader", *args]
    log.debug("$ %s", " ".join(cmd))
    popen = subprocess.Popen(cmd, cwd=course, env=nbgrader_env(), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = popen.communicate(timeout=timeout)
        proc = subprocess.CompletedProcess(cmd, popen.returncode, out, err)
    except subprocess.TimeoutExpired:
        os.killpg(popen.pid, signal.SIGKILL)
        out, err = popen.communicate()
        proc = subprocess.CompletedProcess(cmd, -9, out, err + f"\nERROR: killed after {timeout:g} s of wall time")
    if check and proc.returncode != 0:
        raise NbgraderFailed(f"nbgrader {args[0]} failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
    return proc


def last_error(output: str) -> str:
    """The most telling line of nbgrader's output: its last error line, else its last line."""
    lines = [ln for ln in output.splitlines() if "ERROR" in ln or "Error" in ln]
    return (lines[-1] if lines else output.strip().splitlines()[-1] if output.strip() else "unknown").strip()[:300]
