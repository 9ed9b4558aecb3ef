"""`POST /v1/predict` and `GET /v1/model`: predictions from the latest trained artifact."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException, Request

from ...model.artifact import ArtifactError, ModelArtifact, ModelSettings, load_latest
from ...prediction import PredictRequest, PredictResponse, answer, check_features, classified
from . import PREFIX

log = logging.getLogger(__name__)


@asynccontextmanager
async def load_model(app: FastAPI) -> AsyncIterator[None]:
    """Load the model at start-up; without one the service stays alive but not ready."""
    app.state.model = None
    try:
        app.state.model = load_latest(ModelSettings().model_dir)
        app.state.readiness.ready("model")
        log.info("model loaded", extra={"version": app.state.model.version})
    except ArtifactError as error:
        app.state.readiness.unready("model", str(error))
        log.error("model not loaded", extra={"reason": str(error)})
    yield


router = APIRouter(prefix=PREFIX, tags=["model"], lifespan=load_model)


def current_model(request: Request) -> ModelArtifact:
    model = request.app.state.model
    if model is None:
        raise HTTPException(503, detail=request.app.state.readiness.problems.get("model"))
    return model


@router.post("/predict", response_model_exclude_none=True)
def predict(body: PredictRequest, request: Request) -> PredictResponse:
    model = current_model(request)
    check_features(body.instances, model.features)
    return PredictResponse(
        model_version=model.version,
        predictions=answer(
            lambda rows: classified(model.predict_proba(rows), model.classes), body.instances
        ),
    )


@router.get("/model")
def model_card(request: Request) -> dict[str, Any]:
    """The served version's metadata: data hash, parameters, metrics, features."""
    return current_model(request).metadata
