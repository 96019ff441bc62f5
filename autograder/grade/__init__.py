"""One submission and a whole class, through nbgrader.

* :mod:`.preprocessors`: the nbgrader preprocessors that run a submission in a
  sandboxed kernel and judge its hidden tests outside it;
* :mod:`.worker`: a long-lived process running nbgrader's autograde in-process;
* :mod:`.batch`: a class as one task per submission, on threads or Dask, resumable;
* :mod:`.gradebook`: one pooled PostgreSQL connection per worker;
* :mod:`.collect`, :mod:`.export`: submissions in, grades and feedback out;
* :mod:`.diagnoses`: each graded function's verdict record (diagnosis, failing
  kinds of case, links), read back from the autograded notebooks.
"""
