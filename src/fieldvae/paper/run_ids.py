"""Names of runs: `seed<n>`, `beta<value>_seed<n>` (fixed-beta sweep), `labels<count>_seed<n>`
(semi-supervised sweep). One place for the format; a name is made from a planned run
(fieldvae.paper.plan) and never parsed back for its numbers (those are the run's stored settings)."""

from __future__ import annotations

PATTERN = r"(?:beta[0-9.e+-]+_|labels\d+_)?seed\d+"  # the workflow's wildcard `run`
PREFIX = {"betas": "beta", "labels": "labels"}  # sweep name -> prefix


def make(sweep: str | None, value, seed: int) -> str:
    return f"seed{seed}" if sweep is None else f"{PREFIX[sweep]}{value}_seed{seed}"


def one_percent_labels(counts, n_train: int) -> int | None:
    """The label count that stands for the paper's "around 1%" and "just over 1%" (C12, C15,
    figure 15): the smallest count of the sweep at or above 1% of the training set; None if none is."""
    return min((c for c in counts if c >= 0.01 * n_train), default=None)


def variant(row: dict) -> str:
    """A run's sweep value as its name shows it, from its settings (a table row): 'beta10', 'labels8',
    or '' for plain runs."""
    if row.get("beta") is not None:
        return f"beta{repr(float(row['beta'])).removesuffix('.0')}"
    return f"labels{int(row['labels'])}" if row.get("labels") is not None else ""
