"""Drift between the reference window and the current one, feature by feature.

Numeric values are compared with the two-sample Kolmogorov-Smirnov test; categories (the
labels a classifier predicts) with the population stability index and a chi-square test.
Something counts as drifted only when the test is significant *and* the effect is large
enough: with thousands of rows, significance alone flags shifts too small to matter.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats

from ..models_config import DriftPolicy
from ..tracking.reference import PREDICTION

DRIFT = "drift"
NO_DRIFT = "no drift"
TOO_FEW_ROWS = "insufficient data"
# Stands in for a category one window never saw, so the PSI stays finite.
PSI_FLOOR = 1e-4
# Reference values per step of the KS search (see `ks_statistic`).
KS_STRIDE = 16


def write_report(reports_dir: Path, model: str, kind: str, report: dict[str, Any]) -> Path:
    """`<reports dir>/<model>/<kind>.json`: the latest report of its kind for the model."""
    path = reports_dir / model / f"{kind}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return path


@dataclass(frozen=True)
class Score:
    """One column's comparison: the test, its statistic and p-value, and the verdict."""

    column: str
    test: str
    statistic: float
    p_value: float
    drifted: bool


def ks_statistic(reference: np.ndarray, current: np.ndarray) -> float:
    """The two-sample Kolmogorov-Smirnov statistic, the largest gap between the two empirical
    CDFs: `scipy.stats.ks_2samp`'s, from one sort of each sample and few lookups."""
    n, m = len(reference), len(current)
    ordered = np.sort(reference)
    last = np.flatnonzero(np.append(ordered[1:] != ordered[:-1], True))  # of each equal run
    values = ordered[last]
    # Between two reference values the reference CDF is flat while the current one rises, so
    # the gap is largest at a reference value or just before it. The CDFs are kept in whole
    # counts scaled by n * m, which compare without a division per value.
    ref_at = (last + 1) * m
    ref_before = np.append(0, ref_at[:-1])
    window = np.sort(current)

    def gaps(at: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The gap at or just before each of `values[at]`, and the current CDF there."""
        looked_up = values[at]
        below = np.searchsorted(window, looked_up, side="left")
        # Window values equal to a reference value are rare in measured data: only those
        # are looked up again from the right.
        up_to = below.copy()
        tied = np.flatnonzero(window[np.minimum(below, m - 1)] == looked_up)
        up_to[tied] = np.searchsorted(window, looked_up[tied], side="right")
        cur_before, cur_at = below * n, up_to * n
        gap = np.maximum(np.abs(ref_at[at] - cur_at), np.abs(ref_before[at] - cur_before))
        return gap, cur_before, cur_at

    # Every KS_STRIDE-th value first. Between two of them each CDF stays within its values at
    # the two ends, which bounds every gap in the stretch; only a stretch whose bound is above
    # the largest gap found is then looked up value by value.
    k = len(values)
    steps = np.append(np.arange(0, k - 1, KS_STRIDE), k - 1)
    gap, cur_before, cur_at = gaps(steps)
    largest = gap.max()
    start, end = steps[:-1], steps[1:]
    bound = np.maximum(ref_before[end] - cur_at[:-1], cur_before[1:] - ref_at[start])
    inside = (start[bound > largest][:, np.newaxis] + np.arange(1, KS_STRIDE)).ravel()
    inside = inside[inside < k - 1]  # the last stretch is shorter
    if inside.size:
        largest = max(largest, gaps(inside)[0].max())
    return float(largest / (n * m))


def numeric_drift(
    column: str, reference: np.ndarray, current: np.ndarray, policy: DriftPolicy
) -> Score:
    """Two-sample Kolmogorov-Smirnov: the largest gap between the two empirical CDFs."""
    statistic = ks_statistic(reference, current)
    # The limiting (Kolmogorov) distribution of the statistic scaled by the effective size:
    # `special.kolmogorov` is its survival function (`stats.kstwobign.sf`) without the
    # distribution machinery around it.
    effective = len(reference) * len(current) / (len(reference) + len(current))
    p_value = float(special.kolmogorov(statistic * np.sqrt(effective)))
    drifted = p_value < policy.p_value and statistic >= policy.ks_statistic
    return Score(column, "ks", statistic, p_value, drifted)


def categorical_drift(
    column: str,
    reference: pd.Series | np.ndarray,
    current: pd.Series | np.ndarray,
    policy: DriftPolicy,
) -> Score:
    """Population stability index of the category shares, with a chi-square test."""
    # Factorized in the column's own storage: a pandas string column is hashed as it is
    # stored, without first becoming one Python object per row.
    both = pd.concat([pd.Series(reference), pd.Series(current)], ignore_index=True)
    codes, categories = pd.factorize(both)
    counts = np.stack(
        [
            np.bincount(codes[: len(reference)], minlength=len(categories)),
            np.bincount(codes[len(reference) :], minlength=len(categories)),
        ]
    )
    expected, actual = (np.maximum(row / row.sum(), PSI_FLOOR) for row in counts)
    psi = float(np.sum((actual - expected) * np.log(actual / expected)))
    # One category in both windows leaves nothing to test: the distributions are equal.
    p_value = float(stats.chi2_contingency(counts).pvalue) if len(categories) > 1 else 1.0
    drifted = p_value < policy.p_value and psi >= policy.psi
    return Score(column, "psi", psi, p_value, drifted)


@dataclass(frozen=True)
class DriftReport:
    """The drift of one model's champion over one window."""

    model: str
    version: str
    checked_at: datetime
    window_start: datetime
    reference_rows: int
    current_rows: int
    features: list[Score]
    prediction: Score | None
    # Personal fields: not logged in clear, so not compared.
    unmonitored: list[str] = field(default_factory=list)

    @property
    def drifted_features(self) -> list[str]:
        return [score.column for score in self.features if score.drifted]

    @property
    def drifted_share(self) -> float:
        return len(self.drifted_features) / len(self.features) if self.features else 0.0

    @property
    def verdict(self) -> str:
        if self.prediction is None:
            return TOO_FEW_ROWS
        if self.drifted_features or self.prediction.drifted:
            return DRIFT
        return NO_DRIFT

    def to_dict(self) -> dict[str, Any]:
        report = asdict(self)
        report.update(
            checked_at=self.checked_at.isoformat(),
            window_start=self.window_start.isoformat(),
            verdict=self.verdict,
            drifted_features=self.drifted_features,
            drifted_share=self.drifted_share,
        )
        return report

    def write(self, reports_dir: Path) -> Path:
        """Write the JSON report where the service's drift gauges read it."""
        return write_report(reports_dir, self.model, "drift", self.to_dict())

    def summary(self) -> str:
        """The report as a person reads it."""
        head = f"{self.model} version {self.version}: {self.verdict}"
        lines = [
            head,
            f"  {self.current_rows} predicted rows since {self.window_start:%Y-%m-%d %H:%M} UTC,"
            f" against {self.reference_rows} training rows",
        ]
        if self.prediction is None:
            return "\n".join(lines)
        lines.append(f"  {'column':<32} {'test':<5} {'statistic':>9} {'p-value':>9}  drifted")
        for score in [*self.features, self.prediction]:
            mark = "yes" if score.drifted else "no"
            lines.append(
                f"  {score.column:<32} {score.test:<5} {score.statistic:>9.3f}"
                f" {score.p_value:>9.2g}  {mark}"
            )
        lines.append(
            f"  {len(self.drifted_features)} of {len(self.features)} features drifted"
            + ("; the prediction distribution drifted" if self.prediction.drifted else "")
        )
        if self.unmonitored:
            personal = ", ".join(self.unmonitored)
            lines.append(f"  not compared (personal, not logged in clear): {personal}")
        return "\n".join(lines)


def compare(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    task: str,
    policy: DriftPolicy,
    **context: Any,
) -> DriftReport:
    """Compare every feature the reference holds, then the predictions. `current` has the
    same columns; `context` names the model, version and window."""
    features = [column for column in reference.columns if column != PREDICTION]
    scores: list[Score] = []
    prediction = None
    if len(current) >= policy.min_rows:
        scores = [
            numeric_drift(c, reference[c].to_numpy(float), current[c].to_numpy(float), policy)
            for c in features
        ]
        if task == "classification":
            prediction = categorical_drift(
                PREDICTION, reference[PREDICTION], current[PREDICTION], policy
            )
        else:
            prediction = numeric_drift(
                PREDICTION,
                reference[PREDICTION].to_numpy(float),
                current[PREDICTION].to_numpy(float),
                policy,
            )
    return DriftReport(
        reference_rows=len(reference),
        current_rows=len(current),
        features=scores,
        prediction=prediction,
        **context,
    )


def current_window(records: list[dict[str, Any]], features: list[str]) -> pd.DataFrame:
    """The logged rows of the given features, with the prediction made for each."""
    rows = []
    for record in records:
        for inputs, output in zip(record["inputs"], record["outputs"], strict=True):
            prediction = output.get("label", output.get("value"))
            rows.append([*(inputs.get(feature) for feature in features), prediction])
    return pd.DataFrame(rows, columns=[*features, PREDICTION])
