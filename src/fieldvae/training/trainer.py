"""The training loop: the paper's method (reconstruction phase, then constrained beta update),
fixed beta, or semi-supervised; periodic checkpoints that a rerun resumes from, bit for bit.

An epoch shuffles the training rows and splits them into round(n / batch_size) nearly equal
batches, so no batch is a small remainder (which would update BatchNorm statistics from a handful
of rows). Semi-supervised runs add every labelled row to every batch: the label term then acts on
every step with the same weight whatever the label count, as in the paper's full-batch training;
the labelled rows' NLL and regulariser are weighted 1 / batches, so over an epoch each counts once,
like a training row (with one batch this is exactly the full-batch objective).

All per-step work stays on the device (beta is a tensor, epoch sums accumulate there); the host
reads the numbers once per epoch, which is also when a non-finite loss is detected.
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import torch

from fieldvae.io import atomic_path
from fieldvae.models.densevae import DenseVAE
from fieldvae.models.losses import objective
from fieldvae.streams import torch_generator
from fieldvae.training.config import TrainingConfig

TERMS = ("loss", "nll_per_pixel", "reg_per_latent", "rate", "distortion", "label_nll")  # fields of Terms


class TrainingDiverged(ArithmeticError):
    """A loss term became NaN or infinite; nothing but the last good checkpoint is left behind."""


@dataclass
class TrainingData:
    """Training rows (N, C, H, W); for semi-supervised runs also the labelled rows (L, C, H, W) and
    their factors (L, s)."""

    x: torch.Tensor
    x_labelled: torch.Tensor | None = None
    theta_labelled: torch.Tensor | None = None

    @property
    def rows(self) -> int:
        """Rows an epoch sees once: training and labelled."""
        return len(self.x) + (0 if self.x_labelled is None else len(self.x_labelled))


def batch_count(rows: int, batch_size: int) -> int:
    """Batches per epoch: the nearest whole number of batches of about batch_size (0: one batch)."""
    return 1 if batch_size == 0 else max(1, round(rows / batch_size))


def beta_update(beta: torch.Tensor, nll_per_pixel: torch.Tensor, nu: float, tau: float) -> torch.Tensor:
    """beta <- min(1, beta exp(nu f L)), f = (1 - H(L)) tanh(tau (beta - 1)) - H(L) (SPEC C):
    shrink beta while the per-pixel NLL L is positive, grow it towards 1 once L is negative."""
    step = (nll_per_pixel > 0).to(beta.dtype)
    f = (1 - step) * torch.tanh(tau * (beta - 1)) - step
    return torch.clamp(beta * torch.exp(nu * f * nll_per_pixel), max=1.0)


class Trainer:
    def __init__(self, model: DenseVAE, cfg: TrainingConfig, data: TrainingData, seed: int, run_dir: Path,
                 fingerprint: dict, log=sys.stderr):
        self.model, self.cfg, self.data, self.log = model, cfg, data, log
        self.device = data.x.device
        self.run_dir = Path(run_dir)
        self.checkpoint_path = self.run_dir / "checkpoint.pt"
        self.fingerprint = hashlib.sha256(json.dumps(fingerprint, sort_keys=True).encode()).hexdigest()
        logvar = [model.output_logvar]
        rest = [p for n, p in model.named_parameters() if n != "output_logvar"]
        self.optimizer = torch.optim.Adam([{"params": rest, "lr_factor": 1.0},
                                           {"params": logvar, "lr_factor": cfg.logvar_lr_factor}])
        # separate streams, so a change in batching cannot shift the noise, nor the other way round
        self.order_generator = torch_generator("minibatch_order", seed, device=self.device)
        self.noise_generator = torch_generator("reparameterisation", seed, device=self.device)
        self.beta = torch.tensor(cfg.fixed_beta if cfg.fixed_beta is not None else cfg.beta0, device=self.device)
        self.history: list[dict] = []
        self.start_epoch = 0
        self.checkpoint_epoch: int | None = None

    def resume(self) -> bool:
        """Continue from the checkpoint of an interrupted run of the same configuration, if any."""
        if not self.checkpoint_path.exists():
            return False
        state = torch.load(self.checkpoint_path, map_location="cpu", weights_only=False)
        if state["fingerprint"] != self.fingerprint:
            print(f"ignoring {self.checkpoint_path}: written for another configuration", file=self.log)
            return False
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.order_generator.set_state(state["order_generator"])
        self.noise_generator.set_state(state["noise_generator"])
        self.beta = state["beta"].to(self.device)
        self.history = state["history"]
        self.start_epoch = state["epoch"] + 1
        self.checkpoint_epoch = state["epoch"]
        print(f"resuming after epoch {state['epoch']} from {self.checkpoint_path}", file=self.log)
        return True

    def checkpoint(self, epoch: int) -> None:
        state = {"fingerprint": self.fingerprint, "epoch": epoch, "model": self.model.state_dict(),
                 "optimizer": self.optimizer.state_dict(), "order_generator": self.order_generator.get_state(),
                 "noise_generator": self.noise_generator.get_state(),
                 "beta": self.beta, "history": self.history}
        with atomic_path(self.checkpoint_path) as tmp:
            torch.save(state, tmp)
        self.checkpoint_epoch = epoch

    def train(self) -> list[dict]:
        cfg, n = self.cfg, self.data.rows
        batches = batch_count(len(self.data.x), cfg.batch_size)
        start = time.perf_counter()
        for epoch in range(self.start_epoch, cfg.epochs):
            lr = cfg.learning_rate(epoch)
            for group in self.optimizer.param_groups:
                group["lr"] = lr * group["lr_factor"]
            adapt = cfg.fixed_beta is None and epoch >= cfg.recon_epochs
            sums = self._epoch(batches, adapt)
            row = {"epoch": epoch, **{k: v / n for k, v in sums.items()}, "beta": float(self.beta), "lr": lr}
            bad = [k for k in TERMS if not math.isfinite(row[k])]
            if bad:
                kept = (f"the last good checkpoint (epoch {self.checkpoint_epoch}) is kept at {self.checkpoint_path}"
                        if self.checkpoint_epoch is not None else "no checkpoint was written yet")
                terms = ", ".join(f"{k}={row[k]:.4g}" for k in ("loss", "nll_per_pixel", "reg_per_latent", "label_nll", "beta"))
                raise TrainingDiverged(f"epoch {epoch}: non-finite {', '.join(bad)} ({terms}); {kept}")
            self.history.append(row)
            done = epoch + 1 - self.start_epoch
            rate = done * n / (time.perf_counter() - start)
            if epoch == cfg.epochs - 1 or (epoch + 1) % cfg.checkpoint_every == 0:
                self.checkpoint(epoch)
            print(f"epoch {epoch} ({epoch + 1}/{cfg.epochs}) loss {row['loss']:.4g} nll/pixel {row['nll_per_pixel']:.4g} "
                  f"rate {row['rate']:.3g} beta {row['beta']:.3g} lr {lr:.2g} {rate:.0f} samples/s "
                  f"ETA {(cfg.epochs - epoch - 1) * n / rate:.0f} s", file=self.log, flush=True)
        return self.history

    def _epoch(self, batches: int, adapt: bool) -> dict[str, float]:
        """One pass over the training rows; sums of the terms weighted by the rows they stand for."""
        self.model.train()
        data = self.data
        order = torch.randperm(len(data.x), generator=self.order_generator, device=self.device)
        weights = None
        if data.x_labelled is not None:
            weights = torch.full((len(data.x_labelled),), 1.0 / batches, device=self.device)
        sums = torch.zeros(6, device=self.device)
        for idx in torch.tensor_split(order, batches):
            x, w = data.x[idx], None
            if weights is not None:
                x = torch.cat([x, data.x_labelled])
                w = torch.cat([torch.ones(len(idx), device=self.device), weights])
            terms = objective(self.model, x, self.beta, data.theta_labelled, w, self.noise_generator)
            self.optimizer.zero_grad(set_to_none=True)
            terms.loss.backward()
            self.optimizer.step()
            if adapt:
                self.beta = beta_update(self.beta, terms.nll_per_pixel.detach(), self.cfg.nu, self.cfg.tau)
            sums += torch.stack([getattr(terms, k) for k in TERMS]).detach() * (len(idx) if w is None else w.sum())
        return dict(zip(TERMS, sums.tolist()))
