"""Every figure of a page links to its image file, so that a tap shows it at full size.

On a phone the text column is about 360 px wide and a figure of the book is
scaled to about half its natural size (see ``book/figstyle.py``). Sphinx links
an image to its file only when the source scales it (``html_scaled_image_link``);
figures drawn by code cells are scaled by the browser instead, so no link is
made. This extension links every image in the content that is not a link
already, with the same address Sphinx would use (``_images/<file>``).
"""
from __future__ import annotations

import posixpath

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.osutil import relative_uri


def link_images(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if app.builder.format != "html":
        return
    images_dir = relative_uri(app.builder.get_target_uri(docname), app.builder.imagedir)
    for image in list(doctree.findall(nodes.image)):
        if isinstance(image.parent, nodes.reference):
            continue
        uri = image["uri"]
        if uri not in app.env.images:
            continue  # a remote image or one Sphinx does not copy
        link = nodes.reference("", "", internal=True, classes=["figure-link"],
                               refuri=posixpath.join(images_dir, app.env.images[uri][1]))
        image.replace_self(link)
        link += image


def setup(app: Sphinx) -> dict:
    app.connect("doctree-resolved", link_images)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
