"""The learner's edition: the course published without its answers (``python -m autograder publish``).

The course repository holds the answer module, the grader, its hidden-test
specs and the catalogue of known mistakes: it stays private. What learners
get is a second, public repository that :func:`publish` writes from scratch,
as one commit:

``class`` edition (the default)
    the built website (``docs/``, served as a static site; the Chinese
    edition in ``docs/zh/``), the release notebooks (``exercises/<slug>.ipynb``,
    the Chinese ones in ``exercises/zh/``), the public helpers they need
    (``coursekit/``), a Binder/Colab environment (``requirements.txt``), a
    learner README and the licence. Every Colab, Binder and download link of
    the site points at this repository (``learner_repository`` in
    ``_config.yml``), never at the course repository.
``self-study`` edition
    for readers without an instructor: the same, plus the answer module, each
    chapter as a runnable notebook, and after each exercise its reference
    solution in a collapsed dropdown; every page says that it contains the
    solutions (``book/_ext/edition.py``).

The leak scanner gates both: :func:`publish` scans every file it wrote (HTML,
the search index, page sources, notebooks' sources, outputs and metadata,
zipped downloads) and fails, naming the file and the function, if an
answer-module body (class edition), a hidden-test spec, a known mistake of the
catalogue, or the course's grading secret appears in it.
"""
from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import yaml

from autograder.build import leakscan
from autograder.build.book import build_site
from autograder.course import REPO, Course, chapters
from autograder.i18n import LANGUAGES, folder

log = logging.getLogger("autograder")

EDITIONS = ("class", "self-study")
CONFIG = REPO / "_config.yml"
#: Learners' environment: these pins are read from requirements.lock (one place for versions).
LEARNER_PACKAGES = ("numpy", "matplotlib")
#: What the self-study edition's chapter notebooks need on top (they run the book's own code).
CHAPTER_PACKAGES = ("jupytext", "myst-nb", "ipykernel")


class PublishError(ValueError):
    """The edition cannot be published as asked (a missing setting, a leak); the message says why."""


def _normalise(url: str) -> str:
    return re.sub(r"(\.git)?/*$", "", (url or "").strip().lower())


def learner_repository(config: dict | None = None, edition: str = "class") -> tuple[str, str]:
    """``(url, branch)`` of the repository an edition is published to, from ``sphinx.config.learner_repository``.

    ``url`` for the class edition, ``self_study_url`` for the self-study one.
    Refuses a missing setting, and one that names the course repository
    itself (its ``repository.url``): that repository holds the answers.
    """
    config = yaml.safe_load(CONFIG.read_text()) if config is None else config
    setting = ((config.get("sphinx") or {}).get("config") or {}).get("learner_repository") or {}
    key = "self_study_url" if edition == "self-study" else "url"
    url, branch = str(setting.get(key) or ""), str(setting.get("branch") or "main")
    if not url:
        raise PublishError(f"set sphinx.config.learner_repository.{key} in _config.yml: the public repository "
                           f"of the {edition} edition (the course repository holds the answers)")
    course_url = (config.get("repository") or {}).get("url", "")
    if _normalise(url) == _normalise(course_url):
        raise PublishError(f"learner_repository.url is the course repository ({course_url}), which holds the "
                           "answers: give learners a repository of their own")
    return url, branch


def _pins(names) -> list[str]:
    pins = {}
    for line in (REPO / "requirements.lock").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==", 1)
            pins[name.strip().lower()] = f"{name.strip()}=={version.strip()}"
    missing = [n for n in names if n.lower() not in pins]
    if missing:
        raise PublishError(f"requirements.lock pins no {missing}")
    return [pins[n.lower()] for n in names]


