"""A trained run at a glance (figures 6, 8, 9, 11, 12, 15): a test sample and its reconstruction,
the aggregated posterior next to the model's prior p(z) (the learned one for the hierarchical prior)
and p(theta), and the latent means against the factors. With several runs, the one shown is the best
by S_D, and a strip shows S_D of them all."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from fieldvae.core import style
from fieldvae.core.metrics.s_d import s_d, s_d_of_factors
from fieldvae.darcy.plotting import panels


def draw(runs: list[dict], title: str) -> plt.Figure:
    """runs: latents of each run (the arrays of latents.npz, prior samples included) with a 'name'."""
    style.apply()
    scores = [s_d(r["mu_test"], r["theta_test"]) for r in runs]
    best = runs[int(np.argmax(scores))]
    several = len(runs) > 1
    fig = plt.figure(figsize=(style.TEXT_WIDTH, 6.4), layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=[1.1, 1])
    left, right = top.subfigures(1, 2, width_ratios=[1.25, 1])
    shown = f"{best['name']}" + (f" (best S_D of {len(runs)} runs)" if several else "")
    fig.suptitle(f"{title}: {shown}", fontsize=9)
    panels.reconstruction(left.subplots(3, 3), best["fields_examples"][0], best["reconstruction_examples"][0], left)
    scatter_axes = right.subplots(2, 2)
    panels.factor_scatter(scatter_axes, best["mu_test"], best["theta_test"])
    factors = s_d_of_factors(best["theta_test"])
    right.suptitle(f"latent means vs factors\n$S_D$ = {max(scores):.2f} ($\\theta$ itself: {factors:.2f})", fontsize=8)
    axes = bottom.subplots(1, 4 if several else 3)
    prior = best["prior_samples"]
    panels.latent_density(axes[0], best["mu_test"], best["logvar_test"], "aggregated posterior q(z)", reference=prior)
    panels.sample_density(axes[1], prior, "prior p(z) (samples)", labels=("$z_1$", "$z_2$"))
    panels.sample_density(axes[2], best["theta_test"], r"$p(\theta)$ (test set)")
    if several:
        ax = axes[3]
        ax.scatter(np.arange(len(scores)), np.sort(scores)[::-1], s=10)
        ax.axhline(factors, color="k", lw=0.8, ls="--", label=r"$\theta$ itself")
        ax.set_xlabel("run (sorted)")
        ax.set_ylabel("$S_D$")
        ax.set_ylim(0.45, 1.0)
        ax.set_title("disentanglement of every run")
        ax.legend(fontsize=7)
    return fig
