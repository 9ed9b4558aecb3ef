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
