"""Training data from the datasets shipped inside scikit-learn, so training needs no network."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
from sklearn import datasets

# name -> (loader, task, target name)
CATALOGUE = {
    "iris": (datasets.load_iris, "classification", "species"),
    "wine": (datasets.load_wine, "classification", "cultivar"),
    "breast_cancer": (datasets.load_breast_cancer, "classification", "diagnosis"),
    "diabetes": (datasets.load_diabetes, "regression", "progression"),
}


@dataclass(frozen=True)
class Dataset:
    """A feature matrix and its target, with the names that describe them."""

    name: str
    task: str
    target: str
    features: tuple[str, ...]
    classes: tuple[str, ...]  # empty for regression
    x: np.ndarray
    y: np.ndarray

    @cached_property
    def data_hash(self) -> str:
        """SHA-256 of the content: names, values and labels, independent of how it was loaded."""
        digest = hashlib.sha256()
        for name in (self.target, *self.features, "|", *self.classes, "|"):
            digest.update(name.encode() + b"\0")
        digest.update(np.ascontiguousarray(self.x, dtype="<f8").tobytes())
        digest.update(np.ascontiguousarray(self.y, dtype="<f8").tobytes())
        return digest.hexdigest()

    def select(self, features: list[str]) -> Dataset:
        """The same rows with only the given features, in the given order."""
        unknown = sorted(set(features) - set(self.features))
        if unknown:
            raise ValueError(f"dataset {self.name} has no feature {', '.join(unknown)}")
        columns = [self.features.index(feature) for feature in features]
        return replace(self, features=tuple(features), x=self.x[:, columns])


def load(name: str) -> Dataset:
    """Load a bundled dataset by name, with feature names made into identifiers."""
    if name not in CATALOGUE:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(CATALOGUE)}")
    loader, task, target = CATALOGUE[name]
    bunch = loader()
    classes = tuple(str(c) for c in bunch.target_names) if task == "classification" else ()
    return Dataset(
        name=name,
        task=task,
        target=target,
        features=tuple(_identifier(feature) for feature in bunch.feature_names),
        classes=classes,
        x=bunch.data,
        y=bunch.target,
    )


def _identifier(feature: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", feature.lower()).strip("_")
