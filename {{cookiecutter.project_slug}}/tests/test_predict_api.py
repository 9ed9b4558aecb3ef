import pytest
from fastapi.testclient import TestClient

from {{ cookiecutter.package_name }}.model.config import load_config
from {{ cookiecutter.package_name }}.model.train import train
from {{ cookiecutter.package_name }}.service.app import create_app

IRIS = {
    "sepal_length_cm": 5.1,
    "sepal_width_cm": 3.5,
    "petal_length_cm": 1.4,
    "petal_width_cm": 0.2,
}


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("model")
    train(load_config(), folder)
    return folder


@pytest.fixture
def client(model_dir, monkeypatch):
    monkeypatch.setenv("APP_MODEL_DIR", str(model_dir))
    with TestClient(create_app()) as test_client:
        yield test_client


def test_service_is_ready_once_the_model_is_loaded(client):
    assert client.get("/readyz").status_code == 200


def test_predicts_a_label_with_probabilities(client):
    response = client.post("/v1/predict", json={"instances": [IRIS, IRIS]})

    assert response.status_code == 200
    body = response.json()
    assert [p["label"] for p in body["predictions"]] == ["setosa", "setosa"]
    assert sum(body["predictions"][0]["probabilities"].values()) == pytest.approx(1, abs=1e-4)
    assert body["model_version"] == client.get("/v1/model").json()["version"]


def test_model_endpoint_shows_lineage(client):
    meta = client.get("/v1/model").json()

    assert {"data_hash", "params", "metrics", "trained_at"} <= meta.keys()


@pytest.mark.parametrize(
    "body",
    [
        {"instances": []},
        {"instances": [{**IRIS, "sepal_length_cm": "long"}]},
        {"instances": [IRIS], "extra": True},
        {"rows": [IRIS]},
        {"instances": [{k: v for k, v in IRIS.items() if k != "petal_width_cm"}]},
        {"instances": [{**IRIS, "colour": 1.0}]},
    ],
    ids=["empty", "not-a-number", "unknown-field", "wrong-key", "missing-feature", "extra-feature"],
)
def test_invalid_input_is_answered_422(client, body):
    assert client.post("/v1/predict", json=body).status_code == 422


def test_missing_feature_is_named_in_the_answer(client):
    row = {k: v for k, v in IRIS.items() if k != "petal_width_cm"}

    detail = client.post("/v1/predict", json={"instances": [row]}).json()["detail"]

    [error] = detail
    assert error == {"type": "missing", "loc": ["body", "instances", 0, "petal_width_cm"],
                     "msg": "Field required"}  # fmt: skip


@pytest.mark.parametrize("value", [True, "5.1", None], ids=["boolean", "text", "null"])
def test_a_feature_value_is_a_json_number(client, value):
    response = client.post("/v1/predict", json={"instances": [{**IRIS, "sepal_length_cm": value}]})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "instances", 0, "sepal_length_cm"]


def test_a_value_the_model_cannot_take_is_named_not_a_server_error(client):
    huge = dict.fromkeys(IRIS, 1e308)  # finite, but the model's arithmetic overflows

    response = client.post("/v1/predict", json={"instances": [IRIS, huge]})

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "instances", 1]
    assert error["msg"].startswith("the model cannot take this instance (")


def test_every_refusal_has_the_shape_the_openapi_document_declares(client):
    declared = client.get("/openapi.json").json()["components"]["schemas"]["ValidationError"]
    bodies = [
        {"instances": [{k: v for k, v in IRIS.items() if k != "petal_width_cm"}]},
        {"instances": [{**IRIS, "colour": 1.0}]},
        {"instances": [dict.fromkeys(IRIS, 1e308)]},
        {"instances": [{**IRIS, "sepal_length_cm": True}]},
        {"instances": []},
    ]
    for body in bodies:
        detail = client.post("/v1/predict", json=body).json()["detail"]
        assert isinstance(detail, list) and detail
        for error in detail:
            assert set(declared["required"]) <= set(error) <= set(declared["properties"])
            assert all(isinstance(part, str | int) for part in error["loc"])


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (b'{"instances": [{"sepal_length_cm": NaN}]}', 422),
        (b'{"instances": [{"sepal_length_cm": Infinity}]}', 422),
        (b"{", 422),
        (b"\xff", 400),
    ],
    ids=["nan", "infinity", "truncated", "not-utf8"],
)
def test_malformed_json_or_non_finite_numbers_are_refused(client, raw, status):
    response = client.post("/v1/predict", content=raw, headers={"content-type": "application/json"})

    assert response.status_code == status


def test_without_a_model_the_service_is_alive_but_not_ready(tmp_path, monkeypatch):
    monkeypatch.setenv("APP_MODEL_DIR", str(tmp_path))
    with TestClient(create_app()) as client:
        assert client.get("/healthz").status_code == 200
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert "make train" in ready.json()["problems"]["model"]
        assert client.post("/v1/predict", json={"instances": [IRIS]}).status_code == 503


def test_prediction_metrics_are_labelled_with_the_full_route(client):
    client.post("/v1/predict", json={"instances": [IRIS]})

    metrics = client.get("/metrics").text

    assert 'http_requests_total{method="POST",route="/v1/predict",status="200"} 1.0' in metrics
