"""Request and response shapes shared by every prediction endpoint."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import numpy as np
from fastapi import HTTPException
from pydantic import BaseModel, ConfigDict, Field

FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]


class PredictRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    instances: list[dict[str, FiniteFloat]] = Field(min_length=1, max_length=1000)


class Prediction(BaseModel):
    """A class label with the probability of each class, or a number for regression."""

    label: str | None = None
    probabilities: dict[str, float] | None = None
    value: float | None = None


class PredictResponse(BaseModel):
    model_version: str
    predictions: list[Prediction]


def check_features(instances: list[dict[str, float]], features: Sequence[str]) -> None:
    """Answer 422, naming the first instance whose keys are not exactly the model's features."""
    expected = set(features)
    for index, row in enumerate(instances):
        if set(row) != expected:
            raise HTTPException(
                422,
                detail={
                    "instance": index,
                    "missing": sorted(expected - set(row)),
                    "unexpected": sorted(set(row) - expected),
                },
            )


def classified(probabilities: np.ndarray, classes: Sequence[str]) -> list[Prediction]:
    return [
        Prediction(
            label=classes[int(row.argmax())],
            probabilities={c: round(float(p), 6) for c, p in zip(classes, row, strict=True)},
        )
        for row in probabilities
    ]


def regressed(values: np.ndarray) -> list[Prediction]:
    return [Prediction(value=float(value)) for value in values]
