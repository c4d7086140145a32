"""S_D, the disentanglement score of the authors' code (SPEC D).

S_D = mean_i max_j |Cov(z_i, theta_j)| / sum_j |Cov(z_i, theta_j)|, in [1/s, 1] for s factors:
1 when every latent co-varies with one factor only. A latent that co-varies with no factor (a
constant code) scores 1/s, the value of no disentanglement.

We score encoder means on the full test set with the model in eval mode; the authors used one
training batch of sampled z in train mode. On a finite sample the factors are slightly correlated, so
theta scored against itself stays below 1 (`s_d_of_factors`, about 0.92-0.97 at 512 samples). That is
a reference, not an upper bound: a code decorrelated by the sample covariance scores above it. S_D
also ignores how much of a factor a latent holds (theta_1 and pure noise can score high), so whether
a run is disentangled is decided by fieldvae.core.metrics.disentangled, not by S_D.
"""

from __future__ import annotations

import numpy as np

from fieldvae.core.metrics.checks import paired


def s_d(z, theta) -> float:
    z, theta = paired(z, theta)
    zc, tc = z - z.mean(0), theta - theta.mean(0)
    cov = np.abs(zc.T @ tc) / (len(z) - 1)  # (latents, factors)
    totals = cov.sum(1)
    ratios = np.divide(cov.max(1), totals, out=np.full(len(totals), 1 / theta.shape[1]), where=totals > 0)
    return float(ratios.mean())


def s_d_of_factors(theta) -> float:
    """S_D of the factors against themselves on this sample."""
    return s_d(theta, theta)
