"""Accidents that must not zero a notebook: repaired against the release version, graded, and flagged.

Learners' notebooks go through copy-paste, duplicated cells, other editors and
old copies of the exercise. nbgrader checks a submission's nbgrader metadata
(grade ids, points, schema version) against the gradebook and refuses the whole
notebook when it does not fit: a learner who duplicated a graded cell scored 0
for the exercise, with an error message about an "outdated metadata format".
Here such a notebook is repaired, before nbgrader's own checks, against the
**release notebook** (what the learner was given), wherever the learner's code
is unambiguous:

* nbgrader metadata that lost its grade id, or is not metadata at all, is
  removed: the cell stays, as an ordinary cell;
* a cell whose grade id the release does not have is matched to the release
  cell it was renamed from (a copy suffix such as ``-Copy1``, the function it
  defines, or, for a locked cell, its unchanged source), when exactly one
  release cell fits; any other unknown grade id (a cell copied from another
  notebook, a "bonus" grade cell) loses its nbgrader metadata, so it can earn
  nothing, and its code still runs;
* metadata that differs from the release's (an old schema version, changed
  points, a solution cell made a test) is restored from the release;
* a graded or locked cell that appears several times keeps its grade id on one
  copy: for a solution cell, the one copy the learner edited (an unedited copy
  of the release stub, which would redefine the function as
  ``raise NotImplementedError``, is emptied); when several copies were edited,
  the last one, which is what running the notebook defines; for a locked
  cell, the last copy, as nbgrader does;
* a deleted hidden-tests cell is put back (:class:`OverwriteCells`, nbgrader's
  ``add_missing_cells`` made to place it right after the cell that preceded it in
  the release).

Nothing here can add credit: grade ids, points and hidden-tests cells come from
the release and the gradebook, never from the submission. Every repair is
logged as a warning by nbgrader and noted for the grading log and the class
report (:mod:`autograder.grade.events`). :func:`repair` is the pure part,
notebook in, repairs out; :class:`RepairSubmission` is its nbgrader preprocessor.
"""
from __future__ import annotations

import ast
import copy
import os
import re
from collections import Counter

import nbformat
from nbgrader import preprocessors as nbgrader_preprocessors
from nbgrader.preprocessors import NbGraderPreprocessor

from autograder.course import Course
from autograder.grade import events

#: What editors and file managers append to a copied cell's id ("-Copy1", "_copy", " (2)", "-1").
_COPY_SUFFIX = re.compile(r"(?:[-_ .]*copy[-_ .]*\d*|[-_ .]*\(\d+\)|[-_ .]\d+)+$", re.I)
_COPY_PREFIX = re.compile(r"^copy[-_ .]*(?:of[-_ .]*)?", re.I)
#: Cells of these kinds are identified by their grade id (nbgrader's rule).
_IDENTIFIED = ("grade", "solution", "locked")


def course_of(config) -> Course:
    """The course being graded: nbgrader's ``CourseDirectory.root`` (as nbgrader, the working directory by default)."""
    root = config.CourseDirectory.get("root") if "CourseDirectory" in config else None
    return Course(root or os.getcwd())


def reference_notebook(config, assignment: str, notebook: str):
    """The release version of ``notebook`` in ``assignment``, or ``None`` when the course has none."""
    path = course_of(config).root / "release" / assignment / f"{notebook}.ipynb"
    return nbformat.read(path, as_version=4) if path.is_file() else None


def _meta(cell):
    return cell.metadata.get("nbgrader")


def _grade_id(cell) -> str | None:
    meta = _meta(cell)
    grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
    return grade_id if isinstance(grade_id, str) and grade_id else None


def _identified(meta) -> bool:
    return isinstance(meta, dict) and any(meta.get(key) for key in _IDENTIFIED)


def _same_source(a: str, b: str) -> bool:
    """Equal but for trailing white space (editors strip or add it)."""
    def lines(text):
        return [line.rstrip() for line in text.strip().splitlines()]
    return lines(a) == lines(b)


