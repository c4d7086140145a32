"""Every metric against cases whose answer is known, plus bad input."""

import numpy as np
import pytest

from fieldvae.core.metrics.aggregate import (aggregate_density,
                                             aggregate_samples,
                                             rate_distortion)
from fieldvae.core.metrics.dci import dci
from fieldvae.core.metrics.knn_kl import knn_kl_divergence
from fieldvae.core.metrics.mig import mig
from fieldvae.core.metrics.overregularisation import (final_rate,
                                                      over_regularised)
from fieldvae.core.metrics.s_d import s_d, s_d_of_factors
from fieldvae.core.metrics.sap import sap
from fieldvae.darcy.theta import sample_theta


def rotation(degrees):
    a = np.deg2rad(degrees)
    return np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])


def kl_gauss(m0, s0, m1, s1):
    s1i = np.linalg.inv(s1)
    return 0.5 * (np.trace(s1i @ s0) + (m1 - m0) @ s1i @ (m1 - m0) - len(m0) + np.log(np.linalg.det(s1) / np.linalg.det(s0)))


def uncorrelated(n, seed=0):
    """Two factors with exactly zero sample correlation and equal sample spread (whitened)."""
    t = np.random.default_rng(seed).standard_normal((n, 2))
    t -= t.mean(0)
    return t @ np.linalg.inv(np.linalg.cholesky(np.cov(t.T))).T


# --- k-NN KL estimator --------------------------------------------------------------------------

GAUSSIANS = {
    "1d": (np.zeros(1), np.eye(1), np.ones(1), 4 * np.eye(1)),
    "2d": (np.zeros(2), np.eye(2), np.array([1.0, 0.5]), np.array([[2.0, 0.6], [0.6, 1.0]])),
}


@pytest.mark.parametrize("case", sorted(GAUSSIANS))
@pytest.mark.parametrize("n", [128, 512, 2048])
def test_knn_kl_matches_analytic_gaussian_kl(case, n):
    m0, s0, m1, s1 = GAUSSIANS[case]
    rng = np.random.default_rng(n)
    est = np.array([knn_kl_divergence(rng.multivariate_normal(m0, s0, n), rng.multivariate_normal(m1, s1, n))
                    for _ in range(20)])
    true = kl_gauss(m0, s0, m1, s1)
    spread = est.std()
    assert abs(est.mean() - true) < 2 * spread / np.sqrt(len(est)) + 0.3 * spread  # unbiased to within the spread
    assert abs(est.mean() - true) < 0.1


def test_knn_kl_is_zero_for_identical_distributions_and_asymmetric_otherwise():
    rng = np.random.default_rng(1)
    same = [knn_kl_divergence(rng.standard_normal((512, 2)), rng.standard_normal((512, 2))) for _ in range(20)]
    assert abs(np.mean(same)) < 3 * np.std(same) / np.sqrt(len(same))
    narrow = [knn_kl_divergence(rng.standard_normal((2048, 1)), 2 * rng.standard_normal((2048, 1))) for _ in range(10)]
    wide = [knn_kl_divergence(2 * rng.standard_normal((2048, 1)), rng.standard_normal((2048, 1))) for _ in range(10)]
    # KL(N(0, 1) || N(0, 4)) = 0.318; KL(N(0, 4) || N(0, 1)) = 0.807, which the estimator approaches
    # from below (p has mass where q has few samples)
    assert abs(np.mean(narrow) - (np.log(2) + 1 / 8 - 0.5)) < 3 * np.std(narrow) / np.sqrt(10) + 0.02
    assert np.mean(wide) > np.mean(narrow) + 0.2


def test_knn_kl_bad_input():
    x = np.random.default_rng(0).standard_normal((50, 2))
    with pytest.raises(ValueError, match="differ in dimension"):
        knn_kl_divergence(x, x[:, :1])
    with pytest.raises(ValueError, match="NaN"):
        knn_kl_divergence(np.where(np.eye(50, 2) == 1, np.nan, x), x)
    with pytest.raises(ValueError, match="repeated points"):
        knn_kl_divergence(np.zeros((10, 2)), x)
    with pytest.raises(ValueError, match="at least 2 samples"):
        knn_kl_divergence(x[:1], x)


# --- S_D ----------------------------------------------------------------------------------------

def test_s_d_is_one_for_independent_factors_and_a_half_at_45_degrees():
    theta = uncorrelated(512)
    assert s_d(theta, theta) == pytest.approx(1.0, abs=1e-12)
    assert s_d(theta[:, ::-1] * [2.0, -3.0] + 1.0, theta) == pytest.approx(1.0, abs=1e-12)  # permuted, scaled
    assert s_d(theta @ rotation(45).T, theta) == pytest.approx(0.5, abs=1e-12)
    assert 0.5 < s_d(theta @ rotation(20).T, theta) < s_d(theta @ rotation(10).T, theta) < 1


def test_s_d_of_the_factors_on_a_finite_sample_is_below_one():
    theta = sample_theta("standard", 512, 2, np.random.default_rng(0))
    assert 0.85 < s_d_of_factors(theta) < 1.0


