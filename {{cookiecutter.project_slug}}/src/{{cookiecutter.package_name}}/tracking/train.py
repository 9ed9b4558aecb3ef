"""The generic training pipeline: `python -m <package>.tracking.train [--model NAME]`.

For each model in `models.yaml`: load and hash the data, split it with the configured seed,
fit, evaluate, and record everything in MLflow (parameters, metrics, the data's source,
hash and snapshot, code and package versions, the model with its signature and an input
example). Each run registers a new model version and gives it the `challenger` alias;
`registry promote` decides the rest.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
from collections.abc import Callable, Collection
from dataclasses import dataclass
from importlib import metadata
from typing import Any

import mlflow
import mlflow.sklearn
import numpy as np
import pandas as pd
from mlflow.models import infer_signature
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import (
    accuracy_score,
    f1_score,
    mean_absolute_error,
    r2_score,
    root_mean_squared_error,
)
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from .. import datasets, project
from ..models_config import ModelSpec, Training, load_config
from . import training_data
from .reference import log_reference, snapshot
from .slices import slice_scores
from .store import connect

PACKAGE = __package__.rpartition(".")[0]
CHALLENGER = "challenger"
SLICES_ARTIFACT = "evaluation/slices.json"
SLICE_GAP = "slice_gap"
# name -> (class, the types skops must trust to load it back: this project trained it)
ESTIMATORS = {
    "logistic_regression": (LogisticRegression, []),
    "random_forest_classifier": (RandomForestClassifier, ["sklearn.tree._tree.Tree"]),
    "ridge": (Ridge, []),
    "random_forest_regressor": (RandomForestRegressor, ["sklearn.tree._tree.Tree"]),
}
RECORDED_PACKAGES = ("scikit-learn", "numpy", "pandas", "mlflow-skinny")


def code_version() -> str:
    """`APP_CODE_VERSION` (set it in images built by CI), else the git commit, else unknown."""
    if version := os.environ.get("APP_CODE_VERSION"):
        return version
    try:
        commit = _git("rev-parse", "HEAD")
        return commit + ("-dirty" if _git("status", "--porcelain") else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _git(*args: str) -> str:
    done = subprocess.run(["git", *args], capture_output=True, text=True, timeout=10, check=True)
    return done.stdout.strip()


def evaluate(task: str, truth: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    if task == "classification":
        return {
            "accuracy": float(accuracy_score(truth, predicted)),
            # A class absent from a slice scores 0 rather than warning.
            "f1_macro": float(f1_score(truth, predicted, average="macro", zero_division=0)),
        }
    return {
        "r2": float(r2_score(truth, predicted)),
        "rmse": float(root_mean_squared_error(truth, predicted)),
        "mae": float(mean_absolute_error(truth, predicted)),
    }


def run_parameters(spec: ModelSpec, training: Training) -> dict[str, Any]:
    """The parameters a run logs: the estimator's, and the seed and split."""
    return {"estimator": spec.estimator, **spec.params, **training.model_dump()}


@dataclass(frozen=True)
class Fitted:
    """A trained pipeline with what it was trained and tested on."""

    model: Pipeline
    metrics: dict[str, float]
    x_train: pd.DataFrame
    x_test: pd.DataFrame
    y_test: np.ndarray


def fit(spec: ModelSpec, training: Training, data: datasets.Dataset) -> Fitted:
    """Fit on a deterministic split and evaluate on the held-out rows."""
    frame = pd.DataFrame(data.x, columns=list(data.features))
    x_train, x_test, y_train, y_test = train_test_split(
        frame,
        data.y,
        test_size=training.test_size,
        random_state=training.seed,
        stratify=data.y if spec.task == "classification" else None,
    )
    estimator_class, _ = ESTIMATORS[spec.estimator]
    estimator = estimator_class(**spec.params, random_state=training.seed)
    model = make_pipeline(StandardScaler(), estimator).fit(x_train, y_train)
    metrics = evaluate(spec.task, y_test, model.predict(x_test))
    return Fitted(model, metrics, x_train, x_test, y_test)


