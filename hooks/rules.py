"""The operating-model rules, loaded from the one file that holds them.

The rules ship inside every generated project (`src/<package>/operating_model.py`, plain
Python with no template markers), so the hooks and the template's tests load that file
rather than keeping a copy.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

TEMPLATE_ROOT = Path(__file__).resolve().parent.parent
RULES_FILE = (
    TEMPLATE_ROOT
    / "{{cookiecutter.project_slug}}"
    / "src"
    / "{{cookiecutter.package_name}}"
    / "operating_model.py"
)


def _load():
    spec = importlib.util.spec_from_file_location("operating_model", RULES_FILE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


operating_model = _load()
INCIDENT_OWNERS = operating_model.INCIDENT_OWNERS
MAX_MODELS = operating_model.MAX_MODELS
Decision = operating_model.Decision
Profile = operating_model.Profile
decide = operating_model.decide
