"""What the registry and monitoring tests share: a model of their own, and a way to train it
and to fill its prediction log."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from {{ cookiecutter.package_name }}.models_config import ModelsConfig, ModelSpec
from {{ cookiecutter.package_name }}.monitoring.prediction_log import (
    PredictionLog,
    PredictionRecord,
)
from {{ cookiecutter.package_name }}.registry.champions import load_champion
from {{ cookiecutter.package_name }}.registry.promotion import promote
from {{ cookiecutter.package_name }}.tracking.reference import load_reference
from {{ cookiecutter.package_name }}.tracking.store import connect
from {{ cookiecutter.package_name }}.tracking.train import train

# Independent of models.yaml, so the tests hold whatever the project configures.
IRIS = ModelSpec(
    name="iris",
    dataset="iris",
    task="classification",
    target="species",
    features=["sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm"],
    estimator="logistic_regression",
    params={"C": 1.0, "max_iter": 1000},
    promotion={"metric": "f1_macro", "thresholds": {"f1_macro": 0.8}},
    owner="@team",
)


@dataclass(frozen=True)
class Champion:
    uri: str  # the tracking store
    config: Path  # a models.yaml naming only IRIS
    reference: pd.DataFrame  # its training snapshot


def train_champion(folder: Path) -> Champion:
    """Train IRIS in a store of its own and make that version champion."""
    uri = f"sqlite:///{folder / 'mlflow.db'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MLFLOW_TRACKING_URI", uri)
        patch.chdir(folder)
        client = connect()
        train(IRIS, ModelsConfig(models=[IRIS]).training)
        assert promote(client, IRIS, "tests").changed
        run_id = client.get_model_version_by_alias(IRIS.name, "champion").run_id
        reference = load_reference(run_id, IRIS.task)
    config = folder / "models.yaml"
    config.write_text(yaml.safe_dump({"models": [IRIS.model_dump()]}))
    return Champion(uri, config, reference)


def now() -> datetime:
    return datetime.now(UTC)


def resampled(
    reference: pd.DataFrame, rows: int, seed: int, shift: dict[str, float] | None = None
) -> pd.DataFrame:
    """Rows drawn from the training snapshot with a little noise, some features shifted."""
    rng = np.random.default_rng(seed)
    features = [column for column in reference.columns if column in IRIS.features]
    drawn = reference[features].sample(rows, replace=True, random_state=seed).reset_index(drop=True)
    drawn += rng.normal(0, 0.05, drawn.shape)
    for feature, amount in (shift or {}).items():
        drawn[feature] += amount
    return drawn


def log_predictions(rows: pd.DataFrame, directory: Path = Path("predictions")) -> list[str]:
    """Predict the rows with the champion, ten per request, and log them as the service does."""
    champion = load_champion(connect(), IRIS)
    log = PredictionLog(directory)
    request_ids = []
    for start in range(0, len(rows), 10):
        instances = rows.iloc[start : start + 10].to_dict("records")
        request_ids.append(uuid.uuid4().hex)
        log.record(
            PredictionRecord(
                request_id=request_ids[-1],
                time=now(),
                model=IRIS.name,
                version=champion.version,
                inputs=instances,
                outputs=champion.predict(instances),
                latency_ms=1.0,
            )
        )
    log.close()
    return request_ids
