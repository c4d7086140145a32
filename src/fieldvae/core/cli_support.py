"""What every `fieldvae` command module shares: JSON settings options, the options of training
commands, and the parameters a command records in the provenance of what it writes."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path


def json_settings(text: str) -> dict:
    """argparse type of options such as --model '{"prior": "hierarchical"}'."""
    try:
        value = json.loads(text)
    except ValueError as err:  # not JSON, or a number of more than 4300 digits
        shown = text if len(text) <= 80 else f"{text[:77]}..."
        raise argparse.ArgumentTypeError(f"not valid JSON ({str(err)[:120]}): {shown!r}") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError(f"expected a JSON object of settings, got {text!r}")
    return value


def finite_float(text: str) -> float:
    """argparse type of number options: NaN and infinities are refused by name, not computed with."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def add_training_options(p: argparse.ArgumentParser) -> None:
    """The options every training command shares: device, threads, compile cache, output folder."""
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto", help="auto: CUDA when present")
    p.add_argument("--threads", type=int, default=0, help="CPU threads for PyTorch (0: its default)")
    p.add_argument("--compile-cache", type=Path, help="folder of compiled kernels shared by every job of a build "
                   "(when the training settings compile; default: Inductor's own)")
    p.add_argument("--out-dir", type=Path, required=True, help="writes model.pt and history.csv here")


def recorded_params(args: argparse.Namespace) -> dict:
    """The command's parameters, as recorded in the provenance of what it writes."""
    def plain(v):
        return [plain(x) for x in v] if isinstance(v, list) else str(v) if isinstance(v, Path) else v

    return {k: plain(v) for k, v in vars(args).items() if k not in {"run", "out"}}
