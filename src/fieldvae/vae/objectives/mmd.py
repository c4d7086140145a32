"""InfoVAE-MMD (Zhao, Song and Ermon 2019): the maximum mean discrepancy between the aggregate
posterior q(z) and the prior N(0, I), penalised in place of more KL,

    MMD^2(q, p) = E k(z, z') + E k(y, y') - 2 E k(z, y),   z, z' ~ q(z),  y, y' ~ N(0, I),

with the inverse multiquadratic kernel k(a, b) = C / (C + |a - b|^2), C = 2 D (as Tolstikhin et al.
2018 take it for a unit-variance D-dimensional prior), which training uses; `kernel` also gives the
Gaussian (RBF) kernel exp(-|a - b|^2 / (2 h^2)), h^2 = D, whose closed form tests the estimator. The estimate is the unbiased U-statistic on the batch against as
many prior draws, so it is 0 on average when q(z) = p(z). For p = N(0, I) and q = N(delta, I) in D
dimensions the RBF MMD^2 is 2 (h^2 / (h^2 + 2))^(D/2) (1 - exp(-|delta|^2 / (2 (h^2 + 2)))).
"""

from __future__ import annotations

import torch

from fieldvae.core.streams import torch_generator
from fieldvae.vae.objectives.base import Penalty


def kernel(a: torch.Tensor, b: torch.Tensor, kind: str = "imq") -> torch.Tensor:
    """The kernel matrix k(a_i, b_j) of samples a (M, D) and b (K, D)."""
    d2 = ((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)  # exact (cdist's matrix product loses digits at large codes)
    scale = a.shape[1]
    return 2 * scale / (2 * scale + d2) if kind == "imq" else torch.exp(-d2 / (2 * scale))


def mmd2(z: torch.Tensor, y: torch.Tensor, kind: str = "imq") -> torch.Tensor:
    """The unbiased estimate of MMD^2 between the samples z (M, D) and y (K, D)."""
    m, k = len(z), len(y)
    kzz, kyy = kernel(z, z, kind), kernel(y, y, kind)
    within = (kzz.sum() - kzz.diagonal().sum()) / (m * (m - 1)) + (kyy.sum() - kyy.diagonal().sum()) / (k * (k - 1))
    return within - 2 * kernel(z, y, kind).mean()


class MaximumMeanDiscrepancy(Penalty):
    """MMD^2 of the batch's posterior samples against fresh draws of N(0, I) from the run's stream."""

    def __init__(self, generator: torch.Generator):
        self.generator = generator

    def penalty(self, z, mu, logvar) -> torch.Tensor:
        prior = torch.randn(z.shape, generator=self.generator, dtype=z.dtype).to(z.device)
        return mmd2(z, prior)

    def state_dict(self) -> dict:
        return {"generator": self.generator.get_state()}

    def load_state_dict(self, state: dict) -> None:
        self.generator.set_state(state["generator"])


def make(n_latent: int, seed: int) -> Penalty:
    return MaximumMeanDiscrepancy(torch_generator("objective_noise", seed))
