"""Trained-model files: weights, both configurations and provenance in one torch file."""

from __future__ import annotations

from pathlib import Path

import torch

from fieldvae.core.io import atomic_path
from fieldvae.darcy.models.config import ModelConfig
from fieldvae.darcy.models.densevae import DenseVAE


def save_model(path, model: DenseVAE, training: dict, provenance: dict) -> None:
    state = {"model_config": model.cfg.to_dict(), "training_config": training,
             "state_dict": {k: v.cpu() for k, v in model.state_dict().items()}, "provenance": provenance}
    with atomic_path(path) as tmp:
        torch.save(state, tmp)


def load_model(path, device="cpu") -> tuple[DenseVAE, dict]:
    """The model in eval mode on `device`, and the file's metadata (configs, provenance)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no model file at {path}")
    state = torch.load(path, map_location="cpu", weights_only=False)
    model = DenseVAE(ModelConfig(**state["model_config"]))
    model.load_state_dict(state["state_dict"])
    return model.to(device).eval(), {k: v for k, v in state.items() if k != "state_dict"}
