"""FactorVAE (Kim and Mnih 2018): the total correlation of the aggregate posterior estimated with the
density-ratio trick. A discriminator d(z) (a logit) is trained to tell samples of q(z) from samples
of prod_d q(z_d), made by permuting each latent dimension independently across the batch; at its
optimum d(z) = log q(z) - log prod_d q(z_d), so

    TC = E_q(z)[log q(z) / prod_d q(z_d)] ~ mean_i d(z_i),

the penalty. The discriminator learns after every step of the VAE, on the step's codes (detached),
minimising the logistic loss  -log sigmoid(d(z)) - log sigmoid(-d(perm(z))), with its own Adam
optimiser (learning rate 1e-4, betas 0.5, 0.9, as Kim and Mnih); its weights, the optimiser's state
and its permutation stream go into the run's checkpoint, so a resumed run continues exactly.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from fieldvae.core.streams import torch_generator
from fieldvae.vae.objectives.base import Penalty

HIDDEN = (64, 64)  # Kim and Mnih use six layers of 1000 units for images; two codes' worth here
LR, BETAS = 1e-4, (0.5, 0.9)


def permute_dims(z: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Each column of z (M, D) shuffled on its own: the marginals kept, their dependence broken."""
    order = torch.stack([torch.randperm(len(z), generator=generator) for _ in range(z.shape[1])], dim=1)
    return torch.gather(z, 0, order.to(z.device))


def discriminator(n_latent: int, generator: torch.Generator) -> nn.Sequential:
    sizes = (n_latent, *HIDDEN)
    layers = [m for a, b in zip(sizes, sizes[1:]) for m in (nn.Linear(a, b), nn.LeakyReLU(0.2))]
    net = nn.Sequential(*layers, nn.Linear(sizes[-1], 1))
    for module in net:
        if isinstance(module, nn.Linear):
            nn.init.kaiming_uniform_(module.weight, a=0.2, generator=generator)
            nn.init.zeros_(module.bias)
    return net


def discriminator_loss(net: nn.Module, z: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """The logistic loss of telling z from its dimension-wise permutation."""
    return -(F.logsigmoid(net(z)).mean() + F.logsigmoid(-net(permute_dims(z, generator))).mean())


class DensityRatioTC(Penalty):
    def __init__(self, n_latent: int, initialisation: torch.Generator, permutations: torch.Generator):
        self.generator = permutations
        self.net = discriminator(n_latent, initialisation)
        self.optimiser = torch.optim.Adam(self.net.parameters(), lr=LR, betas=BETAS)
        self.codes = None

    def to(self, device) -> "DensityRatioTC":
        self.net.to(device)
        return self

    def penalty(self, z, mu, logvar) -> torch.Tensor:
        self.codes = z.detach()
        return self.net(z).mean()

    def after_step(self) -> None:
        self.optimiser.zero_grad(set_to_none=True)
        discriminator_loss(self.net, self.codes, self.generator).backward()
        self.optimiser.step()

    def state_dict(self) -> dict:
        return {"discriminator": self.net.state_dict(), "optimiser": self.optimiser.state_dict(),
                "generator": self.generator.get_state()}

    def load_state_dict(self, state: dict) -> None:
        self.net.load_state_dict(state["discriminator"])
        self.optimiser.load_state_dict(state["optimiser"])
        self.generator.set_state(state["generator"])


def make(n_latent: int, seed: int) -> Penalty:
    return DensityRatioTC(n_latent, torch_generator("objective_initialisation", seed),
                          torch_generator("objective_noise", seed))
