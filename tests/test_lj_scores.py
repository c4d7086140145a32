"""The distance-matrix VAE's further anomaly scores and the paired AUC comparison, against
analytic values, Monte Carlo estimates and the model's own training loss."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.spatial.distance import pdist, squareform
from scipy.stats import multivariate_normal

from fieldvae.lj.anomaly import roc_auc
from fieldvae.lj.anomaly_sets import black_out
from fieldvae.lj.auc_comparison import paired_auc_difference, verdict
from fieldvae.lj.geometry import distance_matrices
from fieldvae.lj.model import DistanceVAE, LJModelConfig, loss_terms
from fieldvae.lj.scores.latent_density import (aggregate_posterior_nll,
                                               knn_distance)
from fieldvae.lj.scores.mds_residual import ROUNDING, mds_residual
from fieldvae.lj.scores.negative_elbo import (kl_to_standard_normal,
                                              negative_elbo)
from fieldvae.lj.scoring import encoded

BOX = 10.0


# --- negative ELBO ------------------------------------------------------------------------------

def test_kl_matches_a_monte_carlo_estimate_within_five_standard_errors():
    rng = np.random.default_rng(0)
    for _ in range(4):
        mean, log_var = rng.normal(0, 1, 3), rng.normal(0, 1, 3)
        z = mean + np.exp(0.5 * log_var) * rng.standard_normal((200_000, 3))
        log_ratio = (multivariate_normal(mean, np.diag(np.exp(log_var))).logpdf(z)
                     - multivariate_normal(np.zeros(3), np.eye(3)).logpdf(z))
        standard_error = log_ratio.std() / np.sqrt(len(z))
        kl = kl_to_standard_normal(mean[None], log_var[None])[0]
        assert abs(kl - log_ratio.mean()) < 5 * standard_error


def test_kl_is_zero_exactly_at_the_prior_and_positive_elsewhere():
    assert np.array_equal(kl_to_standard_normal(np.zeros((2, 5)), np.zeros((2, 5))), np.zeros(2))
    assert np.all(kl_to_standard_normal([[0.1, 0.0]], [[0.0, -0.1]]) > 0)


def test_the_batch_mean_of_the_score_is_the_training_loss_without_reparameterisation_noise(monkeypatch):
    torch.manual_seed(0)
    model = DistanceVAE(LJModelConfig(size=6, channels=(3,), n_latent=4))
    x = torch.rand(8, 6, 6)
    monkeypatch.setattr(torch, "randn", lambda shape, generator=None, device=None, dtype=None:
                        torch.zeros(shape, device=device, dtype=dtype))  # z = encoder mean
    with torch.no_grad():
        terms = loss_terms(model, x, kl_weight=0.3)
        mean, log_var = (t.numpy() for t in model.encode(x))
    error = encoded(model, x.numpy())["error"]
    score = negative_elbo(error, mean, log_var, kl_weight=0.3)
    assert np.mean(error) == pytest.approx(terms["mse"].item(), rel=1e-5)
    assert np.mean(kl_to_standard_normal(mean, log_var)) / 4 == pytest.approx(terms["kl"].item(), rel=1e-5)
    assert np.mean(score) == pytest.approx(terms["loss"].item(), rel=1e-5)


def test_negative_elbo_rejects_mismatched_or_bad_inputs():
    mean = np.zeros((3, 2))
    with pytest.raises(ValueError, match="reconstruction_error"):
        negative_elbo(np.zeros(4), mean, mean, 0.1)
    with pytest.raises(ValueError, match="log_var"):
        negative_elbo(np.zeros(3), mean, np.zeros((3, 3)), 0.1)
    with pytest.raises(ValueError, match="mean"):
        negative_elbo(np.zeros(3), np.full((3, 2), np.nan), mean, 0.1)
    with pytest.raises(ValueError, match="kl_weight"):
        negative_elbo(np.zeros(3), mean, mean, -1.0)


# --- latent density -----------------------------------------------------------------------------

def test_one_component_gives_the_analytic_gaussian_nll():
    rng = np.random.default_rng(1)
    mu, log_var = rng.normal(0, 1, (1, 5)), rng.normal(0, 1, (1, 5))
    z = rng.normal(0, 2, (50, 5))
    expected = -multivariate_normal(mu[0], np.diag(np.exp(log_var[0]))).logpdf(z)
    assert np.allclose(aggregate_posterior_nll(z, mu, log_var), expected, rtol=1e-10, atol=1e-10)


def test_a_mixture_gives_minus_log_the_mean_component_density_in_any_chunking():
    rng = np.random.default_rng(2)
    mu, log_var = rng.normal(0, 1, (7, 3)), rng.normal(-1, 0.5, (7, 3))
    z = rng.normal(0, 1.5, (20, 3))
    densities = [multivariate_normal(m, np.diag(np.exp(v))).pdf(z) for m, v in zip(mu, log_var)]
    expected = -np.log(np.mean(densities, axis=0))
    for chunk_size in (1, 6, 256):
        assert np.allclose(aggregate_posterior_nll(z, mu, log_var, chunk_size=chunk_size), expected, rtol=1e-10)


def test_points_far_from_the_training_means_score_higher_than_points_drawn_from_the_mixture():
    rng = np.random.default_rng(3)
    mu, log_var = rng.normal(0, 1, (300, 4)), np.full((300, 4), np.log(0.1))
    component = rng.integers(0, 300, 100)
    drawn = mu[component] + np.sqrt(0.1) * rng.standard_normal((100, 4))
    far = rng.normal(0, 1, (100, 4)) + 8.0
    assert aggregate_posterior_nll(far, mu, log_var).min() > aggregate_posterior_nll(drawn, mu, log_var).max()
    assert knn_distance(mu, far, 5).min() > knn_distance(mu, drawn, 5).max()


def test_knn_distance_on_a_grid():
    grid = np.arange(10.0)[:, None]
    assert np.allclose(knn_distance(grid, [[4.2]], 1), [0.2])
    assert np.allclose(knn_distance(grid, [[4.2]], 2), [0.8])
    assert np.allclose(knn_distance(grid, [[4.2]], 3), [1.2])
    assert np.allclose(knn_distance(grid, [[-3.0]], 10), [12.0])


def test_latent_density_errors_name_the_argument():
    good = np.zeros((4, 2))
    with pytest.raises(ValueError, match="means"):
        knn_distance(good, np.zeros(2), 1)
    with pytest.raises(ValueError, match="train_means"):
        knn_distance(np.full((4, 2), np.nan), good, 1)
    with pytest.raises(ValueError, match="means: 3 latents"):
        knn_distance(good, np.zeros((4, 3)), 1)
    with pytest.raises(ValueError, match="train_log_vars"):
        aggregate_posterior_nll(good, good, np.zeros((4, 3)))
    with pytest.raises(ValueError, match="train_log_vars"):
        aggregate_posterior_nll(good, good, np.full((4, 2), np.inf))
    with pytest.raises(ValueError, match="means"):
        aggregate_posterior_nll(np.full((4, 2), np.nan), good, good)


# --- MDS residual -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def true_matrices():
    """float32 distance matrices of random 2-D configurations, as the VAE sees them."""
    return distance_matrices(np.random.default_rng(4).uniform(0, BOX, (100, 30, 2)))


def test_true_configurations_have_no_residual_in_any_particle_order(true_matrices):
    order = np.random.default_rng(5).permutation(30)
    assert true_matrices.dtype == np.float32
    assert np.array_equal(mds_residual(true_matrices), np.zeros(100))
    assert np.array_equal(mds_residual(true_matrices[:, order][:, :, order]), np.zeros(100))
    assert 1e-8 < mds_residual(true_matrices, rounding=0).max() < ROUNDING / 10  # the float32 floor it removes


def test_flat_sedimented_configurations_tie_with_a_gas():
    """Adversarial: a layer on the floor (gamma 3) leaves a slightly larger float32 residual than a gas;
    without the rounding floor that alone orders them (AUC far from 0.5), with it they tie."""
    rng = np.random.default_rng(9)
    gas = distance_matrices(rng.uniform(0, BOX, (200, 30, 2)))
    layer = distance_matrices(np.stack([rng.uniform(0, BOX, (200, 30)), rng.uniform(0, 1.5, (200, 30))], -1))
    assert np.array_equal(mds_residual(layer), mds_residual(gas))
    assert roc_auc(mds_residual(gas), mds_residual(layer)) == 0.5
    assert roc_auc(mds_residual(gas, rounding=0), mds_residual(layer, rounding=0)) > 0.6  # rounding alone


def test_three_dimensional_configurations_leave_a_clear_residual():
    points = np.random.default_rng(6).uniform(0, 1, (50, 30, 3))
    residual = mds_residual([squareform(pdist(p)) for p in points])
    assert residual.min() > 0.05
    assert mds_residual([squareform(pdist(p)) for p in points], dim=3).max() < 1e-10


def test_blacked_out_blocks_score_far_above_true_configurations(true_matrices):
    blacked = black_out(true_matrices, 6, np.random.default_rng(7))
    assert mds_residual(blacked).min() > 1000 * mds_residual(true_matrices).max()


def test_one_perturbed_entry_leaves_a_residual(true_matrices):
    perturbed = true_matrices.copy()
    perturbed[:, 3, 7] += 0.05
    assert mds_residual(perturbed).min() > 100 * mds_residual(true_matrices).max()


def test_residual_is_scale_invariant_and_in_the_unit_interval(true_matrices):
    rng = np.random.default_rng(8)
    noisy = true_matrices + rng.uniform(0, 0.1, true_matrices.shape)
    residual = mds_residual(noisy)
    assert np.all((residual > 0) & (residual <= 1))
    assert np.allclose(mds_residual(3.7 * noisy.astype(float)), residual, rtol=1e-9)
    assert np.array_equal(mds_residual(np.zeros((1, 4, 4))), [0.0])


def test_mds_residual_rejects_bad_shapes_naming_matrices():
    for bad in (np.zeros((30, 30)), np.zeros((2, 30, 29)), np.zeros((2, 1, 1)), np.full((1, 3, 3), np.nan)):
        with pytest.raises(ValueError, match="matrices"):
            mds_residual(bad)
    with pytest.raises(ValueError, match="dim"):
        mds_residual(np.zeros((1, 3, 3)), dim=4)


# --- paired AUC comparison ----------------------------------------------------------------------

def noisy_scores(rng, n=150, shift=1.0):
    """Normal and anomalous samples, and two scores of them: the same signal, independent noise of
    equal size, so both scores have the same true AUC."""
    signal = np.concatenate([np.zeros(n), np.full(n, shift)])
    a, b = signal + rng.standard_normal(2 * n), signal + rng.standard_normal(2 * n)
    return a[:n], a[n:], b[:n], b[n:]


def test_identical_scores_differ_by_exactly_zero():
    normal, anomalous = np.random.default_rng(9).normal(0, 1, (2, 60))
    result = paired_auc_difference(normal, anomalous + 0.5, normal, anomalous + 0.5, np.random.default_rng(0), n_boot=200)
    assert result == {"difference": 0.0, "low": 0.0, "high": 0.0}
    assert verdict(result) == "equal within the interval"


def test_a_perfect_score_is_better_than_a_random_one_and_the_reverse_is_worse():
    rng = np.random.default_rng(10)
    perfect_normal, perfect_anomalous = rng.uniform(0, 1, 80), rng.uniform(2, 3, 80)
    random_normal, random_anomalous = rng.uniform(0, 1, 80), rng.uniform(0, 1, 80)
    better = paired_auc_difference(perfect_normal, perfect_anomalous, random_normal, random_anomalous,
                                   np.random.default_rng(0), n_boot=300)
    worse = paired_auc_difference(random_normal, random_anomalous, perfect_normal, perfect_anomalous,
                                  np.random.default_rng(0), n_boot=300)
    assert better["difference"] == pytest.approx(1 - roc_auc(random_normal, random_anomalous))
    assert verdict(better) == "better" and verdict(worse) == "worse"


def test_scores_with_the_same_true_auc_are_mostly_called_equal():
    equal = 0
    for seed in range(20):
        rng = np.random.default_rng(seed)
        result = paired_auc_difference(*noisy_scores(rng), rng, n_boot=300)
        equal += verdict(result) == "equal within the interval"
    assert equal >= 17  # a 95% interval covers the true difference 0 in about 19 of 20


def test_the_interval_contains_the_full_data_difference_and_is_reproducible():
    for seed in range(3):
        scores = noisy_scores(np.random.default_rng(100 + seed), shift=0.5 * seed)
        result = paired_auc_difference(*scores, np.random.default_rng(seed), n_boot=300)
        assert result["low"] <= result["difference"] <= result["high"]
        assert result == paired_auc_difference(*scores, np.random.default_rng(seed), n_boot=300)
    assert result != paired_auc_difference(*scores, np.random.default_rng(99), n_boot=300)


def test_paired_auc_difference_rejects_unpaired_or_bad_inputs():
    scores = noisy_scores(np.random.default_rng(11), n=20)
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="normal_b"):
        paired_auc_difference(scores[0], scores[1], scores[2][:-1], scores[3], rng)
    with pytest.raises(ValueError, match="anomalous_b"):
        paired_auc_difference(scores[0], scores[1], scores[2], scores[3][:-1], rng)
    with pytest.raises(ValueError, match="anomalous_a"):
        paired_auc_difference(scores[0], np.append(scores[1][:-1], np.nan), scores[2], scores[3], rng)
    with pytest.raises(ValueError, match="n_boot"):
        paired_auc_difference(*scores, rng, n_boot=0)
    with pytest.raises(ValueError, match="level"):
        paired_auc_difference(*scores, rng, level=1.0)
