"""The book in several languages: what Sphinx's gettext translation needs besides the catalogues.

The Chinese edition is built from the same pages with ``language: zh_CN``
(``autograder/build/book.py`` derives its configuration from ``_config.yml``);
Sphinx replaces each message of a page by its translation from
``locale/<language>/LC_MESSAGES/<docname>.po``. This extension:

* keeps display mathematics out of the catalogues: an equation is the same in
  every language, so a translator never copies one, and it cannot drift;
* links every page to the same page in the other languages (the article
  header's ``language-switch.html``, and ``<link rel="alternate">`` in the
  page's head). The links are relative: the other languages' sites sit in
  folders of the English one (``zh/``, :func:`autograder.i18n.folder`),
  on the built site as on the published one.
"""
from __future__ import annotations

from html import escape

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform

from autograder.i18n import LANGUAGES, folder


class MathIsNotTranslated(SphinxTransform):
    """Mark display equations untranslatable, before Sphinx's ``Locale`` transform (priority 20) reads them."""

    default_priority = 10

    def apply(self, **kwargs) -> None:
        for node in self.document.findall(nodes.math_block):
            node["translatable"] = False


def counterpart_links(language: str, target_uri: str) -> list[dict]:
    """The same page in every other language, as URLs relative to the page ``target_uri`` of ``language``."""
    up = "../" * target_uri.count("/")  # from the page to its site's root
    home = up + "../" * bool(folder(language))  # to the English site's root
    return [{"language": other, "name": name, "hreflang": other.replace("_", "-"),
             "url": home + (folder(other) + "/" if folder(other) else "") + target_uri}
            for other, name in LANGUAGES.items() if other != language]


def add_language_links(app: Sphinx, pagename, templatename, context, doctree) -> None:
    language = app.config.language if app.config.language in LANGUAGES else "en"
    links = counterpart_links(language, app.builder.get_target_uri(pagename))
    context["language_links"] = links
    context["metatags"] = context.get("metatags", "") + "".join(
        f'\n<link rel="alternate" hreflang="{link["hreflang"]}" href="{escape(link["url"])}">' for link in links)


def setup(app: Sphinx) -> dict:
    app.add_transform(MathIsNotTranslated)
    app.connect("html-page-context", add_language_links)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
