"""A learner's kernel sees only what it must: an allow-list root, no network, no other process.

:func:`enter` runs in the process the kernel template forks for one
submission (:mod:`autograder.kernel.forkserver`), before the IPython kernel starts.
It

1. sets resource limits (CPU seconds, address space, file size, open files,
   no core dumps);
2. enters new mount, IPC, network and PID namespaces (as root; without root
   inside a new *user* namespace, where the machine allows it);
3. forks: the child is process 1 of the new PID namespace and becomes the
   kernel; the parent stays outside as its *supervisor*, passes signals on and
   exits with the kernel's status. When process 1 of a PID namespace exits,
   Linux kills every process left in it, so nothing a learner starts outlives
   the kernel (daemons, fork bombs), and no clean-up by uid is needed;
4. in the child, builds a new root file system from an allow-list and
   ``pivot_root``\\s into it (the old root is detached, not merely covered):

   ========================  ==================================================
   what the kernel sees      from
   ========================  ==================================================
   ``/usr /bin /sbin /lib*`` the system's programs and libraries, read-only
   ``/etc``                  the system's configuration, read-only
   Python                    ``sys.base_prefix`` and ``sys.prefix`` (the grading
                             virtual environment), read-only, with the course's
                             own packages (``solutions``, ``autograder``)
                             covered where an install copied them
   ``<exchange>/home``       the kernel's home and working directory (writable)
   ``<exchange>/runtime``    its connection file and ZMQ ``ipc`` sockets
   ``<exchange>/io``         the current hidden cell's inputs, read-only
   ``/tmp``, ``/dev/shm``    empty, private, freed with the kernel
   ``/dev``                  ``null zero full random urandom tty`` only
   ``/proc``                 its own PID namespace: its own processes only
   ========================  ==================================================

   Nothing else exists for it: not the repository (whatever its location, and
   whatever ``sys.prefix`` or ``sys.path`` say, the folders around the Python
   environment are empty), not its git objects, not the course directory (the
   secret, the gradebook, other learners' work), not ``/root`` or ``/home``,
   not ``/var/tmp`` or ``/run`` (the template's socket, PostgreSQL's socket).
   The new network namespace has only a loopback interface that is down: the
   kernel talks to the grader over Unix sockets in ``<exchange>/runtime`` and
   cannot open any network connection, to loopback services included;
5. drops to a private uid (as root: ``UID_BASE`` + the supervisor's pid,
   unique among live kernels) or, in a user namespace, drops every
   capability; sets ``no_new_privs``; dies with its supervisor.

Without root and without user namespaces (some distributions turn them off)
only the limits and the clean environment apply: :func:`isolation_available`
says so and the grader logs a warning once per process.
"""
from __future__ import annotations

import ctypes
import functools
import os
import resource
import shutil
import signal
import sys
import tempfile
from pathlib import Path

#: Limits for one learner kernel. The hidden tests need well under a second of
#: CPU and a few MB; an experiment cell a few seconds and ~100 MB.
LIMITS = {
    resource.RLIMIT_CPU: 300,                 # seconds of CPU time in total
    resource.RLIMIT_AS: 4 * 2**30,            # address space (NumPy + OpenBLAS reserve a lot virtually)
    resource.RLIMIT_FSIZE: 256 * 2**20,       # largest file it may write
    resource.RLIMIT_NOFILE: 256,
    resource.RLIMIT_CORE: 0,
}
#: Processes and threads a kernel may have at once (its own uid as root; on top of what
#: the grader's user already runs in a user namespace).
NPROC_LIMIT = 128
#: As root, a kernel runs as ``UID_BASE + pid of its supervisor``: unique while the kernel
#: lives, since the supervisor lives exactly as long as the kernel's PID namespace. Far above
#: the ranges of real users, systemd's dynamic users and container sub-uids (< 2**24 here).
UID_BASE = 2_000_000_000
#: What the new root shows of the system, read-only (those that exist on this machine).
SYSTEM_PATHS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")
DEVICES = ("null", "zero", "full", "random", "urandom", "tty")
#: Top-level packages of this project that must not be importable in a kernel, wherever
#: an installation put them (``coursekit`` is public).
COURSE_PACKAGES = ("solutions", "autograder", "tests")

