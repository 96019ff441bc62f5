"""The release notebooks as a learner reads them: clean docstrings, folded helpers, checks, Lab, summary.

Static checks of the committed ``exercises/<slug>.ipynb`` (what the learner
downloads); ``test_release_plain_kernel.py`` runs them.
"""
import ast
import re

import nbformat
import pytest

from autograder import exercise
from autograder.build.release import EXERCISES
from autograder.course import REPO, chapters

SLUGS = chapters()
BOOK = REPO / "book"


def _release(slug):
    return nbformat.read(EXERCISES / f"{slug}.ipynb", as_version=4)


def _code(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def _docstring_sources(source):
    """The source text of every docstring (functions, classes, and NamedTuple field notes) in ``source``."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            for stmt in node.body:
                value = getattr(stmt, "value", None)
                if isinstance(stmt, ast.Expr) and isinstance(value, ast.Constant) and isinstance(value.value, str):
                    yield node.name, ast.get_source_segment(source, stmt)


RST = re.compile(r":(math|func|class|data|mod|meth|attr):`|``|^\s*\.\. (math|important|note)::|^\s*\.\. \[\d+\]", re.M)


@pytest.mark.parametrize("slug", SLUGS)
def test_learner_docstrings_read_cleanly(slug):
    """What a learner reads in the solution and given cells: Markdown, single backslashes, no RST roles."""
    problems = []
    for cell in _code(_release(slug)):
        meta = cell.metadata.get("nbgrader", {})
        if not (meta.get("solution") or "# given" in cell.source or cell.source.startswith("import math\nfrom typing")):
            continue
        for name, text in _docstring_sources(cell.source):
            if re.search(r"\\\\[A-Za-z]", text):  # \\sigma: an escaped backslash (a LaTeX row break \\ is fine)
                problems.append(f"{name}: a doubled backslash before a LaTeX command")
            match = RST.search(text)
            if match:
                problems.append(f"{name}: reStructuredText {match.group(0).strip()!r}")
    assert not problems, problems


@pytest.mark.parametrize("slug", SLUGS)
def test_helper_cells_are_folded_and_check_cells_end_in_a_block(slug):
    nb = _release(slug)
    for cell in _code(nb):
        if cell.source.startswith("# Helpers from the course's"):
            assert cell.metadata.get("jupyter", {}).get("source_hidden") is True, cell.source[:60]
        if re.search(r"\bcheck_(close|gradient|dtype|true)\(|practice_\w+\(", cell.source) and \
                not cell.source.startswith("# Helpers"):
            body = ast.parse(cell.source).body
            assert not isinstance(body[-1], ast.Expr), f"a check cell ends with an expression:\n{cell.source[:300]}"


@pytest.mark.parametrize("slug", SLUGS)
def test_every_graded_function_is_checked_in_a_block_of_its_own(slug):
    nb = _release(slug)
    checked = set()
    for cell in _code(nb):
        checked.update(re.findall(r'^with checks\("(\w+)"\):', cell.source, re.M))
    graded = {q.rpartition(".")[2] for q in exercise.load(slug).points_by_function()}
    assert checked == graded


@pytest.mark.parametrize("slug", SLUGS)
def test_notebook_ends_with_a_lab_and_the_summary(slug):
    nb = _release(slug)
    headings = [(i, c.source.split("\n", 1)[0]) for i, c in enumerate(nb.cells) if c.cell_type == "markdown"]
    lab = [i for i, h in headings if re.match(r"## \d+\. Lab\b", h)]
    before = [i for i, h in headings if h == "## Before you submit"]
    assert len(lab) == 1 and len(before) == 1 and lab[0] < before[0]
    lab_cells = [c for c in nb.cells[lab[0]:before[0]] if c.cell_type == "code"]
    assert lab_cells and all(c.metadata.get("tags") == ["editable", "lab"] for c in lab_cells)
    text = nb.cells[before[0]].source
    assert "Restart" in text and f"`{slug}.ipynb`" in text
    last = nb.cells[-1]
    assert last.cell_type == "code" and nb.cells.index(last) > before[0]
    call = ast.parse(last.source).body[-1]
    assert isinstance(call, ast.Expr) and call.value.func.id == "summary"
    points = ast.literal_eval(call.value.args[0])
    graded = {q.rpartition(".")[2]: p for q, p in exercise.load(slug).points_by_function().items()}
    assert points == graded and list(points) == list(graded)


@pytest.mark.parametrize("slug", SLUGS)
def test_notebook_links_its_chapter_by_the_chapter_title(slug):
    title = re.search(r"^# (.+)$", (BOOK / f"{slug}.md").read_text(), re.M).group(1).strip()
    intro = _release(slug).cells[0].source
    link = re.search(r"\[([^\]]+)\]\([^)]*/book/" + slug + r"\.html\)", intro)
    assert link, f"{slug}.ipynb does not link book/{slug}.html in its first cell"
    assert " ".join(link.group(1).split()) == title


@pytest.mark.parametrize("slug", SLUGS)
def test_chapter_pointers_name_existing_lab_sections(slug):
    """'Run it on your own code' in the chapter names Lab sections that the notebook has."""
    page = (BOOK / f"{slug}.md").read_text()
    pointers = re.findall(r"\*\*Run it on your own code:\*\*.*?\(\*(.+?)\*\)", page, re.S)
    assert pointers, f"book/{slug}.md points to no Lab experiment"
    nb = _release(slug)
    sections = {title.strip() for c in nb.cells if c.cell_type == "markdown"
                for title in re.findall(r"^### (.+)$", c.source, re.M)}
    for pointer in pointers:
        for name in " ".join(pointer.split()).split("* and *"):
            assert name in sections, f"book/{slug}.md points to a Lab section {name!r} the notebook lacks"
    assert f"(exercise-{slug})=" in page
