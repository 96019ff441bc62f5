"""Which edition of the book is being built: ``class`` (the default) or ``self-study``.

``python -m autograder publish`` builds the book with
``sphinx.config.nncourse_edition`` set. The class edition is the book as it
is: it contains no solution. The self-study edition, for readers without an
instructor, says on every page that it contains the solutions, and appends to
each chapter's Exercise box one collapsed dropdown per graded function with
the reference implementation (from the answer module, which that edition
publishes too).
"""
from __future__ import annotations

import re

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx

EDITIONS = ("class", "self-study")
BANNER = ('<div class="edition-banner" role="note"><strong>Self-study edition.</strong> '
          'This edition contains the solutions: each Exercise box ends with collapsed reference '
          'implementations. Try the exercise first.</div>')


def _self_study(app: Sphinx) -> bool:
    if app.config.nncourse_edition not in EDITIONS:
        raise ValueError(f"nncourse_edition must be one of {EDITIONS}, not {app.config.nncourse_edition!r}")
    return app.config.nncourse_edition == "self-study"


def add_solutions(app: Sphinx, doctree: nodes.document) -> None:
    """Self-study edition: a collapsed reference solution per graded function, under each Exercise box."""
    if not _self_study(app):
        return
    from autograder import exercise
    from autograder.build.assemble import reference_source

    for box in list(doctree.findall(nodes.admonition)):
        titles = [c for c in box.children if isinstance(c, nodes.title)]
        if not titles or titles[0].astext().strip() != "Exercise":
            continue
        slugs = [re.sub(r"\.ipynb$", "", d["reftarget"].rsplit("/", 1)[-1])
                 for d in box.findall(addnodes.download_reference) if d.get("reftarget", "").endswith(".ipynb")]
        if not slugs:
            continue
        at = box.parent.index(box)
        for graded in exercise.load(slugs[0]).graded:
            dropdown = nodes.admonition(classes=["dropdown", "solution"])
            dropdown += nodes.title(text=f"Solution: {graded.name} (reference implementation)")
            dropdown += nodes.literal_block(text=reference_source(graded.qualname), language="python")
            at += 1
            box.parent.insert(at, dropdown)


def add_banner(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Self-study edition: every page says that it contains the solutions."""
    if _self_study(app) and "body" in context:
        context["body"] = BANNER + context["body"]


def setup(app: Sphinx) -> dict:
    app.add_config_value("nncourse_edition", "class", "env", types=[str])
    app.connect("doctree-read", add_solutions)
    app.connect("html-page-context", add_banner)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
