from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from {{ cookiecutter.package_name }}.service.app import create_app


@pytest.fixture
def client() -> Iterator[TestClient]:
    """The service with its start-up (lifespan) run, as uvicorn would run it."""
    with TestClient(create_app()) as test_client:
        yield test_client
