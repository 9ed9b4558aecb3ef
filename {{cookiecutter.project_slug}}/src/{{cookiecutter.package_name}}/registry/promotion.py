"""Promotion and rollback with MLflow registry aliases.

`challenger` marks the newest trained version; `champion` is the version the service serves.
A challenger becomes champion only when it meets every threshold of the model's promotion
policy and beats the champion on the policy's metric. Each promotion records who made it,
when, and the champion it replaced, which is what rollback returns to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from mlflow import MlflowClient
from mlflow.entities.model_registry import ModelVersion
from mlflow.exceptions import MlflowException

from ..models_config import ModelSpec
from ..tracking.train import CHALLENGER, SLICE_GAP

CHAMPION = "champion"


@dataclass(frozen=True)
class Outcome:
    """What a promotion or rollback did to one model, and why."""

    model: str
    changed: bool
    champion: str | None
    reasons: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        verdict = "changed" if self.changed else "unchanged"
        return f"{self.model}: champion {self.champion or 'none'} ({verdict}): " + "; ".join(
            self.reasons
        )


# What MLflow answers for a model that does not exist or an alias no version holds.
NOT_FOUND = {"RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE"}


def aliased(client: MlflowClient, model: str, alias: str) -> ModelVersion | None:
    """The version holding the alias, or None; any other failure (an unreachable tracking
    server, say) propagates. MLflow numbers versions; callers use them as text."""
    try:
        return client.get_model_version_by_alias(model, alias)
    except MlflowException as error:
        if error.error_code in NOT_FOUND:
            return None
        raise


# A further check a project adds to the policy (governance does): the problems it finds with
# a version, none when it may become champion.
Gate = Callable[[MlflowClient, ModelSpec, ModelVersion], list[str]]
# What a project keeps of each change of champion (governance audits it): the event
# ("promotion" or "rollback"), who acted, and the outcome.
Record = Callable[[str, str, Outcome], None]


def _record_nothing(event: str, actor: str, outcome: Outcome) -> None:
    """The default: the registry's own tags already say who changed the champion."""


@dataclass(frozen=True)
class Oversight:
    """What a project adds to promotion and rollback; nothing by default. A governed project's
    entry point (`python -m <package>.governance promote`) passes its gate and audit log, so
    the registry never imports governance, which other projects do not have."""

    gate: Gate | None = None
    record: Record = _record_nothing


def policy_problems(spec: ModelSpec, metrics: dict[str, float]) -> list[str]:
    """Every threshold the version's test metrics miss, and a slice gap over its bound."""
    problems = []
    for metric, bound in spec.promotion.thresholds.items():
        value = metrics.get(metric)
        higher = spec.higher_is_better(metric)
        if value is None or (value < bound if higher else value > bound):
            limit = "at least" if higher else "at most"
            problems.append(f"{metric} {_show(value)} is not {limit} the threshold {bound}")
    slices = spec.promotion.slices
    if slices is not None:
        gap = metrics.get(SLICE_GAP)
        if gap is None or gap > slices.max_gap:
            problems.append(
                f"the {spec.promotion.metric} gap between slices by {slices.by} is "
                f"{_show(gap)}, more than {slices.max_gap}"
            )
    return problems


def promote(client: MlflowClient, spec: ModelSpec, actor: str, gate: Gate | None = None) -> Outcome:
    """Make the challenger champion if the policy (and the gate) allow it; otherwise say every
    reason why not."""
    challenger = aliased(client, spec.name, CHALLENGER)
    champion = aliased(client, spec.name, CHAMPION)
    current = str(champion.version) if champion else None
    if challenger is None:
        return Outcome(spec.name, False, current, ["no challenger: train a new version first"])
    metrics = client.get_run(challenger.run_id).data.metrics
    reasons = policy_problems(spec, metrics)
    if gate is not None:
        reasons += gate(client, spec, challenger)
    metric = spec.promotion.metric
    challenger_score = metrics.get(metric)
    if champion is not None:
        champion_score = client.get_run(champion.run_id).data.metrics.get(metric)
        if not _beats(challenger_score, champion_score, spec.higher_is_better(metric)):
            reasons.append(
                f"{metric} {_show(challenger_score)} of version {challenger.version} does not "
                f"beat {_show(champion_score)} of champion version {champion.version}"
            )
    if reasons:
        return Outcome(spec.name, False, current, reasons)

    client.set_registered_model_alias(spec.name, CHAMPION, challenger.version)
    client.delete_registered_model_alias(spec.name, CHALLENGER)
    _tag(client, spec.name, challenger.version, promoted_by=actor, promoted_at=_now(),
         previous_champion=current or "")  # fmt: skip
    why = f"{metric} {_show(challenger_score)} meets every threshold"
    if current:
        why += f" and beats champion version {current}"
    return Outcome(spec.name, True, str(challenger.version), [why])


def rollback(client: MlflowClient, model: str, actor: str) -> Outcome:
    """Point `champion` back at the version the current champion replaced."""
    champion = aliased(client, model, CHAMPION)
    if champion is None:
        return Outcome(model, False, None, ["no champion to roll back"])
    previous = champion.tags.get("previous_champion")
    if not previous:
        reason = "the champion replaced no earlier version"
        return Outcome(model, False, str(champion.version), [reason])
    client.set_registered_model_alias(model, CHAMPION, previous)
    _tag(client, model, champion.version, rolled_back_by=actor, rolled_back_at=_now())
    _tag(client, model, previous, restored_by=actor, restored_at=_now())
    return Outcome(model, True, previous, [f"rolled back from version {champion.version}"])


def _beats(challenger: float | None, champion: float | None, higher_is_better: bool) -> bool:
    if challenger is None:
        return False
    if champion is None:
        return True
    return challenger > champion if higher_is_better else challenger < champion


def _tag(client: MlflowClient, model: str, version: str, **tags: str) -> None:
    for key, value in tags.items():
        client.set_model_version_tag(model, version, key, value)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _show(value: float | None) -> str:
    return "missing" if value is None else f"{value:.4f}"
