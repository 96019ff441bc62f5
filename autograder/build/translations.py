"""The translators' catalogues: every message of the course extracted from its one source, merged into ``.po`` files.

``make translations`` (:func:`update_all`) refreshes every catalogue after an
English edit; ``tests/test_translations.py`` (:func:`problems`) fails while a
message is untranslated or fuzzy, or a catalogue is missing or stale. The
catalogues and what their messages are (see :mod:`autograder.i18n` for where
they live):

``book/<page>`` and ``sphinx``
    the book's pages and the site's templates: Sphinx's gettext builder and
    ``sphinx-intl`` (:func:`autograder.build.book.update_catalogues`);
``site``
    the site's own strings: the reader-visible settings of ``_config.yml``
    and the calls ``catalogue("...")`` of the book's extensions (``book/_ext``);
``exercises/<slug>``
    an exercise template's Markdown blocks, comments and printed strings
    (:mod:`autograder.build.localize`);
``coursekit``
    the checks' messages: the calls ``_tr("...")`` of ``coursekit``, and the
    strings with words of the practice modules ``coursekit/practice/<slug>.py``
    (labels, hints, problems: their helpers translate them);
``autograder``
    the feedback: the calls ``N_("...")`` of the grader, and the words of its
    data: the kinds of case (``CATEGORIES``), the known mistakes' names and
    explanations, and the labels of the hidden cases (drawn with
    :data:`LABEL_SEEDS` seeds, their numbers made holes).

A message written as an f-string (``_tr(f"{n} of {total} checks failed")``)
is extracted with numbered holes (``{0} of {1} checks failed``); messages of
the course's code are in ``str.format`` syntax (literal braces doubled), an
exercise's exactly as the template writes them.
"""
from __future__ import annotations

import ast
import io
import re
from pathlib import Path

from autograder.build import book, localize
from autograder.course import REPO, TEMPLATES, chapters
from autograder.exercise import directive
from autograder.i18n import LANGUAGES, SOURCE_LANGUAGE, catalogue_path

#: Seeds the hidden cases are drawn with to collect their labels (labels vary with the inputs' shapes).
LABEL_SEEDS = range(40)
#: A run-time number in a hidden case's label: becomes a hole of its message.
_NUMBER = re.compile(r"\((?:\s*-?[\d.]+(?:e[-+]?\d+)?\s*,?)+\)|\[(?:\s*-?[\d.]+(?:e[-+]?\d+)?\s*,?)+\]"
                     r"|(?<![\w.])-?\d+(?:\.\d+)?(?:e[-+]?\d+)?(?![\w.])")
_WORDS = re.compile(r"[A-Za-z]{2,}")


def _languages():
    return [language for language in LANGUAGES if language != SOURCE_LANGUAGE]


# -- messages of Python code ----------------------------------------------------------------

def _format_syntax(node: ast.expr) -> str | None:
    """A string's message in ``str.format`` syntax: literal braces doubled, an f-string's values ``{0}``, ``{1}``..."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.replace("{", "{{").replace("}", "}}")
    if isinstance(node, ast.JoinedStr):
        parts, hole = [], 0
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(value.value.replace("{", "{{").replace("}", "}}"))
            else:
                parts.append("{" + str(hole) + "}")
                hole += 1
        return "".join(parts)
    return None


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def calls(path: Path, names: set[str]) -> list[str]:
    """Messages of the calls ``name("...")`` or ``x.name("...")`` in ``path`` (first argument), in source order."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            message = _format_syntax(node.args[0]) if name in names else None
            if message and _WORDS.search(message):
                found.append((node.lineno, node.col_offset, message))
    return [message for *_, message in sorted(found)]


def strings(path: Path) -> list[str]:
    """Every string of ``path`` with words and spaces, but its docstrings, in source order (a practice module's)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    inner = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
    found = []
    for node in ast.walk(tree):
        if id(node) in skip or id(node) in inner:
            continue
        message = _format_syntax(node)
        if message and _WORDS.search(message) and " " in message.strip():  # a sentence, not a name or key
            found.append((node.lineno, node.col_offset, message))
    return [message for *_, message in sorted(found)]


# -- each domain's messages --------------------------------------------------------------

def site_messages() -> list[str]:
    """The ``site`` catalogue: ``_config.yml``'s reader-visible settings, then the book's extensions."""
    settings = [s.replace("{", "{{").replace("}", "}}") for s in book.site_messages()]
    return settings + [m for path in sorted((REPO / "book" / "_ext").glob("*.py")) for m in calls(path, {"catalogue"})]


def coursekit_messages() -> list[str]:
    """The ``coursekit`` catalogue: ``_tr(...)`` calls, then the practice modules' strings."""
    package = REPO / "coursekit"
    found = [m for path in sorted(package.rglob("*.py")) for m in calls(path, {"_tr"})]
    for slug in chapters():
        practice = package / "practice" / f"{slug}.py"
        if practice.is_file():
            found += strings(practice)
    return found


def label_message(label: str) -> str:
    """A hidden case's label as a message: literal braces doubled, its numbers, shapes and lists made holes."""
    label = label.replace("{", "{{").replace("}", "}}")
    count = iter(range(1000))
    return _NUMBER.sub(lambda m: "{" + str(next(count)) + "}", label)


