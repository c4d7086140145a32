"""Training: real PyTorch runs on small data: it learns, beta follows its mode, a killed job resumes
bit for bit, divergence stops cleanly, semi-supervised labels come from the labelled pool only."""

import io
import json
import os
import re
import sys
import zipfile
from functools import partial

import numpy as np
import pytest
import torch
from conftest import assert_resumes_bit_for_bit

from fieldvae.core.dataset_file import held_out_set, load_dataset
from fieldvae.core.io import load_columns
from fieldvae.core.trainer import (CHECKPOINT_HEADER, CHECKPOINT_STATE,
                                   Trainer, TrainingDiverged, batch_count,
                                   pick_device)
from fieldvae.darcy.theta import sample_theta
from fieldvae.paper.plotting import fig10, overview
from fieldvae.vae.encode import encode_model_file, encode_splits
from fieldvae.vae.evaluate import evaluate
from fieldvae.vae.models.config import ModelConfig
from fieldvae.vae.models.densevae import DenseVAE
from fieldvae.vae.models.store import load_model
from fieldvae.vae.rotation import rotate_model_file
from fieldvae.vae.training.config import TrainingConfig
from fieldvae.vae.training.method import TrainingMethod
from fieldvae.vae.training.run import train_run, training_data

QUICK = {"epochs": 6, "recon_epochs": 2, "lr": [[0, 0.002]], "checkpoint_every": 1}
# the CUDA paths (`pytest -m cuda`, run by benchmarks/gpu_check.py): skipped without a CUDA device
DEVICES = ["cpu", pytest.param("cuda", marks=[pytest.mark.cuda, pytest.mark.skipif(not torch.cuda.is_available(),
                                                                                  reason="no CUDA device")])]


def train(data_file, out_dir, training=None, model=None, seed=0, device="cpu"):
    torch.set_num_threads(1)
    return train_run(data_file, model or {}, {**QUICK, **(training or {})}, seed, out_dir, device, {"params": {}},
                     log=open(os.devnull, "w"))


def test_training_lowers_the_loss_faster_with_a_faster_output_variance(data_file, tmp_path):
    """SPEC G: with one learning rate the output log-variance moves about one step per iteration;
    a 10x rate for it lowers the per-pixel NLL much faster in a short schedule."""
    settings = {"epochs": 25, "recon_epochs": 25}
    slow = [h["nll_per_pixel"] for h in train(data_file, tmp_path / "slow", settings)]
    fast = [h["nll_per_pixel"] for h in train(data_file, tmp_path / "fast", {**settings, "logvar_lr_factor": 10.0})]
    assert slow[-1] < slow[0] - 0.3 and fast[-1] < fast[0] - 1.0  # nats per pixel
    assert fast[-1] < slow[-1] - 0.5
    assert (tmp_path / "fast/model.pt").exists() and (tmp_path / "fast/history.csv").exists()
    assert not (tmp_path / "fast/checkpoint.pt").exists()  # the final model replaces it
    header = (tmp_path / "fast/history.csv").read_text().splitlines()[0]
    assert header == "epoch,loss,nll_per_pixel,reg_per_latent,rate,distortion,label_nll,penalty,beta,lr"


def test_beta_modes(data_file, tmp_path):
    fixed = train(data_file, tmp_path / "fixed", {"fixed_beta": 10.0})
    assert all(h["beta"] == 10.0 for h in fixed)
    method = train(data_file, tmp_path / "method", {"beta0": 1e-3})
    betas = [h["beta"] for h in method]
    assert betas[:2] == pytest.approx([1e-3, 1e-3])  # the reconstruction phase keeps beta0
    assert betas[-1] != pytest.approx(1e-3) and max(betas) <= 1.0


def test_learning_rate_schedule_and_logvar_factor(data_file, tmp_path):
    history = train(data_file, tmp_path, {"lr": [[0, 1e-3], [3, 1e-4]], "logvar_lr_factor": 10.0})
    assert [h["lr"] for h in history] == [1e-3] * 3 + [1e-4] * 3
    cfg = TrainingConfig(lr=((0, 5e-4), (5900, 1e-4)))
    assert cfg.learning_rate(5899) == 5e-4 and cfg.learning_rate(5900) == 1e-4


