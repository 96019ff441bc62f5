"""No drift between the languages: every message translated, every page in both, the same graded cells.

The Chinese edition is the English one through gettext catalogues
(``autograder/i18n.py`` lists them). These tests fail, naming the catalogue and
the message, when a message is untranslated or fuzzy, when a catalogue lacks a
message of its English source (run ``make translations``), when a page of the
book has no catalogue or a catalogue no page, and when a Chinese exercise
notebook differs from the English one anywhere a grader looks. The built
site's half (both languages, the language switch, search) is in
``test_site.py``-style tests at the end, on the session's ``built_site``.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
import yaml

from autograder.build import translations
from autograder.course import REPO, chapters
from autograder.i18n import LANGUAGES, SOURCE_LANGUAGE, Catalogue, catalogue_path, folder, notebook_language
from coursekit.i18n import Messages

OTHERS = [language for language in LANGUAGES if language != SOURCE_LANGUAGE]


def _pages() -> list[str]:
    """The docnames of ``_toc.yml`` (``book/intro``, ...), in order."""
    toc = yaml.safe_load((REPO / "_toc.yml").read_text())
    found = [toc["root"]]

    def walk(node):
        for key in ("parts", "chapters", "sections"):
            for child in node.get(key, []) or []:
                if "file" in child:
                    found.append(child["file"])
                walk(child)
    walk(toc)
    return [re.sub(r"\.(md|ipynb)$", "", page) for page in found]


PAGES = _pages()
def _book_catalogue(page: str, language: str) -> Path:
    return REPO / "locale" / language / "LC_MESSAGES" / f"{page}.po"


# -- every message translated, none fuzzy ----------------------------------------------------------

@pytest.mark.parametrize("language", OTHERS)
@pytest.mark.parametrize("page", PAGES)
def test_every_message_of_every_page_is_translated(page, language):
    path = _book_catalogue(page, language)
    assert path.is_file(), f"{page} has no catalogue {path.relative_to(REPO)}: run `make translations`"
    left = translations.unfinished(path)
    assert not left, f"{path.relative_to(REPO)}: {len(left)} message(s) to translate:\n  " + "\n  ".join(left[:20])


@pytest.mark.slow
def test_the_book_catalogues_hold_every_message_of_their_page(tmp_path):
    """An English edit of a page without ``make translations`` fails here (Sphinx's gettext builder, as there)."""
    from babel.messages.pofile import read_po

    from autograder.build.book import build_book

    pots = build_book(tmp_path / "gettext", builder="gettext")
    stale = []
    for pot in sorted(pots.rglob("*.pot")):
        page = str(pot.relative_to(pots).with_suffix(""))
        if page == "sphinx":
            continue
        with pot.open("rb") as fh:
            wanted = {m.id for m in read_po(fh) if m.id}
        for language in OTHERS:
            path = _book_catalogue(page, language)
            with path.open("rb") as fh:
                known = {m.id for m in read_po(fh) if m.id}
            stale += [f"{path.relative_to(REPO)} lacks {m[:80]!r}" for m in sorted(wanted - known)]
    assert not stale, f"run `make translations` ({len(stale)} messages):\n  " + "\n  ".join(stale[:20])


@pytest.mark.parametrize("language", OTHERS)
def test_every_catalogue_is_a_page_of_the_book(language):
    """A page removed from ``_toc.yml`` takes its catalogue with it (no page in one language only)."""
    folder_ = REPO / "locale" / language / "LC_MESSAGES"
    pages = {str(p.relative_to(folder_).with_suffix("")) for p in folder_.rglob("*.po")} - {"sphinx", "site"}
    assert pages == set(PAGES)


#: Every catalogue of the course's own strings, and the site templates' (sphinx.po).
SITE_DOMAINS = [*sorted(translations.domains()), "sphinx"]


@pytest.mark.parametrize("language", OTHERS)
@pytest.mark.parametrize("domain", SITE_DOMAINS)
def test_every_message_of_the_course_is_translated(domain, language):
    """The site's strings, the checks', the feedback's and each exercise notebook's: none left, none fuzzy."""
    path = catalogue_path(domain, language)
    assert path.is_file(), f"no catalogue {path.relative_to(REPO)}: run `make translations`"
    left = translations.unfinished(path)
    assert not left, f"{path.relative_to(REPO)}: {len(left)} message(s) to translate:\n  " + "\n  ".join(left[:20])


@pytest.mark.parametrize("language", OTHERS)
@pytest.mark.parametrize("domain", sorted(translations.domains()))
def test_the_course_catalogues_hold_every_message_of_their_source(domain, language):
    """An English edit of a check, a template or the grader without ``make translations`` fails here."""
    stale = translations.stale(domain, language)
    assert not stale, f"{domain}: run `make translations`:\n  " + "\n  ".join(stale[:20])


def test_an_untranslated_or_fuzzy_message_is_reported(tmp_path):
    """The check above can fail: a catalogue with one of each is reported twice."""
    path = tmp_path / "x.po"
    path.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
                    'msgid "one"\nmsgstr ""\n\n#, fuzzy\nmsgid "two"\nmsgstr "二"\n\nmsgid "three"\nmsgstr "三"\n',
                    encoding="utf-8")
    assert translations.unfinished(path) == ["untranslated: 'one'", "fuzzy: 'two'"]


