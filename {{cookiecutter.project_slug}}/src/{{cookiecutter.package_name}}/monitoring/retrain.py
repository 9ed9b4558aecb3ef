"""The retraining decision: drift, model age and measured performance, against the policy.

Labels arrive after the fact, as JSON lines in `<labels dir>/<model>/*.jsonl`, one per
predicted row: `{"request_id": "...", "index": 0, "label": "setosa"}` for a classifier,
`{"request_id": "...", "index": 0, "value": 151.0}` for a regressor. `index` is the row's
position in the request's `instances`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..models_config import ModelSpec, RetrainPolicy
from ..tracking.train import evaluate
from .drift import DriftReport, write_report

RETRAIN = "retrain"
KEEP = "keep"


@dataclass(frozen=True)
class Check:
    """One reason the policy weighs, and whether it calls for retraining."""

    reason: str
    triggered: bool


@dataclass(frozen=True)
class Performance:
    """The champion's metric on labelled predictions, next to its test score at training."""

    metric: str
    trained: float
    measured: float
    labels: int

    def decay(self, higher_is_better: bool) -> float:
        """How much worse, relative to the training score; negative when it got better."""
        worse = self.trained - self.measured if higher_is_better else self.measured - self.trained
        return worse / abs(self.trained) if self.trained else 0.0


@dataclass(frozen=True)
class RetrainDecision:
    model: str
    version: str
    checks: list[Check]

    @property
    def verdict(self) -> str:
        return RETRAIN if any(check.triggered for check in self.checks) else KEEP

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "verdict": self.verdict}

    def write(self, reports_dir: Path) -> Path:
        return write_report(reports_dir, self.model, "retrain", self.to_dict())

    def summary(self) -> str:
        lines = [f"{self.model} version {self.version}: {self.verdict}"]
        lines += [f"  {'-' if c.triggered else 'ok:'} {c.reason}" for c in self.checks]
        return "\n".join(lines)


def decide(
    drift: DriftReport,
    age_days: float,
    performance: Performance | None,
    spec: ModelSpec,
    policy: RetrainPolicy,
) -> RetrainDecision:
    """Weigh every reason the policy names; any one of them calls for retraining."""
    checks = [*_drift_checks(drift, policy), _age_check(age_days, policy)]
    checks.append(_performance_check(performance, spec, policy))
    return RetrainDecision(drift.model, drift.version, checks)


def _drift_checks(drift: DriftReport, policy: RetrainPolicy) -> list[Check]:
    if drift.prediction is None:
        rows = drift.current_rows
        return [Check(f"drift not measured: {rows} predicted rows in the window", False)]
    share, limit = drift.drifted_share, policy.drifted_feature_share
    drifted = ", ".join(drift.drifted_features) or "none"
    checks = [
        Check(
            f"{len(drift.drifted_features)} of {len(drift.features)} features drifted "
            f"({percent(share)}, limit {percent(limit)}): {drifted}",
            share >= limit,
        )
    ]
    prediction = drift.prediction
    if prediction.drifted:
        acted = "" if policy.on_prediction_drift else " (the policy does not act on it)"
        checks.append(
            Check(
                f"the prediction distribution drifted "
                f"({prediction.test} {prediction.statistic:.3f}){acted}",
                policy.on_prediction_drift,
            )
        )
    else:
        checks.append(Check("the prediction distribution is stable", False))
    return checks


def _age_check(age_days: float, policy: RetrainPolicy) -> Check:
    return Check(
        f"the champion is {age_days:.0f} days old (limit {policy.max_age_days})",
        age_days > policy.max_age_days,
    )


def _performance_check(
    performance: Performance | None, spec: ModelSpec, policy: RetrainPolicy
) -> Check:
    if performance is None or performance.labels < policy.min_labels:
        labels = performance.labels if performance else 0
        return Check(
            f"performance not measured: {labels} labelled predictions (needs {policy.min_labels})",
            False,
        )
    decay = performance.decay(spec.higher_is_better(performance.metric))
    return Check(
        f"{performance.metric} is {performance.measured:.3f} on {performance.labels} labelled "
        f"predictions, {performance.trained:.3f} at training "
        f"({'+' if decay >= 0 else '-'}{percent(abs(decay))} decay, "
        f"limit {percent(policy.max_relative_decay)})",
        decay > policy.max_relative_decay,
    )


def percent(share: float) -> str:
    return f"{round(share * 100)}%"


def read_labels(labels_dir: Path, model: str) -> dict[tuple[str, int], Any]:
    """Every label given for a model, by request id and row index."""
    labels: dict[tuple[str, int], Any] = {}
    for path in sorted((labels_dir / model).glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                entry = json.loads(line)
                labels[entry["request_id"], int(entry["index"])] = entry.get(
                    "label", entry.get("value")
                )
    return labels


def measure(
    records: list[dict[str, Any]],
    labels: dict[tuple[str, int], Any],
    spec: ModelSpec,
    trained: float,
) -> Performance:
    """Score the logged predictions that have a label with the promotion metric."""
    truth, predicted = [], []
    key = "label" if spec.task == "classification" else "value"
    for record in records:
        for index, output in enumerate(record["outputs"]):
            label = labels.get((record["request_id"], index))
            if label is not None:
                truth.append(label)
                predicted.append(output[key])
    metric = spec.promotion.metric
    measured = (
        evaluate(spec.task, np.asarray(truth), np.asarray(predicted))[metric] if truth else 0.0
    )
    return Performance(metric, trained, measured, len(truth))
