"""The grader's house keeps its rule: wings import only downward, and nothing imports in a circle.

The rule is stated in ``autograder/__init__.py``::

    cli -> {build, grade} -> {judge, kernel, nbgrader_run} -> {course, exercise}

A module may import modules of its own wing and of lower floors; the kernel
wing imports nothing of ours outside itself; nothing imports the CLI. Every
import counts, including those inside functions.
"""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "autograder"
#: Floor of each wing (top-level module or subpackage of autograder/).
FLOORS = {"__main__": 4, "cli": 3, "nbgrader_config": 3, "build": 2, "grade": 2, "judge": 1, "kernel": 1,
          "nbgrader_run": 1, "exercise": 0.5, "i18n": 0.5, "course": 0}


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imports(name: str, path: Path) -> set[str]:
    """Modules of ours that ``name`` imports, anywhere in its file."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            out.add(base)
            out.update(f"{base}.{alias.name}" for alias in node.names)
    modules = _modules()
    return {m for m in out if m in modules and m != name}


def _wing(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


GRAPH = {name: _imports(name, path) for name, path in _modules().items()}


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_imports_go_down_the_floors(module):
    wing = _wing(module)
    if wing == "__init__":
        assert not GRAPH[module], "autograder/__init__.py holds the map, nothing else"
        return
    assert wing in FLOORS, f"{module}: a wing the rule does not know; add it to autograder/__init__.py's map"
    for target in GRAPH[module]:
        other = _wing(target)
        if other == wing or other == "__init__":
            continue
        assert wing != "kernel", f"{module} imports {target}: the kernel wing imports nothing of ours outside it"
        assert other != "cli" or wing == "__main__", f"{module} imports the CLI"
        assert FLOORS[other] < FLOORS[wing], f"{module} (floor {FLOORS[wing]}) imports {target} (floor {FLOORS[other]})"


def test_no_import_cycle():
    done, path = set(), []

    def visit(node):
        if node in path:
            raise AssertionError("import cycle: " + " -> ".join([*path[path.index(node):], node]))
        if node in done:
            return
        path.append(node)
        for target in sorted(GRAPH[node]):
            visit(target)
        path.pop()
        done.add(node)

    for node in sorted(GRAPH):
        visit(node)


def test_the_checker_sees_imports_inside_functions():
    # Guards the test itself: kernel.forkserver imports the sandbox at the top, batch imports worker.
    assert "autograder.kernel.sandbox" in GRAPH["autograder.kernel.forkserver"]
    assert "autograder.grade.worker" in GRAPH["autograder.grade.batch"]
    assert any("autograder.build" in target for target in GRAPH["autograder.cli"])  # lazy, inside _run
