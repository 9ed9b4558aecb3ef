"""Generating through cookiecutter's own CLI as people do: answers typed in at the prompt,
given on the command line or set by an organisation's config file are stored typed, and a
generation with Python's byte-code writing on leaves no file behind."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

import questions
from profiles import TEMPLATE, Profile, expected_files
from test_bake import files_of

COOKIECUTTER = Path(sys.executable).parent / "cookiecutter"
SCHEMA = json.loads((TEMPLATE / "answers.schema.json").read_text())


def generate(tmp_path: Path, *answers: str, config: dict | None = None, typed: str = "",
             template: Path = TEMPLATE, env: dict | None = None) -> Path:  # fmt: skip
    """Run the CLI with its caches in tmp_path: `--no-input` and `key=value` answers, or
    `typed` on its standard input."""
    settings = {"cookiecutters_dir": str(tmp_path / "cache"), "replay_dir": str(tmp_path / "r")}
    (tmp_path / "config.yaml").write_text(yaml.safe_dump({**settings, **(config or {})}))
    out = tmp_path / "out"
    done = subprocess.run(
        [str(COOKIECUTTER), "--config-file", str(tmp_path / "config.yaml"), "--output-dir",
         str(out), *(["--no-input"] if answers else []), str(template), *answers],
        input=typed, capture_output=True, text=True, timeout=120, check=False, cwd=tmp_path,
        env={**os.environ, "HOME": str(tmp_path / "home"), **(env or {})},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    [project] = out.iterdir()
    return project


def stored_answers(project: Path) -> dict:
    answers = json.loads(next(project.glob("src/*/answers.json")).read_text())
    # The template's own keys (`_template`, `_commit`, ...) are not answers.
    return {key: value for key, value in answers.items() if not key.startswith("_")}


# What is typed at the prompt, one line per question in cookiecutter.json's order; an empty
# line takes the default, a number picks a choice.
TYPED_ANSWERS = {"project_name": "Typed In", "ci_provider": "1", "model_count": "2",
                 "data_regulated": "yes", "incident_owner": "2", "python_version": "1"}  # fmt: skip
TYPED = "".join(f"{TYPED_ANSWERS.get(name, '')}\n" for name in questions.QUESTIONS)
WAYS = {
    "prompt": {"typed": TYPED},
    "command line": {"answers": ["model_count=3", "data_regulated=yes"]},
    "config file": {
        "answers": ["project_name=From Config"],
        "config": {"default_context": {"model_count": "2", "incident_owner": "ml-team"}},
    },
}


@pytest.mark.parametrize("way", WAYS)
def test_stored_answers_validate_against_the_published_schema(tmp_path, way):
    given = WAYS[way]
    project = generate(tmp_path, *given.get("answers", []), config=given.get("config"),
                       typed=given.get("typed", ""))  # fmt: skip
    answers = stored_answers(project)

    jsonschema.validate(answers, SCHEMA)
    assert isinstance(answers["model_count"], int) and answers["model_count"] >= 2


def test_generation_with_bytecode_writing_on_leaves_no_stray_file(tmp_path):
    # The suite runs with writing off (PYTHONDONTWRITEBYTECODE): this one turns it back on.
    template = tmp_path / "template"
    local = (".git", ".venv", ".cache", ".hypothesis", ".ruff_cache", "__pycache__", "build")
    shutil.copytree(TEMPLATE, template, ignore=shutil.ignore_patterns(*local))
    before = files_of(template)
    profile = Profile(5, True, "ml-team")
    answers = [f"{key}={value}" for key, value in profile.answers().items()]

    # Python reads an empty PYTHONDONTWRITEBYTECODE as unset.
    project = generate(tmp_path, *answers, template=template,
                       env={"PYTHONDONTWRITEBYTECODE": ""})  # fmt: skip

    assert files_of(template) == before
    assert files_of(project) == expected_files(profile)


def test_generation_says_where_the_project_is_and_what_to_run_first(tmp_path):
    settings = {"cookiecutters_dir": str(tmp_path / "cache"), "replay_dir": str(tmp_path / "r")}
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(settings))
    done = subprocess.run(
        [str(COOKIECUTTER), "--config-file", str(tmp_path / "config.yaml"), "--no-input",
         "--output-dir", str(tmp_path / "out"), str(TEMPLATE), "model_count=0"],
        capture_output=True, text=True, timeout=120, check=True, cwd=tmp_path,
    )  # fmt: skip
    [project] = (tmp_path / "out").iterdir()
    readme = (project / "README.md").read_text()

    assert f"Created {project}\n" in done.stdout
    for command in ("make install run", "make test"):
        [line] = [line for line in done.stdout.splitlines() if command in line]
        assert line.strip() in readme


def test_generating_needs_only_cookiecutter_not_the_suite_environment():
    # `make generate` must ask its first question within a minute on a fresh machine.
    plan = subprocess.run(
        ["make", "--dry-run", "--always-make", "generate"], cwd=TEMPLATE,
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip

    assert "requirements-generate.txt" in plan
    assert "requirements-dev.txt" not in plan and "wheelhouse" not in plan
