"""Release notebooks run in a bare Python with only NumPy and Matplotlib (what a learner has)."""
import importlib
import inspect
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from autograder import exercise
from autograder.build.assemble import assemble
from autograder.build.release import EXERCISES
from autograder.course import TEMPLATES, chapters
from support.fakeclass import make_submission

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def _run(nb, kernel, tmp_path, timeout=300):
    NotebookClient(nb, kernel_name=kernel, timeout=timeout, allow_errors=True,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    return nb


def _text(cell):
    """Everything a code cell printed (stdout and stderr)."""
    return "".join(out.get("text", "") for out in cell.get("outputs", []) if out.output_type == "stream")


def _bare_results(nb):
    """Check cells whose last line left a value on display (an ``Out[n]: True``)."""
    return [(i, out.data.get("text/plain")) for i, c in enumerate(nb.cells) if c.cell_type == "code"
            for out in c.get("outputs", []) if out.output_type == "execute_result"]


def _errors(nb):
    return [(i, out.ename, out.evalue[:200]) for i, c in enumerate(nb.cells) if c.cell_type == "code"
            for out in c.get("outputs", []) if out.output_type == "error"]


def _check_cell(nb, function):
    return next(c for c in nb.cells if c.cell_type == "code" and c.source.startswith("# Checks for")
                and f'\nwith checks("{function}"):' in c.source)


@pytest.mark.parametrize("slug", chapters())
def test_untouched_notebook_says_what_is_left_to_do(plain_kernel, slug, tmp_path):
    """A blank notebook runs to the end: each check cell says 'not implemented yet', no traceback, no Out[]."""
    nb = _run(nbformat.read(EXERCISES / f"{slug}.ipynb", as_version=4), plain_kernel, tmp_path)
    assert not _errors(nb), f"{slug}: {_errors(nb)}"
    assert not _bare_results(nb), f"{slug}: {_bare_results(nb)}"
    for qualname in exercise.load(slug).points_by_function():
        name = qualname.rpartition(".")[2]
        text = _text(_check_cell(nb, name))
        assert "not implemented yet" in text and "✗" not in text and "Traceback" not in text, f"{name}: {text}"
    summary = _text(nb.cells[-1])
    assert "worth 0 of" in summary and "✓" not in summary, summary


@pytest.mark.parametrize("slug", chapters())
def test_solved_notebook_passes_every_check_and_runs_its_lab(plain_kernel, course, slug, tmp_path):
    """A learner who writes the reference answers sees no error, no ✗, no Out[], a Lab that runs, all ✓."""
    nb = _run(make_submission(course, slug), plain_kernel, tmp_path)
    problems = list(_errors(nb))
    for i, cell in enumerate(nb.cells):
        text = _text(cell)
        if "✗" in text:
            problems.append((i, "check failed", text[:300]))
        if "lab" in cell.metadata.get("tags", []) and ("not implemented" in text or "Traceback" in text):
            problems.append((i, "Lab cell did not run", text[:300]))
    assert not problems, f"{slug}: {problems}"
    assert not _bare_results(nb), f"{slug}: {_bare_results(nb)}"
    assert any("lab" in c.metadata.get("tags", []) for c in nb.cells)
    summary = _text(nb.cells[-1])
    total = sum(exercise.load(slug).points_by_function().values())
    assert f"worth {total:g} of {total:g} points" in summary and "…" not in summary, summary


# -- typical mistakes: each prints a specific cause ----------------------------------------------

def _answers(slug):
    """{grade_id: solved source} from the assembled source notebook (the answer module's bodies)."""
    nb = assemble(TEMPLATES / f"{slug}.md")
    return {c.metadata["nbgrader"]["grade_id"]: c.source for c in nb.cells
            if c.cell_type == "code" and c.metadata["nbgrader"]["solution"]}


def _with_mistakes(slug, mistakes):
    """The release notebook, solved, except the functions of ``mistakes`` ({function: wrong source})."""
    answers = _answers(slug)
    nb = nbformat.read(EXERCISES / f"{slug}.ipynb", as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if grade_id in answers:
            name = grade_id.removesuffix("_solution")
            cell.source = mistakes.get(name, answers[grade_id])
    return nb


#: slug -> [(function, wrong source, phrases its check cell must print)]. The review's typical
#: mistakes (learner-and-site.md), then some of our own.
MISTAKES = {
    "activations": [
        ("sigmoid_forward", """
def sigmoid_forward(x):
    x = np.asarray(x)
    out = np.empty(x.shape)                    # float64, whatever the input
    pos = x >= 0
    out[pos] = 1 / (1 + np.exp(-x[pos]))
    out[~pos] = np.exp(x[~pos]) / (1 + np.exp(x[~pos]))
    return out, SigmoidCache(out)
""", ["float32 stays float32: your result has dtype float64, expected float32"]),
        ("tanh_backward", """
def tanh_backward(dout, cache):
    return dout * (1 - np.tanh(cache.out) ** 2)
""", ["do not apply tanh to it again"]),
        ("relu_backward", """
def relu_backward(dout, cache):
    return np.where(cache.x >= 0, dout, 0)
""", ["gradient 0 at x = 0", "only where x > 0, strictly"]),
        ("leaky_relu_backward", """
def leaky_relu_backward(dout, cache):
    return np.where(cache.x >= 0, dout, cache.alpha * dout)
""", ["slope alpha at x = 0", "x = 0 included"]),
        ("softmax_forward", """
def softmax_forward(x, axis=-1):
    e = np.exp(x)
    out = e / np.sum(e, axis=axis, keepdims=True)
    return out, SoftmaxCache(out, axis)
""", ["NaN", "subtract each row's maximum"]),
        ("softmax_backward", """
def softmax_backward(dout, cache):
    s = cache.out
    return dout * s * (1 - s)
""", ["off-diagonal"]),
    ],
    "normalization": [
        ("batchnorm_forward", None, ["N/(N-1) times the biased variance",
                                     "✓ batchnorm_forward: out (evaluation, one sample)"]),
        ("batchnorm_backward", None, ["path through the mean"]),
        ("batchnorm_backward_alt", None, ["minus dbeta"]),
    ],
    "perceptron": [
        ("step", """
def step(x):
    x = np.asarray(x)
    return (x >= 0).astype(x.dtype if np.issubdtype(x.dtype, np.floating) else np.float64)
""", ["H(0) = 0", "Only strictly positive inputs give 1"]),
    ],
    "training": [
        ("sgd_step", """
def sgd_step(params, grads, lr):
    for k in params:
        params[k] -= lr * grads[k]
    return params
""", ["read-only", "sgd_step: params unchanged"]),
        ("adam_step", """
def adam_step(params, grads, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    t = 1 if state is None else state.t + 1
    m0 = {k: np.zeros_like(p) for k, p in params.items()} if state is None else state.m
    v0 = {k: np.zeros_like(p) for k, p in params.items()} if state is None else state.v
    m = {k: beta1 * m0[k] + (1 - beta1) * grads[k] for k in params}
    v = {k: beta2 * v0[k] + (1 - beta2) * grads[k] ** 2 for k in params}
    return {k: params[k] - lr * m[k] / (np.sqrt(v[k]) + eps) for k in params}, AdamState(t, m, v)
""", ["divide m and v by 1 - beta1**t"]),
        ("update_ratio", """
def update_ratio(params, new_params):
    return {k: float(np.linalg.norm(new_params[k] - params[k]) / (np.linalg.norm(params[k]) + 1e-12))
            for k in params}
""", ["a plain division"]),
    ],
}


def _normalization_mistakes(slug):
    """Batch-norm mistakes written as edits of the reference (running var, a missing path, a lost term)."""
    answers = _answers(slug)
    fwd = answers["batchnorm_forward_solution"]
    assert "unbiased_var = var * (N / (N - 1))" in fwd
    bwd = answers["batchnorm_backward_solution"]
    assert "dx = dcentred + dmean / N" in bwd
    alt = answers["batchnorm_backward_alt_solution"]
    assert "dx -= dbeta / N" in alt
    return {"batchnorm_forward": fwd.replace("unbiased_var = var * (N / (N - 1))", "unbiased_var = var"),
            "batchnorm_backward": bwd.replace("dx = dcentred + dmean / N", "dx = dcentred"),
            "batchnorm_backward_alt": alt.replace("dx -= dbeta / N", "pass")}


@pytest.mark.parametrize("slug", sorted(MISTAKES))
def test_typical_mistakes_print_a_specific_cause(plain_kernel, slug, tmp_path):
    """Each mistake fails its function's checks with words that name the cause; the other functions pass."""
    mistakes = {name: source for name, source, _ in MISTAKES[slug] if source is not None}
    if slug == "normalization":
        mistakes.update(_normalization_mistakes(slug))
    nb = _run(_with_mistakes(slug, mistakes), plain_kernel, tmp_path)
    assert not _errors(nb), _errors(nb)
    assert not _bare_results(nb), _bare_results(nb)
    summary = _text(nb.cells[-1])
    for name, _, phrases in MISTAKES[slug]:
        text = _text(_check_cell(nb, name))
        assert "✗" in text, f"{name}: the mistake went unnoticed:\n{text}"
        for phrase in phrases:
            assert phrase in text, f"{name}: {phrase!r} not printed:\n{text}"
        assert re.search(rf"✗ {name}\s", summary), summary
    checks = importlib.import_module(f"coursekit.practice.{slug}").SELF_CHECKS
    for qualname in exercise.load(slug).points_by_function():
        name = qualname.rpartition(".")[2]
        if not set(inspect.signature(checks[name]).parameters) & set(mistakes):  # checks that use no wrong function
            assert re.search(rf"✓ {name}\s", summary), f"{name} should still pass:\n{summary}"
