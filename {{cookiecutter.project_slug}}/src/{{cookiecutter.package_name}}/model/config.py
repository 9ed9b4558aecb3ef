"""The model's configuration (`models.yaml`): its data, its features and its parameters."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..datasets import BUNDLED, Dataset, DatasetEntry, entry_for, load

PACKAGE = __package__.rpartition(".")[0]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Training(Strict):
    seed: int = 42
    test_size: float = Field(default=0.25, gt=0, lt=1)


class Model(Strict):
    """The classifier: a logistic regression on standardised features."""

    dataset: str
    target: str
    features: list[str] = Field(min_length=1)
    regularization: float = Field(default=1.0, gt=0)  # scikit-learn's C
    max_iter: int = Field(default=1000, ge=1)


class ModelConfig(Strict):
    training: Training = Training()
    # Where each dataset lives; a bundled dataset may go unlisted.
    datasets: dict[str, DatasetEntry] = {}
    model: Model

    @model_validator(mode="after")
    def _consistent(self) -> ModelConfig:
        name = self.model.dataset
        if name not in self.datasets and name not in BUNDLED:
            raise ValueError(
                f"dataset {name} is not under `datasets`; add it there with its source "
                f"(e.g. source: data/{name}.parquet)"
            )
        bundled = self.source.bundled
        if bundled and BUNDLED[bundled][1] != "classification":
            raise ValueError(f"the model classifies, and {bundled} is for regression")
        return self

    @property
    def source(self) -> DatasetEntry:
        return self.datasets.get(self.model.dataset) or entry_for(self.model.dataset)

    def load(self) -> Dataset:
        """The training rows, checked against the target and features."""
        model = self.model
        return load(model.dataset, self.source, "classification", model.target, model.features)


def load_config(path: Path | None = None) -> ModelConfig:
    """`models.yaml` from `path`, `APP_MODELS_CONFIG`, or the one shipped with the package."""
    if path is None and (configured := os.environ.get("APP_MODELS_CONFIG")):
        path = Path(configured)
    if path is None:
        text = resources.files(PACKAGE).joinpath("models.yaml").read_text(encoding="utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    return ModelConfig.model_validate(yaml.safe_load(text))
