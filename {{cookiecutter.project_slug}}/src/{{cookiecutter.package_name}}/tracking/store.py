"""Where runs and models are recorded: `MLFLOW_TRACKING_URI`, or SQLite inside the project."""

from __future__ import annotations

import os
from pathlib import Path

import mlflow
from mlflow import MlflowClient


def tracking_uri() -> str:
    """`MLFLOW_TRACKING_URI`, else `mlflow.db` in the working directory: no server to start,
    with the artifacts in `mlruns/` beside it. The path is made absolute because MLflow
    caches its stores by URI."""
    return os.environ.get("MLFLOW_TRACKING_URI") or f"sqlite:///{local_store()}"


def local_store() -> Path:
    return Path.cwd() / "mlflow.db"


def missing_store() -> str | None:
    """Why there is no store to read models from, or None. Only the default SQLite file can
    be missing; a reader must not create it, as an empty store serves nothing (and in the
    image, whose file system is read-only, creating it fails after minutes of retries)."""
    if os.environ.get("MLFLOW_TRACKING_URI") or local_store().exists():
        return None
    return (
        "no tracking server configured: set MLFLOW_TRACKING_URI to it "
        "(for example http://mlflow:5000), or train here first so that mlflow.db exists"
    )


def connect() -> MlflowClient:
    """Point MLflow at the configured store and return a client for it."""
    uri = tracking_uri()
    mlflow.set_tracking_uri(uri)
    return MlflowClient(tracking_uri=uri)