@pytest.mark.parametrize("device", DEVICES)
def test_seed_fixes_the_result(data_file, tmp_path, device):
    train(data_file, tmp_path / "a", seed=4, device=device)
    train(data_file, tmp_path / "b", seed=4, device=device)
    a, _ = load_model(tmp_path / "a/model.pt")
    b, _ = load_model(tmp_path / "b/model.pt")
    assert all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))
    assert (tmp_path / "a/history.csv").read_text() == (tmp_path / "b/history.csv").read_text()


@pytest.mark.parametrize("device", DEVICES)
def test_killed_run_resumes_bit_for_bit(data_file, tmp_path, device):
    """kill -9 mid-run, rerun the same command: the final weights equal an uninterrupted run's."""
    settings = '{"epochs": 14, "recon_epochs": 4, "lr": [[0, 0.002]], "checkpoint_every": 1, "labels": 4}'
    def command(out):
        return [sys.executable, "-m", "fieldvae.cli", "train", "--data", str(data_file), "--seed", "3",
                "--training", settings, "--threads", "1", "--device", device, "--out-dir", str(out)]

    assert_resumes_bit_for_bit(command, tmp_path, last_resumable=12)


def test_checkpoint_of_another_configuration_is_not_resumed(data_file, tmp_path):
    train(data_file, tmp_path, {"lr": [[0, 0.002], [2, 1e9]]})  # diverges, keeping its last checkpoint
    assert (tmp_path / "checkpoint.pt").exists()
    log = io.StringIO()
    torch.set_num_threads(1)
    history = train_run(data_file, {}, QUICK, 0, tmp_path, "cpu", {"params": {}}, log=log)
    assert "written by other code or settings; starting afresh" in log.getvalue()
    assert [h["epoch"] for h in history] == list(range(6))  # started afresh


def test_divergence_stops_with_a_clear_message_and_keeps_the_last_checkpoint(data_file, tmp_path):
    method = TrainingMethod(training_data(load_dataset(data_file)[0], TrainingConfig(), 0, "cpu"), TrainingConfig())
    schedule = TrainingConfig(**{**QUICK, "lr": ((0, 0.002), (2, 1e9))})
    model = DenseVAE(ModelConfig(height=17, width=17)).to(memory_format=torch.channels_last)
    trainer = Trainer(model, method, schedule, 0, tmp_path, {}, log=open(os.devnull, "w"))
    with pytest.raises(TrainingDiverged) as err:
        trainer.train()
    message = str(err.value)
    epoch = int(re.match(r"epoch (\d+): non-finite", message).group(1))
    assert err.value.epoch == err.value.row["epoch"] == epoch and not np.isfinite(err.value.row["loss"])
    assert "nll_per_pixel=" in message and "reg_per_latent=" in message
    assert f"the last good checkpoint (epoch {epoch - 1}) is kept" in message
    with zipfile.ZipFile(tmp_path / "checkpoint.pt") as checkpoint:  # the fingerprint, then the state
        assert json.loads(checkpoint.read(CHECKPOINT_HEADER))["epoch"] == epoch - 1
        state = torch.load(io.BytesIO(checkpoint.read(CHECKPOINT_STATE)), weights_only=True)
    assert state["epoch"] == epoch - 1 and all(np.isfinite(h["loss"]) for h in state["history"])
    assert not (tmp_path / "model.pt").exists()


