"""The book in several languages: what Sphinx's gettext translation needs besides the catalogues.

The Chinese edition is built from the same pages with ``language: zh_CN``
(``autograder/build/book.py`` derives its configuration from ``_config.yml``);
Sphinx replaces each message of a page by its translation from
``locale/<language>/LC_MESSAGES/<docname>.po``. This extension:

* keeps display mathematics out of the catalogues: an equation is the same in
  every language, so a translator never copies one, and it cannot drift;
"""
from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform


class MathIsNotTranslated(SphinxTransform):
    """Mark display equations untranslatable, before Sphinx's ``Locale`` transform (priority 20) reads them."""

    default_priority = 10

    def apply(self, **kwargs) -> None:
        for node in self.document.findall(nodes.math_block):
            node["translatable"] = False


def setup(app: Sphinx) -> dict:
    app.add_transform(MathIsNotTranslated)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
