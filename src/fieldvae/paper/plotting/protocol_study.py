"""The protocol study at a glance: per data set and protocol, the fraction of disentangled and of
over-regularised runs of each prior with its 95% Wilson interval, and the test's p-value."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from fieldvae.core import style
from fieldvae.core.io import load_rows

CAPTION = """\
The protocol study at the {scale} scale: for each training protocol (changes to
the scale's schedules: share of reconstruction-only epochs, total epochs, learning rate) and data set
(mixture, shifted), the fraction of disentangled and of over-regularised runs of the standard and of
the hierarchical prior, with 95% Wilson intervals and Boschloo one-sided tests of the paper's
direction. The cost column is the training core-minutes of the cell."""  # the report's caption ({scale}: the build's scale)

PRIORS = (("standard", "standard prior", "s"), ("hierarchical", "hierarchical prior", "o"))
FLAGS = (("disentangled", "disentangled", "HP more often"), ("over_regularised", "over-regularised",
                                                              "standard more often"))


def draw(rows: list[dict]) -> plt.Figure:
    """rows: the protocol study table (one row per protocol and data set)."""
    style.apply()
    datasets = list(dict.fromkeys(r["data"] for r in rows))
    protocols = list(dict.fromkeys(r["protocol"] for r in rows))
    fig, axes = plt.subplots(len(FLAGS), len(datasets), figsize=(style.TEXT_WIDTH, 4.6), layout="constrained",
                             sharey=True, squeeze=False)
    x = np.arange(len(protocols))
    for col, data in enumerate(datasets):
        cell = {r["protocol"]: r for r in rows if r["data"] == data}
        for row_index, (flag, label, direction) in enumerate(FLAGS):
            ax = axes[row_index, col]
            for offset, (prior, name, marker) in zip((-0.1, 0.1), PRIORS):
                n = np.array([cell[p][f"{prior}_n"] for p in protocols], dtype=float)
                k = np.array([cell[p][f"{prior}_{flag}"] for p in protocols], dtype=float)
                low = np.array([cell[p][f"{prior}_{flag}_low"] for p in protocols])
                high = np.array([cell[p][f"{prior}_{flag}_high"] for p in protocols])
                ax.errorbar(x + offset, k / n, yerr=[k / n - low, high - k / n], fmt=marker, ms=4, capsize=2,
                            label=name)
            for i, p in enumerate(protocols):
                ax.annotate(f"p={cell[p][f'{flag}_p_holm']:.2g}", (x[i], 1.04), ha="center", fontsize=6)
            ax.set_xticks(x, protocols, fontsize=7)
            ax.set_ylim(-0.05, 1.12)
            ax.set_title(f"{data} data: {label} ({direction}?)", fontsize=8)
            if col == 0:
                ax.set_ylabel(f"fraction {label}")
    axes[0, 0].legend(fontsize=7, loc="center left")
    return fig


def from_files(files: dict, options: dict) -> plt.Figure:
    """table: protocol_study.csv of `fieldvae protocol-study`."""
    return draw(load_rows(files["table"]))
