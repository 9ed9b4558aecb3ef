"""Liveness (`/healthz`) and readiness (`/readyz`) for Kubernetes probes."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse


class Readiness:
    """What still keeps the service from taking traffic, by component."""

    def __init__(self) -> None:
        self.problems: dict[str, str] = {}

    def unready(self, component: str, reason: str) -> None:
        self.problems[component] = reason

    def ready(self, component: str) -> None:
        self.problems.pop(component, None)


router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up and answering; restart it only if this fails."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    """Ready when no component reports a problem; 503 with the reasons otherwise."""
    problems = request.app.state.readiness.problems
    if problems:
        return JSONResponse({"status": "not ready", "problems": problems}, status_code=503)
    return JSONResponse({"status": "ready"})
