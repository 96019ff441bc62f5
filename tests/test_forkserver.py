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
from jupyter_client.manager import KernelManager

from autograder.kernel import kernels, sandbox

pytestmark = pytest.mark.slow

#: Stands for whatever secret the grading process holds in its environment.
SECRET_ENV = "NNCOURSE_TEST_SECRET"


@pytest.fixture
def template(monkeypatch):
    # Set in the grading process: the template's kernels must not see it.
    monkeypatch.setenv(SECRET_ENV, "sekrit-grading-key")
    tpl = kernels.Template()
    yield tpl
    tpl.close()


@pytest.fixture
def kernel(template, monkeypatch, tmp_path):
    """Start kernels as nbgrader's Execute does: a kernelspec whose argv is the launcher."""
    started = []

    def start(template=template):
        exchange = sandbox.make_exchange()
        km = kernels.kernel_manager(KernelManager, template, exchange)
        km.start_kernel()
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=60)
        started.append((km, kc, exchange))
        return km, kc

    yield start
    for km, kc, exchange in started:
        kc.stop_channels()
        if km.has_kernel:
            km.shutdown_kernel(now=True)
        import shutil
        shutil.rmtree(exchange, ignore_errors=True)


#: Asked of a kernel: the PID namespace it is process 1 of (the grader sees its members by it).
PID_NAMESPACE = "__import__('os').readlink('/proc/self/ns/pid')"


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
    first_state = value(first, "[__import__('os').getuid(), __import__('numpy').random.rand()]")
    _, second = kernel()
    seen = value(second, "[__import__('os').getuid(), __import__('numpy').random.rand(), "
                         "__import__('numpy').allclose(0, 1), hasattr(__import__('builtins'), 'planted'), "
                         "'PLANTED' in __import__('os').environ, 'left_over' in globals()]")
    if os.geteuid() == 0:
        assert seen[0] != first_state[0], "two live kernels share a uid"
    assert seen[1] != first_state[1], "NumPy's global random state was not redrawn"
    assert seen[2:] == [False, False, False, False]


def test_the_kernel_is_sandboxed_and_sees_no_secret(kernel):
    _, kc = kernel()
    seen = value(kc, "[__import__('os').getuid(), __import__('os').getcwd(), dict(__import__('os').environ), "
                     "open('/proc/self/environ', 'rb').read().decode(errors='replace'), "
                     "__import__('sys').modules['matplotlib'].get_backend()]")
    uid, cwd, environ, initial_environ, backend = seen
    if os.geteuid() == 0:
        assert uid >= sandbox.UID_BASE
    assert cwd.endswith("/home") and cwd.startswith("/var/tmp/nncourse-io-")
    assert SECRET_ENV not in environ and "sekrit" not in initial_environ
    assert environ["HOME"] == cwd
    assert backend.lower() == "agg"


ATTACK = r"""
import glob, json, os, socket, subprocess, sys
repo, course, port = {repo!r}, {course!r}, {port}
seen = {{}}
def attempt(label, fn):
    try:
        seen[label] = repr(fn())[:200]
    except Exception as exc:
        seen[label] = "blocked: " + type(exc).__name__
def read(path):
    with open(path, "rb") as fh:
        return fh.read(200)
for rel in [".git/HEAD", ".git/config", "solutions/activations.py", "autograder/judge/specs/activations.py",
            "tests/conftest.py", "README.md", "_config.yml"]:
    attempt("read " + rel, lambda rel=rel: read(os.path.join(repo, rel)))
def git_show():
    out = subprocess.run(["git", "-c", "safe.directory=*", "-C", repo, "show", "HEAD:solutions/activations.py"],
                         capture_output=True, timeout=20)
    if out.returncode != 0:
        raise RuntimeError(out.stderr.decode()[:100])
    return out.stdout[:200]
attempt("git show", git_show)
attempt("import solutions", lambda: __import__("solutions.activations").__file__)
attempt("import autograder", lambda: __import__("autograder.judge.verdict").__file__)
near = set()
for path in [sys.prefix, sys.base_prefix, *sys.path]:
    for up in [os.path.dirname(path), os.path.dirname(os.path.dirname(path))]:
        try:
            near.update(os.path.join(up, name) for name in os.listdir(up))
        except OSError:
            pass
seen["near the environment"] = sorted(p for p in near if not p.startswith(("/usr", "/etc", "/lib", "/bin")))
found = []
for top, dirs, files in os.walk("/"):
    if top in ("/proc", "/sys", "/dev", "/usr"):
        dirs[:] = []
    found += [os.path.join(top, n) for n in dirs + files if n in (".git", ".grading_secret")]
seen["secrets found"] = found[:5]
attempt("read course", lambda: os.listdir(course))
attempt("read course secret", lambda: read(os.path.join(course, ".grading_secret")))
seen["processes"] = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
seen["var tmp"] = sorted(glob.glob("/var/tmp/*"))
seen["run"] = sorted(glob.glob("/run/*"))
seen["home"] = sorted(glob.glob("/home/*") + glob.glob("/root/*"))
def connect(host):
    with socket.create_connection((host, port), timeout=3):
        return "connected"
attempt("connect loopback", lambda: connect("127.0.0.1"))
attempt("write io", lambda: open(os.path.join(os.environ["JUPYTER_RUNTIME_DIR"], "..", "io", "x"), "w"))
print(json.dumps(seen))
"""


