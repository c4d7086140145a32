"""DenseVAE (SPEC B), after Zhu & Zabaras' DenseED: dense blocks joined by strided transitions.

Two separate encoders give the posterior mean and log-variance; the decoder gives the output mean;
the output log-variance is one learned constant per pixel, shared by channels and samples.
Every size follows from the field size and the widths in ModelConfig. Fields of any height and width
are zero-padded at the bottom and right to the size the strides divide exactly (Darcy's 2^k + 1 grids
need none) and the decoder's output is cropped back, so the model's input and output shapes agree.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from fieldvae.vae.models.config import ModelConfig
from fieldvae.vae.models.priors import make_prior


class DenseLayer(nn.Module):
    def __init__(self, channels: int, growth: int):
        super().__init__()
        self.body = nn.Sequential(nn.BatchNorm2d(channels), nn.ReLU(), nn.Conv2d(channels, growth, 3, padding=1, bias=False))

    def forward(self, x):
        return torch.cat([x, self.body(x)], dim=1)


def dense_block(channels: int, layers: int, growth: int) -> nn.Sequential:
    return nn.Sequential(*(DenseLayer(channels + i * growth, growth) for i in range(layers)))


def transition(channels: int, down: bool) -> nn.Sequential:
    """Halve the channels (1x1), then halve (down) or double (up) the resolution with a 3x3."""
    half = channels // 2
    resample = (nn.Conv2d(half, half, 3, stride=2, padding=1, bias=False) if down
                else nn.ConvTranspose2d(half, half, 3, stride=2, padding=1, output_padding=1, bias=False))
    return nn.Sequential(nn.BatchNorm2d(channels), nn.ReLU(), nn.Conv2d(channels, half, 1, bias=False),
                         nn.BatchNorm2d(half), nn.ReLU(), resample)


class Encoder(nn.Module):
    """Image -> one vector of n_latent (used twice: posterior mean, posterior log-variance)."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        layers: list[nn.Module] = [nn.Conv2d(cfg.channels, cfg.init_features, 7, stride=2, padding=2, bias=False)]
        c = cfg.init_features
        for n_layers in cfg.blocks[: len(cfg.blocks) // 2]:
            layers += [dense_block(c, n_layers, cfg.growth), transition(c + n_layers * cfg.growth, down=True)]
            c = (c + n_layers * cfg.growth) // 2
        self.features = nn.Sequential(*layers)
        self.shape = (c, *((cfg.padded_size(n) - 1) // cfg.stride for n in (cfg.height, cfg.width)))
        flat = c * self.shape[1] * self.shape[2]
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(flat, flat // 2), nn.ReLU(), nn.Linear(flat // 2, cfg.n_latent))

    def forward(self, x):
        return self.head(self.features(x))


class Decoder(nn.Module):
    """Latent -> output mean, mirroring the encoder back to the padded size."""

    def __init__(self, cfg: ModelConfig, shape: tuple[int, int, int]):
        super().__init__()
        c, rows, columns = shape
        flat = c * rows * columns
        self.shape = shape
        self.head = nn.Sequential(nn.Linear(cfg.n_latent, flat // 2), nn.ReLU(), nn.Linear(flat // 2, flat))
        decoder_blocks = cfg.blocks[len(cfg.blocks) // 2:]
        layers: list[nn.Module] = []
        for i, n_layers in enumerate(decoder_blocks):
            layers.append(dense_block(c, n_layers, cfg.growth))
            c += n_layers * cfg.growth
            if i < len(decoder_blocks) - 1:
                layers.append(transition(c, down=False))
                c //= 2
        half = c // 2
        layers += [nn.BatchNorm2d(c), nn.ReLU(), nn.Conv2d(c, half, 1, bias=False), nn.BatchNorm2d(half), nn.ReLU(),
                   nn.ConvTranspose2d(half, cfg.channels, 4, stride=2, padding=1, output_padding=1, bias=False),
                   nn.Conv2d(cfg.channels, cfg.channels, 5, padding=2, bias=False)]
        self.body = nn.Sequential(*layers)

    def forward(self, z):
        return self.body(self.head(z).view(-1, *self.shape))


class DenseVAE(nn.Module):
    def __init__(self, cfg: ModelConfig, generator: torch.Generator | None = None):
        """generator: the run's initialisation stream (fieldvae.core.streams), so no other draw moves it."""
        super().__init__()
        self.cfg = cfg
        self.encoder_mean = Encoder(cfg)
        self.encoder_logvar = Encoder(cfg)
        self.decoder = Decoder(cfg, self.encoder_mean.shape)
        self.output_logvar = nn.Parameter(torch.zeros(cfg.height, cfg.width))
        self.prior = make_prior(cfg)
        self.padding = (0, cfg.padded_size(cfg.width) - cfg.width, 0, cfg.padded_size(cfg.height) - cfg.height)
        self.apply(lambda module: _xavier(module, generator))

    def encode(self, x):
        """Posterior mean and log-variance, each (batch, n_latent)."""
        if any(self.padding):
            x = F.pad(x, self.padding)
        return self.encoder_mean(x), self.encoder_logvar(x)

    def decode(self, z):
        """Output mean (batch, channels, height, width)."""
        return self.decoder(z)[..., : self.cfg.height, : self.cfg.width]

    def forward(self, x, generator: torch.Generator | None = None):
        """One reparameterised sample per input: (output mean, z, posterior mean, posterior log-variance)."""
        mu, logvar = self.encode(x)
        eps = torch.randn(mu.shape, generator=generator, device=mu.device, dtype=mu.dtype)
        z = mu + eps * torch.exp(0.5 * logvar)
        return self.decode(z), z, mu, logvar


def _xavier(module: nn.Module, generator: torch.Generator | None) -> None:
    """Xavier-uniform weights and zero biases on every convolution and linear layer (SPEC B)."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        nn.init.xavier_uniform_(module.weight, generator=generator)
        if module.bias is not None:
            nn.init.zeros_(module.bias)


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
