"""A real server under load from other threads: malformed requests get a 4xx and never a
5xx, every answered prediction has exactly one record, and SIGTERM in the middle of the load
loses none of them."""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import {{ cookiecutter.package_name }}
from {{ cookiecutter.package_name }}.monitoring.prediction_log import read_records

from mlops_helpers import IRIS, train_champion

ROW = {"sepal_length_cm": 6.1, "sepal_width_cm": 2.8, "petal_length_cm": 4.7, "petal_width_cm": 1.2}
PREDICT = f"/v1/models/{IRIS.name}/predict"
CLIENTS = 4


@pytest.fixture(scope="module")
def champion(tmp_path_factory):
    return train_champion(tmp_path_factory.mktemp("shutdown"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(champion, port: int, folder: Path) -> subprocess.Popen:
    """`python -m <package>` as the container runs it, on this test's folder."""
    source = Path({{ cookiecutter.package_name }}.__file__).resolve().parents[1]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(source), os.environ.get("PYTHONPATH")])),
        "MLFLOW_TRACKING_URI": champion.uri,
        "APP_MODELS_CONFIG": str(champion.config),
        "APP_PORT": str(port),
        "APP_PREDICTION_LOG_DIR": str(folder / "predictions"),
    }
    command = [sys.executable, "-m", "{{ cookiecutter.package_name }}"]
    with (folder / "service.log").open("w") as log:  # the child keeps its own copy
        return subprocess.Popen(command, env=env, cwd=folder, stdout=log, stderr=subprocess.STDOUT)


def call(port: int, path: str, body: dict | bytes | None = None, request_id: str = "",
         method: str | None = None) -> int:  # fmt: skip
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=data,
        headers={"Content-Type": "application/json", "X-Request-ID": request_id},
        method=method,
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def wait_until_ready(port: int, service: subprocess.Popen, folder: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert service.poll() is None, (folder / "service.log").read_text()
        try:
            if call(port, "/readyz") == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail("the service did not become ready: " + (folder / "service.log").read_text())


# One request in ten is malformed, in every way a client gets it wrong: (path, body, method).
MALFORMED = [
    (PREDICT, b"{not json", None),
    (PREDICT, b"[1, 2, 3]", None),
    (PREDICT, b'{"instances": [{"sepal_length_cm": NaN}]}', None),
    (PREDICT, {"instances": []}, None),
    (PREDICT, {"instances": [ROW] * 1001}, None),
    (PREDICT, {"instances": [{**ROW, "sepal_length_cm": "wide"}]}, None),
    (PREDICT, {"instances": [{"petal_width_cm": 1.0}]}, None),
    (PREDICT, {"instances": [ROW], "unexpected": 1}, None),
    ("/v1/models/no-such-model/predict", {"instances": [ROW]}, None),
    (PREDICT, None, "GET"),
]
REQUESTS, CONCURRENCY = 400, 8


def test_bounded_load_with_malformed_requests_gets_no_5xx_and_one_record_per_answer(
    champion, tmp_path
):
    port = free_port()
    service = serve(champion, port, tmp_path)
    try:
        wait_until_ready(port, service, tmp_path)

        def send(n: int) -> tuple[int, str, int]:
            request_id = f"load-{n}"
            if n % 10 == 0:
                path, body, method = MALFORMED[(n // 10) % len(MALFORMED)]
                return n, request_id, call(port, path, body, request_id, method)
            return n, request_id, call(port, PREDICT, {"instances": [ROW]}, request_id)

        with ThreadPoolExecutor(CONCURRENCY) as pool:
            results = list(pool.map(send, range(REQUESTS)))
        service.send_signal(signal.SIGTERM)
        assert service.wait(timeout=60) in (0, -signal.SIGTERM)
    finally:
        service.kill()
        service.wait()

    statuses = {n: status for n, _, status in results}
    assert not {n: s for n, s in statuses.items() if s >= 500}, "5xx answers"
    assert all(400 <= statuses[n] < 500 for n in range(0, REQUESTS, 10))
    answered = {request_id for n, request_id, status in results if status == 200}
    assert len(answered) == REQUESTS - REQUESTS // 10
    logged = [record["request_id"] for record in read_records(tmp_path / "predictions", IRIS.name)]
    assert sorted(logged) == sorted(answered)


def test_sigterm_during_load_loses_no_answered_prediction(champion, tmp_path):
    port = free_port()
    service = serve(champion, port, tmp_path)
    try:
        wait_until_ready(port, service, tmp_path)
        answered: list[str] = []
        stop = threading.Event()

        def load(client: int) -> None:
            for n in range(100_000):
                if stop.is_set():
                    return
                request_id = f"c{client}-{n}"
                try:
                    status = call(port, PREDICT, {"instances": [ROW]}, request_id)
                except OSError:
                    return  # the service stopped listening
                if status == 200:
                    answered.append(request_id)

        clients = [threading.Thread(target=load, args=(n,)) for n in range(CLIENTS)]
        for client in clients:
            client.start()
        while len(answered) < 200 and service.poll() is None:
            time.sleep(0.01)
        service.send_signal(signal.SIGTERM)
        # uvicorn shuts down gracefully, then re-raises the signal: -SIGTERM is a clean exit.
        assert service.wait(timeout=60) in (0, -signal.SIGTERM)
    finally:
        stop.set()
        service.kill()
        service.wait()
    for client in clients:
        client.join(timeout=30)

    logged = [record["request_id"] for record in read_records(tmp_path / "predictions", IRIS.name)]
    assert len(answered) >= 200
    assert set(answered) <= set(logged)
    assert len(logged) == len(set(logged))  # and none twice
