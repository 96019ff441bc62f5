#!/usr/bin/env python
"""Time the answer module's heavy kernels against PyTorch on the CPU, same thread count.

Kernels (all float64, forward + backward in one timed call):

* batch norm, training mode, (N, D) = (4096, 1024): ``batchnorm_forward`` +
  ``batchnorm_backward_alt`` (the closed form; the step-by-step
  ``batchnorm_backward`` is timed too, as an informative row without a target)
  against ``F.batch_norm(..., training=True)`` + autograd;
* softmax cross-entropy, scores (4096, 1024), labels (4096,): ``cross_entropy``
  against ``F.cross_entropy`` + autograd;
* layer norm, (4096, 1024): ``layernorm_forward`` + ``layernorm_backward``
  against ``F.layer_norm`` + autograd;
* group norm, G = 32, on (N, C) = (4096, 1024), and on small images (N, C, H, W) =
  (64, 64, 8, 8) as an informative row without a target:
  ``groupnorm_forward`` + ``groupnorm_backward`` against ``F.group_norm`` + autograd.

Method: both sides get the same inputs and the same thread count (``--threads``,
default 1); both results are compared with ``assert_allclose`` before anything
is timed; each kernel is run ``--warmup`` times, then timed ``--repeat`` times
with ``time.perf_counter`` (ours and torch taking turns) and the best time is
reported. The target is ours/torch <= 1.5.

Run from the repository root (torch is optional; without it only our timings
are printed)::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \\
        PYTHONPATH=. /path/to/python benchmarks/bench_kernels.py [--threads 2]
"""
import argparse
import os
import sys
import time
from pathlib import Path

TARGET = 1.5
RTOL, ATOL = 1e-9, 1e-12  # float64: only summation order may differ


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--threads", type=int, default=1, help="threads for NumPy's BLAS and for torch (default 1)")
    p.add_argument("--repeat", type=int, default=7, help="timed runs per kernel; the best is reported (default 7)")
    p.add_argument("--warmup", type=int, default=2, help="untimed runs per kernel first (default 2)")
    p.add_argument("--strict", action="store_true", help="exit with status 1 if a kernel misses the target")
    args = p.parse_args(argv)
    if args.threads < 1 or args.repeat < 1 or args.warmup < 0:
        p.error("--threads and --repeat must be >= 1, --warmup >= 0")
    return args


ARGS = parse_args()

# Thread counts must be fixed before NumPy (and its BLAS) or torch is imported;
# threadpoolctl, when present, enforces the limit at run time as well.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = str(ARGS.threads)

import numpy as np  # noqa: E402
from numpy.testing import assert_allclose  # noqa: E402

try:
    import threadpoolctl  # noqa: E402
except ImportError:
    threadpoolctl = None

try:
    import torch  # noqa: E402
    import torch.nn.functional as F  # noqa: E402
except ImportError:
    torch = None

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from solutions.losses import cross_entropy  # noqa: E402
from solutions.normalization import (  # noqa: E402
    batchnorm_backward,
    batchnorm_backward_alt,
    batchnorm_forward,
    groupnorm_backward,
    groupnorm_forward,
    init_running_stats,
    layernorm_backward,
    layernorm_forward,
)

EPS = 1e-5
MOMENTUM = 0.1


def best_of(fns, repeat, warmup):
    """Best wall time in seconds of each callable in ``fns``, after ``warmup`` untimed calls.

    The callables take turns (ours, torch, ours, torch, ...), so a burst of load
    from elsewhere on the machine does not land on one side only.
    """
    for _ in range(warmup):
        for fn in fns:
            fn()
    best = [float("inf")] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            t0 = time.perf_counter()
            fn()
            best[i] = min(best[i], time.perf_counter() - t0)
    return best


def check(kernel, names, ours, theirs):
    """Each result of ``ours`` equals the matching one of ``theirs`` within RTOL/ATOL."""
    assert len(names) == len(ours) == len(theirs), kernel
    for name, a, b in zip(names, ours, theirs):
        b = b.detach().numpy() if isinstance(b, torch.Tensor) else np.asarray(b)
        assert_allclose(a, b, rtol=RTOL, atol=ATOL, err_msg=f"{kernel}: {name} differs from torch")


# --------------------------------------------------------------------------
# the kernels: each case builds (ours, torch) callables returning comparable arrays
# --------------------------------------------------------------------------


def _leaf(a):
    return torch.tensor(a, dtype=torch.float64, requires_grad=True)


