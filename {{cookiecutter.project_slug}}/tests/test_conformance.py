from pathlib import Path

from {{ cookiecutter.package_name }} import project

from lifecycle import conformance

ROOT = Path(__file__).resolve().parent.parent
COMPONENTS = project.components()
PROVIDER = project.answers()["ci_provider"]


def plant(root: Path, path: str) -> None:
    # A folder counts when it holds a file; byte-code caches do not count.
    target = root / path / "planted.txt" if path.endswith("/") else root / path
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


def test_a_folder_holding_only_byte_code_caches_counts_as_absent(tmp_path):
    owned = conformance.owned_files()
    kept = {path for name, paths in owned.items() if name in COMPONENTS for path in paths}
    [folder, *_] = [path for name, paths in owned.items() if name not in COMPONENTS
                    for path in paths if path.endswith("/") and path not in kept]  # fmt: skip
    cache = tmp_path / folder / "__pycache__" / "module.cpython-312.pyc"
    cache.parent.mkdir(parents=True)
    cache.write_bytes(b"")

    assert not [problem for problem in conformance.tree_problems(tmp_path) if folder in problem]

    (tmp_path / folder / "module.py").write_text("")

    assert [problem for problem in conformance.tree_problems(tmp_path) if folder in problem]
