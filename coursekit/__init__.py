"""Public helpers for learners and the book: gradient checking and friendly comparisons.

Nothing here knows a solution. Each module depends on NumPy only, so that the
exercise generator can paste its source into a release notebook and the
notebook runs without installing this course.
"""
from coursekit.checking import check_close, rel_error
from coursekit.gradcheck import numerical_gradient, check_gradient

__all__ = ["check_close", "rel_error", "numerical_gradient", "check_gradient"]
