"""Find answer-module code or hidden-test code in what students can see.

Students see the built website (HTML pages, downloadable page sources and
notebooks, zipped downloads, the search index), the release notebooks and
whatever ``publish`` writes for them. This scanner takes *fingerprints* of
every function body in ``solutions/`` and of the hidden-test code in
``autograder/judge/`` (specs, verdict, comparisons, diagnosis, the catalogue
of known mistakes: each is one edit away from an answer), and reports every
visible file that contains one, naming the function it comes from. The
feedback's words (the mistakes' names and explanations, the kinds of case)
are string constants, which are not fingerprinted: they are meant to be read.

A fingerprint is a statement or an expression of such a body, printed by
``ast.unparse`` and stripped of all white space, so re-indenting or re-wrapping
the code does not hide it. Fingerprints shorter than ``MIN_LENGTH`` characters
(``x=np.asarray(x)``) are too generic to mean anything and are skipped.

Run it by hand with ``python -m autograder.build.leakscan PATH...``.
"""
from __future__ import annotations

import ast
import functools
import html
import json
import re
import sys
import zipfile
from pathlib import Path

from autograder import exercise
from autograder.course import REPO, TEMPLATES

MIN_LENGTH = 18
JUDGE = REPO / "autograder" / "judge"
VISIBLE_SUFFIXES = {".html", ".txt", ".ipynb", ".md", ".js", ".json", ".py", ".zip"}


def answer_sources() -> list[Path]:
    """The answer module's files."""
    return sorted((REPO / "solutions").glob("*.py"))


def secret_sources(answers: bool = True) -> list[Path]:
    """Files whose code learners must never see: the answer module (unless ``answers`` is off),
    the hidden-test specs, the judge's own comparisons and the catalogue of known mistakes."""
    judge = [*sorted((JUDGE / "specs").glob("*.py")), JUDGE / "verdict.py", JUDGE / "compare.py",
             JUDGE / "diagnosis.py", *sorted((JUDGE / "catalogue").glob("*.py"))]
    return [*answer_sources(), *judge] if answers else judge


SECRET_SOURCES = secret_sources()

_WS = re.compile(r"\s+")


def _squash(text: str) -> str:
    return _WS.sub("", text)


def _given_names() -> dict[str, set[str]]:
    """``{module: names}`` the exercise templates hand to learners with ``# given:`` (public by design)."""
    given: dict[str, set[str]] = {}
    for ex in exercise.all_exercises():
        for qualname in ex.given:
            module, _, name = qualname.rpartition(".")
            given.setdefault(module, set()).add(name)
    return given


def _public_docstrings() -> str:
    """The docstrings of the graded functions, squashed: learners read them in their notebooks."""
    texts = []
    for ex in exercise.all_exercises():
        for graded in ex.graded:
            module, _, name = graded.qualname.rpartition(".")
            path = REPO / "solutions" / f"{module}.py"
            texts += [ast.get_docstring(fn) or "" for fn in ast.walk(ast.parse(path.read_text()))
                      if isinstance(fn, ast.FunctionDef) and fn.name == name]
    return _squash(" ".join(texts))


def _body_nodes(tree: ast.Module, skip=frozenset()):
    """``(function name, node)`` for statements and expressions inside function bodies (docstrings
    excluded), except in functions named in ``skip``."""
    for fn in ast.walk(tree):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) or fn.name in skip:
            continue
        body = fn.body
        if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
            body = body[1:]
        for stmt in body:
            for node in ast.walk(stmt):
                if isinstance(node, (ast.stmt, ast.expr)) and not isinstance(node, (ast.FunctionDef, ast.Constant)):
                    yield fn.name, node


PUBLIC_SOURCES = sorted((REPO / "coursekit").glob("*.py"))
#: Everything the course hands learners from ``coursekit`` (helpers and the practice checks pasted into the
#: release notebooks). A known mistake that a practice check's hint spells out, or a public formula a check
#: recomputes, is not a catalogue secret; the answer module's and the specs' fragments stay secret there.
LEARNER_SIDE = sorted((REPO / "coursekit").rglob("*.py"))


def _simple(node) -> bool:
    """Names, constants and attribute chains: what any caller of a function writes too."""
    if isinstance(node, ast.UnaryOp):
        return _simple(node.operand)
    if isinstance(node, ast.Attribute):
        return _simple(node.value)
    if isinstance(node, (ast.Tuple, ast.List)):
        return all(_simple(e) for e in node.elts)
    return isinstance(node, (ast.Name, ast.Constant))


