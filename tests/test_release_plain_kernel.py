"""Release notebooks run in a bare Python with only NumPy and Matplotlib (what a learner has)."""
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.build.release import EXERCISES
from autograder.course import chapters
from support.fakeclass import make_submission

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def plain_kernel(tmp_path_factory, monkeypatch_module):
    """A kernel in a fresh venv holding numpy, matplotlib and ipykernel only (pinned versions)."""
    root = tmp_path_factory.mktemp("plain")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "--quiet", "-c", str(REPO / "requirements.lock"),
                    "numpy", "matplotlib", "ipykernel"], check=True)
    spec_dir = root / "share" / "jupyter" / "kernels" / "plain"
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [str(py), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "plain", "language": "python"}))
    monkeypatch_module.setenv("JUPYTER_PATH", str(root / "share" / "jupyter"))
    monkeypatch_module.setenv("MPLBACKEND", "Agg")
    return "plain"


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


@pytest.mark.parametrize("slug", chapters())
def test_release_runs_top_to_bottom(plain_kernel, slug, tmp_path):
    nb = nbformat.read(EXERCISES / f"{slug}.ipynb", as_version=4)
    client = NotebookClient(nb, kernel_name=plain_kernel, timeout=120, allow_errors=True,
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    errors = [(i, o.ename, o.evalue) for i, c in enumerate(nb.cells) if c.cell_type == "code"
              for o in c.outputs if o.output_type == "error"]
    unexpected = [e for e in errors if e[1] != "NotImplementedError"]
    assert not unexpected, f"{slug}: cells failed with something else than NotImplementedError: {unexpected}"
    assert errors, f"{slug}: a blank notebook should stop at unfinished functions"


@pytest.mark.parametrize("slug", chapters())
def test_solved_notebook_passes_every_visible_check(plain_kernel, course, slug, tmp_path):
    """A learner who writes the reference answers sees no error and no ✗ anywhere in the notebook."""
    nb = make_submission(course, slug)
    NotebookClient(nb, kernel_name=plain_kernel, timeout=300, allow_errors=True,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    problems = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                problems.append((i, out.ename, out.evalue[:200]))
            elif "✗" in out.get("text", ""):
                problems.append((i, "check failed", out.text[:300]))
    assert not problems, f"{slug}: {problems}"
