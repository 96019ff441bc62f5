"""What of an exercise template is translated, and how: one grammar for extracting the messages and applying them.

An exercise notebook in another language is assembled from the same template
(:func:`autograder.build.assemble.assemble` with a ``language``); its
translations are the catalogue ``exercises/locale/<language>/LC_MESSAGES/<slug>.po``.
The messages of a template, in the order of its cells:

Markdown cells
    one message per block (paragraph, heading, list, table), blocks being
    separated by blank lines. The mathematics, the Markdown and the
    ``{{site}}`` placeholders stay in the translation.
Code cells without a directive (checks, the Lab, the summary)
    every comment (``# ...``, without its hash), and every string that a
    learner reads printed: the arguments of ``print`` and of the visible
    checks (``check_close``, ``check_true``... and their ``hint=``). An
    f-string's message is its body as written (``{name}: not implemented
    yet``), and so is its translation, holes included. Other strings (array
    labels, keys, the text of figures) stay English: a figure drawn in a
    learner's Colab has no Chinese font.

Graded cells (solutions, hidden tests) and pasted helpers are never
translated here: the graded cells are identical in every language, so one
grader grades them all, and the helpers translate their own messages
(:mod:`coursekit.i18n`).
"""
from __future__ import annotations

import ast
import io
import json
import re
import tokenize
from collections.abc import Callable

#: Calls whose string arguments a learner reads printed.
MESSAGE_CALLS = frozenset({"print", "check_close", "check_dtype", "check_true", "check_gradient"})
_WORDS = re.compile(r"[A-Za-z]{2,}")
#: Comments that are instructions to tools, not to learners.
_TOOL_COMMENT = re.compile(r"^\s*(noqa|type:|pragma|fmt:)")


def _blocks(source: str) -> list[tuple[int, int]]:
    """``(first, last + 1)`` line ranges of the blank-line-separated blocks of a Markdown cell."""
    lines, blocks, start = source.split("\n"), [], None
    for i, line in enumerate(lines + [""]):
        if line.strip() and start is None:
            start = i
        elif not line.strip() and start is not None:
            blocks.append((start, i))
            start = None
    return blocks


def markdown_messages(source: str) -> list[str]:
    """The messages of a Markdown cell: its blocks that have words."""
    lines = source.split("\n")
    return [text for first, last in _blocks(source) if _WORDS.search(text := "\n".join(lines[first:last]))]


def translate_markdown(source: str, translate: Callable[[str], str]) -> str:
    """The Markdown cell with each block replaced by its translation (a block without one stays)."""
    lines = source.split("\n")
    for first, last in reversed(_blocks(source)):
        text = "\n".join(lines[first:last])
        lines[first:last] = translate(text).split("\n")
    return "\n".join(lines)


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _message_strings(tree: ast.AST) -> list[ast.expr]:
    """The string and f-string nodes passed to :data:`MESSAGE_CALLS`, in source order."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _call_name(node) in MESSAGE_CALLS:
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                if isinstance(arg, ast.JoinedStr) or (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                    found.append(arg)
    return sorted(found, key=lambda n: (n.lineno, n.col_offset))


def _fstring_body(node: ast.JoinedStr, source: str) -> str:
    """An f-string's text as its author wrote it between the quotes: ``{name}: not implemented yet``."""
    parts = []
    for value in node.values:
        if isinstance(value, ast.Constant):
            parts.append(value.value.replace("{", "{{").replace("}", "}}"))
        else:
            expression = ast.get_source_segment(source, value.value)
            conversion = f"!{chr(value.conversion)}" if value.conversion != -1 else ""
            spec = _fstring_body(value.format_spec, source) if value.format_spec else ""
            parts.append("{" + expression + conversion + (":" + spec if spec else "") + "}")
    return "".join(parts)


def _message(node: ast.expr, source: str) -> str:
    return _fstring_body(node, source) if isinstance(node, ast.JoinedStr) else node.value


def _comments(source: str) -> list[tuple[tuple[int, int], tuple[int, int], str]]:
    """``(start, end, text)`` of the comments that have words (text without the ``#``)."""
    found = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            text = token.string.lstrip("#").strip()
            if _WORDS.search(text) and not _TOOL_COMMENT.match(text):
                found.append((token.start, token.end, text))
    return found


def code_messages(source: str) -> list[str]:
    """The messages of a code cell: its comments and printed strings, in source order."""
    tree = ast.parse(source)
    items = [((n.lineno, n.col_offset), _message(n, source)) for n in _message_strings(tree)]
    items += [(start, text) for start, _, text in _comments(source)]
    return [text for _, text in sorted(items) if _WORDS.search(text)]


def _literal(text: str, fstring: bool) -> str:
    """Python source of a string; an f-string's body keeps its holes, which are code."""
    return ("f" if fstring else "") + json.dumps(text, ensure_ascii=False)


def translate_code(source: str, translate: Callable[[str], str]) -> str:
    """The code cell with its comments and printed strings translated (the code itself unchanged)."""
    lines = source.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)

    def at(line: int, col: int) -> int:  # lines count from 1; tokenize counts columns in characters
        return offsets[line - 1] + col

    def at_byte(line: int, col: int) -> int:  # ast counts columns in UTF-8 bytes
        return at(line, len(lines[line - 1].encode()[:col].decode()))

    edits = []
    for node in _message_strings(ast.parse(source)):
        message = _message(node, source)
        translation = translate(message)
        if translation != message:
            edits.append((at_byte(node.lineno, node.col_offset), at_byte(node.end_lineno, node.end_col_offset),
                          _literal(translation, isinstance(node, ast.JoinedStr))))
    for start, end, text in _comments(source):
        translation = translate(text)
        if translation != text:
            edits.append((at(*start), at(*end), "# " + translation))
    for begin, finish, text in sorted(edits, reverse=True):
        source = source[:begin] + text + source[finish:]
    return source
