"""beta-TCVAE (Chen, Li, Grosse and Duvenaud 2018): the total correlation of the aggregate posterior,

    TC = KL(q(z) || prod_d q(z_d)) = E_q(z)[log q(z) - sum_d log q(z_d)],

penalised on its own (the paper's KL term stays as it is). q(z) and its marginals are estimated on
the minibatch, each sample z_i against every posterior of the batch:

    log q(z_i)   ~ logsumexp_j log q(z_i | x_j)   - log M
    log q(z_id)  ~ logsumexp_j log q(z_id | x_jd) - log M

with M the batch size. Chen et al.'s minibatch-weighted sampling divides by N M instead of M (N the
dataset size); the two differ by the constant (D - 1) log N, which changes no gradient. With the
batch as the sample of q(z) the estimate converges to TC as M grows (a Gaussian aggregate posterior
with correlation r has TC = -1/2 log(1 - r^2)).

Posteriors narrower than exp(LOGVAR_FLOOR / 2) are read at that width. exp(-logvar) overflows float32
below logvar = -88.7, and where a sample equals its own posterior's mean (its spread lost in
rounding) the density's 0 x inf is NaN: in the warm-up, with beta near 0, an encoder's log-variances
ran down to -92 on mixture data and 3 of 10 runs at weight 6 stopped as diverged. A posterior that
narrow is a point for the estimate, which then sits at its ceiling (D - 1) log M either way.
"""

from __future__ import annotations

import math

import torch

from fieldvae.vae.models.distributions import gaussian_log_prob
from fieldvae.vae.objectives.base import Penalty

LOGVAR_FLOOR = -80.0  # exp(80) is finite in float32 (the largest is about exp(88.7))


def total_correlation(z: torch.Tensor, mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """The minibatch estimate of TC (nats) from samples z (M, D) of the posteriors N(mu, exp(logvar))."""
    m = z.shape[0]
    logvar = logvar.clamp(min=LOGVAR_FLOOR)
    log_q = gaussian_log_prob(z[:, None, :], mu[None, :, :], logvar[None, :, :])  # (i, j, d)
    log_joint = torch.logsumexp(log_q.sum(-1), dim=1) - math.log(m)
    log_marginals = (torch.logsumexp(log_q, dim=1) - math.log(m)).sum(-1)
    return (log_joint - log_marginals).mean()


class TotalCorrelation(Penalty):
    def penalty(self, z, mu, logvar) -> torch.Tensor:
        return total_correlation(z, mu, logvar)


def make(n_latent: int, seed: int) -> Penalty:
    return TotalCorrelation()
