"""The catalogue's words and links: learners read them, so they are plain, precise, code-free and lead somewhere.

Every entry of :mod:`autograder.judge.catalogue` has a stable id, a name and
one or two sentences of explanation without code, and a link to the book
section that teaches the point; every graded function has a section, every
hidden case a kind (:data:`autograder.judge.specs.CATEGORIES`). The links are
checked here against the book's sources (MyST labels, ``:name:`` options and
headings, as Sphinx turns them into anchors); ``tests/test_site.py`` checks
them against the built site.
"""
import re
from pathlib import Path

import numpy as np
import pytest
from docutils.nodes import make_id

from autograder.build.leakscan import fingerprints, scan
from autograder.course import site_url
from autograder.judge import catalogue
from autograder.judge.catalogue import KEY
from autograder.judge.specs import CATEGORIES, all_specs
from grading.graded import SEEDS, all_graded_functions

BOOK = Path(__file__).resolve().parents[2] / "book"

#: What code looks like in prose: backticks, NumPy calls, comparisons and powers as written in Python,
#: indexing, calls of snake_case names, keywords ("return" is an English word too).
CODE = re.compile(r"`|\bnp\.|\bnumpy\.|==|!=|\*\*|\w\[|\b[a-z]+_[a-z_]+\(|\b(def|import|lambda|keepdims)\b")


def anchors(page: str) -> list[str]:
    """The anchors of a book page as Sphinx makes them: MyST labels, ``:name:`` options, heading ids."""
    return anchors_of((BOOK / f"{page}.md").read_text(encoding="utf-8"))


def anchors_of(text: str) -> list[str]:
    found, fenced = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
            continue
        if fenced:
            continue
        if match := re.fullmatch(r"\(([\w-]+)\)=", line.strip()):
            found.append(match.group(1))
        elif match := re.fullmatch(r":name:\s*([\w-]+)", line.strip()):
            found.append(match.group(1))
        elif match := re.match(r"#{1,6} (.+)", line):
            found.append(make_id(match.group(1)))
    return found


def all_targets() -> dict[str, str]:
    """``{"<page>#<anchor>": who links there}`` for every link the feedback can show."""
    targets = {}
    for qualname in all_graded_functions():
        targets.setdefault(catalogue.section(qualname), f"section of {qualname}")
    for entry in catalogue.all_entries():
        targets.setdefault(entry.target, entry.id)
    for category in CATEGORIES.values():
        if category.section:
            targets.setdefault(category.section, f"category {category.key}")
    return targets


def test_every_link_target_is_an_anchor_of_its_book_page():
    missing, ambiguous = [], []
    for target, who in all_targets().items():
        page, _, anchor = target.partition("#")
        if not (BOOK / f"{page}.md").is_file():
            missing.append(f"{who}: no page book/{page}.md")
            continue
        found = anchors(page)
        if anchor not in found:
            missing.append(f"{who}: no anchor #{anchor} in book/{page}.md")
        elif found.count(anchor) > 1:
            ambiguous.append(f"{who}: #{anchor} is the id of {found.count(anchor)} headings of book/{page}.md")
    assert not missing and not ambiguous, "\n".join(missing + ambiguous)


def test_anchors_are_read_as_sphinx_makes_them():
    """Guards the test above: a heading, a MyST label and a directive's name are found."""
    assert {"sigmoid", "leaky-relu-prelu-and-rrelu", "sec-activations-deep-stack"} <= set(anchors("activations"))
    assert anchors_of(":::{admonition} Common misconception\n:name: misc-a\n:::\n## A, b and C's d\n```\n# no\n```") \
        == ["misc-a", "a-b-and-c-s-d"]


def test_links_go_to_the_published_book():
    base = site_url()
    assert base.startswith("https://")
    for entry in catalogue.all_entries():
        page, _, anchor = entry.target.partition("#")
        assert entry.url == f"{base}/book/{page}.html#{anchor}"


def test_every_graded_function_has_a_section_and_known_mistakes_have_unique_stable_ids():
    assert {catalogue.section(q) for q in all_graded_functions()}
    ids = [entry.id for entry in catalogue.all_entries()]
    assert len(ids) == len(set(ids))
    for entry in catalogue.all_entries():
        assert entry.id == f"{entry.qualname}/{entry.key}" and KEY.fullmatch(entry.key), entry.id
        assert all(other in ids for other in catalogue.alike(entry)), f"{entry.id}: ALIKE names an unknown entry"
        assert entry.precision in ("spec", "float32"), entry.id


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[^a-z])", text) if s]


@pytest.mark.parametrize("entry", catalogue.all_entries(), ids=lambda e: e.id)
def test_names_and_explanations_are_words_for_learners(entry):
    assert 3 <= len(entry.name) <= 80 and not entry.name.endswith("."), f"{entry.id}: name {entry.name!r}"
    assert entry.explanation.endswith("."), f"{entry.id}: explanation should end with a full stop"
    assert 1 <= len(_sentences(entry.explanation)) <= 2, f"{entry.id}: one or two sentences, please"
    for text in (entry.name, entry.explanation):
        assert not CODE.search(text), f"{entry.id}: {CODE.search(text).group(0)!r} looks like code in {text!r}"


def test_category_words_are_for_learners_too():
    for category in CATEGORIES.values():
        assert category.name and category.explanation.endswith("."), category.key
        assert 1 <= len(_sentences(category.explanation)) <= 2, category.key
        assert not CODE.search(category.name + " " + category.explanation), category.key


def test_the_words_contain_no_secret_code(tmp_path):
    """The leak scanner finds no answer-module, hidden-test or catalogue code in any text the feedback can show."""
    texts = [text for e in catalogue.all_entries() for text in (e.name, e.explanation)]
    texts += [text for c in CATEGORIES.values() for text in (c.name, c.explanation)]
    page = tmp_path / "feedback-words.txt"
    page.write_text("\n".join(texts), encoding="utf-8")
    prints = fingerprints()
    assert any(origin.startswith("autograder/judge/catalogue/") for origin in prints.values())
    assert scan([page], prints) == []


def test_the_checker_of_words_can_fail(tmp_path):
    """Guards the two tests above: code in an explanation is seen, and so is a catalogue fragment in a text."""
    assert CODE.search("return np.maximum(x, 0)") and CODE.search("use ``x.copy()``")
    assert not CODE.search("The derivative of tanh is 1 − tanh²(x): the cached output must be squared.")
    prints = fingerprints()
    # (No file or folder named "planted" here: test_hostile looks for its attackers' ones in /tmp.)
    fragment = next(code for code, origin in prints.items() if origin.startswith("autograder/judge/catalogue/"))
    page = tmp_path / "feedback-with-code.txt"
    page.write_text(f"This looks like a known mistake: {fragment}.", encoding="utf-8")
    assert scan([page], prints)


def test_every_hidden_case_has_a_kind():
    """Each case belongs to at least one category, so a failure without a known mistake can still be named."""
    unnamed = {}
    for qualname, spec in all_specs().items():
        for seed in SEEDS:
            for case in spec.cases(np.random.default_rng(seed)):
                if not case.categories:
                    unnamed.setdefault(qualname, set()).add(case.label)
                assert set(case.categories) <= set(CATEGORIES)
    assert not unnamed, f"cases whose label matches no category pattern (give them category=...): {unnamed}"
