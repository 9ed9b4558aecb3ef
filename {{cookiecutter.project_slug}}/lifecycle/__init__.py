"""The project's lifecycle tools, run from the project root and kept out of the image:
`python -m lifecycle.conformance` (`make conformance`), `lifecycle.regenerate` (`make
regenerate`) and `lifecycle.template_release` (`make template-check`).

They work with the installed package, found as the one folder under `src/` that holds the
answers the project was generated with.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _package() -> str:
    found = sorted(path.parent.name for path in ROOT.glob("src/*/answers.json"))
    if len(found) != 1:
        raise ImportError(f"expected one package under {ROOT / 'src'} with answers.json: {found}")
    return found[0]


PACKAGE = _package()


def runtime(module: str) -> ModuleType:
    """A module of the installed package: `runtime("project")` is `<package>.project`."""
    return importlib.import_module(f"{PACKAGE}.{module}")


def answer_word(value: Any) -> str:
    """An answer as written on cookiecutter's command line: booleans as `yes` and `no`."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