CLONE_NEWNS, CLONE_NEWIPC, CLONE_NEWUSER = 0x00020000, 0x08000000, 0x10000000
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT = 1, 2, 4, 8, 32
MS_NOATIME, MS_NODIRATIME, MS_BIND, MS_REC, MS_PRIVATE, MS_RELATIME = 1024, 2048, 4096, 16384, 1 << 18, 1 << 21
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_NO_NEW_PRIVS = 1, 4, 38
SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}
#: statvfs flags that a bind mount must keep when remounted read-only inside a user
#: namespace (the kernel refuses to clear them there), with the mount flag of each.
_LOCKED_FLAGS = {os.ST_NOSUID: MS_NOSUID, os.ST_NODEV: MS_NODEV, os.ST_NOEXEC: MS_NOEXEC,
                 os.ST_NOATIME: MS_NOATIME, os.ST_NODIRATIME: MS_NODIRATIME, os.ST_RELATIME: MS_RELATIME}


# -- folders and environment, used by the grader ----------------------------------------

def private_dir(prefix: str) -> Path:
    """A new folder only its owner can enter, in ``/var/tmp`` (which no kernel sees).

    Used for a submission's exchange folder (parts of which :func:`enter`
    shows to its kernel) and for the kernel template's socket.
    """
    path = Path(tempfile.mkdtemp(prefix=prefix, dir="/var/tmp" if os.path.isdir("/var/tmp") else None))
    os.chmod(path, 0o700)
    return path


def exchange_parts(exchange: Path) -> dict[str, Path]:
    """The folders of an exchange that its kernel sees (``io`` read-only) and its new root's mount point."""
    return {name: exchange / name for name in ("home", "runtime", "io", "root")}


def make_exchange(prefix: str = "nncourse-io-") -> Path:
    """A fresh exchange folder for one submission, with its parts."""
    exchange = private_dir(prefix)
    for part in exchange_parts(exchange).values():
        part.mkdir()
    return exchange


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


@functools.cache
def isolation_available() -> tuple[bool, str]:
    """Whether :func:`enter` can hide the file system and the network here, and how (or why not)."""
    if os.geteuid() == 0:
        return True, "root: private namespaces and a private uid per kernel"
    if os.uname().machine not in SYS_PIVOT_ROOT:
        return False, f"no pivot_root system call number known for {os.uname().machine}"
    pid = os.fork()
    if pid == 0:  # try it in a throwaway child: unshare changes the caller for good
        code = 0 if _libc().unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET) == 0 else 1
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) == 0:
        return True, "user namespaces: private namespaces, the grader's uid without capabilities"
    return False, ("this machine does not allow unprivileged user namespaces: learners' kernels run with "
                   "limits only and can read every file the grader's user can read (grade as root, or "
                   "enable user namespaces: sysctl kernel.unprivileged_userns_clone=1)")


# -- system calls -----------------------------------------------------------------------

def _libc():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
    libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
    libc.syscall.restype = ctypes.c_long
    return libc


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(libc, source, target, fstype=None, flags=0, data=None) -> None:
    def enc(value):
        return None if value is None else str(value).encode()

    _check(libc.mount(enc(source), enc(target), enc(fstype), flags, enc(data)), f"mount {source} on {target}")


# -- the supervisor (outside the kernel's PID namespace) --------------------------------

def _supervise(kernel_pid: int, alive_w: int) -> None:
    """Pass signals on to the kernel; exit as it exits. Never returns.

    The kernel is process 1 of its namespace: only signals it has a handler
    for reach it, except SIGKILL. Interrupts go through (IPython handles
    SIGINT); anything meant to end it is sent as SIGKILL.
    """
    def forward(signum, _frame):
        try:
            os.kill(kernel_pid, signum if signum == signal.SIGINT else signal.SIGKILL)
        except OSError:
            pass

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(signum, forward)
    while True:
        try:
            _, status = os.waitpid(kernel_pid, 0)
            break
        except ChildProcessError:
            os._exit(1)
    os.close(alive_w)
    if os.WIFSIGNALED(status):
        signal.signal(os.WTERMSIG(status), signal.SIG_DFL)
        os.kill(os.getpid(), os.WTERMSIG(status))
    os._exit(os.waitstatus_to_exitcode(status))


