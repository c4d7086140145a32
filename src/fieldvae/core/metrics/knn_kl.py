"""k-nearest-neighbour estimate of the KL divergence D(p || q) from samples (Wang, Kulkarni and
Verdu, IEEE Trans. Inf. Theory 55, 2009), the adaptive-epsilon, bias-corrected variant.

For x_i ~ p (n of them) and y_j ~ q (m of them) in d dimensions, with rho_k(i) and nu_k(i) the
distances from x_i to its k-th nearest neighbour among the other x and among the y:

    eps_i = max(rho_k(i), nu_k(i)),  l_i = #{x within eps_i} (x_i excluded),  k_i = #{y within eps_i}
    D = d/n sum_i log(nu_{k_i}(i) / rho_{l_i}(i)) + 1/n sum_i (psi(l_i) - psi(k_i)) + log(m / (n - 1))

Choosing the neighbour counts per point from one radius balances the bias of the two density
estimates; the digamma terms remove what is left to first order.

Known limit: where p has mass in regions q's samples hardly reach, the distances to the y grow only
linearly while log p/q grows faster, so the estimate is low. Measured at 2048 samples per side:
KL(N(0, 4) || N(0, 1)) = 0.81 is estimated as 0.65, KL(N(0, 4) || N(0, 1/4)) = 6.1 as 2.5; the
opposite directions (0.32, 0.92) are estimated within their spread.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree
from scipy.special import digamma

from fieldvae.core.metrics.checks import as_samples

CHUNK = 2048  # rows per neighbour query, bounding memory for large samples


def knn_kl_divergence(x, y, k: int = 1) -> float:
    """Estimated D(p || q) in nats from samples x ~ p (n, d) and y ~ q (m, d)."""
    x, y = as_samples(x, "x", k + 1), as_samples(y, "y", k)
    if x.shape[1] != y.shape[1]:
        raise ValueError(f"x and y differ in dimension: {x.shape[1]} and {y.shape[1]}")
    n, d = x.shape
    tree_x, tree_y = cKDTree(x), cKDTree(y)
    total = 0.0
    for start in range(0, n, CHUNK):
        xs = x[start:start + CHUNK]
        rho = tree_x.query(xs, k=k + 1)[0][:, k]
        nu = tree_y.query(xs, k=k)[0].reshape(len(xs), -1)[:, k - 1]
        if np.any(rho == 0):
            raise ValueError("x has repeated points: the estimator needs distinct samples")
        eps = np.maximum(rho, nu) * (1 + 1e-12)  # inclusive of the point that set the radius
        l = tree_x.query_ball_point(xs, eps, return_length=True) - 1
        m_i = tree_y.query_ball_point(xs, eps, return_length=True)
        rho_l = _kth_distance(tree_x, xs, l + 1)  # +1: the point itself is its own 0-th neighbour
        nu_m = _kth_distance(tree_y, xs, m_i)
        total += d * np.sum(np.log(nu_m / rho_l)) + np.sum(digamma(l) - digamma(m_i))
    return float(total / n + np.log(len(y) / (n - 1)))


def _kth_distance(tree: cKDTree, points: np.ndarray, ks: np.ndarray) -> np.ndarray:
    """Distance from each point to its ks[i]-th nearest neighbour in the tree (1-based)."""
    dist = tree.query(points, k=int(ks.max()))[0].reshape(len(points), -1)
    return dist[np.arange(len(points)), ks - 1]
