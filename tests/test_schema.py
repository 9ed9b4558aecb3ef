"""`answers.schema.json`: written from `hooks/answers.py`, and in agreement with it."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from answers import InvalidAnswer, schema, validate
from profiles import TEMPLATE
from test_answers import DEFAULTS, INVALID

CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"
SCHEMA = TEMPLATE / "answers.schema.json"


def typed(answers: dict) -> dict:
    """The answers as a portal sends them: numbers and booleans as JSON has them."""
    return {**answers, "model_count": int(answers["model_count"])}


def invalid_by_schema(tmp_path: Path, instances: list[dict]) -> set[int]:
    """Which instances check-jsonschema refuses, by index, in one run."""
    files = []
    for index, instance in enumerate(instances):
        files.append(tmp_path / f"answers-{index}.json")
        files[-1].write_text(json.dumps(instance))
    done = subprocess.run(
        [str(CHECK_JSONSCHEMA), "--schemafile", str(SCHEMA), "--output-format", "json",
         *map(str, files)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    report = json.loads(done.stdout)
    return {int(Path(error["filename"]).stem.split("-")[1]) for error in report["errors"]}


def test_the_published_schema_is_the_one_the_hooks_describe():
    assert json.loads(SCHEMA.read_text()) == schema(), "run `make schema`"


def test_the_schema_accepts_what_the_hooks_accept(tmp_path):
    examples = [
        typed(DEFAULTS),
        typed({**DEFAULTS, "model_count": "20", "data_regulated": True}),
        typed({**DEFAULTS, "project_name": "Détection de fraude", "incident_owner": "ml-team"}),
        typed({**DEFAULTS, "project_slug": "a" * 44, "owner_handle": "@solo"}),
        typed({**DEFAULTS, "ci_provider": "gitlab", "owner_handle": "@acme/payments/fraud"}),
        typed({**DEFAULTS, "ci_provider": "gitlab", "approver_handle": "@jane.doe"}),
    ]
    for example in examples:
        validate(example)

    assert invalid_by_schema(tmp_path, examples) == set()


def test_the_schema_refuses_what_the_hooks_refuse_and_jinja_in_any_text(tmp_path):
    examples = []
    for answer, value in INVALID:
        example = typed(DEFAULTS) | {answer: value}
        if answer == "model_count" and value.lstrip("-").isdigit():
            example[answer] = int(value)
        with pytest.raises(InvalidAnswer):
            validate(example)
        examples.append(example)
    examples.append(typed(DEFAULTS) | {"unknown": "answer"})
    gitlab = typed(DEFAULTS) | {"ci_provider": "gitlab"}
    for handle in ("@acme//fraud", "@acme/pay ments"):
        with pytest.raises(InvalidAnswer):
            validate(gitlab | {"owner_handle": handle})
        examples.append(gitlab | {"owner_handle": handle})

    assert invalid_by_schema(tmp_path, examples) == set(range(len(examples)))