def test_a_diverged_run_is_recorded_and_scored_as_diverged(data_file, tmp_path):
    """Divergence is an outcome of a protocol, not a failed job: the model file records the epoch and
    holds no weights, the history ends with the non-finite epoch, and the run's scores say diverged."""
    log = io.StringIO()
    torch.set_num_threads(1)
    history = train_run(data_file, {}, {**QUICK, "lr": [[0, 0.002], [2, 1e9]]}, 0, tmp_path, "cpu", {"params": {}},
                        log=log)
    epoch = history[-1]["epoch"]
    assert f"recorded as a run that diverged in epoch {epoch}" in log.getvalue()
    assert all(np.isfinite(h["loss"]) for h in history[:-1]) and not np.isfinite(history[-1]["loss"])
    assert len(load_columns(tmp_path / "history.csv")["loss"]) == len(history)
    with pytest.raises(ValueError, match=rf"model.pt: the run diverged in epoch {epoch} and has no trained weights"):
        load_model(tmp_path / "model.pt")
    arrays, _ = load_dataset(data_file)
    latents, meta = encode_model_file(tmp_path / "model.pt", arrays, "cpu")
    assert list(latents) == ["diverged_epoch"] and meta["provenance"]["params"] == {}
    scores = evaluate(latents, load_columns(tmp_path / "history.csv"), 0, partial(sample_theta, "mixture"))
    assert scores["diverged"] and scores["diverged_epoch"] == epoch
    assert not scores["disentangled"] and not scores["over_regularised"] and scores["s_d"] is None
    trained = tmp_path / "trained"
    train(data_file, trained)
    latents, _ = encode_model_file(trained / "model.pt", arrays, "cpu")
    normal = evaluate(latents, load_columns(trained / "history.csv"), 0, partial(sample_theta, "mixture"))
    assert set(normal) == set(scores) and normal["diverged"] is False and normal["diverged_epoch"] is None
    held_out = held_out_set(arrays)  # the rotation study: a diverged run's one row says so, figure 10 leaves it out
    assert rotate_model_file(tmp_path / "model.pt", *held_out, [0, 45]) == [{"diverged_epoch": epoch}]
    rotated = rotate_model_file(trained / "model.pt", *held_out, [0, 45])
    assert [r["angle"] for r in rotated] == [0, 45]
    figure = fig10.draw([{"name": "diverged", "rows": [{"diverged_epoch": epoch}]}, {"name": "trained", "rows": rotated}])
    assert len(figure.axes[0].lines) == 2  # the trained run's rotated and nearest-diagonal lines only
    figure = overview.draw([{"diverged_epoch": np.array(epoch), "name": "diverged"},
                            {**latents, "s_d": normal["s_d"], "s_d_factors": normal["s_d_factors"], "name": "trained"}],
                           "mixture")
    assert figure.get_suptitle() == "mixture: trained; 1 diverged"


def test_semi_supervised_labels_come_from_the_labelled_pool_nested_across_counts(data_file):
    arrays, _ = load_dataset(data_file)
    data = training_data(arrays, TrainingConfig(labels=5, n_train=40), seed=1, device="cpu")
    assert data.x.shape[0] == 40 and data.x_labelled.shape[0] == 5 and data.rows == 45
    pool = arrays["theta"][arrays["labelled_index"]]
    assert all(any(np.allclose(t, p) for p in pool) for t in data.theta_labelled.numpy())
    fewer = training_data(arrays, TrainingConfig(labels=2), seed=1, device="cpu")
    more = training_data(arrays, TrainingConfig(labels=12), seed=1, device="cpu")
    # one permutation of the pool per seed: every smaller label set is a prefix of every larger one
    assert torch.equal(fewer.theta_labelled, data.theta_labelled[:2])
    assert torch.equal(data.theta_labelled, more.theta_labelled[:5])
    assert torch.equal(more.x_labelled[:5], data.x_labelled)
    other = training_data(arrays, TrainingConfig(labels=5), seed=2, device="cpu")
    assert not torch.equal(data.theta_labelled, other.theta_labelled)  # each seed draws its own labels
    with pytest.raises(ValueError, match="labels: 17 requested, the dataset's labelled pool has 16"):
        training_data(arrays, TrainingConfig(labels=17), seed=1, device="cpu")
    with pytest.raises(ValueError, match="n_train: 200 requested"):
        training_data(arrays, TrainingConfig(n_train=200), seed=1, device="cpu")


