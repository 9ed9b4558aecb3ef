import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from {{ cookiecutter.package_name }}.models_config import load_config
from {{ cookiecutter.package_name }}.registry.champions import (
    ChampionUnavailable,
    load_champion,
)
from {{ cookiecutter.package_name }}.registry.promotion import promote
from {{ cookiecutter.package_name }}.service.api import models as models_api
from {{ cookiecutter.package_name }}.service.app import create_app
from {{ cookiecutter.package_name }}.tracking.store import connect
from {{ cookiecutter.package_name }}.tracking.train import train

CONFIG = load_config()


@pytest.fixture(scope="module")
def tracking_uri(tmp_path_factory):
    """A store where every configured model was trained and promoted once."""
    folder = tmp_path_factory.mktemp("store")
    uri = f"sqlite:///{folder / 'mlflow.db'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        patch.setenv("MLFLOW_TRACKING_URI", uri)
        client = connect()
        for spec in CONFIG.models:
            train(spec, CONFIG.training)
            assert promote(client, spec, "tests").changed
    return uri


@pytest.fixture
def client(tracking_uri, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", tracking_uri)
    with TestClient(create_app()) as test_client:
        yield test_client


def example(model: dict) -> dict:
    return {"instances": [dict.fromkeys(model["features"], 0.5)]}


def test_ready_once_every_champion_is_loaded(client):
    assert client.get("/readyz").status_code == 200


def test_lists_every_configured_model_with_its_champion_version(client):
    served = client.get("/v1/models").json()

    assert [m["name"] for m in served] == CONFIG.names
    assert all(m["version"] == "1" for m in served)


def test_each_model_predicts_from_its_champion(client):
    for model in client.get("/v1/models").json():
        response = client.post(f"/v1/models/{model['name']}/predict", json=example(model))

        assert response.status_code == 200, response.text
        prediction = response.json()["predictions"][0]
        if model["task"] == "classification":
            assert prediction["label"] in model["classes"]
            assert sum(prediction["probabilities"].values()) == pytest.approx(1, abs=1e-4)
        else:
            assert isinstance(prediction["value"], float)


def test_input_is_validated_against_the_models_features(client):
    model = client.get("/v1/models").json()[0]
    row = example(model)["instances"][0]
    missing = dict(list(row.items())[1:])

    response = client.post(f"/v1/models/{model['name']}/predict", json={"instances": [missing]})

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["type"] == "missing" and error["loc"][-1] == model["features"][0]
    empty = client.post(f"/v1/models/{model['name']}/predict", json={"instances": []})
    assert empty.status_code == 422


def test_a_value_no_model_can_take_is_a_422_naming_the_instance(client):
    for model in client.get("/v1/models").json():
        huge = dict.fromkeys(model["features"], 1e308)  # finite; the arithmetic overflows

        response = client.post(f"/v1/models/{model['name']}/predict", json={"instances": [huge]})

        assert response.status_code == 422, model["name"]
        assert response.json()["detail"][0]["loc"] == ["body", "instances", 0]


def test_an_unknown_model_is_answered_404(client):
    assert (
        client.post("/v1/models/nope/predict", json={"instances": [{"x": 1.0}]}).status_code == 404
    )


def test_without_champions_the_service_is_alive_but_not_ready(tmp_path, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'empty.db'}")
    with TestClient(create_app()) as client:
        assert client.get("/healthz").status_code == 200
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert set(ready.json()["problems"]) == {f"model {name}" for name in CONFIG.names}
        name = CONFIG.names[0]
        assert (
            client.post(f"/v1/models/{name}/predict", json={"instances": [{"x": 1.0}]}).status_code
            == 503
        )


def test_with_no_store_configured_readiness_says_what_to_set_and_nothing_is_created(tmp_path):
    # As in the image: no MLFLOW_TRACKING_URI and no local mlflow.db.
    with TestClient(create_app()) as client:
        assert client.get("/healthz").status_code == 200
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert all("MLFLOW_TRACKING_URI" in reason for reason in ready.json()["problems"].values())
    assert not (tmp_path / "mlflow.db").exists()


def test_an_unreachable_registry_leaves_the_service_alive_but_not_ready(monkeypatch):
    # Nothing listens there; with MLflow's own retries the start would take minutes.
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:9")
    with TestClient(create_app()) as client:
        assert client.get("/healthz").status_code == 200
        problems = client.get("/readyz").json()["problems"]
        assert all("did not answer" in reason for reason in problems.values())


def test_a_champion_that_failed_to_load_is_tried_again_until_it_loads(tracking_uri, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", tracking_uri)
    monkeypatch.setenv("APP_CHAMPION_RETRY_SECONDS", "0.1")
    failed: set[str] = set()

    def once_unavailable(client, spec):
        if spec.name not in failed:
            failed.add(spec.name)
            raise ChampionUnavailable(f"{spec.name}: the registry did not answer: test")
        return load_champion(client, spec)

    monkeypatch.setattr(models_api, "load_champion", once_unavailable)
    with TestClient(create_app()) as client:
        assert client.get("/readyz").status_code == 503
        deadline = time.monotonic() + 60
        while client.get("/readyz").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.1)

        assert client.get("/readyz").status_code == 200
        model = client.get("/v1/models").json()[0]
        assert (
            client.post(f"/v1/models/{model['name']}/predict", json=example(model)).status_code
            == 200
        )
    assert failed == set(CONFIG.names)


def test_a_corrupt_champion_artifact_leaves_the_service_unready_naming_it(tmp_path, monkeypatch):
    spec = CONFIG.models[0]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    client = connect()
    train(spec, CONFIG.training)
    assert promote(client, spec, "tests").changed
    version = client.get_model_version_by_alias(spec.name, "champion").version
    artifact = Path(
        client.get_model_version_download_uri(spec.name, version).removeprefix("file://")
    )
    files = [path for path in artifact.rglob("*") if path.is_file() and path.stat().st_size > 1000]
    assert files, f"no model file under {artifact}"
    for path in files:
        path.write_bytes(b"not a model")

    with TestClient(create_app()) as service:
        assert service.get("/healthz").status_code == 200
        ready = service.get("/readyz")
        assert ready.status_code == 503
        reason = ready.json()["problems"][f"model {spec.name}"]
        assert reason.startswith(f"{spec.name} version {version} cannot be loaded: ")
