"""Command-line entry point `fieldvae`: every workflow step, runnable by hand.

Each subcommand takes all of its parameters explicitly, so the workflow's rules stay thin and a
job can be rerun outside Snakemake with the command line that Snakemake printed for it.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path

from fieldvae.darcy.cli import add_commands as add_darcy_commands
from fieldvae.figure_command import add_command as add_figure_command
from fieldvae.lj.cli import add_commands as add_lj_commands
from fieldvae.paper.cli import add_commands as add_paper_commands
from fieldvae.vae.cli import add_commands as add_vae_commands

DEFAULT_SCHEMA = "workflow/schemas/config.schema.yaml"


def main(argv: list[str] | None = None) -> int:
    """Run one command. Every failure ends in lines that start `fieldvae COMMAND: error:` and name the
    file, key or setting (exit status 2), or `failed:` for a training run that diverged (1); with
    --debug or FIELDVAE_DEBUG=1 the traceback comes first."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        for option in ("out", "csv", "md", "calibration_csv", "calibration_md"):
            path = getattr(args, option, None)
            if isinstance(path, Path) and path.is_dir():
                raise ValueError(f"--{option.replace('_', '-')} {path}: a folder; expected the path of the file to write")
        args.run(args)
    except Exception as err:
        if args.debug or os.environ.get("FIELDVAE_DEBUG", "0") not in ("", "0"):
            traceback.print_exc()
        diverged = isinstance(err, ArithmeticError)  # the trainer's TrainingDiverged
        for line in error_lines(err):
            print(f"fieldvae {args.command}: {'failed' if diverged else 'error'}: {line}", file=sys.stderr)
        return 1 if diverged else 2
    return 0


def error_lines(err: Exception) -> list[str]:
    """What a failure says, a line per problem. Errors the code raises on purpose (ValueError, OSError)
    say what was expected; anything else is a bug or an input this version does not check yet, and says so."""
    lines = getattr(err, "problems", None) or str(err).splitlines() or [type(err).__name__]
    if isinstance(err, (ValueError, OSError, ArithmeticError)):
        return lines
    if isinstance(err, MemoryError):
        return [f"out of memory ({lines[0]}); expected inputs and settings that fit this machine"]
    return [f"unexpected {type(err).__name__}: {lines[0]} (a bug, or an input this version does not check: "
            "please report it with the output of --debug)"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fieldvae", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    parser.add_argument("--debug", action="store_true",
                        help="show the traceback of a failure (or set FIELDVAE_DEBUG=1)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("check-config", help="validate a configuration file and report every problem")
    p.add_argument("config", type=Path, help="YAML configuration, e.g. config.yaml")
    p.add_argument("--schema", type=Path, default=Path(DEFAULT_SCHEMA), help=f"JSON schema (default: {DEFAULT_SCHEMA})")
    p.set_defaults(run=_check_config)

    p = sub.add_parser("config-reference", help="write the configuration reference (docs/configuration.md) "
                       "from the schema")
    p.add_argument("--schema", type=Path, default=Path(DEFAULT_SCHEMA), help=f"JSON schema (default: {DEFAULT_SCHEMA})")
    p.add_argument("--out", type=Path, default=Path("docs/configuration.md"))
    p.set_defaults(run=_config_reference)

    add_darcy_commands(sub)
    add_vae_commands(sub)
    add_paper_commands(sub)
    add_figure_command(sub)
    add_lj_commands(sub)
    return parser


def _version() -> str:
    from fieldvae.core.provenance import code_version

    return code_version()["package_version"]


def _check_config(args: argparse.Namespace) -> None:
    from fieldvae.config import load_yaml, validate_config

    if not args.schema.is_file():
        raise FileNotFoundError(f"--schema {args.schema}: no schema file (the default is relative to the repository "
                                "root: run there, or pass --schema)")
    validate_config(load_yaml(args.config), args.schema)
    print(f"{args.config}: valid")


def _config_reference(args: argparse.Namespace) -> None:
    from fieldvae.config import load_schema
    from fieldvae.config_reference import reference
    from fieldvae.core.io import atomic_path

    with atomic_path(args.out) as tmp:
        Path(tmp).write_text(reference(load_schema(args.schema)), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    sys.exit(main())
