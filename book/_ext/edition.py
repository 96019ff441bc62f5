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
from html import escape

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx

from autograder.i18n import LANGUAGES, Catalogue

EDITIONS = ("class", "self-study")


def _catalogue(app: Sphinx) -> Catalogue:
    return Catalogue("site", app.config.language if app.config.language in LANGUAGES else "en")


def banner(catalogue: Catalogue) -> str:
    """The note at the top of every page of the self-study edition, in the catalogue's language."""
    return ('<div class="edition-banner" role="note"><strong>' + escape(catalogue("Self-study edition."))
            + "</strong> " + escape(catalogue("This edition contains the solutions: each Exercise box ends "
                                                      "with collapsed reference implementations. Try the exercise "
                                                      "first.")) + "</div>")


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

    catalogue = _catalogue(app)
    for box in list(doctree.findall(nodes.admonition)):
        slugs = [re.sub(r"\.ipynb$", "", d["reftarget"].rsplit("/", 1)[-1])
                 for d in box.findall(addnodes.download_reference) if d.get("reftarget", "").endswith(".ipynb")]
        if not slugs:
            continue  # not an Exercise box (recognised by its notebook, whatever the language of its title)
        at = box.parent.index(box)
        for graded in exercise.load(slugs[0]).graded:
            dropdown = nodes.admonition(classes=["dropdown", "solution"])
            dropdown += nodes.title(text=catalogue(f"Solution: {graded.name} (reference implementation)"))
            dropdown += nodes.literal_block(text=reference_source(graded.qualname), language="python")
            at += 1
            box.parent.insert(at, dropdown)


def add_banner(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Self-study edition: every page says that it contains the solutions."""
    if _self_study(app) and "body" in context:
        context["body"] = banner(_catalogue(app)) + context["body"]


def setup(app: Sphinx) -> dict:
    app.add_config_value("nncourse_edition", "class", "env", types=[str])
    app.connect("doctree-read", add_solutions)
    app.connect("html-page-context", add_banner)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
