"""Distributions p(theta) of the generative parameters (SPEC A), each a seeded sampler.

For s > 2 coefficients the same law applies to every coefficient (independently, except for
`correlated`, where all pairs share one correlation).
"""

from __future__ import annotations

import numpy as np

SHIFTED_MEAN = 1.0
SHIFTED_STD = 0.5
MIXTURE_CENTRE = 1.0
MIXTURE_STD = 0.25
CORRELATION = 0.75  # [ours]: the paper only remarks on correlated factors


def standard(rng: np.random.Generator, n: int, dim: int) -> np.ndarray:
    """theta ~ N(0, I): the factors of the `standard` and KLEs datasets."""
    return rng.standard_normal((n, dim))


def shifted(rng: np.random.Generator, n: int, dim: int) -> np.ndarray:
    """theta_j ~ N(1, 0.5^2) independently: a translated, scaled Gaussian."""
    return SHIFTED_MEAN + SHIFTED_STD * rng.standard_normal((n, dim))


def mixture(rng: np.random.Generator, n: int, dim: int) -> np.ndarray:
    """theta_j ~ 0.5 N(+1, 0.25^2) + 0.5 N(-1, 0.25^2) independently: four modes at (+-1, +-1)."""
    signs = rng.choice([-1.0, 1.0], size=(n, dim))
    return MIXTURE_CENTRE * signs + MIXTURE_STD * rng.standard_normal((n, dim))


def correlated(rng: np.random.Generator, n: int, dim: int) -> np.ndarray:
    """theta ~ N(0, S) with unit variances and correlation 0.75 between every pair."""
    cov = np.full((dim, dim), CORRELATION) + (1 - CORRELATION) * np.eye(dim)
    return rng.standard_normal((n, dim)) @ np.linalg.cholesky(cov).T


SAMPLERS = {"standard": standard, "shifted": shifted, "mixture": mixture, "correlated": correlated}


def sample_theta(name: str, n: int, dim: int, rng: np.random.Generator) -> np.ndarray:
    """n draws of the `dim` coefficients from distribution `name`, from the given stream
    (fieldvae.core.streams: a dataset's draws and S_KL's reference samples are different purposes)."""
    if name not in SAMPLERS:
        raise ValueError(f"unknown theta distribution {name!r}, expected one of {sorted(SAMPLERS)}")
    return SAMPLERS[name](rng, n, dim)
