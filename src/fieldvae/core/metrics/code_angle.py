"""The code angle: how far a code's latents point from the factor axes, a property of the code's
geometry alone (paper: failed hierarchical-prior runs sit "at around a 45-degree rotation").

Each latent z_i is read as a monotone function of one direction d_i in the space of the
standardised factors, plus noise: d_i is the unit vector whose projection theta . d_i orders the
samples most like z_i does (largest |Spearman correlation|, searched by turns towards each factor
axis, RESOLUTION degrees apart, the correlation averaged over +-SMOOTHING degrees so that a range of
tied directions is read at its middle). Ranks make the direction blind to monotone warps of a latent
(exp, cube, tanh of a rotated code point where the rotation does), and noise lowers the correlation
at every direction alike, so it moves the maximum only by estimation error, not on average. Nothing
depends on the factors' distribution beyond their standardisation: a code rotated by a degrees has
directions a degrees from the axes on Gaussian, shifted and bimodal factors alike.

A latent captures its direction when rho^2, its squared correlation there, reaches MIN_CAPTURE
(signal at least as large as noise for a linear code). The code angle is, over assignments of
distinct capturing latents to the factors, the smallest possible largest angle between a latent's
direction and its factor's axis: 0 for an axis-aligned code (permuted, flipped, scaled or warped),
a for a code rotated by a (folded: at most 45 for two factors), about 20-25 for z_1 = theta_1 +
0.5 sign(theta_2) (a leak of a fifth of its variance), about 90 where two latents track one factor
and none the other. NaN where no assignment captures every factor: one factor plus noise, one latent
carrying both factors, fewer latents than factors, a constant latent; such a code has no angle, and
is not disentangled.

Ranks see only monotone dependence, so the geometry also says whether the code is exclusive: each
latent of the best assignment carries of the other factors, beyond what its own factor explains of
it, at most tan^2(EXCLUSIVE_ANGLE) times what its own factor explains (correlation ratios over
quantile bins of the factors, so any dependence counts: theta_1 + 0.5 theta_2^2 is caught; a code
rotated by a has the ratio tan^2(a), so the check bites only twice the disentangled cut away).

What it cannot see (a review's probes): the direction of a latent that saturates on a bimodal factor,
telling only which mode a sample is in while noise sets the order within modes: any direction that
keeps the modes apart orders the samples alike, and it reads 15-25 degrees even when aligned; and a
leak through the spread rather than the mean (theta_1 exp(theta_2)).
"""

from __future__ import annotations

import itertools
from typing import NamedTuple

import numpy as np
from scipy.stats import rankdata

from fieldvae.core.metrics.checks import paired
from fieldvae.core.metrics.disentangled import binned_means, correlation_ratio

MIN_CAPTURE = 0.5
EXCLUSIVE_ANGLE = 30.0  # degrees: the leak to other factors a latent may carry, as a rotation would
RESOLUTION = 0.5  # degrees between the directions tried in a plane
SMOOTHING = 2.5  # degrees: the correlation is averaged over this much either side before its peak is taken
_TURNS = np.radians(np.arange(0.0, 180.0, RESOLUTION))


def standardised_ranks(a: np.ndarray) -> np.ndarray:
    """Ranks of each column, centred and scaled to unit variance (0 for a constant column)."""
    r = rankdata(a, axis=0)
    r -= r.mean(axis=0)
    spread = r.std(axis=0)
    return np.divide(r, spread, out=np.zeros_like(r), where=spread > 0)


