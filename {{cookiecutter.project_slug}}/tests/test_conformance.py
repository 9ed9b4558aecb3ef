from pathlib import Path

import pytest

from {{ cookiecutter.package_name }} import conformance, project

ROOT = Path(__file__).resolve().parent.parent
COMPONENTS = project.profile().components


def test_the_generated_tree_matches_the_answers():
    assert conformance.tree_problems(ROOT) == []
    assert conformance.answer_problems() == []


def test_files_of_left_out_components_and_missing_files_are_reported(tmp_path):
    owned = conformance.owned_files()
    kept = {path for name, paths in owned.items() if name in COMPONENTS for path in paths}
    for name, paths in owned.items():
        for path in paths:
            if name not in COMPONENTS and path not in kept:
                planted = tmp_path / path
                planted.parent.mkdir(parents=True, exist_ok=True)
                planted.mkdir() if path.endswith("/") else planted.write_text("")

    problems = conformance.tree_problems(tmp_path)

    for name, paths in owned.items():
        if name in COMPONENTS and paths:
            assert f"{paths[0]} is missing: the {name} component needs it" in problems
        elif set(paths) - kept:
            assert any(f"belongs to {name}, which the rules leave out" in p for p in problems)


@pytest.mark.skipif(
    "tracking" not in COMPONENTS or project.answers()["data_regulated"],
    reason="personal fields can only outgrow an unregulated MLOps project",
)
def test_personal_fields_in_a_data_card_call_for_the_governed_profile(tmp_path, monkeypatch):
    import yaml

    from {{ cookiecutter.package_name }}.tracking.config import load_config

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
