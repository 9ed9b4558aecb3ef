"""The generated CI starts the image it built as the Deployment runs it, and probes it.

No engine here: the `docker run` is compared with the baked manifests, and the probe script
itself runs against a stand-in service on 127.0.0.1, with `sleep` made instant.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from profiles import Profile

MLOPS = Profile(2, False, "ml-team")
NO_MLOPS = Profile(0, False, "platform-team")
NOT_READY = {"status": "not ready", "problems": {"model a": "set MLFLOW_TRACKING_URI to it"}}


def github_start_and_probe(project: Path) -> tuple[str, str]:
    steps = yaml.safe_load((project / ".github" / "workflows" / "ci.yml").read_text())["jobs"][
        "validate"
    ]["steps"]
    [start] = [step for step in steps if step.get("id") == "start"]
    probe = steps[steps.index(start) + 1]
    # The container's logs on failure; removed whatever happened, once it was started.
    assert [(step["if"], step["run"]) for step in steps[steps.index(probe) + 1 :]] == [
        ("failure() && steps.start.outcome != 'skipped'", "docker logs app"),
        ("always() && steps.start.outcome != 'skipped'", "docker rm --force --volumes app"),
    ]
    return start["run"], probe["run"]


def gitlab_start_and_probe(project: Path) -> tuple[str, str]:
    job = yaml.safe_load((project / ".gitlab-ci.yml").read_text())["docker-build"]
    [start] = [line for line in job["script"] if line.startswith("docker run ")]
    assert job["variables"]["APP_URL"] == "http://docker:8000"  # published on the dind host
    assert job["after_script"] == [
        'if [ "$CI_JOB_STATUS" = failed ]; then docker logs app; fi',
        "docker rm --force --volumes app",
    ]
    return start, job["script"][job["script"].index(start) + 1]


def app_container(project: Path, profile: Profile) -> tuple[dict, dict]:
    """The Deployment's pod security context and its app container, the MLOps patch applied."""
    pod = yaml.safe_load((project / "deploy" / "k8s" / "base" / "deployment.yaml").read_text())[
        "spec"
    ]["template"]["spec"]
    [app] = pod["containers"]
    if "mlops" in profile.components:
        component = project / "deploy" / "k8s" / "components" / "mlops" / "kustomization.yaml"
        [patch] = yaml.safe_load(component.read_text())["patches"]
        [patched] = yaml.safe_load(patch["patch"])["spec"]["template"]["spec"]["containers"]
        app["volumeMounts"] += patched["volumeMounts"]
    return pod["securityContext"], app


@pytest.mark.parametrize("profile", [NO_MLOPS, MLOPS], ids=lambda p: p.id)
def test_both_providers_start_the_image_as_the_deployment_runs_it(bake, profile):
    gitlab = dataclasses.replace(profile, ci_provider="gitlab")
    start, probe = github_start_and_probe(bake(profile))
    gitlab_start, gitlab_probe = gitlab_start_and_probe(bake(gitlab))
    assert (gitlab_start.replace(gitlab.slug, profile.slug), gitlab_probe) == (start, probe)

    pod, app = app_container(bake(profile), profile)
    words = start.split()
    assert words[:3] == ["docker", "run", "--detach"] and words[-1] == f"{profile.slug}:ci"
    assert f"--user {pod['runAsUser']}:{pod['runAsGroup']}" in start
    assert app["securityContext"]["readOnlyRootFilesystem"] and "--read-only" in words
    assert app["securityContext"]["capabilities"]["drop"] == ["ALL"] and "--cap-drop ALL" in start
    assert "--publish 8000:8000" in start and app["ports"][0]["containerPort"] == 8000
    # Every mount of the Deployment: /tmp as a tmpfs, the monitoring claim as a fresh volume.
    mounted = {words[i + 1] for i, word in enumerate(words) if word in {"--tmpfs", "--volume"}}
    assert mounted == {mount["mountPath"] for mount in app["volumeMounts"]}
    assert all(f"--env {env['name']}={env['value']}" in start for env in app["env"])


@dataclasses.dataclass
class StandIn:
    """Answers /healthz 503 for its first `slow_start` requests, then 200; /readyz as told."""

    readyz: tuple[int, dict]
    slow_start: int = 0
    healthz_requests: int = 0


@contextlib.contextmanager
def serving(stand_in: StandIn) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/healthz":
                stand_in.healthz_requests += 1
                ok = stand_in.healthz_requests > stand_in.slow_start
                status, body = (200, {"status": "ok"}) if ok else (503, {})
            else:
                status, body = stand_in.readyz
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(json.dumps(body).encode())

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def run_probe(probe: str, stand_in: StandIn, tmp_path: Path) -> subprocess.CompletedProcess:
    """The probe under `sh -e`, as both runners run a script, with an instant `sleep`."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "sleep").write_text("#!/bin/sh\nexit 0\n")
    (bin_dir / "sleep").chmod(0o755)
    with serving(stand_in) as url:
        env = {**os.environ, "APP_URL": url, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
        return subprocess.run(
            ["sh", "-e", "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True,
            timeout=60, check=False,
        )  # fmt: skip


@pytest.mark.parametrize(
    ("profile", "readyz", "passes"),
    [
        (NO_MLOPS, (200, {"status": "ready"}), True),
        (NO_MLOPS, (503, NOT_READY), False),
        # No tracking server in CI: alive and not ready, saying what to set, is the design.
        (MLOPS, (503, NOT_READY), True),
        (MLOPS, (200, {"status": "ready"}), False),
        (MLOPS, (503, {"status": "not ready", "problems": {"prediction log": "read-only"}}), False),
    ],
    ids=["ready", "not-ready", "mlops-names-the-variable", "mlops-ready", "mlops-other-reason"],
)
def test_the_probe_waits_for_healthz_then_checks_readyz(bake, tmp_path, profile, readyz, passes):
    _, probe = github_start_and_probe(bake(profile))
    done = run_probe(probe, StandIn(readyz, slow_start=3), tmp_path)

    assert (done.returncode == 0) is passes, done.stdout + done.stderr


def test_the_probe_gives_up_after_thirty_tries(bake, tmp_path):
    _, probe = github_start_and_probe(bake(NO_MLOPS))
    stand_in = StandIn((200, {"status": "ready"}), slow_start=1000)
    done = run_probe(probe, stand_in, tmp_path)

    assert done.returncode != 0
    assert stand_in.healthz_requests == 31  # the tries, then the check that fails the step
