"""Which functions are graded, and the students (seeds) the suites grade them for."""
import re
from pathlib import Path

from autograder.specs import CHAPTERS

ROOT = Path(__file__).resolve().parents[2]
_TESTS_LINE = re.compile(r"^# tests: (\S+) points=\d+\s*$", re.MULTILINE)
_GIVEN_LINE = re.compile(r"^# given: (.+)$", re.MULTILINE)

#: Seeds of the hidden cases: each stands for one student's inputs.
SEEDS = (7, 2024, 9_876_543_210)


def graded_functions(slug: str) -> list[str]:
    """Qualified names (``"<slug>.<function>"``) of the ``# tests:`` lines of a chapter's exercise."""
    text = (ROOT / "exercises" / "src" / f"{slug}.md").read_text(encoding="utf-8")
    return _TESTS_LINE.findall(text)


def given_names(slug: str) -> list[str]:
    """Names the exercise hands to the learner from the answer module (``# given:`` lines): caches, params, ..."""
    text = (ROOT / "exercises" / "src" / f"{slug}.md").read_text(encoding="utf-8")
    return [token.partition(".")[2] for line in _GIVEN_LINE.findall(text) for token in line.split()]


def all_graded_functions() -> list[str]:
    return [name for slug in CHAPTERS for name in graded_functions(slug)]