# -- how a message of the code finds its translation ------------------------------------------------

def test_messages_with_run_time_values_are_translated_and_may_reorder_them():
    translate = Messages({"{0} of {1} checks failed": "{1} 项检查中有 {0} 项未通过", "the result": "结果",
                          "{0} has shape {1}": "{0} 的形状是 {1}", "a {{literal}}": "一个 {{literal}}"})
    assert translate("2 of 5 checks failed") == "5 项检查中有 2 项未通过"
    assert translate("the result has shape (3, 4)") == "结果 的形状是 (3, 4)"  # the value is a message too
    assert translate("a {literal}") == "一个 {literal}"
    assert translate("nothing known") == "nothing known"


def test_an_untranslated_message_stays_english():
    catalogue = Catalogue("autograder", OTHERS[0])
    assert catalogue("a message no catalogue holds: 42") == "a message no catalogue holds: 42"
    assert Catalogue("autograder")("the result") == "the result"


# -- the Chinese exercise notebooks ------------------------------------------------------------

def _graded(nb) -> dict[str, str]:
    return {c.metadata["nbgrader"]["grade_id"]: c.source for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade_id") and
            (c.metadata["nbgrader"].get("solution") or c.metadata["nbgrader"].get("grade"))}


@pytest.mark.parametrize("language", OTHERS)
@pytest.mark.parametrize("slug", chapters())
def test_a_translated_notebook_has_the_same_graded_cells(slug, language):
    """Same grade ids, same points, same code in every solution and hidden-tests cell: one grader for both."""
    english = nbformat.read(REPO / "exercises" / f"{slug}.ipynb", as_version=4)
    other = nbformat.read(REPO / "exercises" / folder(language) / f"{slug}.ipynb", as_version=4)
    assert _graded(other) == _graded(english)
    points = [(c.metadata["nbgrader"]["grade_id"], c.metadata["nbgrader"].get("points"))
              for nb in (english, other) for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert points[:len(points) // 2] == points[len(points) // 2:]
    assert notebook_language(other) == language and notebook_language(english) == SOURCE_LANGUAGE


@pytest.mark.parametrize("language", OTHERS)
@pytest.mark.parametrize("slug", chapters())
def test_a_translated_notebook_says_in_its_language_what_the_catalogue_translates(slug, language):
    """Each translated Markdown block is in the notebook, and the checks' table is the catalogue's."""
    other = nbformat.read(REPO / "exercises" / folder(language) / f"{slug}.ipynb", as_version=4)
    markdown = "\n".join(c.source for c in other.cells if c.cell_type == "markdown")
    table = Catalogue(f"exercises/{slug}", language).table
    for message in translations.exercise_messages(slug):
        if table.get(message) and "{{site}}" not in message and "\n" not in message:
            if message in markdown:
                assert table[message] in markdown or table[message] == message, message
    helpers = next(c.source for c in other.cells if "LANGUAGE = " in c.source)
    assert f"LANGUAGE = {language!r}" in helpers
    for english, translated in list(Catalogue("coursekit", language).table.items())[:50]:
        assert f"{english!r}: {translated!r}," in helpers


# -- the feedback in the notebook's language -------------------------------------------------------

def test_feedback_is_written_in_the_notebooks_language():
    """A known mistake's verdict: the sentences, the case labels' words and the links in the other language."""
    from autograder.judge import catalogue, verdict

    mistake = catalogue.by_id("activations.sigmoid_forward/minus-x")
    judged = verdict.run_in_process("activations.sigmoid_forward", mistake.function, 123)
    english, other = judged.report(), judged.report(language=OTHERS[0])
    assert "hidden cases failed" in english and "known mistake" in english
    translate = Catalogue("autograder", OTHERS[0])
    lead = translate("This looks like a known mistake:")
    assert lead != "This looks like a known mistake:", "the feedback's sentences need translations"
    assert lead in other and "hidden cases failed" not in other
    assert f"/{folder(OTHERS[0])}/book/activations.html#" in other
    assert judged.record() == json.loads(json.dumps(judged.record()))  # the record stays language-neutral


# -- the Chinese site ----------------------------------------------------------------------------

def test_the_chinese_search_knows_the_glossarys_terms_as_words():
    """jieba with the glossary's terms: 批量归一化 is indexed whole and by its parts (search finds either)."""
    import jieba

    from autograder.build.book import glossary_terms, search_dictionary

    assert {"批量归一化", "权重初始化", "学习率"} <= set(glossary_terms())
    tokenizer = jieba.Tokenizer()
    assert "批量归一化" not in tokenizer.lcut_for_search("本章讲批量归一化。")  # why the dictionary is needed
    tokenizer.load_userdict(str(search_dictionary()))
    words = tokenizer.lcut_for_search("本章讲批量归一化与权重初始化。")
    assert {"批量归一化", "归一化", "权重初始化", "初始化"} <= set(words)


@pytest.mark.slow
def test_make_site_builds_every_page_in_both_languages(built_site):
    """The same pages under zh/, marked Chinese, with a search index of Chinese words (jieba)."""
    english = sorted(p.relative_to(built_site) for p in built_site.glob("book/*.html"))
    assert english
    for language in OTHERS:
        root = built_site / folder(language)
        assert sorted(p.relative_to(root) for p in root.glob("book/*.html")) == english
        page = (root / "book" / "normalization.html").read_text(encoding="utf-8")
        assert f'<html lang="{language.replace("_", "-")}"' in page
        index = (root / "searchindex.js").read_text(encoding="utf-8")
        terms = json.loads(index[index.index("(") + 1:index.rindex(")")])["terms"]
        assert {"批量归一化", "归一化", "初始化"} <= set(terms)


# -- the book names the notebooks' Lab sections by their translated titles ----------------------------

def _lab_titles(slug: str) -> list[str]:
    """The ``###`` headings of the Lab section of ``exercises/src/<slug>.md`` (English)."""
    text = (REPO / "exercises" / "src" / f"{slug}.md").read_text()
    lab = text[text.index("Lab:"):] if "Lab:" in text else ""
    return re.findall(r"^### (.+)$", lab.split("\n## ", 1)[0], flags=re.M)


@pytest.mark.parametrize("language", OTHERS)
@pytest.mark.parametrize("slug", chapters())
def test_the_book_names_each_lab_section_as_the_translated_notebook_does(slug, language):
    """A page says "the Lab's *Dead ReLUs*"; its translation must quote the heading the learner's notebook shows."""
    from babel.messages.pofile import read_po

    notebook = Catalogue(f"exercises/{slug}", language)
    with _book_catalogue(f"book/{slug}", language).open("rb") as fh:
        page = [(m.id, m.string) for m in read_po(fh) if m.id and m.string]
    titles = _lab_titles(slug)
    assert titles, f"exercises/src/{slug}.md has no Lab headings"
    wrong = []
    for title in titles:
        heading = notebook.gettext(f"### {title}").removeprefix("###").strip()
        for english, translated in page:
            if f"*{title}*" in english and heading not in translated:
                wrong.append(f"{title!r} -> notebook heading {heading!r}, page says: {translated[:160]!r}")
    assert not wrong, "\n  ".join(["the page and the notebook name a Lab section differently:", *wrong])
