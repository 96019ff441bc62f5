"""Public helpers for learners and the book: checks, gradient checking, practice, data sets.

Nothing here knows a solution. Each module depends on NumPy only (and may
import another coursekit module that the notebook includes first), so that
the exercise generator can paste its source into a release notebook and the
notebook runs without installing this course.

* `coursekit.checking`: friendly comparisons, `with checks(...)`, the summary;
* `coursekit.gradcheck`: numerical gradients;
* `coursekit.practice`: practice self-checks, one module per chapter;
* `coursekit.datasets`, `coursekit.spiral`: the digits and the spiral.
"""
from coursekit.checking import check_close, check_dtype, check_true, checks, rel_error, summary
from coursekit.gradcheck import check_gradient, numerical_gradient

__all__ = ["check_close", "check_dtype", "check_true", "checks", "summary", "rel_error", "numerical_gradient",
           "check_gradient"]
