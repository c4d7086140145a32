"""The hierarchical prior (paper section 2.3): p(z) = int p(z|xi) N(xi; 0, I) dxi with a learned
Gaussian prior decoder p(z|xi) and prior encoder q(xi|z).

The regulariser is the single-sample estimate log q(z|x) + KL(q(xi|z) || N(0, I)) - log p(z|xi),
whose expectation bounds KL(q(z|x) || p(z)) from above (Jensen). Both MLPs are n -> w n -> w n -> n
with ReLU; the published decoder MLP lost its middle layer and ended in a ReLU through a naming bug,
which we do not copy.
"""

from __future__ import annotations

import torch
from torch import nn

from fieldvae.vae.models.distributions import (gaussian_log_prob,
                                               kl_to_centred_normal)


def mlp(n: int, hidden: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(n, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, n))


class HierarchicalPrior(nn.Module):
    def __init__(self, n: int, width: int):
        super().__init__()
        self.encoder = mlp(n, width * n)           # mean of q(xi | z)
        self.encoder_logvar = nn.Parameter(torch.zeros(n))
        self.decoder = mlp(n, width * n)           # mean of p(z | xi)
        self.decoder_logvar = nn.Parameter(torch.zeros(n))

    def regulariser(self, z, mu, logvar, generator=None):
        return gaussian_log_prob(z, mu, logvar).sum(-1) + self.neg_log_prior(z, generator)

    def sample(self, n: int, generator=None):
        """n draws of z ~ p(z|xi), xi ~ N(0, I): the learned prior itself."""
        xi = torch.randn((n, len(self.decoder_logvar)), generator=generator)
        noise = torch.randn(xi.shape, generator=generator)
        return self.decoder(xi) + noise * torch.exp(0.5 * self.decoder_logvar)

    def neg_log_prior(self, z, generator=None):
        """Single-sample upper bound on -log p(z): KL(q(xi|z) || N(0, I)) - log p(z|xi), xi ~ q(xi|z)."""
        xi_mean = self.encoder(z)
        xi_logvar = self.encoder_logvar.expand_as(xi_mean)
        eps = torch.randn(xi_mean.shape, generator=generator, device=z.device, dtype=z.dtype)
        xi = xi_mean + eps * torch.exp(0.5 * xi_logvar)
        log_p = gaussian_log_prob(z, self.decoder(xi), self.decoder_logvar.expand_as(z)).sum(-1)
        return kl_to_centred_normal(xi_mean, xi_logvar).sum(-1) - log_p


def make(cfg) -> HierarchicalPrior:
    return HierarchicalPrior(cfg.n_latent, cfg.hierarchical_width)
