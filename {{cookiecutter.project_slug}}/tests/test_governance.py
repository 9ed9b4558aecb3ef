import json
import shutil
from pathlib import Path

import pytest
import yaml

from {{ cookiecutter.package_name }}.datasets import DatasetEntry
from {{ cookiecutter.package_name }}.governance import __main__ as governance_cli
from {{ cookiecutter.package_name }}.governance.audit import AuditLog
from {{ cookiecutter.package_name }}.governance.cards import (
    card_problems,
    human_sections,
)
from {{ cookiecutter.package_name }}.governance.events import record_training
from {{ cookiecutter.package_name }}.governance.gate import (
    ApprovalRefused,
    approve,
    requirements,
)
from {{ cookiecutter.package_name }}.models_config import ModelsConfig, ModelSpec
from {{ cookiecutter.package_name }}.registry import __main__ as registry_cli
from {{ cookiecutter.package_name }}.registry.promotion import (
    CHAMPION,
    policy_problems,
    promote,
)
from {{ cookiecutter.package_name }}.tracking import train as training_cli
from {{ cookiecutter.package_name }}.tracking.store import connect
from {{ cookiecutter.package_name }}.tracking.train import CHALLENGER, train

from mlops_helpers import IRIS

# The first model of every governed project, so the shipped model card covers it.
GOVERNED = ModelSpec.model_validate(
    {
        **IRIS.model_dump(),
        "name": "iris-species",
        "promotion": {
            "metric": "f1_macro",
            "thresholds": {"f1_macro": 0.8},
            "slices": {"by": "sepal_width_cm", "bins": 2, "max_gap": 0.2},
        },
    }
)
CARD = DatasetEntry(
    source="bundled:iris",
    description="Iris flowers measured by Edgar Anderson.",
    provenance="scikit-learn",
    legal_basis="public research data",
    retention_days=30,
)
CONFIG = ModelsConfig(models=[GOVERNED], datasets={"iris": CARD})
WRITTEN = " ".join(["Words that answer the question for a reviewer."] * 3)
COMPLETE = {"Intended use": WRITTEN, "Limitations": WRITTEN, "Ethical considerations": WRITTEN}


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A store where alice trained GOVERNED once: version 1 is the challenger."""
    folder = tmp_path_factory.mktemp("governed")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        patch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{folder / 'mlflow.db'}")
        patch.setenv("TRAINED_BY", "alice")
        train(GOVERNED, CONFIG.training)
    return folder / "mlflow.db"


@pytest.fixture
def store(trained, tmp_path, monkeypatch):
    """A copy of that store for one test: approvals and promotions stay in the test. The
    copy's artifacts are the original's, which the tests only read."""
    shutil.copy(trained, tmp_path / "mlflow.db")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    monkeypatch.setenv("APP_MODELS_CONFIG", str(tmp_path / "models.yaml"))
    (tmp_path / "models.yaml").write_text(yaml.safe_dump(CONFIG.model_dump()))
    return connect()


def challenger(client):
    return client.get_model_version_by_alias(GOVERNED.name, CHALLENGER)


def missing(client, spec=GOVERNED, cards=None, config=CONFIG):
    """Everything the gate and the policy find wrong with the challenger."""
    version = challenger(client)
    metrics = client.get_run(version.run_id).data.metrics
    cards = {spec.name: COMPLETE} if cards is None else cards
    return policy_problems(spec, metrics) + requirements(client, spec, version, config, cards)


def test_the_shipped_model_cards_are_complete_for_every_configured_model():
    from {{ cookiecutter.package_name }}.models_config import load_config

    cards = human_sections()
    for spec in load_config().models:
        assert card_problems(spec.name, cards) == []


def test_a_complete_approved_version_passes_and_is_promoted(store):
    approve(store, GOVERNED.name, "1", "bob", AuditLog(Path("audit.jsonl")))

    assert missing(store) == []

    def gate(client, spec, version):
        return requirements(client, spec, version, CONFIG, {spec.name: COMPLETE})

    assert promote(store, GOVERNED, "bob", gate).changed


def test_a_missing_or_unfinished_model_card_blocks_promotion(store):
    approve(store, GOVERNED.name, "1", "bob", AuditLog(Path("audit.jsonl")))
    unfinished = {**COMPLETE, "Intended use": "Short.", "Limitations": WRITTEN + " <fill in>"}

    assert missing(store, cards={}) == ["model_cards.md has no section `## iris-species`"]
    assert missing(store, cards={GOVERNED.name: unfinished}) == [
        "the model card of iris-species: `Intended use` is not written yet",
        "the model card of iris-species: `Limitations` is not written yet",
    ]


def test_an_unmet_threshold_and_a_failed_slice_check_block_promotion(store):
    approve(store, GOVERNED.name, "1", "bob", AuditLog(Path("audit.jsonl")))
    promotion = GOVERNED.promotion.model_dump()
    promotion["thresholds"]["f1_macro"] = 0.99
    promotion["slices"]["max_gap"] = 0.001
    strict = ModelSpec.model_validate({**GOVERNED.model_dump(), "promotion": promotion})

    problems = missing(store, spec=strict)

    assert len(problems) == 2
    assert problems[0].startswith("f1_macro 0.") and "at least the threshold 0.99" in problems[0]
    assert problems[1].startswith("the f1_macro gap between slices by sepal_width_cm is 0.")


def test_an_unapproved_version_is_refused_and_the_refusal_names_every_missing_piece(store):
    promotion = {**GOVERNED.promotion.model_dump(), "slices": None}
    no_slices = ModelSpec.model_validate({**GOVERNED.model_dump(), "promotion": promotion})
    config = ModelsConfig(models=[no_slices])

    problems = missing(store, spec=no_slices, cards={}, config=config)

    assert problems == [
        "model_cards.md has no section `## iris-species`",
        "models.yaml has no data card for dataset iris (under `datasets`)",
        "models.yaml configures no slice check for iris-species (promotion.slices)",
        "version 1 of iris-species is not approved: "
        "make approve MODEL=iris-species VERSION=1 BY=<name>",
    ]
    outcome = promote(store, no_slices, "alice", lambda c, s, v: requirements(c, s, v, config, {}))
    assert not outcome.changed and outcome.reasons == problems


def test_whoever_trained_a_version_cannot_approve_it(store):
    audit = AuditLog(Path("audit.jsonl"))

    with pytest.raises(ApprovalRefused, match="alice trained version 1"):
        approve(store, GOVERNED.name, "1", "alice", audit)
    assert audit.entries() == []
    # An approval tag written around the command still does not count.
    store.set_model_version_tag(GOVERNED.name, "1", "approved_by", "alice")
    assert missing(store) == ["version 1 was approved by alice, who trained it"]


def test_approval_and_promotion_through_the_commands_leave_audit_entries(store, capsys):
    assert (
        governance_cli.main(["approve", "--model", GOVERNED.name, "--version", "1", "--by", "bob"])
        == 0
    )
    assert governance_cli.main(["gate", "--model", GOVERNED.name]) == 0
    governance_cli.main(["promote", "--by", "bob"])

    assert str(store.get_model_version_by_alias(GOVERNED.name, CHAMPION).version) == "1"
    events = [(e.event, e.actor, e.version) for e in AuditLog(Path("audit/audit.jsonl")).entries()]
    assert events == [("approval", "bob", "1"), ("promotion", "bob", "1")]
    assert "iris-species version 1: may become champion" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("command", "argv"),
    [(registry_cli, ["promote", "--by", "bob"]), (registry_cli, ["rollback", "--model",
      GOVERNED.name, "--by", "bob"]), (training_cli, ["--model", GOVERNED.name])],
    ids=["promote", "rollback", "train"],
)  # fmt: skip
def test_promotion_and_training_around_governance_are_refused(store, capsys, command, argv):
    with pytest.raises(SystemExit) as refused:
        command.main(argv)

    assert refused.value.code == 2
    entry_point = "python -m {{ cookiecutter.package_name }}.governance"
    assert f"use `{entry_point} " in capsys.readouterr().err
    assert CHAMPION not in store.get_registered_model(GOVERNED.name).aliases
    assert [str(v.version) for v in store.search_model_versions(f"name='{GOVERNED.name}'")] == ["1"]
    assert not Path("audit/audit.jsonl").exists()


def test_the_gate_command_fails_for_an_unapproved_version(store, capsys):
    assert governance_cli.main(["gate", "--model", GOVERNED.name]) == 1

    out = capsys.readouterr().out
    assert "iris-species version 1: may not become champion" in out
    assert "- version 1 of iris-species is not approved" in out


def test_the_model_card_joins_tracked_metadata_and_the_human_sections(store, capsys):
    approve(store, GOVERNED.name, "1", "bob", AuditLog(Path("audit/audit.jsonl")))

    assert governance_cli.main(["model-card", "--model", GOVERNED.name]) == 0

    card = capsys.readouterr().out
    assert card.startswith("# Model card: iris-species version 1")
    assert "| trained | " in card and " by alice |" in card
    assert "| approved | " in card and " by bob |" in card
    assert "By `sepal_width_cm`: gap 0." in card
    assert "## Intended use" in card and "## Ethical considerations" in card


def test_lineage_export_follows_a_version_from_data_to_its_promotions(store, capsys):
    audit = AuditLog(Path("audit/audit.jsonl"))
    record_training(audit, store, GOVERNED.name, "1")
    audit.append("training", "alice", {}, model=GOVERNED.name, version="2")  # another version
    governance_cli.main(["approve", "--model", GOVERNED.name, "--version", "1", "--by", "bob"])
    governance_cli.main(["promote", "--by", "bob"])
    capsys.readouterr()

    assert governance_cli.main(["lineage", "--model", GOVERNED.name, "--version", "1"]) == 0

    record = json.loads(capsys.readouterr().out)
    assert len(record["data_hash"]) == 64 and record["run_id"]
    assert record["trained_by"] == "alice" and record["code_version"]
    assert record["aliases"] == [CHAMPION]
    events = [event["event"] for event in record["audit"]]
    assert events == ["training", "registration", "approval", "promotion"]
    assert record["audit"][0]["details"]["data_hash"] == record["data_hash"]


def test_the_data_card_shows_the_schema_and_what_is_personal(store, capsys):
    assert governance_cli.main(["data-card", "--dataset", "iris"]) == 0

    card = capsys.readouterr().out
    assert "| legal basis | public research data |" in card
    assert "| sepal_length_cm | number | 4.3 | 7.9 | no |" in card
    assert "| species (target) | one of setosa, versicolor, virginica |" in card


def test_the_ci_check_passes_on_the_shipped_configuration(capsys):
    assert governance_cli.main(["check"]) == 0
    assert capsys.readouterr().out.strip() == "ok"


def test_the_ci_check_names_a_gap_in_a_shared_data_card_once(monkeypatch, capsys):
    twin = {**GOVERNED.model_dump(), "name": f"{GOVERNED.name}-2"}
    config = {
        "models": [GOVERNED.model_dump(), twin],
        "datasets": {"iris": {"source": "bundled:iris"}},
    }
    Path("models.yaml").write_text(yaml.safe_dump(config))
    monkeypatch.setenv("APP_MODELS_CONFIG", "models.yaml")

    assert governance_cli.main(["check"]) == 1
    assert capsys.readouterr().out.count("the data card of iris has no `description`") == 1


def test_without_a_challenger_the_commands_fall_back_to_the_champion(store, capsys):
    approve(store, GOVERNED.name, "1", "bob", AuditLog(Path("audit/audit.jsonl")))
    governance_cli.main(["promote", "--by", "bob"])
    capsys.readouterr()

    assert governance_cli.main(["model-card", "--model", GOVERNED.name]) == 0
    assert capsys.readouterr().out.startswith("# Model card: iris-species version 1")
    store.delete_registered_model_alias(GOVERNED.name, CHAMPION)
    assert governance_cli.main(["gate", "--model", GOVERNED.name]) == 2
    assert "iris-species has no challenger or champion" in capsys.readouterr().err
