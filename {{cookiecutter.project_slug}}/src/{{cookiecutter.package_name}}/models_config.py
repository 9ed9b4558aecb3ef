"""The model configuration (`models.yaml`): one entry per model, validated on load."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from .datasets import BUNDLED, Dataset, DatasetEntry, entry_for, load

PACKAGE = __package__
# Every metric the pipeline computes, by task, and whether higher is better.
METRICS = {
    "classification": {"accuracy": True, "f1_macro": True},
    "regression": {"r2": True, "rmse": False, "mae": False},
}
ESTIMATORS = {
    "classification": ("logistic_regression", "random_forest_classifier"),
    "regression": ("ridge", "random_forest_regressor"),
}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SliceCheck(Strict):
    """The promotion metric on slices of the test split, by one feature: the gap between the
    best and the worst slice must stay within `max_gap`. A feature with at most `bins`
    distinct values is sliced by value, any other into `bins` quantile ranges."""

    by: str
    bins: int = Field(default=2, ge=2, le=10)
    max_gap: float = Field(gt=0)


class DriftPolicy(Strict):
    """When a feature, or the prediction distribution, counts as drifted."""

    # Both a significant test and a large enough effect: with many rows, a p-value alone
    # flags shifts too small to matter.
    p_value: float = Field(default=0.01, gt=0, lt=1)
    ks_statistic: float = Field(default=0.1, gt=0, le=1)
    psi: float = Field(default=0.2, gt=0)
    min_rows: int = Field(default=100, ge=10)


class RetrainPolicy(Strict):
    """When the champion should be retrained; any one reason is enough."""

    drifted_feature_share: float = Field(default=0.3, gt=0, le=1)
    on_prediction_drift: bool = True
    max_age_days: int = Field(default=90, ge=1)
    # Performance on labelled predictions against the champion's test metric, relative.
    max_relative_decay: float = Field(default=0.1, gt=0, lt=1)
    min_labels: int = Field(default=50, ge=1)


class Monitoring(Strict):
    """The `monitoring` section of `models.yaml`."""

    window_days: int = Field(default=7, ge=1)
    drift: DriftPolicy = DriftPolicy()
    retrain: RetrainPolicy = RetrainPolicy()
    # What the prediction log writes instead of a personal field's value.
    personal_data: Literal["drop", "hash"] = "drop"


class Promotion(Strict):
    """When a new version may replace the champion."""

    metric: str
    thresholds: dict[str, float] = {}
    slices: SliceCheck | None = None


class ModelSpec(Strict):
    """One model: its data, its estimator and its promotion policy."""

    name: str = Field(pattern=r"^[a-z][a-z0-9-]{0,62}$")
    dataset: str
    task: Literal["classification", "regression"]
    target: str
    features: list[str] = Field(min_length=1)
    estimator: str
    params: dict[str, float | int | str | bool] = {}
    promotion: Promotion
    owner: str

    @model_validator(mode="after")
    def _fits_the_task(self) -> ModelSpec:
        metrics = METRICS[self.task]
        unknown = {self.promotion.metric, *self.promotion.thresholds} - metrics.keys()
        if unknown:
            raise ValueError(f"{self.task} metrics are {sorted(metrics)}, not {sorted(unknown)}")
        if self.estimator not in ESTIMATORS[self.task]:
            raise ValueError(f"{self.task} estimators are {list(ESTIMATORS[self.task])}")
        slices = self.promotion.slices
        if slices and slices.by not in self.features:
            raise ValueError(f"slices must be by one of the model's features, not {slices.by!r}")
        return self

    def higher_is_better(self, metric: str) -> bool:
        return METRICS[self.task][metric]


class Training(Strict):
    seed: int = 42
    test_size: float = Field(default=0.25, gt=0, lt=1)


class ModelsConfig(Strict):
    training: Training = Training()
    monitoring: Monitoring = Monitoring()
    # Where each dataset lives, and its data card; a bundled dataset may go unlisted.
    datasets: dict[str, DatasetEntry] = {}
    models: list[ModelSpec]

    @model_validator(mode="after")
    def _consistent(self) -> ModelsConfig:
        names = [spec.name for spec in self.models]
        if len(names) != len(set(names)):
            raise ValueError(f"model names must be unique: {names}")
        for spec in self.models:
            if spec.dataset not in self.datasets and spec.dataset not in BUNDLED:
                raise ValueError(
                    f"model {spec.name}: dataset {spec.dataset} is not under `datasets`; "
                    f"add it there with its source (e.g. source: data/{spec.dataset}.parquet)"
                )
            bundled = self.source(spec).bundled
            if bundled and BUNDLED[bundled][1] != spec.task:
                raise ValueError(f"model {spec.name}: {bundled} is for {BUNDLED[bundled][1]}")
        return self

    def source(self, spec: ModelSpec) -> DatasetEntry:
        """The entry of the model's dataset: where its rows come from, and its data card."""
        return self.datasets.get(spec.dataset) or entry_for(spec.dataset)

    def load(self, spec: ModelSpec) -> Dataset:
        """The model's training rows, checked against its target and features."""
        return load(spec.dataset, self.source(spec), spec.task, spec.target, spec.features)

    def personal_fields(self, spec: ModelSpec) -> frozenset[str]:
        """The model's features that its dataset's card declares personal."""
        return frozenset(self.source(spec).personal_fields) & set(spec.features)

    def get(self, name: str) -> ModelSpec:
        for spec in self.models:
            if spec.name == name:
                return spec
        raise KeyError(f"no model {name!r} in the configuration; known: {self.names}")

    @property
    def names(self) -> list[str]:
        return [spec.name for spec in self.models]


def load_config(path: Path | None = None) -> ModelsConfig:
    """`models.yaml` from `path`, `APP_MODELS_CONFIG`, or the one shipped with the package."""
    if path is None and (configured := os.environ.get("APP_MODELS_CONFIG")):
        path = Path(configured)
    if path is None:
        text = resources.files(PACKAGE).joinpath("models.yaml").read_text(encoding="utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    return ModelsConfig.model_validate(yaml.safe_load(text))
