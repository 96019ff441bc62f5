"""What the hidden tests try, per graded function: input cases and tolerances.

Each chapter has a module here named after its slug. A spec is registered with
:func:`hidden` on a generator that yields :class:`Case` objects drawn from the
``rng`` it is given::

    @hidden("activations.relu_forward", rtol=1e-12, atol=0.0)
    def _(rng):
        yield Case("matrix with exact zeros", (with_zeros(rng, (6, 5)),))

Tolerances are part of the documented grading contract (the instructor guide
prints them): ``rtol``/``atol`` apply to float64 results, ``rtol32``/``atol32``
to results whose reference is float32. So are the dtype rule (``dtype``), the
fields compared by meaning (``normalise``) and the verdict on a float64 result
computed in float32 (``float32_shortcut``), see :class:`Spec`.

Choosing float64 tolerances: a correct implementation differs from ours by
float64 rounding (1e-16 per operation, at most about 1e-12 after the
cancellations of our cases), a float32 computation by float32 rounding (6e-8
per operation). The defaults, ``rtol=1e-10, atol=1e-13``, sit between the two,
orders of magnitude from each, so both verdicts are the same for every
student; a spec that needs looser ones says why, and
``tests/grading/test_determinism.py`` checks the verdicts with 40 students.
"""
from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Category:
    """A kind of hidden case, named in the feedback when a function fails such cases and no known mistake matches.

    Attributes
    ----------
    key : str
        Stable identifier (``"float32"``), used in the graded notebook's record.
    name : str
        What the learner reads ("float32 input").
    explanation : str
        One sentence on what such cases probe, in plain words, no code.
    section : str
        ``"<page>#<anchor>"`` of the book when one course-wide section teaches
        the point (the rules of every notebook); empty: the function's own section.
    pattern : str
        Regular expression on a case's label (case-insensitive) that puts the case
        in this category; a case can be in several.
    """

    key: str
    name: str
    explanation: str
    pattern: str
    section: str = ""


#: The kinds of hidden case, most specific first (the feedback orders kinds that fail as often in this order).
CATEGORIES = {c.key: c for c in [
    Category("zeros", "exact zeros at a kink",
             "Inputs exactly at a kink or threshold (an input of exactly 0, a margin of exactly 0), "
             "where the docstring says which side's rule applies.",
             r"exact(ly)? (zero|0)|signed zeros|at the kink|exactly 0|of zeros"),
    Category("ties", "ties",
             "Tied values: equal scores in a row, a maximum reached twice, integer-valued scores.",
             r"\bties?\b|all scores equal|equal scores|reached twice|integer-valued scores"),
    Category("large", "very large values",
             "Large magnitudes (up to ±10⁴, or an offset of 10⁶), where a formula that is right on paper can "
             "overflow to inf or NaN, or lose all its significant digits.",
             r"±1e4|±1e3|±800|1e6|\blarge\b|~100"),
    Category("float32", "float32 input",
             "float32 input must give float32 results, computed so that float32's seven significant digits suffice.",
             r"float32", "how-to-use#rules"),
    Category("integer", "integer, boolean or list input",
             "Input that is not a floating-point array (integers, booleans, a Python list or number), which the "
             "docstring says how to treat.",
             r"integer|int32|boolean|python list|single number|feature_range = \(\d+, \d+\)"),
    Category("degenerate", "constant or degenerate data",
             "Degenerate data: constant features, zero variance, tiny but real spreads, classes no line "
             "separates, nothing to learn, a parameter that did not move.",
             r"constant|variance 0|zero variance|spread|nothing to learn|unchanged|low == high|narrow range|"
             r"not separable|small margin|moved \(inf\)"),
    Category("state", "state from an earlier step",
             "Values handed in from an earlier step: a cache, fitted parameters, running statistics, "
             "evaluation mode or prediction mode.",
             r"cache|parameters fitted|parameters with|the training data itself|running statistics|"
             r"evaluation mode|prediction mode|another order|float64 parameters"),
    Category("parameter", "other parameter values",
             "Optional arguments across their whole range, including their ends (a slope or momentum of 0, "
             "an eps of 1, another axis, mode or nonlinearity).",
             r"alpha|beta|margin|\beps\b|momentum|mode|nonlinearity|feature_range|n_components|\bG =|\blr\b|"
             r"axis|slope|gain|method=|reg=|max_epochs|activation not|\ba = |two classes|'\w+'"),
    Category("shape", "other shapes",
             "Other shapes than a plain matrix: a single row or sample, 1-D vectors, 3-D and 4-D arrays, "
             "convolution kernels, one feature, many units.",
             r"1-D|3-D|4-D|single|\bone (unit|input|row|sample|feature)|\(N, C\)|convolution|kernel|layer of|"
             r"fewer samples|\d+ layers?|\d+-layer|size=|size \(|values on|units|features\)|samples\)"),
    Category("typical", "ordinary inputs",
             "Ordinary random inputs of the usual shapes: the function is wrong in general, not only at an edge.",
             r"of shape|random|default|truth table|separable|input$|data$|scores$|two features|batch of|"
             r"soft targets|perfectly classified|affine layers?"),
]}


