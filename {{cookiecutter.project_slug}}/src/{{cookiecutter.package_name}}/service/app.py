"""The FastAPI application: health, metrics and the versioned API."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from .. import project
from . import api, health
from .metrics import instrument


def create_app() -> FastAPI:
    """Build the service; each API module's lifespan (loading a model, say) runs at start-up."""
    answers = project.answers()
    app = FastAPI(title=answers["project_name"], description=answers["description"])
    app.state.readiness = health.Readiness()
    app.state.metrics = instrument(app)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.include_router(health.router)
    for router in api.routers():
        app.include_router(router)
    return app


async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
    """422 with where and why, without echoing the input: a NaN in it is not valid JSON."""
    fields = ("type", "loc", "msg")
    detail = [{key: item[key] for key in fields if key in item} for item in error.errors()]
    return JSONResponse({"detail": detail}, status_code=422)
