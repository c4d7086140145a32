"""Figure 5: the loss and S_D along the straight line between two trained networks.

The posterior means are taken in eval mode with the parameters and the BatchNorm running statistics
interpolated alike, so the ends score what metrics.json scores. Kept apart from the landscape of
figure 3 because only this line is scored by S_D.
"""

from __future__ import annotations

import copy

import numpy as np
import torch

from fieldvae.core.metrics.s_d import s_d
from fieldvae.vae.encode import encode
from fieldvae.vae.landscape import flat, line_points, loss_at


@torch.no_grad()
def encoder_means_between(model, other, t: float, x: np.ndarray) -> np.ndarray:
    """Posterior means in eval mode at (1 - t) model + t other, parameters and BatchNorm running
    statistics interpolated alike; t = 0 and 1 give exactly the two models' own means."""
    ends = model.state_dict(), other.state_dict()
    state = {k: (1 - t) * v + t * ends[1][k] if v.is_floating_point() else v for k, v in ends[0].items()}
    probe = copy.deepcopy(model)
    probe.load_state_dict(state)
    return encode(probe, x, "cpu")[0]


def line_between(model, other, x, beta, test, theta, points, latent_samples, seed) -> list[dict]:
    """Figure 5: the loss and S_D of the test set along the line between two trained networks."""
    start, end = flat(model), flat(other)
    return [{"t": float(t), "s_d": s_d(encoder_means_between(model, other, float(t), test), theta),
             "loss": loss_at(model, (1 - t) * start + t * end, x, beta, latent_samples, seed)} for t in line_points(points)]
