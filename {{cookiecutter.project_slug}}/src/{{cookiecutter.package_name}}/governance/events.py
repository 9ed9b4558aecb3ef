"""Where governed projects keep their audit log, and who is acting."""

from __future__ import annotations

import math
from pathlib import Path

from mlflow import MlflowClient
from pydantic_settings import BaseSettings, SettingsConfigDict

from .audit import AuditLog


class GovernanceSettings(BaseSettings):
    """`APP_AUDIT_LOG`: the audit log file (on the shared volume in Kubernetes)."""

    model_config = SettingsConfigDict(env_prefix="APP_", frozen=True, extra="ignore")

    audit_log: Path = Path("audit/audit.jsonl")


def audit_log() -> AuditLog:
    return AuditLog(GovernanceSettings().audit_log)


def record_training(log: AuditLog, client: MlflowClient, model: str, version: str) -> None:
    """Audit a training run and the version it registered."""
    registered = client.get_model_version(model, version)
    run = client.get_run(registered.run_id)
    who = run.data.tags.get("trained_by", "unknown")
    log.append(
        "training",
        who,
        {
            "run_id": registered.run_id,
            "data_hash": run.data.tags.get("data_hash"),
            "code_version": run.data.tags.get("code_version"),
            # JSON has no NaN or infinity; a metric that is neither stays in the run.
            "metrics": {k: v for k, v in run.data.metrics.items() if math.isfinite(v)},
        },
        model=model,
        version=version,
    )
    log.append("registration", who, {"run_id": registered.run_id}, model=model, version=version)
