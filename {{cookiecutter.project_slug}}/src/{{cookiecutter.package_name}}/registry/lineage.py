"""Lineage of a model version: data snapshot -> training run -> code -> version -> promotions."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from mlflow import MlflowClient

from .promotion import CHAMPION, aliased


def lineage(client: MlflowClient, model: str, version: str | None = None) -> dict[str, Any]:
    """Everything recorded about one version (the champion unless a version is given)."""
    if version is None:
        champion = aliased(client, model, CHAMPION)
        if champion is None:
            raise LookupError(f"{model} has no champion; name a version")
        version = champion.version
    registered = client.get_model_version(model, version)
    run = client.get_run(registered.run_id)
    tags = run.data.tags
    record_keys = ("approved_by", "approved_at", "promoted_by", "promoted_at",
                   "previous_champion", "rolled_back_by", "rolled_back_at", "restored_by",
                   "restored_at")  # fmt: skip
    return {
        "model": model,
        "version": str(registered.version),
        "aliases": sorted(registered.aliases),
        "dataset": tags.get("dataset"),
        "data_source": tags.get("data_source"),
        "data_hash": tags.get("data_hash"),
        # The stored copy of the rows (an artifact of the run), or `hash-only`.
        "data_snapshot": tags.get("data_snapshot"),
        "run_id": registered.run_id,
        "trained_at": datetime.fromtimestamp(run.info.start_time / 1000, UTC).isoformat(),
        "trained_by": tags.get("trained_by"),
        "owner": tags.get("owner"),
        "code_version": tags.get("code_version"),
        "packages": json.loads(tags.get("packages", "{}")),
        "params": dict(run.data.params),
        "metrics": dict(run.data.metrics),
        "registry": {key: registered.tags[key] for key in record_keys if key in registered.tags},
    }
