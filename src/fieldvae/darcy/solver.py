"""Darcy flow on the unit square (SPEC A): div u = f, u = -K grad p, no flux, zero-mean p.

Vertex-centred finite volumes on an n x n node grid: every node owns the dual cell around it
(half cells on edges, quarter cells at corners), neighbouring nodes exchange a flux through the
shared dual-cell face with the harmonic mean of their permeabilities. The scheme is conservative
and second order; the no-flux boundary holds because no face crosses the boundary.

The Neumann system fixes p only up to a constant. Its solution with the zero-mean constraint is
found without a dense border row: the source loses its incompatible part (the constraint's Lagrange
multiplier times the cell volumes), one node is pinned, the remaining symmetric positive definite
system is factorised by a sparse LU with a symmetric ordering, and the mean is removed.

Arrays are indexed [row, column] = [y, x], so ``field[j, i]`` is the value at (x_i, y_j).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla


def check_grid(n: int) -> None:
    """The grid must be 2^k + 1 nodes a side (k >= 2) so that coarsening halves it exactly."""
    if n < 5 or (n - 1) & (n - 2) != 0:
        raise ValueError(f"grid must be 2^k + 1 nodes per side with k >= 2 (5, 9, 17, 33, 65, ...), got {n}")


def node_coordinates(n: int) -> tuple[np.ndarray, np.ndarray]:
    """x and y of every node, each shaped (n, n)."""
    t = np.linspace(0.0, 1.0, n)
    x, y = np.meshgrid(t, t)
    return x, y


def cell_widths(n: int) -> np.ndarray:
    """Width of each node's dual cell along one axis: h inside, h/2 at both ends."""
    w = np.full(n, 1.0 / (n - 1))
    w[[0, -1]] /= 2
    return w


def cell_volumes(n: int) -> np.ndarray:
    """Area of each node's dual cell, shaped (n, n); they sum to 1."""
    w = cell_widths(n)
    return np.outer(w, w)


def well_source(n: int, strength: float = 10.0, well_width: float = 0.125) -> np.ndarray:
    """Source f at the nodes: +strength on [0, w]^2 (injection), -strength on [1-w, 1]^2 (production)."""
    x, y = node_coordinates(n)
    tol = 1e-9
    f = np.zeros((n, n))
    f[(x <= well_width + tol) & (y <= well_width + tol)] = strength
    f[(x >= 1 - well_width - tol) & (y >= 1 - well_width - tol)] = -strength
    return f


def _harmonic(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return 2.0 * a * b / (a + b)


def face_permeabilities(k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Harmonic means of K across the x-faces, shaped (n, n-1), and the y-faces, shaped (n-1, n)."""
    return _harmonic(k[:, :-1], k[:, 1:]), _harmonic(k[:-1, :], k[1:, :])


def face_fluxes(p: np.ndarray, k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Volumetric flux through each dual-cell face, positive towards +x (or +y).

    The flux through the face between nodes a and b is -K_face (p_b - p_a) / h times the face length.
    """
    n = p.shape[0]
    h = 1.0 / (n - 1)
    w = cell_widths(n)
    kx, ky = face_permeabilities(k)
    fx = -kx * np.diff(p, axis=1) / h * w[:, None]
    fy = -ky * np.diff(p, axis=0) / h * w[None, :]
    return fx, fy


def net_outflow(fx: np.ndarray, fy: np.ndarray) -> np.ndarray:
    """Net flux out of each node's dual cell: the discrete divergence times the cell volume."""
    n = fy.shape[1]
    out = np.zeros((n, n))
    out[:, :-1] += fx
    out[:, 1:] -= fx
    out[:-1, :] += fy
    out[1:, :] -= fy
    return out


def node_velocities(p: np.ndarray, k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """u = -K grad p at the nodes: the mean of the two adjacent face velocities inside the domain,
    and a zero normal component on the boundary (the no-flux condition)."""
    n = p.shape[0]
    h = 1.0 / (n - 1)
    kx, ky = face_permeabilities(k)
    vx = -kx * np.diff(p, axis=1) / h
    vy = -ky * np.diff(p, axis=0) / h
    ux = np.zeros((n, n))
    uy = np.zeros((n, n))
    ux[:, 1:-1] = 0.5 * (vx[:, :-1] + vx[:, 1:])
    uy[1:-1, :] = 0.5 * (vy[:-1, :] + vy[1:, :])
    return ux, uy


class DarcySolver:
    """Solves the Darcy problem for many permeability fields on one grid.

    The sparsity pattern is built once; each solve only fills in values and factorises.
    """

    def __init__(self, n: int):
        check_grid(n)
        self.n = n
        self.h = 1.0 / (n - 1)
        self.volumes = cell_volumes(n)
        idx = np.arange(n * n).reshape(n, n)
        # Node pairs sharing an x-face, then a y-face, in the order of face_permeabilities().
        a = np.concatenate([idx[:, :-1].ravel(), idx[:-1, :].ravel()])
        b = np.concatenate([idx[:, 1:].ravel(), idx[1:, :].ravel()])
        w = cell_widths(n)
        self._face_length = np.concatenate([np.repeat(w, n - 1), np.tile(w, n - 1)])
        rows, cols = np.concatenate([a, b, a, b]), np.concatenate([b, a, a, b])
        self._kept = (rows != 0) & (cols != 0)  # node 0 is pinned: drop its row and column
        self._rows, self._cols = rows[self._kept] - 1, cols[self._kept] - 1

    def matrix(self, k: np.ndarray) -> sp.csc_matrix:
        """Flux balance of nodes 1..n^2-1 with node 0 pinned: symmetric positive definite."""
        kx, ky = face_permeabilities(k)
        t = np.concatenate([kx.ravel(), ky.ravel()]) * self._face_length / self.h
        values = np.concatenate([-t, -t, t, t])[self._kept]
        m = self.n * self.n - 1
        return sp.csc_matrix((values, (self._rows, self._cols)), shape=(m, m))

    def rhs(self, f: np.ndarray) -> np.ndarray:
        """Source integrated over each dual cell, less its incompatible part, without node 0."""
        b = (f * self.volumes).ravel()
        return (b - b.sum() * self.volumes.ravel())[1:]  # the cell volumes sum to 1

    def pressure_from(self, x: np.ndarray) -> np.ndarray:
        """Node pressures with zero mean from a solution x of matrix(k) x = rhs(f)."""
        p = np.append(0.0, x)
        return (p - self.volumes.ravel() @ p).reshape(self.n, self.n)

    def pressure(self, k: np.ndarray, f: np.ndarray) -> np.ndarray:
        """Pressure at the nodes with zero mean under the cell-volume quadrature."""
        self._check_field(k, "permeability")
        self._check_field(f, "source")
        lu = spla.splu(self.matrix(k), permc_spec="MMD_AT_PLUS_A", diag_pivot_thresh=0.0,
                       options={"SymmetricMode": True})
        return self.pressure_from(lu.solve(self.rhs(f)))

    def solve(self, k: np.ndarray, f: np.ndarray) -> np.ndarray:
        """Pressure and velocities, stacked as (3, n, n): p, u_x, u_y."""
        p = self.pressure(k, f)
        ux, uy = node_velocities(p, k)
        return np.stack([p, ux, uy])

    def _check_field(self, a: np.ndarray, what: str) -> None:
        if a.shape != (self.n, self.n):
            raise ValueError(f"{what} field has shape {a.shape}, expected ({self.n}, {self.n})")
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{what} field has non-finite values")
        if what == "permeability" and np.any(a <= 0):
            raise ValueError("permeability must be positive everywhere")
