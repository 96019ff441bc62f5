"""Known mistakes: plausible wrong implementations of every graded function, named and explained for learners.

One module per chapter slug (``catalogue/<slug>.py``). Each wrong
implementation is a plain function with the graded function's signature,
registered with :func:`mistake`::

    @mistake("activations.sigmoid_forward", "minus-x",
             name="σ(−x) instead of σ(x)",
             explain="The sign in the exponent is flipped, ...",
             see="sigmoid")
    def sigmoid_of_minus_x(x):
        ...  # its docstring: what the code does wrong, for maintainers

Its docstring says, for maintainers, what the code does wrong; ``name`` and
``explain`` say it to learners, in words and without code; ``see`` is the book
section that teaches the point (``"<anchor>"`` on the chapter's own page, or
``"<page>#<anchor>"``; default: the function's section). Each chapter module
also holds

* ``SECTIONS``: ``{function: anchor}``, the section that teaches each graded
  function, linked from every failure of it;
* ``ALIKE``: pairs of entries (``"<function>/<key>"``) that give the same
  outcomes on every hidden case, so the grader names them together.

``tests/grading/test_catalogue.py`` checks every link target against the
book and every text for code.

One catalogue, read by

* the grader: :mod:`autograder.judge.diagnosis` runs a failing function's
  entries on the learner's hidden inputs and names the one the learner's
  results match;
* the suites: ``tests/grading/test_mutants.py`` (the hidden tests take every
  entry's points, and grading an entry diagnoses it),
  ``tests/grading/test_determinism.py`` (each function's float32 shortcut).

The code is secret like the answer module (a mistake is one edit away from the
answer): the leak scanner fingerprints it. The words are public.
"""
from __future__ import annotations

import copy
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from autograder.course import chapter_module, chapters, site_url
from autograder.judge.specs import reference_function

#: What a key may look like (the part of an id after the function's name).
KEY = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


@dataclass(frozen=True)
class Mistake:
    """One known mistake of one graded function.

    Attributes
    ----------
    qualname : str
        The graded function, ``"<chapter>.<function>"``.
    key : str
        Stable name of the mistake among its function's (``"minus-x"``).
    function : callable
        The wrong implementation, with the graded function's signature.
    name : str
        What the learner reads after "This looks like a known mistake:".
    explanation : str
        One or two sentences for the learner: what goes wrong and why, no code.
    see : str
        Book section that teaches the point (``"<page>#<anchor>"``), or ``""``
        for the function's own section (:func:`section`).
    float32_shortcut : bool
        This entry is its function's float32 shortcut (a float64 result
        computed in float32): ``test_determinism.py`` grades it for 40 students.
    precision : {"spec", "float32"}
        Tolerances for "the learner's results match this entry's": the spec's
        own, or its float32 ones (two float32 computations differ by float32
        rounding). With ``"float32"``, the learner's float64 values must also
        carry float32 precision wherever the entry's do.
    not_caught : str
        Why the hidden tests miss this entry, if they do (a known gap:
        the mutant suite marks it ``xfail(strict=True)``).
    """

    qualname: str
    key: str
    function: Callable
    name: str
    explanation: str
    see: str = ""
    float32_shortcut: bool = False
    precision: str = "spec"
    not_caught: str = ""

    @property
    def id(self) -> str:
        """``"<chapter>.<function>/<key>"``: unique in the course, stable across releases (the CSV's diagnosis)."""
        return f"{self.qualname}/{self.key}"

    @property
    def target(self) -> str:
        """``"<page>#<anchor>"`` of the section the feedback links to."""
        return resolve(self.see, self.qualname) if self.see else section(self.qualname)

    @property
    def url(self) -> str:
        return url(self.target)


_REGISTRY: dict[str, list[Mistake]] = {}


