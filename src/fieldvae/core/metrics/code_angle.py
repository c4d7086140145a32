"""The angle between a 2-D code and the factor axes (paper: failed hierarchical-prior runs sit "at
around a 45-degree rotation").

Both are standardised; the least-squares linear map from code to factors is split into rotation and
stretch (polar decomposition), and the rotation's angle is folded into [0, 45] degrees, since
swapping or flipping latents (a multiple of 90 degrees, a reflection) is no rotation of the code:
0 is axis-aligned, 45 the worst.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import polar

from fieldvae.core.metrics.checks import paired


def code_angle(z, theta) -> float:
    """Degrees in [0, 45]; NaN unless there are two latents and two factors, or for a constant latent."""
    z, theta = paired(z, theta, min_samples=3)
    if z.shape[1] != 2 or theta.shape[1] != 2:
        return float("nan")
    z_spread, t_spread = z.std(0), theta.std(0)
    if np.any(z_spread <= 1e-12 * np.maximum(1.0, np.abs(z.mean(0)))) or np.any(t_spread == 0):
        return float("nan")  # a constant latent (up to rounding: a column of 0.3 has std 5.6e-17)
    zs, ts = (z - z.mean(0)) / z_spread, (theta - theta.mean(0)) / t_spread
    mapping = np.linalg.lstsq(zs, ts, rcond=None)[0].T  # ts ~ zs @ mapping.T
    rotation, _ = polar(mapping)
    if np.linalg.det(rotation) < 0:  # a flipped latent: undo the reflection
        rotation = rotation @ np.diag([1.0, -1.0])
    angle = np.degrees(np.arctan2(rotation[1, 0], rotation[0, 0])) % 90.0
    return float(min(angle, 90.0 - angle))
