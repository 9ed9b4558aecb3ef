"""`GET /v1/models` and `POST /v1/models/{name}/predict`: every configured model's champion."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, HTTPException, Request
from pydantic import BaseModel

from ...registry.champions import Champion, ChampionUnavailable, load_champion
from ...tracking.config import load_config
from ...tracking.store import connect
from ..prediction import PredictRequest, PredictResponse, check_features
from . import PREFIX

log = logging.getLogger(__name__)


@asynccontextmanager
async def load_champions(app: FastAPI) -> AsyncIterator[None]:
    """Load each model's champion; the service is ready only when every one is loaded."""
    client = connect()
    config = load_config()
    app.state.model_names = config.names
    app.state.champions = {}
    for spec in config.models:
        component = f"model {spec.name}"
        try:
            app.state.champions[spec.name] = load_champion(client, spec)
        except ChampionUnavailable as error:
            app.state.readiness.unready(component, str(error))
            log.error("champion not loaded", extra={"model": spec.name, "reason": str(error)})
        else:
            app.state.readiness.ready(component)
            version = app.state.champions[spec.name].version
            log.info("champion loaded", extra={"model": spec.name, "version": version})
    yield


router = APIRouter(prefix=PREFIX, tags=["models"], lifespan=load_champions)


class ServedModel(BaseModel):
    name: str
    version: str
    task: str
    features: list[str]
    classes: list[str]


def champion(request: Request, name: str) -> Champion:
    if name not in request.app.state.model_names:
        raise HTTPException(404, detail=f"no model {name!r}")
    loaded = request.app.state.champions.get(name)
    if loaded is None:
        raise HTTPException(503, detail=request.app.state.readiness.problems.get(f"model {name}"))
    return loaded


@router.get("/models")
def models(request: Request) -> list[ServedModel]:
    """The models being served, with the champion version of each."""
    champions = request.app.state.champions.values()
    return [ServedModel.model_validate(c, from_attributes=True) for c in champions]


@router.post("/models/{name}/predict", response_model_exclude_none=True)
def predict(name: str, body: PredictRequest, request: Request) -> PredictResponse:
    loaded = champion(request, name)
    check_features(body.instances, loaded.features)
    return PredictResponse(model_version=loaded.version, predictions=loaded.predict(body.instances))
