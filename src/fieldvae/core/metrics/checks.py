"""Input checks shared by the metrics: clear errors instead of silent nonsense."""

from __future__ import annotations

import numpy as np


def as_samples(a, name: str, min_samples: int = 2) -> np.ndarray:
    """A finite (n, d) float array with at least `min_samples` rows; 1-D input is one column."""
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2:
        raise ValueError(f"{name}: expected an array of shape (samples, dimensions), got shape {a.shape}")
    if len(a) < min_samples:
        raise ValueError(f"{name}: expected at least {min_samples} samples, got {len(a)}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name}: contains NaN or infinite values")
    return a


def paired(z, theta, min_samples: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Codes and factors of the same samples."""
    z, theta = as_samples(z, "codes", min_samples), as_samples(theta, "factors", min_samples)
    if len(z) != len(theta):
        raise ValueError(f"codes and factors differ in length: {len(z)} and {len(theta)} samples")
    return z, theta
