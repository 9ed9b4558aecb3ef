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
    return os.environ.get("MLFLOW_TRACKING_URI") or f"sqlite:///{Path.cwd() / 'mlflow.db'}"


def connect() -> MlflowClient:
    """Point MLflow at the configured store and return a client for it."""
    uri = tracking_uri()
    mlflow.set_tracking_uri(uri)
    return MlflowClient(tracking_uri=uri)