def mistake(qualnames: str | tuple[str, ...], key: str, *, name: str, explain: str, see: str = "", **options):
    """Register the decorated wrong implementation as a known mistake of ``qualnames`` (one or several).

    A function shared by two graded functions (two backward passes with the
    same contract) gets one entry, and one id, per function.
    """
    def register(function):
        for qualname in (qualnames,) if isinstance(qualnames, str) else qualnames:
            add(Mistake(qualname, key, function, name, explain, see, **options))
        return function
    return register


def add(entry: Mistake) -> Mistake:
    """Register one entry; ids are unique."""
    if not KEY.fullmatch(entry.key):
        raise ValueError(f"{entry.qualname}: key {entry.key!r} is not lower-case words joined by '-'")
    listed = _REGISTRY.setdefault(entry.qualname, [])
    if any(e.key == entry.key for e in listed):
        raise ValueError(f"{entry.id} is registered twice")
    listed.append(entry)
    return entry


def load(slug: str):
    """The catalogue module of a chapter (registers its entries), or None if it has none."""
    return chapter_module(__name__, slug)


def entries(qualname: str) -> list[Mistake]:
    """The known mistakes of one graded function, in the catalogue's order."""
    load(qualname.partition(".")[0])
    return list(_REGISTRY.get(qualname, []))


def chapter(slug: str) -> dict[str, list[Mistake]]:
    """``{qualname: [Mistake, ...]}`` of a chapter (empty if it has no catalogue module)."""
    load(slug)
    return {q: list(found) for q, found in _REGISTRY.items() if q.partition(".")[0] == slug}


def all_entries() -> list[Mistake]:
    """Every entry of every chapter, in the course's order."""
    return [e for slug in chapters() for found in chapter(slug).values() for e in found]


def by_id(mistake_id: str) -> Mistake:
    qualname = mistake_id.partition("/")[0]
    for entry in entries(qualname):
        if entry.id == mistake_id:
            return entry
    raise KeyError(f"no known mistake {mistake_id}")


def alike(entry: Mistake) -> set[str]:
    """Ids of the entries declared to give ``entry``'s outcomes on every hidden case (``ALIKE`` of its chapter)."""
    slug = entry.qualname.partition(".")[0]
    found = set()
    for group in getattr(load(slug), "ALIKE", ()):
        ids = {f"{slug}.{member}" for member in group}
        if entry.id in ids:
            found |= ids - {entry.id}
    return found


def float32_shortcut(qualname: str) -> Mistake | None:
    """The entry that is ``qualname``'s float32 shortcut, if the catalogue holds one."""
    return next((e for e in entries(qualname) if e.float32_shortcut), None)


# -- where the book teaches it -------------------------------------------------------------

def resolve(target: str, qualname: str) -> str:
    """``"<page>#<anchor>"``: an anchor alone is on the chapter's own page."""
    return target if "#" in target else f"{qualname.partition('.')[0]}#{target}"


def section(qualname: str) -> str:
    """``"<page>#<anchor>"`` of the book section that teaches a graded function (``SECTIONS`` of its chapter)."""
    slug, _, name = qualname.partition(".")
    module = load(slug)
    target = getattr(module, "SECTIONS", {}).get(name)
    if target is None:
        raise KeyError(f"no section of the book is named for {qualname} (SECTIONS in {__name__}.{slug})")
    return resolve(target, qualname)


def url(target: str) -> str:
    """The published address of ``"<page>#<anchor>"`` (the book's pages live under ``book/``)."""
    page, _, anchor = target.partition("#")
    return f"{site_url()}/book/{page}.html" + (f"#{anchor}" if anchor else "")


# -- mistakes of precision, the same for every graded function ------------------------------

#: The course-wide rule the precision mistakes break.
RULES_SECTION = "how-to-use#rules"


def _cast(value, source, target):
    """``value`` with every array of dtype ``source`` (in tuples, lists and dicts too) cast to ``target``."""
    if isinstance(value, np.ndarray):
        return value.astype(target) if value.dtype == source else value
    if isinstance(value, tuple):
        items = [_cast(v, source, target) for v in value]
        return type(value)(*items) if hasattr(type(value), "_fields") else tuple(items)
    if isinstance(value, list):
        return [_cast(v, source, target) for v in value]
    if isinstance(value, dict):
        return {k: _cast(v, source, target) for k, v in value.items()}
    return value


