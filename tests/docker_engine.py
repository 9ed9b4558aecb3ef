"""A Docker engine and a package index of the suite's own, for building and starting images.

Registries are out of reach on the machines the suite runs on, so the engine is Debian's
`dockerd` with its own socket and data root, the base image is the Debian root file system
`make base-image` builds, and packages come from the wheelhouse `make install` downloads,
served as a PEP 503 index on 127.0.0.1.

The first test that needs them starts both, under a lock (xdist runs two workers); the
pytest controller stops them when the session ends. Anything missing is one line saying
what to install or run.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from profiles import TEMPLATE

CACHE = TEMPLATE / ".cache"
BASE_IMAGE_TAR = CACHE / "base-image.tar"
WHEELHOUSE = CACHE / "wheelhouse"
# Image layers persist between runs, so a second run rebuilds only what changed.
DATA_ROOT = CACHE / "docker"
BASE_IMAGE = "paved-path-base:bookworm"
STATE_ENV = "PAVED_PATH_DOCKER_STATE"


class EngineUnavailable(RuntimeError):
    """The engine, the base image or the index could not be set up; the message says why."""


@dataclass(frozen=True)
class Engine:
    docker_host: str
    base_image: str
    index_url: str

    def docker(self, *args: str, timeout: float = 900, check: bool = True) -> str:
        result = subprocess.run(
            ["docker", *args], capture_output=True, text=True, timeout=timeout, check=False,
            env={**os.environ, "DOCKER_HOST": self.docker_host},
        )  # fmt: skip
        if check and result.returncode != 0:
            raise AssertionError(f"docker {' '.join(args)}:\n{result.stdout}\n{result.stderr}")
        return result.stdout


def state_dir() -> Path:
    """The run's folder for the engine's socket, pid files and state, made by the controller."""
    return Path(os.environ[STATE_ENV])


def open_session() -> None:
    """Controller side, before workers start: a short folder they inherit through the env."""
    # Short: the socket's path must fit a Unix socket address.
    os.environ[STATE_ENV] = tempfile.mkdtemp(prefix="pp-docker-", dir="/tmp")


def close_session() -> None:
    """Controller side, at the end: stop whatever a worker started, and remove the folder."""
    folder = Path(os.environ.pop(STATE_ENV, ""))
    if not folder.name:
        return
    for name in ("index.pid", "engine.pid"):
        _stop(folder / name)
    shutil.rmtree(folder, ignore_errors=True)


def engine() -> Engine:
    """The running engine, started by the first caller; raises EngineUnavailable."""
    folder = state_dir()
    with open(folder / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        state = folder / "engine.json"
        if not state.exists():
            failed = folder / "failed"
            if failed.exists():
                raise EngineUnavailable(failed.read_text())
            try:
                started = _start(folder)
            except EngineUnavailable as error:
                failed.write_text(str(error))
                raise
            state.write_text(json.dumps(started.__dict__))
        return Engine(**json.loads(state.read_text()))


def _start(folder: Path) -> Engine:
    for command, package in (("dockerd", "docker.io"), ("docker", "docker.io")):
        if not shutil.which(command):
            raise EngineUnavailable(f"{command} not found: apt-get install {package}")
    if not BASE_IMAGE_TAR.is_file():
        raise EngineUnavailable(f"no base image at {BASE_IMAGE_TAR}: run `make base-image`")
    if not any(WHEELHOUSE.glob("*.whl")):
        raise EngineUnavailable(f"no wheelhouse at {WHEELHOUSE}: run `make install`")

    socket = folder / "docker.sock"
    log = folder / "dockerd.log"
    DATA_ROOT.mkdir(parents=True, exist_ok=True)
    # No bridge and no iptables: the containers use the host's network, as the tests probe
    # them on 127.0.0.1, and the engine changes nothing on the machine.
    daemon = subprocess.Popen(
        ["dockerd", "--host", f"unix://{socket}", "--data-root", str(DATA_ROOT),
         "--exec-root", str(folder / "exec"), "--pidfile", str(folder / "dockerd.pid"),
         "--bridge=none", "--iptables=false"],
        stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    (folder / "engine.pid").write_text(str(daemon.pid))
    started = Engine(f"unix://{socket}", BASE_IMAGE, _serve_index(folder))
    deadline = time.monotonic() + 60
    while not started.docker("version", "--format", "{{.Server.Version}}", timeout=10, check=False):
        if daemon.poll() is not None or time.monotonic() > deadline:
            tail = log.read_text().strip().splitlines()[-1:] or ["no output"]
            raise EngineUnavailable(f"dockerd did not start: {tail[0]} (see {log})")
        time.sleep(0.5)
    if not started.docker("images", "--quiet", BASE_IMAGE, check=False).strip():
        with BASE_IMAGE_TAR.open("rb") as tar:
            imported = subprocess.run(
                ["docker", "import", "-", BASE_IMAGE], stdin=tar, capture_output=True,
                text=True, env={**os.environ, "DOCKER_HOST": started.docker_host}, check=False,
            )  # fmt: skip
        if imported.returncode != 0:
            raise EngineUnavailable(
                f"docker import of {BASE_IMAGE_TAR} failed: {imported.stderr.strip()}; "
                "delete it and run `make base-image`"
            )
    return started


def _serve_index(folder: Path) -> str:
    """The wheelhouse as a PEP 503 simple index: one folder of links per normalized name."""
    simple = folder / "index" / "simple"
    for wheel in WHEELHOUSE.iterdir():
        project = re.match(r"(.+?)-\d", wheel.name)
        if not project:
            continue
        name = re.sub(r"[-_.]+", "-", project[1]).lower()
        (simple / name).mkdir(parents=True, exist_ok=True)
        (simple / name / wheel.name).symlink_to(wheel.resolve())
    port_file = folder / "index.port"
    server = subprocess.Popen(
        [sys.executable, "-c", _INDEX_SERVER, str(simple.parent), str(port_file)],
        stdout=subprocess.DEVNULL, stderr=(folder / "index.log").open("w"),
        start_new_session=True,
    )  # fmt: skip
    (folder / "index.pid").write_text(str(server.pid))
    deadline = time.monotonic() + 20
    while not port_file.exists() or not port_file.read_text():
        if server.poll() is not None or time.monotonic() > deadline:
            raise EngineUnavailable(f"the package index did not start: see {folder}/index.log")
        time.sleep(0.1)
    url = f"http://127.0.0.1:{port_file.read_text()}/simple/"
    with urllib.request.urlopen(url, timeout=5):
        return url


# A directory listing is a valid simple index page: pip and uv read its links.
_INDEX_SERVER = """
import functools, http.server, sys
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
handler.log_message = lambda *args: None
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
open(sys.argv[2], "w").write(str(server.server_address[1]))
server.serve_forever()
"""


def _stop(pid_file: Path) -> None:
    try:
        pid = int(pid_file.read_text())
        os.kill(pid, signal.SIGTERM)
    except (OSError, ValueError):
        return
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        # Reap it where this process started it (a run without xdist), or it lingers a zombie.
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        try:
            os.kill(pid, 0)
        except OSError:
            return
        time.sleep(0.2)
    os.kill(pid, signal.SIGKILL)
