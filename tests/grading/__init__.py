"""Trustworthy grading: wrong answers lose their points, right answers always get them.

* :mod:`grading.mutants` — plausible wrong implementations of every graded
  function (the mistakes learners really make); ``test_mutants.py`` checks
  that the hidden tests catch every one of them, for several students.
* :mod:`grading.alternatives` — correct implementations that differ from the
  answer module (loops, other formulas, float64 computation, warnings,
  prints, other random draws); ``test_alternatives.py`` checks that they get
  full marks.

Everything runs in-process through :func:`autograder.grading.run_cases`, no
nbgrader involved.
"""
