"""Assemble an nbgrader *source* notebook from an exercise template.

An exercise template (``exercises/src/<slug>.md``) is a MyST Markdown notebook
whose code cells may start with one directive line:

``# solution: <module>.<function>``
    The function's signature and docstring are copied from the answer module,
    its body is wrapped in ``### BEGIN SOLUTION`` / ``### END SOLUTION`` so that
    nbgrader replaces it with ``raise NotImplementedError()`` in the release.
    The cell becomes an nbgrader solution cell.
``# tests: <module>.<function> points=<n>``
    A hidden-tests cell worth ``n`` points. Its body is one call to
    :func:`autograder.judge.verdict.check`, inside ``### BEGIN HIDDEN TESTS``
    markers, so the release version keeps only the comment that says what is
    graded. The call serves ``nbgrader validate`` of the source notebook; the
    grader finds the cell by its grade id and never reads it.
``# given: <module>.<name> [<module>.<name> ...]``
    Public definitions the learner receives (cache ``NamedTuple`` classes,
    helpers such as ``erf``) copied from the answer module's source. The
    generator refuses to give away a graded function.
``# include: <module>``
    The source of a public helper module (``coursekit.checking``,
    ``coursekit.gradcheck``), so the release notebook needs no course package.
    Its ``from coursekit.<other> import ...`` lines are dropped: ``<other>``
    must be included earlier in the same template, which defines those
    names. The cell is collapsed (``jupyter.source_hidden``): learners use
    these helpers, they need not read them.

In code cells, ``{{points}}`` becomes the dict ``{function: points}`` of the
template's hidden-tests cells, so a notebook's closing summary states the same
points as the cells nbgrader scores; in Markdown cells ``{{site}}`` becomes the
book's address (in the notebook's language).

A notebook in another language (``language="zh_CN"``) is assembled from the
same template: its Markdown, comments and printed strings come from the
exercise's catalogue (:mod:`autograder.build.localize`), its helpers cell
``# include: coursekit.i18n`` sets the language and the checks' translated
messages (from the catalogue ``coursekit.po``), and its metadata
``nncourse.language`` names the language, which the grader's feedback
follows. Every graded cell is identical in every language.

Every other cell is copied unchanged and locked (read-only in nbgrader's
sense), except code cells tagged ``editable``; a code cell's tags are kept
(the Lab experiments are tagged ``lab``).

The answer module is the single source of every solution body: nothing here
or in the templates repeats one.
"""
from __future__ import annotations

import ast
import importlib
import inspect
import re
from pathlib import Path

import nbformat

from autograder.build.localize import translate_code, translate_markdown
from autograder.course import site_url
from autograder.exercise import Exercise, TemplateError, directive, parse_tests, solution_id, tests_id
from autograder.i18n import METADATA, N_, Catalogue, check_language, folder


def assemble(template: Path, language: str = "en") -> nbformat.NotebookNode:
    """Return the nbgrader source notebook (solutions filled in) for one template, in ``language``."""
    ex = Exercise.from_path(template)
    points = ex.points_by_function()
    graded = set(points)
    included: set[str] = set()
    translate = Catalogue(f"exercises/{ex.slug}", check_language(language)).gettext
    site = site_url() + (f"/{folder(language)}" if folder(language) else "")
    out_cells = []
    for index, cell in enumerate(ex.notebook.cells):
        kind, arg = directive(cell)
        cell_id = f"{ex.slug}-{index:02d}"
        if kind == "solution":
            new = nbformat.v4.new_code_cell(_solution_source(arg))
            _mark(new, cell_id=solution_id(arg), solution=True)
        elif kind == "tests":
            g = parse_tests(arg)
            new = nbformat.v4.new_code_cell(_tests_source(g.qualname, g.points))
            _mark(new, cell_id=tests_id(g.qualname), grade=True, points=g.points, locked=True)
        elif kind == "given":
            names = arg.split()
            leaked = graded.intersection(names)
            if leaked:
                raise TemplateError(f"{template.name}: '# given' would reveal graded {sorted(leaked)}")
            new = nbformat.v4.new_code_cell(_given_source(names))
            _mark(new, cell_id=cell_id, locked=True)
        elif kind == "include":
            new = nbformat.v4.new_code_cell(_include_source(arg, included, language))
            _mark(new, cell_id=cell_id, locked=True)
            new.metadata["jupyter"] = {"source_hidden": True}
            included.add(arg)
        elif cell.cell_type == "markdown":
            new = nbformat.v4.new_markdown_cell(translate_markdown(cell.source, translate).replace("{{site}}", site))
            _mark(new, cell_id=cell_id, locked=True)
        else:
            source = translate_code(cell.source, translate)
            new = nbformat.v4.new_code_cell(source.replace("{{points}}", _points_literal(points)))
            tags = list(cell.metadata.get("tags", []))
            if tags:  # "editable" unlocks the cell; "lab" marks a Lab experiment (graded notebooks need not run it)
                new.metadata["tags"] = tags
            _mark(new, cell_id=cell_id, locked="editable" not in tags)
        out_cells.append(new)
    out = nbformat.v4.new_notebook(cells=out_cells)
    out.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    out.metadata["language_info"] = {"name": "python"}
    out.metadata[METADATA] = {"language": language}
    nbformat.validate(out)
    return out


