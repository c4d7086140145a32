"""Compiled training (torch.compile in the shared trainer): a killed run resumes bit for bit within
the mode, compiled and eager steps agree up to rounding, and where compilation is unavailable the
run trains eagerly and says so once."""

import os
import re
import sys

import pytest
import torch
from conftest import REPO, kill_during, run

from fieldvae.core import trainer as core_trainer
from fieldvae.core.dataset_file import load_dataset
from fieldvae.core.trainer import Trainer
from fieldvae.vae.models.config import ModelConfig
from fieldvae.vae.models.densevae import DenseVAE
from fieldvae.vae.models.store import load_model
from fieldvae.vae.training.config import TrainingConfig
from fieldvae.vae.training.method import TrainingMethod
from fieldvae.vae.training.run import train_run, training_data

# Compiled kernels round differently. Adam moves a weight by about lr per step whatever the gradient's
# size, so where a gradient is near zero rounding can flip the direction of a step: after 20 steps a
# weight can differ by up to 20 lr (measured at 33 x 33: at most 9 lr, median 0.04 lr), while the
# losses agree to about 1e-5 relative.
STEPS, LR = 20, 1e-3


@pytest.fixture(scope="module")
def compile_cache(tmp_path_factory):
    """One Inductor cache for the module, as a build shares one: only the first test compiles cold."""
    return tmp_path_factory.mktemp("inductor")


def test_killed_compiled_run_resumes_bit_for_bit(data_file, compile_cache, tmp_path):
    settings = '{"epochs": 14, "recon_epochs": 4, "lr": [[0, 0.002]], "checkpoint_every": 1, "compile": true}'

    def command(out):
        return [sys.executable, "-m", "fieldvae.cli", "train", "--data", str(data_file), "--seed", "3",
                "--training", settings, "--threads", "1", "--device", "cpu", "--compile-cache", str(compile_cache),
                "--out-dir", str(out)]

    whole = run(command(tmp_path / "whole"), cwd=REPO)
    assert f"compiling the forward pass (Inductor caches in {compile_cache}" in whole.stderr
    assert any(compile_cache.iterdir())  # the kernels are where every job of a build finds them
    kill_during(command(tmp_path / "killed"), "epoch 3 ")
    resumed = run(command(tmp_path / "killed"), cwd=REPO)
    assert re.search(r"resuming after epoch ([3-9]|1[0-2]) ", resumed.stderr), resumed.stderr
    a, _ = load_model(tmp_path / "whole/model.pt")  # a compiled run's model loads as a plain one
    b, _ = load_model(tmp_path / "killed/model.pt")
    assert all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))
    assert (tmp_path / "whole/history.csv").read_text() == (tmp_path / "killed/history.csv").read_text()


def _twenty_steps(data_file, tmp_path, compile, monkeypatch, compile_cache):
    """A model after STEPS = 20 steps (5 epochs of 4 batches) from the seed-0 initialisation."""
    monkeypatch.setenv("TORCHINDUCTOR_CACHE_DIR", str(compile_cache))
    torch.set_num_threads(1)
    arrays, _ = load_dataset(data_file)
    cfg = TrainingConfig(epochs=5, recon_epochs=2, lr=((0, LR),), batch_size=24, compile=compile)
    model = DenseVAE(ModelConfig(height=17, width=17), torch.Generator().manual_seed(0))
    trainer = Trainer(model, TrainingMethod(training_data(arrays, cfg, 0, "cpu"), cfg), cfg, 0, tmp_path, {},
                      compile_cache=compile_cache, log=open(os.devnull, "w"))
    return model, trainer.train()


def test_compiled_and_eager_training_agree_after_20_steps(data_file, compile_cache, tmp_path, monkeypatch):
    eager, eager_history = _twenty_steps(data_file, tmp_path / "eager", False, monkeypatch, compile_cache)
    compiled, compiled_history = _twenty_steps(data_file, tmp_path / "compiled", True, monkeypatch, compile_cache)
    assert compiled._compiled_call_impl is not None and eager._compiled_call_impl is None
    difference = max((p - q).abs().max().item() for p, q in zip(eager.parameters(), compiled.parameters()))
    assert difference < STEPS * LR
    assert [h["loss"] for h in compiled_history] == pytest.approx([h["loss"] for h in eager_history], rel=1e-3)


def test_without_a_compiler_the_run_trains_eagerly_and_says_so(data_file, tmp_path, monkeypatch):
    monkeypatch.setattr(core_trainer.shutil, "which", lambda name: None)
    log = open(tmp_path / "log.txt", "w")
    torch.set_num_threads(1)
    settings = {"epochs": 3, "recon_epochs": 1, "lr": [[0, 0.002]], "checkpoint_every": 1}
    train_run(data_file, {}, {**settings, "compile": True}, 0, tmp_path / "fallback", "cpu", {"params": {}}, log=log)
    train_run(data_file, {}, settings, 0, tmp_path / "eager", "cpu", {"params": {}}, log=open(os.devnull, "w"))
    log.close()
    text = (tmp_path / "log.txt").read_text()
    assert text.count("training eagerly: torch.compile is not available here (no C++ compiler") == 1
    assert "compiling" not in text
    a, _ = load_model(tmp_path / "fallback/model.pt")
    b, _ = load_model(tmp_path / "eager/model.pt")
    assert all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))


def test_compile_setting_must_be_a_boolean():
    with pytest.raises(ValueError, match="compile: expected true or false, got 'yes'"):
        TrainingConfig(compile="yes")
