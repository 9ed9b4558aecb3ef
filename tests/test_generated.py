"""Each generated project passes its own checks, run as its team would run them."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from locks import UV, UV_CACHE
from profiles import CHECKED_PROFILES, LEAN, NO_MODEL, TEMPLATE, Profile

GOVERNED = Profile(5, True, "ml-team")

# The suite's own environment holds every generated project's dependencies and dev tools.
SHARED_VENV = Path(sys.prefix)
WHEELHOUSE = Path(os.environ.get("WHEELHOUSE", TEMPLATE / ".cache" / "wheelhouse"))


def make(project: Path, *targets: str, env: dict | None = None, timeout: int = 600) -> str:
    result = subprocess.run(
        ["make", *targets], cwd=project, capture_output=True, text=True,
        env={**os.environ, **(env or {})}, timeout=timeout, check=False,
    )  # fmt: skip
    command = " ".join(targets)
    assert result.returncode == 0, f"make {command} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.mark.heavy
@pytest.mark.parametrize("profile", CHECKED_PROFILES, ids=lambda p: p.id)
def test_project_passes_its_own_lint_and_tests(working_copy, profile):
    output = make(working_copy(profile), "lint", "test", f"VENV={SHARED_VENV}")

    assert " passed" in output and " failed" not in output


@pytest.mark.heavy
@pytest.mark.parametrize("profile", CHECKED_PROFILES, ids=lambda p: p.id)
def test_container_manifests_and_workflow_pass_the_real_validators(working_copy, profile):
    # hadolint, kustomize + kubernetes-validate --strict, check-jsonschema (GitHub's workflow
    # or GitLab's CI schema) and yamllint: the project's own `make validate`, which fails on
    # the first tool that objects.
    make(working_copy(profile), "validate", f"VENV={SHARED_VENV}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str, body: dict | None = None) -> tuple[int, Any]:
    """GET, or POST a JSON body; the answer's status and its JSON (or text)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data, {"content-type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            status, text = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read()
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text.decode()


