"""The kernel template: a warm process that forks one sandboxed learner kernel per request.

Starting an IPython kernel that imports NumPy and matplotlib, as every exercise
does, costs about a second of CPU before the first cell runs: Python itself,
``ipykernel`` (0.35 s), NumPy (0.15 s), ``matplotlib.pyplot`` (0.5 s). For a
class that is half of the CPU a submission takes. A grading process therefore
keeps one *template*: a process started with the kernels' clean environment
(no grading secret, no instructor paths, run from ``/``), which imports those
modules and then only waits. Each submission's kernel is a ``fork`` of it.

Forking the template is not reusing a kernel. The template never runs a line
of learner code and never starts a kernel itself; each child is a new process
with its own copy of the template's memory, and it then enters the sandbox
(:func:`autograder.kernel.sandbox.enter`: limits, namespaces, an allow-list root, its
own uid; the child stays outside as the kernel's supervisor and its own child
becomes the kernel) and starts a new IPython kernel. What one learner's kernel changes (monkey-patched
NumPy, globals, files) dies with it, exactly as with ``python -m
ipykernel_launcher``. Two things a plain start would draw afresh are redrawn
after the fork: NumPy's global random state (Python's ``random`` reseeds
itself) and the kernel's parent-process watch.

jupyter_client needs a process of its own to start, signal and kill: the
kernelspec's ``argv`` is a small launcher (:mod:`autograder.kernel.launcher`)
that hands its stdin/stdout/stderr to the template over a Unix socket. The
template forks, reports the child's pid, and tells the launcher its exit
status. If the launcher hangs up (killed by jupyter_client), the template
kills that kernel. The template exits when the grading process that started
it goes away (end of its stdin), killing the kernels it still has. The
grading process's handle on its template is
:class:`autograder.kernel.kernels.Template`.
"""
from __future__ import annotations

import atexit
import importlib
import json
import os
import select
import shutil
import signal
import socket
import sys
import threading
import traceback
from pathlib import Path

from autograder.kernel import sandbox

#: What the template imports before it forks kernels: what every exercise imports.
PRELOAD = ("ipykernel.kernelapp", "numpy", "numpy.random", "matplotlib.pyplot")


# -- the template ---------------------------------------------------------------------

def serve(path: str) -> None:
    """Preload, then fork one kernel per launcher that connects to ``path``, until stdin closes."""
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    sandbox.isolation_available()  # asked once here (it forks), not once per kernel
    # fork() copies only the calling thread: nothing may run in another one.
    if threading.active_count() != 1:
        raise RuntimeError("a preloaded module started a thread: forking would copy a half-done process")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(16)
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # wakes select() through wake_w
    kernels: dict[socket.socket, int] = {}  # launcher connection -> its kernel's pid
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # nobody reads that pipe any more
    os.close(devnull)  # a kernel inherits every open descriptor of the template
    try:
        while True:
            ready, _, _ = select.select([sys.stdin, listener, wake_r, *kernels], [], [])
            if sys.stdin in ready and not os.read(sys.stdin.fileno(), 4096):
                return  # the grading process is gone
            if wake_r in ready:
                os.read(wake_r, 4096)
            _reap(kernels)
            for conn in [c for c in ready if c in kernels]:
                # A launcher that hangs up (killed by jupyter_client) takes its kernel with it.
                if not conn.recv(4096):
                    _kill(kernels.pop(conn))
                    conn.close()
            if listener in ready:
                conn, _ = listener.accept()
                request, fds = _receive(conn)
                sys.stdout.flush()
                sys.stderr.flush()
                pid = os.fork()
                if pid == 0:  # the kernel
                    _become_kernel(request, fds, [listener, wake_r, wake_w, conn, *kernels])
                for fd in fds:
                    os.close(fd)
                kernels[conn] = pid
                conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")
    finally:
        for pid in kernels.values():
            _kill(pid)
        shutil.rmtree(os.path.dirname(path), ignore_errors=True)


def _receive(conn: socket.socket) -> tuple[dict, list[int]]:
    data, fds, _, _ = socket.recv_fds(conn, 65536, 3)
    while not data.endswith(b"\n"):
        more = conn.recv(65536)
        if not more:
            break
        data += more
    return json.loads(data), fds


def _reap(kernels: dict) -> None:
    """Collect exited kernels and tell their launchers the exit status."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        for conn, kernel in list(kernels.items()):
            if kernel == pid:
                del kernels[conn]
                try:
                    conn.sendall(json.dumps({"exit": os.waitstatus_to_exitcode(status)}).encode() + b"\n")
                except OSError:
                    pass
                conn.close()


def _kill(pid: int) -> None:
    # The kernel leads its own process group: what it started goes with it. What
    # left the group is the grader's job (it kills the kernel's uid).
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
            return
        except OSError:
            pass


def _become_kernel(request: dict, fds: list[int], inherited) -> None:
    """In the forked child: sandbox, then run an IPython kernel in this process. Never returns."""
    code = 1
    try:
        os.setsid()
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for obj in inherited:
            obj.close() if hasattr(obj, "close") else os.close(obj)
        for target, fd in enumerate(fds):  # the launcher's stdin, stdout, stderr
            os.dup2(fd, target)
        for fd in fds:
            if fd > 2:
                os.close(fd)

        exchange = Path(request["exchange"])
        # Returns in the kernel process; this one stays behind as its supervisor.
        conn = sandbox.enter(exchange, Path(request["connection_file"]), cpu_seconds=request.get("cpu_seconds"))
        os.environ.clear()
        os.environ.update(sandbox.kernel_env(exchange))
        # As ipykernel_launcher: the template's working directory is not importable
        # from (the kernel adds its own, the learner's home, back).
        sys.path[:] = [p for p in sys.path if p not in ("", "/")]
        sys.argv = [sys.argv[0], "-f", str(conn)]
        if "numpy.random" in sys.modules:  # a fresh process draws its own global random state
            sys.modules["numpy.random"].seed()
        from ipykernel.kernelapp import IPKernelApp

        # Not isolated, the parent is the template: exit if it goes away. In a PID namespace
        # the parent is outside (getppid() is 0) and the kernel dies with its supervisor;
        # ipykernel takes a handle of 1 as "nothing to watch".
        IPKernelApp.launch_instance(argv=["-f", str(conn), f"--IPKernelApp.parent_handle={max(os.getppid(), 1)}"])
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        traceback.print_exc()
    finally:
        try:  # what a kernel started with ipykernel_launcher would run at exit (history, connection file)
            atexit._run_exitfuncs()
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


if __name__ == "__main__":
    serve(sys.argv[1])
