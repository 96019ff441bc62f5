"""The sandbox without root: a user namespace gives an unprivileged grader the same hiding.

The grader normally runs as root (a private uid per kernel). An instructor who
grades as an ordinary user gets the same allow-list root, PID, network and IPC
namespaces through a user namespace, where the machine allows those. Here an
unprivileged account (``nobody``) runs :func:`autograder.kernel.sandbox.enter` from
Debian's own Python (the project's Python may sit in root's home, which that
account cannot enter) and reports what it can see.
"""
import json
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

from autograder.kernel import sandbox

pytestmark = pytest.mark.slow

PROBE = r"""
import json, os, socket, sys
sys.path.insert(0, {here!r})
import sandbox
available, how = sandbox.isolation_available()
exchange = sandbox.make_exchange()
connection = exchange / "connection.json"
connection.write_text("{{}}")
mine = exchange / "readable-by-me.txt"       # the grader's own file, outside what the kernel may see
mine.write_text("grader's")
pid = os.fork()
if pid == 0:
    sandbox.enter(exchange, connection)
    seen = {{"available": available, "how": how, "uid": os.getuid(),
             "processes": [p for p in os.listdir("/proc") if p.isdigit()],
             "root": sorted(os.listdir("/")), "var tmp": os.listdir("/var/tmp"),
             "capabilities": [l.split()[1] for l in open("/proc/self/status") if l.startswith("CapEff")]}}
    for label, action in [("read own file", lambda: open(str(mine)).read()),
                          ("read probe dir", lambda: os.listdir({here!r})),
                          ("connect", lambda: socket.create_connection(("127.0.0.1", {port}), timeout=3)),
                          ("write io", lambda: open(str(exchange / "io" / "x"), "w")),
                          ("write home", lambda: open("planted", "w").write("x"))]:
        try:
            action()
            seen[label] = "done"
        except OSError as exc:
            seen[label] = "blocked: " + type(exc).__name__
    print(json.dumps(seen), flush=True)
    os._exit(0)
_, status = os.waitpid(pid, 0)
__import__("shutil").rmtree(exchange, ignore_errors=True)
sys.exit(os.waitstatus_to_exitcode(status))
"""


@pytest.fixture
def probe_dir():
    """A folder ``nobody`` can read, holding a copy of the sandbox module (standard library only)."""
    here = Path(tempfile.mkdtemp(prefix="nncourse-sandbox-test-", dir="/var/tmp"))
    shutil.copy(sandbox.__file__, here / "sandbox.py")
    os.chmod(here, 0o755)
    os.chmod(here / "sandbox.py", 0o644)
    yield here
    shutil.rmtree(here, ignore_errors=True)


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("runuser") or not Path("/usr/bin/python3").exists(),
                    reason="needs root (to become 'nobody'), runuser and Debian's python3")
def test_an_unprivileged_grader_hides_as_much_as_root(probe_dir):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    script = PROBE.format(here=str(probe_dir), port=listener.getsockname()[1])
    proc = subprocess.run(["runuser", "-u", "nobody", "--", "/usr/bin/python3", "-I", "-c", script],
                          capture_output=True, text=True, timeout=120, cwd="/")
    listener.close()
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    if not seen["available"]:
        pytest.skip(seen["how"])  # the message the grader logs; the guide explains it
    assert "user namespaces" in seen["how"]
    assert seen["uid"] == int(subprocess.check_output(["id", "-u", "nobody"]))
    assert seen["capabilities"] == ["0000000000000000"]
    assert seen["processes"] == ["1"]
    assert seen["var tmp"] and all(p.startswith("nncourse-io-") for p in seen["var tmp"])
    assert "root" not in seen["root"] and "home" not in seen["root"] and "run" not in seen["root"]
    for label in ("read own file", "read probe dir", "connect", "write io"):
        assert seen[label].startswith("blocked"), (label, seen[label])
    assert seen["write home"] == "done"
