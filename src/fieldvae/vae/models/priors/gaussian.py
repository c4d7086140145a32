"""`standard` N(0, I) and `scaled` N(0, diag(v)) priors: the analytic KL(q(z|x) || p(z))."""

from __future__ import annotations

import torch
from torch import nn

from fieldvae.vae.models.distributions import (gaussian_log_prob,
                                               kl_to_centred_normal)


class GaussianPrior(nn.Module):
    """N(0, diag(variances)): `standard` with unit variances, `scaled` otherwise."""

    def __init__(self, variances):
        super().__init__()
        self.register_buffer("variances", torch.as_tensor(variances, dtype=torch.float32))

    def regulariser(self, z, mu, logvar, generator=None):
        return kl_to_centred_normal(mu, logvar, self.variances).sum(-1)

    def neg_log_prior(self, z, generator=None):
        """-log p(z) per sample."""
        return -gaussian_log_prob(z, 0.0, torch.log(self.variances)).sum(-1)

    def sample(self, n: int, generator=None):
        """n draws of z ~ p(z)."""
        return torch.randn((n, len(self.variances)), generator=generator) * self.variances.sqrt()


def make(cfg) -> GaussianPrior:
    return GaussianPrior([1.0] * cfg.n_latent if cfg.prior == "standard" else cfg.prior_variances)
