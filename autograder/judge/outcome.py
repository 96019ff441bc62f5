"""What one call of a function gave, as the grader knows it: a result or an exception, and the arguments it changed.

The learner's calls (decoded from the kernel's results bundle) and the
catalogue's known mistakes (run in the grader's process through the same
harness call) both come out as :class:`Outcome` objects, so the verdict and
the diagnosis read them the same way.
"""
from __future__ import annotations

from dataclasses import dataclass


class RaisedInKernel(Exception):
    """An exception the learner's function raised, known to the grader by name and message only."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


@dataclass
class Outcome:
    """One call: what it returned (or the :class:`RaisedInKernel` it raised) and the argument it changed.

    ``mutated`` is ``None`` or a description such as ``"dout (its values
    changed, first at index (0, 3))"``
    (:func:`autograder.judge.compare.changed_arguments`).
    """

    got: object
    mutated: str | None = None

    @property
    def raised(self) -> bool:
        return isinstance(self.got, BaseException)

    @property
    def kind(self) -> str:
        """The exception's type name (empty for a result)."""
        return getattr(self.got, "kind", type(self.got).__name__) if self.raised else ""

    @property
    def changed_argument(self) -> str | None:
        """The name of the argument the call changed (``"dout"``), without how it changed."""
        return self.mutated.split(" (", 1)[0] if self.mutated else None


def wrote_into_input(kind: str, message: str) -> bool:
    """NumPy's complaint about a write into (or unlocking of) a read-only input array."""
    return kind == "ValueError" and ("read-only" in message or "WRITEABLE" in message)
