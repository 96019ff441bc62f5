"""Test and benchmark infrastructure: a throwaway PostgreSQL server, fake learners' submissions.

Not part of the grader: nothing in ``autograder/`` imports it.
"""
