"""nbgrader preprocessors that move the hidden tests' verdict out of the learner's kernel.

``nbgrader autograde`` runs its ``autograde_preprocessors`` in order; our
configuration (``autograder/nbgrader_config.py``) puts

* :class:`PrepareHiddenTests` first: in the grader's process it draws each
  graded function's hidden inputs (seeded by the course secret and the student
  id), makes the submission's exchange folder and turns every hidden-tests cell
  into "run the harness for this function";
* :class:`SandboxedExecute` in place of nbgrader's ``Execute``: it runs the
  notebook in a sandboxed kernel (:mod:`autograder.kernel`) forked from a warm
  template process, over ZMQ ``ipc`` sockets
  (the kernel has no network). Just before a hidden-tests cell runs it writes
  that cell's inputs, and only those, into the exchange; right after, it
  deletes them. A runaway notebook is stopped without losing what already ran;
* :class:`JudgeHiddenTests` right after: once the kernel has exited, it reads
  what the learner's functions returned (and every argument as it was after
  the call) from each hidden cell's outputs, computes the answer module's
  outputs, compares with the documented tolerances, diagnoses a failure
  (:mod:`autograder.judge.diagnosis`), and writes the verdict into the
  cell's outputs (on failure: the advice, then an error output), with its
  record in the first output's metadata (read by the exports through
  :mod:`autograder.grade.diagnoses`); the graded notebook and the feedback
  show only a one-line comment as the cell's source;
* :class:`TruncateOutputs`: huge printed outputs are cut.

nbgrader's ``SaveAutoGrades`` then scores the cells from those outputs as usual.
Nothing the kernel does can change a reference output, a comparison, or
another cell's inputs or results.
"""
from __future__ import annotations

import atexit
import inspect
import resource
import shutil
from pathlib import Path

import nbformat
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Integer, List, Unicode

from autograder import exercise
from autograder.grade import events
from autograder.grade.repair import course_of
from autograder.i18n import N_, Catalogue, notebook_language
from autograder.judge import codec, harness, verdict
from autograder.kernel import kernels, sandbox

#: Exchange folders of submissions being graded by this process (normally at most one).
_LIVE_EXCHANGES: set[Path] = set()
#: The template this process forks learners' kernels from (started with the first submission).
_TEMPLATE = kernels.Template()
atexit.register(_TEMPLATE.close)
_warned_unisolated = False


def _graded_cells(nb, slug: str, log):
    """``(cell, Graded)`` for every hidden-tests cell, known by its grade id (never by its source)."""
    try:
        ex = exercise.load(slug)
    except exercise.TemplateError:
        log.error("%s is not one of this course's exercises: its hidden tests cannot be run", slug)
        return
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        graded = ex.by_tests_id(meta.get("grade_id", ""))
        if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution") and graded:
            yield cell, graded


class PrepareHiddenTests(NbGraderPreprocessor):
    """Draw this student's hidden inputs and route hidden cells through the kernel harness."""

    def preprocess(self, nb, resources):
        global _warned_unisolated
        isolated, how = sandbox.isolation_available()
        if not isolated and not _warned_unisolated:
            self.log.warning("Learners' kernels are NOT isolated: %s", how)
            _warned_unisolated = True
        student = resources["nbgrader"]["student"]
        secret = course_of(self.config).secret()
        exchange = sandbox.make_exchange()
        _LIVE_EXCHANGES.add(exchange)
        io_dir = sandbox.exchange_parts(exchange)["io"]
        # The kernel side: the codec and the harness, standard library and NumPy only.
        harness_source = inspect.getsource(codec) + "\n\n" + inspect.getsource(harness)
        state = {"exchange": str(exchange), "cells": {}}
        for cell, graded in _graded_cells(nb, resources["nbgrader"]["assignment"], self.log):
            _, cases = verdict.draw_cases(graded.qualname, verdict.case_seed(graded.qualname, student, secret))
            state["cells"][graded.tests_id] = (graded.qualname, cases)
            cell.source = f"{harness_source}\n\nrun_hidden({str(io_dir)!r}, {graded.name!r}, globals())\n"
        nb.metadata["kernelspec"] = {"name": kernels.KERNEL_NAME, "display_name": kernels.DISPLAY_NAME,
                                     "language": "python"}
        resources["nncourse"] = state
        return nb, resources


