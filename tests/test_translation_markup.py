"""A translation changes the words, never the markup: maths, code, links and cross-references stay.

Each translated message of every ``.po`` catalogue of the course is compared
with its English original. Sphinx re-parses a translated message as MyST, so a
lost backtick or a changed ``{doc}`` target breaks the Chinese page (or, worse,
builds it with a wrong formula); these checks name the message instead.
Untranslated messages are not judged here (``test_translations.py`` counts them).

A translator runs ``.venv/bin/python -m pytest tests/test_translation_markup.py -k <page>``.
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

REPO = Path(__file__).resolve().parent.parent
CATALOGUES = sorted(p for p in REPO.rglob("*.po") if not {".venv", "_build"} & set(p.relative_to(REPO).parts))

#: ``{role}`content``` (MyST roles), taken out first so that their backticks are not code spans.
#: Not after a word character: ``W{l}`` in code is a name with a placeholder, not a role.
ROLE = re.compile(r"(?<![A-Za-z0-9_}])\{([\w:-]+)\}`([^`]*)`")
#: Display maths ``$$...$$``, then inline maths ``$...$`` (a ``\$`` is a dollar sign, not maths).
DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.S)
INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\$)((?:\\.|[^$\\])+?)\$")
CODE = re.compile(r"(`+)(.+?)\1", re.S)
LINK_TARGET = re.compile(r"\]\(([^)\s]+)\)")
#: Sphinx/Python placeholders in messages of the course's own catalogues: ``{name}``, ``%(name)s``, ``%s``.
PLACEHOLDER = re.compile(r"(?<![{`])\{(?:[A-Za-z_][\w.]*|\d+)?(?:![rsa])?(?::[^{}]*)?\}(?!`)|%\(\w+\)[sdrf]|%[sdrf]")
#: Roles that refer to something: their target must come through unchanged (their shown text may be translated).
#: ``{term}`` is compared without case, as Sphinx looks terms up; ``{glue:*}`` and ``{math}`` are compared whole.
NAMED_ROLES = {"doc", "ref", "numref", "eq", "cite", "cite:p", "cite:t", "download", "func", "class",
               "mod", "attr", "meth", "data", "py:func", "external", "term"}


def _target(role: str, content: str) -> str:
    """``{role}`shown text <target>``` refers to ``target``; ``{role}`target``` to ``target``."""
    match = re.fullmatch(r"(?s).*<([^<>]+)>\s*", content)
    target = (match.group(1) if match else content).strip()
    return f"{{{role}}}`{target.lower() if role == 'term' else target}`"


def markup(text: str) -> dict[str, Counter]:
    """The pieces of ``text`` that a translation must keep, each kind as a multiset."""
    roles = ROLE.findall(text)
    rest = ROLE.sub(" ", text)
    display = DISPLAY_MATH.findall(rest)
    rest = DISPLAY_MATH.sub(" ", rest)
    inline = INLINE_MATH.findall(rest)
    rest = INLINE_MATH.sub(" ", rest)
    return {
        "maths": Counter(m.strip() for m in display + inline),
        "code": Counter(c for _, c in CODE.findall(rest)),
        "references": Counter(_target(r, c) for r, c in roles if r in NAMED_ROLES),
        "other roles": Counter(f"{{{r}}}`{c}`" for r, c in roles if r not in NAMED_ROLES),
        "link targets": Counter(LINK_TARGET.findall(rest)),
        "placeholders": Counter(PLACEHOLDER.findall(rest)),
    }


def problems(original: str, translation: str) -> list[str]:
    """What ``translation`` lost or added compared with ``original`` (empty when it keeps all markup)."""
    found = []
    want, got = markup(original), markup(translation)
    for kind in want:
        missing, extra = want[kind] - got[kind], got[kind] - want[kind]
        if missing or extra:
            found.append(f"{kind}: missing {sorted(missing)} extra {sorted(extra)}")
    return found


def _messages(path: Path):
    with path.open("rb") as fh:
        catalog = read_po(fh)
    for message in catalog:
        if message.id and message.string and isinstance(message.id, str):
            yield message.id, message.string


@pytest.mark.parametrize("path", CATALOGUES, ids=[str(p.relative_to(REPO)) for p in CATALOGUES])
def test_translations_keep_maths_code_and_references(path):
    bad = []
    for original, translation in _messages(path):
        if translation == original:
            continue
        for problem in problems(original, translation):
            bad.append(f"{original[:70]!r}\n      {problem}")
    assert not bad, f"{len(bad)} message(s) of {path.name} changed their markup:\n  " + "\n  ".join(bad[:30])


@pytest.mark.parametrize(("original", "translation", "kind"), [
    ("the slope $f'(z)$ of `relu_forward`", "斜率 $f'(z')$ 与 `relu_forward`", "maths"),
    ("see `relu_forward`", "参见 relu_forward", "code"),
    ("see {doc}`perceptron`", "参见 {doc}`感知机`", "references"),
    ("a {term}`pre-activation`", "一个{term}`预激活`", "references"),
    ("see {ref}`the BN section <sec-bn>`", "见{ref}`批量归一化一节 <sec-batchnorm>`", "references"),
    ("it is {glue:text}`gain:.2f`", "它是 {glue:text}`gain:.1f`", "other roles"),
    ("read [the guide](how-to-use.md)", "阅读[指南](intro.md)", "link targets"),
    ("expected {expected}, got {got}", "期望 {expected}，得到 {actual}", "placeholders"),
    ("{0} of {1} cases", "{1} 个用例中的 {1} 个", "placeholders"),
])
def test_the_check_catches_changed_markup(original, translation, kind):
    assert any(p.startswith(kind) for p in problems(original, translation))


@pytest.mark.parametrize(("original", "translation"), [
    ("the slope $f'(z)$ of `relu_forward`, see {doc}`perceptron`",
     "`relu_forward` 的斜率 $f'(z)$，见 {doc}`perceptron`"),
    ("a {term}`pre-activation`", "一个{term}`预激活 <pre-activation>`"),
    ("see {ref}`the BN section <sec-bn>` and {doc}`perceptron`", "见{ref}`批量归一化一节 <sec-bn>`和{doc}`perceptron`"),
    ("costs \\$5 and $x$", "花费 \\$5，以及 $x$"),
    ("computes `h @ W{l} + b{l}`, so `W{l}`\n  has shape `(D, M)`",
     "计算 `h @ W{l} + b{l}`，所以 `W{l}` 的形状是 `(D, M)`"),
    ("{0} of {1} cases", "{1} 个用例中的 {0} 个"),
])
def test_the_check_accepts_reordered_words(original, translation):
    assert problems(original, translation) == []
