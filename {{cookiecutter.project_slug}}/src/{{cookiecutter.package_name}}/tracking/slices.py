"""The promotion metric on slices of the test split, for the policy's slice check.

A model can meet its thresholds overall and still serve one group of cases far worse than
another; the check bounds the gap between the best and the worst slice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..models_config import SliceCheck

# A slice smaller than this says more about chance than about the model.
MIN_ROWS = 5


def slice_scores(
    check: SliceCheck,
    values: np.ndarray,
    truth: np.ndarray,
    predicted: np.ndarray,
    score: Callable[[np.ndarray, np.ndarray], float],
) -> dict[str, Any]:
    """Score each slice of `values` (the `by` feature of the test rows); the gap is the best
    slice's score minus the worst's."""
    distinct = np.unique(values)
    if len(distinct) <= check.bins:
        names = [f"{check.by} = {value:.4g}" for value in distinct]
        members = [values == value for value in distinct]
    else:
        edges = np.quantile(values, np.linspace(0, 1, check.bins + 1))
        index = np.searchsorted(edges[1:-1], values, side="right")
        names = [f"{check.by} in [{edges[n]:.4g}, {edges[n + 1]:.4g}]" for n in range(check.bins)]
        members = [index == n for n in range(check.bins)]
    slices = [
        {"slice": name, "rows": int(rows.sum()), "score": score(truth[rows], predicted[rows])}
        for name, rows in zip(names, members, strict=True)
        if rows.sum() >= MIN_ROWS
    ]
    scores = [entry["score"] for entry in slices]
    gap = max(scores) - min(scores) if len(scores) > 1 else 0.0
    return {"by": check.by, "slices": slices, "gap": float(gap), "max_gap": check.max_gap}
