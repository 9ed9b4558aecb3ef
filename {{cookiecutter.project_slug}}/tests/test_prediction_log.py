import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from {{ cookiecutter.package_name }}.monitoring import prediction_log
from {{ cookiecutter.package_name }}.monitoring.prediction_log import (
    PredictionLog,
    PredictionLogUnavailable,
    PredictionRecord,
    Redactor,
    read_records,
)
from {{ cookiecutter.package_name }}.prediction import Prediction

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def record(request_id: str, when: datetime = NOW, model: str = "iris", **inputs: float):
    return PredictionRecord(
        request_id=request_id,
        time=when,
        model=model,
        version="3",
        inputs=[inputs or {"x": 1.5, "age": 41.0}],
        outputs=[Prediction(label="a", probabilities={"a": 0.9, "b": 0.1})],
        latency_ms=1.25,
    )


def lines(folder):
    return [
        json.loads(line)
        for path in sorted(folder.rglob("*.jsonl"))
        for line in path.read_text().splitlines()
    ]


def test_a_record_is_one_json_line_with_everything_about_the_prediction(tmp_path):
    log = PredictionLog(tmp_path)
    log.record(record("r1"))
    log.close()

    [written] = lines(tmp_path)
    assert written == {
        "request_id": "r1",
        "time": "2026-03-02T12:00:00+00:00",
        "model": "iris",
        "version": "3",
        "inputs": [{"x": 1.5, "age": 41.0}],
        "outputs": [{"label": "a", "probabilities": {"a": 0.9, "b": 0.1}}],
        "latency_ms": 1.25,
    }
    assert list(tmp_path.glob("iris/2026-03-02/*.jsonl"))
    assert log.written == 1


def test_concurrent_writers_produce_exactly_one_line_per_record(tmp_path):
    log = PredictionLog(tmp_path)
    ids = [f"r{n}" for n in range(2000)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda request_id: log.record(record(request_id)), ids))
    log.close()

    assert sorted(line["request_id"] for line in lines(tmp_path)) == sorted(ids)


def test_close_writes_every_queued_record_before_returning(tmp_path, monkeypatch):
    started = threading.Event()
    release = threading.Event()
    write = PredictionLog._write

    def slow_write(self, pending):
        started.set()
        release.wait(5)
        return write(self, pending)

    monkeypatch.setattr(PredictionLog, "_write", slow_write)
    log = PredictionLog(tmp_path)
    log.record(record("first"))
    started.wait(5)
    for n in range(500):  # queued behind a writer that is still busy
        log.record(record(f"r{n}"))
    assert log.backlog == 500
    threading.Timer(0.2, release.set).start()
    log.close()

    assert len(lines(tmp_path)) == 501


def test_a_full_queue_refuses_the_record_instead_of_blocking_forever(tmp_path, monkeypatch):
    writing, release = threading.Event(), threading.Event()
    monkeypatch.setattr(prediction_log, "PUT_TIMEOUT_SECONDS", 0.05)
    write = PredictionLog._write

    def held(self, pending):
        writing.set()
        return release.wait(60) and write(self, pending)

    monkeypatch.setattr(PredictionLog, "_write", held)
    log = PredictionLog(tmp_path, capacity=1)
    log.record(record("taken by the writer"))
    # Once the writer is writing, its batch is closed: the next record waits in the queue.
    assert writing.wait(60)
    log.record(record("queued"))

    with pytest.raises(PredictionLogUnavailable, match="1 records behind"):
        log.record(record("refused"))
    release.set()
    log.close()
    assert [line["request_id"] for line in lines(tmp_path)] == ["taken by the writer", "queued"]


def test_files_rotate_by_size_and_every_record_is_read_back_in_order(tmp_path):
    log = PredictionLog(tmp_path, max_bytes=1024)
    for n in range(60):
        log.record(record(f"r{n:02d}"))
    log.close()

    assert len(list(tmp_path.rglob("*.jsonl"))) > 3
    assert all(path.stat().st_size < 1024 + 400 for path in tmp_path.rglob("*.jsonl"))
    assert [r["request_id"] for r in read_records(tmp_path, "iris")] == [
        f"r{n:02d}" for n in range(60)
    ]


def test_files_rotate_by_day_and_reading_starts_at_the_window(tmp_path):
    log = PredictionLog(tmp_path)
    for days in (3, 2, 1, 0):
        log.record(record(f"d{days}", NOW - timedelta(days=days)))
    log.record(record("other", model="wine"))
    log.close()

    assert len(list((tmp_path / "iris").iterdir())) == 4
    since = NOW - timedelta(days=1, hours=1)
    assert [r["request_id"] for r in read_records(tmp_path, "iris", since)] == ["d1", "d0"]
    assert [r["request_id"] for r in read_records(tmp_path, "wine")] == ["other"]


def test_a_cut_short_line_is_skipped_not_fatal(tmp_path):
    log = PredictionLog(tmp_path)
    log.record(record("whole"))
    log.close()
    [path] = tmp_path.rglob("*.jsonl")
    with path.open("a") as file:
        file.write('{"request_id": "cut')

    assert [r["request_id"] for r in read_records(tmp_path, "iris")] == ["whole"]


def test_personal_fields_are_dropped(tmp_path):
    log = PredictionLog(tmp_path, redactor=Redactor({"iris": frozenset({"age"})}, "drop"))
    log.record(record("r1"))
    log.close()

    assert lines(tmp_path)[0]["inputs"] == [{"x": 1.5}]


def test_personal_fields_are_hashed_with_the_secret(tmp_path):
    redactor = Redactor({"iris": frozenset({"age"})}, "hash", b"project secret")
    log = PredictionLog(tmp_path, redactor=redactor)
    log.record(record("r1", x=1.5, age=41.0))
    log.record(record("r2", x=2.5, age=41.0))
    log.record(record("r3", x=2.5, age=42.0))
    log.close()

    ages = [line["inputs"][0]["age"] for line in lines(tmp_path)]
    assert ages[0] == ages[1] != ages[2]  # pseudonymous: equal values stay comparable
    assert all(len(age) == 32 for age in ages)
    other_key = Redactor({"iris": frozenset({"age"})}, "hash", b"another secret")
    assert other_key.apply("iris", {"age": 41.0})["age"] != ages[0]
    assert "41.0" not in "".join(path.read_text() for path in tmp_path.rglob("*.jsonl"))


def test_hashing_without_a_secret_is_refused():
    with pytest.raises(PredictionLogUnavailable, match="APP_PREDICTION_LOG_SECRET"):
        Redactor({"iris": frozenset({"age"})}, "hash", None)


def test_an_unwritable_folder_is_reported_on_start(tmp_path):
    (tmp_path / "a-file").write_text("")

    with pytest.raises(PredictionLogUnavailable, match="cannot write the prediction log in"):
        PredictionLog(tmp_path / "a-file" / "predictions")
