"""Maintainer and set-up time: exercise notebooks from templates, course directories, the leak scan.

Nothing here runs learner code.
"""
