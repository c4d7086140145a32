"""Where the codes of the protocol study's runs sit: histograms of the code angle (how far the latent
means point from the factor axes, fieldvae.core.metrics.code_angle) of failed and disentangled runs,
per data set and prior, with the band within NEAR_45_DEGREES of 45 and the test of the failures
there against the rule's simulated null."""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from fieldvae.core import style
from fieldvae.core.io import load_rows
from fieldvae.paper.margins import NEAR_45_DEGREES
from fieldvae.paper.protocol_study import code_angles
from fieldvae.paper.rule_calibration import null_shares

CAPTION = """\
Where the codes of the protocol study's runs sit at the {scale} scale: the code
angle of every run (how far its latent means point from the factor axes) per data set and prior, pooled
over the protocols, stacked for runs that failed without over-regularising and for disentangled runs. The
shaded band is within 15 degrees of 45, where the paper places the failures. Each title gives the failures
in the band and the exact binomial p of "more often than the null": the share of the rule's failures in the
band among codes at uniform random angles on the same data, simulated through the same rule
(``results/<scale>/tables/rule_null.csv``), since a failure is defined by the rule itself."""  # the report's caption ({scale}: the build's scale)

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


def from_files(files: dict, options: dict) -> plt.Figure:
    """tables: metrics tables of the study's experiments; rule_null: rule_null.csv of `fieldvae
    rule-calibration`; options study and schedules: the protocol_study section of config.yaml and every
    pair's schedule names."""
    rows = code_angles(options["study"], options["schedules"], {Path(p).stem: load_rows([p]) for p in files["tables"]},
                       null_shares(files["rule_null"][0]))
    for r in rows:
        print(f"{r['data']}, {r['prior']}: {r['near_45']}/{r['failed']} failed runs near 45 degrees "
              f"(p = {r['p_near_45']}), {len(r['disentangled_angles'])} disentangled", file=sys.stderr)
    return draw(rows)
