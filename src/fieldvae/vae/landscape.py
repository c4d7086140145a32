"""Loss landscapes (figures 3 and 5): the training objective along lines in parameter space.

The loss at a parameter vector is the training objective at the run's final beta, averaged over a
fixed subset of the training data and `latent_samples` reparameterised draws per sample, with the
same noise at every point, and clipped at 1000 as in the paper. BatchNorm uses the statistics of the
evaluated batch (train mode); running statistics are never updated.

Random directions are filter-normalised (Li et al. 2018): a Gaussian direction in which every filter
(the slice of a weight tensor belonging to one output unit) is rescaled to the norm of the same
filter of the trained network; biases, BatchNorm parameters, the output log-variance and the prior's
parameters are not perturbed. Direction k is drawn from the stream (landscape_directions, seed, k),
so how directions are split over jobs does not change them; the random networks of the lines come
from their own stream, never from a training run's initialisation stream. The line between two
trained runs (figure 5) is in `landscape_between`.
"""

from __future__ import annotations

import contextlib

import numpy as np
import torch
from torch.nn.utils import parameters_to_vector, vector_to_parameters

from fieldvae.core.streams import torch_generator
from fieldvae.vae.models.densevae import DenseVAE
from fieldvae.vae.models.losses import objective

CLIP = 1000.0


def flat(model) -> torch.Tensor:
    return parameters_to_vector(model.parameters()).detach().clone()


@contextlib.contextmanager
def evaluated_at(model, params: torch.Tensor):
    """The model with the given parameters, BatchNorm on batch statistics (train mode) without
    touching the running statistics; its own parameters and mode come back afterwards."""
    own, training = flat(model), model.training
    vector_to_parameters(params, model.parameters())
    model.train()
    norms = [(m, m.momentum, m.num_batches_tracked.clone()) for m in model.modules()
             if isinstance(m, torch.nn.BatchNorm2d)]
    for m, _, _ in norms:
        m.momentum = 0.0
    try:
        yield model
    finally:
        for m, momentum, tracked in norms:
            m.momentum = momentum
            m.num_batches_tracked.copy_(tracked)
        vector_to_parameters(own, model.parameters())
        model.train(training)


@torch.no_grad()
def loss_at(model, params: torch.Tensor, x: torch.Tensor, beta: float, latent_samples: int, seed: int) -> float:
    """The clipped objective at a parameter vector (see module doc)."""
    generator = torch_generator("landscape_noise", seed)
    with evaluated_at(model, params):
        total = sum(float(objective(model, x, beta, generator=generator).loss) for _ in range(latent_samples))
    loss = total / latent_samples
    return min(loss, CLIP) if np.isfinite(loss) else CLIP


def line(model, start: torch.Tensor, end: torch.Tensor, ts, x, beta, latent_samples, seed) -> list[float]:
    """Losses at (1 - t) start + t end."""
    return [loss_at(model, (1 - t) * start + t * end, x, beta, latent_samples, seed) for t in ts]


def filter_normalised_direction(model, trained: torch.Tensor, index: int, seed: int) -> torch.Tensor:
    """Random direction number `index`, filter-normalised against the trained parameters."""
    generator = torch_generator("landscape_directions", seed, index)
    pieces, offset = [], 0
    for name, p in model.named_parameters():
        size = p.numel()
        weights = trained[offset:offset + size].view_as(p)
        offset += size
        if p.dim() < 2 or name.startswith("prior.") or name == "output_logvar":
            pieces.append(torch.zeros(size))
            continue
        d = torch.randn(p.shape, generator=generator)
        # one filter per output unit: dim 0 for Conv2d and Linear, dim 1 for ConvTranspose2d
        axis = 1 if name in _transposed(model) else 0
        dims = [i for i in range(p.dim()) if i != axis]
        norm = torch.linalg.vector_norm
        scale = norm(weights, dim=dims, keepdim=True) / norm(d, dim=dims, keepdim=True).clamp(min=1e-12)
        pieces.append((d * scale).reshape(-1))
    return torch.cat(pieces)


def _transposed(model) -> set[str]:
    return {f"{n}.weight" for n, m in model.named_modules() if isinstance(m, torch.nn.ConvTranspose2d)}


def direction_losses(model, trained, indices, alphas, x, beta, latent_samples, seed) -> list[dict]:
    """Losses at trained + alpha d_k for every direction index k."""
    rows = []
    for k in indices:
        d = filter_normalised_direction(model, trained, k, seed)
        for alpha, loss in zip(alphas, line(model, trained, trained + d, alphas, x, beta, latent_samples, seed)):
            rows.append({"direction": k, "alpha": float(alpha), "loss": loss})
    return rows


def initial_parameters(model_cfg, seed: int, index: int) -> torch.Tensor:
    """The parameters of random network number `index` of the lines: Xavier-initialised from the
    landscape's own stream, so no line starts where a training run started."""
    generator = torch_generator("landscape_initialisation", seed, index)
    return flat(DenseVAE(model_cfg, generator))


def line_points(points: int) -> np.ndarray:
    """The interpolation parameters t (or step lengths alpha) of a line: `points` from 0 to 1."""
    if points < 2:
        raise ValueError(f"points: expected at least 2 points per line, got {points}")
    return np.round(np.linspace(0.0, 1.0, points), 6)


def loss_samples(arrays: dict, samples: int) -> torch.Tensor:
    """The training samples every loss of the landscape is averaged over: the first `samples`."""
    if not 1 <= samples <= len(arrays["train_index"]):
        raise ValueError(f"samples: expected 1 to {len(arrays['train_index'])} (the training set), got {samples}")
    return torch.from_numpy(arrays["fields"][arrays["train_index"][:samples]])


def lines_from_initialisations(model, x, beta, points, inits, latent_samples, seed) -> list[dict]:
    """Figure 3 (left): the loss along the line from each of `inits` random networks to the trained one."""
    trained, ts = flat(model), line_points(points)
    return [{"init": i, "t": float(t), "loss": loss} for i in range(inits) for t, loss in zip(
        ts, line(model, initial_parameters(model.cfg, seed, i), trained, ts, x, beta, latent_samples, seed))]


def lines_along_directions(model, x, beta, points, first, count, latent_samples, seed) -> list[dict]:
    """Figure 3 (right): the loss along random directions number first .. first + count - 1."""
    return direction_losses(model, flat(model), range(first, first + count), line_points(points), x, beta,
                            latent_samples, seed)
