"""What the feedback says about a failing function besides its cases: the known mistake, or the kind of case that fails.

:func:`advise` runs in the grader's process, after the learner's kernel has
exited, with what the verdict already holds: the hidden cases, the answer
module's outputs, and the learner's outcomes. It runs each known mistake of
the function (:mod:`autograder.judge.catalogue`) on the same inputs, through
the same harness call as the learner's function, and compares outcome with
outcome, case by case:

* a result matches when the hidden test would accept the learner's result if
  the mistake were the reference: the spec's comparison and tolerances (its
  float32 ones for a mistake of precision), after the spec's normalisation;
  identical values always match;
* an exception matches an exception of the same kind (a write into a
  read-only input only another such write);
* a call that changed an argument matches only one that changed the same
  argument;
* and the two must fail the same hidden cases.

A mistake that matches on every case is named, with its explanation and a
link to the book section that teaches the point. When several match (they
give the same results on this student's cases) all are named. When none
does, the advice names the kinds of case that failed
(:data:`autograder.judge.specs.CATEGORIES`) and links the function's section.
Nothing here shows an input, a reference value or any code.
"""
from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from autograder.course import site_url
from autograder.i18n import N_, SOURCE_LANGUAGE, folder, mark
from autograder.judge import catalogue
from autograder.judge.catalogue import Mistake
from autograder.judge.codec import Invalid
from autograder.judge.compare import compare, normalised
from autograder.judge.outcome import Outcome, wrote_into_input
from autograder.judge.specs import CATEGORIES, Spec

#: How many kinds of failing case the advice lists at most.
MAX_CATEGORIES = 3
#: Exceptions that mean "nothing to diagnose yet": the release's placeholder, or no function at all.
_UNATTEMPTED = ("NotImplementedError", "NameError")


