"""The questions as `cookiecutter.json` states them: the one home of each question's prompt,
default and accepted choices.

Cookiecutter reads that file to ask; the checks in `answers.py`, the published schema, the
Backstage template and the template's README derive from what is read here (the suite holds
the last two to it). The rules' own list of incident owners, which ships inside every
generated project, is checked against it too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

COOKIECUTTER_JSON = Path(__file__).resolve().parent.parent / "cookiecutter.json"
_CONTEXT: dict[str, Any] = json.loads(COOKIECUTTER_JSON.read_text(encoding="utf-8"))
_PROMPTS: dict[str, Any] = _CONTEXT["__prompts__"]

# The questions, in the order cookiecutter asks them (keys starting `_` are not asked).
QUESTIONS = tuple(key for key in _CONTEXT if not key.startswith("_"))


def choices(name: str) -> tuple[str, ...]:
    """The accepted values of a choice question, the default first."""
    listed = _CONTEXT[name]
    if not isinstance(listed, list):
        raise KeyError(f"{name} is not a choice question")
    return tuple(listed)


def default(name: str) -> Any:
    """What cookiecutter answers without input (a choice question's first value)."""
    value = _CONTEXT[name]
    return value[0] if isinstance(value, list) else value


def prompt(name: str) -> str:
    """The question as cookiecutter asks it."""
    text = _PROMPTS[name]
    return text["__prompt__"] if isinstance(text, dict) else text


def choice_labels(name: str) -> tuple[str, ...]:
    """How the prompt names each choice, in the order of `choices` (cookiecutter shows a
    choice without a label as itself)."""
    labels = _PROMPTS.get(name, {})
    return tuple(labels.get(value, value) for value in choices(name))


def kind(name: str) -> type:
    """The type of the answer, from its default: text, a whole number or yes/no."""
    return type(default(name))
