import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from {{ cookiecutter.package_name }}.monitoring.drift import DriftReport, Score
from {{ cookiecutter.package_name }}.monitoring.prediction_log import read_records
from {{ cookiecutter.package_name }}.service.app import create_app

from mlops_helpers import IRIS, now, train_champion

# A data card declaring one iris feature personal, for the redaction tests.
PERSONAL = {
    "datasets": {
        "iris": {
            "source": "bundled:iris",
            "description": "Iris flowers, with one measurement treated as personal data.",
            "legal_basis": "tests",
            "retention_days": 30,
            "personal_fields": ["sepal_length_cm"],
        }
    }
}
ROW = {"sepal_length_cm": 5.1, "sepal_width_cm": 3.5, "petal_length_cm": 1.4, "petal_width_cm": 0.2}
PREDICT = f"/v1/models/{IRIS.name}/predict"


@pytest.fixture(scope="module")
def champion(tmp_path_factory):
    return train_champion(tmp_path_factory.mktemp("monitoring-api"))


@pytest.fixture
def serve(champion, monkeypatch, tmp_path):
    """Start the service on the champion's store, with `models.yaml` changed as given."""
    monkeypatch.setenv("MLFLOW_TRACKING_URI", champion.uri)

    def start(**changes) -> TestClient:
        config = yaml.safe_load(champion.config.read_text())
        config["models"][0].update(changes.pop("model", {}))
        config.update(changes)
        path = tmp_path / "models.yaml"
        path.write_text(yaml.safe_dump(config))
        monkeypatch.setenv("APP_MODELS_CONFIG", str(path))
        return TestClient(create_app())

    return start


def logged() -> list[dict]:
    """The records in the default log folder (each test runs in its own folder)."""
    return list(read_records(Path("predictions"), IRIS.name))


def predict(client: TestClient, *rows: dict, request_id: str | None = None):
    headers = {"X-Request-ID": request_id} if request_id else {}
    return client.post(PREDICT, json={"instances": list(rows)}, headers=headers)


def test_each_answered_prediction_is_logged_once_with_its_request_id(serve):
    with serve() as client:
        response = predict(client, ROW, ROW, request_id="abc-1")
        assert response.status_code == 200
        assert response.headers["X-Request-ID"] == "abc-1"
    # Leaving the client shuts the service down, which drains the log.

    [record] = logged()
    assert record["request_id"] == "abc-1"
    assert record["version"] == "1"
    assert record["inputs"] == [ROW, ROW]
    assert record["outputs"] == response.json()["predictions"]
    assert record["latency_ms"] > 0


def test_concurrent_requests_produce_exactly_one_record_each(serve):
    ids = [f"req-{n}" for n in range(200)]
    with serve() as client, ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda rid: predict(client, ROW, request_id=rid), ids))
    assert {answer.status_code for answer in answers} == {200}

    assert sorted(record["request_id"] for record in logged()) == sorted(ids)


def test_refused_requests_are_not_logged_and_odd_request_ids_are_replaced(serve):
    with serve() as client:
        assert predict(client, {"sepal_length_cm": 1.0}).status_code == 422
        assert client.post("/v1/models/nope/predict", json={"instances": [ROW]}).status_code == 404
        answer = predict(client, ROW, request_id="not a token")

    [record] = logged()
    assert re.fullmatch(r"[0-9a-f]{32}", record["request_id"])
    assert answer.headers["X-Request-ID"] == record["request_id"]


def test_personal_fields_are_dropped_from_the_log(serve):
    with serve(**PERSONAL) as client:
        assert predict(client, ROW).status_code == 200

    assert logged()[0]["inputs"] == [{k: v for k, v in ROW.items() if k != "sepal_length_cm"}]


def test_personal_fields_are_hashed_with_the_project_secret(serve, monkeypatch):
    monkeypatch.setenv("APP_PREDICTION_LOG_SECRET", "not in the repository")
    with serve(monitoring={"personal_data": "hash"}, **PERSONAL) as client:
        assert predict(client, ROW).status_code == 200

    hashed = logged()[0]["inputs"][0]["sepal_length_cm"]
    assert re.fullmatch(r"[0-9a-f]{32}", hashed)


def test_hashing_without_a_secret_leaves_the_service_unready(serve):
    with serve(monitoring={"personal_data": "hash"}, **PERSONAL) as client:
        problems = client.get("/readyz").json()["problems"]
        assert "APP_PREDICTION_LOG_SECRET" in problems["prediction log"]
        assert predict(client, ROW).status_code == 503


def test_an_unwritable_log_folder_leaves_the_service_unready(serve, monkeypatch, tmp_path):
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("APP_PREDICTION_LOG_DIR", str(tmp_path / "a-file" / "predictions"))
    with serve() as client:
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert "cannot write the prediction log" in ready.json()["problems"]["prediction log"]
        assert predict(client, ROW).status_code == 503


def test_metrics_show_predictions_the_log_and_the_latest_drift_check(serve):
    report = DriftReport(
        model=IRIS.name, version="1", checked_at=now(), window_start=now() - timedelta(days=7),
        reference_rows=112, current_rows=300,
        features=[Score("petal_length_cm", "ks", 0.42, 1e-9, True)],
        prediction=Score("prediction", "psi", 0.05, 0.3, False),
    )  # fmt: skip
    report.write(Path("reports"))
    with serve() as client:
        for _ in range(3):
            predict(client, ROW, ROW)
        metrics = client.get("/metrics").text

    model = {"model": IRIS.name}
    assert sample("model_champion_loaded", 1.0, **model) in metrics
    assert sample("model_predictions_total", 6.0, **model, version="1") in metrics
    assert sample("model_predicted_labels_total", 6.0, **model, label="setosa") in metrics
    assert "prediction_log_write_errors_total 0.0" in metrics
    assert sample("model_drift_detected", 1.0, **model) in metrics
    assert sample("model_drifted_feature_share", 1.0, **model) in metrics
    assert sample("model_prediction_drift_detected", 0.0, **model) in metrics


def sample(name: str, value: float, **labels: str) -> str:
    """One line of the Prometheus text format; labels come sorted by name."""
    pairs = ",".join(f'{key}="{labels[key]}"' for key in sorted(labels))
    return name + "{" + pairs + "} " + str(value)
