"""The objectives study at a glance: per data set, the fraction of disentangled runs of every arm (an
objective at a weight, and the paper's two priors) with its 95% Wilson interval, and what each arm
pays in reconstruction (its mean training NLL per pixel) for the disentanglement it reaches."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.lines import Line2D

from fieldvae.core import style
from fieldvae.core.io import load_rows

CAPTION = """\
The objectives study at the {scale} scale. Left: per data set, the fraction of disentangled runs
of each arm, an objective's penalty on the standard prior at a weight (beta-TCVAE, FactorVAE,
InfoVAE-MMD, DIP-VAE-II where configured; a marker per objective) or one of the paper's priors
(squares), with 95% Wilson intervals; the arms marked * disentangle more often than the hierarchical
prior and those marked - less often (Holm-adjusted Boschloo tests). Right: each arm's mean final
training NLL per pixel against its fraction of disentangled runs (lower is better reconstruction)."""  # the report's caption ({scale}: the build's scale)

MARK = {"more often": " *", "less often": " -"}
MARKERS = {None: "s", "tcvae": "^", "factorvae": "D", "mmd": "v", "dip2": "P"}  # the paper's priors: squares


def draw(rows: list[dict]) -> plt.Figure:
    """rows: the objectives study table (one row per data set and arm)."""
    style.apply()
    datasets = list(dict.fromkeys(r["data"] for r in rows))
    ordered = [r for data in datasets for r in rows if r["data"] == data]
    fig, (left, right) = plt.subplots(1, 2, figsize=(style.TEXT_WIDTH, 1.2 + 0.22 * len(rows)), layout="constrained",
                                      width_ratios=[1.4, 1])
    positions = _positions(ordered)
    for y, r in zip(positions, ordered):
        share, color, marker = r["disentangled"] / r["runs"], f"C{datasets.index(r['data'])}", MARKERS.get(r["objective"], "o")
        left.errorbar(share, y, xerr=[[share - r["disentangled_low"]], [r["disentangled_high"] - share]],
                      fmt=marker, ms=4, capsize=2, color=color)
        if r["nll_per_pixel_mean"] is not None:
            right.plot(share, r["nll_per_pixel_mean"], marker, color=color)
    left.set_yticks(positions, [f"{r['data']}: {r['arm']}{MARK.get(r.get('against_hierarchical'), '')}" for r in ordered],
                    fontsize=7)
    for ax in (left, right):
        ax.set_xlim(-0.02, 1.02)
        ax.set_xlabel("fraction of runs disentangled")
    right.set_ylabel("final training NLL per pixel")
    shown = dict.fromkeys(r["objective"] for r in ordered)
    handles = ([Line2D([], [], color=f"C{i}", marker="o", ls="", label=data) for i, data in enumerate(datasets)]
               + [Line2D([], [], color="0.4", marker=MARKERS.get(o, "o"), ls="", label=o or "paper's prior") for o in shown])
    right.legend(handles=handles, fontsize=6, loc="best")
    return fig


def _positions(rows: list[dict]) -> list[float]:
    """The y of each row as drawn: one step per arm, half a step more between data sets."""
    positions, y = [], 0.0
    for i, r in enumerate(rows):
        y -= 0.5 if i and r["data"] != rows[i - 1]["data"] else 0.0
        positions.append(y)
        y -= 1
    return positions


def from_files(files: dict, options: dict) -> plt.Figure:
    """table: objectives_study.csv of `fieldvae objectives-study`."""
    return draw(load_rows(files["table"]))
