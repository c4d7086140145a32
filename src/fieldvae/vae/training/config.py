"""Training configuration. Defaults are the paper's plain-VAE protocol (SPEC C)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from fieldvae.vae.objectives import objective_module

# Far beyond any protocol (the paper's longest is 20,000 epochs), short of a typo that trains forever.
MAX_EPOCHS = 10_000_000
MAX_COUNT = 1_000_000_000


@dataclass(frozen=True)
class TrainingConfig:
    epochs: int = 6500
    recon_epochs: int = 4000            # reconstruction phase at beta0 before the beta update starts
    lr: tuple[tuple[int, float], ...] = ((0, 5e-4), (5900, 1e-4))  # (first epoch, learning rate)
    batch_size: int = 64                # 0: the whole training set in one batch
    beta0: float = 1e-7
    nu: float = 0.005                   # step of the constrained beta update
    tau: float = 1.0
    fixed_beta: float | None = None     # set: train at this beta throughout (the beta sweep)
    n_train: int = 0                    # 0: the whole training set, else its first n_train samples
    labels: int = 0                     # > 0: semi-supervised with this many samples of the labelled pool
    logvar_lr_factor: float = 1.0       # learning rate of the output log-variance relative to the rest
    checkpoint_every: int = 100         # epochs between checkpoints
    compile: bool = False               # torch.compile the model (faster steps, slightly different rounding)
    objective: str = "paper"            # another objective's penalty on the code (fieldvae.vae.objectives)
    objective_weight: float = 0.0       # its weight relative to the regulariser (both times beta)

    def __post_init__(self):
        if not isinstance(self.compile, bool):
            raise ValueError(f"compile: expected true or false, got {self.compile!r}")
        object.__setattr__(self, "lr", tuple((int(e), float(r)) for e, r in self.lr))
        if not 1 <= self.epochs <= MAX_EPOCHS:
            raise ValueError(f"epochs: expected an integer from 1 to {MAX_EPOCHS:,}, got {self.epochs}")
        if not 0 <= self.recon_epochs <= self.epochs:
            raise ValueError(f"recon_epochs: expected 0..epochs ({self.epochs}), got {self.recon_epochs}")
        if not self.lr or self.lr[0][0] != 0 or any(a[0] >= b[0] for a, b in zip(self.lr, self.lr[1:])):
            raise ValueError(f"lr: expected [[0, rate], [epoch, rate], ...] with increasing epochs, got {self.lr}")
        if min(r for _, r in self.lr) <= 0:
            raise ValueError("lr: learning rates must be positive")
        for name in ("batch_size", "n_train", "labels"):
            if not 0 <= getattr(self, name) <= MAX_COUNT:
                raise ValueError(f"{name}: expected a count from 0 to {MAX_COUNT:,}, got {getattr(self, name)}")
        if self.checkpoint_every < 1:
            raise ValueError(f"checkpoint_every: expected a positive integer, got {self.checkpoint_every}")
        if self.beta0 <= 0 or (self.fixed_beta is not None and self.fixed_beta < 0):
            raise ValueError("beta0 must be positive and fixed_beta non-negative")
        objective_module(self.objective)  # names the known objectives if it is none of them
        if not (isinstance(self.objective_weight, (int, float)) and 0 <= self.objective_weight < float("inf")):
            raise ValueError(f"objective_weight: expected a finite number >= 0, got {self.objective_weight!r}")
        if self.objective == "paper" and self.objective_weight:
            raise ValueError(f"objective_weight: {self.objective_weight} given for the paper's objective, which adds no "
                             "penalty; expected an objective (tcvae, factorvae, mmd, dip2) or weight 0")

    def learning_rate(self, epoch: int) -> float:
        return [r for e, r in self.lr if e <= epoch][-1]

    def to_dict(self) -> dict:
        return asdict(self)
