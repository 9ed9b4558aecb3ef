import pytest
import yaml
from pydantic import ValidationError

from {{ cookiecutter.package_name }} import project
from {{ cookiecutter.package_name }}.models_config import ModelsConfig, load_config
from {{ cookiecutter.package_name }}.tracking.store import connect
from {{ cookiecutter.package_name }}.tracking.train import CHALLENGER, train

from lifecycle import conformance

CONFIG = load_config()
FIRST = CONFIG.models[0]


def test_configuration_has_an_entry_per_model_with_distinct_datasets_where_possible():
    datasets = [spec.dataset for spec in CONFIG.models]

    assert len(CONFIG.models) == int(project.answers()["model_count"])
    assert len(set(datasets)) == min(len(datasets), 4)


def test_a_training_run_registers_a_challenger_with_everything_needed_to_recreate_it():
    version = train(FIRST, CONFIG.training)

    client = connect()
    registered = client.get_model_version_by_alias(FIRST.name, CHALLENGER)
    run = client.get_run(registered.run_id).data
    assert str(registered.version) == version
    assert len(run.tags["data_hash"]) == 64
    assert {"code_version", "packages", "dataset", "owner"} <= run.tags.keys()
    assert run.params["seed"] == str(CONFIG.training.seed)
    assert FIRST.promotion.metric in run.metrics


def test_training_twice_gives_the_same_data_hash_and_metrics():
    client = connect()
    runs = [
        client.get_run(client.get_model_version(FIRST.name, train(FIRST, CONFIG.training)).run_id)
        for _ in range(2)
    ]

    assert runs[0].data.tags["data_hash"] == runs[1].data.tags["data_hash"]
    assert runs[0].data.metrics == runs[1].data.metrics


def test_the_configuration_file_can_come_from_the_environment(tmp_path, monkeypatch):
    path = tmp_path / "models.yaml"
    path.write_text("models: []\n")
    monkeypatch.setenv("APP_MODELS_CONFIG", str(path))

    assert load_config().models == []


@pytest.mark.parametrize(
    "change",
    [
        {"promotion": {"metric": "rmse"}},
        {"estimator": "ridge"},
        {"dataset": "diabetes"},
        {"dataset": "no-such-dataset"},
        {"name": "Not A Slug"},
        {"unknown": 1},
    ],
    ids=[
        "metric-of-other-task",
        "estimator-of-other-task",
        "dataset-of-other-task",
        "unknown-dataset",
        "bad-name",
        "unknown-key",
    ],
)
def test_invalid_model_entries_are_refused(change):
    entry = {**FIRST.model_dump(), **change}

    with pytest.raises(ValidationError):
        ModelsConfig.model_validate({"models": [entry]})


def test_duplicate_model_names_are_refused():
    with pytest.raises(ValidationError, match="unique"):
        ModelsConfig.model_validate({"models": [FIRST.model_dump(), FIRST.model_dump()]})


@pytest.mark.skipif(project.answers()["data_regulated"], reason="the project is governed already")
def test_personal_fields_in_a_data_card_call_for_the_governed_profile(tmp_path, monkeypatch):
    config = load_config().model_dump()
    dataset = config["models"][0]["dataset"]
    feature = config["models"][0]["features"][0]
    config["datasets"] = {
        dataset: {
            "description": "Now with a personal field.",
            "source": "tests",
            "legal_basis": "tests",
            "retention_days": 30,
            "personal_fields": [feature],
        }
    }
    (tmp_path / "models.yaml").write_text(yaml.safe_dump(config))
    monkeypatch.setenv("APP_MODELS_CONFIG", str(tmp_path / "models.yaml"))

    [problem] = conformance.answer_problems()

    assert problem.startswith("the configuration calls for the mlops-governed profile")
    assert "answer data_regulated=yes" in problem
    assert "data_regulated=yes" in problem.splitlines()[1]
