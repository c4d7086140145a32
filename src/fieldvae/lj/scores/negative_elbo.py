"""The VAE's own training objective, per sample, as an anomaly score.

Training minimises `model.loss_terms`: the mean squared error over every matrix entry plus
`kl_weight` times the KL to N(0, I) averaged over latents (and over the batch). Its per-sample
version is the matrix's reconstruction error (`lj.scoring.encoded`: mean squared error of
decoding the encoder mean) plus `kl_weight` times its KL summed over latents divided by the number
of latents, so the batch mean of the score is the training loss with the reparameterisation noise
removed. A matrix the model finds costly to encode or to reconstruct scores high.
"""

from __future__ import annotations

import numpy as np


def _finite(values, name: str, ndim: int) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != ndim or len(values) == 0:
        raise ValueError(f"{name}: expected a non-empty {ndim}-D array, got shape {values.shape}")
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{name}: contains NaN or infinite values")
    return values


def kl_to_standard_normal(mean, log_var) -> np.ndarray:
    """KL(N(mean, diag exp(log_var)) || N(0, I)) of each sample (rows of (samples, latents) arrays),
    summed over latents: the analytic divergence of the encoder's posterior from the prior."""
    mean, log_var = _finite(mean, "mean", 2), _finite(log_var, "log_var", 2)
    if mean.shape != log_var.shape:
        raise ValueError(f"mean and log_var differ in shape: {mean.shape} and {log_var.shape}")
    return 0.5 * np.sum(mean ** 2 + np.exp(log_var) - 1.0 - log_var, axis=1)


def negative_elbo(reconstruction_error, mean, log_var, kl_weight: float) -> np.ndarray:
    """Per-sample training loss: reconstruction error (samples,) plus kl_weight times the KL per
    latent, i.e. `kl_to_standard_normal` divided by the number of latents, as `loss_terms` weighs it."""
    reconstruction_error = _finite(reconstruction_error, "reconstruction_error", 1)
    kl = kl_to_standard_normal(mean, log_var)
    if len(kl) != len(reconstruction_error):
        raise ValueError(f"reconstruction_error: {len(reconstruction_error)} samples, but mean has {len(kl)}")
    if not kl_weight >= 0:
        raise ValueError(f"kl_weight: expected a non-negative weight, got {kl_weight}")
    return reconstruction_error + kl_weight * kl / np.shape(mean)[1]