def _defined(source: str) -> set[str]:
    """Names of the functions a cell defines at its top level (none when it does not parse)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return set()
    return {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}


def _uncopied(grade_id: str) -> str:
    """``relu_forward_solution-Copy1`` -> ``relu_forward_solution``."""
    return _COPY_SUFFIX.sub("", _COPY_PREFIX.sub("", grade_id.strip()))


def _renamed_from(cell, grade_id: str, ref) -> bool:
    """Whether the cell with unknown ``grade_id`` can be the release cell ``ref`` under another name."""
    if cell.cell_type != ref.cell_type:
        return False
    ref_meta = _meta(ref)
    if _uncopied(grade_id) == ref_meta["grade_id"]:
        return True
    if ref_meta.get("solution"):
        wanted = _defined(ref.source)
        return bool(wanted) and wanted <= _defined(cell.source)
    return bool(ref_meta.get("locked")) and _same_source(cell.source, ref.source)


def _what(meta) -> str:
    if meta.get("grade") and not meta.get("solution"):
        return "hidden-tests cell" if meta.get("locked") else "grade cell"
    if meta.get("solution"):
        return "solution cell"
    return "read-only cell" if meta.get("locked") else "cell"


def _differences(meta, ref_meta) -> list[str]:
    keys = ("schema_version", "grade", "solution", "locked", "points", "cell_type", "task")
    if not isinstance(meta, dict):
        return ["not a metadata record"]
    return [f"{key} {meta.get(key)!r} instead of {ref_meta.get(key)!r}" for key in keys
            if meta.get(key) != ref_meta.get(key)]


def repair(nb, reference) -> list[str]:
    """Repair the nbgrader metadata of the submission ``nb`` in place against its ``reference`` (release) notebook.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The learner's notebook, as submitted.
    reference : nbformat.NotebookNode
        The release notebook it was made from.

    Returns
    -------
    list of str
        One sentence per repair, for the instructor (empty when nothing was wrong).
    """
    refs = {_grade_id(c): c for c in reference.cells if _grade_id(c)}
    fixes: list[str] = []

    # 1. Metadata that cannot identify its cell: the cell stays, as an ordinary one.
    for cell in nb.cells:
        meta = _meta(cell)
        if meta is not None and _grade_id(cell) is None:
            del cell.metadata["nbgrader"]
            if _identified(meta) or not isinstance(meta, dict):
                fixes.append(f"a {cell.cell_type} cell had nbgrader metadata without a grade id: it was kept as an "
                             f"ordinary cell (it can earn no points)")

    # 2. Unknown grade ids: renamed release cells where exactly one release cell fits, else ordinary cells.
    present = {_grade_id(c) for c in nb.cells if _grade_id(c) in refs}
    missing = [gid for gid in refs if gid not in present]
    unknown = [i for i, c in enumerate(nb.cells) if _grade_id(c) and _grade_id(c) not in refs]
    fits = {i: [gid for gid in missing if _renamed_from(nb.cells[i], _grade_id(nb.cells[i]), refs[gid])]
            for i in unknown}
    claimed = Counter(gid for candidates in fits.values() for gid in candidates)
    for i in unknown:
        cell = nb.cells[i]
        old, meta = _grade_id(cell), _meta(cell)
        if len(fits[i]) == 1 and claimed[fits[i][0]] == 1:
            gid = fits[i][0]
            cell.metadata["nbgrader"] = copy.deepcopy(_meta(refs[gid]))
            fixes.append(f"the {_what(_meta(refs[gid]))} '{gid}' had been renamed '{old}': its grade id was restored")
        else:
            del cell.metadata["nbgrader"]
            if _identified(meta):
                points = f", {meta['points']:g} points claimed" if isinstance(meta.get("points"), (int, float)) \
                    and meta.get("grade") else ""
                why = "several release cells fit it" if fits[i] else "the release has no such cell"
                fixes.append(f"a {_what(meta)} with the unknown grade id '{old}' ({why}{points}) was kept as an "
                             f"ordinary cell: it earns nothing, its code still runs")

    # 3. Known grade ids whose metadata changed: restored from the release.
    for cell in nb.cells:
        gid = _grade_id(cell)
        if gid in refs and _meta(cell) != _meta(refs[gid]):
            changed = _differences(_meta(cell), _meta(refs[gid]))
            cell.metadata["nbgrader"] = copy.deepcopy(_meta(refs[gid]))
            if changed:
                fixes.append(f"the nbgrader metadata of '{gid}' had changed ({'; '.join(changed)}): restored "
                             f"from the release")

    # 4. Cells that appear more than once: one copy keeps the grade id.
    copies: dict[str, list[int]] = {}
    for i, cell in enumerate(nb.cells):
        gid = _grade_id(cell)
        if gid in refs and _identified(_meta(cell)):
            copies.setdefault(gid, []).append(i)
    for gid, where in copies.items():
        if len(where) < 2:
            continue
        ref = refs[gid]
        note = ""
        if _meta(ref).get("solution"):
            edited = [i for i in where if not _same_source(nb.cells[i].source, ref.source)]
            keep = edited[-1] if edited else where[-1]
            distinct = {nb.cells[i].source.strip() for i in edited}
            if len(distinct) > 1:
                note = (f"; {len(distinct)} copies hold different code: the last one, which running the notebook "
                        f"defines, is graded")
            stubs = [i for i in where if i not in edited] if edited else []
            for i in stubs:  # run after the learner's code, a stub would undo it
                nb.cells[i].source = f"# An unedited copy of the cell '{gid}' was here: emptied by the grader."
        else:
            keep = where[-1]
        for i in where:
            if i != keep:
                del nb.cells[i].metadata["nbgrader"]
        fixes.append(f"the {_what(_meta(ref))} '{gid}' appeared {len(where)} times: it is graded once, in the copy "
                     f"at cell {keep + 1}; the others are ordinary cells{note}")
    return fixes


class RepairSubmission(NbGraderPreprocessor):
    """Repair a submission's nbgrader metadata against the release notebook (nbgrader's sanitizing step, first)."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        reference = reference_notebook(self.config, info["assignment"], info["notebook"])
        if reference is None:
            return nb, resources
        for fix in repair(nb, reference):
            self.log.warning("Repaired: %s", fix)
            events.note(events.REPAIRED, fix)
        return nb, resources


