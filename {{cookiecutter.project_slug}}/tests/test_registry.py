import itertools

import pytest

from {{ cookiecutter.package_name }}.models_config import (
    Promotion,
    Training,
    load_config,
)
from {{ cookiecutter.package_name }}.registry import __main__ as registry_cli
from {{ cookiecutter.package_name }}.registry.lineage import lineage
from {{ cookiecutter.package_name }}.registry.promotion import (
    CHAMPION,
    promote,
    rollback,
)
from {{ cookiecutter.package_name }}.tracking.store import connect
from {{ cookiecutter.package_name }}.tracking.train import train

from mlops_helpers import IRIS

# Each test gets a fresh name for the shared model, in one shared store, which saves
# creating a store per test.
TRAINING = Training()
names = itertools.count()


@pytest.fixture(scope="module")
def tracking_uri(tmp_path_factory):
    folder = tmp_path_factory.mktemp("store")
    return f"sqlite:///{folder / 'mlflow.db'}"


@pytest.fixture
def client(tracking_uri, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", tracking_uri)
    return connect()


@pytest.fixture
def iris():
    return IRIS.model_copy(update={"name": f"iris-{next(names)}"})


@pytest.fixture
def weak(iris):
    return iris.model_copy(update={"params": {"C": 0.001, "max_iter": 1000}})


def champion_of(client, spec):
    return str(client.get_model_version_by_alias(spec.name, CHAMPION).version)


def test_the_first_challenger_that_meets_the_thresholds_becomes_champion(client, iris):
    version = train(iris, TRAINING)

    outcome = promote(client, iris, "alice")

    assert outcome.changed
    assert champion_of(client, iris) == version


def test_promotion_refuses_a_worse_challenger_and_says_why(client, iris, weak):
    train(iris, TRAINING)
    champion = promote(client, iris, "alice").champion
    train(weak, TRAINING)

    outcome = promote(client, iris, "bob")

    assert not outcome.changed
    assert champion_of(client, iris) == champion
    assert any("does not beat" in reason for reason in outcome.reasons)
    assert any("is not at least the threshold 0.8" in reason for reason in outcome.reasons)


def test_promotion_refuses_a_challenger_below_a_threshold(client, iris):
    policy = Promotion(metric="f1_macro", thresholds={"f1_macro": 0.9999})
    strict = iris.model_copy(update={"promotion": policy})
    train(strict, TRAINING)

    outcome = promote(client, strict, "alice")

    assert not outcome.changed
    assert len(outcome.reasons) == 1
    assert "is not at least the threshold 0.9999" in outcome.reasons[0]


def test_promotion_without_a_new_version_changes_nothing(client, iris):
    outcome = promote(client, iris, "alice")

    assert not outcome.changed
    assert "no challenger" in outcome.reasons[0]


def test_rollback_restores_the_previous_champion(client, iris, weak):
    lenient = weak.model_copy(update={"promotion": Promotion(metric="f1_macro")})
    first = train(lenient, TRAINING)
    promote(client, lenient, "alice")
    second = train(iris, TRAINING)
    assert promote(client, iris, "alice").champion == second

    outcome = rollback(client, iris.name, "carol")

    assert outcome.changed
    assert champion_of(client, iris) == first
    assert client.get_model_version(iris.name, second).tags["rolled_back_by"] == "carol"


def test_rollback_without_an_earlier_champion_is_refused(client, iris):
    train(iris, TRAINING)
    promote(client, iris, "alice")

    outcome = rollback(client, iris.name, "carol")

    assert not outcome.changed
    assert "replaced no earlier version" in outcome.reasons[0]


def test_lineage_traces_data_run_code_parameters_metrics_and_promotion(client, iris):
    train(iris, TRAINING)
    promote(client, iris, "alice")

    record = lineage(client, iris.name)

    assert record["aliases"] == [CHAMPION]
    assert len(record["data_hash"]) == 64
    assert record["code_version"]
    assert record["params"]["C"] == "1.0"
    assert record["metrics"]["f1_macro"] > 0.8
    assert record["registry"]["promoted_by"] == "alice"
    assert "promoted_at" in record["registry"]


def test_the_command_line_refuses_an_unknown_model_or_version(client, capsys):
    with pytest.raises(SystemExit) as unknown_model:
        registry_cli.main(["rollback", "--model", "no-such-model"])
    assert unknown_model.value.code == 2
    assert "invalid choice: 'no-such-model'" in capsys.readouterr().err

    model = load_config().names[0]
    with pytest.raises(SystemExit) as unknown_version:
        registry_cli.main(["lineage", "--model", model, "--version", "999"])
    assert unknown_version.value.code == 1
    assert capsys.readouterr().err.startswith("error: Model Version")