@dataclass
class Case:
    """One hidden input: a label for the feedback, the call's arguments, and the kinds of case it is.

    ``category`` names the case's :data:`CATEGORIES` explicitly; by default
    they come from the label (each category's ``pattern``).
    """

    label: str
    args: tuple
    kwargs: dict = field(default_factory=dict)
    category: tuple[str, ...] = ()

    @property
    def categories(self) -> tuple[str, ...]:
        """Keys of the case's categories, in the order of :data:`CATEGORIES`."""
        if self.category:
            return tuple(key for key in CATEGORIES if key in self.category)
        return categories_of(self.label)


def categories_of(label: str) -> tuple[str, ...]:
    """The categories whose pattern matches ``label`` (empty when none does: a spec to fix)."""
    return tuple(key for key, c in CATEGORIES.items() if re.search(c.pattern, label, re.I))


@dataclass
class Spec:
    """How one graded function is tested.

    Attributes
    ----------
    qualname : str
        ``"<module>.<function>"`` in the answer module.
    cases : callable
        ``rng -> iterator of Case``: the hidden inputs of one student.
    rtol, atol : float
        Tolerances for results whose arrays are all float64 (or numbers).
    rtol32, atol32 : float
        Tolerances when any array of the reference result is float32.
    dtype : {"exact", "kind", "value"}
        How strictly result types are judged (:data:`autograder.judge.compare.DTYPE_RULES`).
    normalise : dict
        ``{"<NamedTuple class>.<field>": rule}``: fields whose equal meanings
        have several spellings, made canonical before comparing (see
        :func:`autograder.judge.compare.normalised`), e.g. an axis as ``-1`` or ``1``.
    float32_shortcut : {"caught", "accepted"}
        The verdict, the same for every student, on a float64 result computed
        in float32 and cast back to float64: "caught" when the float64
        tolerances are far below float32 rounding on at least one case of every
        student, "accepted" when float32 rounding cannot change the result
        (exact 0/1 outputs, statistics, a custom check that tolerates it).
        ``tests/grading/test_determinism.py`` holds each spec to its word.
    check : callable, optional
        Custom comparison ``(got, expected, rtol, atol) -> message or None``.
    why : str
        One line for the instructor guide's table.
    """

    qualname: str
    cases: Callable[[np.random.Generator], Iterator[Case]]
    rtol: float = 1e-10
    atol: float = 1e-13
    rtol32: float = 1e-4
    atol32: float = 1e-5
    dtype: str = "exact"
    normalise: dict = field(default_factory=dict)
    float32_shortcut: str = "caught"
    check: Callable | None = None  # custom comparison (got, expected, rtol, atol) -> message or None
    why: str = ""

    def tolerance(self, expected) -> tuple[float, float]:
        """float32 tolerances when any array of the reference result (at any depth) is float32."""
        return (self.rtol32, self.atol32) if _has_float32(expected) else (self.rtol, self.atol)


def _has_float32(value) -> bool:
    if isinstance(value, np.ndarray):
        return value.dtype == np.float32
    if isinstance(value, (tuple, list)):
        return any(_has_float32(v) for v in value)
    if isinstance(value, dict):
        return any(_has_float32(v) for v in value.values())
    return False


def same_axis(array_field: str):
    """A :attr:`Spec.normalise` rule for an axis stored next to an array: ``-1`` and ``ndim - 1`` are one axis."""
    def rule(axis, reference):
        ndim = np.ndim(getattr(reference, array_field))
        if isinstance(axis, (int, np.integer)) and not isinstance(axis, (bool, np.bool_)) and -ndim <= axis < ndim:
            return int(axis) % ndim
        return axis
    return rule


_REGISTRY: dict[str, Spec] = {}


def hidden(qualname: str, **options):
    """Register the decorated case generator as the hidden tests of ``qualname``.

    A function is registered once: a second registration raises, so that no
    later registration silently replaces the tolerances a maintainer edits.
    """
    def register(cases):
        if qualname in _REGISTRY:
            raise ValueError(f"hidden tests of {qualname} are registered twice")
        _REGISTRY[qualname] = Spec(qualname, cases, **options)
        return cases
    return register


def reference_function(qualname: str):
    """The answer module's implementation of a graded function (``"activations.relu_forward"``)."""
    module_name, _, name = qualname.rpartition(".")
    return getattr(importlib.import_module(f"solutions.{module_name}"), name)


def get_spec(qualname: str) -> Spec:
    module = qualname.partition(".")[0]
    importlib.import_module(f"autograder.judge.specs.{module}")
    try:
        return _REGISTRY[qualname]
    except KeyError:
        raise KeyError(f"no hidden tests are registered for {qualname}") from None


def all_specs() -> dict[str, Spec]:
    """Every registered spec, loading every chapter's module."""
    from autograder.course import chapter_module, chapters

    for chapter in chapters():
        chapter_module(__name__, chapter)
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
