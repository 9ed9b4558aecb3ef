"""`python -m <package>.registry promote | rollback | lineage`."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from mlflow import MlflowClient
from mlflow.entities.model_registry import ModelVersion
from mlflow.exceptions import MlflowException

from .. import project
from ..tracking.config import ModelsConfig, ModelSpec, load_config
from ..tracking.store import connect
from .lineage import lineage
from .promotion import Gate, promote, rollback

if TYPE_CHECKING:  # only governed projects have the governance component
    from ..governance.audit import AuditLog


def main(argv: list[str] | None = None) -> None:
    config = load_config()
    parser = argparse.ArgumentParser(prog="registry", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in [
        ("promote", "promote each challenger that the promotion policy allows"),
        ("rollback", "point champion back at the version it replaced"),
        ("lineage", "print what a version was built from and what happened to it"),
    ]:
        command = commands.add_parser(name, help=text)
        command.add_argument("--model", required=name != "promote", choices=config.names)
        if name == "lineage":
            command.add_argument("--version", help="default: the champion")
        else:
            actor = project.actor("PROMOTED_BY")
            command.add_argument("--by", default=actor, help="who acts (default: $PROMOTED_BY)")
    args = parser.parse_args(argv)

    client = connect()
    gate, audit = governance(config)
    if args.command == "lineage":
        try:
            print(json.dumps(lineage(client, args.model, args.version), indent=2))
        except (LookupError, MlflowException) as error:
            parser.exit(1, f"error: {error}\n")
    elif args.command == "rollback":
        outcome = rollback(client, args.model, args.by)
        print(outcome)
        if audit and outcome.changed:
            audit.append("rollback", args.by, {"reasons": outcome.reasons},
                         model=args.model, version=outcome.champion)  # fmt: skip
    else:
        specs = [config.get(args.model)] if args.model else config.models
        for spec in specs:
            outcome = promote(client, spec, args.by, gate)
            print(outcome)
            if audit and outcome.changed:
                audit.append("promotion", args.by, {"reasons": outcome.reasons},
                             model=spec.name, version=outcome.champion)  # fmt: skip


def governance(config: ModelsConfig) -> tuple[Gate | None, AuditLog | None]:
    """A governed project's promotion gate and audit log; nothing in any other project."""
    if "governance" not in project.profile().components:
        return None, None
    from ..governance.events import audit_log
    from ..governance.gate import requirements

    def gate(client: MlflowClient, spec: ModelSpec, version: ModelVersion) -> list[str]:
        return requirements(client, spec, version, config)

    return gate, audit_log()


if __name__ == "__main__":
    main()
