"""One learner kernel: isolation (:mod:`.sandbox`) and a fast start (:mod:`.forkserver`, :mod:`.launcher`).

The grading process uses :mod:`.kernels`. This wing knows nothing of nbgrader,
of the hidden tests or of the course, and imports nothing of ours outside it.
"""
