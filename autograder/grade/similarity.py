"""Which learners' solutions are most alike: ``python -m autograder similarity COURSE SLUG``.

The learners' solution cells (the cells they were to fill in, found by grade
id) are written out, one file per learner, and compared with ``copydetect``
(winnowing over tokenised code: variable and function names and string
contents do not matter). The release notebook's version of those cells (the
given signatures, docstrings and ``raise NotImplementedError()``) is left
out of each learner's cells, and is copydetect's *boilerplate* as well: code
everyone received is never counted as shared. Cells a learner
left as released are left out.

The result is an HTML page of the most similar pairs, each with both learners'
code and the shared passages highlighted, and a CSV of every pair above the
threshold. It is evidence for an instructor to judge, not a verdict: short
exercises have few ways to be written, and two correct solutions may be alike
by necessity. Nothing here reads or writes the gradebook: it never changes a
grade.
"""
from __future__ import annotations

import html
import logging
import tempfile
from pathlib import Path

import nbformat

from autograder.course import REPO, Course
from autograder.exercise import SOLUTION_SUFFIX
from autograder.grade.export import write_csv

log = logging.getLogger("autograder")



def _stub() -> set[str]:
    """The lines of the stub nbgrader puts in a released solution cell (``ClearSolutions.code_stub``)."""
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(REPO / "autograder")).load_config()
    return {line.strip() for line in config.ClearSolutions.code_stub["python"].splitlines()}


def solution_cells(nb) -> dict[str, str]:
    """``{grade id: source}`` of a notebook's solution cells, in order."""
    out = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
        if cell.cell_type == "code" and isinstance(grade_id, str) and grade_id.endswith(SOLUTION_SUFFIX):
            out.setdefault(grade_id, cell.source)
    return out


def learner_code(nb, release: dict[str, str]) -> str:
    """The learner's own code: each solution cell they changed, under a comment naming it.

    What the release cell begins with (the signature and the docstring) and
    its stub lines are left out, so that only what the learner wrote is
    compared and shown; the rest is kept as written (dropping single lines
    elsewhere could cut a string or a block in half).
    """
    parts, stub = [], _stub()
    for grade_id, source in solution_cells(nb).items():
        given = release.get(grade_id, "").rstrip().splitlines()
        lines = source.rstrip().splitlines()
        start = 0
        while start < min(len(lines), len(given)) and lines[start].strip() == given[start].strip():
            start += 1
        own = [line for line in lines[start:] if line.strip() not in stub]
        if any(line.strip() for line in own):
            parts.append(f"# --- {grade_id} ---\n" + "\n".join(own) + "\n")
    return "\n".join(parts)


def similarity(course: Course, slug: str, out: Path, threshold: float = 0.5, top: int = 30) -> tuple[Path, Path]:
    """Compare every pair of learners' solutions of ``slug``; write ``similarity-<slug>.html`` and ``.csv`` to ``out``.

    ``threshold`` is copydetect's display threshold: the share of one learner's
    code (after the boilerplate is removed) found in the other's. Returns the
    page and the CSV.
    """
    from copydetect import CopyDetector

    release = solution_cells(nbformat.read(course.release(slug), as_version=4))
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="nncourse-similarity-") as tmp:
        learners, boilerplate = Path(tmp) / "learners", Path(tmp) / "release"
        learners.mkdir()
        boilerplate.mkdir()
        (boilerplate / "release.py").write_text("\n".join(release.values()))
        written = 0
        for student in course.submissions().get(slug, []):
            path = course.submitted(student, slug)
            try:
                code = learner_code(nbformat.read(path, as_version=4), release)
            except Exception as exc:  # an unreadable notebook: nothing to compare
                log.warning("%s/%s: not compared (%s)", student, slug, type(exc).__name__)
                continue
            if code.strip():
                (learners / f"{student}.py").write_text(code)
                written += 1
        pairs = []
        if written >= 2:
            detector = CopyDetector(test_dirs=[str(learners)], ref_dirs=[str(learners)],
                                    boilerplate_dirs=[str(boilerplate)], extensions=["py"], display_t=threshold,
                                    autoopen=False, silent=True, truncate=True, out_file=str(Path(tmp) / "unused.html"))
            detector.run()
            pairs = detector.get_copied_code_list()
    log.info("%s: %d learners' solutions compared, %d pair(s) at or above %.0f%%", slug, written, len(pairs),
             100 * threshold)
    table = out / f"similarity-{slug}.csv"
    write_csv(table, ["student_a", "student_b", "share_of_a_in_b", "share_of_b_in_a", "shared_tokens"],
              ([Path(a).stem, Path(b).stem, f"{sim_a:.3f}", f"{sim_b:.3f}", int(tokens)]
               for sim_a, sim_b, a, b, _, _, tokens in pairs))
    page = out / f"similarity-{slug}.html"
    page.write_text(_page(slug, written, threshold, pairs[:top], len(pairs), table.name), encoding="utf-8")
    return page, table


def _page(slug: str, compared: int, threshold: float, pairs, total: int, table: str) -> str:
    items = []
    for n, (sim_a, sim_b, a, b, code_a, code_b, tokens) in enumerate(pairs, 1):
        a, b = html.escape(Path(a).stem), html.escape(Path(b).stem)
        items.append(f"""<section><h2>{n}. {a} and {b}</h2>
<p>{sim_a:.0%} of {a}'s code is found in {b}'s, {sim_b:.0%} of {b}'s in {a}'s ({int(tokens)} shared tokens).</p>
<div class="pair"><div><h3>{a}</h3><pre>{code_a}</pre></div><div><h3>{b}</h3><pre>{code_b}</pre></div></div>
</section>""")
    body = "".join(items) or "<p>No pair of learners reaches the threshold.</p>"
    more = f"<p>{total - len(pairs)} more pairs are listed in <a href='{table}'>{table}</a>.</p>" \
        if total > len(pairs) else f"<p>All pairs: <a href='{table}'>{table}</a>.</p>"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Similar solutions: {html.escape(slug)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 80rem; padding: 0 1rem; color: #1a1a1a; }}
.pair {{ display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 1rem; }}
pre {{ background: #f6f6f6; padding: 0.6rem; overflow-x: auto; font-size: 0.8rem; }}
.highlight-red {{ background: #ffd7c2; }} .highlight-green {{ background: #c9ecd4; }}
.note {{ color: #444; }}
</style></head><body><main>
<h1>Similar solutions: {html.escape(slug)}</h1>
<p class="note">{compared} learners' solution cells compared with copydetect (winnowing over tokenised code;
names and strings do not matter); the code of the release notebook is excluded. Pairs where at least
{threshold:.0%} of one learner's code is found in the other's, most similar first; shared passages are
highlighted. This is evidence to look at, not a verdict: short functions can be alike by necessity.
It changes no grade.</p>
{more}
{body}
</main></body></html>
"""
