import pandas as pd
import pytest
import yaml
from pydantic import ValidationError

from {{ cookiecutter.package_name }} import project
from {{ cookiecutter.package_name }}.datasets import bundled_frame
from {{ cookiecutter.package_name }}.models_config import ModelsConfig, load_config
from {{ cookiecutter.package_name }}.tracking import train as training_cli
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


def own_data(tmp_path, monkeypatch, source):
    """A project that trains a regression on its own CSV file instead of a bundled dataset."""
    config = {
        "datasets": {"houses": {"source": source, "provenance": "a survey of houses"}},
        "models": [{
            "name": "house-price", "dataset": "houses", "task": "regression",
            "target": "price", "features": ["rooms", "area"], "estimator": "ridge",
            "promotion": {"metric": "r2"}, "owner": "@team",
        }],
    }  # fmt: skip
    (tmp_path / "models.yaml").write_text(yaml.safe_dump(config))
    monkeypatch.setenv("APP_MODELS_CONFIG", str(tmp_path / "models.yaml"))


def untracked(model: str, version: str) -> None:
    """What a governed project audits after each registration; these tests check the data."""


def test_a_model_trains_on_the_project_s_own_file(tmp_path, monkeypatch, capsys):
    diabetes = bundled_frame("diabetes")
    houses = diabetes.assign(rooms=diabetes["bmi"] * 20 + 5, area=diabetes["bp"] * 900 + 120)
    houses.rename(columns={"progression": "price"}).to_csv("houses.csv", index=False)
    own_data(tmp_path, monkeypatch, "houses.csv")

    training_cli.main([], untracked)

    assert capsys.readouterr().out == f"house-price: registered version 1 as {CHALLENGER}\n"
    client = connect()
    run = client.get_run(client.get_model_version("house-price", "1").run_id).data
    assert run.tags["data_source"] == "houses.csv" and run.tags["dataset"] == "houses"
    assert run.metrics["r2"] > 0.2


def test_bad_data_stops_training_before_any_run_with_one_line(tmp_path, monkeypatch, capsys):
    pd.DataFrame({"rooms": [3, 4], "area": [80, 95]}).to_parquet("houses.parquet")
    own_data(tmp_path, monkeypatch, "houses.parquet")

    with pytest.raises(SystemExit) as stopped:
        training_cli.main([], untracked)

    assert stopped.value.code == 1
    assert capsys.readouterr().err == (
        "error: model house-price: dataset houses (houses.parquet): no column price; "
        "its columns: rooms, area\n"
    )
    assert connect().search_experiments(filter_string="name = 'house-price'") == []


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
            "source": f"bundled:{dataset}",
            "description": "Now with a personal field.",
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
