"""Held-out Lennard-Jones configurations through the model: input and decoded distance matrices, and
the coordinates recovered from the decoded one."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from fieldvae.core import style
from fieldvae.lj.figures.drawing import configuration, recover
from fieldvae.lj.geometry import sort_by_corner, tumble

CAPTION = """\
**Lennard-Jones study, reconstruction** (scale ``{scale}``; N = 30, L = 10, T = 0.75,
training gammas 0.1, 0.4, 0.7, 1.0).
Held-out configurations, one per gamma: sorted distance matrix, its reconstruction from the encoder
mean, and coordinates recovered from the decoded matrix by classical MDS and the gravity "tumbler"
(red) over the original configuration (grey), both oriented the same way."""


def _facing(coords: np.ndarray, reference: np.ndarray, box: float) -> np.ndarray:
    """`coords` or its mirror image x -> box - x (gravity cannot tell them apart), whichever lies
    closer to `reference` (same particle order)."""
    mirrored = coords * [-1, 1] + [box, 0]
    return min((coords, mirrored), key=lambda c: np.sum((c - reference) ** 2))


def draw(model, positions: np.ndarray, gammas: np.ndarray, matrices: np.ndarray, box: float,
         per_gamma: int = 1) -> plt.Figure:
    """Held-out configurations (one per gamma): input matrix, decoded matrix, and the coordinates
    recovered from each (MDS + gravity orientation) on top of the original ones."""
    import torch

    style.apply()
    picks = np.concatenate([np.flatnonzero(gammas == g)[:per_gamma] for g in np.unique(gammas)])
    with torch.no_grad():
        x = torch.from_numpy(np.asarray(matrices[picks], dtype=np.float32))
        decoded = model.decode(model.encode(x)[0]).numpy()
    fig, axes = plt.subplots(len(picks), 3, figsize=(style.TEXT_WIDTH * 0.75, 2.1 * len(picks)), squeeze=False,
                             layout="constrained")
    for row, i, out in zip(axes, picks, decoded):
        row[0].imshow(matrices[i], cmap=style.FIELD_CMAP, vmin=0, vmax=1)
        row[1].imshow(out, cmap=style.FIELD_CMAP, vmin=0, vmax=1)
        error = np.mean((out - matrices[i]) ** 2)
        row[0].set(title=f"input, $\\gamma$ = {gammas[i]:g}", xticks=[], yticks=[])
        row[1].set(title=f"decoded (MSE {error:.1e})", xticks=[], yticks=[])
        original = tumble(sort_by_corner(positions[i:i + 1])[0], box)
        configuration(row[2], original, box, color="0.6", label="original")
        configuration(row[2], _facing(recover(out, box), original, box), box, color="C3", label="from decoded")
        row[2].set_title("MDS + tumbler")
    axes[0, 2].legend(frameon=False, fontsize=6, loc="upper right")
    return fig


def from_files(files: dict, options: dict) -> plt.Figure:
    """model: model.pt of `fieldvae lj train`; data: the sample files it trained on."""
    from fieldvae.lj.training import load_trained

    [model] = files["model"]
    t = load_trained(model, files["data"])
    return draw(t.model, t.positions[t.test], t.gammas[t.test], t.matrices(t.test), t.box)
