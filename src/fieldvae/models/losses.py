"""The training objective with the paper's normalisation (SPEC C), and the quantities logged.

loss = NLL per pixel (summed over channels, averaged over pixels and batch)
       + beta * regulariser per latent (averaged over latents and batch)
       + label NLL (semi-supervised; averaged over the labelled samples of the batch)

Relative to the per-sample ELBO this weights the regulariser by pixels / latents, so beta = 1 is a
strongly regularised objective. Rate (regulariser, nats per sample) and distortion (NLL, nats per
sample) are the per-sample quantities of a rate-distortion plot.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from fieldvae.models.priors import gaussian_log_prob


@dataclass
class Terms:
    loss: torch.Tensor          # what is minimised
    nll_per_pixel: torch.Tensor  # L of the beta update
    reg_per_latent: torch.Tensor
    rate: torch.Tensor          # nats per sample
    distortion: torch.Tensor    # nats per sample
    label_nll: torch.Tensor     # 0 without labels


def reconstruction_nll(x, mean, output_logvar):
    """Per-sample Gaussian NLL (nats), summed over channels and pixels; the output log-variance is
    one value per pixel, shared by channels and samples."""
    return -gaussian_log_prob(x, mean, output_logvar).sum(dim=(1, 2, 3))


def label_nll(theta, mu, logvar):
    """Per-sample -sum_k log N(theta_k; mu_k(x), sigma_k^2(x)): known factors under the posterior."""
    return -gaussian_log_prob(theta, mu, logvar).sum(-1)


def objective(model, x, beta: float, theta=None, labelled=None, generator=None) -> Terms:
    """All terms for a batch x; theta (batch, s) with boolean mask `labelled` for semi-supervision."""
    mean, z, mu, logvar = model(x, generator)
    nll = reconstruction_nll(x, mean, model.output_logvar)
    reg = model.prior.regulariser(z, mu, logvar, generator)
    pixels = x.shape[-1] * x.shape[-2]
    nll_per_pixel = nll.mean() / pixels
    reg_per_latent = reg.mean() / mu.shape[1]
    if labelled is None:
        labels = torch.zeros((), device=x.device)
    else:  # mean over labelled rows; unlabelled rows (theta NaN) get weight 0 and no NaN
        weights = labelled.to(mu.dtype)
        per_sample = label_nll(torch.where(labelled[:, None], theta, mu.detach()), mu, logvar)
        labels = (per_sample * weights).sum() / weights.sum().clamp(min=1.0)
    return Terms(nll_per_pixel + beta * reg_per_latent + labels, nll_per_pixel, reg_per_latent,
                 reg.mean(), nll.mean(), labels)
