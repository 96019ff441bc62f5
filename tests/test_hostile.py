"""Hostile submissions gain nothing and break nothing.

A class of attackers on the activations exercise (15 points) is graded through
the documented commands, between two honest students, from a clone of this
repository *outside* every temporary folder (the ``outside_clone`` fixture: a
sandbox that hides folders by location would pass from ``/tmp``). Each attacker
solved some functions honestly; the assertions say exactly what each one must
score: never more than its honest part (blank-plus-attack scores 0), and the
honest students keep 15.
"""
import csv
import json
import stat
import time
from pathlib import Path

import nbformat
import pytest

from autograder.kernel import sandbox
from support.fakeclass import make_submission, run_cli, write_submission

pytestmark = pytest.mark.slow

SLUG = "activations"
POINTS = {"sigmoid_forward": 1, "sigmoid_backward": 2, "tanh_forward": 1, "tanh_backward": 1, "relu_forward": 1,
          "relu_backward": 2, "leaky_relu_forward": 1, "leaky_relu_backward": 1, "softmax_forward": 2,
          "softmax_backward": 3}
FULL = sum(POINTS.values())

# -- attacks, as code a learner could put in a solution cell ---------------------------

PATCH_NUMPY = """
import numpy, numpy.testing, builtins
numpy.allclose = lambda *a, **k: True
numpy.isclose = lambda a, b, *r, **k: numpy.ones(numpy.shape(a), bool)
numpy.array_equal = lambda *a, **k: True
numpy.testing.assert_allclose = lambda *a, **k: None
builtins.print = lambda *a, **k: None
def sigmoid_forward(x):
    return numpy.zeros_like(x), None
"""

IMPORT_ANSWERS = """
def sigmoid_forward(x):
    raise NotImplementedError()
try:
    import autograder.judge.verdict as _g
    _g.evaluate = lambda *a, **k: []
    _g.compare = lambda *a, **k: None
except Exception as exc:
    print("grader not importable:", type(exc).__name__)
try:
    from solutions.activations import sigmoid_forward
except Exception as exc:
    print("answers not importable:", type(exc).__name__)
"""

READ_FILES = """
import glob, os, numpy
def sigmoid_forward(x):
    raise NotImplementedError()
repo = os.path.abspath(os.path.join(os.path.dirname(numpy.__file__), *[".."] * 5))
stolen = {}
for pattern in [repo + "/solutions/activations.py", repo + "/autograder/judge/specs/activations.py",
                "../../../.grading_secret", "../../../gradebook.db", "/tmp/**/.grading_secret",
                "../../../submitted/*/activations/*.ipynb", "../../*/activations/*.ipynb"]:
    for path in glob.glob(pattern, recursive=True)[:3]:
        try:
            stolen[path] = open(path, "rb").read()[:100000]
        except OSError:
            pass
print("stolen files:", sorted(stolen))
for path, data in stolen.items():
    if path.endswith("solutions/activations.py"):
        ns = {}
        exec(data.decode(), ns)
        sigmoid_forward = ns["sigmoid_forward"]
"""

LIARS = {
    "sigmoid_forward": """
class Anything:
    def __eq__(self, other): return True
    def __array__(self, dtype=None, copy=None): raise TypeError("no")
def sigmoid_forward(x):
    return Anything(), Anything()
""",
    "relu_forward": """
import numpy as np
class Agreeable(np.ndarray):
    def __eq__(self, other): return np.ones(np.shape(other), bool)
    def __array_function__(self, func, types, args, kwargs): return True
def relu_forward(x):
    return np.zeros(np.shape(x)).view(Agreeable), None
""",
    "tanh_forward": """
import numpy as np
def tanh_forward(x):
    return np.full(np.shape(x), "0.5"), None
""",
    "leaky_relu_forward": """
import numpy as np
def leaky_relu_forward(x, alpha=0.01):
    return np.zeros((1,)), None
""",
}

