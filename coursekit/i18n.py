"""Messages in the learner's language: `_tr("...")` is the translation of an English message.

The checks are written in English. A notebook in another language sets
`LANGUAGE` and fills `MESSAGES` with that language's translations (the
Chinese notebooks do so in their helpers cell, from the catalogue
`coursekit/locale/zh_CN/LC_MESSAGES/coursekit.po`); without them every
message stays English.

A message may be an f-string whose values are only known at run time:
`_tr(f"{n} of {total} checks failed")`. Its catalogue entry writes the values
as numbered holes, `{0} of {1} checks failed`, and so does its translation
(`{1} 项检查中有 {0} 项未通过`), which may put them in another order; the
values themselves are translated too when they are messages.

(Not `_`, gettext's usual name: in a notebook, IPython rebinds `_` to the
last result shown. Not `tr` either: the helpers are pasted into the
notebook and share its namespace, where a learner's or a Lab's `tr` (a
training split) would replace it.)
"""
import re

#: The language of the messages (a gettext code such as "zh_CN"); "en" prints them as written.
LANGUAGE = "en"
#: {English message: translation}; literal braces doubled and run-time values written `{0}`, `{1}`...
MESSAGES = {}

_HOLE = re.compile(r"\{(\d+)\}")

#: How each language writes the marks that join the parts of a message put together at run
#: time: a label and what it labels (": "), a name and the sentence after it (". ").
#: Chinese uses its full-width marks, with no space after them.
MARKS = {"zh_CN": {": ": "：", ". ": "。"}}


class Messages:
    """Translations of messages, with holes for the values an f-string fills in at run time.

    Parameters
    ----------
    table : dict
        `{message: translation}` in `str.format` syntax: `{0}`, `{1}`...
        for run-time values, `{{` and `}}` for literal braces.
    """

    def __init__(self, table):
        self.table = dict(table)
        self._patterns = None

    def _compiled(self):
        """`(regex, translation)` for the messages with holes, those with most fixed text first."""
        if self._patterns is None:
            patterns = []
            for message, translation in self.table.items():
                parts = _HOLE.split(message)
                if len(parts) == 1:
                    continue
                fixed = [part.replace("{{", "{").replace("}}", "}") for part in parts[::2]]
                holes = [int(n) for n in parts[1::2]]
                regex = "".join(re.escape(text) + ("(.+?)" if i < len(holes) else "") for i, text in enumerate(fixed))
                patterns.append((sum(map(len, fixed)), re.compile(regex, re.S), holes, translation))
            patterns.sort(key=lambda item: -item[0])
            self._patterns = patterns
        return self._patterns

    def __call__(self, text):
        """The translation of `text`, or `text` itself when the table has none."""
        if not self.table or not isinstance(text, str) or not text:
            return text
        translation = self.table.get(text.replace("{", "{{").replace("}", "}}"))
        if translation is not None:
            return translation.replace("{{", "{").replace("}}", "}")
        for _, regex, holes, translation in self._compiled():
            match = regex.fullmatch(text)
            if match:
                values = [None] * (max(holes) + 1)
                for hole, value in zip(holes, match.groups()):
                    values[hole] = self(value)
                try:
                    return translation.format(*values)
                except (IndexError, KeyError, ValueError):
                    return text
        return text


_translate = Messages(MESSAGES)


def use(language, table):
    """Print the messages in `language`, from `table` (`{message: translation}`, see `Messages`)."""
    global LANGUAGE, _translate
    LANGUAGE, _translate = language, Messages(table)


def _tr(text):
    """`text` in the notebook's language (see the module's docstring)."""
    return _translate(text)


def _mark(text):
    """`text` (": " or ". ", see `MARKS`) as the notebook's language writes it between two parts of a message."""
    return MARKS.get(LANGUAGE, {}).get(text, text)
