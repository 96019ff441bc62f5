"""The class report: one static HTML page an instructor opens in a browser, every figure with its CSV.

``python -m autograder report COURSE --out DIR`` exports the grades first
(nbgrader's ``grades.csv`` and ``grades-by-function.csv``, :mod:`.export`) and
computes every number of the page from those files and from what grading
noted per submission (``COURSE/logs/<student>/<slug>.json``, written by
:mod:`.batch`), so the page and the grades CSV always agree. The page
(``DIR/report.html``, figures embedded as PNG) shows

1. the score distribution of each exercise (``score-distribution.csv``), after
   a summary table (``summary.csv``);
2. the pass rate of each graded function (``pass-rate-by-function.csv``):
   which functions a class finds hard;
3. the failure rate of each category of hidden case (``failure-rate-by-case.csv``):
   which kinds of input break learners' code (and which tests may be too
   strict); a case's category is its label with the randomly drawn parts
   (shapes, slopes, counts) left out (:func:`case_categories`);
4. the most frequent diagnosed mistakes (``diagnoses.csv``), from the
   ``diagnosis`` column of the per-function breakdown when grading recorded any;
5. the submissions that could not be graded, hit a limit or were repaired,
   with the reason (``problems.csv``);
6. the grading time of each submission (``grading-time.csv``).
"""
from __future__ import annotations

import base64
import csv
import html
import io
import json
import re
import statistics
import time
from collections import Counter
from pathlib import Path

from matplotlib.figure import Figure

from autograder import exercise
from autograder.course import Course, chapter_title
from autograder.grade import events
from autograder.grade.export import export, write_csv
from autograder.judge import verdict

#: Seeds whose hidden cases are compared to tell a label's fixed words from its drawn values.
_PROBE_SEEDS = (11, 23, 37, 41)
_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:e[-+]?\d+)?")
#: Figures' colours: colour-blind safe (Okabe-Ito), dark enough on white.
_BLUE, _ORANGE, _GREY, _RED = "#0072B2", "#D55E00", "#777777", "#CC3311"
#: Kinds of problem the report lists, in order.
NOT_GRADED, LIMIT, REPAIRED = "could not be graded", "hit a limit", "repaired accident"


# -- hidden-case categories -------------------------------------------------------------

def _merge(labels: list[str]) -> str:
    """One category from the same case's labels under several seeds: numbers that vary become "…"."""
    parts = [_NUMBER.split(label) for label in labels]
    numbers = [_NUMBER.findall(label) for label in labels]
    if len({len(p) for p in parts}) != 1 or any(p != parts[0] for p in parts):
        return generic_category(labels[0])
    out = parts[0][0]
    for i, text in enumerate(parts[0][1:]):
        values = {n[i] for n in numbers}
        out += (numbers[0][i] if len(values) == 1 else "…") + text
    return re.sub(r"\((?:…, )*…,?\)", "(…)", re.sub(r"\[(?:…, )*…\]", "[…]", out))


def generic_category(label: str) -> str:
    """A label's category without knowing its spec: shapes, lists and decimals left out."""
    label = re.sub(r"\((?:\d+, )*\d+,?\)", "(…)", label)
    label = re.sub(r"\[(?:\d+, )*\d+\]", "[…]", label)
    return re.sub(r"(?<![\w±.])\d+\.\d+(?:e[-+]?\d+)?", "…", label)


def case_categories(qualname: str) -> list[str]:
    """The category of each hidden case of ``qualname``, in the order its cases are drawn.

    Cases are drawn for a few fixed seeds: the words and numbers that are the
    same under every seed stay, those drawn at random (shapes, slopes, counts)
    become "…" ("float64 input of shape (…)", "alpha = … (a slope above 1)").
    Empty when the number of cases depends on the seed.
    """
    drawn = [[c.label for c in verdict.draw_cases(qualname, seed)[1]] for seed in _PROBE_SEEDS]
    if len({len(d) for d in drawn}) != 1:
        return []
    return [_merge(list(same)) for same in zip(*drawn)]


# -- reading ----------------------------------------------------------------------------

def read_records(course: Course) -> dict[tuple[str, str], dict]:
    """``{(student, slug): record}`` of the last grading of every submission (``COURSE/logs``)."""
    out = {}
    for path in sorted((course.root / "logs").glob("*/*.json")):
        try:
            record = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        out[(record["student"], record["assignment"])] = record
    return out


