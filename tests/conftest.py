"""Shared fixtures: a generated course directory, an instructor's clone, the book built once per session."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from support.fakeclass import run_cli

REPO = Path(__file__).resolve().parent.parent
#: Where :func:`outside_clone` puts its copy: not a temporary folder (nor a home), as an instructor's clone.
OUTSIDE = Path(os.environ.get("NNCOURSE_OUTSIDE_DIR", "/var/lib/nncourse-tests"))


@pytest.fixture(scope="session")
def course(tmp_path_factory, postgres) -> Path:
    """A course directory made by ``python -m autograder setup`` (all chapters released).

    Its gradebook is PostgreSQL, so grading tests run on the machine's cores in
    parallel; the SQLite path is covered by ``test_parallel.py``.
    """
    root = tmp_path_factory.mktemp("course") / "nn-course"
    run_cli("setup", str(root), "--db-url", postgres("course"))
    return root


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server for the session; call it with a name to get a fresh database's URL."""
    from support.pgcluster import Cluster

    with Cluster() as cluster:
        yield cluster.database


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The site exactly as ``make site`` builds it, into a private folder: its ``html`` root.

    Both languages (the Chinese edition in ``zh/``), with warnings as errors;
    the chapters run through the shared execution cache. Built once per
    session and shared by ``test_site.py``, ``test_publish.py``,
    ``test_translations.py`` and the browser tests.
    """
    from autograder.build.book import BuildFailed, build_site

    try:
        return build_site(tmp_path_factory.mktemp("site") / "html")
    except BuildFailed as exc:
        pytest.fail(f"book build failed:\n{exc}")


@pytest.fixture(scope="session")
def outside_clone():
    """This repository (with its git objects) and its environment, copied outside every temporary folder.

    A sandbox that hides folders by location passes every test run from a
    clone in ``/tmp``; an instructor's clone sits anywhere. The copy keeps the
    working tree as it is (uncommitted changes included); its virtual
    environment is a hard-linked copy of the running one whose editable install
    points at the copy. Yields ``(repository, python)``.
    """
    for temporary in {Path(tempfile.gettempdir()).resolve(), Path("/tmp"), Path("/var/tmp"), Path("/dev/shm")}:
        assert not OUTSIDE.resolve().is_relative_to(temporary), f"{OUTSIDE} is a temporary folder"
    OUTSIDE.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="clone-", dir=OUTSIDE))
    repo = root / "training-part1"
    shutil.copytree(REPO, repo, symlinks=True, ignore=shutil.ignore_patterns(
        ".venv", "_build", ".jupyter_cache", "__pycache__", ".pytest_cache", "*.egg-info"))
    venv = repo / ".venv"
    if subprocess.run(["cp", "-a", "--link", sys.prefix, str(venv)], capture_output=True).returncode != 0:
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run(["cp", "-a", sys.prefix, str(venv)], check=True)
    for site in venv.glob("lib/python3*/site-packages"):
        for path in [*site.glob("__editable__*"), *site.glob("*.dist-info/direct_url.json")]:
            text = path.read_text()
            if str(REPO) in text:
                path.unlink()  # a hard link: write a new file, never through to the original
                path.write_text(text.replace(str(REPO), str(repo)))
    python = venv / "bin" / "python"
    where = subprocess.run([str(python), "-c", "import autograder, sys; print(autograder.__file__, sys.prefix)"],
                           capture_output=True, text=True, cwd="/", check=True).stdout.split()
    assert Path(where[0]).is_relative_to(repo) and Path(where[1]) == venv, where
    yield repo, python
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def plain_kernel(tmp_path_factory):
    """A kernel in a fresh venv holding NumPy, Matplotlib and ipykernel only (pinned), as a learner's.

    Nothing of the course can be imported in it. Its kernel spec is found
    through ``JUPYTER_PATH`` (set for the session); returns the kernel's name.
    """
    root = tmp_path_factory.mktemp("plain")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "--quiet", "-c", str(REPO / "requirements.lock"),
                    "numpy", "matplotlib", "ipykernel"], check=True)
    spec_dir = root / "share" / "jupyter" / "kernels" / "plain"
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [str(py), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "plain", "language": "python"}))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUPYTER_PATH", str(root / "share" / "jupyter"))
        mp.setenv("MPLBACKEND", "Agg")
        yield "plain"


@pytest.fixture(scope="session")
def chromium():
    """``/usr/bin/chromium``, installed from Debian's packages when missing (needs root)."""
    from browser.harness import ensure_chromium
    try:
        return ensure_chromium()
    except RuntimeError as err:
        pytest.fail(f"Debian's Chromium is needed for the browser tests: {err}", pytrace=False)


@pytest.fixture(scope="session")
def browser(chromium):
    """The session's one headless Chromium.

    Playwright's sync API keeps an event loop running while it is open, so a second
    ``sync_playwright()`` in the same session fails: every test asks for this fixture instead.
    """
    from browser.harness import launch
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()