# -- cells --------------------------------------------------------------------

def _short(qualname):
    return qualname.rsplit(".", 1)[-1]


def _points_literal(points: dict[str, float]) -> str:
    """``{"sigmoid_forward": 1, ...}``: the points of each graded function, as Python source."""
    items = ", ".join(f"{_short(name)!r}: {int(p) if float(p).is_integer() else p!r}" for name, p in points.items())
    return "{" + items + "}"


def _mark(cell, cell_id, solution=False, grade=False, locked=False, points=None):
    """Attach nbgrader's cell metadata (schema version 3)."""
    meta = {
        "grade": grade,
        "grade_id": cell_id,
        "locked": locked and not solution,
        "schema_version": 3,
        "solution": solution,
        "task": False,
    }
    if grade:
        meta["points"] = points
    cell.metadata["nbgrader"] = meta
    cell.id = cell_id.replace(".", "-")  # stable ids: regenerating gives byte-identical notebooks
    if locked and not solution:
        # Jupyter's own read-only flags, so the lock shows in the interface too.
        cell.metadata["deletable"] = False
        cell.metadata["editable"] = False


# -- sources from the answer module -------------------------------------------

def _resolve(qualname):
    module_name, _, attr = qualname.rpartition(".")
    if not module_name:
        raise TemplateError(f"'{qualname}' must be '<module>.<name>'")
    module = importlib.import_module(f"solutions.{module_name}")
    if not hasattr(module, attr):
        raise TemplateError(f"solutions.{module_name} has no '{attr}'")
    return module, attr


def _definition(module, name):
    """The ``ast`` node and source lines of a top-level definition in ``module``."""
    source = inspect.getsource(module)
    lines = source.splitlines()
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == name:
            first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
            return node, lines, first
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                return node, lines, node.lineno
    raise TemplateError(f"{module.__name__}.{name} is not a top-level definition")


def _solution_source(qualname):
    """Signature + docstring, then the body between nbgrader's solution markers."""
    module, name = _resolve(qualname)
    node, lines, first = _definition(module, name)
    if not isinstance(node, ast.FunctionDef):
        raise TemplateError(f"{qualname} is not a function")
    body = node.body
    if not (body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant)
            and isinstance(body[0].value.value, str)):
        raise TemplateError(f"{qualname} has no docstring: learners need one")
    header = lines[first - 1:body[0].end_lineno]
    code = lines[body[0].end_lineno:node.end_lineno]
    indent = " " * (node.col_offset + 4)
    private = []
    for helper in _private_helpers(module, node):
        private += [indent + line if line else "" for line in helper] + [""]
    return "\n".join(header + [indent + "### BEGIN SOLUTION"] + private + code + [indent + "### END SOLUTION"]) + "\n"


def reference_source(qualname: str) -> str:
    """The reference implementation of ``qualname`` as a reader sees it: its private helpers, then the function.

    For the self-study edition's solution dropdowns (``book/_ext/edition.py``).
    """
    module, name = _resolve(qualname)
    node, lines, first = _definition(module, name)
    helpers = ["\n".join(helper) for helper in _private_helpers(module, node)]
    return "\n\n\n".join([*helpers, "\n".join(lines[first - 1:node.end_lineno])]) + "\n"