class OverwriteCells(nbgrader_preprocessors.OverwriteCells):
    """nbgrader's ``OverwriteCells``, putting a deleted grade cell back where the release has it.

    nbgrader 0.9.6's ``add_missing_cells`` inserts a missing grade cell after
    the previous *source* cell, looked up among the submission's grade and
    solution cells only: in a notebook whose other cells are locked (ours: the
    visible checks before each hidden-tests cell) that lookup fails with a
    ``KeyError``, and the notebook is not graded at all. Here the cell goes
    right after the nearest cell that precedes it in the release notebook and
    is present in the submission (any nbgrader cell, in the release's order).
    """

    def add_missing_grade_cells(self, nb, resources):
        reference = reference_notebook(self.config, self.assignment_id, self.notebook_id)
        if reference is None:
            return super().add_missing_grade_cells(nb, resources)
        source_nb = self.gradebook.find_notebook(self.notebook_id, self.assignment_id)
        sources = {cell.name: cell for cell in source_nb.source_cells}
        solutions = {cell.name for cell in source_nb.solution_cells}
        order = [gid for gid in map(_grade_id, reference.cells) if gid]
        for grade_cell in source_nb.grade_cells:
            gid = grade_cell.name
            present = {_grade_id(c): i for i, c in enumerate(nb.cells) if _grade_id(c)}
            if gid in present:
                continue
            before = order[:order.index(gid)] if gid in order else []
            anchor = next((present[prev] for prev in reversed(before) if prev in present), -1)
            cell = self.missing_cell_transform(sources[gid], grade_cell.max_score, is_solution=gid in solutions)
            nb.cells.insert(anchor + 1, cell)
            message = f"the {_what(cell.metadata['nbgrader'])} '{gid}' had been deleted: it was put back"
            self.log.warning("Repaired: %s", message)
            events.note(events.REPAIRED, message)
        return nb, resources

    def add_missing_task_cells(self, nb, resources):
        """nbgrader's, without its ``KeyError`` on a cell whose grade id it has just removed.

        ``OverwriteCells`` deletes the grade id of every cell the gradebook does
        not know (an editable cell such as our experiments), then nbgrader
        0.9.6 reads every cell's grade id here. Missing task cells go at the
        end, as nbgrader puts them.
        """
        source_nb = self.gradebook.find_notebook(self.notebook_id, self.assignment_id)
        sources = {cell.name: cell for cell in source_nb.source_cells}
        present = {_grade_id(c) for c in nb.cells}
        for task_cell in source_nb.task_cells:
            if task_cell.name not in present:
                nb.cells.append(self.missing_cell_transform(sources[task_cell.name], task_cell.max_score,
                                                            is_task=True))
        return nb, resources

