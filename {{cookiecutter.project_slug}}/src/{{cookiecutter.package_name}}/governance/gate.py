"""The promotion gate of a governed project, and the four-eyes approval it asks for.

On top of the promotion policy (thresholds met, slice gap within bounds), a version becomes
champion only with a complete model card, a data card for its dataset, a configured slice
check, and an approval by a named person who did not train it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from mlflow import MlflowClient
from mlflow.entities.model_registry import ModelVersion

from ..models_config import ModelsConfig, ModelSpec
from .audit import AuditLog
from .cards import card_problems, data_card_problems, human_sections


class ApprovalRefused(ValueError):
    """The approval would not count: the approver trained the version, or named nobody."""


def requirements(
    client: MlflowClient,
    spec: ModelSpec,
    version: ModelVersion,
    config: ModelsConfig,
    cards: dict[str, dict[str, str]] | None = None,
) -> list[str]:
    """What governance still misses for this version, one line each; none when it may pass.
    `cards` are the human sections of the model cards (default: `model_cards.md`)."""
    problems = card_problems(spec.name, human_sections() if cards is None else cards)
    problems += data_card_problems(spec, config)
    if spec.promotion.slices is None:
        problems.append(f"models.yaml configures no slice check for {spec.name} (promotion.slices)")
    approver = version.tags.get("approved_by")
    trainer = client.get_run(version.run_id).data.tags.get("trained_by")
    if not approver:
        problems.append(
            f"version {version.version} of {spec.name} is not approved: "
            f"make approve MODEL={spec.name} VERSION={version.version} BY=<name>"
        )
    elif approver == trainer:
        problems.append(f"version {version.version} was approved by {approver}, who trained it")
    return problems


def approve(client: MlflowClient, model: str, version: str, approver: str, audit: AuditLog) -> str:
    """Record `approver`'s approval of a version, unless they trained it; return the trainer."""
    if not approver.strip():
        raise ApprovalRefused("an approval needs the approver's name (BY=<name>)")
    registered = client.get_model_version(model, version)
    trainer = client.get_run(registered.run_id).data.tags.get("trained_by", "")
    if approver == trainer:
        raise ApprovalRefused(
            f"{approver} trained version {version} of {model}: someone else must approve it"
        )
    now = datetime.now(UTC).isoformat(timespec="seconds")
    client.set_model_version_tag(model, version, "approved_by", approver)
    client.set_model_version_tag(model, version, "approved_at", now)
    audit.append("approval", approver, {"trained_by": trainer}, model=model, version=version)
    return trainer
