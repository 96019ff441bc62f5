"""Which functions are graded, and the students (seeds) the suites grade them for."""
from autograder import exercise
from autograder.course import chapters

#: Seeds of the hidden cases: each stands for one student's inputs.
SEEDS = (7, 2024, 9_876_543_210)


def graded_functions(slug: str) -> list[str]:
    """Qualified names (``"<slug>.<function>"``) of the ``# tests:`` lines of a chapter's exercise."""
    return [g.qualname for g in exercise.load(slug).graded]


def given_names(slug: str) -> list[str]:
    """Names the exercise hands to the learner from the answer module (``# given:`` lines): caches, params, ..."""
    return [qualname.partition(".")[2] for qualname in exercise.load(slug).given]


def all_graded_functions() -> list[str]:
    return [name for slug in chapters() for name in graded_functions(slug)]
