import io
import json
import logging
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import mlflow
import yaml

from {{ cookiecutter.package_name }}.governance import __main__ as governance_cli
from {{ cookiecutter.package_name }}.governance.audit import AuditLog
from {{ cookiecutter.package_name }}.governance.retention import (
    erase,
    expire,
    expired_days,
)
from {{ cookiecutter.package_name }}.logs import REDACTED, also_redact, json_handler
from {{ cookiecutter.package_name }}.models_config import ModelsConfig
from {{ cookiecutter.package_name }}.monitoring.prediction_log import (
    PredictionLog,
    PredictionRecord,
    Redactor,
    read_records,
    subject_hash,
)
from {{ cookiecutter.package_name }}.prediction import Prediction
from {{ cookiecutter.package_name }}.tracking import training_data
from {{ cookiecutter.package_name }}.tracking.store import connect
from {{ cookiecutter.package_name }}.tracking.training_data import (
    REMOVED,
    SNAPSHOT_ARTIFACT,
    SNAPSHOT_TAG,
)

from mlops_helpers import IRIS

SECRET = b"kept in a Kubernetes Secret"
TODAY = datetime.now(UTC)
LOG = Path("predictions")
CARD = {
    "source": "bundled:iris",
    "description": "Iris flowers.",
    "provenance": "scikit-learn",
    "legal_basis": "public research data",
    "retention_days": 30,
}


def record(request_id: str, days_ago: int = 0, subject: str | None = None) -> PredictionRecord:
    return PredictionRecord(
        request_id=request_id,
        time=TODAY - timedelta(days=days_ago),
        model=IRIS.name,
        version="1",
        inputs=[{"x": 1.0}],
        outputs=[Prediction(label="setosa")],
        latency_ms=1.0,
        subject=subject,
    )


def write(*records: PredictionRecord) -> None:
    log = PredictionLog(LOG)
    for item in records:
        log.record(item)
    log.close()


def logged() -> list[str]:
    return [r["request_id"] for r in read_records(LOG, IRIS.name)]


def configure(monkeypatch) -> None:
    """A models.yaml with IRIS and its dataset's card, for the commands."""
    config = {"models": [IRIS.model_dump()], "datasets": {"iris": CARD}}
    Path("models.yaml").write_text(yaml.safe_dump(config))
    monkeypatch.setenv("APP_MODELS_CONFIG", "models.yaml")


def audit_events() -> list[tuple[str, dict]]:
    return [(e.event, e.details) for e in AuditLog(Path("audit/audit.jsonl")).entries()]


def test_retention_reports_by_default_and_removes_only_when_applied(monkeypatch, capsys):
    configure(monkeypatch)
    write(record("old", days_ago=45), record("older", days_ago=31), record("recent", days_ago=29))

    assert governance_cli.main(["retention"]) == 0
    assert "would remove 2 records in 2 days older than 30 days" in capsys.readouterr().out
    assert len(logged()) == 3 and audit_events() == []

    assert governance_cli.main(["retention", "--apply"]) == 0
    assert logged() == ["recent"]
    [(event, details)] = audit_events()
    assert event == "retention"
    assert details["records"] == 2 and details["retention_days"] == 30
    assert len(details["days"]) == 2


def test_retention_removes_the_data_snapshots_of_runs_past_the_period(monkeypatch, capsys):
    configure(monkeypatch)
    client = connect()
    experiment = client.create_experiment(IRIS.name)
    started = int((TODAY - timedelta(days=31)).timestamp() * 1000)
    old, recent = client.create_run(experiment, start_time=started), client.create_run(experiment)
    config = ModelsConfig(models=[IRIS])
    mlflow.set_experiment(experiment_id=experiment)  # not one an earlier test left active
    for run in (old, recent):
        with mlflow.start_run(run_id=run.info.run_id):
            training_data.record(IRIS, config.training, config.load(IRIS))

    assert governance_cli.main(["retention"]) == 0
    assert "would remove the data snapshots of 1 training runs older than 30 days" in (
        capsys.readouterr().out
    )
    assert governance_cli.main(["retention", "--apply"]) == 0

    def stored(run):
        return [item.path for item in client.list_artifacts(run.info.run_id, "data")]

    assert SNAPSHOT_ARTIFACT not in stored(old) and SNAPSHOT_ARTIFACT in stored(recent)
    assert client.get_run(old.info.run_id).data.tags[SNAPSHOT_TAG] == REMOVED
    [(event, details)] = audit_events()
    assert event == "retention" and details["snapshots"] == [old.info.run_id]


def test_expired_days_are_those_before_the_retention_period():
    write(record("a", days_ago=10), record("b", days_ago=3))

    days = expired_days(LOG, IRIS.name, 5, TODAY.date())
    assert [day.name for day in days] == [(TODAY - timedelta(days=10)).strftime("%Y-%m-%d")]
    assert expire(days, apply=False) == 1 and len(logged()) == 2


def test_erasure_removes_exactly_one_subjects_records_and_is_audited(monkeypatch, capsys):
    configure(monkeypatch)
    monkeypatch.setenv("APP_PREDICTION_LOG_SECRET", SECRET.decode())
    log = PredictionLog(LOG, redactor=Redactor(secret=SECRET))
    for n, subject in enumerate(["customer-1", "customer-2", "customer-1", None]):
        log.record(record(f"r{n}", subject=subject))
    log.close()
    assert "customer-1" not in "".join(p.read_text() for p in LOG.rglob("*.jsonl"))

    assert governance_cli.main(["erase", "--subject", "customer-1"]) == 0
    assert "would remove 2 prediction records" in capsys.readouterr().out
    assert len(logged()) == 4

    assert governance_cli.main(["erase", "--subject", "customer-1", "--apply"]) == 0
    assert logged() == ["r1", "r3"]
    [(event, details)] = audit_events()
    assert event == "erasure"
    assert details == {"subject": subject_hash("customer-1", SECRET), "records": 2}


def test_erasure_while_the_service_writes_loses_no_other_record():
    log = PredictionLog(LOG)
    stop = threading.Event()
    written = []

    def serve() -> None:
        for n in range(100_000):
            if stop.is_set():
                return
            subject = "erase-me" if n % 3 == 0 else "keep-me"
            log.record(record(f"r{n}", subject=subject))
            written.append((f"r{n}", subject))

    writer = threading.Thread(target=serve)
    writer.start()
    while len(written) < 300:
        pass
    erase(LOG, "erase-me", None, apply=True)
    stop.set()
    writer.join()
    log.close()

    kept = set(logged())
    others = {request_id for request_id, subject in written if subject == "keep-me"}
    assert others <= kept
    assert len(kept) == len(logged())  # no line cut or doubled by the rewrite


def test_logs_redact_the_personal_fields_of_the_data_cards():
    stream = io.StringIO()
    handler = json_handler(stream, ["email"])
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        also_redact(["age"])
        logging.getLogger("test").warning("scored", extra={"age": 52, "bmi": 31.5})
    finally:
        root.removeHandler(handler)

    line = json.loads(stream.getvalue())
    assert line["age"] == REDACTED and line["bmi"] == 31.5
