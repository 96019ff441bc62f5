"""Trustworthy grading: wrong answers lose their points, right answers always get them.

* :mod:`autograder.judge.catalogue` — the grader's catalogue of known
  mistakes: plausible wrong implementations of every graded function (the
  mistakes learners really make, and the broken promises of the contract: a
  wrong dtype, an input changed, a parameter range or an edge rule ignored),
  each named and explained for learners; ``test_mutants.py`` checks that the
  hidden tests catch every one of them, for several students, and that the
  grader's diagnosis names it; ``test_catalogue.py`` checks its words and
  links, ``test_independent.py`` measures the diagnosis on mistakes written
  apart from it (:mod:`grading.independent`).
* :mod:`grading.alternatives` — correct implementations that differ from the
  answer module (loops, other formulas, float64 computation, warnings,
  prints, other random draws, other spellings of a cache field);
  ``test_alternatives.py`` checks that they get full marks.
* ``test_determinism.py`` — the float32 shortcut of every function and every
  alternative, graded with the inputs of 40 students: one verdict for all.
* ``test_contract.py`` — the judging library itself: read-only inputs,
  mutation found by deep comparison, dtype-aware comparison and its messages.

Everything runs in-process through :func:`autograder.judge.verdict.run_in_process`, no
nbgrader involved; it hands out read-only inputs and passes results through
the kernel's codec, as grading through a kernel does.
"""
