"""Experiment tracking: the generic training pipeline and the reference snapshot it records.

MLflow reads its telemetry switch when it is imported, so it is set here, before any
module of this package imports MLflow.
"""

import os

os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
