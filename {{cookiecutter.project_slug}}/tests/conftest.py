import os
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from {{ cookiecutter.package_name }}.service.app import create_app


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Each test runs in an empty folder, without the shell's service settings: local stores
    and artifacts land in that folder, and no test reaches a real server."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith(("APP_", "MLFLOW_")) and name != "MLFLOW_DISABLE_TELEMETRY":
            monkeypatch.delenv(name)


@pytest.fixture
def client() -> Iterator[TestClient]:
    """The service with its start-up (lifespan) run, as uvicorn would run it."""
    with TestClient(create_app()) as test_client:
        yield test_client
