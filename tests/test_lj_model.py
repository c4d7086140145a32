"""The distance-matrix VAE and its training: architecture, objective, split, resumption, scores."""

import numpy as np
import pytest
import torch

from fieldvae.core.io import load_columns, save_arrays
from fieldvae.lj import training
from fieldvae.lj.model import (DistanceVAE, LJModelConfig, LJTrainingConfig, kl_to_standard_normal, loss_terms,
                               reconstruction_error)
from fieldvae.lj.scoring import gamma_r2, min_distance, pair_energy, robust_deviation
from fieldvae.lj.training import load_distance_vae, stratified_split, train_distance_vae


def test_published_architecture_has_the_parameters_it_should():
    n, (c1, c2), k = 30, (60, 50), 40
    expected = (9 * c1 + c1) + (9 * c1 * c2 + c2)          # encoder convolutions
    expected += 2 * (c2 * n * n * k + k)                    # means and log-variances
    expected += k * c2 * n * n + c2 * n * n                 # decoder's dense layer
    expected += (9 * c2 * c1 + c1) + (9 * c1 + 1)           # decoder convolutions
    model = DistanceVAE(LJModelConfig())
    assert sum(p.numel() for p in model.parameters()) == expected


def test_shapes_and_output_range():
    model = DistanceVAE(LJModelConfig(size=12, channels=(3, 2), n_latent=5))
    x = torch.rand(7, 12, 12)
    out, mean, log_var = model(x)
    assert out.shape == x.shape and mean.shape == log_var.shape == (7, 5)
    assert out.min() >= 0 and out.max() <= 1


def test_kl_matches_torch_distributions():
    mean, log_var = torch.randn(50, 4, dtype=torch.float64), torch.randn(50, 4, dtype=torch.float64)
    q = torch.distributions.Normal(mean, torch.exp(0.5 * log_var))
    p = torch.distributions.Normal(torch.zeros_like(mean), torch.ones_like(mean))
    torch.testing.assert_close(kl_to_standard_normal(mean, log_var), torch.distributions.kl_divergence(q, p))


def test_loss_is_mse_plus_weighted_kl():
    torch.manual_seed(0)
    model = DistanceVAE(LJModelConfig(size=8, channels=(2,), n_latent=3))
    x = torch.rand(5, 8, 8)
    torch.manual_seed(1)
    terms = loss_terms(model, x, 0.5)
    torch.testing.assert_close(terms["loss"], terms["mse"] + 0.5 * terms["kl"])
    torch.manual_seed(1)
    out, mean, log_var = model(x)
    torch.testing.assert_close(terms["mse"], ((out - x) ** 2).mean())


def test_reconstruction_error_is_deterministic_and_per_matrix():
    model = DistanceVAE(LJModelConfig(size=8, channels=(2,), n_latent=3))
    x = torch.rand(9, 8, 8)
    a, b = reconstruction_error(model, x, batch_size=4), reconstruction_error(model, x)
    torch.testing.assert_close(a, b)
    with torch.no_grad():
        manual = ((model.decode(model.encode(x[:1])[0]) - x[:1]) ** 2).mean()
    torch.testing.assert_close(a[0], manual)


def test_stratified_split_holds_out_the_same_share_of_every_gamma():
    gammas = np.repeat([0.1, 0.4, 0.7], [50, 30, 20])
    train, test = stratified_split(gammas, 0.2, seed=3)
    assert len(np.intersect1d(train, test)) == 0 and len(train) + len(test) == 100
    assert [np.sum(gammas[test] == g) for g in (0.1, 0.4, 0.7)] == [10, 6, 4]
    again, _ = stratified_split(gammas, 0.2, seed=3)
    other, _ = stratified_split(gammas, 0.2, seed=4)
    assert np.array_equal(train, again) and not np.array_equal(train, other)


def test_bad_settings_name_the_field():
    with pytest.raises(ValueError, match="channels"):
        LJModelConfig(channels=())
    with pytest.raises(ValueError, match="test_fraction"):
        LJTrainingConfig(test_fraction=1.0)


