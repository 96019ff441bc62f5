# nbgrader configuration shared by every course directory made with
# `python -m autograder setup DIR`; that command writes a small
# nbgrader_config.py into DIR which loads this file, so that plain `nbgrader`
# commands run inside DIR use the same settings as our wrappers.
c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads the file)

c.CourseDirectory.course_id = "nn-training-part1"

# One notebook per assignment; the assignment id is the chapter slug.
c.CourseDirectory.notebook_id = "*"

# What learners see in place of a solution body.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# The learner's kernel runs sandboxed (autograder/grade/preprocessors.py: SandboxedExecute
# replaces nbgrader's Execute, so its settings are set on Execute, its parent class).
# Per-cell time limit while autograding: a hidden-tests cell runs a handful of
# small NumPy calls (well under a second); 60 s leaves room for slow machines
# and still bounds a submission that loops forever.
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True
c.Execute.startup_timeout = 120
# Once the last cell has replied, nothing the kernel could still do matters (the
# hidden results are in the exchange folder, the outputs are received): stop it
# at once instead of asking it to shut down and polling until it has.
c.Execute.shutdown_kernel = "immediate"

# Students cannot trim our output checks by printing megabytes.
c.LimitOutput.max_lines = 1000
c.LimitOutput.max_traceback = 100

# LMS downloads (Canvas/Moodle style): files named "<student>_<anything>_<notebook>.ipynb",
# the notebook's name as browsers and LMSs rename it ("Copy of x", "x (1)", "x-1", "X"):
# autograder/grade/collect.py stores each as <slug>.ipynb and logs the rename.
c.ZipCollectApp.archive_directory = "archive"
c.ZipCollectApp.collector_plugin = "autograder.grade.collect.LmsFileNameCollector"

# `nbgrader validate` fails a notebook whose visible checks raise (e.g. an
# unfinished function's NotImplementedError), not only one whose test cells do:
# the release notebooks' hidden-tests cells are empty until grading time.
c.Validator.validate_all = True

# Accidents do not zero a notebook (autograder/grade/repair.py): duplicated, renamed or
# extra grade cells and stale nbgrader metadata are repaired against the release notebook
# before nbgrader checks them, and a deleted hidden-tests cell is put back (nbgrader's
# add_missing_cells, through our OverwriteCells, which puts it where the release has it).
c.Autograde.sanitize_preprocessors = [
    "autograder.grade.repair.RepairSubmission",
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "autograder.grade.repair.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.OverwriteCells.add_missing_cells = True

# Hidden tests are judged outside the learner's kernel (autograder/grade/preprocessors.py):
# inputs are drawn and outputs compared in nbgrader's own process; the kernel
# (autograder/kernel/sandbox.py) only runs the learner's functions, sandboxed.
c.Autograde.autograde_preprocessors = [
    "autograder.grade.preprocessors.PrepareHiddenTests",
    "autograder.grade.preprocessors.SandboxedExecute",
    "autograder.grade.preprocessors.JudgeHiddenTests",
    "autograder.grade.preprocessors.TruncateOutputs",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    # nbgrader's list ends with a second CheckCellMetadata. Autograde's sanitize
    # pass has already validated the submission's metadata against the gradebook,
    # and nothing above changes nbgrader metadata, so the second check could
    # only repeat the first: ~0.1 s of JSON-schema validation per submission.
]
