"""Grading machinery of the course: exercise assembly, hidden tests, nbgrader wrappers.

* :mod:`autograder.assemble` turns ``exercises/src/<slug>.md`` into nbgrader source notebooks;
* :mod:`autograder.specs` says which inputs and tolerances each graded function is tested with;
* :mod:`autograder.grading` runs those hidden tests (called from the notebooks' hidden cells);
* :mod:`autograder.cli` is the instructor's ``python -m autograder`` command.
"""
