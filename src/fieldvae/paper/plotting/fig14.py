"""Figure 14: disentanglement against the labelled/unlabelled ratio (mean with min-max band over the
trials), and the final training losses against the number of labels. Both log axes are ticked at the
label counts the runs have, and name them."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import NullLocator

from fieldvae.core import style
from fieldvae.paper.runs import run_folder

CAPTION = """\
**Figure 14** (scale ``{scale}``): left, S_D against the ratio of
labelled to unlabelled samples (mean and min-max band over trials; dashed: S_D of theta against
itself on the test set, a reference); right, the final training loss terms against the label count.
Every labelled sample is in every minibatch, so the label term's weight does not depend on the count,
and one seed's label sets are nested across counts: differences along the sweep are the counts'
alone. The paper: about 1% labels gives consistently good disentanglement and the losses do not
depend on the label count."""  # the report's caption ({scale}: the build's scale)


def draw(runs: list[dict], n_unlabelled: int) -> plt.Figure:
    """runs: per run a dict with 'labels', 's_d', 's_d_factors' and its 'history'. Diverged runs have
    no scores and are left out (the label table counts them)."""
    runs = [r for r in runs if not r.get("diverged")]
    style.apply()
    fig, (left, right) = plt.subplots(1, 2, figsize=(style.TEXT_WIDTH, 2.8), layout="constrained")
    counts = sorted({r["labels"] for r in runs})
    ratio = np.array(counts) / n_unlabelled
    s_d = [[r["s_d"] for r in runs if r["labels"] == c] for c in counts]
    left.fill_between(ratio, [min(v) for v in s_d], [max(v) for v in s_d], alpha=0.3, label="min-max")
    left.plot(ratio, [np.mean(v) for v in s_d], "o-", label="mean")
    left.axhline(np.mean([r["s_d_factors"] for r in runs]), color="k", lw=0.8, ls="--", label=r"$S_D$ of $\theta$ itself")
    _tick_counts(left, ratio, [f"{c}/{n_unlabelled}" for c in counts])
    left.set_xlabel("labelled / unlabelled samples")
    left.set_ylabel("$S_D$")
    left.legend(fontsize=7)
    for key, label in (("nll_per_pixel", "NLL per pixel"), ("reg_per_latent", "regulariser per latent")):
        finals = [[r["history"][key][-1] for r in runs if r["labels"] == c] for c in counts]
        right.errorbar(counts, [np.mean(v) for v in finals], yerr=[np.std(v) for v in finals], fmt="o-", label=label)
    _tick_counts(right, counts, [str(c) for c in counts])
    right.set_xlabel("labels")
    right.set_ylabel("final training loss term")
    right.legend(fontsize=7)
    return fig


def _tick_counts(ax, positions, labels) -> None:
    """A log axis ticked only where runs are: a short decade's default minor labels (2x10^-3, 3x10^-3,
    ...) print over each other; neighbouring counts alternate between two rows so theirs never do."""
    ax.set_xscale("log")
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xticks(positions, labels)
    for tick in ax.xaxis.get_major_ticks()[1::2]:
        tick.set_pad(tick.get_pad() + tick.label1.get_fontsize())


def from_files(files: dict, options: dict) -> plt.Figure:
    """runs: metrics.json of each run of the label sweep (its history.csv beside it); option
    n_unlabelled: the training-set size (the ratio's denominator)."""
    return draw([run_folder(Path(p).parent) for p in files["runs"]], options["n_unlabelled"])
