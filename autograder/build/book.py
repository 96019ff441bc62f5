"""Build the book: both editions' websites, in English and in Chinese, and the translators' catalogues.

One build path for everything that runs Sphinx on the book: ``make site``
(:func:`build_site`), ``python -m autograder publish`` and the tests
(:func:`build_book`), and ``make translations`` (:func:`update_catalogues`).
Each runs Jupyter Book 1's own Sphinx entry point
(``jupyter_book.sphinx.build_sphinx``, what ``jupyter-book build`` calls) in a
child process, with ``jupyter-book build``'s semantics: the table of contents
``_toc.yml``, warnings as errors, nitpicky, keep going to list every warning.

The settings have one source, ``_config.yml``. :func:`book_config` derives
from it the configuration of one build: the edition (``class`` or
``self-study``, see ``book/_ext/edition.py``), the language, and the shared
execution cache ``_build/.jupyter_cache``: the Chinese pages are built from the
same MyST sources as the English ones, with the same code cells, so every
chapter is executed once for both languages.

The Chinese edition is Sphinx's internationalisation (gettext): the text of
every page is looked up in ``locale/zh_CN/LC_MESSAGES/<docname>.po``; a message
without a translation stays English. The site's own strings that are not on a
page (the book's title, the code-folding prompts, the equation references)
are translated from the catalogue ``locale/zh_CN/LC_MESSAGES/site.po``.

Layout of ``make site``::

    _build/html/            the English site
    _build/html/zh/         the Chinese site (the same pages, same paths)
    _build/.doctrees/       Sphinx's state, one folder per language
    _build/.doctrees-zh_CN/
    _build/.jupyter_cache/  executed chapters, shared by both languages
    _build/gettext/         message templates (.pot), for ``make translations``
"""
from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from autograder.course import REPO
from autograder.i18n import LANGUAGES, Catalogue, folder

log = logging.getLogger("autograder")

CONFIG = REPO / "_config.yml"
TOC = REPO / "_toc.yml"
BUILD = REPO / "_build"
#: Executed chapters, shared by every build (both languages, both editions).
CACHE = BUILD / ".jupyter_cache"
#: Where the book's message catalogues live (``sphinx.config.locale_dirs`` in ``_config.yml``).
LOCALE = REPO / "locale"
GETTEXT = BUILD / "gettext"
EDITIONS = ("class", "self-study")
#: Settings of ``_config.yml`` that are text a reader sees: translated from the ``site`` catalogue.
#: Each is a path of keys into the configuration.
TRANSLATED_SETTINGS = (
    ("title",),
    ("author",),
    ("sphinx", "config", "nb_code_prompt_show"),
    ("sphinx", "config", "nb_code_prompt_hide"),
    ("sphinx", "config", "math_eqref_format"),
)


class BuildFailed(RuntimeError):
    """The book did not build; the message holds the end of Sphinx's output."""


def _get(config: dict, keys: tuple[str, ...]):
    for key in keys:
        config = (config or {}).get(key) if isinstance(config, dict) else None
    return config


def _set(config: dict, keys: tuple[str, ...], value) -> None:
    for key in keys[:-1]:
        config = config.setdefault(key, {})
    config[keys[-1]] = value


def site_messages() -> list[str]:
    """The reader-visible settings of ``_config.yml`` (English), for the ``site`` catalogue."""
    config = yaml.safe_load(CONFIG.read_text())
    return [str(_get(config, keys)) for keys in TRANSLATED_SETTINGS if _get(config, keys)]


