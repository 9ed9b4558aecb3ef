"""Invalid answers stop generation with one line, leaving nothing behind."""

from __future__ import annotations

import json
import keyword
import os
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from answers import DEPENDENCY_MODULES, PACKAGE, InvalidAnswer, validate
from profiles import TEMPLATE, Profile

COOKIECUTTER = Path(sys.executable).parent / "cookiecutter"
DEFAULTS = {
    "project_name": "Fraud Scoring",
    "project_slug": "fraud-scoring",
    "package_name": "fraud_scoring",
    "description": "Scores payments.",
    "owner_handle": "@acme/payments",
    "platform_handle": "@acme/platform",
    "approver_handle": "@acme/model-risk",
    "model_count": "1",
    "data_regulated": False,
    "incident_owner": "platform-team",
    "python_version": "3.12",
    "ci_provider": "github",
}

INVALID = [
    ("project_slug", "../evil"),
    ("project_slug", "/tmp/evil"),
    ("project_slug", "nested/evil"),
    ("project_slug", "Upper-Case"),
    ("project_slug", "two--hyphens"),
    ("project_slug", "a" * 45),
    ("package_name", "class"),
    ("package_name", "match"),
    ("package_name", "json"),
    ("package_name", "fastapi"),
    ("package_name", "anyio"),  # installed with FastAPI, not named by the project
    ("package_name", "1st_model"),
    ("package_name", "has-hyphen"),
    ("package_name", "a" * 45),
    ("package_name", "conftest"),
    ("package_name", "__main__"),
    ("model_count", "-1"),
    ("model_count", "21"),
    ("model_count", "two"),
    ("model_count", "1.5"),
    ("owner_handle", "payments"),
    ("owner_handle", "@acme/pay ments"),
    ("platform_handle", "@"),
    ("approver_handle", "model-risk"),
    ("owner_handle", "@acme/payments/fraud"),  # nested groups are GitLab's
    ("project_name", "line\nbreak"),
    ("description", " "),
    # Jinja, refused before cookiecutter renders it: as code, or as a syntax error.
    ("project_name", "{{ cookiecutter.__class__ }}"),
    ("project_name", "a {{ b"),
    ("description", "{% for x in range(9**9) %}{% endfor %}"),
    ("description", "{# unclosed"),
    ("owner_handle", "@acme/{{7*7}}"),
    ("ci_provider", "bitbucket"),
]
# Cookiecutter itself refuses a choice outside its list when it is given on the command line
# (see the last test); the hooks' check stops it in a replay or from a portal.
CHOICES = {"incident_owner", "python_version", "ci_provider"}
CLI_INVALID = [(answer, value) for answer, value in INVALID if answer not in CHOICES]


