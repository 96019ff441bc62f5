"""What the hidden tests try, per graded function: input cases and tolerances.

Each chapter has a module here named after its slug. A spec is registered with
:func:`hidden` on a generator that yields :class:`Case` objects drawn from the
``rng`` it is given::

    @hidden("activations.relu_forward", rtol=1e-12, atol=0.0)
    def _(rng):
        yield Case("matrix with exact zeros", (with_zeros(rng, (6, 5)),))

Tolerances are part of the documented grading contract (the instructor guide
prints them): ``rtol``/``atol`` apply to float64 results, ``rtol32``/``atol32``
to results whose reference is float32.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Callable, Iterator

import numpy as np


@dataclass
class Case:
    """One hidden input: a label for the feedback, and the call's arguments."""

    label: str
    args: tuple
    kwargs: dict = field(default_factory=dict)


@dataclass
class Spec:
    """How one graded function is tested."""

    qualname: str
    cases: Callable[[np.random.Generator], Iterator[Case]]
    rtol: float = 1e-7
    atol: float = 1e-10
    rtol32: float = 1e-4
    atol32: float = 1e-5
    check: Callable | None = None  # custom comparison (got, expected, rtol, atol) -> message or None
    why: str = ""

    def tolerance(self, expected) -> tuple[float, float]:
        """float32 tolerances when any array of the reference result is float32."""
        arrays = expected if isinstance(expected, tuple) else (expected,)
        if any(isinstance(a, np.ndarray) and a.dtype == np.float32 for a in arrays):
            return self.rtol32, self.atol32
        return self.rtol, self.atol


_REGISTRY: dict[str, Spec] = {}


def hidden(qualname: str, **options):
    """Register the decorated case generator as the hidden tests of ``qualname``."""
    def register(cases):
        _REGISTRY[qualname] = Spec(qualname, cases, **options)
        return cases
    return register


def get_spec(qualname: str) -> Spec:
    module = qualname.partition(".")[0]
    importlib.import_module(f"autograder.specs.{module}")
    try:
        return _REGISTRY[qualname]
    except KeyError:
        raise KeyError(f"no hidden tests are registered for {qualname}") from None


def all_specs() -> dict[str, Spec]:
    """Every registered spec, loading every chapter's module."""
    from autograder.course import chapters

    for chapter in chapters():
        try:
            importlib.import_module(f"autograder.specs.{chapter}")
        except ModuleNotFoundError as exc:
            if exc.name != f"autograder.specs.{chapter}":
                raise
    return dict(_REGISTRY)


# -- input makers shared by the chapters -----------------------------------------

def normal(rng, shape, scale=1.0, dtype=np.float64):
    return (scale * rng.standard_normal(shape)).astype(dtype)


def with_zeros(rng, shape, dtype=np.float64):
    """Normal values with about a third set to exactly 0 (kinks of ReLU and friends)."""
    x = rng.standard_normal(shape)
    x[rng.random(shape) < 1 / 3] = 0.0
    return x.astype(dtype)


def large(rng, shape, magnitude=1e4, dtype=np.float64):
    """Values spread up to ``±magnitude``, including both extremes."""
    x = rng.uniform(-magnitude, magnitude, shape)
    flat = x.reshape(-1)
    flat[0], flat[-1] = magnitude, -magnitude
    return x.astype(dtype)


def away_from(rng, shape, points=(0.0,), gap=1e-3, dtype=np.float64):
    """Normal values kept at least ``gap`` away from the kinks in ``points``."""
    x = rng.standard_normal(shape) * 2
    for p in points:
        close = np.abs(x - p) < gap
        x[close] = p + np.where(x[close] >= p, gap, -gap) * 2
    return x.astype(dtype)


def shapes(rng, count=3, ndim=2, low=1, high=9):
    """Random shapes, always including a single-row one."""
    out = [(1,) + tuple(int(s) for s in rng.integers(low, high, ndim - 1))] if ndim > 1 else [(1,)]
    out += [tuple(int(s) for s in rng.integers(low, high, ndim)) for _ in range(count - 1)]
    return out
