"""Energies and heights of the Lennard-Jones samples per gamma and protocol, against the ideal gas."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from fieldvae.core import style
from fieldvae.lj.figures.drawing import by_protocol, sample_sets

CAPTION = """\
**Lennard-Jones study, physics** (scale ``{scale}``; N = 30, L = 10, T = 0.75,
training gammas 0.1, 0.4, 0.7, 1.0).
Energy per particle (left) and particle heights (right) per gamma, one row per protocol. Dotted: the
ideal-gas (barometric) height density at the same gamma. Under the published protocol the low-gamma
fluids have not yet sedimented."""


def draw(sets: list[dict]) -> plt.Figure:
    """Energy per particle and particle heights per gamma, one row per protocol; the heights are
    set against the ideal-gas (barometric) density, which the LJ fluid should not match exactly."""
    style.apply()
    groups = by_protocol(sets)
    fig, axes = plt.subplots(len(groups), 2, figsize=(style.TEXT_WIDTH, 2.2 * len(groups)), squeeze=False,
                             layout="constrained")
    for (ax_e, ax_h), (protocol, group) in zip(axes, groups.items()):
        for i, s in enumerate(group):
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


def from_files(files: dict, options: dict) -> plt.Figure:
    """data: sample files of `fieldvae lj sample`, every protocol's."""
    return draw(sample_sets(files["data"]))
