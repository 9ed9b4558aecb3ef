"""The Backstage Software Template asks the same questions, under the same rules, as the
template and its published schema."""

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml
from cookiecutter.main import cookiecutter

from profiles import TEMPLATE

BACKSTAGE = yaml.safe_load((TEMPLATE / "template.yaml").read_text())
COOKIECUTTER = json.loads((TEMPLATE / "cookiecutter.json").read_text())
PUBLISHED = json.loads((TEMPLATE / "answers.schema.json").read_text())
SCHEMA = PUBLISHED["properties"]
# Backstage's own keys, beside the JSON Schema of each parameter.
PRESENTATION = {"title", "description", "default", "enumNames"}


def parameters() -> dict[str, dict]:
    return {
        name: spec
        for page in BACKSTAGE["spec"]["parameters"]
        for name, spec in page["properties"].items()
        if name != "repoUrl"
    }


def test_every_question_is_asked_with_the_rules_of_the_published_schema():
    asked = parameters()
    derived = {"project_slug", "package_name"}  # computed from the name, as cookiecutter does

    assert set(asked) == set(SCHEMA) - derived
    for name, spec in asked.items():
        rules = {key: value for key, value in spec.items() if key not in PRESENTATION}
        assert rules == SCHEMA[name], name


def test_the_page_asking_for_handles_narrows_them_for_github_as_the_schema_does():
    [page] = [p for p in BACKSTAGE["spec"]["parameters"] if "owner_handle" in p["properties"]]

    assert "ci_provider" in page["properties"]
    assert (page["if"], page["else"]) == (PUBLISHED["if"], PUBLISHED["else"])


def test_the_repository_is_published_where_ci_runs():
    publish = {
        step["action"]: step["if"]
        for step in BACKSTAGE["spec"]["steps"]
        if step["action"].startswith("publish:")
    }

    assert publish == {
        f"publish:{provider}": f"${{{{ parameters.ci_provider === '{provider}' }}}}"
        for provider in COOKIECUTTER["ci_provider"]
    }


def test_every_answer_reaches_cookiecutter():
    [generate] = [step for step in BACKSTAGE["spec"]["steps"] if step["id"] == "generate"]

    assert generate["action"] == "fetch:cookiecutter"
    assert generate["input"]["url"] == "./"
    assert generate["input"]["values"] == {
        name: f"${{{{ parameters.{name} }}}}" for name in parameters()
    }


def generate_without_hooks(tmp_path: Path, answers: dict) -> Path:
    """Render the template as Backstage's fetch:cookiecutter does: no hooks run."""
    return Path(
        cookiecutter(
            str(TEMPLATE),
            no_input=True,
            accept_hooks=False,
            output_dir=str(tmp_path),
            extra_context=answers,
        )
    )


def conformance(project: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "lifecycle.conformance"],
        cwd=project, env={**os.environ, "PYTHONPATH": "src"},
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_a_project_generated_without_hooks_fails_its_own_conformance_check(tmp_path):
    """Backstage's fetch:cookiecutter runs no hooks, so nothing removes the files of the
    components the rules leave out: the project's own check must say so."""
    project = generate_without_hooks(tmp_path, {"project_name": "Portal Service", "model_count": 1})
    done = conformance(project)

    assert done.returncode == 1
    assert "src/portal_service/tracking/ belongs to mlops, which the rules leave out" in done.stdout
    assert "src/portal_service/service/api/text_stats.py belongs to starter-endpoint" in done.stdout


def test_a_gitlab_project_generated_without_hooks_is_told_to_drop_the_github_folder(tmp_path):
    answers = {"project_name": "Portal Service", "model_count": 2, "ci_provider": "gitlab"}
    project = generate_without_hooks(tmp_path, answers)
    assert (project / ".github" / "workflows" / "monitoring.yml").is_file()

    done = conformance(project)

    assert done.returncode == 1
    assert (
        "- .github/ belongs to github, which is not this project's CI provider (gitlab)"
        in done.stdout
    )
    # Monitoring is included, but its workflow goes with the folder: it is not reported alone.
    assert "monitoring.yml" not in done.stdout
    assert "is missing" not in done.stdout
