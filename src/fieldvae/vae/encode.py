"""Latent means and variances of a dataset under a trained encoder, so metrics and figures never
reload a model. A diverged run's latents file holds only its `diverged_epoch`."""

from __future__ import annotations

import copy

import numpy as np
import torch

from fieldvae.core.dataset_file import names, physical_units
from fieldvae.core.streams import torch_generator
from fieldvae.vae.models.store import load_model, model_metadata

PRIOR_SAMPLES = 2000


@torch.no_grad()
def encode(model, fields: np.ndarray, device, batch: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """Posterior means and log-variances (N, n_latent) in eval mode."""
    model.eval()
    mus, logvars = [], []
    for chunk in np.array_split(fields, max(1, -(-len(fields) // batch))):
        mu, logvar = model.encode(torch.from_numpy(chunk).to(device))
        mus.append(mu.cpu().numpy())
        logvars.append(logvar.cpu().numpy())
    return np.concatenate(mus), np.concatenate(logvars)


@torch.no_grad()
def reconstruct(model, mu: np.ndarray, device) -> np.ndarray:
    """Decoder means at the given latent means (the deterministic reconstruction)."""
    model.eval()
    return model.decode(torch.from_numpy(mu).to(device)).cpu().numpy()


def encode_splits(model, arrays: dict, device, examples: int = 4) -> dict[str, np.ndarray]:
    """mu, logvar and theta of the training and test sets (the full sets, as in the dataset); for
    figures, the first `examples` test fields with their reconstructions in the data's own units, the
    names of the channels and factors, and samples of the model's prior p(z) (the learned one, for the
    hierarchical prior)."""
    out = {}
    for split in ("train", "test"):
        rows = arrays[f"{split}_index"]
        out[f"mu_{split}"], out[f"logvar_{split}"] = encode(model, arrays["fields"][rows], device)
        out[f"theta_{split}"] = arrays["theta"][rows]
    out["fields_examples"] = physical_units(arrays["fields"][arrays["test_index"][:examples]], arrays)
    out["reconstruction_examples"] = physical_units(reconstruct(model, out["mu_test"][:examples], device), arrays)
    channels, factors = names(arrays)
    out["channel_names"], out["factor_names"] = np.array(channels, dtype=str), np.array(factors, dtype=str)
    with torch.no_grad():
        generator = torch_generator("prior_samples", 0)
        out["prior_samples"] = copy.deepcopy(model.prior).cpu().sample(PRIOR_SAMPLES, generator).numpy()
    return out


def encode_model_file(path, arrays: dict, device) -> tuple[dict[str, np.ndarray], dict]:
    """`encode_splits` of the model in a file, and the file's metadata."""
    meta = model_metadata(path)
    if "diverged_epoch" in meta:
        return {"diverged_epoch": np.array(meta["diverged_epoch"])}, meta
    model, meta = load_model(path, device)
    return encode_splits(model, arrays, device), meta
