"""The aggregated posterior q(z) = 1/N sum_n q(z | x_n): samples, its exact density, and a run's
rate-distortion point."""

from __future__ import annotations

import numpy as np
from scipy.special import logsumexp

from fieldvae.core.metrics.checks import as_samples


def aggregate_samples(mu, logvar, rng: np.random.Generator, per_input: int = 1) -> np.ndarray:
    """per_input draws z ~ q(z | x_n) for every input: samples of q(z), shape (N * per_input, d)."""
    mu, logvar = as_samples(mu, "posterior means", 1), as_samples(logvar, "posterior log-variances", 1)
    mu, std = np.repeat(mu, per_input, 0), np.repeat(np.exp(0.5 * logvar), per_input, 0)
    return mu + std * rng.standard_normal(mu.shape)


def aggregate_density(mu, logvar, points) -> np.ndarray:
    """Exact density of the Gaussian mixture q(z) at points (P, d)."""
    mu, logvar = as_samples(mu, "posterior means", 1), as_samples(logvar, "posterior log-variances", 1)
    points = as_samples(points, "points", 1)
    var = np.exp(logvar)
    diff = points[:, None, :] - mu[None, :, :]
    log_components = -0.5 * np.sum(np.log(2 * np.pi * var)[None] + diff**2 / var[None], axis=2)
    return np.exp(logsumexp(log_components, axis=1) - np.log(len(mu)))


def rate_distortion(history: dict, epochs: int = 10) -> tuple[float, float]:
    """(rate, distortion) in nats per sample, averaged over the last epochs of a history."""
    return (float(np.mean(history["rate"][-epochs:])), float(np.mean(history["distortion"][-epochs:])))
