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
                # A folder counts when it holds a file; byte-code caches do not count.
                planted = tmp_path / path / "__init__.py" if path.endswith("/") else tmp_path / path
                planted.parent.mkdir(parents=True, exist_ok=True)
                planted.write_text("")

    problems = conformance.tree_problems(tmp_path)

    for name, paths in owned.items():
        if name in COMPONENTS and paths:
            assert f"{paths[0]} is missing: the {name} component needs it" in problems
        elif set(paths) - kept:
            assert any(f"belongs to {name}, which the rules leave out" in p for p in problems)


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
