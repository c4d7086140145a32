"""`fieldvae figure NAME`: draw any figure of the figure registry from its input files.

A figure is one plotting module with `from_files(files, options)` and a `CAPTION`, in one of the
figure packages: the paper's (`fieldvae.paper.plotting`) or the Lennard-Jones study's
(`fieldvae.lj.figures`). A name belongs to one package only (a test keeps it so), so the command
line and the workflow's registry name a figure by its module's name alone.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from fieldvae.core.fingerprint import module_file

FIGURE_PACKAGES = ("fieldvae.paper.plotting", "fieldvae.lj.figures")


def module_name(figure: str) -> str:
    """The full name of figure `figure`'s plotting module, found by its file (nothing is imported, so
    the workflow can ask while it parses)."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", figure):
        raise ValueError(f"figure {figure!r}: expected the name of a plotting module")
    for name in (f"{package}.{figure}" for package in FIGURE_PACKAGES):
        try:
            module_file(name)
            return name
        except ValueError:  # not in this package
            continue
    raise ValueError(f"figure {figure!r}: no such figure (no module {figure} in {' or '.join(FIGURE_PACKAGES)})")


def add_command(sub) -> None:
    p = sub.add_parser("figure", help="draw a figure of the registry from its input files")
    p.add_argument("figure", metavar="NAME",
                   help="its plotting module, in fieldvae.paper.plotting (fig1, fig3, fig4, fig5, fig7, fig10, fig13, "
                        "fig14, overview, rule_calibration, protocol_study, protocol_angles, objectives_study) or "
                        "fieldvae.lj.figures (lj_samples, lj_physics, lj_reconstruction, lj_traversal, lj_latent, "
                        "lj_anomaly)")
    p.add_argument("--input", dest="inputs", action="append", default=[], type=_key_value, metavar="KEY=PATH",
                   help="an input file under its key (the module's from_files says which); repeat for several")
    p.add_argument("--option", dest="options", action="append", default=[], type=_key_value, metavar="KEY=VALUE",
                   help="an option (VALUE read as JSON where it is JSON, else as text); repeat for several")
    p.add_argument("--out", type=Path, required=True, help="output figure (.pdf, .png, .svg)")
    p.set_defaults(run=_figure)


def _key_value(text: str) -> str:
    """argparse type of --input and --option: KEY=VALUE with a plain key."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*=.+", text):
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE with a lowercase key, got {text!r}")
    return text


def _figure(args: argparse.Namespace) -> None:
    import importlib

    from fieldvae.core.style import save_figure

    name = module_name(args.figure)
    module = importlib.import_module(name)  # by name: one figure's code each
    if not hasattr(module, "from_files"):
        raise ValueError(f"figure {args.figure!r}: no such figure ({name} has no from_files)")
    files, options = _Given(args.figure, "--input"), _Given(args.figure, "--option")
    for key, path in (item.split("=", 1) for item in args.inputs):
        files.setdefault(key, []).append(Path(path))
    for key, value in (item.split("=", 1) for item in args.options):
        try:
            options[key] = json.loads(value)
        except ValueError:
            options[key] = value
    save_figure(module.from_files(files, options), args)


class _Given(dict):
    """A figure's inputs or options: one it needs and was not given is named in the error."""

    def __init__(self, figure: str, option: str):
        super().__init__()
        self.figure, self.option = figure, option

    def __missing__(self, key):
        raise ValueError(f"figure {self.figure}: expected {self.option} {key}=..., not given")
