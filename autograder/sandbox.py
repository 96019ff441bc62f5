"""Start a learner's kernel with limits, hidden files, and (as root) without privileges.

Used as the ``argv`` of the grading kernelspec that :mod:`autograder.nbgrader_plugins`
installs for each submission::

    python -m autograder.sandbox --exchange DIR --uid UID -f CONNECTION_FILE

Before it becomes the IPython kernel (``exec``), this process

* sets resource limits: CPU seconds, address space, file size, open files,
  processes, no core dumps;
* when running as root: enters a private mount namespace in which the answer
  module, the grader's code and tests, the course directory (gradebook,
  secret, other students' work), root's home and every world-writable
  directory (``/tmp``, ``/var/tmp``, ``/dev/shm``, ``/run/lock``) are covered by
  empty tmpfs mounts, and a private IPC namespace (no System V or POSIX
  shared memory and queues shared with other kernels); then drops to an
  unprivileged uid that owns nothing but the exchange folder. Nothing the
  kernel writes outlives it except in the exchange folder, which the grader
  deletes after the submission: no channel from one learner's kernel to the
  next;
* replaces the environment (no grading secret, no instructor paths).

Without root only the limits and the clean environment apply; the grader logs
that the kernel could still read files the instructor's user can read.
"""
from __future__ import annotations

import argparse
import ctypes
import os
import resource
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

#: Limits for one learner kernel. The hidden tests need well under a second of
#: CPU and a few MB; an experiment cell a few seconds and ~100 MB.
LIMITS = {
    resource.RLIMIT_CPU: 300,                 # seconds of CPU time in total
    resource.RLIMIT_AS: 4 * 2**30,            # address space (NumPy + OpenBLAS reserve a lot virtually)
    resource.RLIMIT_FSIZE: 256 * 2**20,       # largest file it may write
    resource.RLIMIT_NOFILE: 256,
    resource.RLIMIT_CORE: 0,
}
NPROC_LIMIT = 128  # processes and threads of the kernel's private uid (root only)

CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
MS_BIND, MS_REC, MS_PRIVATE = 0x1000, 0x4000, 1 << 18


def hidden_paths(course: Path | None) -> list[Path]:
    """What a learner's kernel must not read."""
    paths = [REPO / "solutions", REPO / "autograder", REPO / "tests", Path.home(),
             # World-writable: a file left there would reach the next learner's kernel.
             Path("/tmp"), Path("/var/tmp"), Path("/dev/shm"), Path("/run/lock")]
    if course is not None:
        paths.append(course)
    paths = sorted({p.resolve() for p in paths if p.is_dir()}, key=lambda p: len(p.parts))
    # A path inside another covered one is hidden already (and mounting on it would fail).
    return [p for i, p in enumerate(paths) if not any(p.is_relative_to(q) for q in paths[:i])]


def _libc():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
    return libc


def _mount(libc, source, target, fstype, flags, data=None):
    enc = lambda v: None if v is None else str(v).encode()  # noqa: E731
    if libc.mount(enc(source), enc(target), enc(fstype), flags, enc(data)) != 0:
        raise OSError(ctypes.get_errno(), f"mount {source} -> {target} failed")


def isolate(course: Path | None, exchange: Path) -> None:
    """Private mount and IPC namespaces, the secret paths covered by empty tmpfs (root only).

    Two things the kernel needs may live under a covered path and are
    bind-mounted back into place on top of the cover: the exchange folder
    (``/var/tmp/nncourse-io-*``) and Python itself (pyenv installs in
    ``~/.pyenv``). Python is first staged inside the exchange folder, and the
    exchange is reached through an open descriptor once its path is covered.
    """
    libc = _libc()
    if libc.unshare(CLONE_NEWNS | CLONE_NEWIPC) != 0:
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNS | CLONE_NEWIPC) failed")
    _mount(libc, None, "/", None, MS_REC | MS_PRIVATE)
    hidden = hidden_paths(course)
    keep = [p for p in {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve()}
            if any(p.is_relative_to(h) for h in hidden)]
    staged = []
    for i, path in enumerate(sorted(keep)):
        stage = exchange / f".keep{i}"
        stage.mkdir()
        _mount(libc, path, stage, None, MS_BIND | MS_REC)
        staged.append((stage, path))
    exchange = exchange.resolve()
    exchange_fd = os.open(exchange, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for path in hidden:
            _mount(libc, "tmpfs", path, "tmpfs", 0, "size=64m,mode=755")
        if any(exchange.is_relative_to(h) for h in hidden):
            exchange.mkdir(parents=True)
            _mount(libc, f"/proc/self/fd/{exchange_fd}", exchange, None, MS_BIND | MS_REC)
    finally:
        os.close(exchange_fd)
    for stage, path in staged:
        path.mkdir(parents=True, exist_ok=True)
        _mount(libc, stage, path, None, MS_BIND | MS_REC)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--exchange", type=Path, required=True)
    parser.add_argument("--uid", type=int, required=True)
    parser.add_argument("--course", type=Path)
    parser.add_argument("-f", dest="connection_file", required=True)
    args = parser.parse_args(argv)

    exchange = args.exchange
    # The connection file sits in the grader's runtime dir, which is hidden below.
    conn = exchange / "kernel-connection.json"
    shutil.copyfile(args.connection_file, conn)
    for sub in ("home", "runtime"):
        (exchange / sub).mkdir(exist_ok=True)

    limits = dict(LIMITS)
    if os.environ.get("NNCOURSE_KERNEL_CPU_SECONDS"):  # tests use a short one
        limits[resource.RLIMIT_CPU] = int(os.environ["NNCOURSE_KERNEL_CPU_SECONDS"])
    for limit, value in limits.items():
        resource.setrlimit(limit, (value, value))

    if os.geteuid() == 0:
        # Chown first: after isolate() the exchange also holds bind mounts of Python itself.
        for path in [exchange, *exchange.rglob("*")]:
            os.chown(path, args.uid, args.uid)
        isolate(args.course, exchange)
        resource.setrlimit(resource.RLIMIT_NPROC, (NPROC_LIMIT, NPROC_LIMIT))
        os.setgroups([])
        os.setgid(args.uid)
        os.setuid(args.uid)

    # Not the course directory nbgrader started us in: relative paths like
    # "../../<other student>" must lead nowhere.
    os.chdir(exchange / "home")
    env = {
        "PATH": os.path.dirname(sys.executable) + ":/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "HOME": str(exchange / "home"),
        "IPYTHONDIR": str(exchange / "home" / ".ipython"),
        "MPLCONFIGDIR": str(exchange / "home" / ".matplotlib"),
        "JUPYTER_RUNTIME_DIR": str(exchange / "runtime"),
        "MPLBACKEND": "Agg",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    # Kept where the machine sets them: older OpenBLAS builds misbehave on some CPUs without them.
    env.update({k: v for k, v in os.environ.items() if k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")})
    # The grader's pid: ipykernel exits by itself if that process dies.
    env.update({k: v for k, v in os.environ.items() if k == "JPY_PARENT_PID"})
    os.execve(sys.executable, [sys.executable, "-m", "ipykernel_launcher", "-f", str(conn)], env)


if __name__ == "__main__":
    main()