@dataclass(frozen=True)
class Advice:
    """The diagnosis of one failing function, and where the book teaches the point.

    Attributes
    ----------
    qualname : str
        The graded function.
    mistakes : tuple of Mistake
        The known mistakes whose results match the learner's on every hidden
        case (empty: none does, or there was nothing to compare).
    categories : tuple of (str, int, int)
        When no mistake matches: ``(category key, failed cases, cases)`` of
        the kinds of case that failed, most telling first.
    unavailable : str
        Why the diagnosis failed, if it did (an error of the grader's own
        code, logged, never shown): the verdict stands without it.
    """

    qualname: str
    mistakes: tuple[Mistake, ...] = ()
    categories: tuple[tuple[str, int, int], ...] = ()
    unavailable: str = ""  # why no diagnosis could be made (a grader bug, for the log; never shown)

    @property
    def ids(self) -> list[str]:
        """The catalogue ids of the matching mistakes (what the exports call the diagnosis)."""
        return [m.id for m in self.mistakes]

    def links(self) -> list[str]:
        """The book sections the advice points to, each once: the mistakes', the function's, the kinds of case'."""
        targets = [m.target for m in self.mistakes] + [catalogue.section(self.qualname)] + [
            CATEGORIES[key].section for key, _, _ in self.categories if CATEGORIES[key].section]
        return [catalogue.url(t) for t in dict.fromkeys(targets)]

    def _parts(self, translate=str):
        """``(lead, [(title, text)])``: the one structure :meth:`text` and :meth:`html` render, before the links.

        ``translate`` (a :class:`autograder.i18n.Catalogue`) writes them in the learner's language.
        """
        t = translate
        if len(self.mistakes) == 1:
            [m] = self.mistakes
            return t(N_("This looks like a known mistake:")), [(t(m.name), t(m.explanation))]
        if self.mistakes:
            return (t(N_("This looks like one of these known mistakes (each gives your results on every hidden "
                         "case):")), [(t(m.name), t(m.explanation)) for m in self.mistakes])
        if self.categories:
            return (t(N_("No known mistake matches all of your results. The failing cases are of these kinds:")),
                    [(t(N_(f"{CATEGORIES[key].name} ({failed} of {total} such cases failed)")),
                      t(CATEGORIES[key].explanation)) for key, failed, total in self.categories])
        return "", []

    def _see(self, links: list[str], translate=str) -> str:
        return translate(N_("See")) + " " + translate(N_(" and ")).join(links)

    @staticmethod
    def _language(translate) -> str:
        """The language ``translate`` writes (a :class:`autograder.i18n.Catalogue`'s; ``str``: English)."""
        return getattr(translate, "language", SOURCE_LANGUAGE)

    def _links(self, translate=str) -> list[str]:
        """:meth:`links` in the edition of the book in ``translate``'s language (``.../zh/book/...``)."""
        inside = folder(self._language(translate))
        site = site_url()
        return [site + f"/{inside}" + a[len(site):] if inside and a.startswith(site + "/") else a
                for a in self.links()]

    def text(self, translate=str) -> str:
        """The advice as plain text, ending with the links to the book (the function's section always among them)."""
        lead, items = self._parts(translate)
        see = self._see(self._links(translate), translate)
        stop, colon = (mark(m, self._language(translate)) for m in (". ", ": "))
        if len(self.mistakes) == 1:
            [(title, text)] = items
            return f"{lead} {title}{stop}{text} {see}"
        return "\n".join(([lead] if lead else []) + [f"  * {title}{colon}{text}" for title, text in items] + [see])

    def html(self, translate=str) -> str:
        """The advice as an HTML block for the feedback page: the same words, with working links."""
        lead, items = self._parts(translate)
        esc = html.escape
        body = [f"<p><strong>{esc(lead)}</strong></p>"] if lead else []
        if items:
            stop = mark(". ", self._language(translate))  # its space (if the language has one) not in bold
            body.append("<ul>" + "".join(f"<li><strong>{esc(title)}{stop.rstrip()}</strong>{stop[len(stop.rstrip()):]}"
                                         f"{esc(text)}</li>" for title, text in items) + "</ul>")
        body.append("<p>" + esc(translate(N_("See"))) + " " + esc(translate(N_(" and "))).join(
            f'<a href="{esc(a)}" target="_blank">{esc(a)}</a>' for a in self._links(translate)) + "</p>")
        return ('<div class="nncourse-advice" style="border-left: 4px solid #d2413a; padding: 0.3em 0.8em; '
                'margin: 0.4em 0;">' + "".join(body) + "</div>")

    def record(self) -> dict:
        """Plain data for the graded notebook's record: ids, category keys and links, nothing else."""
        return {"diagnosis": self.ids, "categories": [key for key, _, _ in self.categories], "see": self.links()}

    @staticmethod
    def empty_record() -> dict:
        return {"diagnosis": [], "categories": [], "see": []}


# -- matching one outcome against another ---------------------------------------------------------

