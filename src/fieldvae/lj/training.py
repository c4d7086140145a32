"""Training the distance-matrix VAE: configurations of several gammas in, model and history out.

The held-out split is stratified by gamma and fixed by the seed; it is stored in the model file, so
scoring uses exactly the configurations the model never saw. Checkpoints (model, optimiser, random
state, history) are written atomically every `checkpoint_every` epochs; a rerun resumes from them.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import torch

from fieldvae.io import atomic_path, load_arrays, save_rows
from fieldvae.lj.geometry import distance_matrices
from fieldvae.lj.model import DistanceVAE, LJModelConfig, LJTrainingConfig, loss_terms
from fieldvae.streams import rng, torch_generator, torch_seed

CHECKPOINT = "checkpoint.pt"


def load_configurations(paths) -> tuple[np.ndarray, np.ndarray, float]:
    """Positions (n, N, 2) and the gamma of each, from sample files of `fieldvae lj sample`; the box."""
    positions, gammas, boxes = [], [], set()
    for path in paths:
        arrays, made = load_arrays(path)
        if "positions" not in arrays:
            raise ValueError(f"{path}: no 'positions' array; expected a file written by `fieldvae lj sample`")
        positions.append(arrays["positions"])
        gammas.append(np.full(len(arrays["positions"]), made["params"]["gamma"], dtype=float))
        boxes.add(made["params"]["box"])
    if len(boxes) != 1:
        raise ValueError(f"sample files disagree on the box size: {sorted(boxes)}")
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


def train_distance_vae(paths, model_cfg: LJModelConfig, cfg: LJTrainingConfig, seed: int, out_dir,
                       device: torch.device, provenance: dict, checkpoint_every: int = 10) -> list[dict]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    positions, gammas, box = load_configurations(paths)
    if positions.shape[1] != model_cfg.size:
        raise ValueError(f"model size {model_cfg.size} does not match the {positions.shape[1]} particles in the data")
    train_index, test_index = stratified_split(gammas, cfg.test_fraction, seed)
    x = torch.from_numpy(distance_matrices(positions[train_index], box)).to(device)

    with torch.random.fork_rng(devices=[]):  # PyTorch's default initialisation, from its own stream
        torch.manual_seed(torch_seed("lj_initialisation", seed))
        model = DistanceVAE(model_cfg).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    order = torch_generator("lj_minibatch_order", seed, device=device)
    noise = torch_generator("lj_reparameterisation", seed, device=device)
    history: list[dict] = []
    checkpoint = out_dir / CHECKPOINT
    if checkpoint.exists():
        state = torch.load(checkpoint, map_location="cpu", weights_only=False)  # RNG states stay on the host
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])  # moves its moments to the parameters' device
        order.set_state(state["order_generator"])
        noise.set_state(state["noise_generator"])
        history = state["history"]
        print(f"resuming from {checkpoint} after epoch {len(history)}", file=sys.stderr)

    n_params = sum(p.numel() for p in model.parameters())
    print(f"DistanceVAE, {n_params:,} parameters, on {device}; {len(x)} training configurations, "
          f"{len(test_index)} held out", file=sys.stderr)
    for epoch in range(len(history), cfg.epochs):
        start = time.perf_counter()
        model.train()
        sums = {"loss": 0.0, "mse": 0.0, "kl": 0.0}
        shuffled = torch.randperm(len(x), generator=order, device=device)
        for batch in shuffled.split(cfg.batch_size):
            terms = loss_terms(model, x[batch], cfg.kl_weight, noise)
            optimizer.zero_grad(set_to_none=True)
            terms["loss"].backward()
            optimizer.step()
            for name in sums:
                sums[name] += terms[name].item() * len(batch)
        row = {"epoch": epoch, **{name: value / len(x) for name, value in sums.items()}}
        if not np.isfinite(row["loss"]):
            raise FloatingPointError(f"training diverged at epoch {epoch}: loss {row['loss']}")
        history.append(row)
        seconds = time.perf_counter() - start
        print(f"epoch {epoch} ({epoch + 1}/{cfg.epochs}) loss {row['loss']:.3e} mse {row['mse']:.3e} "
              f"kl {row['kl']:.3f} {len(x) / seconds:.0f} samples/s ETA {(cfg.epochs - epoch - 1) * seconds:.0f} s",
              file=sys.stderr)
        if (epoch + 1) % checkpoint_every == 0 and epoch + 1 < cfg.epochs:
            with atomic_path(checkpoint) as tmp:
                torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                            "order_generator": order.get_state(), "noise_generator": noise.get_state(),
                            "history": history}, tmp)

    with atomic_path(out_dir / "model.pt") as tmp:
        torch.save({"model_config": model_cfg.to_dict(), "training_config": cfg.to_dict(), "box": box,
                    "state_dict": {k: v.cpu() for k, v in model.state_dict().items()},
                    "test_index": test_index, "gammas": gammas, "provenance": provenance}, tmp)
    save_rows(out_dir / "history.csv", history)
    checkpoint.unlink(missing_ok=True)
    return history


def load_distance_vae(path, device="cpu") -> tuple[DistanceVAE, dict]:
    """A trained model (in eval mode) and its record: configs, box, held-out indices, provenance."""
    record = torch.load(path, map_location="cpu", weights_only=False)
    model = DistanceVAE(LJModelConfig(**record["model_config"]))
    model.load_state_dict(record["state_dict"])
    return model.to(device).eval(), record