def _die_with(parent: int) -> None:
    """SIGKILL when ``parent`` (the kernel template) goes; if it is gone already, exit now."""
    _check(_libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl(PR_SET_PDEATHSIG)")
    if os.getppid() != parent:
        os._exit(1)


def _die_with_parent(alive_r: int) -> None:
    """SIGKILL when the supervisor goes; if it is gone already, exit now."""
    _check(_libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl(PR_SET_PDEATHSIG)")
    os.set_blocking(alive_r, False)
    try:
        if os.read(alive_r, 1) == b"":  # the write end is closed: the supervisor has exited
            os._exit(1)
    except BlockingIOError:
        pass
    os.close(alive_r)


# -- the new root -----------------------------------------------------------------------

def _skeleton(root: Path, path: Path, is_dir: bool) -> Path:
    """Create ``path`` (dirs or an empty file) inside ``root``; return where it is."""
    target = root / path.relative_to("/")
    if is_dir:
        target.mkdir(parents=True, exist_ok=True)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.touch(exist_ok=True)
    return target


def _bind(libc, source: Path, root: Path, writable: bool = False) -> Path:
    """Bind ``source`` at the same path in ``root``; read-only unless ``writable``."""
    target = _skeleton(root, source, source.is_dir())
    _mount(libc, source, target, None, MS_BIND)
    if not writable:
        locked = 0
        flags = os.statvfs(target).f_flag
        for st_flag, ms_flag in _LOCKED_FLAGS.items():
            if flags & st_flag:
                locked |= ms_flag
        _mount(libc, None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | locked)
    return target


def python_paths() -> list[Path]:
    """Folders of the running Python installation and its environment (as named and resolved)."""
    found = []
    for prefix in (sys.base_prefix, sys.prefix):
        for path in (Path(prefix), Path(prefix).resolve()):
            if path.is_dir() and path not in found:
                found.append(path)
    # Bind outer folders before inner ones (a venv inside the base installation).
    return sorted(found, key=lambda p: len(p.parts))


def _course_packages(prefixes: list[Path]) -> list[Path]:
    """Copies of this project's packages that an install put into the environment's site-packages."""
    found = []
    for prefix in prefixes:
        for site in list(prefix.glob("lib/python3*/site-packages")) + list(prefix.glob("lib/python3*/dist-packages")):
            found += [site / name for name in COURSE_PACKAGES if (site / name).is_dir()]
    return found


def build_root(libc, exchange: Path) -> None:
    """Mount the allow-listed root at ``<exchange>/root`` and pivot into it (see the module docstring)."""
    parts = exchange_parts(exchange)
    root = parts["root"]
    _mount(libc, None, "/", None, MS_REC | MS_PRIVATE)  # nothing we mount propagates to the grader
    _mount(libc, "tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=755")
    # Private folders first: a Python environment or the exchange may live below /tmp.
    dev = _skeleton(root, Path("/dev"), True)
    _mount(libc, "tmpfs", dev, "tmpfs", MS_NOSUID, "size=64k,mode=755")
    for private in ("/tmp", "/dev/shm"):
        _mount(libc, "tmpfs", _skeleton(root, Path(private), True), "tmpfs", MS_NOSUID | MS_NODEV,
               "size=256m,mode=1777")
    for name in DEVICES:
        if os.path.exists(f"/dev/{name}"):
            _bind(libc, Path(f"/dev/{name}"), root, writable=True)
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
                         ("stderr", "/proc/self/fd/2")):
        os.symlink(target, dev / name)
    for name in SYSTEM_PATHS:
        path = Path(name)
        if path.is_symlink():  # merged /usr: /bin -> usr/bin
            os.symlink(os.readlink(path), root / name.lstrip("/"))
        elif path.is_dir():
            _bind(libc, path, root)
    prefixes = python_paths()
    for prefix in prefixes:
        if not any(prefix.is_relative_to(Path(s)) for s in SYSTEM_PATHS):
            _bind(libc, prefix, root)
    for package in _course_packages(prefixes):
        _mount(libc, "tmpfs", root / package.relative_to("/"), "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV,
               "size=4k,mode=555")
    _bind(libc, parts["home"], root, writable=True)
    _bind(libc, parts["runtime"], root, writable=True)
    _bind(libc, parts["io"], root)
    # A /proc of the kernel's own PID namespace: it lists the kernel's processes only.
    _mount(libc, "proc", _skeleton(root, Path("/proc"), True), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    # The old root goes away entirely: nothing is merely covered, so nothing can be uncovered.
    os.chdir(root)
    _check(libc.syscall(SYS_PIVOT_ROOT[os.uname().machine], b".", b"."), "pivot_root")
    _check(libc.umount2(b".", MNT_DETACH), "umount old root")
    os.chdir("/")
    _mount(libc, None, "/", None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)


# -- entering the sandbox -----------------------------------------------------------------

def _drop_capabilities(libc) -> None:
    """Clear every capability (user-namespace mode: the kernel keeps the grader's uid)."""
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    data = (ctypes.c_uint32 * 6)()
    _check(libc.capset(header, data), "capset")


def _map_ids(uid: int, gid: int) -> None:
    """Inside a new user namespace, keep our own uid and gid (the only mapping allowed without root)."""
    Path("/proc/self/setgroups").write_text("deny")
    Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
    Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")


def _count_processes(uid: int) -> int:
    count = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            if f"Uid:\t{uid}\t" in status.read_text():
                count += 1
        except OSError:
            pass
    return count


def enter(exchange: Path, connection_file: Path, cpu_seconds: int | None = None) -> Path:
    """Turn the calling process into a learner kernel's sandbox, before the kernel starts.

    Must be called in a fresh single-threaded process (the template's fork).
    Returns, in the kernel process, where the connection file is; the calling
    process itself stays behind as the supervisor and never returns. The
    environment is the caller's to replace (:func:`kernel_env`).
    ``cpu_seconds`` replaces the CPU limit of :data:`LIMITS`.
    """
    parts = exchange_parts(exchange)
    conn = parts["runtime"] / "kernel-connection.json"
    if Path(connection_file) != conn:
        shutil.copyfile(connection_file, conn)
    limits = dict(LIMITS)
    if cpu_seconds:
        limits[resource.RLIMIT_CPU] = cpu_seconds
    for limit, value in limits.items():
        resource.setrlimit(limit, (value, value))

    libc = _libc()
    template = os.getppid()
    root = os.geteuid() == 0
    isolate, _ = isolation_available()
    if root:
        uid = UID_BASE + os.getpid()
        for path in (parts["home"], parts["runtime"], conn):
            os.chown(path, uid, uid)
    if isolate:
        flags = CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWPID
        if not root:
            outer_uid, outer_gid = os.getuid(), os.getgid()
            nproc = _count_processes(outer_uid) + NPROC_LIMIT
            _check(libc.unshare(CLONE_NEWUSER | flags), "unshare")
            _map_ids(outer_uid, outer_gid)
        else:
            _check(libc.unshare(flags), "unshare")
        _die_with(template)  # after unshare, which resets the parent-death signal
        alive_r, alive_w = os.pipe()
        pid = os.fork()
        if pid != 0:
            os.close(alive_r)
            _supervise(pid, alive_w)
        os.close(alive_w)
        build_root(libc, exchange)
        if root:
            resource.setrlimit(resource.RLIMIT_NPROC, (NPROC_LIMIT, NPROC_LIMIT))
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
        else:
            resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
            _drop_capabilities(libc)
        # As exec would after the uid change: the kernel may read its own /proc/self
        # (subprocess lists /proc/self/fd); its memory holds nothing of the grader's.
        libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)
        _check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)")
        _die_with_parent(alive_r)
    # Not the course directory nbgrader started us in: relative paths lead nowhere.
    os.chdir(parts["home"])
    return conn