def _read_csv(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _png(fig: Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode()


def _message_figure(text: str) -> Figure:
    fig = Figure(figsize=(6.5, 1.2))
    fig.text(0.5, 0.5, text, ha="center", va="center", fontsize=12, color=_GREY)
    return fig


# -- the figures ------------------------------------------------------------------------

class Report:
    """The numbers of one report, computed from the exported CSV files and the grading records."""

    def __init__(self, course: Course, out: Path, slugs: list[str] | None = None):
        self.course, self.out = course, out
        grades_csv, by_function_csv = export(course, out / "grades.csv")
        order = {slug: i for i, slug in enumerate(course.released())}
        self.grades = [r for r in _read_csv(grades_csv) if not slugs or r["assignment"] in slugs]
        self.slugs = sorted({r["assignment"] for r in self.grades}, key=lambda s: (order.get(s, 99), s))
        self.by_function = [r for r in _read_csv(by_function_csv) if r["assignment"] in self.slugs]
        self.records = {k: v for k, v in read_records(course).items() if k[1] in self.slugs}
        self.submitted = _submissions(course, self.slugs)
        self.failed = {k for k, rec in self.records.items() if not rec["ok"] and k in self.submitted}
        self.graded = self.submitted - self.failed
        self.files: list[str] = ["grades.csv", by_function_csv.name]

    def csv(self, name: str, header: list[str], rows) -> str:
        write_csv(self.out / name, header, rows)
        self.files.append(name)
        return name

    # 0. summary
    def summary(self) -> tuple[list[str], list[list]]:
        header = ["assignment", "max_score", "students", "submitted", "could_not_be_graded", "mean_score",
                  "mean_score_of_submitted", "median_score_of_submitted"]
        rows = []
        for slug in self.slugs:
            mine = [r for r in self.grades if r["assignment"] == slug]
            scores = [float(r["score"]) for r in mine]
            sub = [float(r["score"]) for r in mine if (r["student_id"], slug) in self.submitted]
            rows.append([slug, f"{float(mine[0]['max_score']):g}", len(mine), len(sub),
                         sum(1 for k in self.failed if k[1] == slug), f"{statistics.fmean(scores):.2f}",
                         f"{statistics.fmean(sub):.2f}" if sub else "", f"{statistics.median(sub):g}" if sub else ""])
        self.csv("summary.csv", header, rows)
        return header, rows

    # 1. score distribution
    def score_distribution(self) -> tuple[Figure, str]:
        rows = []
        n = len(self.slugs)
        if not n:
            return _message_figure("no grades yet"), self.csv("score-distribution.csv", ["assignment", "score",
                                                             "max_score", "students", "of_which_no_submission"], [])
        cols = min(n, 3)
        fig = Figure(figsize=(4.2 * cols, 2.9 * ((n + cols - 1) // cols)), layout="constrained")
        for i, slug in enumerate(self.slugs):
            mine = [r for r in self.grades if r["assignment"] == slug]
            top = float(mine[0]["max_score"])
            sub = Counter(float(r["score"]) for r in mine if (r["student_id"], slug) in self.submitted)
            absent = sum(1 for r in mine if (r["student_id"], slug) not in self.submitted)
            for score in sorted(set(sub) | ({0.0} if absent else set())):
                rows.append([slug, f"{score:g}", f"{top:g}", sub.get(score, 0) + (absent if score == 0 else 0),
                             absent if score == 0 else 0])
            ax = fig.add_subplot((n + cols - 1) // cols, cols, i + 1)
            xs = sorted(sub)
            ax.bar(xs, [sub[x] for x in xs], width=max(top / 40, 0.4), color=_BLUE, label="submitted")
            if absent:
                ax.bar([0], [absent], bottom=[sub.get(0.0, 0)], width=max(top / 40, 0.4), color=_GREY,
                       label="no submission")
            ax.set_title(_title(slug), fontsize=10)
            ax.set_xlim(-top * 0.05 - 0.5, top * 1.05 + 0.5)
            ax.set_xlabel(f"score (of {top:g})")
            ax.set_ylabel("students")
            ax.yaxis.get_major_locator().set_params(integer=True)
            if absent:
                ax.legend(fontsize=8, frameon=False)
        name = self.csv("score-distribution.csv", ["assignment", "score", "max_score", "students",
                                                   "of_which_no_submission"], rows)
        return fig, name

    # 2. pass rate per function
    def pass_rate(self) -> tuple[Figure, str]:
        stats: dict[tuple[str, str], list[int]] = {}
        for r in self.by_function:
            key = (r["student_id"], r["assignment"])
            if key not in self.graded:
                continue
            entry = stats.setdefault((r["assignment"], r["function"]), [0, 0])
            entry[0] += 1
            entry[1] += float(r["score"]) >= float(r["max_score"])
        keys = list(stats)
        rows = [[slug, fn, n, passed, f"{passed / n:.3f}"] for (slug, fn), (n, passed) in stats.items()]
        name = self.csv("pass-rate-by-function.csv", ["assignment", "function", "graded", "passed", "pass_rate"],
                        rows)
        if not keys:
            return _message_figure("no graded submissions yet"), name
        fig = Figure(figsize=(7.5, 0.9 + 0.26 * len(keys)), layout="constrained")
        ax = fig.add_subplot()
        rates = [stats[k][1] / stats[k][0] for k in keys]
        y = list(range(len(keys)))[::-1]
        ax.barh(y, rates, color=[_BLUE if r >= 0.5 else _ORANGE for r in rates])
        ax.set_yticks(y, [f"{fn}  ({slug})" for slug, fn in keys], fontsize=8)
        for yi, k, r in zip(y, keys, rates):
            ax.text(r + 0.01, yi, f"{stats[k][1]}/{stats[k][0]}", va="center", fontsize=7)
        ax.set_xlim(0, 1.12)
        ax.set_xlabel("share of graded submissions with full marks on the function")
        return fig, name

    # 3. failure rate per hidden-case category
    def case_failures(self, top: int = 25) -> tuple[Figure, str]:
        qualnames = {g.name: g.qualname for slug in self.slugs for g in _graded(slug)}
        categories = {}
        counts: dict[tuple[str, str, str], list[int]] = {}
        for (student, slug), record in self.records.items():
            if (student, slug) not in self.graded:
                continue
            for note in record.get("events", []):
                if note.get("kind") != events.CASES or not note.get("ran") or note.get("unimplemented"):
                    continue
                fn = note["function"]
                if fn not in categories:
                    categories[fn] = case_categories(qualnames[fn]) if fn in qualnames else []
                names = categories[fn]
                for i, label in enumerate(note["labels"]):
                    category = names[i] if len(names) == len(note["labels"]) else generic_category(label)
                    entry = counts.setdefault((slug, fn, category), [0, 0])
                    entry[0] += 1
                    entry[1] += i in note["failed"]
        rows = [[slug, fn, cat, n, bad, f"{bad / n:.3f}"] for (slug, fn, cat), (n, bad) in counts.items()]
        name = self.csv("failure-rate-by-case.csv", ["assignment", "function", "category", "cases_run", "failed",
                                                     "failure_rate"], rows)
        worst = sorted((k for k in counts if counts[k][1]), key=lambda k: (-counts[k][1] / counts[k][0], k))[:top]
        if not worst:
            return _message_figure("no hidden case failed in an implemented function"
                                   if counts else "no hidden cases recorded yet"), name
        fig = Figure(figsize=(8.5, 0.9 + 0.27 * len(worst)), layout="constrained")
        ax = fig.add_subplot()
        y = list(range(len(worst)))[::-1]
        rates = [counts[k][1] / counts[k][0] for k in worst]
        ax.barh(y, rates, color=_ORANGE)
        ax.set_yticks(y, [f"{fn}: {_short(cat, 60)}" for _, fn, cat in worst], fontsize=8)
        for yi, k, r in zip(y, worst, rates):
            ax.text(r + 0.01, yi, f"{counts[k][1]}/{counts[k][0]}", va="center", fontsize=7)
        ax.set_xlim(0, 1.12)
        ax.set_xlabel("share of learners' runs of the case that failed (functions left unimplemented not counted)")
        return fig, name

    # 4. diagnosed mistakes
    def diagnoses(self, top: int = 20) -> tuple[Figure, str]:
        found = Counter()
        for r in self.by_function:
            diagnosis = (r.get("diagnosis") or "").strip()
            if diagnosis and (r["student_id"], r["assignment"]) in self.graded:
                found[(r["assignment"], r["function"], diagnosis)] += 1
        rows = [[slug, fn, d, n] for (slug, fn, d), n in found.most_common()]
        name = self.csv("diagnoses.csv", ["assignment", "function", "diagnosis", "submissions"], rows)
        if not found:
            return _message_figure("no diagnoses recorded"), name
        common = found.most_common(top)
        fig = Figure(figsize=(8.5, 0.9 + 0.27 * len(common)), layout="constrained")
        ax = fig.add_subplot()
        y = list(range(len(common)))[::-1]
        ax.barh(y, [n for _, n in common], color=_ORANGE)
        ax.set_yticks(y, [f"{fn}: {_short(d, 60)}" for (_, fn, d), _ in common], fontsize=8)
        ax.set_xlabel("submissions")
        ax.xaxis.get_major_locator().set_params(integer=True)
        return fig, name

    # 5. problems
    def problems(self) -> tuple[Figure, str, list[list[str]]]:
        rows = []
        for (student, slug), record in sorted(self.records.items()):
            log = str(self.course.log(student, slug))
            if not record["ok"]:
                rows.append([student, slug, NOT_GRADED, record.get("reason", ""), log])
            for note in record.get("events", []):
                if note.get("kind") == events.LIMIT:
                    rows.append([student, slug, LIMIT, note["message"], log])
                elif note.get("kind") == events.REPAIRED:
                    rows.append([student, slug, REPAIRED, note["message"], log])
        name = self.csv("problems.csv", ["student_id", "assignment", "kind", "detail", "log"], rows)
        if not rows:
            return _message_figure("every submission was graded, none hit a limit or needed a repair"), name, rows
        kinds = [NOT_GRADED, LIMIT, REPAIRED]
        per = {(slug, kind): len({r[0] for r in rows if r[1] == slug and r[2] == kind})
               for slug in self.slugs for kind in kinds}
        fig = Figure(figsize=(7.5, 0.9 + 0.5 * len(self.slugs)), layout="constrained")
        ax = fig.add_subplot()
        y = list(range(len(self.slugs)))[::-1]
        left = [0] * len(self.slugs)
        for kind, colour in zip(kinds, (_RED, _ORANGE, _BLUE)):
            widths = [per[(slug, kind)] for slug in self.slugs]
            ax.barh(y, widths, left=left, color=colour, label=kind)
            left = [a + b for a, b in zip(left, widths)]
        ax.set_yticks(y, [_title(s) for s in self.slugs], fontsize=8)
        ax.set_xlabel("submissions")
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))
        return fig, name, rows

    # 6. grading time
    def grading_time(self) -> tuple[Figure, str]:
        rows = [[student, slug, f"{rec['seconds']:.2f}", "yes" if rec["ok"] else "no"]
                for (student, slug), rec in sorted(self.records.items())]
        name = self.csv("grading-time.csv", ["student_id", "assignment", "seconds", "graded"], rows)
        seconds = [float(r[2]) for r in rows]
        if not seconds:
            return _message_figure("no grading times recorded yet"), name
        fig = Figure(figsize=(7.5, 2.8), layout="constrained")
        ax = fig.add_subplot()
        ax.hist(seconds, bins=min(30, max(5, len(seconds) // 3)), color=_BLUE)
        ax.axvline(statistics.median(seconds), color=_ORANGE, linestyle="--",
                   label=f"median {statistics.median(seconds):.1f} s")
        ax.set_xlabel("seconds per submission (wall time in its worker)")
        ax.set_ylabel("submissions")
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.legend(fontsize=8, frameon=False)
        return fig, name


def _submissions(course: Course, slugs: list[str]) -> set[tuple[str, str]]:
    """``(student, slug)`` of every submission in the gradebook (nbgrader's CSV scores the others 0 too)."""
    from nbgrader.api import Gradebook

    with Gradebook(course.db_url) as gb:
        return {(s.student.id, a.name) for a in gb.assignments if a.name in slugs for s in a.submissions}


def _graded(slug: str):
    try:
        return exercise.load(slug).graded
    except exercise.TemplateError:
        return ()


def _title(slug: str) -> str:
    try:
        return chapter_title(slug)
    except OSError:
        return slug


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _cell(value) -> str:
    text = html.escape(str(value))
    if str(value).startswith("/") and str(value).endswith(".log"):  # a grading log: link to the file
        short = html.escape("/".join(Path(str(value)).parts[-3:]))
        return f"<td><a href='{html.escape(Path(str(value)).as_uri())}'>{short}</a></td>"
    return f"<td>{text}</td>"


def _table(header: list[str], rows: list[list], limit: int | None = None) -> str:
    shown = rows if limit is None else rows[:limit]
    head = "".join(f"<th scope='col'>{html.escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(_cell(c) for c in row) + "</tr>" for row in shown)
    more = f"<p class='note'>{len(rows) - len(shown)} more rows in the CSV file.</p>" if len(rows) > len(shown) else ""
    return f"<div class='table'><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>{more}"


_CSS = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 62rem; padding: 0 1rem; color: #1a1a1a;
       line-height: 1.5; }
h1 { font-size: 1.7rem; margin-bottom: 0.2rem; } h2 { font-size: 1.25rem; margin-top: 2.2rem;
       border-bottom: 1px solid #ccc; }
.meta, .note { color: #555; font-size: 0.9rem; }
figure { margin: 1rem 0; } figure img { max-width: 100%; height: auto; }
figcaption { font-size: 0.9rem; color: #333; }
.table { overflow-x: auto; } table { border-collapse: collapse; font-size: 0.85rem; margin: 0.5rem 0; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f0f0f0; } a { color: #0550ae; }
"""


def build_report(course: Course, out: Path, slugs: list[str] | None = None) -> Path:
    """Write the class report into ``out`` (``report.html`` and its CSV files); returns the page's path."""
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    report = Report(course, out, slugs)
    summary_header, summary_rows = report.summary()
    sections = []

    def figure(title: str, intro: str, fig: Figure, name: str, alt: str, extra: str = "") -> None:
        sections.append(f"<section><h2>{html.escape(title)}</h2><p>{intro}</p><figure><img "
                        f"src='data:image/png;base64,{_png(fig)}' alt='{html.escape(alt)}'><figcaption>"
                        f"Data: <a href='{html.escape(name)}'>{html.escape(name)}</a></figcaption></figure>"
                        f"{extra}</section>")

    fig, name = report.score_distribution()
    figure("Score distribution", "Scores of each exercise, as in <code>grades.csv</code> (late penalties "
           "applied); learners without a submission are counted at 0, in grey.", fig, name,
           "Histograms of the scores of each exercise")
    fig, name = report.pass_rate()
    figure("Pass rate per graded function", "A function passes when every one of its hidden cases passes "
           "(all or nothing). Only submissions that were graded count; below one half in orange.", fig, name,
           "Bar chart of the share of full marks for each graded function")
    fig, name = report.case_failures()
    figure("Failure rate per category of hidden case", "How often each kind of hidden input failed, over the "
           "functions learners implemented (a function left as <code>raise NotImplementedError</code> is not "
           "counted). A category far above its function's others points at a common mistake, or at a test "
           "worth a second look. The worst 25 are shown; all are in the CSV.", fig, name,
           "Bar chart of failure rates of hidden-case categories")
    fig, name = report.diagnoses()
    none = (out / name).read_text().count("\n") <= 1
    figure("Most frequent diagnosed mistakes", "Known mistakes the grader recognised in failing functions "
           "(the <code>diagnosis</code> column of the per-function breakdown)."
           + (" No diagnoses recorded." if none else ""), fig, name,
           "No diagnoses recorded" if none else "Bar chart of the most frequent diagnosed mistakes")
    fig, name, rows = report.problems()
    figure("Submissions that could not be graded, hit a limit or were repaired",
           "A submission that could not be graded scores 0 until it is fixed and graded again "
           "(<code>grade COURSE --student ID</code>); a repaired one was graded on the learner's code, "
           "but look at it. The full nbgrader log of each is in the <code>log</code> column's file.", fig, name,
           "Bar chart of problem submissions per exercise",
           _table(["student", "assignment", "kind", "detail", "log"], rows, 200) if rows else "")
    fig, name = report.grading_time()
    figure("Grading time per submission", "Wall time of each submission's last grading, in its worker "
           "(kernel, hidden tests and nbgrader's bookkeeping).", fig, name,
           "Histogram of grading times")
    page = out / "report.html"
    files = "".join(f"<li><a href='{html.escape(f)}'>{html.escape(f)}</a></li>" for f in report.files)
    page.write_text(f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Class report: {html.escape(course.root.name)}</title><style>{_CSS}</style></head>
<body><main>
<h1>Class report</h1>
<p class="meta">Course <code>{html.escape(str(course.root))}</code>, {time.strftime('%Y-%m-%d %H:%M')}.
Every number here comes from the CSV files beside this page.</p>
<section><h2>Summary</h2>{_table(summary_header, summary_rows)}</section>
{''.join(sections)}
<section><h2>Files</h2><ul>{files}</ul></section>
</main></body></html>
""", encoding="utf-8")
    return page