def test_the_kernel_sees_only_its_allow_list(kernel, tmp_path):
    """An attacker who knows where the repository and the course are still finds nothing of them."""
    import socket

    from conftest import REPO

    course = tmp_path / "course"
    course.mkdir()
    (course / ".grading_secret").write_text("sekrit")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    _, kc = kernel()
    text, content = run(kc, ATTACK.format(repo=str(REPO), course=str(course), port=listener.getsockname()[1]),
                        timeout=120)
    listener.close()
    assert content["status"] == "ok", content
    seen = json.loads(text.strip().splitlines()[-1])
    if not sandbox.isolation_available()[0]:
        pytest.skip("no isolation on this machine: " + sandbox.isolation_available()[1])
    leaked = {k: v for k, v in seen.items() if k.startswith(("read", "git", "import", "connect", "write"))
              and not str(v).startswith("blocked")}
    assert not leaked, leaked
    assert seen["secrets found"] == []
    # Around the Python environment: the environment itself and the folders leading to it, nothing else.
    prefixes = sandbox.python_paths()
    stray = [p for p in map(Path, seen["near the environment"])
             if not any(p.is_relative_to(e) or e.is_relative_to(p) for e in prefixes)]
    assert not stray, stray
    assert seen["processes"][0] == 1 and len(seen["processes"]) < 10, seen["processes"]
    assert seen["run"] == [] and seen["home"] == []
    assert all(p.startswith("/var/tmp/nncourse-io-") for p in seen["var tmp"]), seen["var tmp"]


def test_interrupt_and_kill_reach_the_kernel(kernel):
    km, kc = kernel()
    ns = value(kc, PID_NAMESPACE)
    assert _members(ns), "the grader cannot see the kernel's namespace: this test would prove nothing"
    kc.execute("import time\ntime.sleep(60)")
    time.sleep(0.5)
    start = time.monotonic()
    km.interrupt_kernel()  # SIGINT to the launcher, passed on to the kernel
    reply = kc.get_shell_msg(timeout=10)
    assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "KeyboardInterrupt"
    assert time.monotonic() - start < 5
    km.provisioner.process.kill()  # SIGKILL to the launcher, as jupyter_client does when a kernel hangs
    assert _gone(ns), "the kernel outlived its launcher"


def test_two_workers_kernels_have_their_own_uids_and_clean_ups(kernel):
    """Two grading workers (two templates) with overlapping submissions: one's clean-up spares the other."""
    other = kernels.Template()
    try:
        km_a, kc_a = kernel()
        km_b, kc_b = kernel(template=other)
        ns_a, ns_b = value(kc_a, PID_NAMESPACE), value(kc_b, PID_NAMESPACE)
        uid_a, uid_b = value(kc_a, "__import__('os').getuid()"), value(kc_b, "__import__('os').getuid()")
        if os.geteuid() == 0:
            assert uid_a != uid_b, "two live kernels share a uid"
        # A leaves a daemon behind, in a session of its own, as a hostile notebook would.
        run(kc_a, "import subprocess\nsubprocess.Popen(['sleep', '600'], start_new_session=True)")
        assert len(_members(ns_a)) == 2
        kc_b.execute("import time\ntime.sleep(3)\nprint('B survived')")
        km_a.shutdown_kernel(now=True)  # the end of A's submission
        assert _gone(ns_a), "A's daemon outlived A's kernel"
        reply = kc_b.get_shell_msg(timeout=20)
        assert reply["content"]["status"] == "ok"
        assert value(kc_b, "'still here'") == "still here" and _members(ns_b)
    finally:
        other.close()


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
    ns = value(kc, PID_NAMESPACE)
    folder = template.dir
    template.close()
    assert _gone(ns)
    assert not folder.exists()


def _gone(namespace: str, within: float = 10.0) -> bool:
    """Whether every process of the PID namespace ``namespace`` (a kernel's) has exited."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not _members(namespace):
            return True
        time.sleep(0.05)
    return False


def _members(namespace: str) -> list[int]:
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
            if os.readlink(proc / "ns" / "pid") == namespace and state != "Z":
                found.append(int(proc.name))
        except OSError:
            pass
    return found
