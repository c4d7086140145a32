"""The disentangled rule's decision curves (fieldvae.paper.rule_calibration): the fraction of
synthetic codes it passes against their angle, per data set (panels), noise level (colour) and
warp (line style), with the rule's cut and the band of +-5 degrees every curve should flip in."""

from __future__ import annotations

import matplotlib.pyplot as plt

from fieldvae.core import style
from fieldvae.core.io import load_rows
from fieldvae.core.metrics.disentangled import MAX_CODE_ANGLE
from fieldvae.paper.rule_calibration import FLIP_TOLERANCE

CAPTION = """\
The disentangled rule on synthetic codes of known angle (scale ``{scale}``): each data
set's own test factors, rotated by a chosen angle, with noise of 0.02 to 0.5 factor standard deviations, through
monotone warps (linear, exp, tanh). The fraction of codes the rule passes against their angle; the rule's cut
(15 degrees) and the band of +-5 degrees in which every curve should flip, on every data set and noise level.
The table beside it (``results/<scale>/tables/rule_calibration.md``) gives each curve's flip angle and the null
of "failures sit near 45 degrees" that C5 and the protocol study test against."""  # the report's caption ({scale}: the build's scale)

LINES = {"linear": "-", "exp": "--", "tanh": ":"}


def draw(curves: list[dict]) -> plt.Figure:
    """curves: rows of `fieldvae.paper.rule_calibration.decision_curves`."""
    style.apply()
    datasets = list(dict.fromkeys(r["data"] for r in curves))
    noises = sorted({r["noise"] for r in curves})
    fig, axes = plt.subplots(1, len(datasets), figsize=(style.TEXT_WIDTH, 2.6), layout="constrained", sharey=True,
                             squeeze=False)
    for ax, data in zip(axes[0], datasets):
        ax.axvspan(MAX_CODE_ANGLE - FLIP_TOLERANCE, MAX_CODE_ANGLE + FLIP_TOLERANCE, color="0.92", zorder=0)
        ax.axvline(MAX_CODE_ANGLE, color="k", lw=0.8)
        for i, noise in enumerate(noises):
            for warp, line in LINES.items():
                points = sorted((r["angle"], r["pass_rate"]) for r in curves
                                if r["data"] == data and r["noise"] == noise and r["warp"] == warp)
                if points:
                    ax.plot(*zip(*points), line, color=f"C{i}", lw=1.0,
                            label=f"noise {noise:g}" if warp == "linear" else None)
        ax.set_title(f"{data} factors", fontsize=8)
        ax.set_xlabel("angle of the code (degrees)")
        ax.set_xlim(0, 45)
    axes[0, 0].set_ylabel("fraction passed")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, [f"{label} (solid: linear, dashed: exp, dotted: tanh warp)" if i == 0 else label
                         for i, label in enumerate(labels)], loc="outside lower center", ncols=len(noises), fontsize=6)
    return fig


def from_files(files: dict, options: dict) -> plt.Figure:
    """curves: rule_calibration.csv of `fieldvae rule-calibration`."""
    return draw(load_rows(files["curves"]))