# A blank notebook that looks for the answer key through its own Python (sys.prefix,
# sys.path), git and the file system, and keeps what it finds in place for every cell.
THIEF = """
import os, subprocess, sys
def _steal():
    sources = []
    for start in [sys.prefix, sys.base_prefix, *sys.path]:
        here = start
        for _ in range(6):
            here = os.path.dirname(here)
            out = subprocess.run(["git", "-c", "safe.directory=*", "-C", here, "show",
                                  "HEAD:solutions/activations.py"], capture_output=True)
            if out.returncode == 0:
                sources.append(out.stdout.decode())
            for guess in [os.path.join(here, "solutions", "activations.py")]:
                if os.path.exists(guess):
                    sources.append(open(guess).read())
    for top, dirs, files in os.walk("/"):
        if top in ("/proc", "/sys", "/dev", "/usr"):  # /usr's site-packages are on sys.path, searched above
            dirs[:] = []
        if top.endswith("solutions") and "activations.py" in files:
            sources.append(open(os.path.join(top, "activations.py")).read())
    for source in sources:
        ns = {}
        try:
            exec(source, ns)
            return {k: v for k, v in ns.items() if k.endswith(("_forward", "_backward"))}
        except Exception:
            pass
    return {}
_stolen = _steal()
print("stolen:", sorted(_stolen))
def _keep_stolen(*args):
    globals().update(_stolen)
get_ipython().events.register("pre_run_cell", _keep_stolen)
"""

# Overwrites dout in place, and blinds any equality check made in the kernel.
MUTATOR = """
import numpy as np
np.array_equal = lambda *a, **k: True
np.testing.assert_array_equal = lambda *a, **k: None
def relu_backward(dout, cache):
    dout[cache.x <= 0] = 0
    return dout
"""

# Looks for hidden inputs and the exchange folder, and tries to plant results there.
SNOOPER = """
import glob, os
seen = [p for p in glob.glob("/var/tmp/**", recursive=True) + glob.glob("/tmp/**", recursive=True)
        if p.endswith((".json", ".npz")) and not p.endswith("kernel-connection.json")]
print("hidden inputs seen:", seen)
for folder in glob.glob("/var/tmp/nncourse-io-*/*"):
    try:
        with open(os.path.join(folder, "out.json"), "w") as fh:
            fh.write("{}")
        print("planted in", folder)
    except OSError as exc:
        print("could not plant:", type(exc).__name__)
"""

# Every local port, the gradebook's PostgreSQL among them.
SCANNER = """
import socket
reached = []
for port in range(1, 65536):
    s = socket.socket()
    s.settimeout(0.05)
    try:
        s.connect(("127.0.0.1", port))
        reached.append(port)
    except OSError:
        pass
    finally:
        s.close()
print("ports reached:", reached)
"""

TRANSFORMER = """
ip = get_ipython()
ip.input_transformers_post.append(lambda lines: ["pass\\n"] if any("run_hidden" in l for l in lines) else lines)
"""

OS_EXIT = "\nimport os\nos._exit(0)\n"
SEGFAULT = "\nimport ctypes\nctypes.string_at(0)\n"
SYS_EXIT = "import sys\nsys.exit(1)\n"
LOOP = "\nwhile True:\n    pass\n"
STUBBORN = "\nimport signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\ntime.sleep(10**6)\n"
MEMORY = "\ntry:\n    hog = bytearray(64 * 2**30)\nexcept MemoryError:\n    print('no memory for me')\n"
PROCESSES = """
import subprocess
procs = []
try:
    for _ in range(1000):
        procs.append(subprocess.Popen(["sleep", "600"]))
except OSError as exc:
    print("stopped after", len(procs), type(exc).__name__)
"""
CHATTY = "\nprint('x' * 10**7)\nfor i in range(20000):\n    print(i)\n"
WRITER = """
import os
for path in ["/tmp/planted.py", "../../../nbgrader_config.py", "../../ada/activations/activations.ipynb",
             "/var/tmp/planted/planted.py", "/dev/shm/planted.py", "/run/lock/planted.py",
             os.path.expanduser("~/.ipython/profile_default/startup/00-evil.py")]:
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as fh:
            fh.write("raise SystemExit('planted')\\n")
    except OSError as exc:
        print("could not write", path, type(exc).__name__)
# System V shared memory outlives its process unless the kernel has its own IPC namespace.
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
print("shmget:", libc.shmget(0x4E4E, 4096, 0o1000 | 0o666))  # IPC_CREAT, world-readable
"""


def append_to(target, code):
    """An ``edit`` for make_submission: ``code`` after the solved function of ``target``."""
    return lambda gid, src: src + "\n" + code if gid == f"{target}_solution" else src


def replace(target, code):
    return lambda gid, src: code if gid == f"{target}_solution" else src


