"""Kernels forked from the template are fresh, sandboxed, and obey jupyter_client.

The graded-class suites (test_hostile, test_parallel) use these kernels end to
end; here each property is checked on its own, through jupyter_client as
nbgrader uses it.
"""
import json
import os
import time
from pathlib import Path

import pytest
from jupyter_client.manager import start_new_kernel

from autograder import forkserver, sandbox
from autograder.grading import SECRET_ENV

pytestmark = pytest.mark.slow

UID = 61999  # a kernel uid no grading process uses (kernel_uid() gives 61000 + pid % 3000)


@pytest.fixture
def template(monkeypatch):
    # Set in the grading process: the template's kernels must not see it.
    monkeypatch.setenv(SECRET_ENV, "sekrit-grading-key")
    tpl = forkserver.Template()
    yield tpl
    tpl.close()


@pytest.fixture
def kernel(template, monkeypatch, tmp_path):
    """Start kernels as nbgrader's Execute does: a kernelspec whose argv is the launcher."""
    started = []

    def start():
        exchange = sandbox.private_dir("nncourse-io-")
        spec = exchange / "kernelspec" / "kernels" / "forked"
        spec.mkdir(parents=True)
        argv = template.launcher_argv(exchange, UID, course=tmp_path)
        (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "forked", "language": "python"}))
        monkeypatch.setenv("JUPYTER_PATH", str(exchange / "kernelspec"))
        km, kc = start_new_kernel(kernel_name="forked", startup_timeout=60)
        started.append((km, kc, exchange))
        return km, kc

    yield start
    for km, kc, exchange in started:
        kc.stop_channels()
        if km.has_kernel:
            km.shutdown_kernel(now=True)
        import shutil
        shutil.rmtree(exchange, ignore_errors=True)


def run(kc, code: str, timeout=30) -> tuple[str, dict]:
    out = []

    def hook(msg):
        if msg["msg_type"] == "stream":
            out.append(msg["content"]["text"])

    reply = kc.execute_interactive(code, timeout=timeout, output_hook=hook)
    return "".join(out), reply["content"]


def value(kc, expression: str):
    text, content = run(kc, f"import json as _j\nprint(_j.dumps({expression}))")
    assert content["status"] == "ok", content
    return json.loads(text)


def test_nothing_of_one_kernel_reaches_the_next(kernel):
    _, first = kernel()
    run(first, "import numpy, builtins, os\nnumpy.allclose = lambda *a, **k: True\nbuiltins.planted = 1\n"
               "os.environ['PLANTED'] = '1'\nleft_over = 42\n")
    first_state = value(first, "[__import__('os').getpid(), __import__('numpy').random.rand()]")
    _, second = kernel()
    seen = value(second, "[__import__('os').getpid(), __import__('numpy').random.rand(), "
                         "__import__('numpy').allclose(0, 1), hasattr(__import__('builtins'), 'planted'), "
                         "'PLANTED' in __import__('os').environ, 'left_over' in globals()]")
    assert seen[0] != first_state[0], "not a new process"
    assert seen[1] != first_state[1], "NumPy's global random state was not redrawn"
    assert seen[2:] == [False, False, False, False]


def test_the_kernel_is_sandboxed_and_sees_no_secret(kernel):
    _, kc = kernel()
    seen = value(kc, "[__import__('os').getuid(), __import__('os').getcwd(), dict(__import__('os').environ), "
                     "open('/proc/self/environ', 'rb').read().decode(errors='replace'), "
                     "__import__('sys').modules['matplotlib'].get_backend()]")
    uid, cwd, environ, initial_environ, backend = seen
    if os.geteuid() == 0:
        assert uid == UID
    assert cwd.endswith("/home") and cwd.startswith("/var/tmp/nncourse-io-")
    assert SECRET_ENV not in environ and "sekrit" not in initial_environ
    assert environ["HOME"] == cwd
    assert backend.lower() == "agg"


def test_interrupt_and_kill_reach_the_kernel(kernel):
    km, kc = kernel()
    pid = value(kc, "__import__('os').getpid()")
    kc.execute("import time\ntime.sleep(60)")
    time.sleep(0.5)
    start = time.monotonic()
    km.interrupt_kernel()  # SIGINT to the launcher, passed on to the kernel
    reply = kc.get_shell_msg(timeout=10)
    assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "KeyboardInterrupt"
    assert time.monotonic() - start < 5
    km.provisioner.process.kill()  # SIGKILL to the launcher, as jupyter_client does when a kernel hangs
    assert _gone(pid), "the kernel outlived its launcher"


def test_a_kernel_that_dies_ends_its_launcher(kernel):
    km, kc = kernel()
    kc.execute("import os\nos._exit(3)")
    deadline = time.monotonic() + 10
    while km.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not km.is_alive()
    assert km.provisioner.process.wait() == 3


def test_closing_the_template_kills_its_kernels_and_leaves_nothing(template, kernel):
    km, kc = kernel()
    pid = value(kc, "__import__('os').getpid()")
    folder = template.dir
    template.close()
    assert _gone(pid)
    assert not folder.exists()


def _gone(pid: int, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        if state == "Z":  # exited, waiting for its parent to collect it
            return True
        time.sleep(0.05)
    return False
