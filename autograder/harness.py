"""Kernel side of the hidden tests: run a learner's function on given inputs, write what it returned.

At autograde time the grader pastes this module's source into each hidden-tests
cell (it needs only NumPy and the standard library) followed by a call to
:func:`run_hidden`. Inside the learner's kernel it

1. reads the inputs the grader drew for this function (``<id>.in.json`` and
   ``<id>.in.npz`` in the exchange folder),
2. calls the learner's function on each case,
3. writes the results (``<id>.out.json`` / ``<id>.out.npz``): arrays, numbers
   and tuples only — whatever object the learner returned is reduced to plain
   data here, so nothing it claims about itself (``__eq__``, ``__array__``
   overrides, subclasses) reaches the grader as behaviour.

It never sees reference outputs and decides nothing: the grader compares the
results with the answer module after the kernel has exited. Code in the
learner's notebook can break this harness, but then it only spoils its own
results.

The same codec (:func:`encode` / :func:`decode`) is used by the grader to write
the inputs and read the results, with ``allow_pickle=False`` both ways.
"""
import contextlib
import io
import json
import os
import warnings
from collections import namedtuple

import numpy as np

MAX_DEPTH = 8


def encode(value, arrays, depth=0):
    """A JSON-able description of ``value``; arrays go into the ``arrays`` dict."""
    if depth > MAX_DEPTH:
        return {"invalid": "nested too deeply"}
    if value is None:
        return {"none": True}
    if isinstance(value, np.random.Generator):
        return {"rng": value.bit_generator.state}
    if isinstance(value, (bool, np.bool_)):
        return {"value": bool(value)}
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return {"value": int(value), "int": True}
    if isinstance(value, (float, np.floating)):
        return {"scalar": float(value), "dtype": str(np.dtype(type(value))) if isinstance(value, np.floating)
                else "float64"}
    if isinstance(value, str):
        return {"value": value[:1000]}
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            return {"invalid": f"array of dtype {value.dtype}"}
        key = f"a{len(arrays)}"
        arrays[key] = np.array(value, copy=True).view(np.ndarray)
        return {"array": key, "readonly": not value.flags.writeable}
    if isinstance(value, tuple):
        fields = getattr(type(value), "_fields", None)
        return {"tuple": [encode(v, arrays, depth + 1) for v in value],
                "namedtuple": type(value).__name__ if fields else None,
                "fields": list(fields) if fields else None}
    if isinstance(value, list):
        return {"list": [encode(v, arrays, depth + 1) for v in value]}
    if isinstance(value, dict):
        return {"dict": {str(k): encode(v, arrays, depth + 1) for k, v in value.items()}}
    return {"invalid": type(value).__name__}


def decode(desc, arrays, namespace=None, depth=0):
    """Inverse of :func:`encode`. Named tuples are rebuilt from ``namespace`` classes when present."""
    if depth > MAX_DEPTH or not isinstance(desc, dict):
        raise ValueError("malformed value")
    if "none" in desc:
        return None
    if "rng" in desc:
        rng = np.random.Generator(np.random.PCG64())
        rng.bit_generator.state = desc["rng"]
        return rng
    if "scalar" in desc:
        if desc.get("dtype") not in ("float16", "float32", "float64"):
            raise ValueError("malformed scalar")
        return float(desc["scalar"]) if desc["dtype"] == "float64" else np.dtype(desc["dtype"]).type(desc["scalar"])
    if "value" in desc:
        return desc["value"]
    if "array" in desc:
        arr = np.array(arrays[desc["array"]], copy=True)
        if desc.get("readonly"):
            arr.flags.writeable = False
        return arr
    if "tuple" in desc:
        items = [decode(d, arrays, namespace, depth + 1) for d in desc["tuple"]]
        name, fields = desc.get("namedtuple"), desc.get("fields")
        if name and fields:
            cls = (namespace or {}).get(name)
            if not (isinstance(cls, type) and getattr(cls, "_fields", None) == tuple(fields)):
                cls = namedtuple(name, fields)
            return cls(*items)
        return tuple(items)
    if "list" in desc:
        return [decode(d, arrays, namespace, depth + 1) for d in desc["list"]]
    if "dict" in desc:
        return {k: decode(v, arrays, namespace, depth + 1) for k, v in desc["dict"].items()}
    if "invalid" in desc:
        return Invalid(str(desc["invalid"])[:200])
    raise ValueError("malformed value")


class Invalid:
    """Stands for a returned object that is not plain data (the grader fails such results)."""

    def __init__(self, what):
        self.what = what

    def __repr__(self):
        return f"<{self.what} object>"


def save(path, payload, arrays):
    np.savez(path + ".npz", **arrays)
    with open(path + ".json", "w") as fh:
        json.dump(payload, fh)


def load(path, max_bytes=256 * 2**20):
    for suffix in (".json", ".npz"):
        if os.path.getsize(path + suffix) > max_bytes:
            raise ValueError("result file too large")
    with open(path + ".json") as fh:
        payload = json.load(fh)
    with np.load(path + ".npz", allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    return payload, arrays


def _same(before, after):
    if isinstance(before, np.ndarray):
        return isinstance(after, np.ndarray) and before.shape == after.shape and np.array_equal(
            before, after, equal_nan=True)
    if isinstance(before, tuple) and isinstance(after, tuple) and len(before) == len(after):
        return all(_same(b, a) for b, a in zip(before, after))
    return True


def run_hidden(exchange, grade_id, name, namespace):
    """Call ``namespace[name]`` on every case in ``exchange/<grade_id>.in.*``; write ``<grade_id>.out.*``."""
    payload, arrays = load(os.path.join(exchange, grade_id + ".in"))
    function = namespace.get(name)
    results, out_arrays = [], {}
    for case in payload["cases"]:
        if not callable(function):
            results.append({"error": ["NameError", f"{name} is not defined"]})
            continue
        args = [decode(d, arrays, namespace) for d in case["args"]]
        kwargs = {k: decode(d, arrays, namespace) for k, d in case["kwargs"].items()}
        pristine = [decode(d, arrays, namespace) for d in case["args"]]
        sink = io.StringIO()
        try:
            with warnings.catch_warnings(), contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                warnings.simplefilter("ignore")
                got = function(*args, **kwargs)
            mutated = [i + 1 for i, (b, a) in enumerate(zip(pristine, args)) if not _same(b, a)]
            results.append({"ok": encode(got, out_arrays), "mutated": mutated})
        except Exception as exc:  # the learner's bug: recorded, graded outside
            results.append({"error": [type(exc).__name__, str(exc)[:300]]})
    save(os.path.join(exchange, grade_id + ".out"), {"results": results}, out_arrays)
    print(f"{name}: {len(results)} hidden cases run; the grader checks the results.")
