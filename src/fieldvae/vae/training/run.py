"""One training run from files: dataset in, model file and history out, resumable. A run that
diverges is recorded as such (see `fieldvae.vae.models.store`), not failed.

Everything is checked before the first epoch: settings, dataset contents, requested sizes.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch

from fieldvae.core.dataset_file import load_dataset
from fieldvae.core.fingerprint import code_fingerprint
from fieldvae.core.io import save_rows
from fieldvae.core.settings import from_dict
from fieldvae.core.streams import rng, torch_generator
from fieldvae.core.trainer import Trainer, TrainingDiverged, pick_device
from fieldvae.vae.models.config import ModelConfig
from fieldvae.vae.models.densevae import DenseVAE, parameter_count
from fieldvae.vae.models.priors import prior_module
from fieldvae.vae.models.store import save_diverged, save_model
from fieldvae.vae.objectives import make_penalty, objective_module
from fieldvae.vae.training.config import TrainingConfig
from fieldvae.vae.training.method import TrainingData, TrainingMethod


def training_data(arrays: dict, cfg: TrainingConfig, seed: int, device) -> TrainingData:
    """The first n_train training samples, plus `labels` samples of the labelled pool with their
    theta: the first `labels` of one permutation of the pool drawn from the run's labelled-subset
    stream, so a seed's label sets are nested across label counts."""
    train = arrays["train_index"]
    if cfg.n_train > len(train):
        raise ValueError(f"n_train: {cfg.n_train} requested, the dataset has {len(train)} training samples")
    train = train[: cfg.n_train or len(train)]
    pool = arrays["labelled_index"]
    if cfg.labels > len(pool):
        raise ValueError(f"labels: {cfg.labels} requested, the dataset's labelled pool has {len(pool)} samples")
    chosen = pool[rng("labelled_subset", seed).permutation(len(pool))[: cfg.labels]]

    def resident(rows):  # on the device, channels-last: 1.26x (33 x 33) to 1.47x (65 x 65) faster steps on CPU
        x = torch.from_numpy(arrays["fields"][rows]).to(device).contiguous(memory_format=torch.channels_last)
        if not torch.isfinite(x).all():
            raise ValueError("the dataset's fields contain non-finite values")
        return x

    if cfg.labels == 0:
        return TrainingData(resident(train))
    theta = torch.from_numpy(arrays["theta"][chosen].astype(np.float32)).to(device)
    return TrainingData(resident(train), resident(chosen), theta)


def training_code(prior: str, objective: str = "paper") -> str:
    """Fingerprint of the code a run with this prior and objective executes: this module's import
    closure and the prior's and the objective's own modules (both are loaded by name, so one prior's
    or objective's edit retrains only its runs)."""
    return code_fingerprint(__name__, prior_module(prior), *filter(None, [objective_module(objective)]))


def train_run(data_path, model_settings: dict, training_settings: dict, seed: int, out_dir, device: str,
              provenance: dict, compile_cache: Path | None = None, log=sys.stderr) -> list[dict]:
    out_dir = Path(out_dir)
    training = from_dict(TrainingConfig, training_settings, "training settings")
    arrays, data_provenance = load_dataset(data_path)
    shape = dict(zip(("channels", "height", "width"), arrays["fields"].shape[1:]))
    given = sorted(set(shape) & set(model_settings))
    if given:
        raise ValueError(f"model settings: key {given[0]!r} comes from the data ({shape[given[0]]} in {data_path}); "
                         "expected it left out")
    model_cfg = from_dict(ModelConfig, {**model_settings, **shape}, "model settings")
    if training.labels and model_cfg.n_latent != arrays["theta"].shape[1]:
        raise ValueError(f"semi-supervised training needs one latent per factor: n_latent {model_cfg.n_latent}, "
                         f"the dataset has {arrays['theta'].shape[1]} factors")
    dev = pick_device(device)
    data = training_data(arrays, training, seed, dev)
    init = torch_generator("initialisation", seed)
    model = DenseVAE(model_cfg, init).to(dev, memory_format=torch.channels_last)
    print(f"DenseVAE, {parameter_count(model):,} parameters, prior {model_cfg.prior}, on {dev} "
          f"({torch.get_num_threads()} threads); {len(data.x)} training samples"
          f"{f', {training.labels} labelled' if training.labels else ''}", file=log, flush=True)
    fingerprint = {"model": model_cfg.to_dict(), "training": training.to_dict(), "seed": seed,
                   "data": str(data_path), "data_created": data_provenance.get("created_utc"),
                   "code": training_code(model_cfg.prior, training.objective)}  # resume only from what the same code wrote
    penalty = make_penalty(training.objective, model_cfg.n_latent, seed)
    method = TrainingMethod(data, training, None if penalty is None else penalty.to(dev))
    trainer = Trainer(model, method, training, seed, out_dir, fingerprint, device=dev,
                      compile_cache=compile_cache, log=log)
    trainer.resume()
    provenance = {**provenance, "data_provenance": data_provenance}
    try:
        history = trainer.train()
    except TrainingDiverged as diverged:  # an outcome of the protocol: recorded, scored as diverged
        print(f"{diverged}\nrecorded as a run that diverged in epoch {diverged.epoch}", file=log, flush=True)
        save_diverged(out_dir / "model.pt", model_cfg.to_dict(), training.to_dict(), diverged.epoch, str(diverged),
                      provenance)
        history = [*trainer.history, diverged.row]  # ends with the epoch that diverged
        save_rows(out_dir / "history.csv", history)
        return history
    save_model(out_dir / "model.pt", model, training.to_dict(), provenance)
    save_rows(out_dir / "history.csv", history)
    trainer.checkpoint_path.unlink(missing_ok=True)
    return history
