"""A throwaway PostgreSQL server for tests and benchmarks (Debian's ``postgresql`` package).

Parallel grading needs a gradebook that takes concurrent writers. The tests
and ``benchmarks/bench_grading.py`` start a real server with this module: a
fresh cluster in a temporary directory, listening on 127.0.0.1 with password
authentication (a learner's kernel shares the machine's loopback network, so
trust authentication would let it write grades).
"""
from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def pg_bindir(install: bool = True) -> Path:
    """Where Debian keeps initdb/pg_ctl; installs the package when missing and allowed (root)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found and install and os.geteuid() == 0:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "postgresql"], check=True, env=env)
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found:
        raise RuntimeError("PostgreSQL server binaries not found: apt-get install postgresql")
    return Path(found[-1]).parent


class Cluster:
    """``with Cluster() as pg: url = pg.database("name")`` — stopped and deleted on exit."""

    def __init__(self):
        self.bindir = pg_bindir()
        # Not under a root-only temp dir: the server runs as "postgres" when we are root.
        self.root = Path(tempfile.mkdtemp(prefix="nncourse-pg-"))
        self.password = secrets.token_hex(12)
        self.port = None
        self.as_user = []

    def __enter__(self):
        data, sockets, pwfile = self.root / "data", self.root / "sock", self.root / "pw"
        sockets.mkdir()
        pwfile.write_text(self.password + "\n")
        if os.geteuid() == 0:  # initdb refuses to run as root
            user = pwd.getpwnam("postgres")
            for path in (self.root, sockets, pwfile):
                os.chown(path, user.pw_uid, user.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        subprocess.run([*self.as_user, str(self.bindir / "initdb"), "-D", str(data), "-U", "grader",
                        "--auth=scram-sha-256", f"--pwfile={pwfile}"], check=True, capture_output=True)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        subprocess.run([*self.as_user, str(self.bindir / "pg_ctl"), "-D", str(data), "-w", "-l",
                        str(self.root / "log"), "-o", f"-p {self.port} -k {sockets} -c listen_addresses=127.0.0.1",
                        "start"], check=True, capture_output=True)
        return self

    def database(self, name: str) -> str:
        """Create database ``name``; return its SQLAlchemy URL."""
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user="grader", password=self.password,
                             dbname="postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql://grader:{self.password}@127.0.0.1:{self.port}/{name}"

    def __exit__(self, *exc):
        subprocess.run([*self.as_user, str(self.bindir / "pg_ctl"), "-D", str(self.root / "data"), "-m",
                        "immediate", "stop"], capture_output=True)
        shutil.rmtree(self.root, ignore_errors=True)
