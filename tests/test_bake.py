"""Every profile bakes to exactly its expected files, fully rendered and parseable."""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from profiles import BAKED_PROFILES, GITLAB_PROFILES, TEMPLATE, Profile, expected_files

CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"

# Leftover template markers. GitHub Actions' `${{ }}` expressions and the `{{$labels.x}}` of
# Prometheus alert annotations are meant to stay.
LEFTOVER_MARKER = re.compile(r"(?<!\$)\{\{(?!\$)|\{%|%\}|\{#")
# Strings that must never reach a generated project: placeholders and unfinished work.
FORBIDDEN = ("example.com", "example.org", "your-org", "yourname", "changeme", "TODO", "FIXME")


def files_of(project):
    return {str(p.relative_to(project)) for p in project.rglob("*") if p.is_file()}


@pytest.mark.parametrize("profile", BAKED_PROFILES, ids=lambda p: p.id)
def test_project_holds_the_expected_files_and_only_those(bake, profile):
    assert files_of(bake(profile)) == expected_files(profile)


def parse(name: str, text: str) -> None:
    """Parse a generated file as what its suffix says it is; raises where it is not."""
    suffix = Path(name).suffix
    if suffix == ".toml":
        tomllib.loads(text)
    elif suffix in {".yaml", ".yml"}:
        list(yaml.safe_load_all(text))
    elif suffix == ".json":
        json.loads(text)
    elif suffix == ".py":
        compile(text, name, "exec")


@pytest.mark.parametrize("profile", BAKED_PROFILES, ids=lambda p: p.id)
def test_every_file_is_rendered_parseable_and_free_of_placeholders(bake, profile):
    project = bake(profile)
    for path in sorted(project.rglob("*")):
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        name = str(path.relative_to(project))
        assert not LEFTOVER_MARKER.search(text), f"template marker left in {name}"
        assert not [word for word in FORBIDDEN if word in text], f"placeholder in {name}"
        parse(name, text)


@pytest.mark.parametrize("profile", BAKED_PROFILES, ids=lambda p: p.id)
def test_stored_answers_record_answers_and_template_version_but_no_local_paths(bake, profile):
    project = bake(profile)
    stored = json.loads((project / "src" / profile.package / "answers.json").read_text())
    template = json.loads((TEMPLATE / "cookiecutter.json").read_text())

    assert stored["model_count"] == profile.model_count
    assert stored["data_regulated"] is profile.data_regulated
    assert stored["incident_owner"] == profile.incident_owner
    assert stored["ci_provider"] == profile.ci_provider
    assert stored["_template_version"] == template["_template_version"]
    assert "_template" in stored
    assert not {"_output_dir", "_repo_dir", "__prompts__"} & stored.keys()


def test_lean_decision_record_and_codeowners_follow_the_answers(bake):
    project = bake(Profile(1, False, "platform-team"))
    record = (project / "docs" / "operating-model.md").read_text()
    owners = (project / ".github" / "CODEOWNERS").read_text()

    assert "## Verdict: `devops-lean` (DevOps layout)" in record
    assert "| lean-model | yes | lean start |" in record
    assert "| mlops | no | lean start |" in record
    assert "/docs/runbook.md          @my-org/platform-team" in owners


def test_governed_decision_record_and_owners_point_at_the_approvers(bake):
    profile = Profile(2, True, "ml-team")
    project = bake(profile)
    record = (project / "docs" / "operating-model.md").read_text()
    owners = (project / ".github" / "CODEOWNERS").read_text()

    assert "## Verdict: `mlops-governed` (MLOps layout)" in record
    assert "| mlops | yes | repeat work, response ownership, governance |" in record
    assert "| governance | yes | governance |" in record
    assert "[docs/dpia.md](dpia.md)" in record
    assert "/docs/runbook.md          @my-org/my-team" in owners
    assert "/docs/dpia.md             @my-org/model-risk" in owners
    assert f"/src/{profile.package}/models.yaml  @my-org/model-risk" in owners


def github_twin(profile: Profile) -> Profile:
    return dataclasses.replace(profile, ci_provider="github")


COMMAND = re.compile(r"make [a-z-]+|docker build|apt-get install .* prometheus")


def github_commands(project) -> set[str]:
    """The make targets, image builds and package installs the GitHub workflows run."""
    runs = [
        step["run"]
        for workflow in (project / ".github" / "workflows").glob("*.yml")
        for job in yaml.safe_load(workflow.read_text())["jobs"].values()
        for step in job["steps"]
        if "run" in step
    ]
    return set(COMMAND.findall("\n".join(runs)))


def gitlab_commands(project) -> set[str]:
    """The same for the GitLab pipeline's jobs."""
    pipeline = yaml.safe_load((project / ".gitlab-ci.yml").read_text())
    lines = [
        line
        for job in pipeline.values()
        if isinstance(job, dict)
        for line in job.get("before_script", []) + job.get("script", [])
    ]
    return set(COMMAND.findall("\n".join(lines)))


