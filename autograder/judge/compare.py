"""How a learner's value differs from the reference's, in words: :func:`compare` and :func:`changed_arguments`.

Both are pure functions of two values (no answer module, no spec), so they
can judge outputs and arguments wherever they come from: decoded from a
kernel's results bundle, or from an in-process call in the grader's tests.

What :func:`compare` judges (the contract the docstrings and the README state):

* **values**, within tolerances;
* **types**: an array has the shape and, by the ``dtype`` rule, the dtype of
  the reference's (float32 in gives float32 out; 0.0/1.0 are not
  ``True``/``False``; an integer result is an integer); a ``NamedTuple``
  comes back as one, with the same fields. Caches are private to their
  backward pass: their fields are compared by value, and a spec may say how
  to make equal meanings equal (:func:`normalised`: an axis ``-1`` is axis
  ``1`` of a 2-D array).

:func:`changed_arguments` finds a call's change to any argument (an array, a
tuple, a list or a dict, at any depth).
"""
from __future__ import annotations

import numpy as np

from autograder.i18n import N_
from autograder.judge.codec import Invalid

#: How strictly :func:`compare` judges the type of a numeric result.
#:
#: ``"exact"``: an array has the reference's dtype when it is floating
#: (float32 in gives float32 out), an integer dtype when the reference's is
#: integer, ``bool`` when the reference's is; a number is a number, an integer
#: an integer, a flag a ``bool``. ``"kind"``: floating, integer and boolean
#: must match, the precision may differ. ``"value"``: any numbers with the
#: right values (used inside caches, which only their own backward pass reads).
DTYPE_RULES = ("exact", "kind", "value")


def _describe(value) -> str:
    if isinstance(value, np.ndarray):
        return N_(f"an array of shape {value.shape} and dtype {value.dtype}")
    if isinstance(value, (bool, np.bool_)):
        return N_(f"the bool {bool(value)}")
    if isinstance(value, (int, float, np.integer, np.floating)):
        return N_(f"the {type(value).__name__} {value!r}")
    fields = getattr(type(value), "_fields", None)
    if isinstance(value, tuple) and fields is not None:
        return N_(f"a {type(value).__name__} with the fields {', '.join(fields)}")
    if isinstance(value, (tuple, list)):
        return N_(f"a {type(value).__name__} of {len(value)} values")
    if isinstance(value, Invalid):
        return N_(f"an object the grader cannot read ({value.what})")
    return "None" if value is None else N_(f"a {type(value).__name__}")


def is_cache(value) -> bool:
    """A forward pass's cache: a ``NamedTuple`` whose class name ends in ``Cache`` (the README's convention)."""
    return isinstance(value, tuple) and hasattr(type(value), "_fields") and type(value).__name__.endswith("Cache")


def _dtype_problem(got: np.dtype, exp: np.dtype, where: str, rule: str) -> str | None:
    kind, want = got.kind, exp.kind
    if rule == "value":
        ok = kind in "biuf"
    elif want in "iu":
        ok = kind in "iu"
    elif rule == "exact" and want == "f":
        ok = got == exp
    else:
        ok = kind == want
    if ok:
        return None
    hint = ""
    if want == "f" and kind == "f":
        hint = N_(f" ({exp} in gives {exp} out)") if exp.itemsize < got.itemsize else \
            N_(f" (keep the precision of the input: {exp})")
    elif want == "f" and kind == "b":
        hint = N_(" (the values should be the numbers 0.0 and 1.0, not True and False)")
    elif want == "f" and kind in "iu":
        hint = N_(" (the values should be floating-point numbers)")
    elif want in "iu":
        hint = N_(" (the values should be integers: any integer dtype)")
    return N_(f"{where} has dtype {got}, expected {exp}{hint}")


