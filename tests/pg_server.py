"""A throwaway PostgreSQL server for tests and benchmarks: a new cluster in a temporary folder, on a free
loopback port, gone when stopped. Nothing to install by hand: it uses the machine's PostgreSQL server
binaries (PATH, then /usr/lib/postgresql/*/bin), else the ones the `pgserver` package (requirements-dev)
ships. PostgreSQL refuses to run as root, so as root the server runs as `nobody`.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path


def server_binaries() -> Path:
    """The folder holding initdb, pg_ctl and postgres."""
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(os.path.realpath(found)).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    if versions:
        return Path(versions[-1]).parent
    import pgserver  # only where the machine has no server of its own

    return Path(pgserver.__file__).parent / "pginstall" / "bin"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ThrowawayPostgres:
    def __init__(self) -> None:
        self.bin = server_binaries()
        self.root = Path(tempfile.mkdtemp(prefix="pg-throwaway-"))
        self.data = self.root / "data"
        self.port = free_port()
        self._user: dict = {}
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            os.chown(self.root, nobody.pw_uid, nobody.pw_gid)
            self._user = {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}

    def _run(self, *args: str) -> None:
        subprocess.run(
            [str(self.bin / args[0]), *args[1:]],
            check=True,
            cwd=self.root,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env={**os.environ, "LC_ALL": "C"},
            **self._user,
        )

    def start(self) -> ThrowawayPostgres:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")
        self.up()
        return self

    def up(self) -> None:
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c max_connections=400 -c shared_buffers=64MB"
        )
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "log"), "-w", "start")

    def down(self) -> None:
        """An outage: the server stops at once, every connection cut."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    async def new_database(self) -> str:
        """A fresh, empty database; returns its URL."""
        import asyncpg

        name = "t_" + uuid.uuid4().hex[:12]
        conn = await asyncpg.connect(self.url(), timeout=10)
        try:
            await conn.execute(f"CREATE DATABASE {name}")
        finally:
            await conn.close()
        return self.url(name)

    def stop(self) -> None:
        try:
            self.down()
        except subprocess.CalledProcessError:
            pass  # already down
        shutil.rmtree(self.root, ignore_errors=True)
