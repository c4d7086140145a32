"""Speed of the k-NN KL estimator (k-d tree) against a brute-force version of the same estimator
(all pairwise distances), and of S_KL, at the sizes the workflow uses.

    python benchmarks/bench_metrics.py [--n 512]
"""

import argparse
import time

import numpy as np
from scipy.special import digamma

from fieldvae.core.metrics.knn_kl import knn_kl_divergence
from fieldvae.core.metrics.s_kl import SPLITS, s_kl
from fieldvae.core.streams import rng as stream
from fieldvae.darcy.theta import sample_theta


def brute_force_kl(x, y, k=1):
    """The same adaptive estimator from full sorted distance matrices."""
    n, d = x.shape
    dxx = np.sort(np.linalg.norm(x[:, None] - x[None], axis=2), axis=1)[:, 1:]  # drop self
    dxy = np.sort(np.linalg.norm(x[:, None] - y[None], axis=2), axis=1)
    eps = np.maximum(dxx[:, k - 1], dxy[:, k - 1]) * (1 + 1e-12)
    l = (dxx <= eps[:, None]).sum(1)
    m = (dxy <= eps[:, None]).sum(1)
    rows = np.arange(n)
    return d * np.mean(np.log(dxy[rows, m - 1] / dxx[rows, l - 1])) + np.mean(digamma(l) - digamma(m)) + np.log(len(y) / (n - 1))


def timed(fn, repeats):
    start = time.perf_counter()
    for _ in range(repeats):
        result = fn()
    return (time.perf_counter() - start) / repeats, result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=512)
    args = parser.parse_args()
    inputs = stream("benchmark_inputs", 0)
    x, y = inputs.standard_normal((args.n, 2)), inputs.normal(0.5, 1.5, (args.n, 2))
    t_tree, kl_tree = timed(lambda: knn_kl_divergence(x, y), 50)
    t_brute, kl_brute = timed(lambda: brute_force_kl(x, y), 5)
    print(f"k-NN KL, {args.n} x {args.n} in 2-D: k-d tree {t_tree * 1e3:.1f} ms, brute force {t_brute * 1e3:.1f} ms "
          f"({t_brute / t_tree:.0f}x); estimates {kl_tree:.6f} and {kl_brute:.6f}")
    theta = sample_theta("mixture", args.n, 2, stream("benchmark_inputs", 1))
    reference = sample_theta("mixture", 2 * args.n, 2, stream("benchmark_inputs", 2))  # m = 2 n, as the workflow draws
    t_skl, result = timed(lambda: s_kl(theta[:, ::-1], reference, stream("benchmark_inputs", 3)), 1)
    print(f"S_KL, {args.n} codes against {2 * args.n} reference samples, {SPLITS} halvings x 2 folds x Nelder-Mead: "
          f"{t_skl:.1f} s (score {result['score']:.3f})")


if __name__ == "__main__":
    main()
