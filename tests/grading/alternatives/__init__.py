"""Correct implementations that differ from the answer module, one module per chapter slug.

Each module defines ``ALTERNATIVES``: a dict from a graded function's
qualified name to a list of plain functions with that function's signature,
each a right answer written differently from ours (explicit loops, another
formula, float64 computation cast back, harmless warnings or prints, other
random draws, ...), said in its docstring. Every one must get full marks.

A module may also define ``SPEC_BUGS``: ``{alternative: reason}`` for right
answers the hidden tests wrongly reject. The suite marks them
``xfail(strict=True)``: the bug stays visible, and the test turns red once
the spec is fixed (then remove the entry).
"""
from autograder.course import chapter_module


def load(slug: str):
    """The alternatives module of a chapter (``grading.alternatives.<slug>``), or None if the chapter has none yet."""
    return chapter_module(__name__, slug)


def registry(slug: str) -> dict:
    """``{qualname: [function, ...]}`` of a chapter (empty if it has no module)."""
    module = load(slug)
    return dict(module.ALTERNATIVES) if module is not None else {}
