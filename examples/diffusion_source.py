"""A second physical problem for the pipeline, written to HDF5 as a user's own simulation data would be.

Transient diffusion from a Gaussian source switched on at t = 0 on a 2 x 1.2 rectangle, zero on the
boundary:  du/dt = D lap(u) + s(x, y),  s = A / (2 pi w^2) exp(-((x - x0)^2 + (y - y0)^2) / (2 w^2)),
cell-centred finite differences on 24 x 40 cells (rows x columns: a grid the DenseVAE must pad), implicit
Euler in time. Two generating factors, the source's position x0 and its width w; two channels, the
field at t = 0.05 and at t = 0.2 (the spreading front and the near-steady plume).

    python examples/diffusion_source.py --out data/diffusion_source.h5
    snakemake own_fields --configfile examples/diffusion_source.yaml --cores all
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import h5py
import numpy as np
from scipy.sparse import diags, identity, kron
from scipy.sparse.linalg import splu

WIDTH, HEIGHT = 2.0, 1.2          # domain [0, 2] x [0, 1.2]
COLUMNS, ROWS = 40, 24            # cells
DIFFUSIVITY = 0.5
AMOUNT = 5.0                      # source strength A (the source integrates to A)
SOURCE_Y = 0.6                    # the source sits on the mid line
TIMES = (0.05, 0.2)               # the two channels
STEP = 0.005                      # implicit Euler step
FACTORS = {"source_x": (0.4, 1.6), "source_width": (0.06, 0.2)}  # uniform ranges
SEED = 20261203


def laplacian(rows: int, columns: int, width: float = WIDTH, height: float = HEIGHT):
    """The 5-point Laplacian on cell centres with u = 0 on the boundary (ghost cells mirrored with a sign
    change), as a sparse matrix over the row-major cells."""
    def second_difference(n, h):
        main = np.full(n, -2.0)
        main[[0, -1]] = -3.0  # the boundary sits half a cell away: ghost = -u
        return diags([np.ones(n - 1), main, np.ones(n - 1)], [-1, 0, 1]) / h**2

    dx, dy = width / columns, height / rows
    return (kron(identity(rows), second_difference(columns, dx)) + kron(second_difference(rows, dy), identity(columns))).tocsc()


def cell_centres(rows: int, columns: int, width: float = WIDTH, height: float = HEIGHT):
    x = (np.arange(columns) + 0.5) * width / columns
    y = (np.arange(rows) + 0.5) * height / rows
    return np.meshgrid(x, y)


def source(x0: float, w: float, rows: int = ROWS, columns: int = COLUMNS) -> np.ndarray:
    x, y = cell_centres(rows, columns)
    return AMOUNT / (2 * np.pi * w**2) * np.exp(-((x - x0) ** 2 + (y - SOURCE_Y) ** 2) / (2 * w**2))


class Solver:
    """Implicit Euler for du/dt = D lap(u) + s from u = 0; one LU factorisation serves every source."""

    def __init__(self, rows: int = ROWS, columns: int = COLUMNS, step: float = STEP, diffusivity: float = DIFFUSIVITY):
        self.shape, self.step = (rows, columns), step
        self.lu = splu((identity(rows * columns) - step * diffusivity * laplacian(rows, columns)).tocsc())

    def snapshots(self, s: np.ndarray, times=TIMES) -> np.ndarray:
        """u at each of `times` (multiples of the step), shape (len(times), rows, columns)."""
        u, out, t = np.zeros(s.size), [], 0
        for target in times:
            while t < round(target / self.step):
                u = self.lu.solve(u + self.step * s.ravel())
                t += 1
            out.append(u.reshape(self.shape).copy())
        return np.array(out)


def generate(n: int, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """Fields (n, 2, ROWS, COLUMNS) float32 and factors (n, 2): source_x, source_width."""
    rng = np.random.default_rng(seed)
    factors = np.column_stack([rng.uniform(*bounds, n) for bounds in FACTORS.values()])
    solver = Solver()
    fields = np.array([solver.snapshots(source(x0, w)) for x0, w in factors], dtype=np.float32)
    return fields, factors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("data/diffusion_source.h5"), help="HDF5 file to write")
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    fields, factors = generate(args.samples, args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_name(f".{args.out.name}.part")
    with h5py.File(tmp, "w") as f:
        f.create_dataset("fields", data=fields)
        f.create_dataset("factors", data=factors)
        f["factors"].attrs["names"] = list(FACTORS)
        f.attrs["problem"] = "transient diffusion from a Gaussian source; channels u(t=0.05), u(t=0.2)"
    os.replace(tmp, args.out)
    print(f"wrote {args.out}: fields {fields.shape}, factors {list(FACTORS)}; "
          f"u ranges {fields.min():.3g} to {fields.max():.3g}")


if __name__ == "__main__":
    main()
