"""A real PostgreSQL server of the suite's own, on 127.0.0.1 and a free port."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# initdb refuses to run as root; the cluster then belongs to an unprivileged user.
CLUSTER_USER = "postgres" if "postgres" in {user.pw_name for user in pwd.getpwall()} else "nobody"
PASSWORD = "suite-password"


@dataclass(frozen=True)
class Server:
    port: int

    def url(self, database: str = "postgres", password: str = PASSWORD) -> str:
        """A SQLAlchemy URL through psycopg, as a generated project's postgres extra uses."""
        return f"postgresql+psycopg://postgres:{password}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import sqlalchemy

        engine = sqlalchemy.create_engine(self.url(), isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(sqlalchemy.text(f'create database "{name}"'))
        engine.dispose()
        return self.url(name)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _binary(name: str) -> str:
    """A PostgreSQL program: on PATH, or where Debian's packages keep it."""
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))), None
    )
    if found is None:
        raise RuntimeError(f"PostgreSQL's {name} is not installed; .ci/run installs postgresql")
    return found


def _as_cluster_user(command: list[str]) -> list[str]:
    command = [_binary(command[0]), *command[1:]]
    return ["runuser", "-u", CLUSTER_USER, "--", *command] if os.geteuid() == 0 else command


@contextlib.contextmanager
def postgres_server() -> Iterator[Server]:
    """initdb a cluster that asks for a password over TCP, start it, stop it afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="suite-postgres-"))
    data, password_file = folder / "data", folder / "password"
    password_file.write_text(PASSWORD + "\n")
    if os.geteuid() == 0:
        shutil.chown(folder, CLUSTER_USER)
        shutil.chown(password_file, CLUSTER_USER)
    port = _free_port()
    run = {"check": True, "capture_output": True, "timeout": 120}
    subprocess.run(_as_cluster_user(
        ["initdb", "-D", str(data), "-U", "postgres", "--auth=scram-sha-256",
         f"--pwfile={password_file}", "--no-sync"]), **run)  # fmt: skip
    options = f"-k {folder} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off"
    start = ["pg_ctl", "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start"]
    subprocess.run(_as_cluster_user(start), **run)
    try:
        yield Server(port)
    finally:
        subprocess.run(_as_cluster_user(["pg_ctl", "-D", str(data), "-m", "fast", "stop"]), **run)
        shutil.rmtree(folder, ignore_errors=True)