def _torch_backward(out, dout, leaves):
    for t in leaves:
        t.grad = None
    out.backward(dout)
    return [t.grad for t in leaves]


def case_batchnorm(rng, N, D, backward):
    x = rng.normal(1.0, 3.0, size=(N, D))
    gamma, beta = rng.normal(1.0, 0.5, size=D), rng.normal(size=D)
    dout = rng.normal(size=(N, D))
    running = init_running_stats(D)

    def ours():
        out, cache, new_running = batchnorm_forward(x, gamma, beta, running, training=True,
                                                    momentum=MOMENTUM, eps=EPS)
        dx, dgamma, dbeta = backward(dout, cache)
        return out, dx, dgamma, dbeta, new_running.mean, new_running.var

    if torch is None:
        return ours, None
    xt, gt, bt, dt = _leaf(x), _leaf(gamma), _leaf(beta), torch.tensor(dout)

    def theirs():
        rm, rv = torch.zeros(D, dtype=torch.float64), torch.ones(D, dtype=torch.float64)
        out = F.batch_norm(xt, rm, rv, gt, bt, training=True, momentum=MOMENTUM, eps=EPS)
        return [out, *_torch_backward(out, dt, (xt, gt, bt)), rm, rv]

    return ours, theirs


def case_cross_entropy(rng, N, C):
    scores = rng.normal(0.0, 3.0, size=(N, C))
    y = rng.integers(0, C, size=N)

    def ours():
        loss, dscores = cross_entropy(scores, y)
        return loss, dscores

    if torch is None:
        return ours, None
    st, yt = _leaf(scores), torch.tensor(y, dtype=torch.int64)

    def theirs():
        st.grad = None
        loss = F.cross_entropy(st, yt)
        loss.backward()
        return loss, st.grad

    return ours, theirs


def case_layernorm(rng, N, D):
    x = rng.normal(1.0, 3.0, size=(N, D))
    gamma, beta = rng.normal(1.0, 0.5, size=D), rng.normal(size=D)
    dout = rng.normal(size=(N, D))

    def ours():
        out, cache = layernorm_forward(x, gamma, beta, eps=EPS)
        return (out, *layernorm_backward(dout, cache))

    if torch is None:
        return ours, None
    xt, gt, bt, dt = _leaf(x), _leaf(gamma), _leaf(beta), torch.tensor(dout)

    def theirs():
        out = F.layer_norm(xt, (D,), gt, bt, eps=EPS)
        return [out, *_torch_backward(out, dt, (xt, gt, bt))]

    return ours, theirs


def case_groupnorm(rng, shape, G):
    C = shape[1]
    x = rng.normal(1.0, 3.0, size=shape)
    gamma, beta = rng.normal(1.0, 0.5, size=C), rng.normal(size=C)
    dout = rng.normal(size=shape)

    def ours():
        out, cache = groupnorm_forward(x, gamma, beta, G, eps=EPS)
        return (out, *groupnorm_backward(dout, cache))

    if torch is None:
        return ours, None
    xt, gt, bt, dt = _leaf(x), _leaf(gamma), _leaf(beta), torch.tensor(dout)

    def theirs():
        out = F.group_norm(xt, G, gt, bt, eps=EPS)
        return [out, *_torch_backward(out, dt, (xt, gt, bt))]

    return ours, theirs


N, D = 4096, 1024
G = 32
NORM_LABELS = ("out", "dx", "dgamma", "dbeta")
CASES = [
    # (row label, labels of the compared arrays, builder, has a target)
    (f"batchnorm fwd+bwd_alt ({N}, {D})", NORM_LABELS + ("running mean", "running var"),
     lambda rng: case_batchnorm(rng, N, D, batchnorm_backward_alt), True),
    (f"cross_entropy loss+grad ({N}, {D})", ("loss", "dscores"),
     lambda rng: case_cross_entropy(rng, N, D), True),
    (f"layernorm fwd+bwd ({N}, {D})", NORM_LABELS,
     lambda rng: case_layernorm(rng, N, D), True),
    # Small images: per-call overhead and NumPy's slow broadcasting along
    # 64-element rows dominate (see benchmarks/README.md); informative, outside
    # the target sizes (N = 4096, D = 1024) the course's issue set.
    (f"groupnorm fwd+bwd (64, 64, 8, 8) G={G}", NORM_LABELS,
     lambda rng: case_groupnorm(rng, (64, 64, 8, 8), G), False),
    (f"groupnorm fwd+bwd ({N}, {D}) G={G}", NORM_LABELS,
     lambda rng: case_groupnorm(rng, (N, D), G), True),
    (f"batchnorm fwd+bwd step-by-step ({N}, {D})", NORM_LABELS + ("running mean", "running var"),
     lambda rng: case_batchnorm(rng, N, D, batchnorm_backward), False),
]


