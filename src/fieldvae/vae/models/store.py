"""Trained-model files: weights, both configurations and provenance in one torch file.

A run whose training diverged is an outcome of its protocol, not a failed job: its model file records
the epoch of the divergence and holds no weights, and every score of the run reads it as diverged.
"""

from __future__ import annotations

import torch

from fieldvae.core.io import (atomic_path, load_torch, load_weights,
                              require_keys)
from fieldvae.core.settings import from_dict
from fieldvae.vae.models.config import ModelConfig
from fieldvae.vae.models.densevae import DenseVAE

EXPECTED = "a model file from `fieldvae train`"


def save_model(path, model: DenseVAE, training: dict, provenance: dict) -> None:
    state = {"model_config": model.cfg.to_dict(), "training_config": training,
             "state_dict": {k: v.cpu() for k, v in model.state_dict().items()}, "provenance": provenance}
    with atomic_path(path) as tmp:
        torch.save(state, tmp)


def save_diverged(path, model_config: dict, training: dict, epoch: int, reason: str, provenance: dict) -> None:
    """The model file of a run that diverged in `epoch` (the trainer's message as `reason`)."""
    state = {"model_config": model_config, "training_config": training, "diverged_epoch": epoch,
             "diverged_reason": reason, "provenance": provenance}
    with atomic_path(path) as tmp:
        torch.save(state, tmp)


def model_metadata(path) -> dict:
    """A model file's configurations, provenance and, for a diverged run, `diverged_epoch`."""
    return {k: v for k, v in _read(path).items() if k != "state_dict"}


def load_model(path, device="cpu") -> tuple[DenseVAE, dict]:
    """The model in eval mode on `device`, and the file's metadata (configs, provenance)."""
    state = _read(path)
    if "diverged_epoch" in state:
        raise ValueError(f"{path}: the run diverged in epoch {state['diverged_epoch']} and has no trained weights "
                         f"({state['diverged_reason']})")
    model = DenseVAE(from_dict(ModelConfig, state["model_config"], f"{path}: model_config"))
    try:
        load_weights(model, state["state_dict"])
    except ValueError as err:
        raise ValueError(f"{path}: {err}; expected {EXPECTED}") from err
    return model.to(device).eval(), {k: v for k, v in state.items() if k != "state_dict"}


def _read(path) -> dict:
    """The file's record, refused with the file's name unless `fieldvae train` wrote it: the Lennard-Jones
    study's model files share most keys, but not the configuration."""
    state = load_torch(path, EXPECTED)
    if "gammas" in state:
        raise ValueError(f"{path}: a model from `fieldvae lj train` (it has gammas and box); expected {EXPECTED}")
    weights = "diverged_epoch" if "diverged_epoch" in state else "state_dict"
    require_keys(path, state, ("model_config", "training_config", weights, "provenance"), EXPECTED)
    return state
