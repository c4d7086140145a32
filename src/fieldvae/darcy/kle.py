"""Karhunen-Loeve expansion of the log-permeability field (SPEC A).

log K(x) = sum_{i <= s} sqrt(lambda_i) phi_i(x) theta_i, with (lambda_i, phi_i) the leading
eigenpairs of the exponential covariance matrix C_ab = exp(-|x_a - x_b| / length) on the node grid.
The phi_i are orthonormal vectors, so theta ~ N(0, I) gives log-K fields whose covariance is exactly
the rank-s truncation of C.

Eigenvectors are only defined up to sign, and up to rotation inside a degenerate eigenspace (on the
square, modes 2 and 3 are an exactly degenerate x-like / y-like pair). Both are fixed here so the
same (grid, s) always gives the same modes, whatever LAPACK returned:
- in the degenerate pair of modes 2 and 3, mode 2 is the normalised projection of x - 1/2 onto the
  pair's plane and mode 3 the orthogonal direction, signed to correlate positively with y - 1/2;
- in any other cluster of equal eigenvalues, fixed pseudo-random reference vectors are projected in
  turn (Gram-Schmidt), so the basis no longer depends on the solver;
- every other mode is signed so that its inner product with a reference vector (all ones plus a
  small fixed pseudo-random part) is positive; mode 1, positive everywhere, stays positive.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.linalg
from scipy.spatial.distance import pdist, squareform

from fieldvae.core.io import (check_memory, load_arrays, require_keys,
                              save_arrays)
from fieldvae.core.streams import rng
from fieldvae.darcy.solver import check_grid, node_coordinates

# Relative gap (to the largest eigenvalue) below which eigenvalues count as one degenerate cluster.
DEGENERACY_TOLERANCE = 1e-8
_REFERENCE_SEED = 20220517  # a convention, not a parameter: the same reference vectors for every KLE


@dataclass(frozen=True)
class KLE:
    """Leading eigenpairs of the covariance on an n x n grid: values (s,), modes (s, n, n)."""

    values: np.ndarray
    modes: np.ndarray
    correlation_length: float

    @property
    def grid(self) -> int:
        return self.modes.shape[1]

    @property
    def terms(self) -> int:
        return self.values.shape[0]

    def log_permeability(self, theta: np.ndarray) -> np.ndarray:
        """Fields for coefficients theta shaped (m, s): returns (m, n, n)."""
        theta = np.atleast_2d(theta)
        if theta.shape[1] != self.terms:
            raise ValueError(f"theta has {theta.shape[1]} coefficients, the expansion has {self.terms} terms")
        basis = (np.sqrt(self.values)[:, None] * self.modes.reshape(self.terms, -1))
        return (theta @ basis).reshape(-1, self.grid, self.grid)

    def covariance(self) -> np.ndarray:
        """The truncated covariance sum_i lambda_i phi_i phi_i^T, shaped (n^2, n^2)."""
        phi = self.modes.reshape(self.terms, -1)
        return (phi.T * self.values) @ phi


def save_kle(path, kle: KLE, provenance: dict) -> None:
    save_arrays(path, {"values": kle.values, "modes": kle.modes,
                       "correlation_length": np.array(kle.correlation_length)}, provenance)


def load_kle(path) -> tuple[KLE, dict]:
    """The expansion stored at `path` and its provenance."""
    arrays, prov = load_arrays(path)
    require_keys(path, arrays, ("values", "modes", "correlation_length"), "a KLE file")
    return KLE(arrays["values"], arrays["modes"], float(arrays["correlation_length"])), prov


def covariance_matrix(n: int, correlation_length: float) -> np.ndarray:
    """Exponential covariance exp(-|x_a - x_b|_2 / length) between all node pairs, unit variance."""
    x, y = node_coordinates(n)
    points = np.column_stack([x.ravel(), y.ravel()])
    return squareform(np.exp(-pdist(points) / correlation_length), checks=False) + np.eye(n * n)


def compute_kle(n: int, terms: int, correlation_length: float = 0.1, driver: str = "evr") -> KLE:
    """Top `terms` eigenpairs, sorted by decreasing eigenvalue, with signs and degeneracies fixed."""
    check_grid(n)
    size = n * n
    check_memory(8 * size * size, f"the covariance matrix of a {n} x {n} grid")
    if not 1 <= terms <= size:
        raise ValueError(f"terms must be between 1 and {size} on a {n} x {n} grid, got {terms}")
    if not 0 < correlation_length < math.inf:
        raise ValueError(f"correlation_length must be positive, got {correlation_length}")
    # Two extra pairs so that a degenerate cluster cut by the truncation is still fixed as a whole.
    m = min(terms + 2, size)
    values, vectors = scipy.linalg.eigh(
        covariance_matrix(n, correlation_length), subset_by_index=[size - m, size - 1], driver=driver
    )
    values, vectors = values[::-1], vectors[:, ::-1]
    vectors = _fix_basis(values, vectors, n)
    return KLE(values[:terms].copy(), vectors[:, :terms].T.reshape(terms, n, n).copy(), correlation_length)


def _clusters(values: np.ndarray) -> list[list[int]]:
    """Groups of consecutive indices whose eigenvalues are equal within the tolerance."""
    groups = [[0]]
    for i in range(1, len(values)):
        if values[groups[-1][-1]] - values[i] <= DEGENERACY_TOLERANCE * values[0]:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def _fix_basis(values: np.ndarray, vectors: np.ndarray, n: int) -> np.ndarray:
    """Replace each cluster's basis by one aligned with fixed reference vectors (see module doc)."""
    x, y = node_coordinates(n)
    size = vectors.shape[0]
    sign_reference = 1.0 + 0.1 * rng("kle_basis_reference", _REFERENCE_SEED).standard_normal((size, 1))
    fixed = np.empty_like(vectors)
    for group in _clusters(values):
        if len(group) == 1:
            references = sign_reference
        elif group[0] == 1 and len(group) == 2:
            references = np.column_stack([x.ravel() - 0.5, y.ravel() - 0.5])
        else:
            references = rng("kle_basis_reference", _REFERENCE_SEED, group[0]).standard_normal((size, len(group)))
        fixed[:, group] = _align(vectors[:, group], references)
    return fixed


def _align(basis: np.ndarray, references: np.ndarray) -> np.ndarray:
    """The orthonormal basis of span(basis) that Gram-Schmidt makes from the references' projections."""
    q, r = np.linalg.qr(basis.T @ references)
    return basis @ (q * np.sign(np.diag(r)))