def _sample_files(tmp_path, n=24, particles=8):
    """Two 'gammas' of random configurations, written as `fieldvae lj sample` writes them."""
    rng = np.random.default_rng(0)
    paths = []
    for gamma, spread in [(0.1, 10.0), (1.0, 4.0)]:
        positions = rng.uniform(0, 1, (n, particles, 2)) * [10.0, spread]
        path = tmp_path / f"gamma{gamma}.npz"
        save_arrays(path, {"positions": positions}, {"params": {"gamma": gamma, "box": 10.0}})
        paths.append(path)
    return paths


SMALL = LJModelConfig(size=8, channels=(4,), n_latent=4)


def test_training_lowers_the_loss_and_records_its_split(tmp_path):
    paths = _sample_files(tmp_path)
    cfg = LJTrainingConfig(epochs=30, lr=3e-3, batch_size=8)
    history = train_distance_vae(paths, SMALL, cfg, 0, tmp_path / "run", torch.device("cpu"), {})
    assert history[-1]["mse"] < 0.5 * history[0]["mse"]
    model, record = load_distance_vae(tmp_path / "run" / "model.pt")
    assert len(record["test_index"]) == 10 and record["box"] == 10.0
    assert np.array_equal(load_columns(tmp_path / "run" / "history.csv")["epoch"], np.arange(30))
    assert not (tmp_path / "run" / "checkpoint.pt").exists()


def test_interrupted_training_resumes_to_the_same_model(tmp_path, monkeypatch):
    paths = _sample_files(tmp_path)
    cfg = LJTrainingConfig(epochs=6, batch_size=8, checkpoint_every=2)
    train_distance_vae(paths, SMALL, cfg, 5, tmp_path / "straight", torch.device("cpu"), {})

    calls = {"n": 0}
    real = training.loss_terms

    def interrupted(*args):
        calls["n"] += 1
        if calls["n"] > 4 * 5:  # 5 batches per epoch: stop during the fifth epoch
            raise KeyboardInterrupt
        return real(*args)

    monkeypatch.setattr(training, "loss_terms", interrupted)
    with pytest.raises(KeyboardInterrupt):
        train_distance_vae(paths, SMALL, cfg, 5, tmp_path / "resumed", torch.device("cpu"), {})
    assert (tmp_path / "resumed" / "checkpoint.pt").exists()
    assert not (tmp_path / "resumed" / "model.pt").exists()
    monkeypatch.setattr(training, "loss_terms", real)
    train_distance_vae(paths, SMALL, cfg, 5, tmp_path / "resumed", torch.device("cpu"), {})
    a = torch.load(tmp_path / "straight" / "model.pt", weights_only=False)["state_dict"]
    b = torch.load(tmp_path / "resumed" / "model.pt", weights_only=False)["state_dict"]
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_baselines_from_matrices():
    box = 10.0
    # Two particles at distance 2^(1/6) (the LJ minimum, energy -1) and one far away.
    positions = np.array([[[1.0, 1.0], [1.0 + 2 ** (1 / 6), 1.0], [9.0, 9.0]]])
    d = np.linalg.norm(positions[:, :, None] - positions[:, None], axis=-1) / (box * np.sqrt(2))
    np.testing.assert_allclose(pair_energy(d, box), [-1.0])
    np.testing.assert_allclose(min_distance(d, box), [2 ** (1 / 6)])
    np.testing.assert_allclose(robust_deviation(np.array([5.0, 1.0]), np.array([0.0, 1.0, 2.0])), [4.0, 0.0])


def test_gamma_r2_is_one_for_a_linear_code_and_low_for_noise():
    rng = np.random.default_rng(0)
    gamma = rng.choice([0.1, 0.4, 0.7, 1.0], 400)
    code = np.column_stack([2 * gamma + 1, rng.normal(size=400)])
    assert gamma_r2(code[:300], gamma[:300], code[300:], gamma[300:]) == pytest.approx(1.0)
    noise = rng.normal(size=(400, 3))
    assert gamma_r2(noise[:300], gamma[:300], noise[300:], gamma[300:]) < 0.1
