"""Data-generation speed on one core: our sparse solver against dense solves of the same system.

    python benchmarks/bench_data.py [--grid 65] [--samples 64] [--dense-samples 64]

Reports samples/s of our path (sparse LU per sample) and of a dense LU solve of the identical
bordered system, their ratio (aim: >= 100x), one dense least-squares solve (the published
generator's approach), the time for a full 1024-sample dataset (aim: < 60 s at 65 x 65), and the
KLE eigensolve time for s = 1000. All timings in this one run, on one thread.
"""

import os

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"  # one core, set before numpy loads BLAS

import argparse  # noqa: E402
import io  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from fieldvae.core.streams import rng  # noqa: E402
from fieldvae.darcy.dataset import Split, generate  # noqa: E402
from fieldvae.darcy.kle import KLE, compute_kle  # noqa: E402
from fieldvae.darcy.solver import (DarcySolver, node_velocities,  # noqa: E402
                                   well_source)
from fieldvae.darcy.theta import sample_theta  # noqa: E402


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def dense_solve(solver: DarcySolver, k: np.ndarray, f: np.ndarray, method: str) -> np.ndarray:
    a, b = solver.matrix(k).toarray(), solver.rhs(f)
    x = np.linalg.solve(a, b) if method == "lu" else np.linalg.lstsq(a, b, rcond=None)[0]
    p = solver.pressure_from(x)
    return np.stack([p, *node_velocities(p, k)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", type=int, default=65)
    parser.add_argument("--samples", type=int, default=64)
    parser.add_argument("--dense-samples", type=int, default=64)
    parser.add_argument("--full", type=int, default=1024, help="size of the full dataset timed end to end")
    args = parser.parse_args()

    t_kle, kle1000 = timed(lambda: compute_kle(args.grid, 1000))
    print(f"KLE eigensolve, s = 1000 on {args.grid} x {args.grid}: {t_kle:.2f} s")

    kle = KLE(kle1000.values[:2], kle1000.modes[:2], kle1000.correlation_length)
    k = np.exp(kle.log_permeability(sample_theta("standard", args.samples, 2, rng("benchmark_inputs", 0))))
    f = well_source(args.grid)
    solver = DarcySolver(args.grid)

    t_sparse, ours = timed(lambda: [solver.solve(ki, f) for ki in k])
    m = min(args.dense_samples, args.samples)
    t_dense, dense = timed(lambda: [dense_solve(solver, ki, f, "lu") for ki in k[:m]])
    t_lstsq, lstsq = timed(lambda: dense_solve(solver, k[0], f, "lstsq"))
    err = max(np.max(np.abs(a - b)) for a, b in zip(ours, [*dense, lstsq]))

    sparse_rate, dense_rate = args.samples / t_sparse, m / t_dense
    print(f"sparse LU (ours):     {sparse_rate:9.2f} samples/s  ({args.samples} samples)")
    print(f"dense LU, same system:{dense_rate:9.2f} samples/s  ({m} samples)")
    print(f"dense least squares:  {1 / t_lstsq:9.2f} samples/s  (1 sample, the published generator's approach)")
    print(f"ratio sparse / dense LU: {sparse_rate / dense_rate:.0f}x   (aim >= 100x); max |difference| {err:.1e}")

    t_full, _ = timed(lambda: generate(kle, "standard", Split(args.full // 2, args.full - args.full // 2, 0),
                                       seed=0, log=io.StringIO()))
    print(f"full dataset, {args.full} samples at {args.grid} x {args.grid}: {t_full:.1f} s   (aim < 60 s)")


if __name__ == "__main__":
    main()