@pytest.mark.parametrize("profile", GITLAB_PROFILES, ids=lambda p: p.id)
def test_gitlab_pipeline_runs_what_github_runs_plus_the_template_check(bake, profile):
    github = github_commands(bake(github_twin(profile)))

    assert gitlab_commands(bake(profile)) == github | {"make template-check"}
    assert "make conformance" in github


@pytest.mark.parametrize("profile", GITLAB_PROFILES, ids=lambda p: p.id)
def test_gitlab_pipeline_jobs_follow_the_components(bake, profile):
    pipeline = yaml.safe_load((bake(profile) / ".gitlab-ci.yml").read_text())
    governed = "governance" in profile.components

    assert pipeline["workflow"]["rules"] == [
        {"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'},
        {"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"},
    ]
    assert pipeline["template-check"]["allow_failure"] is True
    assert ("make governance-check" in pipeline["lint"]["script"]) is governed
    assert ("drift" in pipeline) is ("mlops" in profile.components)
    if "mlops" in profile.components:
        assert pipeline["drift"]["rules"][0]["if"].startswith('$CI_PIPELINE_SOURCE == "schedule"')
    assert ({"approve", "promote"} <= pipeline.keys()) is governed
    if governed:
        assert pipeline[".governance"]["environment"] == "production"
        assert pipeline[".governance"]["rules"][0]["when"] == "manual"
        # Inline, so that a variable given when starting the job cannot name someone else.
        [approve] = pipeline["approve"]["script"]
        assert approve.startswith('APPROVED_BY="$GITLAB_USER_LOGIN" .venv/bin/python -m ')
        assert pipeline["promote"]["script"][-1].startswith('PROMOTED_BY="$GITLAB_USER_LOGIN" ')
        assert (
            "variables" not in pipeline["approve"] | pipeline["promote"] | pipeline[".governance"]
        )


@pytest.mark.parametrize("version", ["3.11", "3.12"])
def test_gitlab_tests_run_on_the_oldest_supported_python_and_the_images(bake, version):
    profile = Profile(1, False, "platform-team", python_version=version, ci_provider="gitlab")
    pipeline = yaml.safe_load((bake(profile) / ".gitlab-ci.yml").read_text())

    assert pipeline["test"]["image"] == "python:$PYTHON_VERSION"
    assert pipeline["test"]["parallel"]["matrix"] == [{"PYTHON_VERSION": sorted({"3.11", version})}]
    assert pipeline["default"]["image"] == f"python:{version}"


def test_gitlab_codeowners_name_the_same_owners_as_github(bake):
    gitlab = GITLAB_PROFILES[-1]
    assert "governance" in gitlab.components
    github = github_twin(gitlab)

    def ownership(profile: Profile, path: str, ci_paths: set[str]) -> list[str]:
        text = (bake(profile) / path).read_text().replace(profile.package, "<package>")
        lines = [line.split() for line in text.splitlines() if line and not line.startswith("#")]
        return [" ".join(words) for words in lines if words[0] not in ci_paths]

    assert ownership(gitlab, ".gitlab/CODEOWNERS", {"/.gitlab-ci.yml", "/.gitlab/"}) == ownership(
        github, ".github/CODEOWNERS", {"/.github/"}
    )
    assert (
        "/.gitlab-ci.yml           @my-org/my-team @my-org/platform-team"
        in (bake(gitlab) / ".gitlab" / "CODEOWNERS").read_text()
    )


@pytest.mark.parametrize("version", ["3.11", "3.13"])
def test_other_python_versions_set_the_image_and_ci(bake, version):
    profile = Profile(1, False, "platform-team", python_version=version)
    project = bake(profile)

    assert f"ARG BASE_IMAGE=python:{version}-slim\n" in (project / "Dockerfile").read_text()
    workflow = yaml.safe_load((project / ".github" / "workflows" / "ci.yml").read_text())
    tested = workflow["jobs"]["test"]["strategy"]["matrix"]["python-version"]
    assert tested == sorted({"3.11", version})


def test_renovate_config_passes_its_schema_and_keeps_python_to_the_answer(bake):
    project = bake(Profile(0, False, "platform-team"))
    # The schema ships with check-jsonschema: no network, as in the project's `make validate`.
    done = subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.renovate", "renovate.json"],
        cwd=project, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr

    config = json.loads((project / "renovate.json").read_text())
    assert config["lockFileMaintenance"] == {"enabled": True}
    assert "schedule:weekly" in config["extends"]
    # The python_version answer is stated in several files; regeneration moves them together.
    rules = config["packageRules"]
    [python] = [rule for rule in rules if rule.get("matchPackageNames") == ["python"]]
    assert python["matchUpdateTypes"] == ["major", "minor"] and python["enabled"] is False
