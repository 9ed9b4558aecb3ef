"""Version 1 of the API: every module in this package with a `router` is served.

Each router carries the version prefix itself, so that a route's `path` (the label of its
metrics) is the whole path clients call.
"""

from __future__ import annotations

import importlib
import pkgutil

from fastapi import APIRouter

PREFIX = "/v1"


def routers() -> list[APIRouter]:
    """The routers of this package's modules, in module-name order."""
    modules = sorted(info.name for info in pkgutil.iter_modules(__path__))
    found = [importlib.import_module(f"{__name__}.{name}") for name in modules]
    routers = (getattr(module, "router", None) for module in found)
    return [router for router in routers if isinstance(router, APIRouter)]
