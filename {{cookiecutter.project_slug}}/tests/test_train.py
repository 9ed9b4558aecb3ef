import json

import pandas as pd
import pytest
import yaml

from {{ cookiecutter.package_name }}.datasets import DatasetEntry, bundled_frame, load
from {{ cookiecutter.package_name }}.model.artifact import (
    LATEST_FILE,
    METADATA_FILE,
    MODEL_FILE,
    ArtifactError,
    load_latest,
    sha256_file,
)
from {{ cookiecutter.package_name }}.model.config import ModelConfig, load_config
from {{ cookiecutter.package_name }}.model.train import main, train

SHIPPED = load_config()


def metadata(folder):
    return json.loads((folder / METADATA_FILE).read_text())


def configured(seed=42, **model):
    """The shipped configuration with another seed or other model settings."""
    return SHIPPED.model_copy(update={
        "training": SHIPPED.training.model_copy(update={"seed": seed}),
        "model": SHIPPED.model.model_copy(update=model),
    })  # fmt: skip


def test_training_twice_gives_the_same_version_data_hash_and_metrics(tmp_path):
    first = metadata(train(SHIPPED, tmp_path / "a"))
    second = metadata(train(SHIPPED, tmp_path / "b"))

    for key in ("version", "data_hash", "metrics", "model_sha256"):
        assert first[key] == second[key]


def test_a_different_seed_is_a_different_version(tmp_path):
    first = train(configured(seed=1), tmp_path)
    second = train(configured(seed=2), tmp_path)

    assert first.name != second.name
    assert (tmp_path / LATEST_FILE).read_text().strip() == second.name


def test_the_artifact_folder_has_the_permissions_of_any_other_folder(tmp_path):
    # The image trains as root and serves as user 10001, who must be able to read it.
    neighbour = tmp_path / "neighbour"
    neighbour.mkdir()
    folder = train(SHIPPED, tmp_path / "models")

    assert folder.stat().st_mode == neighbour.stat().st_mode


def test_artifact_records_data_hash_parameters_and_metrics(tmp_path):
    wine = configured(dataset="wine", target="cultivar", features=["alcohol", "hue"])
    meta = metadata(train(wine, tmp_path))

    assert len(meta["data_hash"]) == 64
    assert meta["params"]["dataset"] == "wine" and meta["source"] == "bundled:wine"
    assert meta["rows"] == 178
    assert 0.8 < meta["metrics"]["accuracy"] <= 1.0
    assert meta["features"] == ["alcohol", "hue"]


def test_a_team_trains_on_its_own_file_by_changing_the_configuration(tmp_path):
    # Loans rather than flowers: a text target, columns the shipped model never saw.
    flowers = bundled_frame("iris")
    loans = pd.DataFrame({
        "income": flowers["sepal_length_cm"] * 10_000,
        "debt": flowers["petal_length_cm"] * 1_000,
        "repaid": flowers["species"].map(
            {"setosa": "yes", "versicolor": "no", "virginica": "no"}).astype(str),
    })  # fmt: skip
    loans.to_parquet(tmp_path / "loans.parquet")
    text = {
        "datasets": {"loans": {"source": "loans.parquet", "provenance": "loan book export"}},
        "model": {"dataset": "loans", "target": "repaid", "features": ["income", "debt"]},
    }
    (tmp_path / "models.yaml").write_text(yaml.safe_dump(text))

    meta = metadata(train(load_config(tmp_path / "models.yaml"), tmp_path / "models"))

    assert meta["classes"] == ["no", "yes"] and meta["source"] == "loans.parquet"
    # The snapshot beside the artifact is the rows it learned from, hashing alike.
    snapshot = DatasetEntry(source=str(tmp_path / "models" / meta["version"] / "data.parquet"))
    again = load("loans", snapshot, "classification", "repaid", ["income", "debt"])
    assert again.data_hash == meta["data_hash"] and meta["snapshot"] == "data.parquet"
    assert meta["metrics"]["accuracy"] > 0.9
    model = load_latest(tmp_path / "models")
    assert model.predict_proba([{"income": 50_000, "debt": 1_400}]).shape == (1, 2)


def test_bad_data_stops_training_with_one_line_and_no_artifact(tmp_path, capsys):
    text = {"datasets": {"loans": {"source": "loans.csv"}},
            "model": {"dataset": "loans", "target": "repaid", "features": ["income"]}}  # fmt: skip
    (tmp_path / "models.yaml").write_text(yaml.safe_dump(text))

    with pytest.raises(SystemExit) as stopped:
        main(["--config", "models.yaml", "--output", "models"])

    assert stopped.value.code == 1
    where = f"relative to {tmp_path}"
    assert capsys.readouterr().err.splitlines() == [
        f"error: dataset loans (loans.csv): no such file ({where}); fix the path or URL"
    ]
    assert not (tmp_path / "models").exists()


def test_data_that_may_not_be_copied_leaves_only_its_hash_beside_the_model(tmp_path):
    hidden = SHIPPED.datasets["iris"].model_copy(update={"snapshot": "hash-only"})
    config = SHIPPED.model_copy(update={"datasets": {"iris": hidden}})

    folder = train(config, tmp_path)

    assert metadata(folder)["snapshot"] == "hash-only"
    assert not (folder / "data.parquet").exists()


def test_a_configuration_whose_dataset_has_no_source_is_refused():
    with pytest.raises(ValueError, match="add it there with its source"):
        ModelConfig.model_validate(
            {"model": {"dataset": "loans", "target": "repaid", "features": ["income"]}}
        )


def test_the_latest_artifact_loads_and_predicts(tmp_path):
    train(SHIPPED, tmp_path)

    model = load_latest(tmp_path)
    row = dict.fromkeys(model.features, 1.0)

    assert model.predict_proba([row]).shape == (1, len(model.classes))


def test_a_missing_artifact_says_how_to_make_one(tmp_path):
    with pytest.raises(ArtifactError, match="make train"):
        load_latest(tmp_path)


def test_a_tampered_model_file_is_refused(tmp_path):
    folder = train(SHIPPED, tmp_path)
    (folder / MODEL_FILE).write_bytes(b"not the trained model")

    with pytest.raises(ArtifactError, match="checksum"):
        load_latest(tmp_path)


def test_a_model_file_that_cannot_be_unpickled_is_refused_with_the_reason(tmp_path):
    folder = train(SHIPPED, tmp_path)
    model = folder / MODEL_FILE
    model.write_bytes(model.read_bytes()[:100])  # truncated, with its checksum recorded again
    recorded = metadata(folder) | {"model_sha256": sha256_file(model)}
    (folder / METADATA_FILE).write_text(json.dumps(recorded))

    with pytest.raises(ArtifactError, match="cannot be loaded"):
        load_latest(tmp_path)