@pytest.mark.parametrize("rows, batch, expected", [(512, 64, 8), (576, 64, 9), (600, 64, 9), (95, 64, 1),
                                                   (97, 64, 2), (20, 64, 1), (640, 0, 1)])
def test_batches_are_nearly_equal_with_no_small_remainder(rows, batch, expected):
    count = batch_count(rows, batch)
    sizes = [len(c) for c in torch.tensor_split(torch.arange(rows), count)]
    assert count == expected and sum(sizes) == rows and max(sizes) - min(sizes) <= 1
    if batch and rows >= batch / 2:
        assert min(sizes) >= batch / 2


@pytest.mark.parametrize("labels", [1, 7])
def test_every_batch_holds_every_labelled_row(data_file, tmp_path, labels):
    """The label term acts on every step whatever the label count (the paper trains full-batch)."""
    seen = []

    def record(module, inputs):
        seen.append(inputs[0].shape[0])

    arrays, _ = load_dataset(data_file)
    cfg = TrainingConfig(**{**QUICK, "epochs": 1, "recon_epochs": 1, "batch_size": 32, "labels": labels})
    data = training_data(arrays, cfg, seed=0, device="cpu")
    model = DenseVAE(ModelConfig(height=17, width=17))
    model.encoder_mean.register_forward_pre_hook(record)
    trainer = Trainer(model, TrainingMethod(data, cfg), cfg, 0, tmp_path, {}, log=open(os.devnull, "w"))
    history = trainer.train()
    assert seen == [32 + labels] * 3  # 96 training rows in 3 batches, each with all labelled rows
    assert history[0]["label_nll"] > 0


@pytest.mark.parametrize("device", DEVICES)
def test_encode_gives_posterior_means_of_the_full_sets(data_file, tmp_path, device):
    train(data_file, tmp_path, {"epochs": 2}, device=device)
    model, meta = load_model(tmp_path / "model.pt", device)
    assert meta["model_config"]["height"] == meta["model_config"]["width"] == 17 and meta["training_config"]["epochs"] == 2
    arrays, _ = load_dataset(data_file)
    latents = encode_splits(model, arrays, device)
    assert latents["mu_train"].shape == (96, 2) and latents["logvar_test"].shape == (32, 2)
    with torch.no_grad():
        mu, _ = model.encode(torch.from_numpy(arrays["fields"][arrays["test_index"][:3]]).to(device))
    assert np.allclose(latents["mu_test"][:3], mu.cpu().numpy(), atol=1e-6 if device == "cpu" else 1e-5)
    assert np.array_equal(latents["theta_test"], arrays["theta"][arrays["test_index"]])
    prior = latents["prior_samples"]  # the model's prior, for figures: N(0, I) here
    assert prior.shape == (2000, 2) and np.allclose(np.cov(prior.T), np.eye(2), atol=0.15)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message on machines without CUDA")
def test_cuda_request_without_cuda_is_an_error():
    with pytest.raises(ValueError, match="no CUDA device"):
        pick_device("cuda")
    assert pick_device("auto").type == "cpu"


@pytest.mark.parametrize("settings, message", [
    ({"epochs": 0}, "epochs: expected an integer from 1 to 10,000,000, got 0"),
    ({"epochs": 10**20}, "epochs: expected an integer from 1 to 10,000,000"),
    ({"recon_epochs": 7000}, "recon_epochs: expected 0..epochs"),
    ({"lr": [[5, 1e-3]]}, "lr: expected \\[\\[0, rate\\]"),
    ({"lr": [[0, -1.0]]}, "learning rates must be positive"),
    ({"labels": -1}, "labels: expected a count from 0 to 1,000,000,000, got -1"),
    ({"objective": "betatc"}, "objective: expected one of paper, tcvae, factorvae, mmd, dip2, got 'betatc'"),
    ({"objective": "tcvae", "objective_weight": -1}, "objective_weight: expected a finite number >= 0, got -1"),
    ({"objective_weight": 6}, "objective_weight: 6 given for the paper's objective"),
])
def test_bad_training_settings(settings, message):
    with pytest.raises(ValueError, match=message):
        TrainingConfig(**settings)
