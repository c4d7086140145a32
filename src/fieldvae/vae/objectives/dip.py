"""DIP-VAE-II (Kumar, Sattigeri and Balakrishnan 2018): the covariance of the aggregate posterior is
pushed towards the identity,

    Cov_q(z)[z] = E_x[diag exp(logvar(x))] + Cov_x[mu(x)],
    penalty = lambda_od sum_{i != j} Cov_ij^2 + lambda_d sum_i (Cov_ii - 1)^2,

estimated on the batch (the covariance of the means with the batch's mean), with lambda_d = lambda_od
(the objective's weight multiplies both; Kumar et al. use lambda_d = lambda_od for DIP-VAE-II).
"""

from __future__ import annotations

import torch

from fieldvae.vae.objectives.base import Penalty


def aggregate_covariance(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """Cov_q(z)[z] (D, D) of the batch: the mean posterior variance plus the covariance of the means."""
    centred = mu - mu.mean(0)
    return torch.diag(torch.exp(logvar).mean(0)) + centred.T @ centred / len(mu)


def dip_ii(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    cov = aggregate_covariance(mu, logvar)
    off = cov - torch.diag(cov.diagonal())
    return (off ** 2).sum() + ((cov.diagonal() - 1) ** 2).sum()


class DecorrelatedCode(Penalty):
    def penalty(self, z, mu, logvar) -> torch.Tensor:
        return dip_ii(mu, logvar)


def make(n_latent: int, seed: int) -> Penalty:
    return DecorrelatedCode()