def serve(command: list[str], cwd: Path, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        command, cwd=cwd, env={**os.environ, **env}, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def wait_until_ready(url: str, server: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, server.stdout.read()
        try:
            if get(url)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    pytest.fail(f"{url} not ready after {seconds}s")


@pytest.mark.heavy
def test_mlops_make_run_trains_promotes_and_serves_on_the_embedded_defaults(working_copy):
    """`make run` with no store yet: trains, promotes, then serves every champion."""
    profile = Profile(2, False, "ml-team")
    project = working_copy(profile)
    port = free_port()
    env = {"APP_PORT": str(port), "PYTHONPATH": "src"}

    server = serve(["make", "run", f"VENV={SHARED_VENV}"], project, env)
    try:
        wait_until_ready(f"http://127.0.0.1:{port}/readyz", server, seconds=300)
        models = get(f"http://127.0.0.1:{port}/v1/models")[1]
        assert [model["version"] for model in models] == ["1", "1"]
    finally:
        stop(server)

    assert (project / "mlflow.db").is_file()
    assert (project / "mlruns").is_dir()


@pytest.mark.heavy
def test_lean_readme_commands_work_on_a_fresh_machine(working_copy):
    """`make install run` then `make test`, offline: uv from the wheelhouse, and the locked
    packages from the uv cache the template's `make install` warmed."""
    if not any(WHEELHOUSE.glob("uv-*.whl")) or not UV_CACHE.is_dir():
        pytest.fail(f"no wheelhouse or uv cache in {UV_CACHE.parent}: run `make install`")
    project = working_copy(LEAN)
    offline = {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(WHEELHOUSE)}
    offline |= {"UV_OFFLINE": "1", "UV_CACHE_DIR": str(UV_CACHE), "UV_PYTHON_DOWNLOADS": "never"}
    make(project, "install", env=offline)
    exact = [UV, "sync", "--locked", "--extra", "dev", "--check"]
    assert subprocess.run(exact, cwd=project, env={**os.environ, **offline}).returncode == 0
    port = free_port()

    server = serve(["make", "run"], project, {"APP_PORT": str(port)})
    try:
        wait_until_ready(f"http://127.0.0.1:{port}/readyz", server)
        features = get(f"http://127.0.0.1:{port}/v1/model")[1]["features"]
        status, answer = get(
            f"http://127.0.0.1:{port}/v1/predict", {"instances": [dict.fromkeys(features, 1.0)]}
        )
        assert status == 200
        assert answer["predictions"][0]["label"] in {"setosa", "versicolor", "virginica"}
        assert get(f"http://127.0.0.1:{port}/v1/predict", {"instances": []})[0] == 422
    finally:
        stop(server)

    assert (project / "artifacts" / "model" / "LATEST").is_file()  # `make run` trained first
    assert " passed" in make(project, "test")


def requirement_names(lines: list[str]) -> set[str]:
    names = (re.split(r"[<>=!~\[; ]", line.strip())[0] for line in lines)
    return {name.lower().replace("_", "-") for name in names if name and not name.startswith("#")}


def requirement_lines(path: Path) -> list[str]:
    """A requirements file's lines, with those of the files it includes (`-r other.txt`)."""
    lines = []
    for line in path.read_text().splitlines():
        included = re.fullmatch(r"-r\s+(\S+)", line.strip())
        lines += requirement_lines(path.parent / included[1]) if included else [line]
    return lines


@pytest.mark.parametrize("profile", [NO_MODEL, LEAN, GOVERNED], ids=lambda p: p.id)
def test_suite_environment_holds_every_generated_dependency(bake, profile):
    # Otherwise the shared-environment checks above, or the offline install, would drift.
    project = tomllib.loads((bake(profile) / "pyproject.toml").read_text())["project"]
    extras = [dep for group in project["optional-dependencies"].values() for dep in group]
    generated = requirement_names(project["dependencies"] + extras)
    suite = requirement_names(requirement_lines(TEMPLATE / "requirements-dev.txt"))

    assert generated <= suite


@contextlib.contextmanager
def mlflow_server(folder: Path) -> Iterator[str]:
    """A real `mlflow server` on 127.0.0.1 storing under folder; yields its URL."""
    port = free_port()
    tracking = f"http://127.0.0.1:{port}"
    server = serve(
        [str(SHARED_VENV / "bin" / "mlflow"), "server", "--host", "127.0.0.1",
         "--port", str(port), "--workers", "1",
         "--backend-store-uri", f"sqlite:///{folder / 'server.db'}",
         "--artifacts-destination", str(folder / "artifacts")],
        folder, {"MLFLOW_DISABLE_TELEMETRY": "true"},
    )  # fmt: skip
    try:
        wait_until_ready(f"{tracking}/health", server)
        yield tracking
    finally:
        stop(server)


def train_and_promote(project: Path, profile: Profile, env: dict) -> None:
    """Train every model and promote its champion, as a team does before serving; where
    governance applies, a second person approves each version first."""
    if "governance" in profile.components:
        config = project / "src" / profile.package / "models.yaml"
        models = [model["name"] for model in yaml.safe_load(config.read_text())["models"]]
        approve = ["governance", "approve", "--version", "1", "--by", "approver", "--model"]
        commands = [["governance", "train"], *([*approve, name] for name in models),
                    ["governance", "promote", "--by", "approver"]]  # fmt: skip
    else:
        commands = [["tracking.train"], ["registry", "promote", "--by", "ci"]]
    for command in commands:
        done = subprocess.run(
            [str(SHARED_VENV / "bin" / "python"), "-m", f"{profile.package}.{command[0]}",
             *command[1:]],
            cwd=project, env={**os.environ, **env}, capture_output=True, text=True,
            timeout=600, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
    assert "champion 1 (changed)" in done.stdout


@pytest.mark.heavy
def test_mlops_project_trains_promotes_and_serves_through_a_real_mlflow_server(
    working_copy, tmp_path
):
    """Tracking, registry and serving against `mlflow server` over HTTP, not the local file."""
    profile = Profile(2, False, "ml-team")
    project = working_copy(profile)
    service_port = free_port()
    python = str(SHARED_VENV / "bin" / "python")

    with mlflow_server(tmp_path) as tracking:
        env = {"MLFLOW_TRACKING_URI": tracking, "MLFLOW_DISABLE_TELEMETRY": "true",
               "PYTHONPATH": "src"}  # fmt: skip
        train_and_promote(project, profile, env)
        service = serve([python, "-m", profile.package], project,
                        {**env, "APP_PORT": str(service_port)})  # fmt: skip
        try:
            wait_until_ready(f"http://127.0.0.1:{service_port}/readyz", service)
            models = get(f"http://127.0.0.1:{service_port}/v1/models")[1]
            assert len(models) == 2
            for model in models:
                url = f"http://127.0.0.1:{service_port}/v1/models/{model['name']}/predict"
                status, body = get(url, {"instances": [dict.fromkeys(model["features"], 0.5)]})
                assert status == 200, body
        finally:
            stop(service)

    assert not (project / "mlflow.db").exists()  # everything went through the server
    assert any((tmp_path / "artifacts").rglob("MLmodel"))
