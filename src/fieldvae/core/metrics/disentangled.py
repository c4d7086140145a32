"""When does a run count as disentangled? Every factor is captured by a latent of its own, and that
latent carries no other factor.

explained_share[i, j] is the share of factor j's variance that latent i explains alone, whatever the
form of the dependence: the correlation ratio eta^2 = Var(E[theta_j | z_i]) / Var(theta_j), with
E[theta_j | z_i] estimated over BINS quantile bins of z_i and adjusted for the bins' degrees of
freedom (about 0 for an independent latent; 0 for a constant one). A monotone but curved code
(exp(theta_1), theta_2) is captured as well as a linear one; linear R^2 would reject it.

For an assignment pi of distinct latents to the factors, factor j is captured when
explained_share[pi(j), j] is high, and its latent is exclusive when it explains little of any other
factor k beyond what theta_j itself explains of theta_k (which is 0 for independent factors, and the
factors' own dependence for correlated ones). The axis share of a code is

    max over pi of  min over j of  min(share[pi(j), j], 1 - max_k excess[pi(j), k])

and a run is disentangled when it is not over-regularised and its axis share reaches
MIN_EXPLAINED_SHARE. Known answers: an axis-aligned code about 1 (permuted, flipped, scaled, or
monotonically curved copies too); a Gaussian code rotated by a from the axes cos^2(a) (45 degrees:
0.5); one factor plus noise about 0; one latent carrying both factors (a rotated bimodal code, or
z_1 = theta_1 + 0.5 sign(theta_2)) fails exclusivity. 0.75 admits Gaussian codes within 30 degrees of
the axes. The tables also show the fraction over THRESHOLDS, so no verdict hangs on one cut.
"""

from __future__ import annotations

import itertools

import numpy as np

from fieldvae.core.metrics.checks import paired

MIN_EXPLAINED_SHARE = 0.75
THRESHOLDS = (0.55, 0.65, 0.75, 0.85, 0.95)
BINS = 16  # quantile bins of a latent: 32 samples each at the test set's 512


def correlation_ratio(x: np.ndarray, y: np.ndarray, bins: int = BINS) -> float:
    """Adjusted share of y's variance explained by E[y | x], x cut into quantile bins; in [0, 1]."""
    edges = np.unique(np.quantile(x, np.linspace(0, 1, bins + 1)[1:-1]))
    groups = np.searchsorted(edges, x, side="right")
    used = np.unique(groups)
    total = np.sum((y - y.mean()) ** 2)
    if total == 0 or len(used) < 2 or len(y) <= len(used):
        return 0.0
    counts, sums = np.bincount(groups), np.bincount(groups, weights=y)
    means = np.divide(sums, counts, out=np.zeros(len(counts)), where=counts > 0)
    within = np.sum((y - means[groups]) ** 2)
    adjusted = 1 - (within / (len(y) - len(used))) / (total / (len(y) - 1))
    return float(np.clip(adjusted, 0.0, 1.0))


def explained_share(z, theta) -> np.ndarray:
    """(latents, factors): the share of each factor's variance each latent explains alone."""
    z, theta = paired(z, theta)
    return np.array([[correlation_ratio(zi, tj) for tj in theta.T] for zi in z.T])


def axis_share(z, theta) -> float:
    """The best assignment of distinct latents to factors, scored by its worst factor: the share its
    latent explains of it, lowered by what that latent explains of other factors beyond the factor
    itself (module doc); 0 with fewer latents than factors."""
    z, theta = paired(z, theta)
    share, between = explained_share(z, theta), explained_share(theta, theta)
    latents, factors = share.shape
    if latents < factors:
        return 0.0
    best = 0.0
    for rows in itertools.permutations(range(latents), factors):
        worst = 1.0
        for j, i in enumerate(rows):
            others = [k for k in range(factors) if k != j]
            excess = max((share[i, k] - between[j, k] for k in others), default=0.0)
            worst = min(worst, share[i, j], 1.0 - max(excess, 0.0))
        best = max(best, worst)
    return float(best)


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
