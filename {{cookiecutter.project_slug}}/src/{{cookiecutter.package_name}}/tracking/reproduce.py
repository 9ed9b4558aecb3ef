"""Train a registered version again from its stored snapshot:
`python -m <package>.tracking.reproduce --model NAME --version N`.

The recorded settings, seed and split are used, and the new model's metrics and predictions
on the test split are compared with the version's. Every estimator here is deterministic
given its seed, so they must match exactly; whatever differs is named. Nothing is
registered. Exit status 1 when the version is not reproduced.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import mlflow.sklearn
import numpy as np
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

from ..datasets import DataError
from .store import connect
from .train import RECORDED_PACKAGES, code_version, fit, run_parameters
from .training_data import restore


@dataclass
class Outcome:
    """What reproducing one version found: `problems` make it fail, `context` may explain."""

    model: str
    version: str
    problems: list[str] = field(default_factory=list)
    context: list[str] = field(default_factory=list)
    compared: int = 0  # test rows whose predictions were compared

    @property
    def reproduced(self) -> bool:
        return not self.problems

    def __str__(self) -> str:
        if self.reproduced:
            head = (f"{self.model} version {self.version}: reproduced, metrics and "
                    f"{self.compared} test predictions match exactly")  # fmt: skip
        else:
            head = f"{self.model} version {self.version}: NOT reproduced"
        return "\n".join([head, *(f"  {line}" for line in self.problems + self.context)])


def reproduce(client: MlflowClient, model: str, version: str) -> Outcome:
    outcome = Outcome(model, version)
    registered = client.get_model_version(model, version)
    run = client.get_run(registered.run_id).data
    with tempfile.TemporaryDirectory() as folder:
        spec, training, data = restore(registered.run_id, Path(folder))
    if data.data_hash != run.tags.get("data_hash"):
        outcome.problems.append(
            f"data hash: the stored snapshot hashes to {data.data_hash[:16]}, the version was "
            f"trained on {str(run.tags.get('data_hash'))[:16]} (the snapshot was altered)"
        )
    for key, value in run_parameters(spec, training).items():
        logged = run.params.get(key)
        if str(value) != logged:
            outcome.problems.append(
                f"parameter {key}: the recorded settings say {value}, the run logged {logged}"
            )
    fitted = fit(spec, training, data)
    for name, value in fitted.metrics.items():
        before = run.metrics.get(name)
        if before is None or value != before:
            outcome.problems.append(f"metric {name}: {value:.6g} now, {before} registered")
    original = mlflow.sklearn.load_model(f"models:/{model}/{version}").predict(fitted.x_test)
    again = fitted.model.predict(fitted.x_test)
    outcome.compared = len(again)
    differing = int(np.sum(np.asarray(original) != np.asarray(again)))
    if differing:
        outcome.problems.append(f"predictions: {differing} of {len(again)} test rows differ")
    if (now := code_version()) != run.tags.get("code_version"):
        outcome.context.append(f"code version: {now} now, {run.tags.get('code_version')} then")
    then = json.loads(run.tags.get("packages", "{}"))
    for name in RECORDED_PACKAGES:
        if (installed := metadata.version(name)) != then.get(name):
            outcome.context.append(f"package {name}: {installed} now, {then.get(name)} then")
    return outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--version", required=True)
    args = parser.parse_args(argv)
    try:
        outcome = reproduce(connect(), args.model, args.version)
    except (LookupError, MlflowException, DataError) as error:
        print(f"error: {args.model} version {args.version}: {error}", file=sys.stderr)
        return 1
    print(outcome)
    return 0 if outcome.reproduced else 1


if __name__ == "__main__":
    sys.exit(main())
