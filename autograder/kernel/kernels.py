"""The grading process's side of learner kernels: the template handle and a kernel manager per submission.

:class:`Template` starts this process's kernel template
(:mod:`autograder.kernel.forkserver`) on first use; :func:`kernel_manager`
makes the jupyter_client kernel manager that nbclient uses to start one
submission's kernel: its kernel spec is the template's launcher
(:mod:`autograder.kernel.launcher`), and it talks to the kernel over ZMQ
``ipc`` sockets in the submission's exchange folder, since the kernel has no
network (:mod:`autograder.kernel.sandbox`).
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from jupyter_client.kernelspec import KernelSpec, KernelSpecManager

from autograder.kernel import launcher, sandbox

KERNEL_NAME = "nncourse-sandbox"
DISPLAY_NAME = "Python 3 (grading sandbox)"


class Template:
    """The grading process's handle on its template process (started on first use)."""

    def __init__(self):
        self.proc = None
        self.dir = None

    def launcher_argv(self, exchange, cpu_seconds: int | None = None) -> list[str]:
        """The kernelspec ``argv`` that starts one sandboxed kernel, forked from the template.

        ``exchange`` is the submission's exchange folder
        (:func:`autograder.kernel.sandbox.make_exchange`); ``cpu_seconds`` replaces
        the kernel's CPU-time limit.
        """
        self._ensure_running()
        argv = [sys.executable, "-I", "-S", str(Path(launcher.__file__).resolve()),
                "--socket", str(self.dir / "socket"), "--exchange", str(exchange)]
        if cpu_seconds:
            argv += ["--cpu-seconds", str(int(cpu_seconds))]
        return [*argv, "-f", "{connection_file}"]

    def _ensure_running(self) -> None:
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
        self.proc = subprocess.Popen([sys.executable, "-m", "autograder.kernel.forkserver",
                                      str(self.dir / "socket")], cwd="/", env=env, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, start_new_session=True)
        ready = self.proc.stdout.readline()
        if ready != b"ready\n":
            code = self.proc.wait()
            raise RuntimeError(f"the kernel template process did not start (exit code {code})")

    def close(self) -> None:
        """End the template (it kills the kernels it still has) and remove its socket."""
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
    try:
        import matplotlib
        import matplotlib.font_manager  # noqa: F401 (builds the cache file if there is none)
    except ImportError:
        return None
    found = sorted(Path(matplotlib.get_cachedir()).glob("fontlist-*.json"))
    return found[-1] if found else None


class _OneKernelSpec(KernelSpecManager):
    """A kernel spec manager that knows one kernel: the sandboxed one of this submission."""

    def __init__(self, spec: KernelSpec, **kwargs):
        super().__init__(**kwargs)
        self._spec = spec

    def get_kernel_spec(self, kernel_name):
        return self._spec


def kernel_manager(manager_class, template: Template, exchange: Path, cpu_seconds: int | None = None, **traits):
    """A ``manager_class`` (jupyter_client) instance that starts one sandboxed kernel for ``exchange``."""
    runtime = sandbox.exchange_parts(exchange)["runtime"]
    spec = KernelSpec(argv=template.launcher_argv(exchange, cpu_seconds), display_name=DISPLAY_NAME,
                      language="python")
    # The kernel has no network: ZMQ over Unix sockets that both sides see.
    return manager_class(kernel_name=KERNEL_NAME, kernel_spec_manager=_OneKernelSpec(spec), transport="ipc",
                         ip=str(runtime / "kernel"), connection_file=str(runtime / "kernel-connection.json"),
                         **traits)
