"""Learner kernels forked from a warm template process: a fresh kernel without the start-up cost.

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
(:func:`autograder.sandbox.enter`: limits, namespaces, an allow-list root, its
own uid; the child stays outside as the kernel's supervisor and its own child
becomes the kernel) and starts a new IPython kernel. What one learner's kernel changes (monkey-patched
NumPy, globals, files) dies with it, exactly as with ``python -m
ipykernel_launcher``. Two things a plain start would draw afresh are redrawn
after the fork: NumPy's global random state (Python's ``random`` reseeds
itself) and the kernel's parent-process watch.

jupyter_client needs a process of its own to start, signal and kill. The
kernelspec's ``argv`` is therefore a small launcher
(``python -I -S autograder/forkserver.py --socket ...``, standard library
only, ~20 ms) that hands its stdin/stdout/stderr to the template over a Unix
socket, gets its kernel's pid back, forwards interrupts to it and exits with
its exit status. If the launcher is killed, the template kills that kernel.
The template exits when the grading process that started it goes away (end of
its stdin), killing the kernels it still has.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import sys

#: What the template imports before it forks kernels: what every exercise imports.
PRELOAD = ("ipykernel.kernelapp", "numpy", "numpy.random", "matplotlib.pyplot")
#: Signals the launcher passes on to its kernel (jupyter_client interrupts with SIGINT).
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2)


# -- the grading process's side -------------------------------------------------------

class Template:
    """The grading process's handle on its template process (started on first use)."""

    def __init__(self):
        self.proc = None
        self.dir = None

    def launcher_argv(self, exchange, cpu_seconds: int | None = None) -> list[str]:
        """The kernelspec ``argv`` that starts one sandboxed kernel, forked from the template.

        ``exchange`` is the submission's exchange folder
        (:func:`autograder.sandbox.make_exchange`); ``cpu_seconds`` replaces
        the kernel's CPU-time limit.
        """
        self._ensure_running()
        argv = [sys.executable, "-I", "-S", os.path.abspath(__file__), "--socket", str(self.dir / "socket"),
                "--exchange", str(exchange)]
        if cpu_seconds:
            argv += ["--cpu-seconds", str(int(cpu_seconds))]
        return [*argv, "-f", "{connection_file}"]

    def _ensure_running(self) -> None:
        import shutil
        import subprocess

        from autograder import sandbox

        if self.proc is not None and self.proc.poll() is None:
            return
        self.close()
        self.dir = sandbox.private_dir("nncourse-template-")  # kernels cannot reach the socket
        env = {**sandbox.base_env(), "HOME": str(self.dir), "MPLCONFIGDIR": str(self.dir / "matplotlib")}
        fonts = _matplotlib_font_list()
        if fonts is not None:  # matplotlib would otherwise scan the system's fonts (~0.2 s)
            (self.dir / "matplotlib").mkdir()
            shutil.copyfile(fonts, self.dir / "matplotlib" / fonts.name)
        # A session of its own: a kill of the grading process's group leaves the
        # template to notice the end of its stdin and clean up after itself.
        self.proc = subprocess.Popen([sys.executable, "-m", "autograder.forkserver", "--serve",
                                      str(self.dir / "socket")], cwd="/", env=env, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, start_new_session=True)
        ready = self.proc.stdout.readline()
        if ready != b"ready\n":
            code = self.proc.wait()
            raise RuntimeError(f"the kernel template process did not start (exit code {code})")

    def close(self) -> None:
        """End the template (it kills the kernels it still has) and remove its socket."""
        import shutil

        if self.proc is not None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except Exception:
                self.proc.kill()
                self.proc.wait()
            self.proc = None
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None


def _matplotlib_font_list():
    """Matplotlib's cached font list in this process (None without matplotlib)."""
    from pathlib import Path

    try:
        import matplotlib
        import matplotlib.font_manager  # noqa: F401 (builds the cache file if there is none)
    except ImportError:
        return None
    found = sorted(Path(matplotlib.get_cachedir()).glob("fontlist-*.json"))
    return found[-1] if found else None


# -- the template ---------------------------------------------------------------------

def serve(path: str) -> None:
    """Preload, then fork one kernel per launcher that connects to ``path``, until stdin closes."""
    import importlib
    import select
    import shutil
    import threading

    from autograder import sandbox

    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    sandbox.isolation_available()  # asked once here (it forks), not once per kernel
    # fork() copies only the calling thread: nothing may run in another one.
    assert threading.active_count() == 1, "a preloaded module started a thread"
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
    from pathlib import Path

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

        from autograder import sandbox

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
        import traceback

        traceback.print_exc()
    finally:
        try:  # what a kernel started with ipykernel_launcher would run at exit (history, connection file)
            import atexit

            atexit._run_exitfuncs()
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


# -- the launcher (standard library only: it runs with ``python -I -S``) ----------------

def launch(argv=None) -> int:
    """Ask the template for a kernel, relay signals to it, and exit with its status."""
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--socket", required=True)
    parser.add_argument("--exchange", required=True)
    parser.add_argument("--cpu-seconds", type=int)
    parser.add_argument("-f", dest="connection_file", required=True)
    args = parser.parse_args(argv)
    request = {"exchange": args.exchange, "connection_file": os.path.abspath(args.connection_file),
               "cpu_seconds": args.cpu_seconds}
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(args.socket)
    socket.send_fds(sock, [json.dumps(request).encode() + b"\n"], [0, 1, 2])
    replies = sock.makefile("rb")
    pid = json.loads(replies.readline())["pid"]

    def forward(signum, _frame):
        try:
            os.kill(pid, signum)
        except OSError:
            pass

    for signum in FORWARDED:
        signal.signal(signum, forward)
    line = replies.readline()
    if not line:  # the template died: make sure the kernel does too
        forward(signal.SIGKILL, None)
        return 1
    code = json.loads(line)["exit"]
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(sys.argv[2])
    else:
        sys.exit(launch())
