import json

import pytest

from {{ cookiecutter.package_name }}.model.artifact import (
    LATEST_FILE,
    METADATA_FILE,
    MODEL_FILE,
    ArtifactError,
    load_latest,
    sha256_file,
)
from {{ cookiecutter.package_name }}.model.train import TrainingConfig, train


def metadata(folder):
    return json.loads((folder / METADATA_FILE).read_text())


def test_training_twice_gives_the_same_version_data_hash_and_metrics(tmp_path):
    first = metadata(train(TrainingConfig(), tmp_path / "a"))
    second = metadata(train(TrainingConfig(), tmp_path / "b"))

    for key in ("version", "data_hash", "metrics", "model_sha256"):
        assert first[key] == second[key]


def test_a_different_seed_is_a_different_version(tmp_path):
    first = train(TrainingConfig(seed=1), tmp_path)
    second = train(TrainingConfig(seed=2), tmp_path)

    assert first.name != second.name
    assert (tmp_path / LATEST_FILE).read_text().strip() == second.name


def test_the_artifact_folder_has_the_permissions_of_any_other_folder(tmp_path):
    # The image trains as root and serves as user 10001, who must be able to read it.
    neighbour = tmp_path / "neighbour"
    neighbour.mkdir()
    folder = train(TrainingConfig(), tmp_path / "models")

    assert folder.stat().st_mode == neighbour.stat().st_mode


def test_artifact_records_data_hash_parameters_and_metrics(tmp_path):
    meta = metadata(train(TrainingConfig(dataset="wine"), tmp_path))

    assert len(meta["data_hash"]) == 64
    assert meta["params"]["dataset"] == "wine"
    assert meta["rows"] == 178
    assert 0.8 < meta["metrics"]["accuracy"] <= 1.0
    assert meta["features"][0] == "alcohol"


def test_the_latest_artifact_loads_and_predicts(tmp_path):
    train(TrainingConfig(), tmp_path)

    model = load_latest(tmp_path)
    row = dict.fromkeys(model.features, 1.0)

    assert model.predict_proba([row]).shape == (1, len(model.classes))


def test_a_missing_artifact_says_how_to_make_one(tmp_path):
    with pytest.raises(ArtifactError, match="make train"):
        load_latest(tmp_path)


def test_a_tampered_model_file_is_refused(tmp_path):
    folder = train(TrainingConfig(), tmp_path)
    (folder / MODEL_FILE).write_bytes(b"not the trained model")

    with pytest.raises(ArtifactError, match="checksum"):
        load_latest(tmp_path)


def test_a_model_file_that_cannot_be_unpickled_is_refused_with_the_reason(tmp_path):
    folder = train(TrainingConfig(), tmp_path)
    model = folder / MODEL_FILE
    model.write_bytes(model.read_bytes()[:100])  # truncated, with its checksum recorded again
    recorded = metadata(folder) | {"model_sha256": sha256_file(model)}
    (folder / METADATA_FILE).write_text(json.dumps(recorded))

    with pytest.raises(ArtifactError, match="cannot be loaded"):
        load_latest(tmp_path)
