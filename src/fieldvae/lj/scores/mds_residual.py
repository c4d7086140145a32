"""How far a distance matrix is from any configuration of points in the plane.

A matrix of distances between points in `dim` dimensions has a double-centred Gram matrix
-J D^2 J / 2 of rank at most `dim` with non-negative eigenvalues (classical MDS, as in
`geometry.classical_mds`). The fraction of the eigenvalues' absolute mass outside the `dim` largest
positive ones measures what no such configuration explains: 0 for a true configuration, whatever the
particle order or the scale, and positive for a blacked-out block or a decoded matrix that no
arrangement of particles could produce. The score needs no model.
"""

from __future__ import annotations

import numpy as np


def mds_residual(matrices, dim: int = 2) -> np.ndarray:
    """(configurations,) fraction in [0, 1] of the Gram eigenvalues' absolute sum that is not in the
    `dim` largest positive ones, for distance matrices (configurations, N, N). The matrices are
    symmetrised first; an all-zero matrix (every point in one place) scores 0."""
    matrices = np.asarray(matrices, dtype=np.float64)
    if matrices.ndim != 3 or matrices.shape[1] != matrices.shape[2] or matrices.shape[1] < 2:
        raise ValueError(f"matrices: expected shape (configurations, N >= 2, N), got {matrices.shape}")
    if not np.all(np.isfinite(matrices)):
        raise ValueError("matrices: contains NaN or infinite values")
    n = matrices.shape[1]
    if not 1 <= dim <= n:
        raise ValueError(f"dim: expected 1 to {n} dimensions, got {dim}")
    squared = ((matrices + matrices.transpose(0, 2, 1)) / 2) ** 2
    gram = -0.5 * (squared - squared.mean(1, keepdims=True) - squared.mean(2, keepdims=True)
                   + squared.mean((1, 2), keepdims=True))
    eigenvalues = np.linalg.eigvalsh(gram)  # ascending
    total = np.abs(eigenvalues).sum(1)
    explained = np.clip(eigenvalues[:, -dim:], 0, None).sum(1)
    return np.divide(total - explained, total, out=np.zeros_like(total), where=total > 0)
