"""Exercise notebooks: assembled from one source, released without answers, committed without drift."""
import ast
import importlib
import inspect
import re

import nbformat
import pytest

from autograder import exercise
from autograder.build.assemble import assemble
from autograder.build.release import EXERCISES
from autograder.course import TEMPLATES, chapters
from autograder.exercise import TemplateError
from autograder.judge.specs import get_spec

SLUGS = chapters()


def test_every_chapter_has_an_exercise():
    assert set(SLUGS) >= {"activations"}
    assert all((TEMPLATES / f"{slug}.md").exists() for slug in SLUGS)


@pytest.mark.parametrize("slug", SLUGS)
def test_every_graded_function_has_hidden_cases(slug):
    for qualname in exercise.load(slug).points_by_function():
        spec = get_spec(qualname)
        cases = list(spec.cases(__import__("numpy").random.default_rng(0)))
        assert len(cases) >= 3, f"{qualname}: too few hidden cases"


@pytest.mark.parametrize("slug", SLUGS)
def test_points_table_matches_graded_cells(slug):
    """The table learners read states the same points as the cells nbgrader scores."""
    text = (TEMPLATES / f"{slug}.md").read_text()
    table = {m.group(1): float(m.group(2)) for m in re.finditer(r"^\| `(\w+)` \| (\d+(?:\.\d+)?) \|$", text, re.M)}
    graded = {q.rpartition(".")[2]: p for q, p in exercise.load(slug).points_by_function().items()}
    assert table == graded
    total = re.search(r"^\| \*\*total\*\* \| \*\*(\d+(?:\.\d+)?)\*\* \|$", text, re.M)
    assert total and float(total.group(1)) == sum(graded.values())


def _function_body(qualname):
    module_name, _, name = qualname.rpartition(".")
    module = importlib.import_module(f"solutions.{module_name}")
    source = inspect.getsource(module)
    node = next(n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef) and n.name == name)
    lines = source.splitlines()
    return "\n".join(lines[node.body[0].end_lineno:node.end_lineno])


@pytest.mark.parametrize("slug", SLUGS)
def test_solution_cells_are_the_answer_module(slug):
    """One source of truth: each solution region ends with the answer module's body, verbatim."""
    nb = assemble(TEMPLATES / f"{slug}.md")
    solutions = {c.metadata.nbgrader["grade_id"]: c.source for c in nb.cells if c.metadata.nbgrader["solution"]}
    for qualname in exercise.load(slug).points_by_function():
        name = qualname.rpartition(".")[2]
        cell = solutions[f"{name}_solution"]
        region = cell.split("### BEGIN SOLUTION\n", 1)[1].rsplit("\n", 2)[0]
        assert region.endswith(_function_body(qualname)), f"{qualname}: solution cell differs from solutions/"


def test_given_refuses_to_reveal_a_graded_function(tmp_path):
    template = tmp_path / "leaky.md"
    template.write_text(
        "```{code-cell} ipython3\n# given: activations.relu_forward\n```\n\n"
        "```{code-cell} ipython3\n# tests: activations.relu_forward points=1\n```\n"
    )
    with pytest.raises(TemplateError, match="reveal"):
        assemble(template)


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.slow  # the course fixture: a PostgreSQL server and seven nbgrader runs
def test_release_has_no_solution_and_no_hidden_test(course, slug):
    release = nbformat.read(course / "release" / slug / f"{slug}.ipynb", as_version=4)
    text = nbformat.writes(release)
    assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
    for package in ("autograder", "solutions", "coursekit"):
        assert not re.search(rf"(import|from)\s+{package}\b", text), f"release imports {package}"
    stubs = [c for c in release.cells if c.metadata.get("nbgrader", {}).get("solution")]
    assert stubs and all("raise NotImplementedError()" in c.source for c in stubs)


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.slow
def test_committed_release_notebooks_do_not_drift(course, slug):
    """exercises/<slug>.ipynb is exactly what `python -m autograder build-exercises` writes."""
    committed = EXERCISES / f"{slug}.ipynb"
    assert committed.exists(), f"run `python -m autograder build-exercises` and commit {committed.name}"
    fresh = nbformat.read(course / "release" / slug / f"{slug}.ipynb", as_version=4)
    assert nbformat.read(committed, as_version=4) == fresh, (
        f"{committed.name} is stale: run `.venv/bin/python -m autograder build-exercises` and commit it")


