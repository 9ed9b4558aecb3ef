"""The reference window: the champion's training rows and its predictions on them.

Training records this snapshot with each run, so that drift is always measured against
what the version being served actually learned from. Training writes it and monitoring
reads it, so it lives with training, below monitoring.
"""

from __future__ import annotations

import tempfile
from collections.abc import Collection, Sequence
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd

ARTIFACT = "monitoring/reference.csv"
PREDICTION = "prediction"


def snapshot(
    rows: pd.DataFrame,
    predicted: np.ndarray,
    classes: Sequence[str],
    personal: Collection[str] = (),
) -> pd.DataFrame:
    """Training rows without personal fields, with the model's prediction for each (a class
    name for classifiers, as the service answers)."""
    frame = rows.drop(columns=[column for column in rows if column in personal])
    labels = [classes[int(index)] for index in predicted] if classes else predicted
    return frame.assign(**{PREDICTION: labels})


def log_reference(frame: pd.DataFrame) -> None:
    """Attach the snapshot to the active MLflow run."""
    mlflow.log_text(frame.to_csv(index=False), ARTIFACT)


def load_reference(run_id: str, task: str) -> pd.DataFrame:
    """The snapshot recorded by a training run."""
    with tempfile.TemporaryDirectory() as folder:
        path = mlflow.artifacts.download_artifacts(
            run_id=run_id, artifact_path=ARTIFACT, dst_path=folder
        )
        dtypes = {PREDICTION: str} if task == "classification" else None
        return pd.read_csv(Path(path), dtype=dtypes)
