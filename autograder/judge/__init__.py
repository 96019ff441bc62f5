"""What is tested and how a result is judged: pure code, no processes, no nbgrader.

* :mod:`.specs`: per chapter, each graded function's hidden cases and tolerances;
* :mod:`.codec`: the wire format between the grader and a learner's kernel;
* :mod:`.harness`: the kernel side, pasted (with the codec) into hidden cells;
* :mod:`.compare`: how a value differs from the reference's, in words;
* :mod:`.outcome`: what one call gave (a result or an exception, a changed argument);
* :mod:`.catalogue`: the known mistakes of every graded function, named and
  explained for learners, with the book sections that teach them;
* :mod:`.diagnosis`: which known mistake a failing function's outcomes match,
  or which kinds of case failed;
* :mod:`.verdict`: the one path to a verdict: draw inputs, run them through the
  harness (in a kernel, or in process for the grader's own tests), judge,
  diagnose.

The judge imports the answer module (``solutions``); nothing of its code, nor
of the catalogue's, is ever shown to learners (the leak scanner checks). The
catalogue's names and explanations, and the kinds of case, are the words the
feedback shows.
"""
