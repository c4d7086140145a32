"""The distance-matrix VAE and its training: architecture, objective, split, resumption, scores."""

import io
import re
import sys

import numpy as np
import pytest
import torch
from conftest import REPO, kill_during, run

from fieldvae.core.io import load_columns, save_arrays
from fieldvae.core.trainer import TrainingDiverged
from fieldvae.lj import training
from fieldvae.lj.model import (DistanceVAE, LJModelConfig, LJTrainingConfig,
                               kl_to_standard_normal, loss_terms)
from fieldvae.lj.scoring import (encoded, gamma_r2, min_distance, pair_energy,
                                 robust_deviation)
from fieldvae.lj.training import (load_distance_vae, stratified_split,
                                  train_distance_vae)


def test_published_architecture_has_the_parameters_it_should():
    n, (c1, c2), k = 30, (60, 50), 40
    expected = (9 * c1 + c1) + (9 * c1 * c2 + c2)          # encoder convolutions
    expected += 2 * (c2 * n * n * k + k)                    # means and log-variances
    expected += k * c2 * n * n + c2 * n * n                 # decoder's dense layer
    expected += (9 * c2 * c1 + c1) + (9 * c1 + 1)           # decoder convolutions
    model = DistanceVAE(LJModelConfig())
    assert sum(p.numel() for p in model.parameters()) == expected


def test_initial_weights_come_from_the_initialisation_stream_with_pytorchs_bounds():
    """The same generator gives the same weights whatever the global generator did before; every layer's
    weights and biases lie within PyTorch's default bounds, 1/sqrt(fan_in), and come near them."""
    cfg = LJModelConfig(size=12, channels=(3, 2), n_latent=5)
    torch.manual_seed(1)
    a = DistanceVAE(cfg, torch.Generator().manual_seed(7)).state_dict()
    torch.rand(100)
    b = DistanceVAE(cfg, torch.Generator().manual_seed(7)).state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
    for name in [k for k in a if k.endswith(".weight")]:
        bound = 1 / a[name][0].numel() ** 0.5
        for tensor in (a[name], a[name.replace("weight", "bias")]):
            assert tensor.abs().max() <= bound and (tensor.numel() < 20 or tensor.abs().max() > 0.5 * bound)


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
    a, b = encoded(model, x.numpy(), batch_size=4), encoded(model, x.numpy())
    assert all(np.allclose(a[k], b[k], rtol=1e-5, atol=1e-7) for k in ("mean", "log_var", "error"))
    with torch.no_grad():
        mean, log_var = model.encode(x[:1])
        manual = ((model.decode(mean) - x[:1]) ** 2).mean()
    assert a["error"][0] == pytest.approx(float(manual), rel=1e-6)
    assert np.allclose(a["mean"][0], mean[0].numpy()) and np.allclose(a["log_var"][0], log_var[0].numpy())


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


def test_killed_run_resumes_bit_for_bit(tmp_path):
    """kill -9 mid-run, rerun the same command: the final weights and history equal an
    uninterrupted run's (the shared trainer, as for the Darcy study)."""
    paths = _sample_files(tmp_path, n=60)
    model = '{"size": 8, "channels": [4], "n_latent": 4}'
    settings = '{"epochs": 40, "batch_size": 8, "checkpoint_every": 1}'

    def command(out):
        return [sys.executable, "-m", "fieldvae.cli", "lj", "train", "--data", *map(str, paths), "--model", model,
                "--training", settings, "--seed", "5", "--threads", "1", "--device", "cpu", "--out-dir", str(out)]

    run(command(tmp_path / "whole"), cwd=REPO)
    kill_during(command(tmp_path / "killed"), "epoch 3 ")
    assert not (tmp_path / "killed/model.pt").exists() and (tmp_path / "killed/checkpoint.pt").exists()
    resumed = run(command(tmp_path / "killed"), cwd=REPO)
    assert re.search(r"resuming after epoch ([3-9]|[1-3][0-9]) ", resumed.stderr), resumed.stderr
    a = torch.load(tmp_path / "whole/model.pt", weights_only=True)["state_dict"]
    b = torch.load(tmp_path / "killed/model.pt", weights_only=True)["state_dict"]
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert (tmp_path / "whole/history.csv").read_text() == (tmp_path / "killed/history.csv").read_text()


def _interrupted(paths, cfg, out, monkeypatch, after_batches):
    """Train until `after_batches` batches, then stop as a crash would, leaving the checkpoint."""
    calls = {"n": 0}
    real = training.loss_terms

    def interrupted(*args):
        calls["n"] += 1
        if calls["n"] > after_batches:
            raise KeyboardInterrupt
        return real(*args)

    with monkeypatch.context() as patch:
        patch.setattr(training, "loss_terms", interrupted)
        with pytest.raises(KeyboardInterrupt):
            train_distance_vae(paths, SMALL, cfg, 5, out, torch.device("cpu"), {})
    assert (out / "checkpoint.pt").exists() and not (out / "model.pt").exists()


@pytest.mark.parametrize("change", [{"lr": 2e-3}, {"epochs": 3}, {"kl_weight": 1e-3}])
def test_checkpoint_of_other_settings_is_not_resumed(tmp_path, monkeypatch, change):
    """A changed learning rate, epoch count or weight starts afresh and says so; before, a shorter
    run skipped training and a changed rate resumed silently."""
    paths = _sample_files(tmp_path)
    cfg = LJTrainingConfig(epochs=6, batch_size=8, checkpoint_every=1)
    _interrupted(paths, cfg, tmp_path / "run", monkeypatch, after_batches=4 * 5)
    log = io.StringIO()
    changed = LJTrainingConfig(**{**cfg.to_dict(), **change})
    history = train_distance_vae(paths, SMALL, changed, 5, tmp_path / "run", torch.device("cpu"), {}, log=log)
    assert "written by other code or settings; starting afresh" in log.getvalue()
    assert [h["epoch"] for h in history] == list(range(changed.epochs))


def test_checkpoint_of_other_code_is_not_resumed(tmp_path, monkeypatch):
    """A checkpoint written before a code change is not resumed (a bug fix must not continue from
    the weights the bug made)."""
    paths = _sample_files(tmp_path)
    cfg = LJTrainingConfig(epochs=6, batch_size=8, checkpoint_every=1)
    _interrupted(paths, cfg, tmp_path / "run", monkeypatch, after_batches=4 * 5)
    monkeypatch.setattr(training, "code_fingerprint", lambda *modules: "edited")
    log = io.StringIO()
    history = train_distance_vae(paths, SMALL, cfg, 5, tmp_path / "run", torch.device("cpu"), {}, log=log)
    assert "starting afresh" in log.getvalue() and len(history) == 6


def test_divergence_names_the_epoch_and_the_terms(tmp_path):
    paths = _sample_files(tmp_path)
    cfg = LJTrainingConfig(epochs=4, batch_size=8, lr=1e9, checkpoint_every=1)
    with pytest.raises(TrainingDiverged, match=r"epoch \d+: non-finite .*mse=.*kl=") as err:
        train_distance_vae(paths, SMALL, cfg, 0, tmp_path / "run", torch.device("cpu"), {})
    assert "checkpoint" in str(err.value)
    assert not (tmp_path / "run/model.pt").exists()


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
