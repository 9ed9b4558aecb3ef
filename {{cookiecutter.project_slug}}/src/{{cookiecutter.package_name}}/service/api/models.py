"""`GET /v1/models` and `POST /v1/models/{name}/predict`: every configured model's champion."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from fastapi import APIRouter, FastAPI, HTTPException, Request, Response
from mlflow import MlflowClient
from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from ...logs import also_redact
from ...models_config import ModelsConfig, load_config
from ...monitoring.config import MonitoringSettings
from ...monitoring.metrics import PredictionLogCollector, ReportCollector, ServingMetrics
from ...monitoring.prediction_log import (
    PredictionLog,
    PredictionLogUnavailable,
    PredictionRecord,
    Redactor,
)
from ...prediction import PredictRequest, PredictResponse, answer, check_features
from ...registry.champions import Champion, ChampionUnavailable, load_champion
from ...tracking.store import connect, missing_store
from . import PREFIX

log = logging.getLogger(__name__)


class ServingSettings(BaseSettings):
    """How the service waits for its champions; each field can be set as `APP_<NAME>`."""

    model_config = SettingsConfigDict(env_prefix="APP_", frozen=True, extra="ignore")

    # An unloaded champion (no server, none promoted yet, a broken artifact) is tried again
    # this often, so the service becomes ready without a restart once the cause is gone.
    champion_retry_seconds: float = Field(default=30, gt=0)


# MLflow retries an unreachable server for minutes by default. The service must answer its
# probes meanwhile, and tries again by itself; an operator's own values win.
SERVING_MLFLOW_ENV = {"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0", "MLFLOW_HTTP_REQUEST_TIMEOUT": "5"}


@asynccontextmanager
async def load_champions(app: FastAPI) -> AsyncIterator[None]:
    """Load each model's champion; the service is ready only when every one is loaded."""
    for name, value in SERVING_MLFLOW_ENV.items():
        os.environ.setdefault(name, value)
    config = load_config()
    also_redact(field for spec in config.models for field in config.personal_fields(spec))
    app.state.model_names = config.names
    app.state.champions = {}
    app.state.serving_metrics = ServingMetrics(app.state.metrics)
    app.state.mlflow = None  # connected once there is a store to read
    missing = load_missing(app, config)
    app.state.prediction_log = open_prediction_log(app, config)
    retrying = asyncio.create_task(keep_loading(app, config)) if missing else None
    try:
        yield
    finally:
        if retrying is not None:
            retrying.cancel()
        if app.state.prediction_log is not None:
            app.state.prediction_log.close()


def load_missing(app: FastAPI, config: ModelsConfig) -> list[str]:
    """Try each champion not loaded yet; the names still missing afterwards."""
    serving = app.state.serving_metrics
    for spec in config.models:
        if spec.name in app.state.champions:
            continue
        component = f"model {spec.name}"
        try:
            app.state.champions[spec.name] = load_champion(registry(app), spec)
        except ChampionUnavailable as error:
            if app.state.readiness.problems.get(component) != str(error):  # once per reason
                log.error("champion not loaded", extra={"model": spec.name, "reason": str(error)})
            app.state.readiness.unready(component, str(error))
            serving.loaded.labels(spec.name).set(0)
        else:
            app.state.readiness.ready(component)
            serving.loaded.labels(spec.name).set(1)
            version = app.state.champions[spec.name].version
            log.info("champion loaded", extra={"model": spec.name, "version": version})
    return [name for name in config.names if name not in app.state.champions]


def registry(app: FastAPI) -> MlflowClient:
    """The client of the configured store, connected on first use: never to a store that
    would have to be created."""
    if app.state.mlflow is None:
        reason = missing_store()
        if reason is not None:
            raise ChampionUnavailable(reason)
        app.state.mlflow = connect()
    return app.state.mlflow


async def keep_loading(app: FastAPI, config: ModelsConfig) -> None:
    """Try the missing champions again, off the event loop, until every one is loaded."""
    pause = ServingSettings().champion_retry_seconds
    while True:
        await asyncio.sleep(pause)
        if not await asyncio.to_thread(load_missing, app, config):
            return


def open_prediction_log(app: FastAPI, config: ModelsConfig) -> PredictionLog | None:
    """Start the prediction log; without it the service answers no prediction."""
    settings = MonitoringSettings()
    app.state.metrics.register(ReportCollector(settings.reports_dir, config.names))
    secret = settings.prediction_log_secret
    try:
        prediction_log = PredictionLog(
            settings.prediction_log_dir,
            max_bytes=settings.prediction_log_max_bytes,
            redactor=Redactor(
                {spec.name: config.personal_fields(spec) for spec in config.models},
                config.monitoring.personal_data,
                secret.get_secret_value().encode() if secret else None,
            ),
        )
    except PredictionLogUnavailable as error:
        app.state.readiness.unready("prediction log", str(error))
        log.error("prediction log unavailable", extra={"reason": str(error)})
        return None
    app.state.metrics.register(PredictionLogCollector(prediction_log))
    return prediction_log


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


# A caller's X-Request-ID is kept when it is a plain token; anything else gets a fresh id.
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


class ModelPredictRequest(PredictRequest):
    # The data subject the rows are about (a customer id, say), for erasure requests; the
    # prediction log keeps only its keyed hash.
    subject: str | None = Field(default=None, min_length=1, max_length=128)


@router.post("/models/{name}/predict", response_model_exclude_none=True)
def predict(
    name: str, body: ModelPredictRequest, request: Request, response: Response
) -> PredictResponse:
    """Predict with the champion; the answer goes out only once its record is queued."""
    started = time.perf_counter()
    loaded = champion(request, name)
    check_features(body.instances, loaded.features)
    prediction_log = request.app.state.prediction_log
    if prediction_log is None:
        raise HTTPException(503, detail=request.app.state.readiness.problems["prediction log"])
    predictions = answer(loaded.predict, body.instances)
    given = request.headers.get("x-request-id", "")
    request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex
    record = PredictionRecord(
        request_id=request_id,
        time=datetime.now(UTC),
        model=name,
        version=loaded.version,
        inputs=body.instances,
        outputs=predictions,
        latency_ms=(time.perf_counter() - started) * 1000,
        subject=body.subject,
    )
    try:
        prediction_log.record(record)
    except PredictionLogUnavailable as error:
        raise HTTPException(503, detail=str(error)) from error
    request.app.state.serving_metrics.count(
        name, loaded.version, [prediction.label for prediction in predictions]
    )
    response.headers["X-Request-ID"] = request_id
    return PredictResponse(model_version=loaded.version, predictions=predictions)
