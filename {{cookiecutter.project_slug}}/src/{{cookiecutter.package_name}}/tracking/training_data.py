"""What a training run keeps of its data: the source, row count, schema and content hash
through MLflow's dataset tracking, the exact rows as a Parquet snapshot (unless the data
card says `snapshot: hash-only`), and the model and training settings as trained, so that
`reproduce` can train the version again."""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import mlflow
import mlflow.data
from mlflow import MlflowClient
from mlflow.entities import Run
from mlflow.store.artifact.artifact_repository_registry import get_artifact_repository

from ..datasets import Dataset, DatasetEntry, load
from ..models_config import ModelSpec, Training

SNAPSHOT_ARTIFACT = "data/snapshot.parquet"
RECIPE_ARTIFACT = "data/training.json"
# The run tag saying where the snapshot is, or that there is none.
SNAPSHOT_TAG = "data_snapshot"
HASH_ONLY = "hash-only"
REMOVED = "removed"  # past the retention period of the dataset's card


def record(spec: ModelSpec, training: Training, data: Dataset) -> None:
    """Attach the data and the settings to the active run."""
    mlflow.log_dict(
        {"model": spec.model_dump(), "training": training.model_dump(),
         "dataset": spec.dataset, "source": data.source, "data_hash": data.data_hash,
         "rows": data.rows, "features": list(data.features), "target": data.target,
         "classes": list(data.classes)},
        RECIPE_ARTIFACT,
    )  # fmt: skip
    # A file's path or URL is a source MLflow knows; bundled and SQL data are named by tag.
    tracked = mlflow.data.from_pandas(
        data.frame(), source=data.location, targets=data.target, name=spec.dataset,
        digest=data.data_hash[:16],
    )  # fmt: skip
    mlflow.log_input(tracked, context="training")
    if not data.copyable:
        mlflow.set_tag(SNAPSHOT_TAG, HASH_ONLY)
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(SNAPSHOT_ARTIFACT).name
        data.write_snapshot(path)
        mlflow.log_artifact(str(path), str(Path(SNAPSHOT_ARTIFACT).parent))
    mlflow.set_tag(SNAPSHOT_TAG, SNAPSHOT_ARTIFACT)


def recipe(run_id: str) -> dict[str, Any]:
    """The settings and data description a run recorded."""
    return mlflow.artifacts.load_dict(f"runs:/{run_id}/{RECIPE_ARTIFACT}")


def restore(run_id: str, folder: Path) -> tuple[ModelSpec, Training, Dataset]:
    """The model and training settings a run used, and its rows from the stored snapshot
    (downloaded into folder). LookupError when the run kept only the hash."""
    tags = mlflow.get_run(run_id).data.tags
    if tags.get(SNAPSHOT_TAG) != SNAPSHOT_ARTIFACT:
        raise LookupError(
            "the version has no stored snapshot: its data card says `snapshot: hash-only`"
            if tags.get(SNAPSHOT_TAG) == HASH_ONLY
            else "the version's snapshot was removed after its data card's retention period"
            if tags.get(SNAPSHOT_TAG) == REMOVED
            else "the version has no stored snapshot: it was trained before snapshots"
        )
    recorded = recipe(run_id)
    spec = ModelSpec.model_validate(recorded["model"])
    training = Training.model_validate(recorded["training"])
    path = mlflow.artifacts.download_artifacts(
        run_id=run_id, artifact_path=SNAPSHOT_ARTIFACT, dst_path=str(folder)
    )
    entry = DatasetEntry(source=str(path))
    return spec, training, load(spec.dataset, entry, spec.task, spec.target, spec.features)


def expired_snapshots(client: MlflowClient, model: str, days: int, now: datetime) -> list[Run]:
    """The model's training runs older than `days` that still store their snapshot."""
    experiment = client.get_experiment_by_name(model)
    if experiment is None:
        return []
    cutoff = (now - timedelta(days=days)).timestamp() * 1000
    runs = client.search_runs(
        [experiment.experiment_id], f"tags.{SNAPSHOT_TAG} = '{SNAPSHOT_ARTIFACT}'"
    )
    return [run for run in runs if run.info.start_time < cutoff]


def remove_snapshot(client: MlflowClient, run: Run) -> None:
    """Delete a run's stored rows, keeping their hash, and say so on the run."""
    get_artifact_repository(run.info.artifact_uri).delete_artifacts(SNAPSHOT_ARTIFACT)
    client.set_tag(run.info.run_id, SNAPSHOT_TAG, REMOVED)