def slices_of(spec: ModelSpec, fitted: Fitted) -> dict[str, Any] | None:
    """The policy's slice check on the test rows, when the policy has one."""
    check = spec.promotion.slices
    if check is None:
        return None
    metric = spec.promotion.metric
    return slice_scores(
        check,
        fitted.x_test[check.by].to_numpy(),
        fitted.y_test,
        fitted.model.predict(fitted.x_test),
        lambda truth, predicted: evaluate(spec.task, truth, predicted)[metric],
    )


def train(
    spec: ModelSpec,
    training: Training,
    personal: Collection[str] = (),
    data: datasets.Dataset | None = None,
) -> str:
    """Train one model, record the run, register a version; return the version number.
    `data` is the model's loaded rows, by default loaded as `models.yaml` says; `personal`
    features stay out of the recorded reference snapshot."""
    client = connect()
    if data is None:
        data = load_config().load(spec)
    fitted = fit(spec, training, data)
    model, x_train = fitted.model, fitted.x_train
    slices = slices_of(spec, fitted)
    tags = {
        "data_hash": data.data_hash,
        "dataset": spec.dataset,
        "data_source": data.source,
        "code_version": code_version(),
        "owner": spec.owner,
        "task": spec.task,
        "trained_by": project.actor("TRAINED_BY"),
        "packages": json.dumps({name: metadata.version(name) for name in RECORDED_PACKAGES}),
    }
    mlflow.set_experiment(spec.name)
    with mlflow.start_run(run_name=f"{spec.name}-{data.data_hash[:8]}"):
        mlflow.log_params(run_parameters(spec, training))
        mlflow.log_metrics(fitted.metrics)
        if slices is not None:
            mlflow.log_metric(SLICE_GAP, slices["gap"])
            mlflow.log_dict(slices, SLICES_ARTIFACT)
        mlflow.set_tags(tags)
        training_data.record(spec, training, data)
        predicted = model.predict(x_train)
        log_reference(snapshot(x_train, predicted, data.classes, personal))
        info = mlflow.sklearn.log_model(
            model,
            name="model",
            signature=infer_signature(x_train, predicted),
            input_example=x_train.head(3),
            registered_model_name=spec.name,
            # Listing them skips MLflow's slow requirement inference in a subprocess.
            pip_requirements=mlflow.sklearn.get_default_pip_requirements(),
            skops_trusted_types=ESTIMATORS[spec.estimator][1] or None,
        )
    version = str(info.registered_model_version)
    for key, value in {"data_hash": data.data_hash, "classes": json.dumps(data.classes)}.items():
        client.set_model_version_tag(spec.name, version, key, value)
    client.set_registered_model_alias(spec.name, CHALLENGER, version)
    return version


# What a project does with each version training registers (governance audits it): called
# with the model's name and the version.
Registered = Callable[[str, str], None]


def main(argv: list[str] | None = None, registered: Registered | None = None) -> None:
    """Train the models; a governed project's entry point passes `registered` to audit each."""
    config = load_config()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=config.names, help="train only this model")
    args = parser.parse_args(argv)
    if registered is None and "governance" in project.profile().components:
        # A version trained around governance would have no training entry in the audit log.
        parser.exit(2, f"error: use `python -m {PACKAGE}.governance train`\n")
    specs = [config.get(args.model)] if args.model else config.models
    # Every model's data first: a source that fails stops training before any run starts.
    loaded = {}
    for spec in specs:
        try:
            loaded[spec.name] = config.load(spec)
        except datasets.DataError as error:
            parser.exit(1, f"error: model {spec.name}: {error}\n")
    for spec in specs:
        personal = config.personal_fields(spec)
        version = train(spec, config.training, personal, loaded[spec.name])
        print(f"{spec.name}: registered version {version} as {CHALLENGER}")
        if registered is not None:
            registered(spec.name, version)


if __name__ == "__main__":
    main()
