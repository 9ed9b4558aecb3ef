"""Reproducible training: `python -m <package>.model.train`, as `models.yaml` configures it.

The same data, parameters and library versions always give the same version name and the
same metrics, so an artifact can be recreated from its metadata.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import shutil
import sys
import uuid
from datetime import UTC, datetime
from importlib import metadata as package_metadata
from pathlib import Path

import joblib
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from .. import datasets
from .artifact import (
    LATEST_FILE,
    METADATA_FILE,
    MODEL_FILE,
    SNAPSHOT_FILE,
    ModelSettings,
    sha256_file,
)
from .config import ModelConfig, load_config

log = logging.getLogger(__name__)


def fit(config: ModelConfig, data: datasets.Dataset) -> tuple[Pipeline, dict[str, float]]:
    """Fit on a deterministic, stratified split; return the model and its test metrics."""
    seed, params = config.training.seed, config.model
    x_train, x_test, y_train, y_test = train_test_split(
        data.x, data.y, test_size=config.training.test_size, random_state=seed, stratify=data.y
    )
    model = make_pipeline(
        StandardScaler(),
        LogisticRegression(C=params.regularization, max_iter=params.max_iter, random_state=seed),
    )
    model.fit(x_train, y_train)
    predicted = model.predict(x_test)
    metrics = {
        "accuracy": float(accuracy_score(y_test, predicted)),
        "f1_macro": float(f1_score(y_test, predicted, average="macro")),
    }
    return model, metrics


def parameters(config: ModelConfig) -> dict[str, object]:
    """What decides the model besides its data, as recorded in the artifact."""
    return {**config.model.model_dump(), **config.training.model_dump()}


def version_name(config: ModelConfig, data_hash: str) -> str:
    """Named after what decides the model, so retraining the same inputs names the same version."""
    inputs = json.dumps([parameters(config), data_hash, sklearn.__version__], sort_keys=True)
    return f"{config.model.dataset}-{hashlib.sha256(inputs.encode()).hexdigest()[:12]}"


def train(config: ModelConfig, models_dir: Path, data: datasets.Dataset | None = None) -> Path:
    """Train, write the versioned artifact and point `LATEST` at it; return its folder.
    `data` is the loaded rows, by default loaded as the configuration says."""
    data = data if data is not None else config.load()
    model, metrics = fit(config, data)
    version = version_name(config, data.data_hash)
    folder = models_dir / version
    models_dir.mkdir(parents=True, exist_ok=True)
    if not folder.exists():
        # Written aside and renamed into place, so a crash never leaves half an artifact.
        # Not mkdtemp: its folder is private to its owner, and the image trains as root for
        # a service that runs as another user.
        staging = models_dir / f".staging-{uuid.uuid4().hex}"
        staging.mkdir()
        joblib.dump(model, staging / MODEL_FILE)
        if data.copyable:
            data.write_snapshot(staging / SNAPSHOT_FILE)
        meta = {
            "version": version,
            "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "dataset": config.model.dataset,
            "source": data.source,
            "data_hash": data.data_hash,
            "snapshot": SNAPSHOT_FILE if data.copyable else "hash-only",
            "rows": data.rows,
            "target": data.target,
            "features": list(data.features),
            "classes": list(data.classes),
            "params": parameters(config),
            "metrics": metrics,
            "packages": {
                name: package_metadata.version(name) for name in ("scikit-learn", "numpy")
            },
            "model_sha256": sha256_file(staging / MODEL_FILE),
        }
        (staging / METADATA_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        try:
            staging.rename(folder)
        except OSError:  # another run wrote the same version first
            shutil.rmtree(staging)
    (models_dir / LATEST_FILE).write_text(version + "\n", encoding="utf-8")
    log.info("trained model", extra={"version": version, "metrics": metrics})
    return folder


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, help="models.yaml (default: APP_MODELS_CONFIG)")
    parser.add_argument("--seed", type=int, help="override the configured seed")
    parser.add_argument("--output", type=Path, default=ModelSettings().model_dir)
    args = parser.parse_args(argv)
    config = load_config(args.config)
    if args.seed is not None:
        config = config.model_copy(update={"training": config.training.model_copy(
            update={"seed": args.seed})})  # fmt: skip
    try:
        data = config.load()
    except datasets.DataError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(1)
    folder = train(config, args.output, data)
    print(json.dumps(json.loads((folder / METADATA_FILE).read_text(encoding="utf-8")), indent=2))


if __name__ == "__main__":
    main()
