"""What is tested and how a result is judged: pure code, no processes, no nbgrader.

* :mod:`.specs`: per chapter, each graded function's hidden cases and tolerances;
* :mod:`.codec`: the wire format between the grader and a learner's kernel;
* :mod:`.harness`: the kernel side, pasted (with the codec) into hidden cells;
* :mod:`.compare`: how a value differs from the reference's, in words;
* :mod:`.verdict`: the one path to a verdict: draw inputs, run them through the
  harness (in a kernel, or in process for the grader's own tests), judge.

The judge imports the answer module (``solutions``); nothing it holds is ever
shown to learners (the leak scanner checks).
"""
