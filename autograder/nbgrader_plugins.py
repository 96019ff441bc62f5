"""nbgrader preprocessors that move the hidden tests' verdict out of the learner's kernel.

``nbgrader autograde`` runs its ``autograde_preprocessors`` in order; our
configuration (``autograder/nbgrader_config.py``) puts

* :class:`PrepareHiddenTests` before nbgrader's ``Execute``: in the grader's
  process it draws each graded function's hidden inputs (seeded by the course
  secret and the student id), writes them to a fresh exchange folder, turns
  every hidden-tests cell into "run the harness for this function", and points
  the notebook at a sandboxed kernel (:mod:`autograder.sandbox`), forked from a
  warm template process (:mod:`autograder.forkserver`);
* :class:`JudgeHiddenTests` right after ``Execute``: once the kernel has exited,
  it reads what the learner's functions returned, computes the answer module's
  outputs, compares them with the documented tolerances, and writes the verdict
  into the cell's outputs (an error output on failure), then shows only a
  one-line comment as the cell's source in the graded notebook and feedback.

nbgrader's ``SaveAutoGrades`` then scores the cells from those outputs as usual.
Nothing the kernel does can change a reference output or a comparison.
"""
from __future__ import annotations

import atexit
import inspect
import json
import os
import re
import shutil
import signal
from pathlib import Path

import nbformat
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbgrader.preprocessors import Execute, NbGraderPreprocessor

from autograder import forkserver, harness, sandbox
from autograder.grading import (SECRET_ENV, RaisedInKernel, case_seed, draw_cases, evaluate, expected_output)

KERNEL_NAME = "nncourse-sandbox"
_BASE_JUPYTER_PATH = [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p]
#: Exchange folders of submissions being graded by this process (normally at most one).
_LIVE_EXCHANGES: set[Path] = set()
#: The template this process forks learners' kernels from (started with the first submission).
_TEMPLATE = forkserver.Template()
atexit.register(_TEMPLATE.close)
_CALL = re.compile(r"""grade\(\s*['"]([\w.]+)['"]""")


def kernel_uid(grader_pid: int) -> int:
    """The private uid of the kernel started by the nbgrader process ``grader_pid``.

    Derived, not stored: the wrapper that started that process computes the same
    uid to clean up after a submission it had to kill.
    """
    return 61000 + grader_pid % 3000


def _secret() -> str:
    if os.environ.get(SECRET_ENV):
        return os.environ[SECRET_ENV]
    path = Path.cwd() / ".grading_secret"  # nbgrader runs in the course directory
    if path.exists():
        return path.read_text().strip()
    raise RuntimeError("no grading secret: run `python -m autograder setup COURSE` and grade from COURSE")


def _graded_cells(nb):
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
            match = _CALL.search(cell.source)
            if match:
                yield cell, meta["grade_id"], match.group(1)


class PrepareHiddenTests(NbGraderPreprocessor):
    """Write hidden inputs for this student and route hidden cells through the kernel harness."""

    def preprocess(self, nb, resources):
        student = resources["nbgrader"]["student"]
        secret = _secret()
        exchange = sandbox.private_dir("nncourse-io-")
        _LIVE_EXCHANGES.add(exchange)
        uid = kernel_uid(os.getpid())
        harness_source = inspect.getsource(harness)
        state = {"exchange": str(exchange), "uid": uid, "cells": {}}
        for cell, grade_id, qualname in _graded_cells(nb):
            spec, cases = draw_cases(qualname, case_seed(qualname, student=student, secret=secret))
            arrays = {}
            payload = {"cases": [{"args": [harness.encode(a, arrays) for a in c.args],
                                  "kwargs": {k: harness.encode(v, arrays) for k, v in c.kwargs.items()}}
                                 for c in cases]}
            harness.save(str(exchange / f"{grade_id}.in"), payload, arrays)
            state["cells"][grade_id] = (qualname, cases)
            name = qualname.rpartition(".")[2]
            cell.source = (f"{harness_source}\n\nrun_hidden({str(exchange)!r}, {grade_id!r}, {name!r}, globals())\n")
        self._install_kernel(nb, exchange, uid)
        resources["nncourse"] = state
        return nb, resources

    def _install_kernel(self, nb, exchange: Path, uid: int) -> None:
        spec_dir = exchange / "kernelspec" / "kernels" / KERNEL_NAME
        spec_dir.mkdir(parents=True)
        argv = _TEMPLATE.launcher_argv(exchange, uid, course=Path.cwd())
        (spec_dir / "kernel.json").write_text(json.dumps(
            {"argv": argv, "display_name": "Python 3 (grading sandbox)", "language": "python"}))
        # From the path as it was at start-up: a worker process grading many
        # submissions must not accumulate one entry per submission.
        os.environ["JUPYTER_PATH"] = os.pathsep.join([str(exchange / "kernelspec"), *_BASE_JUPYTER_PATH])
        nb.metadata["kernelspec"] = {"name": KERNEL_NAME, "display_name": "Python 3 (grading sandbox)",
                                     "language": "python"}


