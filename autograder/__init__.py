"""The course's grader: exercise notebooks built from templates, hidden tests judged outside the learner's kernel.

The package is a house of wings, each importing only downward::

    cli                     python -m autograder: parses and dispatches, nothing else
     |
    build        grade      build: templates -> source/release notebooks, course set-up, leak scan
     |  \\       / |  \\     grade: nbgrader preprocessors, workers, class batches, collect/export, reports
     |   judge   kernel     judge: what is tested (specs), the wire format, the verdict
     |     |               kernel: one learner kernel: sandbox, fork server, launcher
     |   nbgrader_run       nbgrader_run: the real nbgrader command in a course directory
     |     |
    exercise  course        exercise: a template's grammar, parsed once; course: paths, chapters, secret
      i18n                  i18n: the course's languages and its own message catalogues

The rule (``tests/test_architecture.py`` checks it on every import, those
inside functions included): a module imports modules of its own wing and of
lower floors only (cli 3; build, grade 2; judge, kernel, nbgrader_run 1;
exercise, i18n 0.5; course 0); the kernel wing imports nothing of ours outside itself;
nothing imports the CLI but ``__main__``; there is no import cycle. The judge
also imports the answer module (``solutions``), which is never shown to
learners. ``nbgrader_config.py`` is not a module but the configuration file
every course directory loads.

Where to start reading: ``CONTRIBUTING.md`` at the repository's root has the
recipes (add a graded function, change a tolerance, add a chapter).
"""
