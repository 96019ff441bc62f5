"""The answer module: reference NumPy implementations of every function the course grades.

One module per chapter slug: ``perceptron``, ``activations``, ``losses``,
``preprocessing``, ``initialization``, ``normalization``, ``layers``.
Conventions (see README, "API"):

* ``op_forward(x, ...) -> (out, cache)`` with ``cache`` a ``NamedTuple``;
* ``op_backward(dout, cache)`` returns the gradients w.r.t. the forward's
  array inputs, in their order;
* inputs are never mutated; float32 in gives float32 out.

This package is secret in the course's sense: students never see its source.
"""
