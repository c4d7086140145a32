"""The held-out Lennard-Jones latent means, coloured by gamma."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from sklearn.decomposition import PCA

from fieldvae.core import style
from fieldvae.core.io import load_arrays

CAPTION = """\
**Lennard-Jones study, latent** (scale ``{scale}``; N = 30, L = 10, T = 0.75,
training gammas 0.1, 0.4, 0.7, 1.0).
Latent means of the held-out configurations on their two leading principal components, coloured by
gamma; the title gives the held-out R^2 of a linear regression of gamma on the latent means."""


def draw(test_latents: np.ndarray, test_gamma: np.ndarray, r2: float) -> plt.Figure:
    """Held-out latent means on their two leading principal components, coloured by gamma."""
    style.apply()
    pca = PCA(n_components=2).fit(test_latents)
    z = pca.transform(test_latents)
    fig, ax = plt.subplots(figsize=(style.TEXT_WIDTH * 0.5, style.TEXT_WIDTH * 0.42))
    points = ax.scatter(z[:, 0], z[:, 1], c=test_gamma, cmap="viridis", s=4, alpha=0.7, lw=0)
    fig.colorbar(points, ax=ax, label="$\\gamma$")
    explained = pca.explained_variance_ratio_
    ax.set(xlabel=f"PC1 ({explained[0]:.0%} of variance)", ylabel=f"PC2 ({explained[1]:.0%})",
           title=f"latent means (held out); $\\gamma$ from latents: $R^2$ = {r2:.2f}")
    return fig


def from_files(files: dict, options: dict) -> plt.Figure:
    """latents: latents.npz of `fieldvae lj encode`."""
    [path] = files["latents"]
    latents = load_arrays(path)[0]
    return draw(latents["test_latents"], latents["test_gamma"], float(latents["gamma_r2"]))
