"""The "disentangled" rule and the code angle on codes whose answer is known, adversarial ones
included: one factor plus noise used to pass the old S_D rule in about a third of draws."""

import numpy as np
import pytest

from fieldvae.core.metrics.code_angle import code_angle
from fieldvae.core.metrics.disentangled import (MIN_EXPLAINED_SHARE,
                                                THRESHOLDS, axis_share,
                                                diagonal_share, disentangled,
                                                explained_share)
from fieldvae.core.metrics.s_d import s_d, s_d_of_factors
from fieldvae.darcy.theta import sample_theta


def rotation(degrees):
    a = np.deg2rad(degrees)
    return np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])


@pytest.fixture(scope="module")
def theta():
    return sample_theta("standard", 512, 2, np.random.default_rng(0))


def test_axis_aligned_codes_and_their_permuted_flipped_scaled_copies_are_disentangled(theta):
    noise = np.random.default_rng(1).standard_normal(theta.shape)
    for z in (theta, theta[:, ::-1] * [-3.0, 0.5] + 7.0, theta + 0.2 * noise):
        share = axis_share(z, theta)
        assert share > 0.9 and disentangled(share, over_regularised=False)
    assert axis_share(theta[:, ::-1], theta) == pytest.approx(axis_share(theta, theta))


@pytest.mark.parametrize("seed", range(20))
def test_one_factor_plus_noise_is_never_disentangled(theta, seed):
    """The old rule (S_D >= 0.9 x S_D of theta) passed such a code in about a third of draws."""
    z = np.c_[theta[:, 0], np.random.default_rng(seed).standard_normal(len(theta))]
    assert axis_share(z, theta) < 0.05 and not disentangled(axis_share(z, theta), False)


def test_the_old_s_d_rule_is_fooled_by_one_factor_plus_noise(theta):
    """Why the rule changed: S_D ignores how much of a factor a latent holds."""
    fooled = 0
    for seed in range(60):
        z = np.c_[theta[:, 0], np.random.default_rng(seed).standard_normal(len(theta))]
        fooled += s_d(z, theta) >= 0.9 * s_d_of_factors(theta)
    assert fooled >= 5


def test_rotations_lose_share_as_cos_squared(theta):
    """A Gaussian code rotated by a explains cos^2(a) of each factor and sin^2(a) of the other (binning
    costs the estimate about 0.03)."""
    for angle in (0, 15, 30, 45):
        expected = np.cos(np.deg2rad(angle)) ** 2
        assert axis_share(theta @ rotation(angle).T, theta) == pytest.approx(expected, abs=0.05)
    share_45 = axis_share(theta @ rotation(45).T, theta)
    assert 0.4 < share_45 < 0.6 and not disentangled(share_45, False)


def test_curved_codes_count_as_much_as_linear_ones(theta):
    """A monotone but nonlinear code is as disentangled as a linear one (linear R^2 gave 0.57)."""
    curved = np.c_[np.exp(1.5 * theta[:, 0]), np.tanh(theta[:, 1])]
    assert axis_share(curved, theta) == pytest.approx(axis_share(theta, theta), abs=0.01)
    assert disentangled(axis_share(curved, theta), False)


def test_one_latent_serving_both_factors_or_too_few_latents_is_not_disentangled(theta):
    assert axis_share(np.c_[theta[:, 0], theta[:, 0]], theta) < 0.05  # no latent of its own for factor 2
    assert axis_share(theta[:, :1], theta) == 0.0
    assert axis_share(np.c_[theta, np.ones(len(theta))], theta) > 0.95  # a spare constant latent is harmless


def test_a_latent_that_also_encodes_another_factor_is_not_exclusive():
    """Adversarial codes that capture each factor yet let one latent carry the other factor too."""
    mixture = sample_theta("mixture", 2000, 2, np.random.default_rng(4))
    sneaky = np.c_[mixture[:, 0] + 0.5 * np.sign(mixture[:, 1]), mixture[:, 1]]  # z1 tells sign(theta_2)
    assert axis_share(sneaky, mixture) < 0.5 and axis_share(mixture, mixture) > 0.95
    assert axis_share(mixture @ rotation(30).T, mixture) < 0.5  # a rotated bimodal code names both modes
    correlated = sample_theta("correlated", 2000, 2, np.random.default_rng(5))
    both = correlated.sum(1)
    assert axis_share(np.c_[both, both], correlated) < MIN_EXPLAINED_SHARE
    assert axis_share(correlated, correlated) > 0.95  # the factors' own correlation is no excess


def test_over_regularised_runs_are_never_disentangled():
    assert not disentangled(1.0, over_regularised=True)


def test_explained_share_and_diagonal_share(theta):
    share = explained_share(theta @ rotation(30).T, theta)
    assert share.shape == (2, 2) and np.all((0 <= share) & (share <= 1))
    assert np.allclose(share, [[0.75, 0.25], [0.25, 0.75]], atol=0.05)
    assert explained_share(np.c_[np.ones(len(theta)), theta[:, 1]], theta)[0].tolist() == [0.0, 0.0]
    noise = np.random.default_rng(2).standard_normal(theta.shape)
    assert np.all(explained_share(noise, theta) < 0.05)  # adjusted for the bins: about 0, not 15/511
    assert diagonal_share(theta, theta) > 0.95
    assert diagonal_share(theta[:, ::-1], theta) < 0.05  # labels fix the order: swapped is not the same code


def test_thresholds_and_their_checks():
    assert MIN_EXPLAINED_SHARE in THRESHOLDS and list(THRESHOLDS) == sorted(THRESHOLDS)
    assert disentangled(0.8, False, 0.75) and not disentangled(0.8, False, 0.85)
    with pytest.raises(ValueError, match="threshold: expected a share in"):
        disentangled(0.8, False, 0.5)


@pytest.mark.parametrize("angle", [0, 10, 30, 45, 60, 80, 100, -20, 135])
def test_code_angle_recovers_the_rotation_folded_into_0_to_45(theta, angle):
    expected = angle % 90
    expected = min(expected, 90 - expected)
    z = theta @ rotation(angle).T
    assert code_angle(z, theta) == pytest.approx(expected, abs=0.5)
    assert code_angle(z[:, ::-1] * [-2.0, 0.3], theta) == pytest.approx(expected, abs=0.5)  # swapped, flipped, scaled


def test_code_angle_is_undefined_off_two_dimensions(theta):
    assert np.isnan(code_angle(np.c_[theta, theta[:, 0]], theta))
    assert np.isnan(code_angle(np.c_[theta[:, 0], np.ones(len(theta))], theta))
    assert np.isnan(code_angle(np.c_[theta[:, 0], np.full(len(theta), 0.3)], theta))  # std 5.6e-17, not 0


def test_s_d_of_the_factors_is_a_reference_not_an_upper_bound(theta):
    """theta decorrelated by its own sample covariance scores above theta itself (the old "ceiling")."""
    decorrelated = (theta - theta.mean(0)) @ np.linalg.inv(np.linalg.cholesky(np.cov(theta.T))).T
    assert s_d(decorrelated, theta) > s_d_of_factors(theta)
