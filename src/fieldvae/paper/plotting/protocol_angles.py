"""Where the codes of the protocol study's runs sit: histograms of the code angle (how far the latent
means point from the factor axes, fieldvae.core.metrics.code_angle) of failed and disentangled runs,
per data set and prior, with the band within NEAR_45_DEGREES of 45 and the test of the failures
there against the rule's simulated null."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from fieldvae.core import style
from fieldvae.paper.margins import NEAR_45_DEGREES

BINS = np.linspace(0, 90, 19)


def draw(rows: list[dict]) -> plt.Figure:
    """rows: `fieldvae.paper.protocol_study.code_angles`."""
    style.apply()
    datasets = list(dict.fromkeys(r["data"] for r in rows))
    fig, axes = plt.subplots(2, len(datasets), figsize=(style.TEXT_WIDTH, 4.2), layout="constrained", sharex=True,
                             squeeze=False)
    for col, data in enumerate(datasets):
        for row_index, r in enumerate(r for r in rows if r["data"] == data):
            ax = axes[row_index, col]
            ax.hist([r["failed_angles"], r["disentangled_angles"]], bins=BINS, stacked=True,
                    label=["failed (not over-regularised)", "disentangled"], color=["C3", "C2"])
            ax.axvspan(45 - NEAR_45_DEGREES, 45 + NEAR_45_DEGREES, color="0.9", zorder=0)
            p = "" if r["p_near_45"] is None else f", null {r['null_share']:.2f}, p = {r['p_near_45']:.2g}"
            ax.set_title(f"{data}, {r['prior']} prior: {r['near_45']}/{r['failed']} failed near 45°{p}", fontsize=8)
            ax.set_ylabel("runs")
        axes[-1, col].set_xlabel("code angle (degrees)")
    axes[0, 0].legend(fontsize=6)
    return fig
