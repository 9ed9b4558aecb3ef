"""Request and response shapes shared by every prediction endpoint."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, TypeVar

import numpy as np
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, Strict

# A JSON number: not true or false, not a string of digits, not NaN or infinity.
FiniteFloat = Annotated[float, Strict(), Field(allow_inf_nan=False)]
Predicted = TypeVar("Predicted")


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
    """Answer 422 unless every instance has exactly the model's features, naming each one
    missing or unexpected in the shape of every other validation error."""
    expected = set(features)
    errors = []
    for index, row in enumerate(instances):
        where = ("body", "instances", index)
        errors += [
            {"type": "missing", "loc": (*where, name), "msg": "Field required"}
            for name in sorted(expected - set(row))
        ]
        errors += [
            {"type": "extra_forbidden", "loc": (*where, name), "msg": "not a feature of the model"}
            for name in sorted(set(row) - expected)
        ]
    if errors:
        raise RequestValidationError(errors)


def answer(
    predict: Callable[[list[dict[str, float]]], Predicted], instances: list[dict[str, float]]
) -> Predicted:
    """The model's predictions, or 422 naming each instance it cannot take: a finite value
    so large that its arithmetic overflows is the caller's data, not a server error."""
    try:
        return predict(instances)
    except ValueError:
        pass
    errors = []
    for index, row in enumerate(instances):
        try:
            predict([row])
        except ValueError as error:
            reason = str(error).splitlines()[0] if str(error) else type(error).__name__
            errors.append(_refusal(index, f"the model cannot take this instance ({reason})"))
    if not errors:  # each alone is fine, together they are not
        errors = [_refusal(None, "the model cannot take these instances together")]
    raise RequestValidationError(errors)


def _refusal(index: int | None, message: str) -> dict[str, object]:
    where = ("body", "instances") if index is None else ("body", "instances", index)
    return {"type": "value_error", "loc": where, "msg": message}


def _finite(outputs: np.ndarray) -> np.ndarray:
    if not np.isfinite(outputs).all():
        raise ValueError("its output is not a finite number")
    return outputs


def classified(probabilities: np.ndarray, classes: Sequence[str]) -> list[Prediction]:
    _finite(probabilities)
    return [
        Prediction(
            label=classes[int(row.argmax())],
            probabilities={c: round(float(p), 6) for c, p in zip(classes, row, strict=True)},
        )
        for row in probabilities
    ]


def regressed(values: np.ndarray) -> list[Prediction]:
    return [Prediction(value=float(value)) for value in _finite(values)]
