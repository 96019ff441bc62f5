"""Drop repeated ``<script>`` tags from every page.

Sphinx 7.4 registers an inline script that an extension adds after the
builder started (sphinx-thebe's and sphinx-togglebutton's configuration)
twice: once as ``_JavaScript(None, body=...)``, once as ``_JavaScript('', ...)``,
which are not equal. The second copy of sphinx-thebe's
``const THEBE_JS_URL = ...`` then throws "Identifier 'THEBE_JS_URL' has
already been declared" on every page (the browser tests fail on it).
"""
from __future__ import annotations

from sphinx.application import Sphinx


def drop_repeated_scripts(app: Sphinx, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not isinstance(scripts, list):
        return
    seen, unique = set(), []
    for js in scripts:
        attributes = getattr(js, "attributes", {})
        key = (getattr(js, "filename", js) or "", getattr(js, "priority", 500), tuple(sorted(attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(js)
    scripts[:] = unique


def setup(app: Sphinx) -> dict:
    app.connect("html-page-context", drop_repeated_scripts)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
