"""The Exercise box at the end of each chapter: points per function and launch links.

Every chapter ends with a box written as::

    :::{admonition} Exercise
    :class: tip
    In the exercise notebook for this chapter you implement ...

    {download}`Download SLUG.ipynb <../exercises/SLUG.ipynb>`
    :::

In the Chinese edition the box's title and sentence are translated with the
page, the download opens the Chinese notebook ``exercises/zh/SLUG.ipynb``
(the same graded cells, instructions in Chinese), and the words this
extension adds come from the ``site`` catalogue (``autograder.i18n``). A box
is recognised by its notebook download, whatever its title says.

This extension gives every such box the same layout: after the chapter's own
sentence, the points of each graded function (read from the exercise template
``exercises/src/SLUG.md`` by ``autograder.exercise``, the parser the
notebooks are built and graded with, so the points have one source), then the
download button on a line of its own with links that open the same notebook in
Google Colab and on Binder, then one sentence on what the notebook needs. The
build warns (an error under ``--warningiserror``) when a box states points by
hand, when the download is not a paragraph of its own, or when the template and
the release notebook disagree on the points.

The links open the notebook in the repository learners get, never in the
course repository (which holds the answers): ``sphinx.config.learner_repository``
in ``_config.yml`` (``url`` and ``branch``; ``self_study_url`` for the
self-study edition, see ``edition.py``), the repository
``python -m autograder publish`` writes. The services are listed under
``sphinx.config.exercise_launch``::

    exercise_launch:
      colab_url: https://colab.research.google.com   # "" for no Colab link
      binderhub_url: https://mybinder.org           # "" for no Binder link

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
from sphinx.transforms import SphinxTransform
from sphinx.util import logging

from autograder import exercise
from autograder.i18n import LANGUAGES, Catalogue, folder

logger = logging.getLogger(__name__)

DEFAULTS = {"colab_url": "", "binderhub_url": ""}


def translations(app: Sphinx) -> Catalogue:
    """The ``site`` catalogue in the language of the build."""
    return Catalogue("site", app.config.language if app.config.language in LANGUAGES else "en")


def notebook_points(path: Path) -> float:
    """Total points of the graded cells of an nbgrader notebook."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    return sum(float(c.get("metadata", {}).get("nbgrader", {}).get("points", 0))
               for c in nb.get("cells", []) if c.get("metadata", {}).get("nbgrader", {}).get("grade"))


def _points(value: float, catalogue: Catalogue) -> str:
    return catalogue(f"{value:g} point") if value == 1 else catalogue(f"{value:g} points")


ENGLISH = Catalogue("site")


def points_list(ex: exercise.Exercise, catalogue: Catalogue = ENGLISH) -> list[nodes.Node]:
    """A "N points in total" line and a list of ``function  n points`` items."""
    total = nodes.paragraph(classes=["exercise-points-total"])
    total += nodes.strong(text=_points(ex.points, catalogue))
    total += nodes.Text(catalogue(" in total, by function:"))
    items = nodes.bullet_list(classes=["exercise-points"])
    for graded in ex.graded:
        item = nodes.list_item(classes=["exercise-points-item"])
        line = nodes.paragraph()
        line += nodes.literal(text=graded.name, classes=["exercise-function"])
        line += nodes.Text(" ")
        line += nodes.inline(text=_points(graded.points, catalogue), classes=["exercise-points-value"])
        item += line
        items += item
    return [total, items]


def launch_urls(settings: dict, repo_url: str, branch: str, path_in_repo: str,
                catalogue: Catalogue = ENGLISH) -> dict[str, str]:
    """Colab and Binder addresses of a notebook at ``path_in_repo`` in a GitHub repository, by their label."""
    match = re.fullmatch(r"https://github\.com/([^/]+)/([^/]+?)(?:\.git)?/?", repo_url or "")
    if not match:
        return {}
    org, repo = match.groups()
    urls = {}
    if settings.get("colab_url"):
        urls[catalogue("Open in Colab")] = (f"{settings['colab_url'].rstrip('/')}/github/{org}/{repo}/blob/{branch}"
                                            f"/{path_in_repo}")
    if settings.get("binderhub_url"):
        urls[catalogue("Launch on Binder")] = (f"{settings['binderhub_url'].rstrip('/')}/v2/gh/{org}/{repo}/{branch}"
                                    f"?labpath={quote(path_in_repo, safe='')}")
    return urls


