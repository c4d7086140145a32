"""Training the distance-matrix VAE: configurations of several gammas in, model and history out.

The held-out split is stratified by gamma and fixed by the seed; it is stored in the model file, so
scoring uses exactly the configurations the model never saw. The core trainer runs the epochs,
checkpoints and resumes, as for the Darcy study.
"""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from fieldvae.core.fingerprint import code_fingerprint
from fieldvae.core.io import (atomic_path, load_arrays, load_torch,
                              load_weights, require_keys, save_rows)
from fieldvae.core.settings import from_dict
from fieldvae.core.streams import rng, torch_generator
from fieldvae.core.trainer import Objective, Trainer
from fieldvae.lj.geometry import distance_matrices
from fieldvae.lj.model import (DistanceVAE, LJModelConfig, LJTrainingConfig,
                               loss_terms)


def load_configurations(paths) -> tuple[np.ndarray, np.ndarray, float]:
    """Positions (n, N, 2) and the gamma of each, from sample files of `fieldvae lj sample`; the box.
    Each file is checked here, so training, scoring and figures refuse a bad one alike."""
    positions, gammas, boxes, particles = [], [], set(), set()
    for path in paths:
        arrays, made = load_arrays(path)
        require_keys(path, arrays, ("positions",), "a sample file from `fieldvae lj sample`")
        x = arrays["positions"]
        if x.ndim != 3 or x.shape[2] != 2 or not np.issubdtype(x.dtype, np.floating):
            raise ValueError(f"{path}: key 'positions' has dtype {x.dtype}, shape {x.shape}; expected floating "
                             "point (configurations, particles, 2)")
        if not np.isfinite(x).all():
            raise ValueError(f"{path}: key 'positions' has non-finite values; expected finite coordinates")
        positions.append(x)
        gammas.append(np.full(len(x), made["params"]["gamma"], dtype=float))
        boxes.add(made["params"]["box"])
        particles.add(x.shape[1])
    if len(boxes) != 1:
        raise ValueError(f"sample files disagree on the box size: {sorted(boxes)}")
    if len(particles) != 1:
        raise ValueError(f"sample files disagree on the number of particles: {sorted(particles)}")
    return np.concatenate(positions), np.concatenate(gammas), boxes.pop()


def stratified_split(gammas: np.ndarray, test_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(train, test) indices with the same share of every gamma held out."""
    generator = rng("lj_split", seed)
    train, test = [], []
    for gamma in np.unique(gammas):
        index = generator.permutation(np.flatnonzero(gammas == gamma))
        n_test = max(1, round(test_fraction * len(index)))
        test.append(index[:n_test])
        train.append(index[n_test:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


class DistanceObjective(Objective):
    """The published objective on the training matrices: MSE plus kl_weight times the mean KL."""

    terms = ("loss", "mse", "kl")

    def __init__(self, x: torch.Tensor, cfg: LJTrainingConfig):
        self.x, self.cfg = x, cfg
        self.rows = self.weight = len(x)

    def step(self, model, index, generator):
        return loss_terms(model, self.x[index], self.cfg.kl_weight, generator), len(index)


def train_distance_vae(paths, model_cfg: LJModelConfig, cfg: LJTrainingConfig, seed: int, out_dir,
                       device: torch.device, provenance: dict, compile_cache: Path | None = None,
                       log=sys.stderr) -> list[dict]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    positions, gammas, box = load_configurations(paths)
    if positions.shape[1] != model_cfg.size:
        raise ValueError(f"model size {model_cfg.size} does not match the {positions.shape[1]} particles in the data")
    train_index, test_index = stratified_split(gammas, cfg.test_fraction, seed)
    x = torch.from_numpy(distance_matrices(positions[train_index], box)).to(device)

    model = DistanceVAE(model_cfg, torch_generator("lj_initialisation", seed)).to(device)
    print(f"DistanceVAE, {sum(p.numel() for p in model.parameters()):,} parameters, on {device}; "
          f"{len(x)} training configurations, {len(test_index)} held out", file=log, flush=True)
    fingerprint = {"model": model_cfg.to_dict(), "training": cfg.to_dict(), "seed": seed,
                   "data": [str(p) for p in paths], "data_positions": hashlib.sha256(positions.tobytes()).hexdigest(),
                   "code": code_fingerprint(__name__)}  # resume only from what the same code wrote
    trainer = Trainer(model, DistanceObjective(x, cfg), cfg, seed, out_dir, fingerprint,
                      streams=("lj_minibatch_order", "lj_reparameterisation"), device=device,
                      compile_cache=compile_cache, log=log)
    trainer.resume()
    history = trainer.train()
    with atomic_path(out_dir / "model.pt") as tmp:
        torch.save({"model_config": model_cfg.to_dict(), "training_config": cfg.to_dict(), "box": box,
                    "state_dict": {k: v.cpu() for k, v in model.state_dict().items()},
                    "test_index": torch.from_numpy(test_index), "gammas": torch.from_numpy(gammas),
                    "provenance": provenance}, tmp)  # tensors, not arrays: read back without running code
    save_rows(out_dir / "history.csv", history)
    trainer.checkpoint_path.unlink(missing_ok=True)
    return history


@dataclass
class Trained:
    """A trained model with the configurations it was trained on, split as in training."""

    model: DistanceVAE
    positions: np.ndarray
    gammas: np.ndarray
    box: float
    train: np.ndarray
    test: np.ndarray
    kl_weight: float  # of the objective it was trained with

    def matrices(self, index: np.ndarray) -> np.ndarray:
        return distance_matrices(self.positions[index], self.box)


def load_trained(model_path, data_paths) -> Trained:
    """A model file and the sample files it was trained on; refuses files it was not trained on."""
    model, record = load_distance_vae(model_path)
    positions, gammas, box = load_configurations(data_paths)
    if len(gammas) != len(record["gammas"]) or not np.array_equal(gammas, record["gammas"]):
        raise ValueError(f"--data: these sample files are not the ones {model_path} was trained on (gammas differ)")
    test = record["test_index"]
    if test.dtype.kind not in "iu" or not np.all((0 <= test) & (test < len(gammas))) or len(np.unique(test)) != len(test):
        raise ValueError(f"{model_path}: key 'test_index' is not a set of indices in [0, {len(gammas)}); "
                         "expected a model file from `fieldvae lj train`")
    return Trained(model, positions, gammas, box, np.setdiff1d(np.arange(len(gammas)), test), test,
                   record["training_config"]["kl_weight"])


def load_distance_vae(path, device="cpu") -> tuple[DistanceVAE, dict]:
    """A trained model (in eval mode) and its record: configs, box, held-out indices, provenance."""
    expected = "a model file from `fieldvae lj train`"
    record = load_torch(path, expected)
    require_keys(path, record, ("model_config", "training_config", "state_dict", "box", "gammas", "test_index"), expected)
    for key in ("test_index", "gammas"):
        if not isinstance(record[key], torch.Tensor) or record[key].ndim != 1:
            raise ValueError(f"{path}: key {key!r} is not a 1-d tensor; expected {expected}")
        record[key] = record[key].numpy()
    model = DistanceVAE(from_dict(LJModelConfig, record["model_config"], f"{path}: model_config"))
    try:
        load_weights(model, record["state_dict"])
    except ValueError as err:
        raise ValueError(f"{path}: {err}; expected {expected}") from err
    return model.to(device).eval(), record