@pytest.mark.parametrize("slug", SLUGS)
def test_chapter_exercise_box_names_only_graded_functions(slug):
    """The chapter's Exercise box promises nothing the notebook does not grade.

    The list of graded functions with their points is not typed in the box: the
    book's extension (book/_ext/exercise_launch.py) adds it from the template, and
    tests/browser/test_pages.py compares it with the downloaded notebook's grade cells.
    """
    page = (TEMPLATES.parent.parent / "book" / f"{slug}.md").read_text()
    box = re.search(r":::\{admonition\} Exercise\n(.*?)\n:::", page, re.S)
    assert box, f"book/{slug}.md has no Exercise box"
    sentence = box.group(1).split("{download}")[0]
    named = set(re.findall(r"`(\w+)`", sentence))
    graded = {q.rpartition(".")[2] for q in exercise.load(slug).points_by_function()}
    assert named <= graded, f"book/{slug}.md names {sorted(named - graded)}, which the notebook does not grade"


def test_include_pastes_helpers_folded_without_their_coursekit_imports(tmp_path):
    """An included module may import from modules included above it; its import lines are dropped."""
    cells = ["# include: coursekit.i18n", "# include: coursekit.checking", "# include: coursekit.gradcheck",
             "# include: coursekit.practice"]
    template = tmp_path / "t.md"
    template.write_text("".join(f"```{{code-cell}} ipython3\n{c}\n```\n\n" for c in cells))
    nb = assemble(template)
    for cell in nb.cells:
        assert cell.metadata["jupyter"] == {"source_hidden": True}
        assert not re.search(r"^\s*(from|import)\s+coursekit\b", cell.source, re.M), cell.source[:200]
    namespace = {}
    for cell in nb.cells:  # the pasted cells define everything the later ones use
        exec(compile(cell.source, "<cell>", "exec"), namespace)
    assert callable(namespace["Practice"]) and callable(namespace["check_close"])


def test_include_refuses_a_module_whose_imports_are_not_included_first(tmp_path):
    template = tmp_path / "t.md"
    template.write_text("```{code-cell} ipython3\n# include: coursekit.practice\n```\n")
    with pytest.raises(TemplateError, match="include coursekit.checking first"):
        assemble(template)


def test_points_placeholder_becomes_the_points_of_the_hidden_tests_cells(tmp_path):
    template = tmp_path / "t.md"
    template.write_text(
        "```{code-cell} ipython3\n# tests: activations.relu_forward points=2\n```\n\n"
        "```{code-cell} ipython3\n# tests: activations.relu_backward points=1.5\n```\n\n"
        "```{code-cell} ipython3\nsummary({{points}})\n```\n")
    last = assemble(template).cells[-1].source
    assert last == "summary({'relu_forward': 2, 'relu_backward': 1.5})"


def test_the_helpers_survive_a_notebook_that_names_a_variable_tr(tmp_path):
    """The pasted helpers share the notebook's namespace: a Lab's ``tr`` (a training split) must not break them."""
    import numpy as np

    cells = ["# include: coursekit.i18n", "# include: coursekit.checking"]
    template = tmp_path / "t.md"
    template.write_text("".join(f"```{{code-cell}} ipython3\n{c}\n```\n\n" for c in cells))
    namespace = {}
    for cell in assemble(template).cells:
        exec(cell.source, namespace)
    namespace["tr"] = np.zeros(3)  # preprocessing's Lab: tr, te = transform(key, train, test)
    exec("summary({'f': 1})", namespace)
