"""Each question's prompt, default and choices live in `cookiecutter.json`; every other place
that states them agrees, and a choice added in one place only is caught."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import questions
from profiles import TEMPLATE

# What the hooks make of a template tree: its questions, the schema they describe and the
# rules' incident owners. A subprocess, so that a scratch copy's hooks are the ones read.
READ_HOOKS = """
import json, sys
sys.path.insert(0, sys.argv[1])
import answers, questions, rules
print(json.dumps({
    "schema": answers.schema(),
    "owners": list(rules.INCIDENT_OWNERS),
    "questions": {
        name: {
            "prompt": questions.prompt(name),
            "default": questions.default(name),
            "labels": list(questions.choice_labels(name)) if name in ("incident_owner",
                "ci_provider") else None,
        }
        for name in questions.QUESTIONS
    },
}))
"""
# Answers derived from others, which Backstage does not ask (cookiecutter derives them).
DERIVED = {"project_slug", "package_name"}
# The README's sentence for each choice answer that is not in its table of questions.
README_SENTENCE = {"python_version": r"`python_version` \(([^)]*)\)", "ci_provider": None}


def disagreements(root: Path) -> list[str]:
    """Where the template at `root` states a question otherwise than its cookiecutter.json."""
    done = subprocess.run(
        [sys.executable, "-B", "-c", READ_HOOKS, str(root / "hooks")],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    read = json.loads(done.stdout)
    context = json.loads((root / "cookiecutter.json").read_text())
    schema = read["schema"]["properties"]
    found = []
    if json.loads((root / "answers.schema.json").read_text()) != read["schema"]:
        found.append("answers.schema.json is not what the hooks describe: run `make schema`")
    if read["owners"] != context["incident_owner"]:
        found.append("the rules' INCIDENT_OWNERS differ from cookiecutter.json's incident_owner")

    backstage = yaml.safe_load((root / "template.yaml").read_text())
    asked = {
        name: spec
        for page in backstage["spec"]["parameters"]
        for name, spec in page["properties"].items()
        if name != "repoUrl"
    }
    if set(asked) != set(read["questions"]) - DERIVED:
        found.append(f"template.yaml asks {sorted(asked)}, cookiecutter.json other questions")
    for name, spec in asked.items():
        question = read["questions"].get(name, {})
        if spec.get("title") != question.get("prompt"):
            found.append(f"template.yaml's title of {name} is not its cookiecutter prompt")
        if spec.get("default") != question.get("default"):
            found.append(f"template.yaml's default of {name} is not cookiecutter.json's")
        if "enum" in schema.get(name, {}) and spec.get("enum") != schema[name]["enum"]:
            found.append(f"template.yaml's choices of {name} are not the schema's")
        if question.get("labels") and spec.get("enumNames") != question["labels"]:
            found.append(f"template.yaml's enumNames of {name} are not its prompt's labels")

    readme = (root / "README.md").read_text()
    for name, value in context.items():
        if not isinstance(value, list) or name.startswith("_"):
            continue
        row = re.search(rf"^\| `{name}` \| (.*) \| (.*) \|$", readme, re.MULTILINE)
        sentence = README_SENTENCE.get(name) or rf"`{name}` \(([^)]*)"
        stated = row.group(2) if row else re.search(sentence, readme).group(1)
        named = set(re.findall(r"`([^`]+)`|(\d+\.\d+)", stated))
        if {a or b for a, b in named} != set(value):
            found.append(f"README.md lists other choices of {name} than cookiecutter.json")
    return found


def test_every_place_states_the_questions_as_cookiecutter_json_does():
    assert disagreements(TEMPLATE) == []


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """A copy of the template's files that state questions, to change one place of."""
    root = tmp_path / "template"
    shutil.copytree(TEMPLATE / "hooks", root / "hooks", ignore=shutil.ignore_patterns("__py*"))
    (root / RULES_FILE).parent.mkdir(parents=True)
    shutil.copy(TEMPLATE / RULES_FILE, root / RULES_FILE)
    for name in ("cookiecutter.json", "answers.schema.json", "template.yaml", "README.md"):
        shutil.copy(TEMPLATE / name, root / name)
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


RULES_FILE = "{{cookiecutter.project_slug}}/src/{{cookiecutter.package_name}}/operating_model.py"
# The choices as the files write them today, and a version none of them has yet.
PYTHONS = questions.choices("python_version")
VERSIONS = ", ".join(f'"{version}"' for version in PYTHONS)
LAST, NEW = PYTHONS[-1], "3.99"
IN_PROSE = f"({', '.join(PYTHONS[:-1])} or {LAST},"
OWNERS, PROVIDERS = questions.choices("incident_owner"), questions.choices("ci_provider")
# A choice added in one file only: (file, text there, the text with the new choice).
ONE_PLACE = {
    "cookiecutter.json": ("cookiecutter.json", VERSIONS, f'{VERSIONS}, "{NEW}"'),
    "template.yaml": ("template.yaml", f"enum: [{VERSIONS}]", f'enum: [{VERSIONS}, "{NEW}"]'),
    "answers.schema.json": ("answers.schema.json", f'"{LAST}"\n', f'"{LAST}",\n        "{NEW}"\n'),
    "README.md": ("README.md", IN_PROSE, IN_PROSE.replace(f" or {LAST},", f", {LAST} or {NEW},")),
    "the rules": (RULES_FILE, f'"{OWNERS[-1]}")', f'"{OWNERS[-1]}", "sre-team")'),
    "a CI provider": ("cookiecutter.json", json.dumps(list(PROVIDERS)),
                      json.dumps([*PROVIDERS, "gitea"])),
}  # fmt: skip


@pytest.mark.parametrize("place", ONE_PLACE)
def test_a_choice_added_in_one_place_only_is_caught(scratch, place):
    name, old, new = ONE_PLACE[place]
    edit(scratch / name, old, new)

    assert disagreements(scratch) != []


def test_a_choice_added_where_customizing_says_agrees_everywhere(scratch):
    # CUSTOMIZING.md, "Add a choice to a question": cookiecutter.json, then `make schema`, then the
    # Backstage form and the README.
    edit(scratch / "cookiecutter.json", VERSIONS, f'{VERSIONS}, "{NEW}"')
    written = subprocess.run(
        [sys.executable, "-B", "-c",
         "import json, sys; sys.path.insert(0, sys.argv[1]); import answers; "
         "print(json.dumps(answers.schema(), indent=2))", str(scratch / "hooks")],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    (scratch / "answers.schema.json").write_text(written.stdout)
    edit(scratch / "template.yaml", f"enum: [{VERSIONS}]", f'enum: [{VERSIONS}, "{NEW}"]')
    edit(scratch / "README.md", IN_PROSE, IN_PROSE.replace(f" or {LAST},", f", {LAST} or {NEW},"))

    assert disagreements(scratch) == []
