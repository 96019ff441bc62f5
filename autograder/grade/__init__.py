"""One submission and a whole class, through nbgrader.

* :mod:`.preprocessors`: the nbgrader preprocessors that run a submission in a
  sandboxed kernel and judge its hidden tests outside it;
* :mod:`.worker`: a long-lived process running nbgrader's autograde in-process;
* :mod:`.batch`: a class as one task per submission, on threads or Dask, resumable;
* :mod:`.gradebook`: one pooled PostgreSQL connection per worker;
* :mod:`.collect`, :mod:`.export`: submissions in (renamed files recognised),
  grades out (nbgrader, per-function, Canvas and Moodle export plugins);
* :mod:`.repair`: accidents (duplicated, renamed, extra or deleted graded cells,
  stale metadata) repaired against the release notebook, and :mod:`.events`,
  what grading notes about each submission; :mod:`.reasons`: why one could
  not be graded, in words;
* :mod:`.report`, :mod:`.similarity`: the class report and the similarity
  report, for the instructor;
* :mod:`.postgres`: a PostgreSQL gradebook server for a course (``db start``).
* :mod:`.diagnoses`: each graded function's verdict record (diagnosis, failing
  kinds of case, links), read back from the autograded notebooks.
"""
