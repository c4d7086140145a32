"""Lennard-Jones sampler speed: the parallel replica kernel against a pure-Python Metropolis loop.

    python benchmarks/bench_lj_sampler.py [--replicas 4096] [--sweeps 100] [--baseline-sweeps 5] [--threads N]

Reports attempted Metropolis moves per second of the numba replica sampler (all cores unless
--threads) for both protocols at every gamma, and of one chain in plain Python (the same physics,
sequential sweeps, step 0.2), measured in this run; their ratio; and the projected time of the
published data set, 4 gammas x 10000 samples x 2500 sweeps x 30 moves = 3e9 moves (aim: < 10 min,
5e6 moves/s), and of the same data set with the equilibrated protocol.
"""

import argparse
import math
import random
import time

import numba
import numpy as np

from fieldvae.core.streams import rng as stream
from fieldvae.lj.sampler import PROTOCOLS, LJSystem, sample

GAMMAS = (0.1, 0.4, 0.7, 1.0)
SAMPLES_PER_GAMMA = 10_000


def python_chain_rate(system: LJSystem, sweeps: int, step: float, seed: int) -> float:
    """Moves/s of one chain in plain Python: the loop a straightforward implementation would run."""
    rng = random.Random(int(stream("benchmark_inputs", seed).integers(2**63)))  # plain Python's own generator
    n, box, cutoff2 = system.n_particles, system.box, system.cutoff**2
    xs = [rng.uniform(0, box) for _ in range(n)]
    ys = [rng.uniform(0, box) for _ in range(n)]

    def particle_energy(i, x, y):
        u = system.gamma * y
        for j in range(n):
            if j != i:
                r2 = (xs[j] - x) ** 2 + (ys[j] - y) ** 2
                if r2 <= cutoff2:
                    inv6 = 1.0 / r2**3
                    u += 4.0 * inv6 * (inv6 - 1.0)
        return u

    start = time.perf_counter()
    for _ in range(sweeps):
        for i in range(n):
            x_new, y_new = xs[i] + rng.uniform(-step, step), ys[i] + rng.uniform(-step, step)
            x_new = x_new if 0 < x_new < box else xs[i]
            y_new = y_new if 0 < y_new < box else ys[i]
            du = particle_energy(i, x_new, y_new) - particle_energy(i, xs[i], ys[i])
            if du <= 0 or rng.random() < math.exp(-du / system.temperature):
                xs[i], ys[i] = x_new, y_new
    return sweeps * n / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=4096)
    parser.add_argument("--sweeps", type=int, default=100, help="sweeps per replica in each timed run")
    parser.add_argument("--baseline-sweeps", type=int, default=5)
    parser.add_argument("--threads", type=int, default=numba.config.NUMBA_NUM_THREADS)
    args = parser.parse_args()
    numba.set_num_threads(args.threads)

    sample(LJSystem(1.0), "group", 2, seed=0, sweeps=1)  # compile (or load the cached kernel)
    print(f"replica sampler, {args.threads} thread(s), {args.replicas} replicas x {args.sweeps} sweeps:")
    print(f"{'protocol':>13} {'gamma':>6} {'moves/s':>10} {'acceptance':>11}")
    rates = {}
    for name in PROTOCOLS:
        for gamma in GAMMAS:
            system = LJSystem(gamma)
            start = time.perf_counter()
            out = sample(system, name, args.replicas, seed=1, sweeps=args.sweeps)
            rates[name, gamma] = args.replicas * args.sweeps * system.n_particles / (time.perf_counter() - start)
            print(f"{name:>13} {gamma:6.1f} {rates[name, gamma]:10.3g} {np.mean(out['acceptance']):11.2f}")

    baseline = python_chain_rate(LJSystem(1.0), args.baseline_sweeps, PROTOCOLS["group"].step, seed=2)
    print(f"pure Python, one chain, gamma 1.0, {args.baseline_sweeps} sweeps: {baseline:10.3g} moves/s")
    print(f"ratio replica / pure Python (group, gamma 1.0): {rates['group', 1.0] / baseline:.0f}x")
    for name, protocol in PROTOCOLS.items():
        moves_per_gamma = SAMPLES_PER_GAMMA * protocol.sweeps * LJSystem(1.0).n_particles
        seconds = sum(moves_per_gamma / rates[name, gamma] for gamma in GAMMAS)
        aim = "   (aim < 10 min)" if name == "group" else ""
        print(f"projected {name} data set ({len(GAMMAS) * moves_per_gamma:.1e} moves): {seconds / 60:.1f} min{aim}")


if __name__ == "__main__":
    main()
