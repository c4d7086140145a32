"""Samplers of p(theta): seeded, with the moments and shapes of SPEC A."""

import numpy as np
import pytest

from fieldvae.darcy.theta import SAMPLERS, sample_theta

N = 100_000


def test_seed_fixes_the_draw():
    for name in SAMPLERS:
        assert np.array_equal(sample_theta(name, 50, 2, np.random.default_rng(3)), sample_theta(name, 50, 2, np.random.default_rng(3)))
        assert not np.array_equal(sample_theta(name, 50, 2, np.random.default_rng(3)), sample_theta(name, 50, 2, np.random.default_rng(4)))


def test_standard_and_shifted_moments():
    t = sample_theta("standard", N, 2, np.random.default_rng(0))
    assert np.allclose(t.mean(0), 0, atol=0.02) and np.allclose(t.std(0), 1, atol=0.02)
    t = sample_theta("shifted", N, 2, np.random.default_rng(0))
    assert np.allclose(t.mean(0), 1, atol=0.01) and np.allclose(t.std(0), 0.5, atol=0.01)
    assert abs(np.corrcoef(t.T)[0, 1]) < 0.02


def test_mixture_has_four_equal_modes():
    t = sample_theta("mixture", N, 2, np.random.default_rng(0))
    quadrant = (t[:, 0] > 0) * 2 + (t[:, 1] > 0)
    assert np.allclose(np.bincount(quadrant) / N, 0.25, atol=0.01)
    assert np.mean(np.abs(t) < 0.25) < 0.01  # almost nothing between the modes (3 std from each)
    assert np.allclose(np.abs(t).mean(0), 1, atol=0.01)
    assert np.allclose(np.std(np.abs(t) - 1, axis=0), 0.25, atol=0.01)


def test_correlated_has_unit_variance_and_shared_correlation():
    t = sample_theta("correlated", N, 3, np.random.default_rng(0))
    c = np.corrcoef(t.T)
    assert np.allclose(t.std(0), 1, atol=0.02)
    assert np.allclose(c[np.triu_indices(3, 1)], 0.75, atol=0.01)


def test_unknown_distribution():
    with pytest.raises(ValueError, match="unknown theta distribution 'gauss'"):
        sample_theta("gauss", 5, 2, np.random.default_rng(0))
