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
SCHEMA = json.loads((TEMPLATE / "answers.schema.json").read_text())["properties"]
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


def test_defaults_are_the_templates_defaults():
    for name, spec in parameters().items():
        default = COOKIECUTTER[name]
        assert spec["default"] == (default[0] if isinstance(default, list) else default), name


def test_every_answer_reaches_cookiecutter():
    [generate] = [step for step in BACKSTAGE["spec"]["steps"] if step["id"] == "generate"]

    assert generate["action"] == "fetch:cookiecutter"
    assert generate["input"]["url"] == "./"
    assert generate["input"]["values"] == {
        name: f"${{{{ parameters.{name} }}}}" for name in parameters()
    }


def test_a_project_generated_without_hooks_fails_its_own_conformance_check(tmp_path):
    """Backstage's fetch:cookiecutter runs no hooks, so nothing removes the files of the
    components the rules leave out: the project's own check must say so."""
    project = Path(
        cookiecutter(
            str(TEMPLATE),
            no_input=True,
            accept_hooks=False,
            output_dir=str(tmp_path),
            extra_context={"project_name": "Portal Service", "model_count": 1},
        )
    )
    done = subprocess.run(
        [sys.executable, "-m", "portal_service.conformance"],
        cwd=project, env={**os.environ, "PYTHONPATH": "src"},
        capture_output=True, text=True, check=False,
    )  # fmt: skip

    assert done.returncode == 1
    assert (
        "src/portal_service/tracking/ belongs to tracking, which the rules leave out" in done.stdout
    )
    assert "src/portal_service/service/api/text_stats.py belongs to starter-endpoint" in done.stdout
