"""Command-line entry point `fieldvae`: every workflow step, runnable by hand.

Each subcommand takes all of its parameters explicitly, so the workflow's rules stay thin and a
job can be rerun outside Snakemake with the command line that Snakemake printed for it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fieldvae.darcy.cli import add_commands as add_darcy_commands
from fieldvae.lj.cli import add_commands as add_lj_commands

DEFAULT_SCHEMA = "workflow/schemas/config.schema.yaml"


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        args.run(args)
    except (ValueError, OSError) as err:  # a bad file or setting, a missing file, a full disk: no traceback
        print(f"fieldvae {args.command}: error: {err}", file=sys.stderr)
        return 2
    except ArithmeticError as err:  # training diverged
        print(f"fieldvae {args.command}: failed: {err}", file=sys.stderr)
        return 1
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fieldvae", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("check-config", help="validate a configuration file and report every problem")
    p.add_argument("config", type=Path, help="YAML configuration, e.g. config.yaml")
    p.add_argument("--schema", type=Path, default=Path(DEFAULT_SCHEMA), help=f"JSON schema (default: {DEFAULT_SCHEMA})")
    p.set_defaults(run=_check_config)

    add_darcy_commands(sub)
    add_lj_commands(sub)
    return parser


def _version() -> str:
    from fieldvae.core.provenance import code_version

    return code_version()["package_version"]


def _check_config(args: argparse.Namespace) -> None:
    from fieldvae.config import load_yaml, validate_config

    validate_config(load_yaml(args.config), args.schema)
    print(f"{args.config}: valid")


if __name__ == "__main__":
    sys.exit(main())