def test_s_d_constant_code_scores_the_minimum_and_bad_input_is_refused():
    theta = uncorrelated(100)
    assert s_d(np.zeros((100, 2)), theta) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="differ in length"):
        s_d(theta[:50], theta)
    with pytest.raises(ValueError, match="at least 2 samples"):
        s_d(theta[:1], theta[:1])
    with pytest.raises(ValueError, match="NaN"):
        s_d(np.full((100, 2), np.nan), theta)


# --- MIG, SAP, DCI ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def factors():
    return sample_theta("standard", 2000, 2, np.random.default_rng(3))


def codes(theta, kind):
    return {
        "perfect": theta,
        "permuted": theta[:, ::-1] * [2.0, -1.0],
        "rotated 20": theta @ rotation(20).T,
        "rotated 45": theta @ rotation(45).T,
        "noise": np.random.default_rng(0).standard_normal(theta.shape),
    }[kind]


@pytest.mark.parametrize("metric", ["mig", "sap", "dci_d", "dci_c"])
def test_perfect_permuted_rotated_and_noise_codes(factors, metric):
    def score(kind):
        z = codes(factors, kind)
        if metric == "mig":
            return mig(z, factors)
        if metric == "sap":
            return sap(z, factors)
        result = dci(z[:1500], factors[:1500], z[1500:], factors[1500:])
        return result["disentanglement" if metric == "dci_d" else "completeness"]

    perfect, permuted, rot20, rot45, noise = map(score, ["perfect", "permuted", "rotated 20", "rotated 45", "noise"])
    assert perfect > 0.9 and permuted == pytest.approx(perfect, abs=0.02)  # invariant to permutation and scale
    assert perfect > rot20 + 0.1 and rot20 > rot45 + 0.1                   # falls as the code rotates
    assert rot45 < 0.05 and noise < 0.05                                   # no axis-aligned information


def test_bounds_and_exact_values(factors):
    assert sap(factors, factors) == pytest.approx(1 - np.corrcoef(factors.T)[0, 1] ** 2)
    assert sap(factors @ rotation(45).T, factors) < 0.05  # equal shares of both factors
    assert 0.6 < mig(factors, factors) <= 1.0  # binned self-information over binned entropy
    perfect = dci(factors[:1500], factors[:1500], factors[1500:], factors[1500:])
    assert perfect["disentanglement"] > 0.95 and perfect["completeness"] > 0.95
    assert perfect["informativeness"] > 0.98
    noise, rotated = codes(factors, "noise"), codes(factors, "rotated 45")
    assert dci(noise[:1500], factors[:1500], noise[1500:], factors[1500:])["informativeness"] < 0.05
    assert dci(rotated[:1500], factors[:1500], rotated[1500:], factors[1500:])["informativeness"] > 0.95


def test_constant_codes(factors):
    flat = np.zeros_like(factors)
    assert mig(flat, factors) == 0.0
    assert sap(flat, factors) == 0.0
    assert dci(flat[:1500], factors[:1500], flat[1500:], factors[1500:])["disentanglement"] == 0.0
    with pytest.raises(ValueError, match="factor 0 is constant"):
        mig(factors, np.c_[np.ones(len(factors)), factors[:, 1]])


# --- over-regularisation and the aggregated posterior --------------------------------------------

def test_over_regularisation_rule():
    rng = np.random.default_rng(0)
    informative_mu, sharp = rng.standard_normal((500, 2)), np.full((500, 2), np.log(0.05**2))
    collapsed_mu, prior_like = 0.01 * rng.standard_normal((500, 2)), np.zeros((500, 2))
    assert not over_regularised(3.0, informative_mu, sharp)
    assert over_regularised(0.02, informative_mu, sharp)         # (a) the rate collapsed
    assert over_regularised(5.0, collapsed_mu, prior_like)        # (b) the code is noise
    assert not over_regularised(0.5, np.c_[collapsed_mu[:, 0], informative_mu[:, 1]], sharp)  # one latent suffices
    assert final_rate([9.0] * 5 + [0.05] * 10) == pytest.approx(0.05)
    with pytest.raises(ValueError, match="no epochs"):
        final_rate([])


def test_aggregate_density_integrates_to_one_and_samples_follow_it():
    rng = np.random.default_rng(0)
    mu, logvar = rng.standard_normal((30, 2)), np.log(rng.uniform(0.05, 0.3, (30, 2)))
    t = np.linspace(-6, 6, 241)
    grid = np.stack(np.meshgrid(t, t), -1).reshape(-1, 2)
    density = aggregate_density(mu, logvar, grid)
    assert density.sum() * (t[1] - t[0]) ** 2 == pytest.approx(1.0, abs=1e-6)
    samples = aggregate_samples(mu, logvar, np.random.default_rng(1), per_input=2000)
    assert samples.shape == (60_000, 2)
    assert np.allclose(samples.mean(0), (grid * density[:, None]).sum(0) * (t[1] - t[0]) ** 2, atol=0.02)


def test_rate_distortion_point():
    history = {"rate": [100.0] * 20 + [3.0] * 10, "distortion": [-500.0] * 20 + [-900.0] * 10}
    assert rate_distortion(history) == (3.0, -900.0)
