"""Markup that other packages write and axe-core finds fault with, corrected.

* The "Show code" toggle of a folded code cell: myst-nb writes
  ``<summary aria-label="Toggle hidden content">`` around the visible words
  "Show code", so a screen reader announces one thing and a sighted reader who
  uses speech input sees another (label-content-name-mismatch, serious).
  Without the aria-label the summary's name is its visible text.
* The bibliography: docutils wraps the entries in ``<div role="list">`` but
  gives each the deprecated role ``doc-biblioentry``, which a list may not
  contain (aria-required-children, critical); each entry becomes a list item.

The theme's own buttons are corrected by templates in ``book/_templates``.
"""
from __future__ import annotations

from html import escape

from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput
from sphinx.application import Sphinx


def visit_hide_cell_input(self, node: HideCodeCellNode) -> None:
    classes = " ".join(node["classes"])
    self.body.append(f'<details class="admonition hide {classes}">\n')
    self.body.append("<summary>\n")
    self.body.append(f'<p class="collapsed admonition-title">{escape(node["prompt_show"])}</p>\n')
    self.body.append(f'<p class="expanded admonition-title">{escape(node["prompt_hide"])}</p>\n')
    self.body.append("</summary>\n")


def citation_entries_as_list_items(app: Sphinx, pagename, templatename, context, doctree) -> None:
    body = context.get("body")
    if isinstance(body, str) and 'role="doc-biblioentry"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


def setup(app: Sphinx) -> dict:
    app.setup_extension("myst_nb")
    app.add_node(HideCodeCellNode, override=True, html=(visit_hide_cell_input, depart_HideCellInput))
    app.connect("html-page-context", citation_entries_as_list_items)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