def book_config(edition: str = "class", language: str = "en") -> dict:
    """The configuration of one build, derived from ``_config.yml``.

    Parameters
    ----------
    edition : {"class", "self-study"}
    language : str
        A key of :data:`autograder.i18n.LANGUAGES` (``"en"``, ``"zh_CN"``).
    """
    if edition not in EDITIONS:
        raise BuildFailed(f"edition must be one of {EDITIONS}, not {edition!r}")
    if language not in LANGUAGES:
        raise BuildFailed(f"language must be one of {sorted(LANGUAGES)}, not {language!r}")
    config = yaml.safe_load(CONFIG.read_text())
    config.setdefault("execute", {})["cache"] = str(CACHE)
    # Jupyter Book resolves local extensions from the configuration file's folder: this one is elsewhere.
    extensions = config.setdefault("sphinx", {}).get("local_extensions") or {}
    for name, path in extensions.items():
        extensions[name] = str((REPO / path).resolve())
    sphinx = config["sphinx"].setdefault("config", {})
    sphinx["project"] = config.get("title", "")  # the catalogues' header names the book
    sphinx["nncourse_edition"] = edition
    sphinx["language"] = language
    if language != "en":
        translate = Catalogue("site", language)
        for keys in TRANSLATED_SETTINGS:
            if _get(config, keys):
                _set(config, keys, translate(str(_get(config, keys))))
        html = config.setdefault("html", {})
        if html.get("baseurl"):
            html["baseurl"] = html["baseurl"].rstrip("/") + "/" + folder(language) + "/"
    if language == "zh_CN":
        sphinx["html_search_options"] = {"dict": str(search_dictionary())}
    return config


GLOSSARY = REPO / "book" / "glossary.md"
#: The heading of the glossary's Chinese -> English table.
_CHINESE_TERMS = "## Terms from the source notes"


def glossary_terms() -> list[str]:
    """The Chinese terms of the glossary's table (its first column, ``权重 / 偏置`` being two terms)."""
    text = GLOSSARY.read_text(encoding="utf-8")
    table = text[text.index(_CHINESE_TERMS):].split("\n## ", 1)[0]
    terms = []
    rows = [line for line in table.splitlines() if line.startswith("|")][2:]  # after the header and its rule
    for line in rows:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if re.search(r"[\u4e00-\u9fff]", cells[0]):
            terms += [t.strip() for t in cells[0].split("/") if re.search(r"[\u4e00-\u9fff]", t)]
    return list(dict.fromkeys(terms))


def search_dictionary() -> Path:
    """A jieba user dictionary of the glossary's Chinese terms, for the Chinese site's search index.

    Sphinx's Chinese search splits the pages into words with jieba; a term
    jieba does not know (批量归一化) is split into smaller words (批量, 归一化),
    so a search for the whole term finds nothing. With the glossary's terms
    as words, jieba's search mode indexes the term and its parts: 批量归一化
    and 归一化 both find the batch-normalization pages. Written into
    ``_build`` (generated, like the site) from the glossary, the one list of terms.
    """
    path = BUILD / "search-dictionary.zh_CN.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(f"{term}\n" for term in glossary_terms())
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path


def _sphinx(source: str, output: str, doctrees: str, config: str, toc: str, builder: str) -> int:
    """In the child process: what ``jupyter-book build --warningiserror --nitpick --keep-going`` does."""
    from jupyter_book.sphinx import build_sphinx

    result = build_sphinx(source, output, doctreedir=doctrees, use_external_toc=True, noconfig=True,
                          path_config=config, confoverrides={"external_toc_path": toc, "nitpicky": True,
                                                                "latex_individualpages": False},
                          builder=builder, warningiserror=True, keep_going=True)
    return result if isinstance(result, int) else 1


