"""Anomaly sets made on purpose from held-out configurations, and the assembly of every set a
trained model is scored on. Randomness comes only from the numpy Generator passed in."""

from __future__ import annotations

import numpy as np

from fieldvae.core.streams import rng as stream
from fieldvae.lj.anomaly import NORMAL, generator
from fieldvae.lj.geometry import (BOX, as_configurations, check_box,
                                  distance_matrices)

MOVED_PARTICLES = 4  # particles moved in each configuration of a displaced set


def _reflect_into_box(x: np.ndarray, box: float) -> np.ndarray:
    """Fold coordinates back into [0, box] as a particle bouncing off the walls would be. The fold
    fixes points of the box and never increases distances, so a step only gets shorter."""
    folded = np.mod(x, 2 * box)
    return np.where(folded > box, 2 * box - folded, folded)


def displace(positions, n_particles: int, amplitude: float, rng, box: float = BOX) -> np.ndarray:
    """Copies of the configurations (R, N, 2) in which `n_particles` randomly chosen particles of each
    moved to a uniformly random point of the disc of radius `amplitude` (box units) around where they
    were: a local defect that the rest of the configuration does not explain. Steps leaving the box
    are reflected at its walls (clipping would pile particles up on the walls, itself a giveaway)."""
    positions = as_configurations(positions).copy()
    n_configurations, n = positions.shape[:2]
    if not 1 <= n_particles <= n:
        raise ValueError(f"n_particles: expected 1 to {n} (the particles per configuration), got {n_particles}")
    if not amplitude >= 0:
        raise ValueError(f"amplitude: expected a non-negative step length, got {amplitude}")
    check_box(box)
    rng = generator(rng)
    chosen = np.argsort(rng.random((n_configurations, n)), axis=1)[:, :n_particles]
    length = amplitude * np.sqrt(rng.random((n_configurations, n_particles)))  # uniform over the disc
    angle = rng.uniform(0, 2 * np.pi, (n_configurations, n_particles))
    step = length[..., None] * np.stack([np.cos(angle), np.sin(angle)], axis=-1)
    rows = np.arange(n_configurations)[:, None]
    positions[rows, chosen] = _reflect_into_box(positions[rows, chosen] + step, box)
    return positions


def black_out(matrices, block: int, rng) -> np.ndarray:
    """Copies of the distance matrices (R, N, N) with one random block-by-block square set to 0 in
    each, placed anywhere (uniform top-left corner), together with its mirror image across the
    diagonal so the matrix stays symmetric: missing data rather than a different configuration."""
    matrices = np.array(matrices)
    if matrices.ndim != 3 or matrices.shape[1] != matrices.shape[2]:
        raise ValueError(f"matrices: expected shape (configurations, N, N), got {matrices.shape}")
    n = matrices.shape[1]
    if not 1 <= block <= n:
        raise ValueError(f"block: expected a side of 1 to {n}, got {block}")
    corners = generator(rng).integers(0, n - block + 1, size=(len(matrices), 2))
    for matrix, (i, j) in zip(matrices, corners):
        matrix[i:i + block, j:j + block] = 0
        matrix[j:j + block, i:i + block] = 0
    return matrices


def anomaly_sets(held_out, box: float, named: dict[str, tuple[np.ndarray, float]], displacements, block: int,
                 seed: int) -> dict[str, np.ndarray]:
    """Distance matrices of the normal set (the held-out configurations (R, N, 2)) and of every
    anomaly set: the named sets of configurations (each with its box, which must be the training
    box), the held-out configurations with MOVED_PARTICLES particles displaced by each amplitude
    (a fraction of the box diagonal), and, when block > 0, the held-out matrices with a block
    blacked out. Each made set draws from its own stream of `seed`."""
    matrices = distance_matrices(held_out, box)
    sets = {NORMAL: matrices}
    for name, (positions, set_box) in named.items():
        if set_box != box:
            raise ValueError(f"anomaly set {name!r}: box {set_box} differs from the training box {box}")
        sets[name] = distance_matrices(positions, box)
    for amplitude in displacements:
        moved = displace(held_out, MOVED_PARTICLES, amplitude * box * np.sqrt(2),
                         stream("lj_displacement", seed, f"{amplitude:g}"), box=box)
        sets[f"displaced {amplitude:g}"] = distance_matrices(moved, box)
    if block:
        sets[f"blacked-out {block}x{block}"] = black_out(matrices, block, stream("lj_blackout", seed))
    return sets


def uniform_configurations(n_samples: int, seed: int, n_particles: int = 30, box: float = 10.0) -> np.ndarray:
    """Positions uniform in the box, (n_samples, n_particles, 2): an anomaly set with no physics."""
    return stream("lj_uniform", seed).uniform(0.0, box, size=(n_samples, n_particles, 2))
