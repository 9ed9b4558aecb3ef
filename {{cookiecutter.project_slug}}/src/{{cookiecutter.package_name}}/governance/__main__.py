"""`python -m <package>.governance <command>`: cards, approvals, the gate, lineage, the audit
log, retention and erasure, and training, promotion and rollback with governance plugged in.
Every command that changes something leaves an audit entry."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime

import mlflow.artifacts
from mlflow import MlflowClient
from mlflow.entities.model_registry import ModelVersion
from mlflow.exceptions import MlflowException

from .. import project
from ..datasets import DataError
from ..models_config import ModelsConfig, ModelSpec, load_config
from ..monitoring.config import MonitoringSettings
from ..monitoring.prediction_log import subject_hash
from ..registry import __main__ as registry_cli
from ..registry.lineage import lineage
from ..registry.promotion import CHAMPION, Outcome, Oversight, aliased, policy_problems
from ..tracking import train as training
from ..tracking.store import connect
from ..tracking.train import CHALLENGER, SLICES_ARTIFACT
from ..tracking.training_data import expired_snapshots, remove_snapshot
from .audit import AuditError
from .cards import card_problems, data_card, data_card_problems, human_sections, model_card
from .events import audit_log, record_training
from .gate import ApprovalRefused, approve, requirements
from .retention import erase, expire, expired_days

# The training pipeline's and the registry's commands, run here with the audit and the gate.
DELEGATED = {
    "train": "train every model (or --model NAME), auditing each version it registers",
    "promote": "promote each challenger that the policy and the gate allow, audited",
    "rollback": "point --model NAME's champion back at the version it replaced, audited",
}


def oversight(config: ModelsConfig) -> Oversight:
    """The gate and the audit that governance adds to promotion and rollback."""
    log = audit_log()

    def gate(client: MlflowClient, spec: ModelSpec, version: ModelVersion) -> list[str]:
        return requirements(client, spec, version, config)

    def record(event: str, actor: str, outcome: Outcome) -> None:
        log.append(event, actor, {"reasons": outcome.reasons},
                   model=outcome.model, version=outcome.champion)  # fmt: skip

    return Oversight(gate=gate, record=record)


def audited_training() -> training.Registered:
    """Audit each version training registers."""
    log, client = audit_log(), connect()
    return lambda model, version: record_training(log, client, model, version)


def check(config: ModelsConfig) -> list[str]:
    """What CI checks without a registry: every card complete, the audit log intact."""
    cards = human_sections()
    problems = []
    for spec in config.models:
        problems += card_problems(spec.name, cards) + data_card_problems(spec, config)
        if spec.promotion.slices is None:
            problems.append(f"models.yaml configures no slice check for {spec.name}")
    log = audit_log()
    if log.path.exists():
        problems += log.verify()
    return list(dict.fromkeys(problems))  # models that share a dataset share its card


class NoVersion(LookupError):
    """No version was named, and the model has neither a challenger nor a champion."""


def version_of(client: MlflowClient, model: str, version: str | None) -> str:
    """The given version, else the challenger's, else the champion's."""
    if version:
        return version
    for alias in (CHALLENGER, CHAMPION):
        if (registered := aliased(client, model, alias)) is not None:
            return str(registered.version)
    raise NoVersion(f"{model} has no challenger or champion: name a version (VERSION=n)")


def parser_for(config: ModelsConfig) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="governance", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", help="cards complete and the audit log intact (for CI)")
    for name, text in DELEGATED.items():
        # Their own options are theirs to parse (`governance promote --help` lists them).
        commands.add_parser(name, help=text, add_help=False)
    for name, text in [
        ("gate", "what keeps a version (default: the challenger) from becoming champion"),
        ("approve", "approve a version for promotion (four eyes: not by who trained it)"),
        ("model-card", "print a version's model card (default: challenger, else champion)"),
        ("lineage", "data, run, code, version, approvals, promotions and rollbacks as JSON"),
    ]:
        command = commands.add_parser(name, help=text)
        command.add_argument("--model", required=True, choices=config.names)
        command.add_argument("--version", required=name == "approve")
        if name == "approve":
            command.add_argument("--by", default=project.actor("APPROVED_BY"), help="the approver")
    command = commands.add_parser("data-card", help="print a dataset's data card")
    command.add_argument("--dataset", required=True, choices=sorted(config.datasets))
    command = commands.add_parser("audit-verify", help="detect edits, deletions, reordering")
    command.add_argument("--expect-head", help="a head hash recorded earlier, to catch truncation")
    command = commands.add_parser("retention", help="remove prediction records past retention")
    command.add_argument("--apply", action="store_true", help="remove them (default: report)")
    command = commands.add_parser("erase", help="remove a data subject's prediction records")
    command.add_argument("--subject", required=True, help="the subject key the caller sent")
    command.add_argument("--apply", action="store_true", help="remove them (default: report)")
    return parser


def main(argv: list[str] | None = None) -> int:
    config = load_config()
    parser = parser_for(config)
    args, rest = parser.parse_known_args(argv)
    if args.command in DELEGATED:
        if args.command == "train":
            training.main(rest, audited_training())
        else:
            registry_cli.main([args.command, *rest], oversight(config))
        return 0
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    try:
        return run(args, config)
    except (ApprovalRefused, AuditError, NoVersion, MlflowException) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def run(args: argparse.Namespace, config: ModelsConfig) -> int:
    """Carry out one command; the exit status is 1 when it found problems."""
    if args.command in ("check", "audit-verify"):
        if args.command == "check":
            problems = check(config)
        else:
            log = audit_log()
            problems = log.verify(args.expect_head)
            head = log.head()
            print(f"audit log {log.path}: head {head.hash if head else 'none'}")
        print("\n".join(f"- {problem}" for problem in problems) or "ok")
        return 1 if problems else 0
    if args.command == "data-card":
        try:
            print(data_card(args.dataset, config), end="")
        except DataError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        return 0
    if args.command in ("retention", "erase"):
        return retention(args, config)

    client = connect()
    spec = config.get(args.model)
    version = version_of(client, spec.name, args.version)
    if args.command == "approve":
        trainer = approve(client, spec.name, version, args.by, audit_log())
        print(f"{spec.name} version {version}: approved by {args.by} (trained by {trainer})")
        return 0
    record = lineage(client, spec.name, version)
    if args.command == "lineage":
        events = audit_log().entries()
        record["audit"] = [
            vars(entry) for entry in events if (entry.model, entry.version) == (spec.name, version)
        ]
        print(json.dumps(record, indent=2))
        return 0
    registered = client.get_model_version(spec.name, version)
    if args.command == "model-card":
        slices = _slices(registered.run_id)
        print(model_card(record, slices, human_sections().get(spec.name, {})), end="")
        return 0
    problems = policy_problems(spec, record["metrics"])
    problems += requirements(client, spec, registered, config)
    verdict = "may become champion" if not problems else "may not become champion"
    print(f"{spec.name} version {version}: {verdict}")
    print("\n".join(f"- {problem}" for problem in problems))
    return 1 if problems else 0


def retention(args: argparse.Namespace, config: ModelsConfig) -> int:
    settings = MonitoringSettings()
    log = audit_log()
    who = project.actor("RETENTION_BY")
    done = "removed" if args.apply else "would remove"
    if args.command == "erase":
        secret = settings.prediction_log_secret
        key = secret.get_secret_value().encode() if secret else None
        count = erase(settings.prediction_log_dir, args.subject, key, args.apply)
        print(f"{done} {count} prediction records of the subject")
        if args.apply:
            details = {"subject": subject_hash(args.subject, key), "records": count}
            log.append("erasure", who, details)
        return 0
    today, client = datetime.now(UTC).date(), connect()
    for spec in config.models:
        card = config.datasets.get(spec.dataset)
        if card is None or card.retention_days is None:
            print(f"{spec.name}: its data card gives no retention period; nothing removed")
            continue
        days = expired_days(settings.prediction_log_dir, spec.name, card.retention_days, today)
        count = expire(days, args.apply)
        print(f"{spec.name}: {done} {count} records in {len(days)} days older than "
              f"{card.retention_days} days")  # fmt: skip
        if args.apply and days:
            details = {"days": [day.name for day in days], "records": count,
                       "retention_days": card.retention_days}  # fmt: skip
            log.append("retention", who, details, model=spec.name)
        # The same period holds for the copies of the training rows that runs stored.
        runs = expired_snapshots(client, spec.name, card.retention_days, datetime.now(UTC))
        print(f"{spec.name}: {done} the data snapshots of {len(runs)} training runs older "
              f"than {card.retention_days} days")  # fmt: skip
        if args.apply and runs:
            for run in runs:
                remove_snapshot(client, run)
            details = {"snapshots": [run.info.run_id for run in runs],
                       "retention_days": card.retention_days}  # fmt: skip
            log.append("retention", who, details, model=spec.name)
    return 0


def _slices(run_id: str) -> dict | None:
    """The slice scores training recorded, if the policy had a slice check then."""
    try:
        return mlflow.artifacts.load_dict(f"runs:/{run_id}/{SLICES_ARTIFACT}")
    except (MlflowException, OSError):
        return None


if __name__ == "__main__":
    sys.exit(main())
