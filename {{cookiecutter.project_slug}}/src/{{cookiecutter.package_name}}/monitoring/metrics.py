"""What monitoring exports to Prometheus, next to the request metrics.

Counters of predictions by model and label, the prediction log's health, and the gauges of
the latest drift reports and retraining decisions. The reports are read at each scrape from
the reports folder that the scheduled check writes (a volume the service shares with it).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from .prediction_log import PredictionLog

log = logging.getLogger(__name__)


class ServingMetrics:
    """Which champions are loaded, and the predictions served by model, version and label."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.loaded = Gauge(
            "model_champion_loaded",
            "1 when the model's champion is loaded and served, 0 when it is not.",
            ["model"],
            registry=registry,
        )
        self.served = Counter(
            "model_predictions",
            "Predicted rows answered, by model and champion version.",
            ["model", "version"],
            registry=registry,
        )
        self.labels = Counter(
            "model_predicted_labels",
            "Predicted rows by class label, for classifiers.",
            ["model", "label"],
            registry=registry,
        )

    def count(self, model: str, version: str, labels: list[str | None]) -> None:
        self.served.labels(model, version).inc(len(labels))
        for label in labels:
            if label is not None:
                self.labels.labels(model, label).inc()


class PredictionLogCollector(Collector):
    """The prediction log's backlog, records written and write errors."""

    def __init__(self, prediction_log: PredictionLog) -> None:
        self.prediction_log = prediction_log

    def collect(self) -> Iterator[Metric]:
        yield GaugeMetricFamily(
            "prediction_log_backlog",
            "Prediction records accepted and not yet written.",
            value=self.prediction_log.backlog,
        )
        yield CounterMetricFamily(
            "prediction_log_records_written",
            "Prediction records written to the log.",
            value=self.prediction_log.written,
        )
        yield CounterMetricFamily(
            "prediction_log_write_errors",
            "Failed attempts to write or serialize prediction records.",
            value=self.prediction_log.write_errors,
        )


# gauge name -> (help, how to read it from a drift report)
DRIFT_GAUGES = {
    "model_drift_detected": (
        "1 when the latest drift check found drift in a feature or the predictions.",
        lambda report: float(report["verdict"] == "drift"),
    ),
    "model_drifted_feature_share": (
        "Share of the compared features that drifted in the latest check.",
        lambda report: report["drifted_share"],
    ),
    "model_prediction_drift_detected": (
        "1 when the latest check found the prediction distribution drifted.",
        lambda report: float(bool(report["prediction"] and report["prediction"]["drifted"])),
    ),
    "model_drift_window_rows": (
        "Predicted rows the latest drift check compared.",
        lambda report: report["current_rows"],
    ),
}


class ReportCollector(Collector):
    """Gauges from the latest `drift.json` and `retrain.json` of each model."""

    def __init__(self, reports_dir: Path, models: list[str]) -> None:
        self.reports_dir = reports_dir
        self.models = models

    def collect(self) -> Iterator[Metric]:
        drift = {name: self._read(name, "drift.json") for name in self.models}
        retrain = {name: self._read(name, "retrain.json") for name in self.models}
        drift = {name: report for name, report in drift.items() if report}
        retrain = {name: decision for name, decision in retrain.items() if decision}

        checked = GaugeMetricFamily(
            "model_drift_checked_timestamp_seconds",
            "When the latest drift check of the model ran (Unix time).",
            labels=["model"],
        )
        for name, report in drift.items():
            checked.add_metric([name], datetime.fromisoformat(report["checked_at"]).timestamp())
        yield checked
        for gauge, (text, value) in DRIFT_GAUGES.items():
            family = GaugeMetricFamily(gauge, text, labels=["model"])
            for name, report in drift.items():
                family.add_metric([name], value(report))
            yield family
        statistic = GaugeMetricFamily(
            "model_feature_drift_statistic",
            "Test statistic of each compared column in the latest check (KS, or PSI).",
            labels=["model", "column", "test"],
        )
        for name, report in drift.items():
            for score in [*report["features"], report["prediction"]]:
                if score:
                    statistic.add_metric([name, score["column"], score["test"]], score["statistic"])
        yield statistic
        recommended = GaugeMetricFamily(
            "model_retrain_recommended",
            "1 when the latest retraining decision says retrain.",
            labels=["model"],
        )
        for name, decision in retrain.items():
            recommended.add_metric([name], float(decision["verdict"] == "retrain"))
        yield recommended

    def _read(self, model: str, name: str) -> dict[str, Any] | None:
        path = self.reports_dir / model / name
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as error:
            reason = str(error)
            log.warning("unreadable monitoring report", extra={"file": str(path), "reason": reason})
            return None
