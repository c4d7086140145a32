"""How unlikely an encoder mean is under the training set's aggregated posterior.

Normal matrices encode to where the training matrices encode; an anomaly may reconstruct well yet
land in an empty region of latent space. Two estimates of that emptiness: the distance to the k-th
nearest training mean (no model of the density), and minus the log density of the aggregated
posterior (1/M) sum_i N(mu_i, diag exp(log_var_i)) of the M training matrices.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree
from scipy.special import logsumexp


def _latents(values, name: str) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 2 or len(values) == 0 or values.shape[1] == 0:
        raise ValueError(f"{name}: expected a non-empty (samples, latents) array, got shape {values.shape}")
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{name}: contains NaN or infinite values")
    return values


def _same_latents(a: np.ndarray, a_name: str, b: np.ndarray, b_name: str) -> None:
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"{b_name}: {b.shape[1]} latents, but {a_name} has {a.shape[1]}")


def knn_distance(train_means, means, k: int) -> np.ndarray:
    """Euclidean distance from each row of `means` to its k-th nearest row of `train_means` (the
    scored sets never include the training matrices, so no point meets itself)."""
    train_means, means = _latents(train_means, "train_means"), _latents(means, "means")
    _same_latents(train_means, "train_means", means, "means")
    if not 1 <= k <= len(train_means):
        raise ValueError(f"k: expected 1 to {len(train_means)} neighbours, got {k}")
    distances, _ = cKDTree(train_means).query(means, k=[k], workers=-1)
    return distances[:, 0]


def aggregate_posterior_nll(means, train_means, train_log_vars, chunk_size: int = 256) -> np.ndarray:
    """-log (1/M) sum_i N(z; mu_i, diag exp(log_var_i)) at each row z of `means`, over the M
    training components. The quadratic form is expanded into matrix products, so a chunk of
    `chunk_size` rows needs one (chunk_size, M) array, not (chunk_size, M, latents)."""
    means = _latents(means, "means")
    train_means, train_log_vars = _latents(train_means, "train_means"), _latents(train_log_vars, "train_log_vars")
    if train_means.shape != train_log_vars.shape:
        raise ValueError(f"train_log_vars: shape {train_log_vars.shape}, but train_means has {train_means.shape}")
    _same_latents(train_means, "train_means", means, "means")
    if chunk_size < 1:
        raise ValueError(f"chunk_size: expected a positive number of rows, got {chunk_size}")
    precision = np.exp(-train_log_vars)
    weighted_means = train_means * precision
    n_components, n_latent = train_means.shape
    # log of (1/M) N(z; mu_i, .) without the terms in z: normalisation and -mu^T P mu / 2
    offsets = (-0.5 * (np.sum(train_means * weighted_means, axis=1) + np.sum(train_log_vars, axis=1)
                       + n_latent * np.log(2 * np.pi)) - np.log(n_components))
    nll = np.empty(len(means))
    for start in range(0, len(means), chunk_size):
        z = means[start:start + chunk_size]
        log_components = offsets - 0.5 * (z ** 2) @ precision.T + z @ weighted_means.T
        nll[start:start + chunk_size] = -logsumexp(log_components, axis=1)
    return nll