def build_book(out: Path, edition: str = "class", language: str = "en", builder: str = "html",
               doctrees: Path | None = None) -> Path:
    """Run Sphinx on the book; returns ``out``, where the ``builder`` wrote.

    Parameters
    ----------
    out : Path
        The output folder (for ``html``: the site's root, ``index.html`` in it).
    edition, language
        See :func:`book_config`.
    builder : {"html", "gettext"}
        ``gettext`` writes the message templates (``<docname>.pot``). Both
        execute the chapters (through the shared cache): a figure's caption
        and alternative text exist only once its code cell has run.
    doctrees : Path, optional
        Sphinx's state between builds; by default a folder beside ``out``
        named after the language, so that an unchanged page is not read again.

    Raises
    ------
    BuildFailed
        When Sphinx fails or warns (warnings are errors), with its output.
    """
    out = Path(out).resolve()
    doctrees = Path(doctrees) if doctrees else out.parent / (".doctrees" if language == "en" and builder == "html"
                                                            else f".doctrees-{builder}-{language}")
    out.parent.mkdir(parents=True, exist_ok=True)
    config = book_config(edition, language)
    with tempfile.NamedTemporaryFile("w", suffix=".yml", prefix="_config.", dir=out.parent, delete=False) as fh:
        yaml.safe_dump(config, fh, sort_keys=False, allow_unicode=True)
        config_path = Path(fh.name)
    arguments = {"source": str(REPO), "output": str(out), "doctrees": str(doctrees), "config": str(config_path),
                 "toc": str(TOC), "builder": builder}
    try:
        proc = subprocess.run([sys.executable, "-c", "import json, sys; from autograder.build.book import _sphinx; "
                               "sys.exit(_sphinx(**json.loads(sys.argv[1])))", json.dumps(arguments)],
                              cwd=REPO, capture_output=True, text=True)
    finally:
        config_path.unlink(missing_ok=True)
    if proc.returncode != 0:
        raise BuildFailed(f"the book did not build ({edition} edition, {language}, {builder}):\n"
                        f"{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
    log.info("built the book (%s edition, %s, %s) into %s", edition, language, builder, out)
    return out


def build_site(out: Path = BUILD / "html", edition: str = "class", languages=tuple(LANGUAGES)) -> Path:
    """Every language of one edition: English in ``out``, each other language in ``out/<folder>``.

    What ``make site`` runs. The languages share the execution cache, so a
    chapter runs once; returns ``out``.
    """
    for language in languages:
        inside = folder(language)
        build_book(out / inside if inside else out, edition, language,
                   doctrees=out.parent / (".doctrees" if not inside else f".doctrees-{language}"))
    return out


def update_catalogues(languages=tuple(lang for lang in LANGUAGES if lang != "en")) -> list[Path]:
    """Refresh the book's catalogues after an English edit (``make translations``).

    Writes the message templates (``_build/gettext/**/*.pot``), then lets
    ``sphinx-intl update`` merge them into ``locale/<language>/LC_MESSAGES``:
    new messages come in untranslated, changed ones are marked fuzzy (with the
    old translation as a start), removed ones are kept as obsolete. Returns
    the catalogues, one per page (``book/intro.po``, ...) and ``sphinx.po``
    (the strings of the site's templates).
    """
    build_book(GETTEXT, builder="gettext")
    sphinx_intl = Path(sys.executable).parent / "sphinx-intl"
    for language in languages:
        subprocess.run([str(sphinx_intl), "update", "--pot-dir", str(GETTEXT), "--locale-dir", str(LOCALE),
                        "--language", language, "--line-width", "-1"], cwd=REPO, check=True,
                       capture_output=True, text=True)
    catalogues = sorted(p for language in languages for p in (LOCALE / language / "LC_MESSAGES").rglob("*.po"))
    for path in catalogues:
        tidy_catalogue(path)
    return catalogues


#: Inline mathematics and code: the same in every language.
_SAME_EVERYWHERE = re.compile(r"\$[^$]*\$|(?<![}`])`[^`]+`")


def untranslatable(message: str) -> bool:
    """True for a message with no words to translate: only inline maths, code, symbols or Chinese."""
    return not re.search(r"[A-Za-z]", _SAME_EVERYWHERE.sub("", message))


#: Flags babel guesses from the text ("5 % of" looks like ``%o``); the book's messages are prose, not
#: format strings, and with the flag ``msgfmt --check`` rejects every translation of such a message.
_FORMAT_FLAGS = ("python-format", "python-brace-format")


def tidy_catalogue(path: Path) -> int:
    """Fill in the messages of ``path`` that have no words, and drop babel's format-string guesses.

    A table cell ``$x$`` or ``中文`` reads the same in every language
    (:func:`untranslatable`): filling it in with itself saves the translator a
    copy and keeps the catalogue complete. Returns how many messages were filled.
    """
    from babel.messages.pofile import read_po, write_po

    with path.open("rb") as fh:
        catalogue = read_po(fh)
    filled, changed = 0, False
    for message in catalogue:
        if not message.id or not isinstance(message.id, str):
            continue
        if not message.string and untranslatable(message.id):
            message.string = message.id
            filled += 1
        for flag in _FORMAT_FLAGS:
            if flag in message.flags:
                message.flags.discard(flag)
                changed = True
        if "no-python-format" in message.flags:  # the translators' stopgap for the same problem
            message.flags.discard("no-python-format")
            changed = True
    if filled or changed:
        with path.open("wb") as fh:
            write_po(fh, catalogue, width=-1)
    return filled
