"""Catalogue entries as a learner would paste them into a notebook, and what a notebook defines."""
from __future__ import annotations

import ast
import builtins
import inspect
import textwrap
from pathlib import Path

import nbformat

from autograder.judge import catalogue


def learner_source(function, name: str) -> str:
    """``function`` as a learner would paste it into the solution cell of ``name``: renamed, undecorated,
    with the catalogue helpers it calls (the cell has NumPy and the given caches, nothing of ours)."""
    module = inspect.getmodule(function)
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    fn = tree.body[0]
    fn.decorator_list, fn.name = [], name
    if len(fn.body) > 1 and isinstance(fn.body[0], ast.Expr) and isinstance(fn.body[0].value, ast.Constant):
        fn.body = fn.body[1:]  # the maintainers' docstring: a learner writes none
    helpers = []
    for node in ast.walk(fn):
        helper = getattr(module, node.id, None) if isinstance(node, ast.Name) else None
        # The catalogue's helpers live in its chapter module or in the package itself (as_float).
        ours = inspect.isfunction(helper) and helper.__module__ in (module.__name__, catalogue.__name__)
        if ours and helper.__name__ != function.__name__:
            helpers.append(learner_source(helper, helper.__name__))
    return "\n\n".join(dict.fromkeys([*helpers, ast.unparse(tree)]))


def top_level_names(notebook: Path) -> set[str]:
    """The names a notebook's code cells bind at top level (imports, defs, classes, assignments)."""
    names = set()
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type == "code":
            names |= bound_names(cell.source)
    return names


def bound_names(source: str) -> set[str]:
    names = set()
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).partition(".")[0] for a in node.names}
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return names


def free_names(source: str) -> set[str]:
    """Names ``source`` reads but neither binds (at any level) nor gets from builtins."""
    tree = ast.parse(source)
    read, bound = set(), set(dir(builtins))
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (read if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound |= {(a.asname or a.name).partition(".")[0] for a in node.names}
    return read - bound
