"""Why a submission could not be graded, in one line that says what happened and what to do.

When nbgrader fails on a notebook it logs a traceback and ends with the same
sentence for every cause ("Please see the above traceback for details"); some
of its own messages point the wrong way (a renamed file is reported as "did you
forget to run generate_assignment?", damaged cell metadata as an "old version
of the nbgrader metadata format"). :func:`explain` reads nbgrader's whole log
for one submission, finds the exception that actually stopped it and turns the
known causes into a sentence for the instructor; an unknown cause is named by
that exception's last line, never by nbgrader's closing sentence.
"""
from __future__ import annotations

import re
from pathlib import Path

from autograder.course import Course

#: The last line of a Python traceback: ``package.module.SomeError: message``.
_EXCEPTION = re.compile(r"^\s*((?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*(?:Error|Exception|Exit|Interrupt|Failure))"
                        r"(?::\s*(.*))?$")
#: nbgrader's closing sentences, which never name a cause.
_GENERIC = ("Please see the", "There was an error processing assignment")


def exceptions(log: str) -> list[tuple[str, str]]:
    """``(type, message)`` of every exception line in ``log``, in order (nbgrader's generic ones left out)."""
    found = []
    for line in log.splitlines():
        match = _EXCEPTION.match(line)
        if match and not any(g in (match.group(2) or "") for g in _GENERIC):
            found.append((match.group(1).rpartition(".")[2], (match.group(2) or "").strip()))
    return found


def _notebooks_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("*.ipynb")) if folder.is_dir() else []


def explain(log: str, course: Course, slug: str, student: str) -> str:
    """One line: why nbgrader could not grade ``student``'s ``slug``, from its log (and what to do).

    Parameters
    ----------
    log : str
        nbgrader's log for this submission, its tracebacks and the final error included.
    """
    where = f"submitted/{student}/{slug}/{slug}.ipynb"
    found = exceptions(log)
    kinds = {kind for kind, _ in found}
    if "did you forget to run 'nbgrader generate_assignment'" in log or "No notebooks were matched" in log:
        others = [name for name in _notebooks_in(course.root / "submitted" / student / slug) if name != f"{slug}.ipynb"]
        if others:
            return (f"there is no {slug}.ipynb in submitted/{student}/{slug}/, only {', '.join(others)}: a renamed "
                    f"file. `collect` renames such files: collect again, or rename it to {slug}.ipynb")
        return f"there is no {where}: nothing to grade (collect the submission again)"
    if {"NotJSONError", "JSONDecodeError"} & kinds:
        path = course.root / where
        if path.is_file() and not path.read_bytes().strip():
            return f"{where} is an empty file: ask the learner to upload the notebook again"
        detail = next((m for k, m in found if k == "JSONDecodeError"), "")
        detail = f" ({detail})" if detail else ""
        return (f"{where} is not a notebook: its JSON is broken{detail}, as in a truncated upload or a web page "
                f"saved under the notebook's name. Ask the learner for the file again (python -m json.tool FILE "
                f"shows where it breaks)")
    if {"NotebookValidationError"} & kinds or "Notebook does not appear to be" in log:
        detail = next((m for k, m in found if k == "NotebookValidationError"), "")
        return f"{where} is JSON but not a valid notebook ({detail[:200]}): ask the learner for the file again"
    if {"SchemaTooOldError", "SchemaTooNewError", "ValidationError"} & kinds:
        detail = next((m for k, m in found if k in ("SchemaTooOldError", "SchemaTooNewError", "ValidationError")
                       and "may be corrupted" not in m), "")
        return (f"the nbgrader metadata of a cell in {where} is damaged in a way the grader could not repair "
                f"({detail[:200] or 'see the log'}): compare its cells with the release notebook")
    if "OperationalError" in kinds:
        detail = next(m for k, m in found if k == "OperationalError")
        return (f"the gradebook database could not be reached ({detail[:200]}): is its server running? "
                f"(python -m autograder db start COURSE)")
    if kinds & {"DeadKernelError", "KernelDied"} or "Kernel died before replying" in log:
        return "the learner's kernel could not be started or died at once: see the log, then grade again"
    if found:
        kind, message = found[-1]
        return f"{kind}: {message}"[:300] if message else kind
    lines = [ln.strip() for ln in log.splitlines() if ln.strip() and not any(g in ln for g in _GENERIC)]
    return (lines[-1] if lines else "nbgrader failed without saying why")[:300]
