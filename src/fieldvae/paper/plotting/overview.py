"""A trained run at a glance (figures 6, 8, 9, 11, 12, 15, and every experiment on your own fields): a
test sample and its reconstruction, the aggregated posterior next to the model's prior p(z) (the
learned one for the hierarchical prior) and p(theta), and the latent means against the factors. With
several runs, the one shown is the best by S_D, and a strip shows S_D of them all."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from fieldvae.core import style
from fieldvae.core.io import load_arrays
from fieldvae.paper.plotting import panels
from fieldvae.paper.runs import run_name, scores

CAPTION = """\
**Figure {number}** ({title}, scale ``{scale}``).
Top left: the first test sample (pressure and velocities), its reconstruction from the posterior
mean, and the error. Top right: posterior means of the two latents against the two generative
factors on the test set. Bottom: the aggregated posterior q(z) (exact Gaussian mixture over the
test set; dots: samples of the model's prior), the prior p(z) itself (samples z ~ p(z | xi),
xi ~ N(0, I) for the learned hierarchical prior), p(theta) on the test set, and, with several runs,
S_D of every run next to the S_D of theta against itself on the test set (a reference, not an upper
bound). The run shown is the one with the highest S_D. {description}"""  # the report's caption ({scale}: the build's scale)


def draw(runs: list[dict], title: str) -> plt.Figure:
    """runs: latents of each run (the arrays of latents.npz, prior samples included) with a 'name' and
    the run's scores 's_d' and 's_d_factors' (its metrics.json: drawn, never recomputed here).
    A dataset without factors (a user's own fields) gets the reconstruction and the latent densities
    only, and the first run is shown; a single factor has no p(theta) panel. Runs that diverged (latents
    with only `diverged_epoch`) have nothing to show; the title counts them."""
    style.apply()
    diverged = sum("diverged_epoch" in r for r in runs)
    runs = [r for r in runs if "diverged_epoch" not in r]
    if not runs:
        raise ValueError(f"{title}: every run diverged; nothing to draw")
    factors = runs[0]["theta_test"].shape[1]
    s_ds = [r["s_d"] for r in runs] if factors else None
    best = runs[int(np.argmax(s_ds))] if factors else runs[0]
    several = factors and len(runs) > 1
    channels = best["channel_names"].tolist() if "channel_names" in best else ["$p$", "$u_x$", "$u_y$"]
    names = best["factor_names"].tolist() if "factor_names" in best else None
    fig = plt.figure(figsize=(style.TEXT_WIDTH, 3.2 + 1.1 * max(len(channels), 2 if factors else 0)), layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=[max(len(channels), 2) / 2.7, 1])
    left, right = top.subfigures(1, 2, width_ratios=[1.25, 1]) if factors else (top, None)
    shown = f"{best['name']}" + (f" (best S_D of {len(runs)} runs)" if several else "")
    shown += f"; {diverged} diverged" if diverged else ""
    fig.suptitle(f"{title}: {shown}", fontsize=9)
    panels.reconstruction(left.subplots(len(channels), 3, squeeze=False), best["fields_examples"][0],
                          best["reconstruction_examples"][0], left, channels)
    if factors:
        n_latent = best["mu_test"].shape[1]
        panels.factor_scatter(right.subplots(n_latent, factors, squeeze=False), best["mu_test"], best["theta_test"],
                              names=names)
        right.suptitle(f"latent means vs factors\n$S_D$ = {max(s_ds):.2f} ($\\theta$ itself: "
                       f"{best['s_d_factors']:.2f})", fontsize=8)
    axes = bottom.subplots(1, 2 + (factors >= 2) + bool(several))
    prior = best["prior_samples"]
    panels.latent_density(axes[0], best["mu_test"], best["logvar_test"], "aggregated posterior q(z)", reference=prior)
    panels.sample_density(axes[1], prior, "prior p(z) (samples)", labels=("$z_1$", "$z_2$"))
    if factors >= 2:
        panels.sample_density(axes[2], best["theta_test"], r"$p(\theta)$ (test set)",
                              labels=tuple(names[:2]) if names else (r"$\theta_1$", r"$\theta_2$"))
    if several:
        ax = axes[-1]
        ax.scatter(np.arange(len(s_ds)), np.sort(s_ds)[::-1], s=10)
        ax.axhline(best["s_d_factors"], color="k", lw=0.8, ls="--", label=r"$\theta$ itself")
        ax.set_xlabel("run (sorted)")
        ax.set_ylabel("$S_D$")
        ax.set_ylim(0.45, 1.0)
        ax.set_title("disentanglement of every run")
        ax.legend(fontsize=7)
    return fig


def from_files(files: dict, options: dict) -> plt.Figure:
    """latents: latents.npz of one or more runs, each beside its metrics.json; option title."""
    runs = []
    for path in files["latents"]:
        run_scores = scores(Path(path).parent)
        runs.append({**load_arrays(path)[0], "s_d": run_scores["s_d"], "s_d_factors": run_scores["s_d_factors"],
                     "name": run_name(path)})
    return draw(runs, options["title"])
