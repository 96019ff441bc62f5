"""The chapters' sources keep the book's conventions: one figure style, figures
for the column, long and plotting code folded, myst-nb plumbing hidden.

These read the MyST sources only (no build); the browser tests measure the
result on the built site (``tests/browser/test_screens.py``).
"""
import ast
import importlib.util
import re
from pathlib import Path

import jupytext
import pytest
from browser.harness import chapter_pages

REPO = Path(__file__).resolve().parent.parent
CHAPTERS = [REPO / f"{page}.md" for page in chapter_pages()]
FOLD_LINES = 15  # code cells longer than this are folded behind "Show code"
DRAWS = re.compile(r"\bplt\.(subplots|figure|show)\b")


def _figstyle():
    spec = importlib.util.spec_from_file_location("figstyle", REPO / "book" / "figstyle.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _code_cells(path):
    return [(i, cell) for i, cell in enumerate(jupytext.read(path).cells) if cell.cell_type == "code"]


def _tags(cell):
    return set(cell.metadata.get("tags", []))


def _chapter_id(path):
    return pytest.param(path, id=path.stem)


@pytest.mark.parametrize("path", [_chapter_id(p) for p in CHAPTERS])
def test_chapters_use_the_shared_figure_style(path):
    """The matplotlib settings live in book/figstyle.py, not in the chapters."""
    text = path.read_text()
    assert "rcParams" not in text and "InlineBackend" not in text, (
        f"{path.name}: matplotlib settings in the chapter; put them in book/figstyle.py")
    cells = _code_cells(path)
    if any(DRAWS.search(cell.source) for _, cell in cells):
        first_plot = next(i for i, cell in cells if DRAWS.search(cell.source))
        setup = [i for i, cell in cells if "figstyle.use()" in cell.source and "remove-cell" in _tags(cell)]
        assert setup and setup[0] < first_plot, f"{path.name}: no hidden figstyle.use() before the first figure"


@pytest.mark.parametrize("path", [_chapter_id(p) for p in CHAPTERS])
def test_figures_are_drawn_for_the_column(path):
    """A figure at most figstyle.MAX_WIDTH inches wide is shown unscaled on a 1280 px screen."""
    max_width = _figstyle().MAX_WIDTH
    too_wide = []
    for i, cell in _code_cells(path):
        python = "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))
        for node in ast.walk(ast.parse(python)):
            if isinstance(node, ast.keyword) and node.arg == "figsize":
                width = ast.literal_eval(node.value)[0]
                if width > max_width:
                    too_wide.append(f"cell {i}: figsize width {width} > {max_width}")
    assert not too_wide, f"{path.name}:\n" + "\n".join(too_wide)


@pytest.mark.parametrize("path", [_chapter_id(p) for p in CHAPTERS])
def test_long_and_plotting_cells_are_folded(path):
    """Every chapter folds the same cells behind "Show code": those that draw, and those over FOLD_LINES lines."""
    unfolded = []
    for i, cell in _code_cells(path):
        hidden = _tags(cell) & {"hide-input", "remove-input", "remove-cell", "hide-cell"}
        lines = len(cell.source.strip().splitlines())
        draws = DRAWS.search(cell.source) or "figure" in cell.metadata.get("mystnb", {})
        if not hidden and (draws or lines > FOLD_LINES):
            first = cell.source.strip().splitlines()[0]
            unfolded.append(f"cell {i} ({lines} lines{', draws' if draws else ''}): {first[:60]}")
    assert not unfolded, f"{path.name}: add the hide-input tag to\n" + "\n".join(unfolded)


@pytest.mark.parametrize("path", [_chapter_id(p) for p in CHAPTERS])
def test_glue_calls_are_hidden(path):
    """myst_nb.glue is how the text quotes computed numbers; readers should not see it."""
    visible = [f"cell {i}: {line.strip()}" for i, cell in _code_cells(path)
               if not _tags(cell) & {"remove-cell", "remove-input"}
               for line in cell.source.splitlines() if re.search(r"\bglue\b", line)]
    assert not visible, f"{path.name}: glue in a visible cell (move it to a remove-cell cell):\n" + "\n".join(visible)


@pytest.mark.parametrize("path", [_chapter_id(p) for p in CHAPTERS])
def test_exercise_box_is_written_the_same_way(path):
    """A sentence, then the download link alone in its paragraph; points come from the template."""
    box = re.search(r":::\{admonition\} Exercise\n:class: tip\n(.*?)\n:::\n", path.read_text(), re.S)
    assert box, f"{path.name}: no Exercise box"
    paragraphs = [p.strip() for p in box.group(1).split("\n\n")]
    assert re.fullmatch(rf"\{{download\}}`Download {path.stem}\.ipynb <\.\./exercises/{path.stem}\.ipynb>`",
                        paragraphs[-1]), f"{path.name}: the last paragraph should be the download link alone"
    assert not re.search(r"\d\s*points?\b", box.group(1)), f"{path.name}: points typed by hand"
