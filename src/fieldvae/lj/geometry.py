"""From particle positions to the VAE's input and back.

Input: particles sorted by distance from the corner (0, 0), coordinates divided by box * sqrt(2)
(the box diagonal), and the matrix of their pairwise distances, so every entry of a configuration
inside the box lies in [0, 1]. Distances fix the coordinates up to a rigid motion and a reflection:
classical multidimensional scaling recovers them, and the gravity "tumbler" picks the orientation a
configuration would settle in on the floor y = 0.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import ConvexHull, QhullError
from scipy.spatial.distance import pdist, squareform

BOX = 10.0


def as_configurations(positions, name: str = "positions") -> np.ndarray:
    """A finite (configurations, particles, 2) float array with at least two particles."""
    positions = np.asarray(positions, dtype=np.float64)
    if positions.ndim != 3 or positions.shape[2] != 2 or positions.shape[1] < 2:
        raise ValueError(f"{name}: expected shape (configurations, particles >= 2, 2), got {positions.shape}")
    if not np.all(np.isfinite(positions)):
        raise ValueError(f"{name}: contains NaN or infinite values")
    return positions


def _points(points, name: str, dim: int | None = None) -> np.ndarray:
    """One configuration: a finite (points, dim) float array."""
    points = np.asarray(points, dtype=np.float64)
    if points.ndim != 2 or (dim is not None and points.shape[1] != dim):
        raise ValueError(f"{name}: expected shape (points, {dim or 'dimensions'}), got {points.shape}")
    if not np.all(np.isfinite(points)):
        raise ValueError(f"{name}: contains NaN or infinite values")
    return points


def check_box(box: float) -> None:
    if not box > 0:
        raise ValueError(f"box: expected a positive side length, got {box}")


def sort_by_corner(positions) -> np.ndarray:
    """Particles of every configuration ordered by distance from the corner (0, 0): a fixed order
    makes the distance matrix a function of the configuration alone, not of particle labels."""
    positions = as_configurations(positions)
    order = np.argsort(np.sum(positions**2, axis=2), axis=1, kind="stable")
    return np.take_along_axis(positions, order[:, :, None], axis=1)


def distance_matrices(positions, box: float = BOX) -> np.ndarray:
    """(configurations, N, N) float32 pairwise distances of the corner-sorted particles, in units of
    the box diagonal."""
    check_box(box)
    scaled = sort_by_corner(positions) / (box * np.sqrt(2))
    n = scaled.shape[1]
    matrices = np.empty((len(scaled), n, n), dtype=np.float32)
    for matrix, points in zip(matrices, scaled):
        matrix[:] = squareform(pdist(points))
    return matrices


def classical_mds(distances, dim: int = 2) -> np.ndarray:
    """(N, dim) coordinates whose pairwise distances match `distances` (N, N): the top eigenpairs of
    the double-centred Gram matrix -J D^2 J / 2, exact up to a rigid motion and a reflection.
    A decoded matrix need not be exactly symmetric or Euclidean, so it is symmetrised and negative
    eigenvalues are taken as 0 (that direction collapses) instead of giving NaN."""
    distances = _points(distances, "distances")
    n = len(distances)
    if distances.shape != (n, n):
        raise ValueError(f"distances: expected a square matrix, got shape {distances.shape}")
    if not 1 <= dim <= n:
        raise ValueError(f"dim: expected 1 to {n} dimensions, got {dim}")
    squared = ((distances + distances.T) / 2) ** 2
    gram = -0.5 * (squared - squared.mean(0) - squared.mean(1)[:, None] + squared.mean())
    eigenvalues, eigenvectors = np.linalg.eigh(gram)  # ascending
    largest, directions = eigenvalues[::-1][:dim], eigenvectors[:, ::-1][:, :dim]
    return directions * np.sqrt(np.clip(largest, 0, None))


def procrustes_error(a, b) -> float:
    """RMS distance between matching points of `a` and `b` (N, d) after the rotation, reflection and
    translation of `a` that fit `b` best: zero exactly when they differ by such a motion."""
    a, b = _points(a, "a"), _points(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"a and b differ in shape: {a.shape} and {b.shape}")
    a, b = a - a.mean(0), b - b.mean(0)
    u, _, vt = np.linalg.svd(a.T @ b)
    return float(np.sqrt(np.mean(np.sum((a @ u @ vt - b) ** 2, axis=1))))


def tumble(coords, box: float = BOX) -> np.ndarray:
    """The orientation in which a rigid configuration (N, 2) comes to rest under gravity (-y).

    It rests on the convex-hull edge whose line is nearest the centre of mass: the foot of the
    perpendicular from the centre of mass falls inside that edge, so the resting position is stable.
    That edge becomes the floor y = 0 with the centre of mass above it. Distances carry no horizontal
    position, so the configuration is centred: the middle of its x-range is at box / 2. Its mirror
    image (x -> box - x) is equally valid, and gravity cannot tell them apart. The result lies in the
    box whenever the settled configuration is no wider and no taller than the box.
    """
    coords = _points(coords, "coords", 2)
    check_box(box)
    try:
        hull = ConvexHull(coords)
    except QhullError as error:
        raise ValueError("coords: the points are collinear or coincide, so there is no edge to rest on") from error
    centre = coords.mean(0)
    normals, offsets = hull.equations[:, :2], hull.equations[:, 2]  # outward unit normals
    down = normals[np.argmin(-(normals @ centre + offsets))]  # the edge line nearest the centre
    along = np.array([-down[1], down[0]])  # rows (along, -down) make a rotation, not a reflection
    settled = np.stack([coords @ along, -(coords @ down)], axis=1)
    settled[:, 1] -= settled[:, 1].min()
    settled[:, 0] += box / 2 - (settled[:, 0].min() + settled[:, 0].max()) / 2
    return settled


def positions_from_matrices(matrices, box: float = BOX) -> np.ndarray:
    """(configurations, N, 2) box-unit positions of normalised distance matrices (R, N, N), e.g.
    decoded ones: scaled back by the box diagonal, placed by MDS and settled by `tumble`."""
    check_box(box)
    matrices = np.asarray(matrices, dtype=np.float64)
    if matrices.ndim != 3:
        raise ValueError(f"matrices: expected shape (configurations, N, N), got {matrices.shape}")
    return np.stack([tumble(classical_mds(m * box * np.sqrt(2)), box) for m in matrices])