def _identical(a, b) -> bool:
    """Same structure, types, dtypes and values (NaN equal to NaN): what an implementation gives twice."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.dtype == b.dtype
                and a.shape == b.shape and np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))
    if isinstance(a, tuple):
        return (isinstance(b, tuple) and getattr(type(a), "_fields", None) == getattr(type(b), "_fields", None)
                and len(a) == len(b) and all(_identical(x, y) for x, y in zip(a, b)))
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(_identical(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return isinstance(b, dict) and list(a) == list(b) and all(_identical(a[k], b[k]) for k in a)
    if isinstance(a, Invalid):
        return isinstance(b, Invalid) and a.what == b.what
    if type(a) is not type(b):
        return False
    try:
        return bool(a == b) or (a != a and b != b)
    except Exception:
        return False


def _float32_precision(value) -> bool:
    """Whether every float64 number in ``value`` (at any depth) is a float32 number: float32 work cast back."""
    if isinstance(value, np.ndarray):
        if value.dtype != np.float64:
            return True
        finite = value[np.isfinite(value)]
        with np.errstate(over="ignore"):
            return bool(np.array_equal(finite.astype(np.float32).astype(np.float64), finite))
    if isinstance(value, (float, np.float64)):
        return _float32_precision(np.array([value], dtype=np.float64))
    if isinstance(value, (tuple, list)):
        return all(_float32_precision(v) for v in value)
    if isinstance(value, dict):
        return all(_float32_precision(v) for v in value.values())
    return True


def same_outcome(spec: Spec, mistake: Mistake, learner: Outcome, entry: Outcome, expected) -> bool:
    """Whether the learner's outcome on one case is the mistake's, as the hidden test would judge it.

    ``expected`` is the answer module's result on the case: it chooses the
    tolerances (float32 ones for a float32 result) and the normalisation, as
    in the verdict.
    """
    if learner.raised or entry.raised:
        return (learner.raised and entry.raised and learner.kind == entry.kind
                and wrote_into_input(learner.kind, str(learner.got)) == wrote_into_input(entry.kind, str(entry.got)))
    if learner.changed_argument != entry.changed_argument:
        return False
    got, model = learner.got, entry.got
    if mistake.precision == "float32" and _float32_precision(got) != _float32_precision(model):
        return False
    if _identical(got, model):
        return True
    rtol, atol = (spec.rtol32, spec.atol32) if mistake.precision == "float32" else spec.tolerance(expected)
    try:
        if spec.normalise:
            got, model = normalised(got, expected, spec.normalise), normalised(model, expected, spec.normalise)
        problem = spec.check(got, model, rtol, atol) if spec.check else compare(got, model, rtol, atol,
                                                                                  dtype=spec.dtype)
    except Exception:  # a comparison that cannot even be made is no match
        return False
    return problem is None


# -- the advice -------------------------------------------------------------------------------

Run = Callable[[Callable], "tuple[list[Outcome], list[bool]]"]


def failing_categories(cases, failed: list[bool]) -> tuple[tuple[str, int, int], ...]:
    """``(key, failed, total)`` of the kinds of case that fail, most telling first.

    When every ordinary case fails, the function is wrong in general and that
    is the one kind named (its edge cases fail too, for the same reason).
    Otherwise the kinds with failures come by the share of their cases that
    fail, then in the order of :data:`CATEGORIES` (most specific first).
    """
    counts = {key: [0, 0] for key in CATEGORIES}
    for case, bad in zip(cases, failed):
        for key in case.categories:
            counts[key][0] += bool(bad)
            counts[key][1] += 1
    typical_failed, typical_total = counts["typical"]
    if typical_total and typical_failed == typical_total:
        return (("typical", typical_failed, typical_total),)
    order = list(CATEGORIES)
    found = [(key, f, t) for key, (f, t) in counts.items() if f]
    found.sort(key=lambda item: (-item[1] / item[2], order.index(item[0])))
    return tuple(found[:MAX_CATEGORIES])


def advise(spec: Spec, cases, expected: list, learner: list[Outcome], failed: list[bool], run: Run,
           memo: dict) -> Advice:
    """The diagnosis of a function that failed some of ``cases``.

    Parameters
    ----------
    spec : Spec
        The function's hidden-test spec.
    cases, expected : list
        The hidden cases and the answer module's result on each.
    learner : list of Outcome
        What the learner's function gave on each case.
    failed : list of bool
        Which cases the learner's function failed.
    run : callable
        ``function -> (outcomes, failed)``: runs a known mistake on the same
        inputs through the same harness call, and judges it as the learner's.
    memo : dict
        ``{mistake id: (outcomes, failed)}`` already run on these cases.
    """
    qualname = spec.qualname
    if all(o.kind in _UNATTEMPTED for o, bad in zip(learner, failed) if bad):
        return Advice(qualname)
    matching = []
    for mistake in catalogue.entries(qualname):
        if mistake.id not in memo:
            memo[mistake.id] = run(mistake.function)
        outcomes, entry_failed = memo[mistake.id]
        if list(entry_failed) != list(failed):
            continue
        if all(same_outcome(spec, mistake, mine, theirs, exp)
               for mine, theirs, exp in zip(learner, outcomes, expected)):
            matching.append(mistake)
    if matching:
        return Advice(qualname, tuple(matching))
    return Advice(qualname, (), failing_categories(cases, failed))
