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
