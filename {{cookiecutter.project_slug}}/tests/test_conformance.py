from pathlib import Path

from {{ cookiecutter.package_name }} import conformance, project

ROOT = Path(__file__).resolve().parent.parent
COMPONENTS = project.components()
PROVIDER = project.answers()["ci_provider"]


def plant(root: Path, path: str) -> None:
    target = root / path
    if path.endswith("/"):
        target.mkdir(parents=True, exist_ok=True)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("")


def test_the_generated_tree_matches_the_answers():
    assert conformance.tree_problems(ROOT) == []
    assert conformance.answer_problems() == []


def test_every_component_of_the_project_reports_its_missing_files(tmp_path):
    problems = conformance.tree_problems(tmp_path)

    for name, paths in conformance.owned_files().items():
        if name in COMPONENTS and paths:
            assert any(p.endswith(f"the {name} component needs it") for p in problems), name


def test_files_of_left_out_components_are_reported(tmp_path):
    owned = conformance.owned_files()
    for path, names in conformance.path_owners().items():
        if not set(names) & COMPONENTS:
            plant(tmp_path, path)

    problems = conformance.tree_problems(tmp_path)

    for name in owned.keys() - COMPONENTS:
        assert any(f" belongs to {name}, which " in p for p in problems), name


def test_the_other_ci_providers_configuration_is_reported(tmp_path):
    (other,) = {"github", "gitlab"} - {PROVIDER}
    for path in conformance.owned_files()[other]:
        plant(tmp_path, path)

    problems = conformance.tree_problems(tmp_path)

    why = f"which is not this project's CI provider ({PROVIDER})"
    for path in conformance.owned_files()[other]:
        assert any(p.startswith(f"{path} belongs to {other}, {why}") for p in problems), path
