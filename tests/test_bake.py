"""Every profile bakes to exactly its expected files, fully rendered and parseable."""

from __future__ import annotations

import json
import re
import tomllib

import pytest
import yaml

from profiles import PROFILES, TEMPLATE, Profile, expected_files

# Leftover template markers. GitHub Actions' `${{ }}` expressions and the `{{$labels.x}}` of
# Prometheus alert annotations are meant to stay.
LEFTOVER_MARKER = re.compile(r"(?<!\$)\{\{(?!\$)|\{%|%\}|\{#")
# Strings that must never reach a generated project: placeholders and unfinished work.
FORBIDDEN = ("example.com", "example.org", "your-org", "yourname", "changeme", "TODO", "FIXME")


def files_of(project):
    return {str(p.relative_to(project)) for p in project.rglob("*") if p.is_file()}


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.id)
def test_project_holds_the_expected_files_and_only_those(bake, profile):
    assert files_of(bake(profile)) == expected_files(profile)


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.id)
def test_every_file_is_rendered_parseable_and_free_of_placeholders(bake, profile):
    project = bake(profile)
    for path in sorted(project.rglob("*")):
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        name = str(path.relative_to(project))
        assert not LEFTOVER_MARKER.search(text), f"template marker left in {name}"
        assert not [word for word in FORBIDDEN if word in text], f"placeholder in {name}"
        if path.suffix == ".toml":
            tomllib.loads(text)
        elif path.suffix in {".yaml", ".yml"}:
            list(yaml.safe_load_all(text))
        elif path.suffix == ".json":
            json.loads(text)
        elif path.suffix == ".py":
            compile(text, name, "exec")


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.id)
def test_stored_answers_record_answers_and_template_version_but_no_local_paths(bake, profile):
    project = bake(profile)
    stored = json.loads((project / "src" / profile.package / "answers.json").read_text())
    template = json.loads((TEMPLATE / "cookiecutter.json").read_text())

    assert stored["model_count"] == str(profile.model_count)
    assert stored["data_regulated"] is profile.data_regulated
    assert stored["incident_owner"] == profile.incident_owner
    assert stored["_template_version"] == template["_template_version"]
    assert "_template" in stored
    assert not {"_output_dir", "_repo_dir", "__prompts__"} & stored.keys()


def test_lean_decision_record_and_codeowners_follow_the_answers(bake):
    project = bake(Profile(1, False, "platform-team"))
    record = (project / "docs" / "operating-model.md").read_text()
    owners = (project / ".github" / "CODEOWNERS").read_text()

    assert "## Verdict: `devops-lean` (DevOps layout)" in record
    assert "| lean-model | yes | lean start |" in record
    assert "| tracking | no | lean start |" in record
    assert "/docs/runbook.md          @my-org/platform-team" in owners


def test_governed_decision_record_and_owners_point_at_the_approvers(bake):
    profile = Profile(2, True, "ml-team")
    project = bake(profile)
    record = (project / "docs" / "operating-model.md").read_text()
    owners = (project / ".github" / "CODEOWNERS").read_text()

    assert "## Verdict: `mlops-governed` (MLOps layout)" in record
    assert "| tracking | yes | repeat work, response ownership, governance |" in record
    assert "| governance | yes | governance |" in record
    assert "[docs/dpia.md](dpia.md)" in record
    assert "/docs/runbook.md          @my-org/my-team" in owners
    assert "/docs/dpia.md             @my-org/model-risk" in owners
    assert f"/src/{profile.package}/models.yaml  @my-org/model-risk" in owners
