"""Training data from the datasets shipped inside scikit-learn, so training needs no network."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from sklearn import datasets

LOADERS = {
    "iris": datasets.load_iris,
    "wine": datasets.load_wine,
    "breast_cancer": datasets.load_breast_cancer,
}


@dataclass(frozen=True)
class Dataset:
    """A classification dataset: feature matrix, class indices and their names."""

    name: str
    features: tuple[str, ...]
    classes: tuple[str, ...]
    x: np.ndarray
    y: np.ndarray

    @cached_property
    def data_hash(self) -> str:
        """SHA-256 of the content: names, values and labels, independent of how it was loaded."""
        digest = hashlib.sha256()
        for name in (*self.features, "|", *self.classes, "|"):
            digest.update(name.encode() + b"\0")
        digest.update(np.ascontiguousarray(self.x, dtype="<f8").tobytes())
        digest.update(np.ascontiguousarray(self.y, dtype="<i8").tobytes())
        return digest.hexdigest()


def load(name: str) -> Dataset:
    """Load a bundled dataset by name, with feature names made into identifiers."""
    if name not in LOADERS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(LOADERS)}")
    bunch = LOADERS[name]()
    return Dataset(
        name=name,
        features=tuple(_identifier(feature) for feature in bunch.feature_names),
        classes=tuple(str(target) for target in bunch.target_names),
        x=bunch.data,
        y=bunch.target,
    )


def _identifier(feature: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", feature.lower()).strip("_")