# --------------------------------------------------------------------------
# report
# --------------------------------------------------------------------------


def describe_environment():
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, threads requested: {ARGS.threads}, "
          f"{os.cpu_count()} CPU(s), load average {os.getloadavg()[0]:.2f} (others' load skews timings)")
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        value = os.environ.get(var)
        if value is not None:
            print(f"warning: {var}={value} is set; it can slow NumPy's OpenBLAS "
                  f"(unset it together with the other for this command only)")
    if threadpoolctl is None:
        print("threadpoolctl: not installed (thread count set through OPENBLAS/OMP/MKL_NUM_THREADS only)")
    else:
        for info in threadpoolctl.threadpool_info():
            kernel = f", kernel {info['architecture']}" if info.get("architecture") else ""
            layer = f", {info['threading_layer']}" if info.get("threading_layer") else ""
            print(f"threadpoolctl: {info['user_api']}/{info['internal_api']} {info.get('version') or ''}"
                  f"{kernel}, {info['num_threads']} thread(s){layer} ({info['filepath']})")
    if torch is None:
        print("torch: not installed")
    else:
        print(f"torch {torch.__version__}: {torch.get_num_threads()} intra-op thread(s), "
              f"parallel backend {torch.__config__.parallel_info().splitlines()[-1].split(':')[-1].strip()}")
    print("NumPy ufuncs and reductions run on one thread whatever --threads says; "
          "only BLAS calls (matmul, dot) use the thread pool.")
    print()


def main():
    if threadpoolctl is not None:
        _limits = threadpoolctl.threadpool_limits(limits=ARGS.threads)  # noqa: F841 (in force while referenced)
    if torch is not None:
        torch.set_num_threads(ARGS.threads)
    describe_environment()

    rows = []
    for label, what, build, has_target in CASES:
        rng = np.random.default_rng(0)
        ours, theirs = build(rng)
        if theirs is not None:
            check(label, what, ours(), theirs())  # same numbers before any timing
        if theirs is None:
            (t_ours,), t_theirs = best_of([ours], ARGS.repeat, ARGS.warmup), None
        else:
            t_ours, t_theirs = best_of([ours, theirs], ARGS.repeat, ARGS.warmup)
        rows.append((label, t_ours, t_theirs, has_target))

    header = ("kernel (float64)", "ours (ms)", "torch (ms)", "ours/torch", "target", "result")
    table = []
    failed = 0
    for label, t_ours, t_theirs, has_target in rows:
        if t_theirs is None:
            table.append((label, f"{1e3 * t_ours:.2f}", "-", "-", f"<= {TARGET}x" if has_target else "-",
                          "n/a" if has_target else "info"))
            continue
        ratio = t_ours / t_theirs
        if has_target:
            verdict = "PASS" if ratio <= TARGET else "FAIL"
            failed += verdict == "FAIL"
        else:
            verdict = "info"
        table.append((label, f"{1e3 * t_ours:.2f}", f"{1e3 * t_theirs:.2f}", f"{ratio:.2f}x",
                      f"<= {TARGET}x" if has_target else "-", verdict))
    widths = [max(len(r[i]) for r in [header] + table) for i in range(len(header))]
    fmt = "  ".join(f"{{:<{w}}}" if i == 0 else f"{{:>{w}}}" for i, w in enumerate(widths))
    print(fmt.format(*header))
    print("  ".join("-" * w for w in widths))
    for r in table:
        print(fmt.format(*r))
    print()
    checked = (f"; results checked against torch with assert_allclose(rtol={RTOL:g}, atol={ATOL:g}) "
               "before timing" if torch is not None else "")
    print(f"best of {ARGS.repeat} after {ARGS.warmup} warm-up run(s){checked}")
    if torch is None:
        print("torch is not installed: only our timings are shown (install torch in another "
              "environment and run this script there to compare)")
    elif failed:
        print(f"{failed} kernel(s) above the {TARGET}x target")
    return 1 if (ARGS.strict and failed) else 0


if __name__ == "__main__":
    sys.exit(main())