def _clear(folder: Path) -> None:
    for path in folder.iterdir():
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


class SandboxedExecute(Execute):
    """nbgrader's ``Execute`` in a sandboxed kernel, feeding each hidden cell its own inputs.

    The kernel is started from this submission's kernel spec (the template's
    launcher), with ZMQ over ``ipc`` sockets in the exchange folder: the kernel
    has no network. Before a hidden-tests cell runs, its inputs are written to
    the exchange's ``io`` folder (which the kernel sees read-only); after it,
    they are deleted: while any other cell runs, no hidden input exists.

    Cells tagged ``lab`` (``skip_tags``) are not run: the Lab re-runs the
    chapter's experiments on the learner's functions and grades nothing.

    A cell that exceeds ``timeout`` is interrupted and execution goes on (a
    slow experiment costs only that cell). If a second cell times out the
    kernel is ignoring interrupts (a C-level call, or a handler that swallows
    ``KeyboardInterrupt``): the kernel is killed and the remaining cells are not
    run. A kernel that dies (``os._exit``, a segfault, a resource limit) also
    ends the run. In both cases the cells executed so far keep their outputs,
    and :class:`JudgeHiddenTests` marks hidden tests that never ran as failed.
    """

    kernel_cpu_seconds = Integer(sandbox.LIMITS[resource.RLIMIT_CPU],
                                 help="CPU seconds a learner's kernel may use in total.").tag(config=True)
    skip_tags = List(Unicode(), ["lab"], help="Cells with one of these tags are not run when grading: the "
                     "Lab experiments re-run a chapter's figures and grade nothing.").tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        self._timeouts = 0
        self._state = (resources or {}).get("nncourse")
        try:
            return super().preprocess(nb, resources, km=km)
        except (DeadKernelError, CellTimeoutError, RuntimeError) as exc:
            reason = N_("the kernel stopped responding or died") if not isinstance(exc, CellTimeoutError) else \
                N_("cells kept running past the time limit")
            self.log.warning("Notebook execution stopped early: %s (%s)", reason, type(exc).__name__)
            events.note(events.LIMIT, f"the notebook stopped early: {reason}")
            if self._state is not None:
                self._state["stopped"] = reason
            return nb, resources
        finally:
            if self._state is not None:
                _clear(sandbox.exchange_parts(Path(self._state["exchange"]))["io"])

    def create_kernel_manager(self):
        if self._state is None:  # not a graded notebook of ours: nbgrader's own kernel
            return super().create_kernel_manager()
        self.km = kernels.kernel_manager(self.kernel_manager_class, _TEMPLATE, Path(self._state["exchange"]),
                                         self.kernel_cpu_seconds, config=self.config)
        return self.km

    def preprocess_cell(self, cell, resources, index):
        if set(cell.metadata.get("tags", [])) & set(self.skip_tags):
            cell.outputs, cell.execution_count = [], None
            return cell, resources
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        hidden = self._state["cells"].get(grade_id) if self._state and cell.cell_type == "code" else None
        if hidden is None:
            return super().preprocess_cell(cell, resources, index)
        io_dir = sandbox.exchange_parts(Path(self._state["exchange"]))["io"]
        codec.save(str(io_dir / "in"), *verdict.inputs(hidden[1]))
        try:
            return super().preprocess_cell(cell, resources, index)
        finally:
            _clear(io_dir)

    async def _async_handle_timeout(self, timeout, cell=None):
        self._timeouts += 1
        grade_id = (cell.metadata.get("nbgrader", {}).get("grade_id") if cell is not None else None) or "a cell"
        events.note(events.LIMIT, f"{grade_id} ran past the {timeout:g} s cell time limit and was interrupted")
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
        language = notebook_language(nb)  # the feedback is written in the notebook's language
        try:
            for cell in nb.cells:
                grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
                if grade_id in state["cells"]:
                    qualname, cases = state["cells"][grade_id]
                    self._judge(cell, qualname, cases, state.get("stopped"), language)
        finally:
            shutil.rmtree(exchange, ignore_errors=True)
            _LIVE_EXCHANGES.discard(exchange)
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        return nb, resources

    def _judge(self, cell, qualname, cases, stopped=None, language="en"):
        name = qualname.rpartition(".")[2]
        bundles = [o for o in cell.get("outputs", []) if o.get("output_type") == "display_data"
                   and harness.RESULTS_MIME in o.get("data", {})]
        ran = bool(bundles)
        if not bundles:
            judged = verdict.unjudged(qualname, cases, N_(f"your notebook stopped before this test could run "
                                                          f"({stopped or N_('the cell did not run')})"))
        else:
            try:
                judged = verdict.judge(qualname, cases, bundles[-1]["data"][harness.RESULTS_MIME])
            except Exception as exc:  # malformed results: the learner's code broke the harness
                judged = verdict.unjudged(qualname, cases,
                                          N_(f"the results of your function could not be read ({type(exc).__name__})"))
                ran = False
        if judged.advice is not None and judged.advice.unavailable:
            self.log.warning("No diagnosis for %s: %s", qualname, judged.advice.unavailable)
        # For the class report: which cases failed (a failure message starts with its case's label).
        failures = judged.failures
        labels = [c.label for c in cases]
        events.note(events.CASES, function=name, labels=labels, ran=ran,
                    failed=[i for i, label in enumerate(labels) if any(f.startswith(f"{label}: ") for f in failures)],
                    unimplemented=bool(failures) and all(f.endswith(": not implemented yet") for f in failures))
        points = cell.metadata["nbgrader"].get("points", 0)
        translate = Catalogue("autograder", language)
        worth = translate(N_(f"{points:g} point") if points == 1 else N_(f"{points:g} points"))
        cell.source = "# " + translate(N_(f"Hidden tests for {name} ({worth}): run and checked by the grader."))
        cell.outputs = feedback_outputs(judged, language)


