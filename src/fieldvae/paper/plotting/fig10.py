"""Figure 10: rotating the latent space of a trained hierarchical-prior model. Reconstruction stays,
the regulariser and the disentanglement change; dashed, what the nearest diagonal (factorised)
posterior would pay at each angle."""

from __future__ import annotations

import matplotlib.pyplot as plt

from fieldvae.core import style
from fieldvae.core.io import load_rows
from fieldvae.paper.runs import run_name

CAPTION = """\
**Figure 10** (scale ``{scale}``): the latent space of trained
hierarchical-prior models on mixture data rotated by an angle (encoder followed by the rotation,
decoder preceded by its inverse), evaluated on the test set with the same noise at every angle.
Solid: the exactly rotated posterior N(R mu, R Sigma R^T); its reconstruction does not change, its
regulariser changes only because the hierarchical prior is not rotation invariant (for N(0, I) it
would not change at all). Dashed: the nearest posterior a factorised encoder can express,
N(R mu, diag(R Sigma R^T)), with the same marginals and more entropy; its regulariser and its
reconstruction are what a trained model would pay at that angle, the trade-off that aligns the axes.
Right: S_D of the rotated posterior means. Strong lines: the run with the highest S_D unrotated."""  # the report's caption ({scale}: the build's scale)


def draw(runs: list[dict]) -> plt.Figure:
    """runs: per run a 'name' and its rows (angle, nll_per_pixel[_diagonal], reg_per_latent[_diagonal],
    s_d); the run with the highest S_D at angle 0 is drawn strongly, the others faintly, and runs that
    diverged (one row with `diverged_epoch`) not at all."""
    style.apply()
    runs = [run for run in runs if "diverged_epoch" not in run["rows"][0]]
    if not runs:
        raise ValueError("figure 10: every rotated run diverged; nothing to draw")
    best = max(runs, key=lambda r: r["rows"][0]["s_d"])
    fig, axes = plt.subplots(1, 3, figsize=(style.TEXT_WIDTH, 2.7), layout="constrained")
    for key, ax, label in zip(("nll_per_pixel", "reg_per_latent", "s_d"), axes,
                              ("NLL per pixel", "regulariser per latent", "$S_D$")):
        for run in runs:
            strong = run is best
            angles = [r["angle"] for r in run["rows"]]
            ax.plot(angles, [r[key] for r in run["rows"]], "o-" if strong else "-",
                    color="C0" if strong else "0.7", lw=1.2 if strong else 0.6, ms=3, zorder=3 if strong else 1,
                    label=f"{best['name']}: rotated posterior" if strong else None)
            if key != "s_d":
                ax.plot(angles, [r[f"{key}_diagonal"] for r in run["rows"]], "--", color="C1" if strong else "0.8",
                        lw=1.0 if strong else 0.5, zorder=2 if strong else 1,
                        label="nearest diagonal posterior" if strong else None)
        ax.set_xlabel("rotation angle (degrees)")
        ax.set_ylabel(label)
        ax.set_xticks([0, 45, 90])
    fig.legend(*axes[1].get_legend_handles_labels(), loc="outside lower center", ncol=2, fontsize=7)
    return fig


def from_files(files: dict, options: dict) -> plt.Figure:
    """rotations: rotation.csv of one or more runs."""
    return draw([{"name": run_name(p), "rows": load_rows([p])} for p in files["rotations"]])
