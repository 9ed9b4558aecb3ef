"""Each distinct image is built and started as Kubernetes starts it, then probed.

One image per set of components (profiles.IMAGE_PROFILES). The engine, the base image and
the package index come from docker_engine; the containers share the host's network and are
probed on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import docker_engine
from profiles import IMAGE_PROFILES, Profile
from test_ci_probe import github_start_and_probe
from test_generated import free_port, get, mlflow_server, train_and_promote

pytestmark = pytest.mark.heavy

MLOPS_IMAGES = [profile for profile in IMAGE_PROFILES if "mlops" in profile.components]
NO_MLOPS_IMAGES = [profile for profile in IMAGE_PROFILES if "mlops" not in profile.components]


@pytest.fixture(scope="session")
def engine() -> docker_engine.Engine:
    try:
        return docker_engine.engine()
    except docker_engine.EngineUnavailable as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="session")
def image(engine, bake):
    """Build a profile's image once per session, from the pristine bake."""
    built: dict[Profile, str] = {}

    def _image(profile: Profile) -> str:
        if profile not in built:
            tag = f"{profile.slug}:test"
            engine.docker(
                "build", "--network", "host", "--tag", tag,
                "--build-arg", f"BASE_IMAGE={engine.base_image}",
                "--build-arg", f"PIP_INDEX_URL={engine.index_url}",
                str(bake(profile)), timeout=1800,
            )  # fmt: skip
            built[profile] = tag
        return built[profile]

    return _image


@dataclass(frozen=True)
class Container:
    engine: docker_engine.Engine
    name: str
    base: str  # where it serves, http://127.0.0.1:<port>

    def state(self) -> dict:
        return json.loads(self.engine.docker("inspect", self.name))[0]["State"]

    def logs(self) -> str:
        return self.engine.docker("logs", self.name, check=False)

    def answers_within(self, path: str, seconds: float) -> float:
        """Poll path until it answers 200; the seconds it took. Fails with the logs."""
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            with contextlib.suppress(OSError):
                if get(self.base + path)[0] == 200:
                    return time.monotonic() - started
            if not self.state()["Running"]:
                break
            time.sleep(0.25)
        pytest.fail(f"{path} did not answer 200 within {seconds}s:\n{self.logs()}")

    def becomes_healthy(self, seconds: float = 30) -> None:
        """Docker's own HEALTHCHECK, the image's command, reports healthy."""
        deadline = time.monotonic() + seconds
        while (health := self.state()["Health"]["Status"]) != "healthy":
            assert health != "unhealthy" and time.monotonic() < deadline, self.logs()
            time.sleep(0.5)

    def stops_cleanly_on_sigterm(self) -> None:
        started = time.monotonic()
        self.engine.docker("stop", "--time", "20", self.name)
        # 137 would mean Docker gave up waiting and killed it.
        assert self.state()["ExitCode"] == 0, self.logs()
        assert time.monotonic() - started < 20


@contextlib.contextmanager
def container(engine, image: str, profile: Profile, env: dict[str, str]) -> Iterator[Container]:
    """The image run as the manifests run it: read-only root, user 10001, no capabilities,
    /tmp an emptyDir, the monitoring volume where MLOps pods mount their shared claim."""
    port = free_port()
    name = f"test-{uuid.uuid4().hex[:12]}"
    volume = ["--volume", f"{name}:/var/lib/monitoring"] if "mlops" in profile.components else []
    settings = [f"--env={key}={value}" for key, value in {**env, "APP_PORT": str(port)}.items()]
    engine.docker(
        "run", "--detach", "--name", name, "--network", "host", "--read-only",
        "--user", "10001:10001", "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
        "--tmpfs", "/tmp", "--health-interval", "1s",
        "--health-start-period", "0s", *volume, *settings, image,
    )  # fmt: skip
    try:
        yield Container(engine, name, f"http://127.0.0.1:{port}")
    finally:
        engine.docker("rm", "--force", "--volumes", name, check=False)


def passes_the_generated_ci_probe(project: Path, running: Container) -> None:
    """The probe the project's own CI runs after its `docker build`, against the real image."""
    _, probe = github_start_and_probe(project)
    done = subprocess.run(
        ["sh", "-e", "-c", probe], cwd=project, capture_output=True, text=True, timeout=120,
        env={**os.environ, "APP_URL": running.base}, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr + running.logs()


def first_prediction(base: str, profile: Profile) -> None:
    if "mlops" in profile.components:
        models = get(f"{base}/v1/models")[1]
        assert models, "no champion served"
        for model in models:
            url = f"{base}/v1/models/{model['name']}/predict"
            status, body = get(url, {"instances": [dict.fromkeys(model["features"], 0.5)]})
            assert status == 200 and len(body["predictions"]) == 1, body
    elif "lean-model" in profile.components:
        features = get(f"{base}/v1/model")[1]["features"]
        status, body = get(f"{base}/v1/predict", {"instances": [dict.fromkeys(features, 1.0)]})
        assert status == 200 and len(body["predictions"]) == 1, body
    else:
        status, body = get(f"{base}/v1/text-stats", {"text": "one two two"})
        assert (status, body["words"], body["unique_words"]) == (200, 3, 2), body
    assert get(f"{base}/v1/does-not-exist")[0] == 404


@pytest.mark.parametrize("profile", NO_MLOPS_IMAGES, ids=lambda p: "+".join(sorted(p.components)))
def test_image_starts_ready_predicts_and_stops_as_kubernetes_runs_it(engine, image, bake, profile):
    with container(engine, image(profile), profile, {}) as running:
        running.answers_within("/healthz", seconds=30)
        running.answers_within("/readyz", seconds=30)
        passes_the_generated_ci_probe(bake(profile), running)
        first_prediction(running.base, profile)
        running.becomes_healthy()
        running.stops_cleanly_on_sigterm()


@pytest.mark.parametrize("profile", MLOPS_IMAGES, ids=lambda p: "+".join(sorted(p.components)))
def test_mlops_image_serves_the_champions_of_a_real_tracking_server(
    engine, image, working_copy, profile, tmp_path: Path
):
    project = working_copy(profile)
    with mlflow_server(tmp_path) as tracking:
        env = {"MLFLOW_TRACKING_URI": tracking, "MLFLOW_DISABLE_TELEMETRY": "true"}
        train_and_promote(project, profile, {**env, "PYTHONPATH": "src"})
        with container(engine, image(profile), profile, env) as running:
            running.answers_within("/healthz", seconds=30)
            running.answers_within("/readyz", seconds=120)
            first_prediction(running.base, profile)
            running.becomes_healthy()
            running.stops_cleanly_on_sigterm()


@pytest.mark.parametrize("profile", MLOPS_IMAGES[:1], ids=lambda p: "+".join(sorted(p.components)))
def test_mlops_image_with_no_tracking_server_stays_alive_and_says_what_to_set(
    engine, image, bake, profile
):
    with container(engine, image(profile), profile, {}) as running:
        running.answers_within("/healthz", seconds=10)
        status, body = get(f"{running.base}/readyz")
        assert status == 503 and "MLFLOW_TRACKING_URI" in json.dumps(body), body
        # As in the project's own CI, which has no tracking server either.
        passes_the_generated_ci_probe(bake(profile), running)
        time.sleep(60)
        assert running.state()["Running"], running.logs()
        assert get(f"{running.base}/healthz")[0] == 200
        running.stops_cleanly_on_sigterm()
