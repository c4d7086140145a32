"""Model configuration, kept apart from model code. Defaults are the published configuration."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from fieldvae.vae.models.priors import PRIORS

# Bounds that keep a model far from exhausting memory (the paper's model: 3 channels of 65 x 65,
# 2 latents, growth 4, blocks of 4 and 6 layers); a value beyond them is a typo, not a model.
LIMITS = {"channels": 1024, "n_latent": 1024, "growth": 1024, "init_features": 1024, "hierarchical_width": 4096,
          "height": 4097, "width": 4097, "blocks": 64}


@dataclass(frozen=True)
class ModelConfig:
    height: int = 65                    # rows of the input fields (Darcy: 2^k + 1 nodes per side)
    width: int = 65                     # columns; any size: the model pads inside (see `padded_size`)
    channels: int = 3                   # Darcy: p, u_x, u_y
    n_latent: int = 2
    blocks: tuple[int, ...] = (4, 6, 4)  # dense-block sizes: first half encoder, rest decoder
    growth: int = 4                     # channels each dense layer adds
    init_features: int = 2              # channels after the first convolution
    prior: str = "standard"
    prior_variances: tuple[float, ...] = (1.0, 2.0)  # diagonal of the `scaled` prior
    hierarchical_width: int = 8         # hidden width of the hierarchical prior's MLPs, per latent

    def __post_init__(self):
        object.__setattr__(self, "blocks", tuple(self.blocks))
        object.__setattr__(self, "prior_variances", tuple(float(v) for v in self.prior_variances))
        if self.prior not in PRIORS:
            raise ValueError(f"prior: expected one of {', '.join(PRIORS)}, got {self.prior!r}")
        if len(self.blocks) < 3 or len(self.blocks) % 2 == 0 or min(self.blocks) < 1:
            raise ValueError(f"blocks: expected an odd number (3 or more) of positive block sizes, k encoder blocks "
                             f"and k + 1 decoder blocks, got {list(self.blocks)}")
        small = min(self.height, self.width)
        if small < self.stride + 2:  # below, the encoder's last map would be a single pixel
            raise ValueError(f"fields of {self.height} x {self.width} are too small for {len(self.blocks) // 2} "
                             f"encoder blocks: the smaller side must be at least {self.stride + 2} pixels")
        for name in ("channels", "n_latent", "growth", "init_features", "hierarchical_width", "height", "width"):
            if not 1 <= getattr(self, name) <= LIMITS[name]:
                raise ValueError(f"{name}: expected an integer from 1 to {LIMITS[name]}, got {getattr(self, name)}")
        if max(self.blocks) > LIMITS["blocks"]:
            raise ValueError(f"blocks: expected layers per block from 1 to {LIMITS['blocks']}, got {list(self.blocks)}")
        if self.prior == "scaled" and (len(self.prior_variances) != self.n_latent or min(self.prior_variances) <= 0):
            raise ValueError(f"prior_variances: expected {self.n_latent} positive values, got {list(self.prior_variances)}")

    @property
    def stride(self) -> int:
        """How much the encoder shrinks each side: its first convolution and each block halve it."""
        return 2 ** (1 + len(self.blocks) // 2)

    def padded_size(self, n: int) -> int:
        """The side the model works at for n input pixels: the smallest 1 + k * stride >= n (Darcy's
        2^k + 1 grids are their own), so every halving is exact and the decoder returns the same size."""
        return 1 + self.stride * max(1, -(-(n - 1) // self.stride))

    def to_dict(self) -> dict:
        return asdict(self)
