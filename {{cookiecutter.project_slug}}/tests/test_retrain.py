import json
from datetime import timedelta
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.models_config import RetrainPolicy
from {{ cookiecutter.package_name }}.monitoring import __main__ as monitoring_cli
from {{ cookiecutter.package_name }}.monitoring.drift import DriftReport, Score
from {{ cookiecutter.package_name }}.monitoring.retrain import (
    KEEP,
    RETRAIN,
    Performance,
    decide,
    measure,
    read_labels,
)

from mlops_helpers import IRIS, log_predictions, now, resampled, train_champion

POLICY = RetrainPolicy(drifted_feature_share=0.5, max_age_days=30, min_labels=20)


def drift(drifted: int, prediction_drifted: bool = False, rows: int = 500) -> DriftReport:
    """A report on four features, the first `drifted` of them drifted."""
    features = [
        Score(f"f{n}", "ks", 0.3 if n < drifted else 0.02, 0.001, n < drifted) for n in range(4)
    ]
    psi = 0.4 if prediction_drifted else 0.01
    prediction = Score("prediction", "psi", psi, 0.001, prediction_drifted)
    return DriftReport(
        model="m", version="2", checked_at=now(), window_start=now() - timedelta(days=7),
        reference_rows=100, current_rows=rows, features=features, prediction=prediction,
    )  # fmt: skip


def performance(measured: float, labels: int = 100) -> Performance:
    return Performance("f1_macro", trained=0.9, measured=measured, labels=labels)


def test_a_healthy_young_champion_is_kept_and_every_check_is_listed():
    decision = decide(drift(1), 3, performance(0.89), IRIS, POLICY)

    assert decision.verdict == KEEP
    assert decision.summary().splitlines() == [
        "m version 2: keep",
        "  ok: 1 of 4 features drifted (25%, limit 50%): f0",
        "  ok: the prediction distribution is stable",
        "  ok: the champion is 3 days old (limit 30)",
        "  ok: f1_macro is 0.890 on 100 labelled predictions, 0.900 at training "
        "(+1% decay, limit 10%)",
    ]


@pytest.mark.parametrize(
    ("report", "age", "measured", "reason"),
    [
        (drift(2), 3, performance(0.9), "2 of 4 features drifted (50%, limit 50%): f0, f1"),
        (drift(0, True), 3, performance(0.9), "the prediction distribution drifted (psi 0.400)"),
        (drift(0), 45, performance(0.9), "the champion is 45 days old (limit 30)"),
        (drift(0), 3, performance(0.7), "f1_macro is 0.700 on 100 labelled predictions"),
    ],
)
def test_each_reason_alone_calls_for_retraining(report, age, measured, reason):
    decision = decide(report, age, measured, IRIS, POLICY)

    assert decision.verdict == RETRAIN
    assert [check.reason for check in decision.checks if check.triggered] == [
        next(c.reason for c in decision.checks if c.reason.startswith(reason))
    ]


def test_prediction_drift_is_reported_but_not_acted_on_when_the_policy_says_so():
    policy = POLICY.model_copy(update={"on_prediction_drift": False})

    decision = decide(drift(0, True), 3, None, IRIS, policy)

    assert decision.verdict == KEEP
    assert "(the policy does not act on it)" in decision.summary()


def test_too_little_evidence_never_triggers_retraining():
    too_few_rows = {**vars(drift(0)), "features": [], "prediction": None, "current_rows": 10}

    decision = decide(DriftReport(**too_few_rows), 3, performance(0.1, labels=5), IRIS, POLICY)

    assert decision.verdict == KEEP
    assert "drift not measured: 10 predicted rows in the window" in decision.summary()
    assert "performance not measured: 5 labelled predictions (needs 20)" in decision.summary()


def test_decay_of_an_error_metric_counts_upwards():
    ridge = IRIS.model_copy(update={"task": "regression"})
    worse = Performance("rmse", trained=50.0, measured=60.0, labels=100)

    assert worse.decay(ridge.higher_is_better("rmse")) == pytest.approx(0.2)


def test_labels_are_joined_to_logged_predictions_by_request_and_row(tmp_path):
    records = [
        {"request_id": "a", "outputs": [{"label": "x"}, {"label": "y"}]},
        {"request_id": "b", "outputs": [{"label": "x"}]},
    ]
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "day1.jsonl").write_text(
        '{"request_id": "a", "index": 1, "label": "y"}\n'
        '{"request_id": "b", "index": 0, "label": "y"}\n'
        '{"request_id": "unknown", "index": 0, "label": "x"}\n'
    )

    measured = measure(records, read_labels(tmp_path, "m"), IRIS, trained=0.9)

    assert measured.labels == 2
    assert measured.measured == pytest.approx(1 / 3)  # macro F1 of [y, y] against [y, x]


@pytest.fixture(scope="module")
def champion(tmp_path_factory):
    return train_champion(tmp_path_factory.mktemp("retrain"))


def test_the_decision_command_prints_every_reason_and_writes_it(champion, monkeypatch, capsys):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", champion.uri)
    monkeypatch.setenv("APP_MODELS_CONFIG", str(champion.config))
    rows = resampled(champion.reference, 300, seed=3, shift={"petal_width_cm": 1.2})
    request_ids = log_predictions(rows)
    wrong = [
        {"request_id": request_id, "index": row, "label": "setosa"}
        for request_id in request_ids
        for row in range(10)
    ]
    Path("labels", IRIS.name).mkdir(parents=True)
    Path("labels", IRIS.name, "batch.jsonl").write_text("\n".join(map(json.dumps, wrong)))

    assert monitoring_cli.main(["decide"]) == 0

    out = capsys.readouterr().out
    assert out.startswith(f"{IRIS.name} version 1: retrain")
    assert "  - " in out and "petal_width_cm" in out
    assert "on 300 labelled predictions" in out
    written = json.loads(Path("reports", IRIS.name, "retrain.json").read_text())
    assert written["verdict"] == RETRAIN
    assert Path("reports", IRIS.name, "drift.json").exists()
