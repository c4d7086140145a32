"""What the Lennard-Jones figures share: configurations drawn to scale, sample sets by protocol, and
coordinates recovered from a distance matrix."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from fieldvae.core.io import load_arrays
from fieldvae.lj.geometry import positions_from_matrices

PARTICLE_DIAMETER = 1.0  # sigma


def configuration(ax, positions: np.ndarray, box: float, color="C0", label=None) -> None:
    """Particles drawn to scale (diameter sigma) in the box, the floor at the bottom."""
    for i, (x, y) in enumerate(positions):
        ax.add_patch(plt.Circle((x, y), PARTICLE_DIAMETER / 2, color=color, alpha=0.7, lw=0,
                                label=label if i == 0 else None))
    ax.set(xlim=(0, box), ylim=(0, box), aspect="equal", xticks=[], yticks=[])


def sample_sets(paths) -> list[dict]:
    """Sample files of `fieldvae lj sample`: each one's arrays with the parameters it was sampled with."""
    sets = []
    for path in paths:
        arrays, made = load_arrays(path)
        sets.append({**arrays, **made["params"]})
    return sets


def by_protocol(sample_sets: list[dict]) -> dict[str, list[dict]]:
    """The sets of each sampling protocol, by increasing gamma."""
    groups: dict[str, list[dict]] = {}
    for s in sorted(sample_sets, key=lambda s: s["gamma"]):
        groups.setdefault(s["protocol"], []).append(s)
    return groups


def recover(matrix: np.ndarray, box: float) -> np.ndarray:
    """Coordinates from a normalised distance matrix: MDS, scaled back, oriented under gravity."""
    return positions_from_matrices(matrix[None], box)[0]
