"""`POST /v1/predict` and `GET /v1/model`: predictions from the latest trained artifact."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from ...model.artifact import ArtifactError, ModelArtifact, ModelSettings, load_latest
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

FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]


class PredictRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    instances: list[dict[str, FiniteFloat]] = Field(min_length=1, max_length=1000)


class Prediction(BaseModel):
    label: str
    probabilities: dict[str, float]


class PredictResponse(BaseModel):
    model_version: str
    predictions: list[Prediction]


def current_model(request: Request) -> ModelArtifact:
    model = request.app.state.model
    if model is None:
        raise HTTPException(503, detail=request.app.state.readiness.problems.get("model"))
    return model


@router.post("/predict")
def predict(body: PredictRequest, request: Request) -> PredictResponse:
    model = current_model(request)
    expected = set(model.features)
    for index, row in enumerate(body.instances):
        if set(row) != expected:
            raise HTTPException(
                422,
                detail={
                    "instance": index,
                    "missing": sorted(expected - set(row)),
                    "unexpected": sorted(set(row) - expected),
                },
            )
    probabilities = model.predict_proba(body.instances)
    return PredictResponse(
        model_version=model.version,
        predictions=[
            Prediction(
                label=model.classes[int(row.argmax())],
                probabilities={
                    c: round(float(p), 6) for c, p in zip(model.classes, row, strict=True)
                },
            )
            for row in probabilities
        ],
    )


@router.get("/model")
def model_card(request: Request) -> dict[str, Any]:
    """The served version's metadata: data hash, parameters, metrics, features."""
    return current_model(request).metadata
