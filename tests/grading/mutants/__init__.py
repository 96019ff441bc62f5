"""Plausible wrong implementations of the graded functions, one module per chapter slug.

Each module defines ``MUTANTS``: a dict from a graded function's qualified
name (``"activations.softmax_forward"``) to a list of plain functions with
that function's signature, each modelling one mistake learners make (said
in its docstring). The hidden tests must take every mutant's points, for
every student.

A module may also define ``NOT_CAUGHT``: ``{mutant: reason}`` for mutants the
hidden tests are known to miss (a gap in the specs). The suite marks them
``xfail(strict=True)`` so that the gap stays visible and the test turns red
once the spec catches them.
"""
import importlib


def load(slug: str):
    """The mutants module of a chapter (``grading.mutants.<slug>``), or None if the chapter has none yet."""
    name = f"{__name__}.{slug}"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        return None


def registry(slug: str) -> dict:
    """``{qualname: [function, ...]}`` of a chapter (empty if it has no module)."""
    module = load(slug)
    return dict(module.MUTANTS) if module is not None else {}
