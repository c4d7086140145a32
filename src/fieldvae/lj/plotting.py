"""Figures of the Lennard-Jones study (targets figures/lj_*.pdf)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.decomposition import PCA

from fieldvae.core import style
from fieldvae.lj.anomaly import roc_curve
from fieldvae.lj.geometry import (positions_from_matrices, sort_by_corner,
                                  tumble)

PARTICLE_DIAMETER = 1.0  # sigma


def _configuration(ax, positions: np.ndarray, box: float, color="C0", label=None) -> None:
    """Particles drawn to scale (diameter sigma) in the box, the floor at the bottom."""
    for i, (x, y) in enumerate(positions):
        ax.add_patch(plt.Circle((x, y), PARTICLE_DIAMETER / 2, color=color, alpha=0.7, lw=0,
                                label=label if i == 0 else None))
    ax.set(xlim=(0, box), ylim=(0, box), aspect="equal", xticks=[], yticks=[])


def _by_protocol(samples: list[dict]) -> dict[str, list[dict]]:
    groups: dict[str, list[dict]] = {}
    for s in sorted(samples, key=lambda s: s["gamma"]):
        groups.setdefault(s["protocol"], []).append(s)
    return groups


def samples(sample_sets: list[dict]) -> plt.Figure:
    """One configuration per gamma (columns) and protocol (rows)."""
    style.apply()
    groups = _by_protocol(sample_sets)
    columns = max(len(g) for g in groups.values())
    fig, axes = plt.subplots(len(groups), columns, figsize=(style.TEXT_WIDTH, 1.9 * len(groups)), squeeze=False,
                             layout="constrained")
    for row, (protocol, sets) in zip(axes, groups.items()):
        for ax, s in zip(row, sets):
            _configuration(ax, s["positions"][0], s["box"])
            ax.set_title(f"$\\gamma$ = {s['gamma']:g}")
        row[0].set_ylabel(protocol)
        for ax in row[len(sets):]:
            ax.axis("off")
    return fig


def physics(sample_sets: list[dict]) -> plt.Figure:
    """Energy per particle and particle heights per gamma, one row per protocol; the heights are
    set against the ideal-gas (barometric) density, which the LJ fluid should not match exactly."""
    style.apply()
    groups = _by_protocol(sample_sets)
    fig, axes = plt.subplots(len(groups), 2, figsize=(style.TEXT_WIDTH, 2.2 * len(groups)), squeeze=False,
                             layout="constrained")
    for (ax_e, ax_h), (protocol, sets) in zip(axes, groups.items()):
        for i, s in enumerate(sets):
            color = f"C{i}"
            n = s["positions"].shape[1]
            ax_e.hist(s["energy"] / n, bins=40, histtype="step", density=True, color=color,
                      label=f"$\\gamma$ = {s['gamma']:g}")
            heights = s["positions"][..., 1].ravel()
            ax_h.hist(heights, bins=40, range=(0, s["box"]), histtype="step", density=True, color=color)
            decay = s.get("temperature", 0.75) / s["gamma"]
            y = np.linspace(0, s["box"], 200)
            ax_h.plot(y, np.exp(-y / decay) / (decay * (1 - np.exp(-s["box"] / decay))), ":", color=color, lw=0.8)
        ax_e.set(xlabel="energy per particle", ylabel=f"{protocol}\ndensity")
        ax_h.set(xlabel="height y", ylabel="density")
        ax_e.legend(frameon=False, fontsize=6)
    axes[0, 1].set_title("heights (dotted: ideal gas at the same $\\gamma$)")
    return fig


def _recover(matrix: np.ndarray, box: float) -> np.ndarray:
    """Coordinates from a normalised distance matrix: MDS, scaled back, oriented under gravity."""
    return positions_from_matrices(matrix[None], box)[0]


def _facing(coords: np.ndarray, reference: np.ndarray, box: float) -> np.ndarray:
    """`coords` or its mirror image x -> box - x (gravity cannot tell them apart), whichever lies
    closer to `reference` (same particle order)."""
    mirrored = coords * [-1, 1] + [box, 0]
    return min((coords, mirrored), key=lambda c: np.sum((c - reference) ** 2))


def reconstruction(model, positions: np.ndarray, gammas: np.ndarray, matrices: np.ndarray, box: float,
                   per_gamma: int = 1) -> plt.Figure:
    """Held-out configurations (one per gamma): input matrix, decoded matrix, and the coordinates
    recovered from each (MDS + gravity orientation) on top of the original ones."""
    style.apply()
    picks = [np.flatnonzero(gammas == g)[:per_gamma] for g in np.unique(gammas)]
    picks = np.concatenate(picks)
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
        _configuration(row[2], original, box, color="0.6", label="original")
        _configuration(row[2], _facing(_recover(out, box), original, box), box, color="C3", label="from decoded")
        row[2].set_title("MDS + tumbler")
    axes[0, 2].legend(frameon=False, fontsize=6, loc="upper right")
    return fig


def traversal(model, train_latents: np.ndarray, box: float, steps=(-2, -1, 0, 1, 2)) -> plt.Figure:
    """Decoded configurations along the two leading principal components of the latent means,
    at multiples of each component's standard deviation from the mean."""
    style.apply()
    pca = PCA(n_components=2).fit(train_latents)
    fig, axes = plt.subplots(2, len(steps), figsize=(style.TEXT_WIDTH, 3.0), squeeze=False, layout="constrained")
    for row, (component, spread) in enumerate(zip(pca.components_, np.sqrt(pca.explained_variance_))):
        z = pca.mean_ + np.outer(steps, component * spread)
        with torch.no_grad():
            decoded = model.decode(torch.from_numpy(z.astype(np.float32))).numpy()
        for ax, step, matrix in zip(axes[row], steps, decoded):
            _configuration(ax, _recover(matrix, box), box, color=f"C{row}")
            ax.set_title(f"PC{row + 1} {step:+d} sd")
    return fig


