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

#: Every language of the course: code (gettext's, as Sphinx's ``language``) -> its own name.
LANGUAGES = {"en": "English", "zh_CN": "中文"}
#: The language everything is written in.
SOURCE_LANGUAGE = "en"
#: Where each language's website goes, inside the English one.
_SITE_FOLDERS = {"en": "", "zh_CN": "zh"}
#: The folders of the catalogues of each domain (see the table above).
DOMAINS = {
    "site": REPO / "locale",
    "sphinx": REPO / "locale",
    "coursekit": REPO / "coursekit" / "locale",
    "autograder": REPO / "autograder" / "locale",
}
EXERCISES_LOCALE = REPO / "exercises" / "locale"


def check_language(language: str) -> str:
    """``language`` itself if the course has it; else ValueError naming the languages it has."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}: the course has {', '.join(LANGUAGES)}")
    return language


def site_folder(language: str) -> str:
    """The folder of ``language``'s website inside the English one (``""`` for English, ``"zh"``)."""
    return _SITE_FOLDERS[check_language(language)]


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
        if isinstance(message.id, tuple):  # singular and plural
            strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
            if all(strings):
                table[message.id] = tuple(strings)
        elif message.string:
            table[message.id] = message.string
    return table


class Catalogue:
    """The translations of one domain into one language (English: none, every message as it is).

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
        """``{English: translation}`` of every translated, non-fuzzy message (plurals: tuple keys)."""
        if self.language == SOURCE_LANGUAGE or not self.path.is_file():
            return {}
        return _read(self.path, self.path.stat().st_mtime)

    def gettext(self, message: str) -> str:
        """The translation of ``message``, or ``message`` itself."""
        return self.table.get(message) or message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The form for ``n`` of a message with a plural (Chinese has one form for every ``n``)."""
        forms = self.table.get((singular, plural))
        if not forms:
            return singular if n == 1 else plural
        return forms[0] if len(forms) == 1 else forms[0 if n == 1 else 1]
