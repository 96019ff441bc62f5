"""The wire format between the grader and a learner's kernel: plain data, no pickles.

:func:`encode` turns a value into a JSON-able description with its arrays set
aside; :func:`decode` rebuilds it. Arrays, Python and NumPy numbers of their
own type, strings, ``None``, tuples (named ones by name and fields), lists,
dicts and random ``Generator`` states survive; any other object becomes
:class:`Invalid`. :func:`pack`/:func:`unpack` carry a payload and its arrays as
one JSON value (arrays as a base64 ``.npz``), :func:`save`/:func:`load` as a
pair of files, always with ``allow_pickle=False``.

Standard library and NumPy only: the grader imports this module, and pastes
its source, with :mod:`autograder.judge.harness`'s, into each hidden-tests cell
a learner's kernel runs.
"""
import base64
import io
import json
import os
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
        return {"value": bool(value), "type": "numpy.bool" if isinstance(value, np.bool_) else "bool"}
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return {"value": int(value), "int": True,
                "type": str(np.dtype(type(value))) if isinstance(value, np.integer) else "int"}
    if isinstance(value, (float, np.floating)):
        return {"scalar": float(value), "dtype": str(np.dtype(type(value))) if isinstance(value, np.floating)
                else "float64", "python": not isinstance(value, np.floating)}
    if isinstance(value, str):
        return {"value": value[:1000]}
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            return {"invalid": f"array of dtype {value.dtype}"}
        key = f"a{len(arrays)}"
        arrays[key] = np.array(value, copy=True).view(np.ndarray)
        return {"array": key}
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


def readonly(array):
    """A copy of ``array`` on immutable memory: writing into it raises, and it cannot be made writeable."""
    return np.frombuffer(np.ascontiguousarray(array).tobytes(), dtype=array.dtype).reshape(array.shape)


def decode(desc, arrays, namespace=None, depth=0, frozen=False):
    """Inverse of :func:`encode`. Named tuples are rebuilt from ``namespace`` classes when present.

    With ``frozen``, arrays come back read-only (:func:`readonly`).
    """
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
        if desc.get("python", desc["dtype"] == "float64"):
            return float(desc["scalar"])
        return np.dtype(desc["dtype"]).type(desc["scalar"])
    if "value" in desc:
        value, kind = desc["value"], desc.get("type")
        if kind == "numpy.bool":
            return np.bool_(value)
        if kind not in (None, "int", "bool") and desc.get("int"):
            if kind not in ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"):
                raise ValueError("malformed integer")
            return np.dtype(kind).type(value)
        return value
    if "array" in desc:
        stored = arrays[desc["array"]]
        return readonly(stored) if frozen else np.array(stored, copy=True)
    if "tuple" in desc:
        items = [decode(d, arrays, namespace, depth + 1, frozen) for d in desc["tuple"]]
        name, fields = desc.get("namedtuple"), desc.get("fields")
        if name and fields:
            cls = (namespace or {}).get(name)
            if not (isinstance(cls, type) and getattr(cls, "_fields", None) == tuple(fields)):
                cls = namedtuple(name, fields)
            return cls(*items)
        return tuple(items)
    if "list" in desc:
        return [decode(d, arrays, namespace, depth + 1, frozen) for d in desc["list"]]
    if "dict" in desc:
        return {k: decode(v, arrays, namespace, depth + 1, frozen) for k, v in desc["dict"].items()}
    if "invalid" in desc:
        return Invalid(str(desc["invalid"])[:200])
    raise ValueError("malformed value")


class Invalid:
    """Stands for a returned object that is not plain data (the grader fails such results)."""

    def __init__(self, what):
        self.what = what

    def __repr__(self):
        return f"<{self.what} object>"


def pack(payload, arrays):
    """``payload`` and its arrays as one JSON-able dict (arrays as a base64 ``.npz``)."""
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return {"payload": payload, "npz": base64.b64encode(buffer.getvalue()).decode("ascii")}


def unpack(bundle, max_bytes=256 * 2**20):
    """Inverse of :func:`pack`; refuses oversized or malformed bundles (``ValueError``)."""
    if not isinstance(bundle, dict) or not isinstance(bundle.get("npz"), str) or len(bundle["npz"]) > max_bytes:
        raise ValueError("malformed or oversized results")
    with np.load(io.BytesIO(base64.b64decode(bundle["npz"], validate=True)), allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    return bundle["payload"], arrays


def save(path, payload, arrays):
    np.savez(path + ".npz", **arrays)
    with open(path + ".json", "w") as fh:
        json.dump(payload, fh)


def load(path, max_bytes=256 * 2**20):
    for suffix in (".json", ".npz"):
        if os.path.getsize(path + suffix) > max_bytes:
            raise ValueError("input file too large")
    with open(path + ".json") as fh:
        payload = json.load(fh)
    with np.load(path + ".npz", allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    return payload, arrays