def _readme(edition: str, url: str, site: str) -> str:
    slugs = chapters()
    links = "\n".join(f"| {i + 1} | `exercises/{slug}.ipynb` |" for i, slug in enumerate(slugs))
    answers = ("\n> **This is the self-study edition: it contains the solutions** (the answer module in\n"
               "> `solutions/`, and a collapsed reference solution after each exercise on the website).\n"
               "> Try each exercise before you look.\n") if edition == "self-study" else ""
    submit = ("Check your work with the checks in the notebook; there is nobody to submit to, so compare\n"
              "with the reference solution once you are done (the website shows it after each exercise)."
              if edition == "self-study" else
              "Hand in the notebook as your instructor says (usually: upload it to your course's LMS).\n"
              "Keep its file name (for example `activations.ipynb`): the grader finds your work by it.\n"
              "The grader runs hidden tests on other inputs than the visible checks, outside your notebook.")
    return f"""# Training Neural Networks, Part 1 — learner's edition
{answers}
The course book is at {site or "the `docs/` folder of this repository (open `docs/index.html`)"}.
Each chapter ends with an exercise notebook:

| chapter | notebook |
| --- | --- |
{links}

中文版：网站在 `docs/zh/`（每页右上角可切换语言），练习笔记本在 `exercises/zh/`，评分方式完全相同。
The Chinese edition: the website in `docs/zh/` (every page links to its counterpart), the notebooks in
`exercises/zh/`, graded exactly like the English ones.

## Open a notebook

* **On your computer**: download the notebook (the book's Exercise boxes have a button), install
  Python 3.11 with `pip install -r requirements.txt`, and open it in JupyterLab or VS Code.
* **Google Colab** or **Binder**: the buttons in each chapter's Exercise box open the notebook from
  this repository ({url}). Save a copy to your own drive: a Binder session is deleted when it ends.

## Work

Each exercise is a function whose signature and docstring are given: replace
`raise NotImplementedError()` with your code. Run the *visible checks* below it (they print ✓ or ✗
and say what differs), then the *practice checks*, which try the kinds of input the hidden tests use
(exact zeros, ties, values up to ±1e4, float32, ...) on public random inputs. The **Lab** section at
the end runs the chapter's experiments on your own functions: change the knobs and run it again.

## Check and submit

Restart the kernel and run all cells: the **Before you submit** cell at the end lists every function
with ✓ or ✗ and the points at stake.

{submit}
"""


def _copy_public(dest: Path, edition: str, url: str, site: str) -> None:
    for language in LANGUAGES:  # exercises/<slug>.ipynb, exercises/zh/<slug>.ipynb
        (dest / "exercises" / folder(language)).mkdir(parents=True, exist_ok=True)
        for slug in chapters():
            name = Path(folder(language)) / f"{slug}.ipynb"
            shutil.copy2(REPO / "exercises" / name, dest / "exercises" / name)
    shutil.copytree(REPO / "coursekit", dest / "coursekit", ignore=shutil.ignore_patterns("__pycache__"))
    packages = LEARNER_PACKAGES + (CHAPTER_PACKAGES if edition == "self-study" else ())
    (dest / "requirements.txt").write_text(
        "# What the notebooks need (Binder reads this file; Colab has both already).\n"
        + "\n".join(_pins(packages)) + "\n")
    if (REPO / "LICENSE").is_file():
        shutil.copy2(REPO / "LICENSE", dest / "LICENSE")
    (dest / "README.md").write_text(_readme(edition, url, site))
    if edition == "self-study":
        shutil.copytree(REPO / "solutions", dest / "solutions", ignore=shutil.ignore_patterns("__pycache__"))
        (dest / "book").mkdir()
        for slug in chapters():
            shutil.copy2(REPO / "book" / f"{slug}.md", dest / "book" / f"{slug}.md")