def _exercise_downloads(box: nodes.Element) -> list[addnodes.download_reference]:
    return [d for d in box.findall(addnodes.download_reference) if d.get("reftarget", "").endswith(".ipynb")]


def exercise_boxes(doctree: nodes.document):
    """The Exercise boxes of a page: the admonitions that offer a notebook for download."""
    return [box for box in doctree.findall(nodes.admonition) if _exercise_downloads(box)]


class NotebookInTheLanguage(SphinxTransform):
    """In another language's edition, the Exercise box downloads that language's notebook.

    ``../exercises/SLUG.ipynb`` becomes ``../exercises/zh/SLUG.ipynb``; a read
    transform, so that Sphinx collects the right file for ``_downloads``.
    """

    default_priority = 700

    def apply(self, **kwargs) -> None:
        language = self.config.language if self.config.language in LANGUAGES else "en"
        if not folder(language):
            return
        for box in exercise_boxes(self.document):
            for download in _exercise_downloads(box):
                target = download["reftarget"]
                head, _, name = target.rpartition("/")
                if head.rsplit("/", 1)[-1] == "exercises":
                    download["reftarget"] = f"{head}/{folder(language)}/{name}"


def add_launch_links(app: Sphinx, doctree: nodes.document) -> None:
    settings = {**DEFAULTS, **(app.config.exercise_launch or {})}
    learners = app.config.learner_repository or {}
    self_study = getattr(app.config, "nncourse_edition", "class") == "self-study"
    repo_url = str(learners.get("self_study_url" if self_study else "url") or "")
    branch = str(learners.get("branch") or "main")
    catalogue = translations(app)
    env = app.env
    for box in exercise_boxes(doctree):
        downloads = _exercise_downloads(box)
        rel, abspath = env.relfn2path(downloads[0]["reftarget"], env.docname)
        notebook = Path(abspath)
        if not notebook.is_file():
            continue  # Sphinx already warns about a missing download
        ex = exercise.load(notebook.stem)
        env.note_dependency(str(notebook))
        env.note_dependency(str(ex.path))
        box["classes"].append("exercise-box")
        downloads[0]["classes"].append("exercise-download")

        actions = downloads[0].parent
        if not isinstance(actions, nodes.paragraph) or actions.astext().strip() != downloads[0].astext().strip():
            logger.warning("exercise_launch: put the notebook's {download} link in a paragraph of its own",
                           location=box)
            continue
        if re.search(r"\d\s*points?\b", box.astext()):
            logger.warning("exercise_launch: the Exercise box states points by hand; they are added from %s",
                           ex.path.name, location=box)
        if ex.points != notebook_points(notebook):
            logger.warning("exercise_launch: %s awards %g points, %s %g: rebuild the notebooks "
                           "(make exercises)", ex.path.name, ex.points, notebook.name, notebook_points(notebook),
                           location=box)
        index = actions.parent.index(actions)
        actions.parent[index:index] = points_list(ex, catalogue)
        actions["classes"].append("exercise-actions")

        urls = launch_urls(settings, repo_url, branch, rel, catalogue)
        if (settings["colab_url"] or settings["binderhub_url"]) and not urls:
            logger.warning("exercise_launch: launch links need the GitHub URL of the learners' repository "
                           "(sphinx.config.learner_repository in _config.yml), got %r", repo_url, location=box)
        for label, url in urls.items():
            actions += nodes.Text(" ")
            actions += nodes.reference("", label, refuri=url, classes=["exercise-launch-link"],
                                       internal=False)
        needs = catalogue("Open it in Jupyter, or upload it to Google Colab: it needs only NumPy and Matplotlib.")
        actions.parent.insert(actions.parent.index(actions) + 1,
                              nodes.paragraph(text=needs, classes=["exercise-needs"]))


def setup(app: Sphinx) -> dict:
    app.add_config_value("exercise_launch", dict(DEFAULTS), "env", [dict])
    app.add_config_value("learner_repository", {}, "env", [dict])
    app.add_transform(NotebookInTheLanguage)
    app.connect("doctree-read", add_launch_links)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
