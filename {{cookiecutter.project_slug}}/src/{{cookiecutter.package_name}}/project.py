"""The answers this project was generated with, the operating-model verdict for them, and
the components the project has.

`answers.json` is written by the project template and changed only by regenerating the
project with new answers (see docs/operating-model.md).
"""

from __future__ import annotations

import getpass
import json
import os
from functools import cache
from importlib import resources
from typing import Any

from .operating_model import Profile, decide


@cache
def answers() -> dict[str, Any]:
    """The template answers stored with the package."""
    return json.loads(resources.files(__package__).joinpath("answers.json").read_text("utf-8"))


def actor(variable: str) -> str:
    """Who acts on the project: the named environment variable (CI and scheduled jobs set
    it), else the login name."""
    return os.environ.get(variable) or getpass.getuser()


def business_answers() -> dict[str, Any]:
    """The three answers the operating-model rules take, as stored (typed by the template)."""
    stored = answers()
    return {key: stored[key] for key in ("model_count", "data_regulated", "incident_owner")}


def profile() -> Profile:
    """The operating-model verdict for the stored answers."""
    return decide(**business_answers())


def components() -> frozenset[str]:
    """The layout components this project has: those the rules choose, and its CI provider's
    (`github` or `gitlab`, named by the `ci_provider` answer; no rule decides it)."""
    return profile().components | {answers()["ci_provider"]}
