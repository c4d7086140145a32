"""Names of runs: `seed<n>`, `beta<value>_seed<n>` (fixed-beta sweep), `labels<count>_seed<n>`
(semi-supervised sweep). One place for the format, used by the workflow, the CLI and the tables."""

from __future__ import annotations

import re
from typing import NamedTuple

PATTERN = r"(?:beta([0-9.e+-]+)_|labels(\d+)_)?seed(\d+)"  # groups: beta, labels, seed
PREFIX = {"betas": "beta", "labels": "labels"}  # sweep name -> prefix


class RunId(NamedTuple):
    beta: float | None
    labels: int | None
    seed: int


def parse(run: str) -> RunId:
    match = re.fullmatch(PATTERN, run)
    if match is None:
        raise ValueError(f"not a run id: {run!r} (expected seed<n>, beta<value>_seed<n> or labels<count>_seed<n>)")
    beta, labels, seed = match.groups()
    return RunId(None if beta is None else float(beta), None if labels is None else int(labels), int(seed))


def make(sweep: str | None, value, seed: int) -> str:
    return f"seed{seed}" if sweep is None else f"{PREFIX[sweep]}{value}_seed{seed}"


def one_percent_labels(counts, n_train: int) -> int | None:
    """The label count that stands for the paper's "around 1%" and "just over 1%" (C12, C15,
    figure 15): the smallest count of the sweep at or above 1% of the training set; None if none is."""
    return min((c for c in counts if c >= 0.01 * n_train), default=None)


def variant(run: str) -> str:
    """The run id without its seed: 'beta10', 'labels8', or '' for plain runs."""
    return re.sub(r"_?seed\d+$", "", run)
