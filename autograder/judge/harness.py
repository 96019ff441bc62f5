"""Kernel side of the hidden tests: call a learner's function on given inputs, send back what came out.

At autograde time the grader pastes the source of :mod:`autograder.judge.codec`
and of this module into each hidden-tests cell (they need only NumPy, IPython
and the standard library) followed by a call to :func:`run_hidden`. Just
before that cell runs, the grader writes the cell's inputs into the exchange
folder's ``io`` part, which the kernel sees read-only (``in.json`` and
``in.npz``: nothing of any other cell). Inside the learner's kernel
:func:`run_hidden`

1. reads those inputs; every array reaches the learner's function read-only,
   on memory that cannot be made writeable again, so an in-place update raises
   in the learner's code instead of going unseen;
2. calls the learner's function on each case (:func:`run_cases`);
3. publishes, as this cell's output (a display bundle of type
   :data:`RESULTS_MIME`), what the function returned and every argument as it
   is after the call (containers included), reduced to plain data by the
   codec, so nothing the returned object claims about itself (``__eq__``,
   ``__array__`` overrides, subclasses) reaches the grader as behaviour.

It never sees reference outputs and decides nothing: the grader reads the
bundle from the cell's outputs and judges it (:mod:`autograder.judge.verdict`)
after the kernel has exited. Code in the learner's notebook can break this
harness, but then it only spoils the results of the learner's own function in
this cell.

:func:`run_cases` is also how the grader's own tests call a function in
process (:func:`autograder.judge.verdict.run_in_process`): the mutant and
alternative suites vouch for the code that grades.
"""
import contextlib
import io
import os
import warnings

try:  # in the package; in a kernel, the codec's source is pasted above this module's
    from autograder.judge.codec import decode, encode, load, pack
except ImportError:
    pass

#: The MIME type of the display bundle that carries a hidden cell's results.
RESULTS_MIME = "application/vnd.nncourse.hidden-results+json"


def call_case(function, case, arrays, namespace, out_arrays):
    """Call ``function`` on one encoded case with read-only inputs; the encoded outcome.

    Returns ``{"ok": result}`` or ``{"error": [type, message]}``, with every
    argument as it is after the call (``args_after``, ``kwargs_after``).
    Prints and warnings are swallowed: nbgrader fails a cell whose output
    reaches stderr, and a harmless ``RuntimeWarning`` must not cost points.
    """
    args = [decode(d, arrays, namespace, frozen=True) for d in case["args"]]
    kwargs = {k: decode(d, arrays, namespace, frozen=True) for k, d in case["kwargs"].items()}
    sink = io.StringIO()
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            warnings.simplefilter("ignore")
            got = function(*args, **kwargs)
        outcome = {"ok": encode(got, out_arrays)}
    except Exception as exc:  # the learner's bug: recorded, judged outside
        outcome = {"error": [type(exc).__name__, str(exc)[:300]]}
    outcome["args_after"] = [encode(a, out_arrays) for a in args]
    outcome["kwargs_after"] = {k: encode(v, out_arrays) for k, v in kwargs.items()}
    return outcome


def run_cases(function, payload, arrays, namespace=None, name="the function"):
    """Every case of ``payload`` through :func:`call_case`: the results bundle (:func:`pack`)."""
    results, out_arrays = [], {}
    for case in payload["cases"]:
        if not callable(function):
            results.append({"error": ["NameError", f"{name} is not defined: run the cell that defines it"]})
        else:
            results.append(call_case(function, case, arrays, namespace, out_arrays))
    return pack({"results": results}, out_arrays)


def run_hidden(io_dir, name, namespace):
    """Run ``namespace[name]`` on the cases in ``io_dir/in.*``; publish the results as this cell's output."""
    from IPython.display import publish_display_data

    payload, arrays = load(os.path.join(io_dir, "in"))
    function = namespace.get(name)
    bundle = run_cases(function, payload, arrays, namespace, name)
    note = (f"{name}: {len(payload['cases'])} hidden cases run; the grader checks the results." if callable(function)
            else f"{name} is not defined: run the cell that defines it.")
    publish_display_data({RESULTS_MIME: bundle, "text/plain": note})