def run_cookiecutter(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """The CLI as a user runs it, with its caches and replays kept inside tmp_path."""
    config = tmp_path / "config.yaml"
    config.write_text(
        f"cookiecutters_dir: {tmp_path / 'cache'}\nreplay_dir: {tmp_path / 'replay'}\n"
    )
    env = {**os.environ, "HOME": str(tmp_path / "home")}
    return subprocess.run(
        [str(COOKIECUTTER), "--config-file", str(config), *args],
        capture_output=True, text=True, env=env, cwd=tmp_path, check=False,
    )  # fmt: skip


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    (tmp_path / "config.yaml").touch()
    return folder


def entries(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


@pytest.mark.parametrize(("answer", "value"), INVALID, ids=[f"{a}={v[:12]!r}" for a, v in INVALID])
def test_validate_names_the_answer_what_is_accepted_and_an_example(answer, value):
    with pytest.raises(InvalidAnswer) as raised:
        validate({**DEFAULTS, answer: value})

    message = str(raised.value)
    assert message.startswith(f"invalid {answer} ")
    assert "expected " in message and ", for example " in message


@pytest.mark.parametrize(
    "handle", ["@acme/payments/fraud", "@jane.doe", "@acme/risk_team/models.v2", "@_bots"]
)
def test_gitlab_handles_may_name_nested_groups_and_dotted_users(handle):
    gitlab = {**DEFAULTS, "ci_provider": "gitlab"}

    validate({**gitlab, "owner_handle": handle, "approver_handle": handle})
    with pytest.raises(InvalidAnswer, match=r"^invalid owner_handle .*: expected a GitHub @user"):
        validate({**DEFAULTS, "owner_handle": handle})


@pytest.mark.parametrize("handle", ["@acme/pay ments", "@acme//fraud", "@-acme", "acme/fraud"])
def test_gitlab_handles_are_still_one_path(handle):
    with pytest.raises(
        InvalidAnswer, match=r"^invalid platform_handle .*: expected a GitLab @user"
    ):
        validate({**DEFAULTS, "ci_provider": "gitlab", "platform_handle": handle})


def test_validate_types_the_business_answers():
    typed = validate({**DEFAULTS, "model_count": "12", "data_regulated": "yes"})

    assert typed == {"model_count": 12, "data_regulated": True, "incident_owner": "platform-team"}


@pytest.mark.parametrize(
    ("answer", "value"), CLI_INVALID, ids=[f"{a}={v[:12]!r}" for a, v in CLI_INVALID]
)
def test_cli_stops_with_one_line_and_leaves_nothing(tmp_path, out, answer, value):
    before = entries(tmp_path)

    result = run_cookiecutter(
        tmp_path, "--no-input", "-o", str(out), str(TEMPLATE), f"{answer}={value}"
    )

    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"Error: invalid {answer} ")
    assert entries(tmp_path) == before  # no project, no stray folder, no replay file
    assert not Path("/tmp/evil").exists()


def test_a_tampered_replay_is_stopped_by_the_pre_generation_hook(tmp_path, out):
    # A replay skips prompting and its checks, so the hook is the check that runs.
    assert run_cookiecutter(tmp_path, "--no-input", "-o", str(out), str(TEMPLATE)).returncode == 0
    (replay,) = (tmp_path / "replay").glob("*.json")
    context = json.loads(replay.read_text())
    context["cookiecutter"].update(model_count="99", project_slug="tampered")
    replay.write_text(json.dumps(context))

    result = run_cookiecutter(tmp_path, "--replay-file", str(replay), "-o", str(out), str(TEMPLATE))

    assert result.returncode != 0
    assert "error: invalid model_count '99': expected a whole number from 0 to 20" in result.stderr
    assert not (out / "tampered").exists()


@pytest.mark.parametrize(
    ("answer", "value"),
    [
        ("incident_owner", "nobody"),
        ("python_version", "2.7"),
        ("ci_provider", "bitbucket"),
        ("data_regulated", "maybe"),
    ],
)
def test_choices_and_booleans_are_refused_by_cookiecutter_before_any_folder(
    tmp_path, out, answer, value
):
    # Cookiecutter itself checks choice and boolean answers given on the command line, with a
    # traceback whose last line names the answer and what it accepts.

    result = run_cookiecutter(
        tmp_path, "--no-input", "-o", str(out), str(TEMPLATE), f"{answer}={value}"
    )

    assert result.returncode != 0
    assert answer in result.stderr.strip().splitlines()[-1]
    assert entries(out) == set()


def installed_modules(requirements: list[str]) -> set[str]:
    """The top-level modules of the distributions `requirements` install, with their own
    requirements, as installed in this environment (which holds every generated project's)."""
    modules_of: dict[str, set[str]] = {}
    for module, distributions in metadata.packages_distributions().items():
        for distribution in distributions:
            modules_of.setdefault(canonicalize_name(distribution), set()).add(module)
    modules: set[str] = set()
    seen: set[tuple[str, frozenset[str]]] = set()
    pending = [Requirement(text) for text in requirements]
    while pending:
        requirement = pending.pop()
        name = canonicalize_name(requirement.name)
        if (name, frozenset(requirement.extras)) in seen:
            continue
        seen.add((name, frozenset(requirement.extras)))
        modules |= modules_of.get(name, set())
        for text in metadata.requires(name) or ():  # raises if it is not installed
            needed = Requirement(text)
            extras = ("", *requirement.extras)
            if needed.marker is None or any(needed.marker.evaluate({"extra": e}) for e in extras):
                pending.append(needed)
    return modules


def test_no_package_name_can_shadow_a_module_a_generated_project_installs(bake):
    """`anyio` passed once and broke the project's own tests: its package shadowed the
    dependency FastAPI imports. The reserved names cover every module of every install."""
    pyproject = bake(Profile(5, True, "ml-team")) / "pyproject.toml"
    project = tomllib.loads(pyproject.read_text())["project"]
    extras = [text for group in project["optional-dependencies"].values() for text in group]

    shadowing = {
        module
        for module in installed_modules(project["dependencies"] + extras)
        if PACKAGE.fullmatch(module)
        and module not in sys.stdlib_module_names
        and not keyword.iskeyword(module)
    }

    assert shadowing - DEPENDENCY_MODULES == set()
