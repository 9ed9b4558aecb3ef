"""The versioned model artifact: one folder per version, with its metadata beside the model.

artifacts/model/
  LATEST                  name of the version the service loads
  <version>/model.joblib  the fitted estimator
  <version>/metadata.json data source and hash, parameters, metrics, features, checksum
  <version>/data.parquet  the exact rows it was trained on (unless the data may not be copied)
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from pydantic_settings import BaseSettings, SettingsConfigDict

MODEL_FILE = "model.joblib"
METADATA_FILE = "metadata.json"
SNAPSHOT_FILE = "data.parquet"
LATEST_FILE = "LATEST"


class ModelSettings(BaseSettings):
    """Where the artifacts live: `APP_MODEL_DIR`, relative to the working directory."""

    model_config = SettingsConfigDict(env_prefix="APP_", frozen=True)

    model_dir: Path = Path("artifacts/model")


class ArtifactError(RuntimeError):
    """The artifact is missing, incomplete or does not match its recorded checksum."""


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class ModelArtifact:
    """A loaded model and its metadata."""

    metadata: dict[str, Any]
    estimator: Any

    @property
    def version(self) -> str:
        return self.metadata["version"]

    @property
    def features(self) -> list[str]:
        return self.metadata["features"]

    @property
    def classes(self) -> list[str]:
        return self.metadata["classes"]

    def predict_proba(self, rows: list[dict[str, float]]) -> np.ndarray:
        """Class probabilities for rows that carry exactly the model's features."""
        x = np.array([[row[feature] for feature in self.features] for row in rows], dtype=float)
        return self.estimator.predict_proba(x)


def load_latest(models_dir: Path) -> ModelArtifact:
    """Load the version named in `LATEST`, after checking the model file's checksum."""
    latest = models_dir / LATEST_FILE
    if not latest.is_file():
        raise ArtifactError(f"no trained model in {models_dir}: run `make train`")
    folder = models_dir / latest.read_text(encoding="utf-8").strip()
    try:
        metadata = json.loads((folder / METADATA_FILE).read_text(encoding="utf-8"))
        checksum = sha256_file(folder / MODEL_FILE)
    except (OSError, ValueError) as error:
        raise ArtifactError(f"unreadable model artifact in {folder}: {error}") from error
    if checksum != metadata.get("model_sha256"):
        raise ArtifactError(f"{folder / MODEL_FILE} does not match its recorded checksum")
    try:
        estimator = joblib.load(folder / MODEL_FILE)
    except Exception as error:  # unpickling fails in many ways: truncated, other versions
        raise ArtifactError(
            f"{folder / MODEL_FILE} cannot be loaded: {type(error).__name__}: {error}"
        ) from error
    return ModelArtifact(metadata, estimator)
