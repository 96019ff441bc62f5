"""An exercise template, parsed once: what it grades, for how many points, under which grade ids.

An exercise template (``exercises/src/<slug>.md``) is a MyST Markdown notebook
whose code cells may start with one directive line:

``# solution: <module>.<function>``
    The function's signature and docstring come from the answer module; its
    body is the solution (nbgrader's solution cell, grade id
    ``<function>_solution``).
``# tests: <module>.<function> points=<n>``
    The hidden tests of that function, worth ``n`` points (nbgrader's grade
    cell, grade id ``<function>_tests``).
``# given: <module>.<name> [<module>.<name> ...]``
    Public definitions the learner receives (cache ``NamedTuple`` classes,
    helpers), copied from the answer module.
``# include: <module>``
    The source of a public ``coursekit`` module.

This module is the grammar's only reader: building the notebooks
(:mod:`autograder.build`), grading (:mod:`autograder.grade`), the leak scanner,
the exports, the book's Exercise boxes and the tests all ask it. It imports
nothing of the answer module.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import jupytext

from autograder.course import TEMPLATES, chapters

_DIRECTIVE = re.compile(r"^#\s*(solution|tests|given|include):\s*(.+?)\s*$")
_TESTS = re.compile(r"(\S+)\s+points=(\d+(?:\.\d+)?)")
SOLUTION_SUFFIX, TESTS_SUFFIX = "_solution", "_tests"


class TemplateError(ValueError):
    """A template that breaks the grammar, or asks for something the answer module cannot provide."""


@dataclass(frozen=True)
class Graded:
    """One graded function of an exercise."""

    qualname: str  # "<module>.<function>" in the answer module, e.g. "activations.relu_forward"
    points: float

    @property
    def name(self) -> str:
        return self.qualname.rpartition(".")[2]

    @property
    def solution_id(self) -> str:
        """nbgrader grade id of the cell where the learner writes the function."""
        return solution_id(self.qualname)

    @property
    def tests_id(self) -> str:
        """nbgrader grade id of the function's hidden-tests cell."""
        return tests_id(self.qualname)


def solution_id(qualname: str) -> str:
    """Grade id of the solution cell of ``<module>.<function>`` (``relu_forward_solution``)."""
    return qualname.rpartition(".")[2] + SOLUTION_SUFFIX


def tests_id(qualname: str) -> str:
    """Grade id of the hidden-tests cell of ``<module>.<function>`` (``relu_forward_tests``)."""
    return qualname.rpartition(".")[2] + TESTS_SUFFIX


def function_of(grade_id: str) -> str:
    """The function a grade id belongs to (``relu_forward_tests`` -> ``relu_forward``)."""
    return grade_id.removesuffix(TESTS_SUFFIX).removesuffix(SOLUTION_SUFFIX)


def directive(cell) -> tuple[str, str] | tuple[None, None]:
    """``(kind, argument)`` of a template cell's directive line, or ``(None, None)``."""
    if cell.cell_type != "code":
        return None, None
    match = _DIRECTIVE.match(cell.source.split("\n", 1)[0])
    return (match.group(1), match.group(2)) if match else (None, None)


def parse_tests(argument: str) -> Graded:
    match = _TESTS.fullmatch(argument)
    if not match:
        raise TemplateError(f"'# tests: {argument}': expected '<module>.<function> points=<n>'")
    return Graded(match.group(1), float(match.group(2)))


@dataclass(frozen=True)
class Exercise:
    """One exercise template, with its cells and what its directives say."""

    slug: str
    path: Path
    notebook: object  # the template as an nbformat notebook (jupytext)
    graded: tuple[Graded, ...]
    given: tuple[str, ...]      # qualnames handed to learners
    includes: tuple[str, ...]   # coursekit modules pasted in

    @classmethod
    def from_path(cls, path: Path) -> Exercise:
        notebook = jupytext.read(path)
        graded, given, includes = [], [], []
        for cell in notebook.cells:
            kind, argument = directive(cell)
            if kind == "tests":
                graded.append(parse_tests(argument))
            elif kind == "given":
                given += argument.split()
            elif kind == "include":
                includes.append(argument)
        names = [g.name for g in graded]
        if len(set(names)) != len(names):
            raise TemplateError(f"{path.name}: a function is graded twice")
        return cls(path.stem, Path(path), notebook, tuple(graded), tuple(given), tuple(includes))

    @property
    def points(self) -> float:
        return sum(g.points for g in self.graded)

    def points_by_function(self) -> dict[str, float]:
        """``{qualname: points}`` of the graded functions, in the template's order."""
        return {g.qualname: g.points for g in self.graded}

    def by_tests_id(self, grade_id: str) -> Graded | None:
        """The graded function whose hidden-tests cell has this grade id."""
        return next((g for g in self.graded if g.tests_id == grade_id), None)


@functools.cache
def _load(path: Path, mtime: float) -> Exercise:
    return Exercise.from_path(path)


def load(slug: str, templates: Path = TEMPLATES) -> Exercise:
    """The exercise ``slug`` (parsed once per process, again when its file changes)."""
    path = templates / f"{slug}.md"
    if not path.is_file():
        raise TemplateError(f"no exercise template {path}")
    return _load(path, path.stat().st_mtime)


def all_exercises() -> list[Exercise]:
    """Every exercise, in the course's order."""
    return [load(slug) for slug in chapters()]