def _uninformative(node) -> bool:
    """A call with plain arguments (``sigmoid_forward(z)``, ``x.astype(np.float32)``) reveals no method."""
    if isinstance(node, ast.Call):
        return all(_simple(a) for a in node.args) and all(_simple(k.value) for k in node.keywords)
    if isinstance(node, ast.UnaryOp):
        return _uninformative(node.operand)
    if isinstance(node, (ast.Assign, ast.Return)) and node.value is not None:
        return _simple(node.value) or _uninformative(node.value)
    return _simple(node) or isinstance(node, (ast.JoinedStr, ast.Compare))


def fingerprints(sources=SECRET_SOURCES, public_sources=()) -> dict[str, str]:
    """``{squashed code: where it comes from}`` for every secret body fragment worth looking for.

    Computed once per process for the same files in the same state (their
    modification times are part of the key); each call gets its own copy.

    Fragments that also occur in the public helpers (``coursekit``), in
    ``public_sources`` (the answer module, for the self-study edition that
    shows it) or in a graded function's docstring (which the release notebook
    shows, formulas included) are not secrets and are left out, and so are the
    catalogue's fragments that the learner-side code (``LEARNER_SIDE``) shows.
    """
    watched = [*sources, *public_sources, *PUBLIC_SOURCES, *LEARNER_SIDE, *TEMPLATES.glob("*.md"),
               *(REPO / "solutions").glob("*.py")]
    state = tuple((str(path), path.stat().st_mtime_ns) for path in watched)
    return dict(_fingerprints(tuple(sources), tuple(public_sources), state))


@functools.lru_cache(maxsize=8)
def _fingerprints(sources: tuple, public_sources: tuple, state: tuple) -> dict[str, str]:
    public = set()
    for path in PUBLIC_SOURCES:
        public.update(_squash(ast.unparse(n)) for n in ast.walk(ast.parse(path.read_text()))
                      if isinstance(n, (ast.stmt, ast.expr)))
    documented = _public_docstrings()
    learner_side = _squash("".join(path.read_text() for path in LEARNER_SIDE))
    shown = _squash("".join(path.read_text() for path in public_sources))
    prints = {}
    given = _given_names()
    for path in sources:
        tree = ast.parse(path.read_text())
        for function, node in _body_nodes(tree, skip=given.get(path.stem, set())
                                          if path.parent.name == "solutions" else set()):
            if _uninformative(node):
                continue
            code = _squash(ast.unparse(node))
            if (path.is_relative_to(JUDGE / "catalogue") and code in learner_side) or code in shown:
                continue
            if (len(code) >= MIN_LENGTH and code not in public and code not in documented
                    and not code.startswith(("raise", "yieldCase("))):
                prints.setdefault(code, f"{path.relative_to(REPO)}:{node.lineno} ({function})")
    return prints


def visible_text(path: Path, raw: str | None = None) -> str:
    """What a student can read in ``path``: notebook sources, outputs and metadata, page text, or
    every readable member of a zip archive (a download)."""
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            return "\n".join(visible_text(Path(name), archive.read(name).decode(errors="replace"))
                             for name in archive.namelist() if Path(name).suffix in VISIBLE_SUFFIXES - {".zip"})
    raw = path.read_text(errors="replace") if raw is None else raw
    if path.suffix == ".ipynb":
        # Everything in the JSON counts (sources, outputs, metadata, attachments),
        # with JSON string escapes undone so code reads as code.
        try:
            return json.dumps(json.loads(raw), ensure_ascii=False).encode().decode("unicode_escape", errors="replace")
        except ValueError:  # not JSON: read it as it is
            return raw
    if path.suffix == ".html":
        return html.unescape(re.sub(r"<[^>]+>", "", raw))
    return raw


def scan(paths, prints: dict[str, str] | None = None) -> list[tuple[Path, str, str]]:
    """Return ``(file, fingerprint, origin)`` for every secret fragment found under ``paths``."""
    prints = fingerprints() if prints is None else prints
    files = []
    for p in map(Path, paths):
        files += [p] if p.is_file() else [f for f in sorted(p.rglob("*")) if f.suffix in VISIBLE_SUFFIXES]
    found = []
    for f in files:
        text = _squash(visible_text(f))
        for code, origin in prints.items():
            if code in text:
                found.append((f, code, origin))
    return found


def main(argv=None) -> int:
    paths = (argv if argv is not None else sys.argv[1:]) or [str(REPO / "_build" / "html"), str(REPO / "exercises")]
    found = scan(paths)
    for f, code, origin in found:
        print(f"{f}: contains {code[:80]!r} from {origin}")
    print(f"{len(found)} leak(s) found in {', '.join(paths)}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