def replace_many(codes):
    return lambda gid, src: codes.get(gid.removesuffix("_solution"), src)


# student -> (edit, expected score)
ATTACKERS = {
    "patcher": (replace("sigmoid_forward", PATCH_NUMPY), FULL - POINTS["sigmoid_forward"]),
    "importer": (replace("sigmoid_forward", IMPORT_ANSWERS), FULL - POINTS["sigmoid_forward"]),
    "reader": (replace("sigmoid_forward", READ_FILES), FULL - POINTS["sigmoid_forward"]),
    "liar": (replace_many(LIARS), FULL - sum(POINTS[f] for f in LIARS)),
    "transformer": (append_to("sigmoid_forward", TRANSFORMER), 0),
    "exiter": (append_to("softmax_forward", OS_EXIT), FULL - POINTS["softmax_forward"] - POINTS["softmax_backward"]),
    "segfault": (append_to("softmax_forward", SEGFAULT), FULL - POINTS["softmax_forward"] - POINTS["softmax_backward"]),
    "sysexit": (lambda gid, src: SYS_EXIT + src if gid == "tanh_forward_solution" else src,
                FULL - POINTS["tanh_forward"]),
    "looper": (append_to("relu_backward", LOOP), FULL),
    "stubborn": (append_to("softmax_forward", STUBBORN),
                 FULL - POINTS["softmax_forward"] - POINTS["softmax_backward"]),
    "hog": (append_to("relu_backward", MEMORY), FULL),
    "spawner": (append_to("leaky_relu_backward", PROCESSES), FULL),
    "chatty": (append_to("tanh_backward", CHATTY), FULL),
    "writer": (append_to("sigmoid_backward", WRITER), FULL),
    "untester": (lambda gid, src: "pass" if gid.endswith("_tests") else src, FULL),
    "thief": (replace("sigmoid_forward", THIEF), 0),
    "mutator": (replace("relu_backward", MUTATOR), FULL - POINTS["relu_backward"]),
    "snooper": (append_to("sigmoid_forward", SNOOPER), FULL),
    "scanner": (append_to("tanh_forward", SCANNER), FULL),
}
#: Attackers whose notebook is blank apart from the attack.
BLANK = {"thief"}


@pytest.fixture(scope="module")
def graded(tmp_path_factory, postgres, outside_clone):
    repo, _ = outside_clone
    course = repo.parent / "course"  # beside the clone, outside every temporary folder too
    # PostgreSQL: graded by 2 parallel workers.
    run_cli("setup", str(course), "--assignment", SLUG, "--db-url", postgres("hostile"), clone=outside_clone)
    inbox = tmp_path_factory.mktemp("inbox")
    write_submission(inbox, "ada", SLUG, make_submission(course, SLUG))
    for student, (edit, _) in ATTACKERS.items():
        solved = (lambda g: False) if student in BLANK else (lambda g: True)
        write_submission(inbox, student, SLUG, make_submission(course, SLUG, solved=solved, edit=edit))
    corrupt = inbox / "corrupt" / SLUG / f"{SLUG}.ipynb"
    corrupt.parent.mkdir(parents=True)
    corrupt.write_text('{"cells": [ this is not json')
    # "zoe" is graded last (alphabetically): an honest student after all the attacks.
    write_submission(inbox, "zoe", SLUG, make_submission(course, SLUG))
    run_cli("collect", str(course), str(inbox), clone=outside_clone)
    with (course / "nbgrader_config.py").open("a") as fh:  # a short CPU limit for the looping kernels
        fh.write("c.SandboxedExecute.kernel_cpu_seconds = 60\n")
    start = time.monotonic()
    log = run_cli("grade", str(course), "--cell-timeout", "5", "--submission-timeout", "240", clone=outside_clone,
                  check=False)
    elapsed = time.monotonic() - start
    assert log.returncode == 1, log.stderr  # the corrupt notebook could not be graded: the instructor must know
    out = course.parent / "grades.csv"
    run_cli("export", str(course), "--to", str(out), clone=outside_clone)
    run_cli("feedback", str(course), clone=outside_clone)
    with out.open() as fh:
        grades = {r["student_id"]: float(r["score"]) for r in csv.DictReader(fh)}
    return course, grades, log.stdout + log.stderr, elapsed


