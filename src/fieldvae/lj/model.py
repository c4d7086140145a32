"""The convolutional VAE of the Lennard-Jones study on distance matrices (SPEC F), and its settings.

Encoder: two 3x3 same-padding convolutions with ReLU (60 then 50 filters in the published model),
flatten, one dense layer to the latent means and one to the log-variances (40 latents). The decoder
mirrors it and ends in a sigmoid, since normalised distances lie in [0, 1].
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
from torch import nn


@dataclass(frozen=True)
class LJModelConfig:
    size: int = 30                      # particles, i.e. rows of the distance matrix
    channels: tuple[int, ...] = (60, 50)  # filters of the encoder's convolutions; the decoder mirrors them
    n_latent: int = 40

    def __post_init__(self):
        object.__setattr__(self, "channels", tuple(int(c) for c in self.channels))
        if not self.channels or min(self.channels) < 1:
            raise ValueError(f"channels: expected one or more positive filter counts, got {list(self.channels)}")
        for name in ("size", "n_latent"):
            if getattr(self, name) < 2:
                raise ValueError(f"{name}: expected an integer >= 2, got {getattr(self, name)}")

    def to_dict(self) -> dict:
        return asdict(self)


MAX_EPOCHS = 10_000_000  # and batch size: far beyond the published 100 epochs, short of training forever


@dataclass(frozen=True)
class LJTrainingConfig:
    epochs: int = 100
    lr: float = 1.0e-3
    batch_size: int = 128
    kl_weight: float = 3.5e-4           # lambda of loss = MSE + lambda * mean KL
    test_fraction: float = 0.2          # held out, stratified by gamma
    checkpoint_every: int = 10          # epochs between checkpoints
    compile: bool = False               # torch.compile the model (faster steps, slightly different rounding)

    def __post_init__(self):
        if not isinstance(self.compile, bool):
            raise ValueError(f"compile: expected true or false, got {self.compile!r}")
        for name in ("epochs", "batch_size", "checkpoint_every"):
            if not 1 <= getattr(self, name) <= MAX_EPOCHS:
                raise ValueError(f"{name}: expected an integer from 1 to {MAX_EPOCHS:,}, got {getattr(self, name)}")
        if self.lr <= 0 or self.kl_weight < 0:
            raise ValueError(f"lr > 0 and kl_weight >= 0 expected, got lr {self.lr}, kl_weight {self.kl_weight}")
        if not 0 < self.test_fraction < 1:
            raise ValueError(f"test_fraction: expected a value in (0, 1), got {self.test_fraction}")

    def learning_rate(self, epoch: int) -> float:
        return self.lr

    def to_dict(self) -> dict:
        return asdict(self)


def _convolutions(widths: list[int], last_activation: nn.Module) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(widths[:-1], widths[1:])):
        layers += [nn.Conv2d(a, b, 3, padding=1), nn.ReLU() if i < len(widths) - 2 else last_activation]
    return nn.Sequential(*layers)


class DistanceVAE(nn.Module):
    def __init__(self, cfg: LJModelConfig, generator: torch.Generator | None = None):
        """generator: the initialisation stream (fieldvae.core.streams), so no other draw moves it."""
        super().__init__()
        self.cfg = cfg
        n, width = cfg.size, cfg.channels[-1]
        self.encoder = _convolutions([1, *cfg.channels], nn.ReLU())
        self.mean = nn.Linear(width * n * n, cfg.n_latent)
        self.log_var = nn.Linear(width * n * n, cfg.n_latent)
        self.expand = nn.Sequential(nn.Linear(cfg.n_latent, width * n * n), nn.ReLU())
        self.decoder = _convolutions([*reversed(cfg.channels), 1], nn.Sigmoid())
        self.apply(lambda module: _default_initialisation(module, generator))

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Latent means and log-variances of matrices (batch, size, size)."""
        h = self.encoder(x.unsqueeze(1)).flatten(1)
        return self.mean(h), self.log_var(h)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        n = self.cfg.size
        h = self.expand(z).view(len(z), self.cfg.channels[-1], n, n)
        return self.decoder(h).squeeze(1)

    def forward(self, x: torch.Tensor, generator: torch.Generator | None = None):
        """(reconstruction, mean, log-variance) with one reparameterised z per matrix."""
        mean, log_var = self.encode(x)
        eps = torch.randn(mean.shape, generator=generator, device=mean.device, dtype=mean.dtype)
        z = mean + eps * torch.exp(0.5 * log_var)
        return self.decode(z), mean, log_var


def _default_initialisation(module: nn.Module, generator: torch.Generator | None) -> None:
    """PyTorch's own initialisation of convolutions and linear layers (Kaiming-uniform weights, biases
    uniform in +-1/sqrt(fan_in)), drawn from `generator` instead of the global generator."""
    if isinstance(module, (nn.Conv2d, nn.Linear)):
        nn.init.kaiming_uniform_(module.weight, a=math.sqrt(5), generator=generator)
        bound = 1 / math.sqrt(module.weight[0].numel())  # fan_in: inputs times kernel size
        nn.init.uniform_(module.bias, -bound, bound, generator=generator)


def kl_to_standard_normal(mean: torch.Tensor, log_var: torch.Tensor) -> torch.Tensor:
    """KL(N(mean, exp(log_var)) || N(0, I)) per latent dimension, elementwise."""
    return 0.5 * (mean ** 2 + log_var.exp() - 1.0 - log_var)


def loss_terms(model: DistanceVAE, x: torch.Tensor, kl_weight: float, generator=None) -> dict[str, torch.Tensor]:
    """The published objective: mean squared error plus kl_weight times the mean KL per latent."""
    reconstruction, mean, log_var = model(x, generator)
    mse = torch.mean((reconstruction - x) ** 2)
    kl = kl_to_standard_normal(mean, log_var).mean()
    return {"loss": mse + kl_weight * kl, "mse": mse, "kl": kl}
