from pathlib import Path

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
