"""The kernelspec's program: ask the kernel template for a kernel, relay signals, exit as it exits.

jupyter_client starts this file as ``python -I -S launcher.py --socket ...
-f CONNECTION_FILE`` (standard library only, ~20 ms: it runs once per
submission). It connects to the template's Unix socket
(:mod:`autograder.kernel.forkserver`), passes its stdin, stdout and stderr
with the request, gets the kernel's pid back, forwards the signals
jupyter_client sends it (interrupts, above all) to the kernel, and exits with
the kernel's exit status. If this process is killed, the template notices the
hang-up and kills the kernel.
"""
import argparse
import json
import os
import signal
import socket
import sys

#: Signals passed on to the kernel (jupyter_client interrupts with SIGINT).
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2)


def launch(argv=None) -> int:
    """Ask the template for a kernel, relay signals to it, and return its exit status."""
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
    sys.exit(launch())