def _compare_array(got, exp: np.ndarray, rtol, atol, where, rule) -> str | None:
    if not isinstance(got, np.ndarray):
        if rule != "value" or got is None or isinstance(got, (str, bytes, dict, set)):
            want = (N_(f"an integer array of shape {exp.shape}") if exp.dtype.kind in "iu"
                    else N_(f"an array of shape {exp.shape} and dtype {exp.dtype}"))
            return N_(f"{where} should be {want}, got {_describe(got)}")
        try:
            got = np.asarray(got)
        except (TypeError, ValueError):
            return N_(f"{where} should be an array of shape {exp.shape}, got {_describe(got)}")
    if got.shape != exp.shape:
        return N_(f"{where} has shape {got.shape}, expected shape {exp.shape}")
    if got.dtype.kind not in "biuf":
        return N_(f"{where} has dtype {got.dtype}, expected {exp.dtype}")
    problem = _dtype_problem(got.dtype, exp.dtype, where, rule)
    if problem:
        return problem
    return _compare_values(got.astype(np.float64), exp.astype(np.float64), rtol, atol, where)


def _compare_values(arr: np.ndarray, exp: np.ndarray, rtol, atol, where) -> str | None:
    """Values (float64 arrays of equal shape) within ``atol + rtol * |expected|``; NaN only where expected."""
    if np.isnan(arr).any() and not np.isnan(exp).any():
        return N_(f"{where} contains NaN (look for 0/0, log(0) or an overflowing exp)")
    if np.isinf(arr).any() and not np.isinf(exp).any():
        return N_(f"{where} contains inf (an overflow: subtract a maximum, or use a stable formula)")
    with np.errstate(invalid="ignore"):
        bad = ~np.isclose(arr, exp, rtol=rtol, atol=atol, equal_nan=True)
    if not bad.any():
        return None
    if exp.ndim == 0:
        return N_(f"{where} is off: expected {exp:.6g}, got {arr:.6g}")
    with np.errstate(invalid="ignore"):
        err = np.where(bad, np.nan_to_num(np.abs(arr - exp), nan=np.inf, posinf=np.inf), -1.0)
    idx = np.unravel_index(np.argmax(err), exp.shape)
    return N_(f"{where}: {int(bad.sum())} of {bad.size} values are off, the worst at index "
              f"{tuple(int(i) for i in idx)}: expected {exp[idx]:.6g}, got {arr[idx]:.6g}")


