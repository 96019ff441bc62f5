"""The course's languages, and the message catalogues that translate its own strings.

The course is written in English; each other language is a set of gettext
catalogues (``.po`` files, kept up to date by ``make translations``):

==========================================================  ==========================================
``locale/<lang>/LC_MESSAGES/book/<page>.po``                the book's pages (Sphinx's gettext)
``locale/<lang>/LC_MESSAGES/sphinx.po``                     the site's templates (``book/_templates``)
``locale/<lang>/LC_MESSAGES/site.po``                       the site's other strings: settings of
                                                            ``_config.yml``, the book's extensions
``exercises/locale/<lang>/LC_MESSAGES/<slug>.po``           an exercise template's Markdown and messages
``coursekit/locale/<lang>/LC_MESSAGES/coursekit.po``        the visible and practice checks' messages
``autograder/locale/<lang>/LC_MESSAGES/autograder.po``      the feedback: verdicts, hidden cases, diagnoses
==========================================================  ==========================================

A :class:`Catalogue` reads one ``.po`` file as it is (no compiled ``.mo``):
a message that is missing, untranslated or fuzzy comes back in English, so a
half-translated catalogue never breaks anything (``tests/test_translations.py``
fails until it is complete).
"""
from __future__ import annotations

import functools
from pathlib import Path

from autograder.course import REPO
from coursekit.i18n import MARKS, Messages

#: Every language of the course: code (gettext's, as Sphinx's ``language``) -> its own name.
LANGUAGES = {"en": "English", "zh_CN": "中文"}
#: The language everything is written in.
SOURCE_LANGUAGE = "en"
#: Where each language's edition goes, inside the English one: website and exercise notebooks.
_FOLDERS = {"en": "", "zh_CN": "zh"}
#: The folders of the catalogues of each domain (see the table above).
DOMAINS = {
    "site": REPO / "locale",
    "sphinx": REPO / "locale",
    "coursekit": REPO / "coursekit" / "locale",
    "autograder": REPO / "autograder" / "locale",
}
EXERCISES_LOCALE = REPO / "exercises" / "locale"
#: Key of an exercise notebook's metadata that holds the course's settings: ``{"language": "zh_CN"}``.
METADATA = "nncourse"


def N_(message: str) -> str:
    """``message`` itself: marks a message of the grader for the ``autograder`` catalogue (gettext's ``N_``).

    The feedback is composed in English, then written in the notebook's
    language by ``Catalogue("autograder", language)``, which also translates
    an f-string's message once its values are in (see :class:`Catalogue`).
    ``make translations`` extracts every ``N_(...)`` of ``autograder/``.
    """
    return message


def mark(text: str, language: str) -> str:
    """``text`` (``": "`` or ``". "``) as ``language`` writes it between two parts of a message (``"："``).

    The table is :data:`coursekit.i18n.MARKS`, which the learners' notebooks carry too.
    """
    return MARKS.get(language, {}).get(text, text)


def check_language(language: str) -> str:
    """``language`` itself if the course has it; else ValueError naming the languages it has."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}: the course has {', '.join(LANGUAGES)}")
    return language


def folder(language: str) -> str:
    """The folder of ``language``'s edition inside the English one (``""`` for English, ``"zh"``).

    The Chinese website is ``_build/html/zh/`` (``docs/zh/`` when published),
    the Chinese exercise notebooks ``exercises/zh/<slug>.ipynb``.
    """
    return _FOLDERS[check_language(language)]


def notebook_language(nb) -> str:
    """The language an exercise notebook was released in (its metadata ``nncourse.language``; else English).

    The grader writes a submission's feedback in it. A notebook whose metadata
    is missing or names no language of the course counts as English.
    """
    settings = getattr(nb, "metadata", {}).get(METADATA)
    language = settings.get("language") if isinstance(settings, dict) else None
    return language if isinstance(language, str) and language in LANGUAGES else SOURCE_LANGUAGE


def catalogue_path(domain: str, language: str) -> Path:
    """The ``.po`` file of ``domain`` (a key of :data:`DOMAINS`, or ``exercises/<slug>``) in ``language``."""
    if domain.startswith("exercises/"):
        return EXERCISES_LOCALE / language / "LC_MESSAGES" / f"{domain.split('/', 1)[1]}.po"
    return DOMAINS[domain] / language / "LC_MESSAGES" / f"{domain}.po"


@functools.cache
def _read(path: Path, mtime: float) -> dict:
    from babel.messages.pofile import read_po

    with path.open("rb") as fh:
        catalog = read_po(fh)
    table = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, str) and message.string:
            table[message.id] = message.string
    return table


class Catalogue:
    """The translations of one domain into one language (English: none, every message as it is).

    Two ways to look a message up:

    * calling the catalogue, ``catalogue(f"{n} of {total} hidden cases failed")``,
      for the course's own messages (the grader's, the site's, the checks'):
      their catalogue entries are written in ``str.format`` syntax, an
      f-string's values as numbered holes (``{0} of {1} hidden cases failed``),
      literal braces doubled (:class:`coursekit.i18n.Messages`, the one
      implementation the learners' notebooks use too);
    * :meth:`gettext`, the entry for exactly this text: an exercise
      template's Markdown blocks and code strings, which the notebook shows as
      they are written.

    Parameters
    ----------
    domain : str
        ``"site"``, ``"coursekit"``, ``"autograder"`` or ``"exercises/<slug>"``.
    language : str
    """

    def __init__(self, domain: str, language: str = SOURCE_LANGUAGE):
        self.domain, self.language = domain, check_language(language)
        self.path = catalogue_path(domain, language)

    @property
    def table(self) -> dict:
        """``{English: translation}`` of every translated, non-fuzzy message."""
        if self.language == SOURCE_LANGUAGE or not self.path.is_file():
            return {}
        return _read(self.path, self.path.stat().st_mtime)

    def gettext(self, message: str) -> str:
        """The translation of exactly ``message``, or ``message`` itself."""
        return self.table.get(message) or message

    def __call__(self, message: str) -> str:
        """The translation of a message of the course's code, run-time values included (see the class)."""
        return _messages(self.path, self.path.stat().st_mtime if self.table else 0.0, self.language)(message)


@functools.cache
def _messages(path: Path, mtime: float, language: str) -> Messages:
    return Messages(_read(path, mtime) if mtime else {})
