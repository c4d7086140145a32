"""Figures of the Lennard-Jones study (targets figures/lj_*.pdf)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.decomposition import PCA

from fieldvae.core import style
from fieldvae.lj.geometry import (positions_from_matrices, sort_by_corner,
                                  tumble)
from fieldvae.lj.scoring import BASELINES, SCORES

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


def anomaly(rows: list[dict]) -> plt.Figure:
    """ROC AUC with its 95% interval of every score (markers) for every anomaly set (rows), one panel
    per sampling protocol. The VAE's scores are filled where they beat the set's better physics
    baseline, open where they lose to it, half-filled where the two are equal within the interval;
    the baselines are grey."""
    style.apply()
    protocols = list(dict.fromkeys(r["protocol"] for r in rows))
    sets = list(dict.fromkeys(r["set"] for r in rows))
    fig, axes = plt.subplots(1, len(protocols), figsize=(style.TEXT_WIDTH, 1.6 + 0.42 * len(sets)),
                             layout="constrained", sharey=True, squeeze=False)
    offsets = np.linspace(-0.32, 0.32, len(SCORES))
    fills = {"better": "full", "worse": "none"}
    for ax, protocol in zip(axes[0], protocols):
        by_set = {r["set"]: r for r in rows if r["protocol"] == protocol}
        for k, (score, offset) in enumerate(zip(SCORES, offsets)):
            y = np.arange(len(sets)) + offset
            auc = np.array([by_set[s][f"{score}_auc"] for s in sets])
            low = np.array([by_set[s][f"{score}_auc_low"] for s in sets])
            high = np.array([by_set[s][f"{score}_auc_high"] for s in sets])
            color = "0.55" if score in BASELINES else f"C{k}"
            ax.errorbar(auc, y, xerr=[auc - low, high - auc], fmt="none", ecolor=color, lw=0.7)
            for yi, a, s in zip(y, auc, sets):
                fill = "full" if score in BASELINES else fills.get(by_set[s][f"{score}_verdict"], "left")
                marker = {"energy": "s", "min_distance": "D"}.get(score, "o")
                ax.plot(a, yi, marker, ms=3.2, color=color, fillstyle=fill,
                        label=score if s == sets[0] and ax is axes[0, 0] else None)
        ax.axvline(0.5, color="k", lw=0.6, ls="--")
        ax.set(xlim=(-0.02, 1.02), xlabel="ROC AUC against the held-out set", title=f"protocol {protocol}")
        ax.set_yticks(np.arange(len(sets)), sets, fontsize=7)
        ax.invert_yaxis()
    fig.legend(loc="outside lower center", ncol=4, fontsize=6, frameon=False)
    return fig
