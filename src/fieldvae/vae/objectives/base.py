"""What every objective's penalty is: a term on the code, and hooks for what it trains besides the VAE."""

from __future__ import annotations

import torch


class Penalty:
    """`penalty(z, mu, logvar)`: one number for the batch (a total correlation in nats, an MMD^2, a
    squared covariance; z: posterior samples, mu and logvar: the posteriors, all (M, D)). The hooks do nothing unless an objective trains a
    network of its own (FactorVAE's discriminator), whose state then goes into the checkpoint."""

    def penalty(self, z: torch.Tensor, mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def to(self, device) -> "Penalty":
        return self

    def after_step(self) -> None:
        """Called after each step of the VAE."""

    def state_dict(self) -> dict:
        return {}

    def load_state_dict(self, state: dict) -> None:
        """Restores what state_dict returned."""
