"""`python -m <package>.registry promote | rollback | lineage`."""

from __future__ import annotations

import argparse
import json

from mlflow.exceptions import MlflowException

from .. import project
from ..models_config import load_config
from ..tracking.store import connect
from .lineage import lineage
from .promotion import Oversight, promote, rollback

PACKAGE = __package__.rpartition(".")[0]


def main(argv: list[str] | None = None, oversight: Oversight | None = None) -> None:
    """Run one command; `oversight` is what a governed project adds to promotion and rollback."""
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
    if args.command == "lineage":
        try:
            print(json.dumps(lineage(client, args.model, args.version), indent=2))
        except (LookupError, MlflowException) as error:
            parser.exit(1, f"error: {error}\n")
        return
    if oversight is None:
        # Without its gate and audit, a governed project's champion would change unchecked.
        if "governance" in project.profile().components:
            parser.exit(2, f"error: use `python -m {PACKAGE}.governance {args.command}`\n")
        oversight = Oversight()
    if args.command == "rollback":
        outcome = rollback(client, args.model, args.by)
        print(outcome)
        if outcome.changed:
            oversight.record("rollback", args.by, outcome)
    else:
        specs = [config.get(args.model)] if args.model else config.models
        for spec in specs:
            outcome = promote(client, spec, args.by, oversight.gate)
            print(outcome)
            if outcome.changed:
                oversight.record("promotion", args.by, outcome)


if __name__ == "__main__":
    main()
