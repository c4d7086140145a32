"""Sample configurations of the Lennard-Jones study: one per gamma and sampling protocol."""

from __future__ import annotations

import matplotlib.pyplot as plt

from fieldvae.core import style
from fieldvae.lj.figures.drawing import by_protocol, configuration, sample_sets

CAPTION = """\
**Lennard-Jones study, samples** (scale ``{scale}``; N = 30, L = 10, T = 0.75,
training gammas 0.1, 0.4, 0.7, 1.0).
One sampled configuration per gamma (columns) for each protocol (rows): ``group`` is the published
protocol (2500 sweeps of 0.2 sigma steps from a uniform start), ``equilibrated`` the protocol our tests
prove to be in equilibrium. Particles drawn with diameter sigma; the floor is at the bottom."""


def draw(sets: list[dict]) -> plt.Figure:
    """One configuration per gamma (columns) and protocol (rows)."""
    style.apply()
    groups = by_protocol(sets)
    columns = max(len(g) for g in groups.values())
    fig, axes = plt.subplots(len(groups), columns, figsize=(style.TEXT_WIDTH, 1.9 * len(groups)), squeeze=False,
                             layout="constrained")
    for row, (protocol, group) in zip(axes, groups.items()):
        for ax, s in zip(row, group):
            configuration(ax, s["positions"][0], s["box"])
            ax.set_title(f"$\\gamma$ = {s['gamma']:g}")
        row[0].set_ylabel(protocol)
        for ax in row[len(group):]:
            ax.axis("off")
    return fig


def from_files(files: dict, options: dict) -> plt.Figure:
    """data: sample files of `fieldvae lj sample`, every protocol's."""
    return draw(sample_sets(files["data"]))
