"""Rotation study (figure 10): rotate a trained model's latent space by an angle and see what changes.

The rotated model encodes z' = R z and decodes through R^T, so it reconstructs exactly as before,
and log q(z'|x) = log q(z|x) (a rotation keeps densities). What changes is the prior's term at z',
unless the prior is rotation invariant like N(0, I), and the alignment of the latents with the
factors (S_D). Every angle uses the same noise, so differences are the rotation's alone.

A factorised encoder cannot express the rotated posterior N(R mu, R Sigma R^T); the nearest it can
express is N(R mu, diag(R Sigma R^T)), with the same marginals and more entropy. Its regulariser and
reconstruction (`*_diagonal`) are what a model trained with that encoder would pay at the angle: for
N(0, I) the exact regulariser does not change with the angle, the diagonal one falls, and its
reconstruction gets worse, which is the trade-off that aligns the axes.
"""

from __future__ import annotations

import numpy as np
import torch

from fieldvae.core.metrics.s_d import s_d
from fieldvae.core.streams import torch_generator
from fieldvae.vae.models.distributions import gaussian_log_prob
from fieldvae.vae.models.losses import reconstruction_nll
from fieldvae.vae.models.store import load_model, model_metadata


def rotation_matrix(angle_degrees: float, n: int) -> torch.Tensor:
    """Rotation by the angle in the plane of the first two latents."""
    a = np.deg2rad(angle_degrees)
    r = np.eye(n)
    r[:2, :2] = [[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]]
    return torch.tensor(r, dtype=torch.float32)


@torch.no_grad()
def rotation_study(model, fields: np.ndarray, theta: np.ndarray, angles, seed: int = 0) -> list[dict]:
    """Per angle: NLL per pixel and regulariser per latent (single-sample estimates) of the rotated
    posterior and of its nearest diagonal posterior, and S_D of the rotated posterior means, on the
    given (test) samples, model in eval mode."""
    model.eval()
    x = torch.from_numpy(fields)
    mu, logvar = model.encode(x)
    eps = torch.randn(mu.shape, generator=torch_generator("rotation_noise", seed))
    z = mu + eps * torch.exp(0.5 * logvar)
    log_q = gaussian_log_prob(z, mu, logvar).sum(-1)
    pixels, n = x.shape[-1] * x.shape[-2], mu.shape[1]

    def nll(z_rotated, r):  # the rotated decoder undoes the rotation
        return float(reconstruction_nll(x, model.decode(z_rotated @ r), model.output_logvar).mean() / pixels)

    def prior_noise():  # the hierarchical prior's xi, the same at every angle
        return torch_generator("rotation_noise", seed, "prior")

    rows = []
    for angle in angles:
        r = rotation_matrix(angle, n)
        z_rotated, mu_rotated = z @ r.T, mu @ r.T
        logvar_diagonal = torch.log(torch.exp(logvar) @ (r**2).T)  # diag(R Sigma R^T)
        z_diagonal = mu_rotated + eps * torch.exp(0.5 * logvar_diagonal)
        reg = (log_q + model.prior.neg_log_prior(z_rotated, prior_noise())).mean() / n
        log_q_diagonal = gaussian_log_prob(z_diagonal, mu_rotated, logvar_diagonal).sum(-1)
        reg_diagonal = (log_q_diagonal + model.prior.neg_log_prior(z_diagonal, prior_noise())).mean() / n
        rows.append({"angle": float(angle), "nll_per_pixel": nll(z_rotated, r), "reg_per_latent": float(reg),
                     "nll_per_pixel_diagonal": nll(z_diagonal, r), "reg_per_latent_diagonal": float(reg_diagonal),
                     "s_d": s_d(mu_rotated.numpy(), theta)})
    return rows


def rotate_model_file(path, fields: np.ndarray, theta: np.ndarray, angles, seed: int = 0) -> list[dict]:
    """`rotation_study` of the model in a file; a run that diverged has nothing to rotate, and its one
    row says so (`diverged_epoch`), as its latents and scores do."""
    meta = model_metadata(path)
    if "diverged_epoch" in meta:
        return [{"diverged_epoch": meta["diverged_epoch"]}]
    return rotation_study(load_model(path)[0], fields, theta, angles, seed)
