"""Model configuration, kept apart from model code. Defaults are the published configuration."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from fieldvae.darcy.models.priors import PRIORS
from fieldvae.darcy.solver import check_grid


@dataclass(frozen=True)
class ModelConfig:
    grid: int = 65                      # nodes per side of the input fields, 2^k + 1
    channels: int = 3                   # p, u_x, u_y
    n_latent: int = 2
    blocks: tuple[int, ...] = (4, 6, 4)  # dense-block sizes: first half encoder, rest decoder
    growth: int = 4                     # channels each dense layer adds
    init_features: int = 2              # channels after the first convolution
    prior: str = "standard"
    prior_variances: tuple[float, ...] = (1.0, 2.0)  # diagonal of the `scaled` prior
    hierarchical_width: int = 8         # hidden width of the hierarchical prior's MLPs, per latent

    def __post_init__(self):
        check_grid(self.grid)
        object.__setattr__(self, "blocks", tuple(self.blocks))
        object.__setattr__(self, "prior_variances", tuple(float(v) for v in self.prior_variances))
        if self.prior not in PRIORS:
            raise ValueError(f"prior: expected one of {', '.join(PRIORS)}, got {self.prior!r}")
        if len(self.blocks) < 2 or min(self.blocks) < 1:
            raise ValueError(f"blocks: expected at least two positive block sizes, got {list(self.blocks)}")
        if self.grid >> (len(self.blocks) // 2 + 1) < 2:
            raise ValueError(f"grid {self.grid} is too small for {len(self.blocks) // 2} encoder blocks")
        for name in ("channels", "n_latent", "growth", "init_features", "hierarchical_width"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name}: expected a positive integer, got {getattr(self, name)}")
        if self.prior == "scaled" and (len(self.prior_variances) != self.n_latent or min(self.prior_variances) <= 0):
            raise ValueError(f"prior_variances: expected {self.n_latent} positive values, got {list(self.prior_variances)}")

    def to_dict(self) -> dict:
        return asdict(self)
