"""`python -m <package>.monitoring drift | decide [--model NAME]`.

`drift` compares each champion's current window of predictions with its training snapshot,
prints a summary, writes `<reports dir>/<model>/drift.json`, and exits 1 when any model
drifted (0 when none did, 2 when a check could not run). `decide` does the same check, then
weighs drift, the champion's age and its measured performance against the retraining
policy, prints the decision with every reason, and writes `<model>/retrain.json`.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta

from mlflow import MlflowClient

from ..models_config import ModelsConfig, ModelSpec, load_config
from ..registry.champions import ChampionUnavailable, champion_version
from ..tracking.reference import load_reference
from ..tracking.store import connect
from .config import MonitoringSettings
from .drift import DRIFT, DriftReport, compare, current_window
from .prediction_log import read_records
from .retrain import RetrainDecision, decide, measure, read_labels

FOUND_DRIFT, FAILED = 1, 2


def drift_report(
    client: MlflowClient,
    spec: ModelSpec,
    config: ModelsConfig,
    settings: MonitoringSettings,
    now: datetime,
) -> tuple[DriftReport, list[dict]]:
    """The champion's drift over the configured window, and the records it was measured on."""
    champion = champion_version(client, spec.name)
    version = str(champion.version)
    since = now - timedelta(days=config.monitoring.window_days)
    records = [
        record
        for record in read_records(settings.prediction_log_dir, spec.name, since)
        if record["version"] == version
    ]
    reference = load_reference(champion.run_id, spec.task)
    current = current_window(records, [c for c in reference.columns if c in spec.features])
    report = compare(
        reference,
        current,
        spec.task,
        config.monitoring.drift,
        model=spec.name,
        version=version,
        checked_at=now,
        window_start=since,
        unmonitored=sorted(config.personal_fields(spec)),
    )
    return report, records


def retrain_decision(
    client: MlflowClient,
    spec: ModelSpec,
    config: ModelsConfig,
    settings: MonitoringSettings,
    now: datetime,
) -> tuple[DriftReport, RetrainDecision]:
    report, records = drift_report(client, spec, config, settings, now)
    registered = client.get_model_version(spec.name, report.version)
    trained_at = datetime.fromtimestamp(registered.creation_timestamp / 1000, UTC)
    trained = client.get_run(registered.run_id).data.metrics.get(spec.promotion.metric)
    labels = read_labels(settings.labels_dir, spec.name)
    performance = measure(records, labels, spec, trained) if trained is not None else None
    age_days = (now - trained_at).total_seconds() / 86400
    return report, decide(report, age_days, performance, spec, config.monitoring.retrain)


def main(argv: list[str] | None = None) -> int:
    config = load_config()
    parser = argparse.ArgumentParser(prog="monitoring", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in [
        ("drift", "compare each champion's recent predictions with its training data"),
        ("decide", "decide whether each champion should be retrained, and say why"),
    ]:
        commands.add_parser(name, help=text).add_argument(
            "--model", choices=config.names, help="check only this model"
        )
    args = parser.parse_args(argv)

    settings = MonitoringSettings()
    client = connect()
    now = datetime.now(UTC)
    status = 0
    for spec in [config.get(args.model)] if args.model else config.models:
        try:
            if args.command == "drift":
                report, _ = drift_report(client, spec, config, settings, now)
            else:
                report, decision = retrain_decision(client, spec, config, settings, now)
        except ChampionUnavailable as error:
            print(f"error: {error}", file=sys.stderr)
            status = FAILED
            continue
        path = report.write(settings.reports_dir)
        if args.command == "drift":
            print(report.summary(), f"  report: {path}", sep="\n")
            if report.verdict == DRIFT and status != FAILED:
                status = FOUND_DRIFT
        else:
            print(decision.summary(), f"  report: {decision.write(settings.reports_dir)}", sep="\n")
    return status


if __name__ == "__main__":
    sys.exit(main())
