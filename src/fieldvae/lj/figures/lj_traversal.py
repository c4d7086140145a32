"""Configurations decoded along the leading principal components of the Lennard-Jones latents."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from sklearn.decomposition import PCA

from fieldvae.core import style
from fieldvae.core.io import load_arrays
from fieldvae.lj.figures.drawing import configuration, recover

CAPTION = """\
**Lennard-Jones study, traversal** (scale ``{scale}``; N = 30, L = 10, T = 0.75,
training gammas 0.1, 0.4, 0.7, 1.0).
Configurations decoded along the two leading principal components of the latent means (training
set), at -2 to +2 standard deviations, recovered by MDS and the tumbler."""


def draw(model, train_latents: np.ndarray, box: float, steps=(-2, -1, 0, 1, 2)) -> plt.Figure:
    """Decoded configurations along the two leading principal components of the latent means,
    at multiples of each component's standard deviation from the mean."""
    import torch

    style.apply()
    pca = PCA(n_components=2).fit(train_latents)
    fig, axes = plt.subplots(2, len(steps), figsize=(style.TEXT_WIDTH, 3.0), squeeze=False, layout="constrained")
    for row, (component, spread) in enumerate(zip(pca.components_, np.sqrt(pca.explained_variance_))):
        z = pca.mean_ + np.outer(steps, component * spread)
        with torch.no_grad():
            decoded = model.decode(torch.from_numpy(z.astype(np.float32))).numpy()
        for ax, step, matrix in zip(axes[row], steps, decoded):
            configuration(ax, recover(matrix, box), box, color=f"C{row}")
            ax.set_title(f"PC{row + 1} {step:+d} sd")
    return fig


def from_files(files: dict, options: dict) -> plt.Figure:
    """model: model.pt of `fieldvae lj train`; data: the sample files it trained on; latents: its
    latents.npz of `fieldvae lj encode`."""
    from fieldvae.lj.training import load_trained

    [model], [latents] = files["model"], files["latents"]
    t = load_trained(model, files["data"])
    return draw(t.model, load_arrays(latents)[0]["train_latents"], t.box)
