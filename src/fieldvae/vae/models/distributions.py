"""Gaussian densities and divergences shared by the losses, the priors and the rotation study."""

from __future__ import annotations

import math

import torch

LOG_2PI = math.log(2 * math.pi)


def gaussian_log_prob(x, mean, logvar):
    """Elementwise log N(x; mean, exp(logvar))."""
    return -0.5 * (LOG_2PI + logvar + (x - mean) ** 2 * torch.exp(-logvar))


def kl_to_centred_normal(mu, logvar, prior_var=1.0):
    """Elementwise KL(N(mu, exp(logvar)) || N(0, prior_var))."""
    prior_var = torch.as_tensor(prior_var, dtype=mu.dtype, device=mu.device)
    return 0.5 * (torch.log(prior_var) - logvar + (torch.exp(logvar) + mu**2) / prior_var - 1.0)
