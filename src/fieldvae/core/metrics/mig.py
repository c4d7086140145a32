"""Mutual Information Gap (Chen et al. 2018) for continuous codes and factors.

Codes and factors are binned into `bins` equal-width bins over their range (20, as in
disentanglement_lib); MI and entropies are those of the binned variables, in nats.
MIG = mean_j (I(z_a; theta_j) - I(z_b; theta_j)) / H(theta_j), a and b the two latents with the
largest MI with theta_j (with one latent, the gap is its MI). In [0, 1]; constant codes give 0.
"""

from __future__ import annotations

import numpy as np

from fieldvae.core.metrics.checks import paired

BINS = 20


def discretise(a: np.ndarray, bins: int = BINS) -> np.ndarray:
    """Equal-width bin index of every value, per column; a constant column is one bin."""
    out = np.zeros(a.shape, dtype=np.int64)
    for j, col in enumerate(a.T):
        edges = np.linspace(col.min(), col.max(), bins + 1)[1:-1]
        out[:, j] = np.digitize(col, edges)
    return out


def mutual_information(a: np.ndarray, b: np.ndarray) -> float:
    """MI of two discrete label vectors, in nats."""
    joint = np.zeros((a.max() + 1, b.max() + 1))
    np.add.at(joint, (a, b), 1.0)
    joint /= joint.sum()
    pa, pb = joint.sum(1, keepdims=True), joint.sum(0, keepdims=True)
    nz = joint > 0
    return float(np.sum(joint[nz] * np.log(joint[nz] / (pa @ pb)[nz])))


def entropy(a: np.ndarray) -> float:
    p = np.bincount(a) / len(a)
    p = p[p > 0]
    return float(-np.sum(p * np.log(p)))


def mig(z, theta, bins: int = BINS) -> float:
    z, theta = paired(z, theta)
    zd, td = discretise(z, bins), discretise(theta, bins)
    gaps = []
    for j in range(td.shape[1]):
        h = entropy(td[:, j])
        if h == 0:
            raise ValueError(f"MIG: factor {j} is constant, its entropy is zero")
        mi = np.sort([mutual_information(zd[:, i], td[:, j]) for i in range(zd.shape[1])])[::-1]
        gaps.append((mi[0] - (mi[1] if len(mi) > 1 else 0.0)) / h)
    return float(np.mean(gaps))