def check_no_leaks(dest: Path, edition: str, course: Course | None = None) -> None:
    """Fail, naming file and function, if anything secret is in ``dest`` (see the module docstring)."""
    answers = edition == "class"
    # The self-study edition shows the answer module, so a catalogue fragment that is also a line of the
    # answer (a shared helper such as the sigmoid) is public there; the rest of the catalogue is not.
    prints = leakscan.fingerprints(leakscan.secret_sources(answers=answers),
                                   public_sources=() if answers else leakscan.answer_sources())
    found = leakscan.scan([dest], prints)
    problems = [f"{path.relative_to(dest)}: contains {origin}" for path, _, origin in found]
    if course is not None:
        secret = course.secret()
        for path in sorted(p for p in dest.rglob("*") if p.is_file() and ".git" not in p.relative_to(dest).parts):
            if secret.encode() in path.read_bytes():
                problems.append(f"{path.relative_to(dest)}: contains the course's grading secret")
    if problems:
        shown = "\n  ".join(sorted(set(problems))[:20])
        raise PublishError(f"the {edition} edition would publish secrets; nothing was published:\n  {shown}")


def _commit(dest: Path, edition: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Course team", "GIT_AUTHOR_EMAIL": "course@example.org",
           "GIT_COMMITTER_NAME": "Course team", "GIT_COMMITTER_EMAIL": "course@example.org"}
    for args in (["init", "-q", "-b", "main"], ["add", "-A"],
                 ["commit", "-q", "-m", f"Learner's edition ({edition}) of Training Neural Networks, Part 1"]):
        subprocess.run(["git", *args], cwd=dest, check=True, env=env, capture_output=True)


def publish(dest: Path, edition: str = "class", site: Path | None = None, course: Course | None = None,
            force: bool = False) -> Path:
    """Write the learner's edition into ``dest`` (a new git repository with one commit).

    Parameters
    ----------
    dest : Path
        Where to write; must not exist, or be empty (``force`` replaces it).
    edition : {"class", "self-study"}
    site : Path, optional
        An already built ``html`` folder of this edition (both languages, as
        ``make site`` builds it) to use instead of building the book again
        (its links are checked like everything else).
    course : Course, optional
        A course directory whose grading secret must not appear anywhere.
    """
    if edition not in EDITIONS:
        raise PublishError(f"edition must be one of {EDITIONS}, not {edition!r}")
    url, branch = learner_repository(edition=edition)
    dest = Path(dest).resolve()
    if dest.is_relative_to(REPO):
        raise PublishError(f"{dest} is inside the course repository: publish somewhere else")
    if dest.exists() and any(dest.iterdir()):
        if not force:
            raise PublishError(f"{dest} is not empty (use --force to replace it)")
        shutil.rmtree(dest)
    with tempfile.TemporaryDirectory(prefix="nncourse-publish-") as tmp:
        staging = Path(tmp) / "edition"
        html = Path(site) if site is not None else build_site(Path(tmp) / "book" / "html", edition=edition)
        baseurl = str((yaml.safe_load(CONFIG.read_text()).get("html") or {}).get("baseurl", ""))
        _copy_public(staging, edition, url, baseurl)
        shutil.copytree(html, staging / "docs", ignore=shutil.ignore_patterns(".buildinfo", ".doctrees"))
        (staging / "docs" / ".nojekyll").touch()  # GitHub Pages: serve _static/ and _sources/ as they are
        check_launch_links(staging, url)
        check_no_leaks(staging, edition, course)
        shutil.copytree(staging, dest, dirs_exist_ok=True)
    _commit(dest, edition)
    log.info("published the %s edition into %s (push it to %s, branch %s)", edition, dest, url, branch)
    return dest


_LAUNCH = re.compile(r"https://(?:colab\.research\.google\.com/github|mybinder\.org/v2/gh)/([^/\s\"'<>?]+/[^/\s\"'<>?]+)")


def check_launch_links(dest: Path, url: str) -> None:
    """Every Colab and Binder link in ``dest`` opens ``url`` (the learner repository), none another one."""
    want = "/".join(_normalise(url).split("/")[-2:])
    wrong = []
    for path in dest.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".ipynb", ".md", ".js", ".json"):
            for repo in _LAUNCH.findall(path.read_text(errors="replace")):
                if repo.lower() != want:
                    wrong.append(f"{path.relative_to(dest)} opens {repo}")
    if wrong:
        raise PublishError("launch links that do not open the learner repository:\n  " + "\n  ".join(wrong[:20]))
