from fastapi.testclient import TestClient


def test_liveness_answers_ok(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readiness_lists_problems_until_they_are_resolved(client):
    readiness = client.app.state.readiness
    readiness.problems.clear()
    assert client.get("/readyz").status_code == 200

    readiness.unready("database", "connection refused")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["problems"] == {"database": "connection refused"}

    readiness.ready("database")
    assert client.get("/readyz").status_code == 200


def test_metrics_count_requests_by_route_template_and_status(client):
    client.get("/healthz")
    client.get("/healthz")
    client.get("/no/such/path")

    body = client.get("/metrics").text

    assert 'http_requests_total{method="GET",route="/healthz",status="200"} 2.0' in body
    assert 'http_requests_total{method="GET",route="unmatched",status="404"} 1.0' in body
    assert 'http_request_duration_seconds_count{method="GET",route="/healthz"} 2.0' in body


def test_an_exception_escaping_a_route_is_counted_as_a_server_error(client):
    @client.app.get("/fails")
    def fails() -> None:
        raise RuntimeError("a bug")

    answered = TestClient(client.app, raise_server_exceptions=False).get("/fails")

    assert answered.status_code == 500
    body = client.get("/metrics").text
    assert 'http_requests_total{method="GET",route="/fails",status="500"} 1.0' in body