class SandboxExecute(Execute):
    """nbgrader's ``Execute``, made to stop a runaway notebook without losing what already ran.

    A cell that exceeds ``timeout`` is interrupted and execution goes on (a
    slow experiment costs only that cell). If a second cell times out the
    kernel is ignoring interrupts (a C-level call, or a handler that swallows
    ``KeyboardInterrupt``): the kernel is killed and the remaining cells are not
    run. A kernel that dies (``os._exit``, a segfault, a resource limit) also
    ends the run. In both cases the cells executed so far keep their outputs,
    and :class:`JudgeHiddenTests` marks hidden tests that never ran as failed.
    """

    def preprocess(self, nb, resources=None, km=None):
        self._timeouts = 0
        try:
            return super().preprocess(nb, resources, km=km)
        except (DeadKernelError, CellTimeoutError, RuntimeError) as exc:
            reason = "the kernel stopped responding or died" if not isinstance(exc, CellTimeoutError) else \
                "cells kept running past the time limit"
            self.log.warning("Notebook execution stopped early: %s (%s)", reason, type(exc).__name__)
            if resources is not None and "nncourse" in resources:
                resources["nncourse"]["stopped"] = reason
            return nb, resources

    async def _async_handle_timeout(self, timeout, cell=None):
        self._timeouts += 1
        if self._timeouts >= 2:
            # Raising ends the run; nbclient's setup_kernel context then kills the kernel.
            raise DeadKernelError("second cell time-out: the kernel ignores interrupts")
        return await super()._async_handle_timeout(timeout, cell)


class JudgeHiddenTests(NbGraderPreprocessor):
    """Compare the kernel's results with the answer module and record the verdict in each hidden cell."""

    def preprocess(self, nb, resources):
        state = resources.pop("nncourse", None)
        if state is None:
            return nb, resources
        exchange = Path(state["exchange"])
        try:
            _kill_uid(state["uid"])
            for cell, grade_id, _ in list(_graded_cells_by_id(nb, state["cells"])):
                qualname, cases = state["cells"][grade_id]
                self._judge(cell, grade_id, qualname, cases, exchange, state.get("stopped"))
        finally:
            shutil.rmtree(exchange, ignore_errors=True)
            _LIVE_EXCHANGES.discard(exchange)
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        _truncate_outputs(nb)
        return nb, resources

    def _judge(self, cell, grade_id, qualname, cases, exchange: Path, stopped=None):
        name = qualname.rpartition(".")[2]
        from autograder.specs import get_spec

        spec = get_spec(qualname)
        try:
            payload, arrays = harness.load(str(exchange / f"{grade_id}.out"))
            raw = payload["results"]
            if not isinstance(raw, list) or len(raw) != len(cases):
                raise ValueError("wrong number of results")
            results = []
            for case, item in zip(cases, raw):
                expected = expected_output(qualname, case)
                if "error" in item:
                    kind, message = (list(item["error"]) + ["", ""])[:2]
                    got, mutated = RaisedInKernel(str(kind)[:80], str(message)[:300]), None
                else:
                    got = harness.decode(item["ok"], arrays)
                    mutated = ", ".join(f"argument {i}" for i in item.get("mutated", []) if isinstance(i, int))
                results.append((case, expected, got, mutated or None))
            failures = evaluate(spec, results)
        except FileNotFoundError:
            failures = [f"your notebook stopped before this test could run ({stopped or 'the cell did not run'})"]
        except Exception as exc:  # malformed results: the learner's code broke the harness
            failures = [f"the results of your function could not be read ({type(exc).__name__})"]
        points = cell.metadata["nbgrader"].get("points", 0)
        unit = "point" if points == 1 else "points"
        cell.source = f"# Hidden tests for {name} ({points:g} {unit}): run and checked by the grader."
        if failures:
            shown = "\n  - ".join(failures[:5])
            more = f"\n  ({len(failures) - 5} more)" if len(failures) > 5 else ""
            message = f"{name}: {len(failures)} of {len(cases)} hidden cases failed:\n  - {shown}{more}"
            cell.outputs = [nbformat.v4.new_output("error", ename="HiddenTestFailure", evalue=message,
                                                   traceback=[f"HiddenTestFailure: {message}"])]
        else:
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout",
                                                   text=f"{name}: all {len(cases)} hidden cases passed.\n")]


def clean_up_after_submission() -> None:
    """Make sure nothing of a submission outlives its grading in this process.

    :class:`JudgeHiddenTests` normally does this; when nbgrader stopped before
    it (an error in between), the kernel's leftover processes are killed and
    the exchange folder removed here. Called by :mod:`autograder.worker`
    after each submission. A submission whose exchange folder is gone was
    cleaned by :class:`JudgeHiddenTests`, so the usual case costs nothing here
    (no second scan of ``/proc``).
    """
    if not _LIVE_EXCHANGES:
        return
    _kill_uid(kernel_uid(os.getpid()))
    for exchange in list(_LIVE_EXCHANGES):
        shutil.rmtree(exchange, ignore_errors=True)
        _LIVE_EXCHANGES.discard(exchange)


def _graded_cells_by_id(nb, wanted):
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in wanted:
            yield cell, grade_id, None


def _kill_uid(uid: int) -> None:
    """Kill whatever the learner's kernel left running (daemons, fork bombs) under its private uid."""
    if os.geteuid() != 0:
        return
    for _ in range(3):
        found = False
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                uids = next(line for line in status.read_text().splitlines() if line.startswith("Uid:"))
            except (OSError, StopIteration):
                continue
            if int(uids.split()[1]) == uid:
                found = True
                try:
                    os.kill(int(status.parent.name), signal.SIGKILL)
                except OSError:
                    pass
        if not found:
            return


MAX_OUTPUT_CHARS = 20_000


def _truncate_outputs(nb) -> None:
    """Keep gigantic prints out of the graded notebook and feedback (nbgrader's LimitOutput counts lines only)."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            text = output.get("text")
            if isinstance(text, str) and len(text) > MAX_OUTPUT_CHARS:
                output["text"] = text[:MAX_OUTPUT_CHARS] + f"\n... [{len(text) - MAX_OUTPUT_CHARS} more characters cut]\n"
            for key, value in list(output.get("data", {}).items()):
                if isinstance(value, str) and len(value) > 10 * MAX_OUTPUT_CHARS:
                    output["data"][key] = value[:MAX_OUTPUT_CHARS]