def _is_real(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def _compare_scalar(got, exp, rtol, atol, where, rule) -> str | None:
    """A single number (a Python or NumPy scalar, or a 0-d array of the reference)."""
    want = np.asarray(exp).dtype.kind
    if isinstance(got, np.ndarray) and got.ndim == 0 and got.dtype.kind in "biuf":
        got = got[()]
    if rule == "value":
        ok = _is_real(got) or isinstance(got, (bool, np.bool_))
        noun = N_("a number")
    elif want == "b":
        ok, noun = isinstance(got, (bool, np.bool_)), N_("a bool (True or False)")
    elif want in "iu":
        ok = isinstance(got, (int, np.integer)) and not isinstance(got, (bool, np.bool_))
        noun = N_("an integer (int)")
    else:
        ok, noun = _is_real(got), N_("a single number")
    if not ok:
        return N_(f"{where} should be {noun}, got {_describe(got)}")
    return _compare_values(np.asarray(got, dtype=np.float64), np.asarray(exp, dtype=np.float64), rtol, atol, where)


def compare(got, expected, rtol: float, atol: float, where: str = "the result", dtype: str = "exact",
            parts=None) -> str | None:
    """Return ``None`` when ``got`` matches ``expected``, else a sentence saying how it differs.

    Parameters
    ----------
    got, expected
        What the learner's function and the answer module returned.
    rtol, atol : float
        Values pass when ``|got - expected| <= atol + rtol * |expected|``
        (NumPy's ``isclose``); NaN and inf only where the reference has them.
    where : str
        How the message names the value ("the result", "loss", ...).
    dtype : {"exact", "kind", "value"}
        How strictly types are judged, see :data:`DTYPE_RULES`. Inside a
        cache (:func:`is_cache`) the rule becomes ``"value"``.
    parts : sequence of str, optional
        Names of the elements of a plain tuple result (``("out", "cache")``),
        for the messages; "element i of ..." otherwise.

    Notes
    -----
    Tuples are compared element by element (a list is accepted for a plain
    tuple); a ``NamedTuple`` must come back as one with the same field names;
    a dict must have the same keys (their order is not judged: a dict is read
    by key). Arrays must have the reference's shape and, by the rule, its
    dtype. Anything else (strings, ``None``) must be equal.
    """
    if dtype not in DTYPE_RULES:
        raise ValueError(f"dtype rule must be one of {DTYPE_RULES}, got {dtype!r}")
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return N_(f"{where} should be a dict with the keys {list(expected)}, got {_describe(got)}")
        if set(map(str, got)) != set(expected):
            return N_(f"{where} should have the keys {list(expected)}, got {list(map(str, got))}")
        for key, value in expected.items():
            problem = compare(got[key], value, rtol, atol, f"{where}[{key!r}]", dtype)
            if problem:
                return problem
        return None
    if isinstance(expected, tuple):
        fields = getattr(type(expected), "_fields", None)
        if fields is not None:
            name = type(expected).__name__
            if not isinstance(got, tuple) or tuple(getattr(type(got), "_fields", ()) or ()) != tuple(fields):
                return N_(f"{where} should be a {name} (a NamedTuple with the fields {', '.join(fields)}), "
                          f"got {_describe(got)}")
            inner = "value" if is_cache(expected) else dtype
            labels = [f"{name}.{field}" for field in fields]
        else:
            if not isinstance(got, (tuple, list)) or len(got) != len(expected):
                return N_(f"{where} should be a tuple of {len(expected)} values, got {_describe(got)}")
            inner = dtype
            labels = (list(parts) if parts is not None and len(parts) == len(expected)
                      else [N_(f"element {i} of {where}") for i in range(len(expected))])
        for label, g, e in zip(labels, got, expected):
            problem = compare(g, e, rtol, atol, label, inner)
            if problem:
                return problem
        return None
    if isinstance(expected, np.ndarray) and expected.ndim > 0:
        return _compare_array(got, expected, rtol, atol, where, dtype)
    if isinstance(expected, (bool, np.bool_, int, float, np.integer, np.floating, np.ndarray)):
        return _compare_scalar(got, expected, rtol, atol, where, dtype)
    try:
        equal = type(got) is type(expected) and bool(got == expected)
    except Exception:
        equal = False
    return None if equal else N_(f"{where} should be {expected!r}, got {_describe(got)}")


def normalised(value, expected, rules: dict):
    """``value`` with the spec's field rules applied, walking it alongside the reference result ``expected``.

    ``rules`` maps ``"<NamedTuple class name>.<field>"`` to a function
    ``(field value, reference NamedTuple) -> canonical value``: two values with
    the same meaning (axis ``-1`` and axis ``1`` of a 2-D array) become equal.
    Applied to the learner's result and to the reference's before comparing.
    """
    if not rules:
        return value
    if isinstance(expected, dict) and isinstance(value, dict):
        return {k: normalised(v, expected[k], rules) if k in expected else v for k, v in value.items()}
    if not (isinstance(expected, tuple) and isinstance(value, (tuple, list)) and len(value) == len(expected)):
        return value
    fields = getattr(type(expected), "_fields", None)
    items = []
    for i, (v, e) in enumerate(zip(value, expected)):
        rule = rules.get(f"{type(expected).__name__}.{fields[i]}") if fields else None
        if rule is None:
            items.append(normalised(v, e, rules))
            continue
        try:
            items.append(rule(v, expected))
        except Exception:  # a value the rule does not understand stays as it is, and fails the comparison
            items.append(v)
    if hasattr(type(value), "_fields"):
        return type(value)(*items)
    return type(value)(items)


def _first_change(before, after, path: str) -> str | None:
    """Where and how ``after`` differs from ``before`` (an argument as sent and as it is after the call)."""
    if isinstance(before, np.random.Generator):
        return None  # its state moves with every draw, by design
    if isinstance(before, np.ndarray):
        if not isinstance(after, np.ndarray):
            return N_(f"{path} (replaced by {_describe(after)})")
        if after.shape != before.shape:
            return N_(f"{path} (its shape {before.shape} became {after.shape})")
        if after.dtype != before.dtype:
            return N_(f"{path} (its dtype {before.dtype} became {after.dtype})")
        same = before == after
        if before.dtype.kind == "f":
            same |= np.isnan(before) & np.isnan(after)
        if not np.all(same):
            idx = tuple(int(i) for i in np.argwhere(~np.asarray(same))[0])
            return N_(f"{path} (its values changed, first at index {idx})")
        return None
    if isinstance(before, tuple):
        fields = getattr(type(before), "_fields", None)
        if not isinstance(after, tuple) or len(after) != len(before) or (
                fields is not None and tuple(getattr(type(after), "_fields", ()) or ()) != tuple(fields)):
            return N_(f"{path} (replaced by {_describe(after)})")
        for i, (b, a) in enumerate(zip(before, after)):
            change = _first_change(b, a, f"{path}.{fields[i]}" if fields else f"{path}[{i}]")
            if change:
                return change
        return None
    if isinstance(before, list):
        if not isinstance(after, list):
            return N_(f"{path} (replaced by {_describe(after)})")
        if len(after) != len(before):
            return N_(f"{path} (its length {len(before)} became {len(after)})")
        for i, (b, a) in enumerate(zip(before, after)):
            change = _first_change(b, a, f"{path}[{i}]")
            if change:
                return change
        return None
    if isinstance(before, dict):
        if not isinstance(after, dict):
            return N_(f"{path} (replaced by {_describe(after)})")
        if list(after) != list(before):
            return N_(f"{path} (its keys {list(before)} became {list(after)})")
        for key in before:
            change = _first_change(before[key], after[key], f"{path}[{key!r}]")
            if change:
                return change
        return None
    numbers = (int, float, np.integer, np.floating, np.bool_)
    if isinstance(before, numbers) and isinstance(after, numbers):
        # By value: the kernel's codec sends a NumPy float64 back as a Python float.
        same = bool(before == after) or (before != before and after != after)
    else:
        try:
            same = type(after) is type(before) and bool(after == before)
        except Exception:
            same = False
    return None if same else N_(f"{path} ({before!r} became {after!r})")


def changed_arguments(sent, returned, names=None) -> str | None:
    """Which argument a call changed, by deep comparison; ``None`` if none did.

    Parameters
    ----------
    sent : sequence or dict
        The positional arguments (or the keyword arguments) as they were
        handed to the learner's function.
    returned : same structure as ``sent``
        The same arguments after the call (in the kernel: as it sent them back).
    names : sequence of str, optional
        Parameter names of the positional arguments, for the message
        (``"argument 2"`` otherwise).

    Returns
    -------
    str or None
        E.g. ``"params (its keys ['W1', 'b1'] became ['W1'])"`` or
        ``"dout (its values changed, first at index (0, 3))"``. Arrays must
        keep shape, dtype and values (NaN equals NaN); tuples, named tuples,
        lists and dicts their length, keys, key order and contents. A random
        ``Generator``'s state may change.
    """
    if isinstance(sent, dict):
        labelled = [(str(k), v, returned.get(k) if isinstance(returned, dict) else None) for k, v in sent.items()]
    else:
        returned = list(returned) if isinstance(returned, (tuple, list)) else []
        labelled = [(names[i] if names and i < len(names) else N_(f"argument {i + 1}"), v,
                     returned[i] if i < len(returned) else None) for i, v in enumerate(sent)]
    for label, before, after in labelled:
        change = _first_change(before, after, label)
        if change:
            return change
    return None
