"""Launch links under each chapter's Exercise box.

Every chapter ends with an ``:::{admonition} Exercise`` box that links its
notebook with ``{download}`...<../exercises/SLUG.ipynb>```. This extension
appends one line to that box: the points the notebook is worth (summed from
its nbgrader metadata, unless the box already says them) and links that open
the same notebook in Google Colab and on Binder.

The links are built from ``_config.yml`` only: the repository URL and branch
of its ``repository:`` block (``html_theme_options`` once Jupyter Book has
translated it), and the services listed under ``sphinx.config.exercise_launch``::

    exercise_launch:
      colab_url: https://colab.research.google.com   # "" for no Colab link
      binderhub_url: https://mybinder.org           # "" for no Binder link
      repository_url: ""                            # another repository for the notebooks, if any

The page header's own launch buttons (``launch_buttons:``) would open the
chapter's source, which imports the answer module; these open the release
notebook instead.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

DEFAULTS = {"colab_url": "", "binderhub_url": "", "repository_url": ""}


def notebook_points(path: Path) -> float:
    """Total points of the graded cells of an nbgrader notebook."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    return sum(float(c.get("metadata", {}).get("nbgrader", {}).get("points", 0))
               for c in nb.get("cells", []) if c.get("metadata", {}).get("nbgrader", {}).get("grade"))


def launch_urls(settings: dict, repo_url: str, branch: str, path_in_repo: str) -> dict[str, str]:
    """Colab and Binder addresses of a notebook at ``path_in_repo`` in a GitHub repository."""
    match = re.fullmatch(r"https://github\.com/([^/]+)/([^/]+?)(?:\.git)?/?", repo_url or "")
    if not match:
        return {}
    org, repo = match.groups()
    urls = {}
    if settings.get("colab_url"):
        urls["Open in Colab"] = f"{settings['colab_url'].rstrip('/')}/github/{org}/{repo}/blob/{branch}/{path_in_repo}"
    if settings.get("binderhub_url"):
        urls["Launch on Binder"] = (f"{settings['binderhub_url'].rstrip('/')}/v2/gh/{org}/{repo}/{branch}"
                                    f"?labpath={quote(path_in_repo, safe='')}")
    return urls


def add_launch_links(app: Sphinx, doctree: nodes.document) -> None:
    settings = {**DEFAULTS, **(app.config.exercise_launch or {})}
    theme = app.config.html_theme_options or {}
    repo_url = settings["repository_url"] or theme.get("repository_url", "")
    branch = theme.get("repository_branch") or "main"
    env = app.env
    for box in doctree.findall(nodes.admonition):
        titles = [c for c in box.children if isinstance(c, nodes.title)]
        if not titles or titles[0].astext().strip() != "Exercise":
            continue
        downloads = [d for d in box.findall(addnodes.download_reference)
                     if d.get("reftarget", "").endswith(".ipynb")]
        if not downloads:
            continue
        rel, abspath = env.relfn2path(downloads[0]["reftarget"], env.docname)
        notebook = Path(abspath)
        if not notebook.is_file():
            continue  # Sphinx already warns about a missing download
        env.note_dependency(str(notebook))
        box["classes"].append("exercise-box")
        downloads[0]["classes"].append("exercise-download")
        line = nodes.paragraph(classes=["exercise-launch"])
        if "points" not in box.astext():
            points = notebook_points(notebook)
            line += nodes.Text(f"Worth {points:g} points. ")
        book_dir = theme.get("path_to_docs", "").strip("/")
        urls = launch_urls(settings, repo_url, branch, f"{book_dir}/{rel}" if book_dir else rel)
        if (settings["colab_url"] or settings["binderhub_url"]) and not urls:
            logger.warning("exercise_launch: launch links need a GitHub repository URL, got %r", repo_url,
                           location=box)
        for i, (label, url) in enumerate(urls.items()):
            if i:
                line += nodes.Text(" ")
            line += nodes.reference("", label, refuri=url, classes=["exercise-launch-link"],
                                    internal=False)
        if len(line):
            box += line


def setup(app: Sphinx) -> dict:
    app.add_config_value("exercise_launch", dict(DEFAULTS), "env", [dict])
    app.connect("doctree-read", add_launch_links)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
