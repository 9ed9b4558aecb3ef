import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from {{ cookiecutter.package_name }}.models_config import DriftPolicy
from {{ cookiecutter.package_name }}.monitoring import __main__ as monitoring_cli
from {{ cookiecutter.package_name }}.monitoring.drift import (
    DRIFT,
    NO_DRIFT,
    TOO_FEW_ROWS,
    categorical_drift,
    compare,
    numeric_drift,
)
from {{ cookiecutter.package_name }}.tracking.reference import PREDICTION

from mlops_helpers import IRIS, log_predictions, now, resampled, train_champion

POLICY = DriftPolicy()
FEATURES = ["a", "b", "c", "d", "e"]
SEEDS = range(20)


def frame(rng: np.random.Generator, rows: int, shift: dict[str, float] | None = None):
    """Five normal features, some shifted by a number of standard deviations, and a label."""
    shift = shift or {}
    data = {name: rng.normal(shift.get(name, 0.0), 1.0, rows) for name in FEATURES}
    data[PREDICTION] = rng.choice(["x", "y", "z"], rows, p=[0.5, 0.3, 0.2])
    return pd.DataFrame(data)


def report(reference, current):
    return compare(
        reference, current, "classification", POLICY,
        model="m", version="1", checked_at=now(), window_start=now(),
    )  # fmt: skip


@pytest.mark.parametrize("seed", range(40))
def test_the_ks_statistic_is_scipys_with_ties_or_without(seed):
    """One sort of the window gives what scipy gets from sorting and merging both."""
    rng = np.random.default_rng(seed)
    reference = rng.normal(0.0, 1.0, int(rng.integers(30, 400)))
    # Shifted or not: with no shift the largest gap is small, and more stretches are searched.
    current = rng.normal(0.3 * (seed % 4 > 1), 1.3, int(rng.integers(30, 400)))
    if seed % 2:  # coarse values: ties inside each window and across the two
        reference, current = reference.round(1), current.round(1)

    score = numeric_drift("x", reference, current, POLICY)

    assert score.statistic == pytest.approx(stats.ks_2samp(reference, current).statistic, abs=1e-12)
    effective = len(reference) * len(current) / (len(reference) + len(current))
    expected = stats.kstwobign.sf(score.statistic * np.sqrt(effective))
    assert score.p_value == pytest.approx(expected, rel=1e-9, abs=1e-300)


def test_a_seeded_shift_is_detected_in_exactly_the_shifted_features():
    rng = np.random.default_rng(7)
    shifted = report(frame(rng, 400), frame(rng, 500, shift={"b": 0.5, "d": -1.0}))

    assert shifted.verdict == DRIFT
    assert shifted.drifted_features == ["b", "d"]
    assert shifted.drifted_share == pytest.approx(0.4)


def test_numeric_drift_grows_with_the_shift():
    rng = np.random.default_rng(1)
    small = numeric_drift("a", rng.normal(0, 1, 1000), rng.normal(0.1, 1, 1000), POLICY)
    large = numeric_drift("a", rng.normal(0, 1, 1000), rng.normal(0.5, 1, 1000), POLICY)

    assert large.statistic > small.statistic
    assert large.drifted and not small.drifted


def test_unshifted_windows_are_rarely_flagged_over_many_seeds():
    verdicts = [
        report(
            frame(np.random.default_rng(seed), 400), frame(np.random.default_rng(seed + 1000), 500)
        )
        for seed in SEEDS
    ]
    flagged = [
        seed for seed, checked in zip(SEEDS, verdicts, strict=True) if checked.verdict == DRIFT
    ]
    # Six columns at p < 0.01 with an effect floor: about 6 % of windows at most by chance.
    assert len(flagged) <= 2, flagged


def test_with_many_rows_a_negligible_shift_is_significant_but_not_drift():
    rng = np.random.default_rng(3)
    score = numeric_drift("a", rng.normal(0, 1, 50_000), rng.normal(0.05, 1, 50_000), POLICY)

    assert score.p_value < POLICY.p_value
    assert not score.drifted  # the KS statistic stays under the effect floor


def test_a_changed_label_mix_is_prediction_drift():
    rng = np.random.default_rng(5)
    reference = rng.choice(["x", "y"], 500, p=[0.5, 0.5])

    changed = rng.choice(["x", "y"], 500, p=[0.9, 0.1])
    same = rng.choice(["x", "y"], 500)

    assert categorical_drift("p", reference, changed, POLICY).drifted
    assert not categorical_drift("p", reference, same, POLICY).drifted


def test_a_label_never_seen_in_training_keeps_the_index_finite():
    current = np.array(["x"] * 100 + ["new"] * 100)
    score = categorical_drift("p", np.array(["x"] * 200), current, POLICY)

    assert np.isfinite(score.statistic) and score.drifted


def test_too_few_predicted_rows_is_not_a_verdict_of_no_drift():
    rng = np.random.default_rng(0)
    small = report(frame(rng, 400), frame(rng, POLICY.min_rows - 1, shift={"a": 3}))

    assert small.verdict == TOO_FEW_ROWS
    assert small.features == [] and small.prediction is None


def test_the_report_reads_as_text_and_as_json(tmp_path):
    rng = np.random.default_rng(7)
    shifted = report(frame(rng, 400), frame(rng, 500, shift={"b": 2.0}))

    summary = shifted.summary()
    assert summary.startswith("m version 1: drift")
    assert "1 of 5 features drifted" in summary
    written = json.loads(shifted.write(tmp_path).read_text())
    assert written["verdict"] == DRIFT
    assert written["drifted_features"] == ["b"]
    assert {score["column"] for score in written["features"]} == set(FEATURES)


@pytest.fixture(scope="module")
def champion(tmp_path_factory):
    return train_champion(tmp_path_factory.mktemp("drift"))


@pytest.fixture
def monitored(champion, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", champion.uri)
    monkeypatch.setenv("APP_MODELS_CONFIG", str(champion.config))
    return champion


def test_the_training_snapshot_is_the_reference(monitored):
    reference = monitored.reference

    assert list(reference.columns) == [*IRIS.features, PREDICTION]
    assert len(reference) == 112  # the 75 % training split of iris
    assert set(reference[PREDICTION]) == {"setosa", "versicolor", "virginica"}


def test_drift_check_exits_1_and_names_the_shifted_feature(monitored, capsys):
    rows = resampled(monitored.reference, 400, seed=11, shift={"petal_length_cm": 1.5})
    log_predictions(rows)

    assert monitoring_cli.main(["drift"]) == 1

    out = capsys.readouterr().out
    assert f"{IRIS.name} version 1: drift" in out
    written = json.loads(Path(f"reports/{IRIS.name}/drift.json").read_text())
    assert "petal_length_cm" in written["drifted_features"]
    assert written["current_rows"] == 400


def test_drift_check_exits_0_on_data_like_the_training_data(monitored, capsys):
    log_predictions(resampled(monitored.reference, 400, seed=12))

    assert monitoring_cli.main(["drift"]) == 0
    assert f"{IRIS.name} version 1: {NO_DRIFT}" in capsys.readouterr().out


def test_a_model_without_a_champion_is_an_error_not_a_verdict(monitored, monkeypatch, capsys):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "sqlite:///empty.db")

    assert monitoring_cli.main(["drift"]) == 2
    assert f"error: {IRIS.name} has no champion" in capsys.readouterr().err