def _private_helpers(module, node):
    """Source lines of the module's private helpers (``_name``) that ``node`` uses, dependencies first.

    They go *inside* the solution region, so the source notebook runs while
    the release notebook reveals none of them (a private ``_sigmoid`` helper
    would give ``sigmoid_forward`` away).
    """
    ordered, seen = [], set()

    def visit(n):
        for name in sorted({sub.id for sub in ast.walk(n) if isinstance(sub, ast.Name)}):
            if not name.startswith("_") or name.startswith("__") or name in seen:
                continue
            try:
                dep, lines, first = _definition(module, name)
            except TemplateError:
                continue  # a local variable, not a module-level helper
            seen.add(name)
            visit(dep)
            ordered.append(lines[first - 1:dep.end_lineno])

    visit(node)
    return ordered


def _tests_source(qualname, points):
    name = _short(qualname)
    return (
        f"# Hidden tests for {name} ({points:g} point{'' if points == 1 else 's'}): "
        "they run when your notebook is graded.\n"
        "### BEGIN HIDDEN TESTS\n"
        "from autograder.judge.verdict import check\n"
        f"check({qualname!r}, globals())\n"
        "### END HIDDEN TESTS\n"
    )


def _given_source(qualnames):
    chunks = []
    for qualname in qualnames:
        module, name = _resolve(qualname)
        node, lines, first = _definition(module, name)
        chunks.append("\n".join(lines[first - 1:node.end_lineno]))
    imports = "import math\nfrom typing import NamedTuple\n\nimport numpy as np\n\n\n"
    return imports + "\n\n\n".join(chunks) + "\n"


def _include_source(module_name, included=frozenset(), language="en"):
    """The module's source without its docstring and its imports of other coursekit modules.

    ``included`` holds the modules already pasted above in the notebook: only
    those may be imported from, since their definitions are already there.
    ``coursekit.i18n`` gets the ``language`` and its translations of the
    checks' messages.
    """
    if not module_name.startswith("coursekit."):
        raise TemplateError(f"'# include: {module_name}': only public coursekit modules may be included")
    module = importlib.import_module(module_name)
    source = inspect.getsource(module)
    tree = ast.parse(source)
    lines = source.splitlines()
    drop = set()
    # Drop the module docstring; keep a one-line note of where the code lives.
    if tree.body and isinstance(tree.body[0], ast.Expr) and isinstance(tree.body[0].value, ast.Constant):
        drop.update(range(tree.body[0].lineno - 1, tree.body[0].end_lineno))
    for node in tree.body:
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "coursekit" for a in node.names):
            raise TemplateError(f"{module_name}: write 'from coursekit.<module> import <names>', "
                                "not 'import coursekit'")
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "coursekit":
            if node.module not in included:
                raise TemplateError(f"'# include: {module_name}' imports from {node.module}: "
                                    f"include {node.module} first")
            drop.update(range(node.lineno - 1, node.end_lineno))
    if module_name == "coursekit.i18n" and language != "en":
        lines = _set_language(tree, lines, language)
    source = "\n".join(line for i, line in enumerate(lines) if i not in drop).lstrip("\n")
    source = re.sub(r"\n{4,}", "\n\n\n", source)
    header = Catalogue("autograder", language)(N_(f"Helpers from the course's {module_name} (you may use them, "
                                                  "no need to read them)."))
    return f"# {header}\n" + source


def _set_language(tree: ast.Module, lines: list[str], language: str) -> list[str]:
    """``coursekit.i18n``'s lines with ``LANGUAGE`` and ``MESSAGES`` set to ``language`` and its translations."""
    table = Catalogue("coursekit", language).table
    values = {"LANGUAGE": repr(language),
              "MESSAGES": "{\n" + "".join(f"    {k!r}: {v!r},\n" for k, v in table.items()) + "}"}
    lines = list(lines)
    for node in reversed(tree.body):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and getattr(node.targets[0], "id", "") in values:
            name = node.targets[0].id
            text = f"{name} = {values[name]}".split("\n")
            # keep the line count: the caller drops lines by number
            lines[node.lineno - 1:node.end_lineno] = ["\n".join(text)] + [""] * (node.end_lineno - node.lineno)
    return lines