def _like(value, model):
    """``value`` with the array dtypes and number types of ``model`` (a result of the same structure)."""
    if isinstance(model, np.ndarray) and isinstance(value, np.ndarray):
        return value.astype(model.dtype)
    if isinstance(model, tuple) and isinstance(value, tuple) and len(model) == len(value):
        items = [_like(v, m) for v, m in zip(value, model)]
        return type(value)(*items) if hasattr(type(value), "_fields") else tuple(items)
    if isinstance(model, dict) and isinstance(value, dict):
        return {k: _like(v, model.get(k)) for k, v in value.items()}
    if isinstance(model, float) and isinstance(value, (float, np.floating)):
        return float(value)
    return value


def _named(fn, qualname: str, module: str, suffix: str, doc: str):
    """Give the generated ``fn`` the graded signature, a name, a docstring and its chapter's module."""
    reference = reference_function(qualname)
    fn = functools.wraps(reference)(fn)
    fn.__name__ = fn.__qualname__ = f"{reference.__name__}_{suffix}"
    fn.__module__ = module
    fn.__doc__ = doc
    return fn


def float32_computation(qualname: str, module: str):
    """The implementation ``x = x.astype(np.float32)`` ... ``out.astype(x_dtype)``: float64 results, float32 precision.

    Every float64 array argument is cast to float32, the reference runs on
    that, and each result is cast back to the dtype (or Python ``float``) the
    reference gives on the real arguments: the types are right, the last
    nine digits are noise. A mistake for most functions
    (:func:`computed_in_float32`), accepted for a few (the spec's
    ``float32_shortcut``).
    """
    reference = reference_function(qualname)

    def shortcut(*args, **kwargs):
        model = reference(*copy.deepcopy(args), **copy.deepcopy(kwargs))
        return _like(reference(*_cast(args, np.float64, np.float32), **_cast(kwargs, np.float64, np.float32)), model)

    return _named(shortcut, qualname, module, "computed_in_float32",
                  "Computes in float32 whatever the input (``x.astype(np.float32)``), casts the result back: "
                  "float64 results carry float32 rounding.")


def as_float(x) -> np.ndarray:
    """``x`` as an array, integers converted to float64 (floating dtypes kept): how the functions read input."""
    x = np.asarray(x)
    return x if np.issubdtype(x.dtype, np.floating) else x.astype(np.float64)


def computed_in_float32(qualname: str, module: str) -> Mistake:
    """Register :func:`float32_computation` as a known mistake of ``qualname`` (its float32 shortcut)."""
    return add(Mistake(
        qualname, "computed-in-float32", float32_computation(qualname, module),
        name="float64 results with float32 precision",
        explanation="Your float64 results are right to about seven significant digits only: somewhere the "
                    "computation goes through float32 and back. Keep float64 input in float64 from start to end, "
                    "so that the results keep their sixteen digits.",
        see=RULES_SECTION, float32_shortcut=True, precision="float32"))


def float64_output(qualname: str, module: str) -> Mistake:
    """Register the mistake ``x = np.asarray(x, dtype=float)`` (float32 in gives float64 out) for ``qualname``."""
    reference = reference_function(qualname)

    def promoted(*args, **kwargs):
        return reference(*_cast(args, np.float32, np.float64), **_cast(kwargs, np.float32, np.float64))

    function = _named(promoted, qualname, module, "float64_output",
                      "Converts every float32 input to float64 first (``np.asarray(x, dtype=float)``): "
                      "float32 in gives float64 out.")
    return add(Mistake(
        qualname, "float64-output", function,
        name="float32 in, float64 out",
        explanation="For float32 input your results come back as float64, although the values are right: a "
                    "conversion to float64, or a float64 constant or array mixed in, promotes the whole "
                    "computation. float32 in must give float32 out.",
        see=RULES_SECTION))
