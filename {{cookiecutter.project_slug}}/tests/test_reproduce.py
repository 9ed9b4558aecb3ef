"""`make reproduce`: a version trained again from its stored snapshot, and what differs."""

import json
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd

from {{ cookiecutter.package_name }}.datasets import DatasetEntry
from {{ cookiecutter.package_name }}.models_config import ModelsConfig
from {{ cookiecutter.package_name }}.registry.lineage import lineage
from {{ cookiecutter.package_name }}.tracking import reproduce as reproduce_cli
from {{ cookiecutter.package_name }}.tracking.store import connect
from {{ cookiecutter.package_name }}.tracking.train import train
from {{ cookiecutter.package_name }}.tracking.training_data import (
    RECIPE_ARTIFACT,
    SNAPSHOT_ARTIFACT,
)

from mlops_helpers import IRIS

TRAINING = ModelsConfig(models=[IRIS]).training


def stored(version: str, artifact: str) -> Path:
    """Where the local store keeps one of the version's run artifacts."""
    client = connect()
    run = client.get_run(client.get_model_version(IRIS.name, version).run_id)
    return Path(urlparse(run.info.artifact_uri).path) / artifact


def reproduced(capsys) -> tuple[int, str]:
    status = reproduce_cli.main(["--model", IRIS.name, "--version", "1"])
    captured = capsys.readouterr()
    return status, captured.out + captured.err


def test_a_deterministic_version_is_reproduced_exactly(capsys):
    train(IRIS, TRAINING)

    status, report = reproduced(capsys)

    assert status == 0, report
    assert report.startswith("iris version 1: reproduced, metrics and 38 test predictions")
    record = lineage(connect(), IRIS.name, "1")
    assert record["data_source"] == "bundled:iris"
    assert record["data_snapshot"] == SNAPSHOT_ARTIFACT


def test_an_altered_snapshot_is_named_as_the_data_hash(capsys):
    train(IRIS, TRAINING)
    snapshot = stored("1", SNAPSHOT_ARTIFACT)
    rows = pd.read_parquet(snapshot)
    rows.loc[rows.index[::2], "petal_width_cm"] += 1.0
    rows.to_parquet(snapshot, index=False)

    status, report = reproduced(capsys)

    assert status == 1
    assert "NOT reproduced" in report
    assert "data hash: the stored snapshot hashes to" in report


def test_an_altered_parameter_is_named_and_changes_the_result(capsys):
    train(IRIS, TRAINING)
    recipe = stored("1", RECIPE_ARTIFACT)
    recorded = json.loads(recipe.read_text())
    recorded["model"]["params"]["C"] = 0.001
    recipe.write_text(json.dumps(recorded))

    status, report = reproduced(capsys)

    assert status == 1
    assert "parameter C: the recorded settings say 0.001, the run logged 1.0" in report
    assert "metric f1_macro:" in report and "test rows differ" in report


def test_data_that_may_not_be_copied_keeps_only_its_hash(capsys):
    entry = DatasetEntry(source="bundled:iris", snapshot="hash-only")
    config = ModelsConfig(models=[IRIS], datasets={"iris": entry})
    train(IRIS, TRAINING, data=config.load(IRIS))

    status, report = reproduced(capsys)

    assert status == 1
    assert "snapshot: hash-only" in report
    assert not stored("1", SNAPSHOT_ARTIFACT).exists()
    assert lineage(connect(), IRIS.name, "1")["data_snapshot"] == "hash-only"


def test_an_unknown_version_is_one_line(capsys):
    train(IRIS, TRAINING)

    status = reproduce_cli.main(["--model", IRIS.name, "--version", "7"])

    assert status == 1
    # MLflow's own log lines come first.
    assert capsys.readouterr().err.splitlines()[-1].startswith("error: iris version 7: ")
