import pytest


def test_counts_characters_words_lines_and_unique_words(client):
    response = client.post("/v1/text-stats", json={"text": "To be or\nnot to be"})

    assert response.status_code == 200
    assert response.json() == {"characters": 18, "words": 6, "lines": 2, "unique_words": 4}


@pytest.mark.parametrize(
    "body",
    [{"text": ""}, {"text": 42}, {}, {"text": "ok", "extra": 1}, [], "text"],
    ids=["empty", "not-text", "missing", "unknown-field", "array", "string"],
)
def test_invalid_input_is_answered_422(client, body):
    assert client.post("/v1/text-stats", json=body).status_code == 422


def test_malformed_json_is_answered_422(client):
    response = client.post(
        "/v1/text-stats", content=b'{"text": ', headers={"content-type": "application/json"}
    )

    assert response.status_code == 422


def test_metrics_are_labelled_with_the_full_route(client):
    client.post("/v1/text-stats", json={"text": "a b"})

    metrics = client.get("/metrics").text

    assert 'http_requests_total{method="POST",route="/v1/text-stats",status="200"} 1.0' in metrics
