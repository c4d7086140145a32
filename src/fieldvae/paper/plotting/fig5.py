"""Figure 5: loss and disentanglement along the line between two trained models that differ only in
their initialisation (seed)."""

from __future__ import annotations

import matplotlib.pyplot as plt

from fieldvae.core import style
from fieldvae.core.io import load_rows

CAPTION = """\
**Figure 5** (scale ``{scale}``): the loss (left axis) and S_D on the
test set (right axis) along the straight line between two trained runs of the standard experiment
that differ only in their seed. S_D is taken as the metrics take it: posterior means in eval mode,
with the parameters and the BatchNorm running statistics interpolated alike, so its ends are the two
runs' own S_D. The loss uses the evaluated batch's statistics (train mode), as in figure 3."""  # the report's caption ({scale}: the build's scale)


def draw(rows: list[dict]) -> plt.Figure:
    style.apply()
    fig, ax = plt.subplots(figsize=(style.TEXT_WIDTH / 2, 2.6), layout="constrained")
    t = [r["t"] for r in rows]
    ax.plot(t, [r["loss"] for r in rows], "o-", ms=3, color="C0")
    ax.set_yscale("symlog", linthresh=10)
    ax.set_xlabel("t (0: first run, 1: second run)")
    ax.set_ylabel("loss (clipped at 1000)", color="C0")
    twin = ax.twinx()
    twin.plot(t, [r["s_d"] for r in rows], "s--", ms=3, color="C1")
    twin.set_ylabel("$S_D$", color="C1")
    twin.set_ylim(0.45, 1.0)
    return fig


def from_files(files: dict, options: dict) -> plt.Figure:
    """between: between.csv of `fieldvae landscape between`."""
    return draw(load_rows(files["between"]))
