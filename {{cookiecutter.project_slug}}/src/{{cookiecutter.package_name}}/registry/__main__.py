"""`python -m <package>.registry promote | rollback | lineage`."""

from __future__ import annotations

import argparse
import getpass
import json
import os

from mlflow.exceptions import MlflowException

from ..tracking.config import load_config
from ..tracking.store import connect
from .lineage import lineage
from .promotion import promote, rollback


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
            actor = os.environ.get("PROMOTED_BY") or getpass.getuser()
            command.add_argument("--by", default=actor, help="who acts (default: $PROMOTED_BY)")
    args = parser.parse_args(argv)

    client = connect()
    if args.command == "lineage":
        try:
            print(json.dumps(lineage(client, args.model, args.version), indent=2))
        except (LookupError, MlflowException) as error:
            parser.exit(1, f"error: {error}\n")
    elif args.command == "rollback":
        print(rollback(client, args.model, args.by))
    else:
        specs = [config.get(args.model)] if args.model else config.models
        for spec in specs:
            print(promote(client, spec, args.by))


if __name__ == "__main__":
    main()
