"""The champion of each model, loaded from the registry for serving."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import mlflow.sklearn
import pandas as pd
from mlflow import MlflowClient
from mlflow.entities.model_registry import ModelVersion
from mlflow.exceptions import MlflowException

from ..models_config import ModelSpec
from ..prediction import Prediction, classified, regressed
from .promotion import CHAMPION, aliased


class ChampionUnavailable(RuntimeError):
    """The model has no champion, or its champion cannot be loaded."""


@dataclass(frozen=True)
class Champion:
    name: str
    version: str
    task: str
    features: list[str]
    classes: list[str]
    model: Any

    def predict(self, rows: list[dict[str, float]]) -> list[Prediction]:
        frame = pd.DataFrame(rows, columns=self.features)
        if self.task == "classification":
            return classified(self.model.predict_proba(frame), self.classes)
        return regressed(self.model.predict(frame))


def champion_version(client: MlflowClient, model: str) -> ModelVersion:
    """The registered version aliased `champion`."""
    try:
        registered = aliased(client, model, CHAMPION)
    except MlflowException as error:
        raise ChampionUnavailable(f"{model}: the registry did not answer: {error}") from error
    if registered is None:
        raise ChampionUnavailable(f"{model} has no champion: run `make train promote`")
    return registered


def load_champion(client: MlflowClient, spec: ModelSpec) -> Champion:
    """Load the version aliased `champion`, with the feature order of its signature."""
    registered = champion_version(client, spec.name)
    uri = f"models:/{spec.name}/{registered.version}"
    try:
        model = mlflow.sklearn.load_model(uri)
        signature = mlflow.models.get_model_info(uri).signature
    except Exception as error:  # a corrupt artifact fails in the unpickler, zip or skops alike
        raise ChampionUnavailable(
            f"{spec.name} version {registered.version} cannot be loaded: "
            f"{type(error).__name__}: {error}"
        ) from error
    return Champion(
        name=spec.name,
        version=str(registered.version),
        task=spec.task,
        features=signature.inputs.input_names(),
        classes=json.loads(registered.tags.get("classes", "[]")),
        model=model,
    )
