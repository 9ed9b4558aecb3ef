"""Jinja filters for the template: answers checked and the operating-model verdict.

Cookiecutter loads this module through `_extensions` in cookiecutter.json. The checks run
while the context is rendered, before cookiecutter creates the project directory, so an
answer such as `../elsewhere` never creates a folder.
"""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import Any

import click
from jinja2.ext import Extension

HOOKS_DIR = Path(__file__).resolve().parent / "hooks"
sys.path.insert(0, str(HOOKS_DIR))

import answers  # noqa: E402
import layout  # noqa: E402
import rules  # noqa: E402

# Context keys that describe this machine or cookiecutter itself, not the project.
UNSTORED = {"_output_dir", "_repo_dir", "_extensions", "__prompts__", "__answers_valid"}


def checked_answers(context: dict[str, Any]) -> str:
    """Validate the answers; cookiecutter's CLI prints a failure as one `Error:` line."""
    if not context.keys() >= answers.ANSWER_KEYS:
        # A replay prompts only for keys its file lacks; pre_gen_project checks the whole set.
        return "deferred"
    try:
        answers.validate(context)
    except answers.InvalidAnswer as error:
        raise click.ClickException(str(error)) from None
    return "yes"


def operating_profile(context: dict[str, Any]) -> rules.Profile:
    """The operating-model verdict for the answers in the context."""
    return rules.decide(**answers.validate(context))


def incident_handle(context: dict[str, Any]) -> str:
    """The handle paged first: the platform team's, or the owning team's."""
    if context["incident_owner"] == "platform-team":
        return context["platform_handle"]
    return context["owner_handle"]


def stored_answers(context: dict[str, Any]) -> str:
    """The answers and template origin, as JSON, for the project to keep."""
    kept = {k: v for k, v in context.items() if k not in UNSTORED}
    return json.dumps(kept, indent=2, sort_keys=True)


class OperatingModel(Extension):
    def __init__(self, environment):
        super().__init__(environment)
        environment.filters["checked_answers"] = checked_answers
        environment.filters["operating_profile"] = operating_profile
        environment.filters["stored_answers"] = stored_answers
        environment.filters["incident_handle"] = incident_handle
        environment.filters["shell_quote"] = shlex.quote
        environment.globals["template_hooks_dir"] = str(HOOKS_DIR)
        environment.globals["operating_rules"] = rules.operating_model.RULES
        environment.globals["mlops_components"] = rules.operating_model.MLOPS_COMPONENTS
        environment.globals["component_files"] = layout.load_manifest()["components"]