def test_honest_students_are_unaffected(graded):
    _, grades, _, _ = graded
    assert grades["ada"] == FULL
    assert grades["zoe"] == FULL


@pytest.mark.parametrize("student", sorted(ATTACKERS))
def test_attacker_gets_exactly_its_honest_part(graded, student):
    _, grades, _, _ = graded
    assert grades[student] == ATTACKERS[student][1]


def test_corrupt_notebook_is_logged_and_scores_zero(graded):
    _, grades, log, _ = graded
    assert grades.get("corrupt", 0) == 0
    assert "corrupt/activations: could not be graded" in log


def test_total_time_is_bounded(graded):
    *_, elapsed = graded
    # 22 submissions; two of them burn two 5 s cell time-outs each.
    assert elapsed < 600


def _printed(course, student, marker):
    """What the learner's cells printed on lines starting with ``marker``, in the graded notebook."""
    nb = nbformat.read(course / "autograded" / student / SLUG / f"{SLUG}.ipynb", as_version=4)
    texts = [o.get("text", "") for c in nb.cells for o in c.get("outputs", [])]
    return [line for t in texts for line in t.splitlines() if line.startswith(marker)]


def test_the_thief_found_nothing(graded):
    course, *_ = graded
    assert _printed(course, "thief", "stolen:") == ["stolen: []"]


def test_no_hidden_input_is_visible_outside_its_cell_and_nothing_can_be_planted(graded):
    course, *_ = graded
    assert _printed(course, "snooper", "hidden inputs seen:") == ["hidden inputs seen: []"]
    # Its own home and runtime folder are its to write; the inputs folder, and everything else, is not.
    planted = [line for line in _printed(course, "snooper", "planted in") if not line.endswith(("/home", "/runtime"))]
    assert not planted
    assert any(line.startswith("could not plant") for line in _printed(course, "snooper", "could not plant"))


def test_the_kernel_reaches_no_port(graded):
    course, *_ = graded
    assert _printed(course, "scanner", "ports reached:") == ["ports reached: []"]


def test_secrets_on_disk_are_the_instructors_only(graded):
    course, *_ = graded
    secrets = [(course / ".grading_secret").read_text().strip(),
               json.loads((course / ".autograder.json").read_text())["db_url"].split("@")[0].split(":")[-1]]
    for path in course.rglob("*"):
        if path.is_file() and any(s.encode() in path.read_bytes() for s in secrets):
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, f"{path} holds a secret and others can read it"


def test_feedback_explains_without_revealing(graded):
    course, *_ = graded
    exiter = (course / "feedback" / "exiter" / SLUG / f"{SLUG}.html").read_text()
    assert "stopped before this test could run" in exiter
    liar = (course / "feedback" / "liar" / SLUG / f"{SLUG}.html").read_text()
    assert "hidden cases failed" in liar
    for page in (course / "feedback").rglob("*.html"):
        text = page.read_text()
        assert "def run_hidden" not in text and "def encode" not in text, f"{page}: grader code in feedback"
        assert (course / ".grading_secret").read_text().strip() not in text


def test_no_attack_left_anything_behind(graded):
    course, *_ = graded
    assert not Path("/tmp/planted.py").exists()
    assert "planted" not in (course / "nbgrader_config.py").read_text()
    # Nothing in a world-writable place can reach the next learner's kernel. (Other graders on
    # this machine may be running kernels now: only what these attackers make is looked for.)
    planted = [p for p in ["/tmp/planted.py", "/var/tmp/planted", "/dev/shm/planted.py", "/run/lock/planted.py"]
               if Path(p).exists()]  # where the writer tried (other tests may plant files of their own)
    assert not planted, f"a learner's kernel left {planted}"
    segments = Path("/proc/sysvipc/shm").read_text().splitlines()[1:]
    assert not [s for s in segments if int(s.split()[0]) == 0x4E4E], "a kernel's shared memory outlived it"
    # The spawner started 'sleep 600' processes as its kernel's user.
    leftovers = [p for p in Path("/proc").glob("[0-9]*") if _kernel_sleeper(p)]
    assert not leftovers, "processes of a learner's kernel survived grading"


def _kernel_sleeper(proc: Path) -> bool:
    try:
        return proc.stat().st_uid >= sandbox.UID_BASE and (proc / "cmdline").read_bytes() == b"sleep\x00600\x00"
    except OSError:
        return False