def autograder_messages() -> list[str]:
    """The ``autograder`` catalogue: the grader's ``N_(...)`` calls, then the words of its data."""
    import numpy as np

    from autograder.exercise import all_exercises
    from autograder.judge import catalogue
    from autograder.judge.specs import CATEGORIES, get_spec

    package = REPO / "autograder"
    def data(text: str) -> str:
        return text.replace("{", "{{").replace("}", "}}")

    found = [m for path in sorted(package.rglob("*.py")) for m in calls(path, {"N_"})]
    for category in CATEGORIES.values():
        found += [data(category.name), data(category.explanation)]
    labels = []
    for ex in all_exercises():
        for graded in ex.graded:
            for mistake in catalogue.entries(graded.qualname):
                found += [data(mistake.name), data(mistake.explanation)]
            spec = get_spec(graded.qualname)
            for seed in LABEL_SEEDS:
                labels += [label_message(case.label) for case in spec.cases(np.random.default_rng(seed))]
    return found + labels


def exercise_messages(slug: str) -> list[str]:
    """The ``exercises/<slug>`` catalogue: the template's Markdown blocks, comments and printed strings."""
    import jupytext

    found = []
    for cell in jupytext.read(TEMPLATES / f"{slug}.md").cells:
        if cell.cell_type == "markdown":
            found += localize.markdown_messages(cell.source)
        elif directive(cell) == (None, None):
            found += localize.code_messages(cell.source)
    return found


def domains() -> dict[str, callable]:
    """Every catalogue of the course's own strings, with the function that lists its messages."""
    found = {"site": site_messages, "coursekit": coursekit_messages, "autograder": autograder_messages}
    for slug in chapters():
        found[f"exercises/{slug}"] = lambda slug=slug: exercise_messages(slug)
    return found


# -- merging into the catalogues -----------------------------------------------------------

def _unique(messages):
    return list(dict.fromkeys(m for m in messages if m))


def template(domain: str, messages: list[str]):
    """A babel catalogue template holding ``messages`` (each once, in order)."""
    from babel.messages.catalog import Catalog

    pot = Catalog(project="Training Neural Networks, Part 1", fuzzy=False)
    for message in _unique(messages):
        pot.add(message, flags=("python-brace-format",) if re.search(r"\{\w*\}", message) else ())
    return pot


def update(domain: str, messages: list[str], language: str) -> Path:
    """Merge ``messages`` into ``domain``'s catalogue in ``language`` (created if missing); returns its path.

    As ``sphinx-intl update``: a new message comes in untranslated, a
    changed one fuzzy with the old translation, a removed one obsolete; a
    message with nothing to translate is given itself
    (:func:`autograder.build.book.untranslatable`). The file is written only
    when something changed.
    """
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    path = catalogue_path(domain, language)
    pot = template(domain, messages)
    if path.is_file():
        with path.open("rb") as fh:
            catalogue = read_po(fh, locale=language)
        pot.creation_date = catalogue.creation_date
    else:
        catalogue = Catalog(locale=language, project=pot.project, fuzzy=False)
    catalogue.update(pot, update_header_comment=False)
    catalogue.fuzzy = False
    for message in catalogue:
        if message.id and not message.string and book.untranslatable(message.id):
            message.string = message.id
    out = io.BytesIO()
    write_po(out, catalogue, width=-1, sort_output=False, ignore_obsolete=False)
    if not path.is_file() or path.read_bytes() != out.getvalue():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(out.getvalue())
    return path


def update_all() -> list[Path]:
    """``make translations``: the book's catalogues, then the course's own, for every language but English."""
    written = book.update_catalogues()
    for domain, messages in domains().items():
        listed = messages()
        written += [update(domain, listed, language) for language in _languages()]
    return written


# -- what is left to do ------------------------------------------------------------------------

def unfinished(path: Path) -> list[str]:
    """The messages of one catalogue that are untranslated or fuzzy (``"untranslated: ..."``)."""
    from babel.messages.pofile import read_po

    with path.open("rb") as fh:
        catalogue = read_po(fh)
    found = []
    for message in catalogue:
        if not message.id:
            continue
        text = message.id if isinstance(message.id, str) else message.id[0]
        if message.fuzzy:
            found.append(f"fuzzy: {text[:120]!r}")
        elif not message.string or (isinstance(message.string, (tuple, list)) and not all(message.string)):
            found.append(f"untranslated: {text[:120]!r}")
    return found


def stale(domain: str, language: str) -> list[str]:
    """Messages of the source that ``domain``'s catalogue lacks (run ``make translations``), or why it is missing."""
    from babel.messages.pofile import read_po

    path = catalogue_path(domain, language)
    if not path.is_file():
        return [f"no catalogue {path.relative_to(REPO)}: run `make translations`"]
    with path.open("rb") as fh:
        known = {m.id for m in read_po(fh) if m.id}
    return [f"not in the catalogue: {m[:120]!r}" for m in _unique(domains()[domain]()) if m not in known]