def latent(test_latents: np.ndarray, test_gamma: np.ndarray, r2: float) -> plt.Figure:
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


def anomaly(sets: dict[str, dict[str, np.ndarray]], normal: str) -> plt.Figure:
    """Cumulative distributions of the reconstruction error per set (left); ROC curves of the
    reconstruction error against the held-out set, with the physics baselines dashed (right)."""
    style.apply()
    fig, (ax_d, ax_r) = plt.subplots(1, 2, figsize=(style.TEXT_WIDTH, 2.9), layout="constrained")
    for i, (name, scores) in enumerate(sets.items()):
        color = "k" if name == normal else f"C{i % 10}"
        errors = np.sort(scores["reconstruction"])
        ax_d.plot(errors, np.arange(1, len(errors) + 1) / len(errors), color=color, lw=1.4 if name == normal else 0.9,
                  ls="--" if i >= 10 else "-", label=name)
        if name == normal:
            continue
        fpr, tpr = roc_curve(sets[normal]["reconstruction"], scores["reconstruction"])
        ax_r.plot(fpr, tpr, color=color, lw=1)
        for score, dash in [("energy", "--"), ("min_distance", ":")]:
            fpr, tpr = roc_curve(sets[normal][score], scores[score])
            ax_r.plot(fpr, tpr, dash, color=color, lw=0.6)
    ax_d.set(xscale="log", xlabel="reconstruction error (MSE)", ylabel="fraction of the set below")
    ax_d.legend(frameon=False, fontsize=5.5)
    ax_r.plot([0, 1], [0, 1], color="0.7", lw=0.5)
    ax_r.axvline(0.05, color="0.7", lw=0.5, ls="--")
    ax_r.set(xlabel="false positive rate", ylabel="true positive rate", aspect="equal",
             title="solid: VAE; dashed: energy; dotted: min. distance")
    return fig
