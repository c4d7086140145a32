"""Rotation study (figure 10): rotate a trained model's latent space by an angle and see what changes.

The rotated model encodes z' = R z and decodes through R^T, so it reconstructs exactly as before,
and log q(z'|x) = log q(z|x) (a rotation keeps densities). What changes is the prior's term at z',
unless the prior is rotation invariant like N(0, I), and the alignment of the latents with the
factors (S_D). Every angle uses the same noise, so differences are the rotation's alone.
"""

from __future__ import annotations

import numpy as np
import torch

from fieldvae.metrics.s_d import s_d
from fieldvae.models.losses import reconstruction_nll
from fieldvae.models.priors import gaussian_log_prob


def rotation_matrix(angle_degrees: float, n: int) -> torch.Tensor:
    """Rotation by the angle in the plane of the first two latents."""
    a = np.deg2rad(angle_degrees)
    r = np.eye(n)
    r[:2, :2] = [[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]]
    return torch.tensor(r, dtype=torch.float32)


@torch.no_grad()
def rotation_study(model, fields: np.ndarray, theta: np.ndarray, angles, seed: int = 0) -> list[dict]:
    """Per angle: NLL per pixel, regulariser per latent (single-sample estimate) and S_D of the
    rotated posterior means, on the given (test) samples, model in eval mode."""
    model.eval()
    x = torch.from_numpy(fields)
    mu, logvar = model.encode(x)
    eps = torch.randn(mu.shape, generator=torch.Generator().manual_seed(seed))
    z = mu + eps * torch.exp(0.5 * logvar)
    log_q = gaussian_log_prob(z, mu, logvar).sum(-1)
    pixels = x.shape[-1] * x.shape[-2]
    rows = []
    for angle in angles:
        r = rotation_matrix(angle, mu.shape[1])
        z_rotated = z @ r.T
        recon = model.decode(z_rotated @ r)  # the rotated decoder undoes the rotation
        nll = reconstruction_nll(x, recon, model.output_logvar).mean() / pixels
        generator = torch.Generator().manual_seed(seed + 1)
        reg = (log_q + model.prior.neg_log_prior(z_rotated, generator)).mean() / mu.shape[1]
        rows.append({"angle": float(angle), "nll_per_pixel": float(nll), "reg_per_latent": float(reg),
                     "s_d": s_d((mu @ r.T).numpy(), theta)})
    return rows
