"""The book in several languages: what Sphinx's gettext translation needs besides the catalogues.

The Chinese edition is built from the same pages with ``language: zh_CN``
(``autograder/build/book.py`` derives its configuration from ``_config.yml``);
Sphinx replaces each message of a page by its translation from
``locale/<language>/LC_MESSAGES/<docname>.po``. This extension:

* keeps display mathematics out of the catalogues: an equation is the same in
  every language, so a translator never copies one, and it cannot drift;
* translates the captions of the table of contents ("Chapters"...), which
  ``_toc.yml`` inserts after Sphinx's ``Locale`` transform has run, so that
  gettext extracts them (into the root page's catalogue) but nothing applies
  their translation;
* lets a translated message use ``{glue:text}`` values: Sphinx parses each
  translation as a small document of its own, which lacks the page's
  executed notebook, so MyST-NB would not find the page's glue data there;
* links every page to the same page in the other languages (the article
  header's ``language-switch.html``, and ``<link rel="alternate">`` in the
  page's head). The links are relative: the other languages' sites sit in
  folders of the English one (``zh/``, :func:`autograder.i18n.folder`),
  on the built site as on the published one.
"""
from __future__ import annotations

import functools
from html import escape
from pathlib import Path

from docutils import nodes
from sphinx import addnodes, locale
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform
from sphinx.util.i18n import docname_to_domain

from autograder.i18n import LANGUAGES, folder


class MathIsNotTranslated(SphinxTransform):
    """Mark display equations untranslatable, before Sphinx's ``Locale`` transform (priority 20) reads them."""

    default_priority = 10

    def apply(self, **kwargs) -> None:
        for node in self.document.findall(nodes.math_block):
            node["translatable"] = False


def _glue_from_the_page(retrieve):
    """MyST-NB's ``retrieve_glue_data``, falling back to the page's notebook for a translated message.

    MyST-NB keeps the executed notebook on the document only while it parses
    the page (``document["nb_renderer"]``); Sphinx parses a translation as a
    document of its own. Every build of the Chinese site from scratch (the
    tests' ``built_site``) checks it: a value not found is a warning, and
    warnings are errors.
    """
    from myst_nb.core.variables import RetrievalError

    @functools.wraps(retrieve)
    def retrieve_glue_data(document, key):
        # The page's own parse (English text, before Sphinx's Locale transform) finds its glue
        # values: remember the page's notebook then, for its translated messages, parsed later.
        env = getattr(getattr(document, "settings", None), "env", None)
        try:
            found = retrieve(document, key)
        except RetrievalError:
            page = env.temp_data.get("nncourse_nb_renderer") if env is not None else None
            if page is None or page is document.get("nb_renderer"):
                raise
            return retrieve({"nb_renderer": page}, key)
        if env is not None:
            env.temp_data["nncourse_nb_renderer"] = document["nb_renderer"]
        return found
    retrieve_glue_data.falls_back_to_the_page = True
    return retrieve_glue_data


def _let_translations_use_glue() -> None:
    from myst_nb.ext.glue import directives, roles, utils

    for module in (utils, roles, directives):
        if not getattr(module.retrieve_glue_data, "falls_back_to_the_page", False):
            module.retrieve_glue_data = _glue_from_the_page(module.retrieve_glue_data)


def translate_toc_captions(app: Sphinx, doctree: nodes.document) -> None:
    """The captions of the toctrees of a page, from that page's catalogue (left alone in English)."""
    if app.config.language in (None, "en"):
        return
    toctrees = [node for node in doctree.findall(addnodes.toctree) if node.get("caption")]
    if not toctrees:
        return
    domain = docname_to_domain(app.env.docname, app.config.gettext_compact)
    dirs = [str(Path(app.srcdir) / d) for d in app.config.locale_dirs]
    translator, found = locale.init(dirs, app.config.language, domain, namespace="nncourse-toc")
    if found:
        for node in toctrees:
            node["caption"] = translator.gettext(node["caption"])


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
    _let_translations_use_glue()
    app.connect("doctree-read", translate_toc_captions)
    app.connect("html-page-context", add_language_links)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
