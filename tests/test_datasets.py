"""coursekit.datasets: the embedded digits are scikit-learn's, value for value (the drift guard)."""
import ast
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from coursekit import datasets
from coursekit.datasets import load_digits


def test_digits_equal_scikit_learn():
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    ref_x, ref_y = sklearn_datasets.load_digits(return_X_y=True)
    x, y = load_digits()
    assert x.shape == (1797, 64) and x.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert_array_equal(x, ref_x)
    assert_array_equal(y, ref_y)


def test_digits_values_and_fresh_arrays():
    x, y = load_digits()
    assert x.min() == 0 and x.max() == 16 and np.array_equal(x, np.round(x))
    assert_array_equal(np.unique(y), np.arange(10))
    assert np.bincount(y).min() >= 170
    x[0, 0] = -1.0  # each call decodes anew: changing one result cannot change the next
    assert load_digits()[0][0, 0] == 0


def test_module_needs_only_numpy_and_stays_small():
    """The exercise generator pastes this file into a notebook that has NumPy and Matplotlib only."""
    path = Path(datasets.__file__)
    assert path.stat().st_size < 150_000
    imported = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module.split(".")[0])
    assert imported <= {"base64", "io", "numpy"}
