"""When does a run count as disentangled? Every factor is captured by a latent of its own.

explained_share[i, j] is the share of factor j's variance that latent i explains alone (the squared
correlation of the posterior means z_i with theta_j; 0 for a constant latent). The axis share of a
code is the best, over assignments of distinct latents to the factors, of the smallest share an
assigned latent explains of its factor:

    axis_share = max over injective pi: factors -> latents of min_j explained_share[pi(j), j]

A run is disentangled when it is not over-regularised and its axis share reaches
MIN_EXPLAINED_SHARE. Distinct latents with shares above one half mean no latent serves two
uncorrelated factors (a latent's shares of uncorrelated factors add up to at most 1). Known answers:
an axis-aligned code has share 1 (also permuted, flipped, scaled); a code rotated by a from the axes
cos^2(a) (45 degrees: 0.5); one factor plus noise about 0 for the other factor. 0.75 admits codes
within 30 degrees of the axes. The tables also show the fraction over THRESHOLDS, so no verdict
hangs on one cut.
"""

from __future__ import annotations

import itertools

import numpy as np

from fieldvae.metrics.checks import paired

MIN_EXPLAINED_SHARE = 0.75
THRESHOLDS = (0.55, 0.65, 0.75, 0.85, 0.95)


def explained_share(z, theta) -> np.ndarray:
    """(latents, factors): squared correlation of each latent with each factor."""
    z, theta = paired(z, theta)
    zc, tc = z - z.mean(0), theta - theta.mean(0)
    norms = np.outer(np.linalg.norm(zc, axis=0), np.linalg.norm(tc, axis=0))
    return np.divide((zc.T @ tc) ** 2, norms**2, out=np.zeros(norms.shape), where=norms > 0)


def axis_share(z, theta) -> float:
    """The smallest share a latent explains of its own factor, under the best assignment of distinct
    latents to factors; 0 with fewer latents than factors."""
    share = explained_share(z, theta)
    latents, factors = share.shape
    if latents < factors:
        return 0.0
    cols = np.arange(factors)
    return float(max(share[list(rows), cols].min() for rows in itertools.permutations(range(latents), factors)))


def diagonal_share(z, theta) -> float:
    """The smallest share latent k explains of factor k: the assignment that labels impose on a
    semi-supervised run (latent k is trained towards theta_k)."""
    share = explained_share(z, theta)
    if share.shape[0] < share.shape[1]:
        return 0.0
    return float(np.diag(share).min())


def disentangled(axis_share_value: float, over_regularised: bool, threshold: float = MIN_EXPLAINED_SHARE) -> bool:
    if not 0.5 < threshold <= 1.0:
        raise ValueError(f"threshold: expected a share in (0.5, 1], got {threshold}")
    return bool(not over_regularised and axis_share_value >= threshold)