def index_direction(latent: np.ndarray, theta: np.ndarray) -> tuple[np.ndarray, float]:
    """(unit direction in standardised-factor space, |Spearman| of the latent with the projection
    on it): the direction the latent is a monotone function of. Starts from the least-squares
    direction of the latent's ranks and turns it towards each factor axis in turn, to the best of
    180 / RESOLUTION directions in that plane, twice over; with two factors one turn covers every
    direction, so the search is exhaustive."""
    ranks = standardised_ranks(latent[:, None])[:, 0]
    if not ranks.any():
        return np.full(theta.shape[1], np.nan), 0.0
    direction = np.linalg.lstsq(theta, ranks, rcond=None)[0]
    norm = np.linalg.norm(direction)
    direction = direction / norm if norm > 0 else np.eye(theta.shape[1])[0]
    best = 0.0
    rounds = [0] if theta.shape[1] == 2 else list(range(theta.shape[1])) * 2
    for axis in rounds:
        towards = np.eye(theta.shape[1])[axis] - direction[axis] * direction  # the axis, orthogonal to direction
        if np.linalg.norm(towards) < 1e-9:
            continue
        towards /= np.linalg.norm(towards)
        candidates = np.cos(_TURNS)[:, None] * direction + np.sin(_TURNS)[:, None] * towards
        rho = np.abs(ranks @ standardised_ranks(theta @ candidates.T)) / len(ranks)
        turn = np.radians(smoothed_peak(rho))
        direction, best = np.cos(turn) * direction + np.sin(turn) * towards, float(rho.max())
    return direction / np.linalg.norm(direction), best


def smoothed_peak(rho: np.ndarray) -> float:
    """Degrees: the direction (circular over 180 degrees, RESOLUTION apart) where the correlation,
    averaged over +-SMOOTHING degrees, is largest, and the middle of the run where it ties. A latent
    tied on many samples (one that tells only which mode of a bimodal factor a sample is in) orders
    them equally well along a range of directions, and the raw argmax is any of them; the average
    peaks in the middle of the range, while a symmetric peak keeps its top."""
    half = int(round(SMOOTHING / RESOLUTION))
    wrapped = np.concatenate([rho[-half:], rho, rho[:half]])
    average = np.convolve(wrapped, np.ones(2 * half + 1) / (2 * half + 1), mode="valid")
    top = average >= average.max() - 1e-12
    start = int(np.argmax(average))
    if top.all():
        return float(start * RESOLUTION)
    left = right = 0
    while top[(start - left - 1) % len(top)]:
        left += 1
    while top[(start + right + 1) % len(top)]:
        right += 1
    return float((start + (right - left) / 2) * RESOLUTION)


def exclusive(latent: np.ndarray, theta: np.ndarray, factor: int) -> bool:
    """Whether the other factors explain of the latent, beyond what factor `factor` does, at most
    tan^2(EXCLUSIVE_ANGLE) times what that factor explains."""
    own_fit, _ = binned_means(theta[:, factor], latent)
    own = correlation_ratio(theta[:, factor], latent)
    residual = latent - own_fit
    spread = latent.var()
    if spread == 0 or own == 0:
        return False
    beyond = max((correlation_ratio(theta[:, k], residual) * residual.var() / spread
                  for k in range(theta.shape[1]) if k != factor), default=0.0)
    return beyond <= np.tan(np.radians(EXCLUSIVE_ANGLE)) ** 2 * own


class Geometry(NamedTuple):
    angle: float  # degrees; NaN: no assignment captures every factor
    exclusive: bool  # the best assignment's latents carry little of the other factors


def code_angle(z, theta) -> float:
    """Degrees (module doc)."""
    return code_geometry(z, theta).angle


def code_geometry(z, theta) -> Geometry:
    """The smallest, over assignments of distinct capturing latents to the factors, of the largest
    angle between a latent's direction and its factor's axis (NaN where none captures every factor),
    and whether that assignment's latents are exclusive (module doc)."""
    z, theta = paired(z, theta, min_samples=3)
    spread = theta.std(axis=0)
    if np.any(spread == 0):
        raise ValueError("factors: a constant factor has no axis to measure an angle from")
    standard = (theta - theta.mean(axis=0)) / spread
    found = [index_direction(latent, standard) for latent in z.T]
    angles = np.degrees(np.arccos(np.clip(np.abs([d for d, _ in found]), 0.0, 1.0)))  # (latents, factors)
    captures = [rho**2 >= MIN_CAPTURE for _, rho in found]
    best, chosen = np.nan, None
    for rows in itertools.permutations(range(z.shape[1]), theta.shape[1]):
        if all(captures[i] for i in rows):
            worst = max(angles[i, j] for j, i in enumerate(rows))
            if np.isnan(best) or worst < best:
                best, chosen = worst, rows
    return Geometry(float(best), chosen is not None and all(exclusive(z[:, i], standard, j)
                                                             for j, i in enumerate(chosen)))