def feedback_outputs(judged: verdict.Verdict, language: str = "en") -> list:
    """The outputs of a judged hidden-tests cell: what the feedback page shows under the function's score.

    The first output is always a display output whose metadata holds the
    verdict's record (``verdict.RECORD_KEY``: the diagnosis ids, the failing
    kinds of case, the links) for the exports. A pass shows one line of text.
    A failure shows the advice (the known mistake, or the kinds of failing
    case, and the link to the book: HTML for the feedback page, text for
    everything else), then an error output listing the failing cases, by
    which nbgrader scores the cell 0. The words are in ``language`` (the
    notebook's); the record stays language-neutral (ids, keys, English links).
    """
    record = {verdict.RECORD_KEY: judged.record()}
    if judged.passed:
        return [nbformat.v4.new_output("display_data", data={"text/plain": judged.report(language=language)},
                                       metadata=record)]
    message = judged.report(advice=False, language=language)
    translate = Catalogue("autograder", language)
    advice = nbformat.v4.new_output("display_data", metadata=record,
                                    data={"text/plain": judged.advice.text(translate),
                                          "text/html": judged.advice.html(translate)})
    error = nbformat.v4.new_output("error", ename="HiddenTestFailure", evalue=message,
                                   traceback=[f"HiddenTestFailure: {message}"])
    return [advice, error]


def clean_up_after_submission() -> None:
    """Make sure nothing of a submission outlives its grading in this process.

    :class:`JudgeHiddenTests` normally removes the exchange folder; when
    nbgrader stopped before it (an error in between), it is removed here.
    The kernel's processes need no clean-up: they live in the kernel's own
    PID namespace, which ends with it. Called by :mod:`autograder.grade.worker`
    after each submission.
    """
    for exchange in list(_LIVE_EXCHANGES):
        shutil.rmtree(exchange, ignore_errors=True)
        _LIVE_EXCHANGES.discard(exchange)


class TruncateOutputs(NbGraderPreprocessor):
    """Keep gigantic prints out of the graded notebook and feedback (nbgrader's LimitOutput counts lines only)."""

    max_chars = Integer(20_000, help="Characters of text kept per output.").tag(config=True)

    def preprocess(self, nb, resources):
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                text = output.get("text")
                if isinstance(text, str) and len(text) > self.max_chars:
                    cut = len(text) - self.max_chars
                    output["text"] = text[:self.max_chars] + f"\n... [{cut} more characters cut]\n"
                    events.note(events.LIMIT, f"printed output cut to {self.max_chars:,} characters")
                for key, value in list(output.get("data", {}).items()):
                    if isinstance(value, str) and len(value) > 10 * self.max_chars:
                        output["data"][key] = value[:self.max_chars]
        return nb, resources
