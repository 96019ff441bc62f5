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
import copy
import functools
import importlib

import numpy as np


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


# -- mistakes of precision, the same for every graded function ---------------------------------

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
    reference = _reference(qualname)
    fn = functools.wraps(reference)(fn)
    fn.__name__ = fn.__qualname__ = f"{reference.__name__}_{suffix}"
    fn.__module__ = module
    fn.__doc__ = doc
    return fn


def _reference(qualname):
    from autograder.judge.verdict import reference_function
    return reference_function(qualname)


def computed_in_float32(qualname: str, module: str):
    """The mistake ``x = x.astype(np.float32)`` ... ``out.astype(x_dtype)``: float64 results, float32 precision.

    Every float64 array argument is cast to float32, the reference runs on
    that, and each result is cast back to the dtype (or Python ``float``) the
    reference gives on the real arguments: the types are right, the last
    nine digits are noise.
    """
    reference = _reference(qualname)

    def mutant(*args, **kwargs):
        model = reference(*copy.deepcopy(args), **copy.deepcopy(kwargs))
        return _like(reference(*_cast(args, np.float64, np.float32), **_cast(kwargs, np.float64, np.float32)), model)

    return _named(mutant, qualname, module, "computed_in_float32",
                  "Computes in float32 whatever the input (``x.astype(np.float32)``), casts the result back: "
                  "float64 results carry float32 rounding.")


def float64_output(qualname: str, module: str):
    """The mistake ``x = np.asarray(x, dtype=float)``: float32 in gives float64 out."""
    reference = _reference(qualname)

    def mutant(*args, **kwargs):
        return reference(*_cast(args, np.float32, np.float64), **_cast(kwargs, np.float32, np.float64))

    return _named(mutant, qualname, module, "float64_output",
                  "Converts every float32 input to float64 first (``np.asarray(x, dtype=float)``): "
                  "float32 in gives float64 out.")
