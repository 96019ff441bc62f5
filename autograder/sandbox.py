"""A learner's kernel with limits, hidden files, and (as root) without privileges.

:func:`enter` runs in the kernel's own process (forked by
:mod:`autograder.forkserver`, one per submission) before the IPython kernel
starts in it. It

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
* and the caller replaces the environment (:func:`kernel_env`: no grading
  secret, no instructor paths).

Without root only the limits and the clean environment apply; the grader logs
that the kernel could still read files the instructor's user can read.
"""
from __future__ import annotations

import ctypes
import os
import pwd
import resource
import shutil
import sys
import tempfile
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
PR_SET_DUMPABLE = 4


def hidden_paths(course: Path | None) -> list[Path]:
    """What a learner's kernel must not read."""
    # The account's home from the password database: HOME may point elsewhere (the kernel template's).
    paths = [REPO / "solutions", REPO / "autograder", REPO / "tests", Path(pwd.getpwuid(os.geteuid()).pw_dir),
             # World-writable: a file left there would reach the next learner's kernel.
             Path("/tmp"), Path("/var/tmp"), Path("/dev/shm"), Path("/run/lock")]
    if course is not None:
        paths.append(course)
    paths = sorted({p.resolve() for p in paths if p.is_dir()}, key=lambda p: len(p.parts))
    # A path inside another covered one is hidden already (and mounting on it would fail).
    return [p for i, p in enumerate(paths) if not any(p.is_relative_to(q) for q in paths[:i])]


def private_dir(prefix: str) -> Path:
    """A new folder only its owner can enter, in ``/var/tmp``: every kernel's namespace covers it.

    Used for a submission's exchange folder (bound back into its own kernel's
    view by :func:`isolate`) and for the kernel template's socket (in no
    kernel's view).
    """
    path = Path(tempfile.mkdtemp(prefix=prefix, dir="/var/tmp" if os.path.isdir("/var/tmp") else None))
    os.chmod(path, 0o700)
    return path


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


def base_env() -> dict[str, str]:
    """The environment every learner kernel starts from: no grading secret, no instructor paths."""
    env = {
        "PATH": os.path.dirname(sys.executable) + ":/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "MPLBACKEND": "Agg",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    # Kept where the machine sets them: older OpenBLAS builds misbehave on some CPUs without them.
    env.update({k: v for k, v in os.environ.items() if k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")})
    return env


def kernel_env(exchange: Path) -> dict[str, str]:
    """:func:`base_env` with the submission's own home, IPython, matplotlib and runtime directories."""
    home = exchange / "home"
    return {**base_env(), "HOME": str(home), "IPYTHONDIR": str(home / ".ipython"),
            "MPLCONFIGDIR": str(home / ".matplotlib"), "JUPYTER_RUNTIME_DIR": str(exchange / "runtime")}


def enter(exchange: Path, uid: int, course: Path | None, connection_file: Path,
          cpu_seconds: int | None = None) -> Path:
    """Turn the calling process into a learner kernel's sandbox, before the kernel starts.

    Sets the limits; as root, also isolates (:func:`isolate`) and drops to
    ``uid``; finally changes to the kernel's home in the exchange folder.
    ``cpu_seconds`` replaces the CPU limit of :data:`LIMITS` (tests use a short
    one). The environment is the caller's to replace (:func:`kernel_env`).
    Returns where the kernel's connection file now is: the grader's runtime
    directory, where jupyter_client wrote it, is hidden from the kernel.
    """
    conn = exchange / "kernel-connection.json"
    shutil.copyfile(connection_file, conn)
    for sub in ("home", "runtime"):
        (exchange / sub).mkdir(exist_ok=True)

    limits = dict(LIMITS)
    if cpu_seconds:
        limits[resource.RLIMIT_CPU] = cpu_seconds
    for limit, value in limits.items():
        resource.setrlimit(limit, (value, value))

    if os.geteuid() == 0:
        # Chown first: after isolate() the exchange also holds bind mounts of Python itself.
        for path in [exchange, *exchange.rglob("*")]:
            os.chown(path, uid, uid)
        isolate(course, exchange)
        resource.setrlimit(resource.RLIMIT_NPROC, (NPROC_LIMIT, NPROC_LIMIT))
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
        # As exec would after the uid change: the kernel may read its own /proc/self
        # (subprocess lists /proc/self/fd); its memory holds nothing of the grader's.
        _libc().prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)

    # Not the course directory nbgrader started us in: relative paths like
    # "../../<other student>" must lead nowhere.
    os.chdir(exchange / "home")
    return conn
