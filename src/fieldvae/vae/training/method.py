"""The paper's training method as an objective of the core trainer: a reconstruction phase, then the
constrained beta update (SPEC C); or a fixed beta; or semi-supervised with a labelled set.

Semi-supervised runs add every labelled row to every batch: the label term then acts on every step
with the same weight whatever the label count, as in the paper's full-batch training; the labelled
rows' NLL and regulariser are weighted 1 / batches, so over an epoch each counts once, like a
training row (with one batch this is exactly the full-batch objective).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from fieldvae.core.trainer import Objective
from fieldvae.vae.models.losses import TERMS, objective
from fieldvae.vae.training.config import TrainingConfig


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


def beta_update(beta: torch.Tensor, nll_per_pixel: torch.Tensor, nu: float, tau: float) -> torch.Tensor:
    """beta <- min(1, beta exp(nu f L)), f = (1 - H(L)) tanh(tau (beta - 1)) - H(L) (SPEC C):
    shrink beta while the per-pixel NLL L is positive, grow it towards 1 once L is negative."""
    step = (nll_per_pixel > 0).to(beta.dtype)
    f = (1 - step) * torch.tanh(tau * (beta - 1)) - step
    return torch.clamp(beta * torch.exp(nu * f * nll_per_pixel), max=1.0)


class TrainingMethod(Objective):
    terms = TERMS

    def __init__(self, data: TrainingData, cfg: TrainingConfig, penalty=None):
        """penalty: the run's objective's Penalty (fieldvae.vae.objectives), None for the paper's."""
        self.data, self.cfg, self.penalty = data, cfg, penalty
        self.rows, self.weight = len(data.x), data.rows
        device = data.x.device
        self.beta = torch.tensor(cfg.fixed_beta if cfg.fixed_beta is not None else cfg.beta0, device=device)
        self.adapt = False
        self.label_weights = None

    def parameter_groups(self, model) -> list[dict]:
        """The output log-variance learns at its own rate (logvar_lr_factor)."""
        rest = [p for n, p in model.named_parameters() if n != "output_logvar"]
        return [{"params": rest, "lr_factor": 1.0},
                {"params": [model.output_logvar], "lr_factor": self.cfg.logvar_lr_factor}]

    def start_epoch(self, epoch: int, batches: int) -> None:
        self.adapt = self.cfg.fixed_beta is None and epoch >= self.cfg.recon_epochs
        if self.data.x_labelled is not None:
            self.label_weights = torch.full((len(self.data.x_labelled),), 1.0 / batches, device=self.data.x.device)

    def step(self, model, index, generator):
        data, x, weights = self.data, self.data.x[index], None
        if self.label_weights is not None:
            x = torch.cat([x, data.x_labelled])
            weights = torch.cat([torch.ones(len(index), device=x.device), self.label_weights])
        terms = vars(objective(model, x, self.beta, data.theta_labelled, weights, generator, self.penalty,
                               self.cfg.objective_weight))
        return terms, len(index) if weights is None else weights.sum()

    def after_step(self, terms: dict) -> None:
        if self.penalty is not None:
            self.penalty.after_step()
        if self.adapt:
            self.beta = beta_update(self.beta, terms["nll_per_pixel"].detach(), self.cfg.nu, self.cfg.tau)

    def columns(self) -> dict[str, float]:
        return {"beta": float(self.beta)}

    def state_dict(self) -> dict:
        return {"beta": self.beta, "penalty": self.penalty.state_dict() if self.penalty is not None else {}}

    def load_state_dict(self, state: dict) -> None:
        self.beta = state["beta"].to(self.beta.device)
        if self.penalty is not None:
            self.penalty.load_state_dict(state["penalty"])
