"""Each generated project passes its own checks, run as its team would run them."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
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

import pandas as pd
import pytest
import sqlalchemy
import yaml

from locks import SUITE_REQUIREMENTS, UV, UV_CACHE, requirement_lines
from postgres import Server, postgres_server
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


@pytest.mark.parametrize("profile", [NO_MODEL, LEAN, GOVERNED], ids=lambda p: p.id)
def test_suite_environment_holds_every_generated_dependency(bake, profile):
    # Otherwise the shared-environment checks above, or the offline install, would drift.
    project = tomllib.loads((bake(profile) / "pyproject.toml").read_text())["project"]
    extras = [dep for group in project["optional-dependencies"].values() for dep in group]
    generated = requirement_names(project["dependencies"] + extras)
    suite = requirement_names(requirement_lines(SUITE_REQUIREMENTS))

    assert generated <= suite


@contextlib.contextmanager
def mlflow_server(folder: Path, backend: str | None = None) -> Iterator[str]:
    """A real `mlflow server` on 127.0.0.1 with its runs in `backend` (by default SQLite)
    and its artifacts under folder; yields its URL."""
    backend = backend or f"sqlite:///{folder / 'server.db'}"
    port = free_port()
    tracking = f"http://127.0.0.1:{port}"
    server = serve(
        [str(SHARED_VENV / "bin" / "mlflow"), "server", "--host", "127.0.0.1",
         "--port", str(port), "--workers", "1", "--backend-store-uri", backend,
         "--artifacts-destination", str(folder / "artifacts")],
        folder, {"MLFLOW_DISABLE_TELEMETRY": "true"},
    )  # fmt: skip
    try:
        wait_until_ready(f"{tracking}/health", server)
        yield tracking
    finally:
        stop(server)


@pytest.fixture(scope="module")
def postgres() -> Iterator[Server]:
    with postgres_server() as server:
        yield server


def export_bundled(project: Path, package: str, name: str) -> pd.DataFrame:
    """A bundled dataset as a team would hand it over: plain columns, labels as text."""
    code = f"from {package}.datasets import bundled_frame; print(bundled_frame({name!r}).to_json())"
    done = subprocess.run([str(SHARED_VENV / "bin" / "python"), "-c", code], cwd=project,
                          env={**os.environ, "PYTHONPATH": "src"}, capture_output=True,
                          text=True, check=True, timeout=120)  # fmt: skip
    return pd.read_json(io.StringIO(done.stdout)).sort_index()


def train_on_every_kind_of_source(project: Path, package: str, database: str) -> list[str]:
    """Point the models at the project's own data, one model per kind of source: a CSV
    file, a Parquet file, a file:// URL and a PostgreSQL table; returns the model names."""
    flowers, patients = (export_bundled(project, package, name) for name in ("iris", "diabetes"))
    (project / "data").mkdir()
    flowers.to_csv(project / "data" / "flowers.csv", index=False)
    flowers.to_parquet(project / "data" / "flowers.parquet")
    elsewhere = project.parent / "exports" / "flowers.csv"
    elsewhere.parent.mkdir()
    flowers.to_csv(elsewhere, index=False)
    engine = sqlalchemy.create_engine(database)
    patients.to_sql("patients", engine, index=False)
    engine.dispose()
    path = project / "src" / package / "models.yaml"
    config = yaml.safe_load(path.read_text())
    config["datasets"] = {
        "flowers": {"source": "data/flowers.csv", "provenance": "exported by the test"},
        "flowers-columnar": {"source": "data/flowers.parquet"},
        "flowers-elsewhere": {"source": elsewhere.as_uri()},
        "patients": {"source": {"sql": {"url_env": "PATIENTS_DB_URL", "table": "patients"}}},
    }
    iris, diabetes = config["models"]
    config["models"] = [
        {**iris, "dataset": "flowers"},
        {**iris, "name": "iris-columnar", "dataset": "flowers-columnar"},
        {**iris, "name": "iris-elsewhere", "dataset": "flowers-elsewhere"},
        {**diabetes, "dataset": "patients"},
    ]
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return [model["name"] for model in config["models"]]


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
def test_mlops_project_on_its_own_data_through_a_real_mlflow_server_on_postgresql(
    working_copy, tmp_path, postgres
):
    """Train, promote, serve, predict and check drift, with each kind of data source, and
    tracking and the registry in `mlflow server` backed by PostgreSQL, as teams run it."""
    profile = Profile(2, False, "ml-team")
    project = working_copy(profile)
    models = train_on_every_kind_of_source(
        project, profile.package, postgres.create_database("patients")
    )
    service_port = free_port()
    python = str(SHARED_VENV / "bin" / "python")

    with mlflow_server(tmp_path, postgres.create_database("mlflow")) as tracking:
        env = {"MLFLOW_TRACKING_URI": tracking, "MLFLOW_DISABLE_TELEMETRY": "true",
               "PYTHONPATH": "src", "PATIENTS_DB_URL": postgres.url("patients")}  # fmt: skip
        train_and_promote(project, profile, env)
        service = serve([python, "-m", profile.package], project,
                        {**env, "APP_PORT": str(service_port)})  # fmt: skip
        try:
            wait_until_ready(f"http://127.0.0.1:{service_port}/readyz", service)
            served = get(f"http://127.0.0.1:{service_port}/v1/models")[1]
            assert sorted(model["name"] for model in served) == sorted(models)
            for model in served:
                rows = export_bundled(
                    project, profile.package, "diabetes" if "diabetes" in model["name"] else "iris"
                )
                instances = rows[model["features"]].sample(150, replace=True, random_state=1)
                url = f"http://127.0.0.1:{service_port}/v1/models/{model['name']}/predict"
                status, body = get(url, {"instances": instances.to_dict("records")})
                assert status == 200, body
        finally:
            stop(service)
        drift = subprocess.run(
            [python, "-m", f"{profile.package}.monitoring", "drift"], cwd=project,
            env={**os.environ, **env}, capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip

    assert drift.returncode == 0, drift.stdout + drift.stderr
    assert all(name in drift.stdout for name in models)
    assert not (project / "mlflow.db").exists()  # everything went through the server
    assert any((tmp_path / "artifacts").rglob("MLmodel"))


@pytest.mark.heavy
def test_database_problems_stop_training_with_one_line_naming_the_source(working_copy, postgres):
    """The lean project's `make train` from a real PostgreSQL: it trains, and each way the
    database can be wrong is one line and an exit status, with no artifact written."""
    project = working_copy(LEAN)
    database = postgres.create_database("flowers")
    engine = sqlalchemy.create_engine(database)
    flowers = export_bundled(project, LEAN.package, "iris")
    flowers.to_sql("flowers", engine, index=False)
    engine.dispose()
    path = project / "src" / LEAN.package / "models.yaml"
    config = yaml.safe_load(path.read_text())
    query = "select * from flowers where sepal_length_cm > 4.5"
    config["datasets"] = {"flowers": {"source": {"sql": {"url_env": "FLOWERS_DB_URL",
                                                          "query": query}}}}  # fmt: skip
    config["model"]["dataset"] = "flowers"
    path.write_text(yaml.safe_dump(config))
    closed = free_port()

    def train(url: str | None, query: str = query) -> subprocess.CompletedProcess:
        config["datasets"]["flowers"]["source"]["sql"]["query"] = query
        path.write_text(yaml.safe_dump(config))
        env = {**os.environ, "PYTHONPATH": "src", "APP_MODEL_DIR": "models"}
        env.pop("FLOWERS_DB_URL", None)
        env |= {"FLOWERS_DB_URL": url} if url else {}
        return subprocess.run(
            [str(SHARED_VENV / "bin" / "python"), "-m", f"{LEAN.package}.model.train"],
            cwd=project, env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip

    trained = train(database)
    assert trained.returncode == 0, trained.stderr
    # The query's rows, not the table's.
    assert json.loads(trained.stdout)["rows"] == (flowers["sepal_length_cm"] > 4.5).sum() < 150
    shutil.rmtree(project / "models")
    problems = {
        "FLOWERS_DB_URL is not set": train(None),
        'password authentication failed for user "postgres"': train(
            postgres.url("flowers", password="wrong")
        ),
        "Connection refused": train(database.replace(str(postgres.port), str(closed))),
        'relation "trees" does not exist': train(database, "select * from trees"),
        "no rows; point the source": train(database, "select * from flowers where false"),
    }
    for expected, done in problems.items():
        assert done.returncode == 1 and expected in done.stderr, done.stderr
        [line] = done.stderr.splitlines()
        assert line.startswith("error: dataset flowers (sql query at $FLOWERS_DB_URL): ")
        assert "wrong" not in line and "suite-password" not in line
    assert not (project / "models").exists()
