"""The layout manifest, and regeneration over an existing project that never deletes a file."""

from __future__ import annotations

from pathlib import Path

import pytest
from cookiecutter.main import cookiecutter

import layout
from answers import CI_PROVIDERS
from profiles import LEAN, TEMPLATE, Profile, expected_files
from rules import decide

TEMPLATE_PROJECT = TEMPLATE / "{{cookiecutter.project_slug}}"


def test_manifest_names_only_components_the_rules_decide_and_the_ci_providers():
    manifest = layout.load_manifest()
    known = {d.component for d in decide(1, False, "platform-team").decisions}

    assert set(manifest["components"]) <= known | set(CI_PROVIDERS)
    assert set(CI_PROVIDERS) <= set(manifest["components"])


def test_every_manifest_path_exists_in_the_template():
    components = layout.load_manifest()["components"]
    for path in layout.owned_paths(components, "{{cookiecutter.package_name}}"):
        assert (TEMPLATE_PROJECT / path).exists(), path


def test_prune_removes_created_files_and_emptied_folders_but_keeps_what_existed(tmp_path):
    (tmp_path / "pkg" / "model").mkdir(parents=True)
    (tmp_path / "pkg" / "model" / "train.py").write_text("created by this run")
    (tmp_path / "pkg" / "model" / "notes.md").write_text("the team's")
    (tmp_path / "pkg" / "api").mkdir()
    (tmp_path / "pkg" / "api" / "predict.py").write_text("created by this run")

    removed = layout.prune(
        tmp_path, ["pkg/model/", "pkg/api/predict.py"], preexisting={"pkg/model/notes.md"}
    )

    assert sorted(removed) == ["pkg/api", "pkg/api/predict.py", "pkg/model/train.py"]
    assert (tmp_path / "pkg" / "model" / "notes.md").read_text() == "the team's"


def test_prune_keeps_a_folder_that_existed_even_when_it_empties(tmp_path):
    (tmp_path / "deploy" / "extra").mkdir(parents=True)
    (tmp_path / "deploy" / "extra" / "job.yaml").write_text("created by this run")

    layout.prune(tmp_path, ["deploy/extra/"], preexisting={"deploy"})

    assert (tmp_path / "deploy").is_dir()
    assert not (tmp_path / "deploy" / "extra").exists()


def test_prune_never_leaves_the_project(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("keep")
    project = tmp_path / "project"
    project.mkdir()

    assert layout.prune(project, ["../outside.txt"], preexisting=set()) == []
    assert outside.exists()


def generate(tmp_path: Path, answers: dict, **options) -> Path:
    """Run cookiecutter as a user would, with its caches inside tmp_path."""
    config = {"cookiecutters_dir": str(tmp_path / "cache"), "replay_dir": str(tmp_path / "replay")}
    return Path(
        cookiecutter(
            str(TEMPLATE), no_input=True, output_dir=str(tmp_path / "out"),
            extra_context=answers, default_config=config, **options,
        )
    )  # fmt: skip


def files_in(project: Path) -> set[str]:
    return {str(p.relative_to(project)) for p in project.rglob("*") if p.is_file()}


def test_regenerating_with_new_answers_over_a_project_keeps_every_existing_file(tmp_path):
    project = generate(tmp_path, LEAN.answers())
    package = project / "src" / LEAN.package
    (package / "model" / "features.py").write_text("# the team's feature code\n")
    (project / "NOTES.md").write_text("the team's notes\n")
    before = files_in(project)

    generate(tmp_path, {**LEAN.answers(), "model_count": 2}, overwrite_if_exists=True)

    assert before <= files_in(project)
    assert (package / "model" / "features.py").read_text() == "# the team's feature code\n"
    assert (package / "tracking" / "train.py").is_file()  # new in the MLOps profile


def test_generating_over_a_folder_with_team_files_removes_only_this_runs_files(tmp_path):
    mlops = Profile(2, False, "platform-team")
    model_dir = tmp_path / "out" / mlops.slug / "src" / mlops.package / "model"
    model_dir.mkdir(parents=True)
    (model_dir / "notes.md").write_text("the team's")

    project = generate(tmp_path, mlops.answers(), overwrite_if_exists=True)

    assert files_in(project) == expected_files(mlops) | {f"src/{mlops.package}/model/notes.md"}


@pytest.mark.parametrize("skip", [False, True], ids=["overwrite", "skip-existing"])
def test_plain_regeneration_never_deletes_a_user_file(tmp_path, skip):
    project = generate(tmp_path, LEAN.answers())
    user_files = [project / "src" / LEAN.package / "model" / "extra.py", project / "data" / "x.csv"]
    for path in user_files:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("mine")
    no_model = {**LEAN.answers(), "model_count": 0, "incident_owner": "ml-team"}

    generate(tmp_path, no_model, overwrite_if_exists=True, skip_if_file_exists=skip)

    assert all(path.read_text() == "mine" for path in user_files)


def test_a_path_shared_by_an_included_component_is_kept():
    manifest = {"components": {"a": ["shared.py", "a.py"], "b": ["shared.py", "b.py"]}}

    assert layout.unselected_paths({"a"}, "pkg", manifest) == ["b.py"]
    assert layout.unselected_paths(set(), "pkg", manifest) == ["a.py", "b.py", "shared.py"]


CI_MANIFEST = {
    "components": {
        "github": [".github/"],
        "gitlab": [".gitlab-ci.yml"],
        "monitoring": [".github/workflows/monitoring.yml", "deploy/monitoring/"],
    }
}


def test_a_left_out_folder_takes_what_an_included_component_lists_inside_it():
    assert layout.unselected_paths({"gitlab", "monitoring"}, "pkg", CI_MANIFEST) == [
        ".github/",
        ".github/workflows/monitoring.yml",
    ]


def test_an_included_folder_does_not_keep_what_a_left_out_component_lists_inside_it():
    assert layout.unselected_paths({"github"}, "pkg", CI_MANIFEST) == [
        ".github/workflows/monitoring.yml",
        ".gitlab-ci.yml",
        "deploy/monitoring/",
    ]


def test_a_path_is_kept_when_its_component_and_the_folder_above_it_are_included():
    assert layout.unselected_paths({"github", "monitoring"}, "pkg", CI_MANIFEST) == [
        ".gitlab-ci.yml"
    ]
