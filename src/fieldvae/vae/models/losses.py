"""The training objective with the paper's normalisation (SPEC C), and the quantities logged.

loss = NLL per pixel (summed over channels, averaged over pixels and batch)
       + beta * regulariser per latent (averaged over latents and batch)
       + label NLL (semi-supervised; averaged over the labelled samples, all of which are in every
         batch, so the labels' weight does not depend on how an epoch is split into batches)
       + beta * weight * penalty per latent (another objective's term on the code,
         fieldvae.vae.objectives, weighted relative to the regulariser as the objectives' papers weigh
         it relative to the ELBO's KL term: beta-TCVAE's TC at weight beta - 1 is weight 5 for beta 6;
         so it follows beta, and the reconstruction phase at beta0 is a reconstruction phase for it too)

Relative to the per-sample ELBO this weights the regulariser by pixels / latents, so beta = 1 is a
strongly regularised objective. Rate (regulariser, nats per sample) and distortion (NLL, nats per
sample) are the per-sample quantities of a rate-distortion plot.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from fieldvae.vae.models.distributions import gaussian_log_prob

TERMS = ("loss", "nll_per_pixel", "reg_per_latent", "rate", "distortion", "label_nll", "penalty")  # fields of Terms


@dataclass
class Terms:
    loss: torch.Tensor          # what is minimised
    nll_per_pixel: torch.Tensor  # L of the beta update
    reg_per_latent: torch.Tensor
    rate: torch.Tensor          # nats per sample
    distortion: torch.Tensor    # nats per sample
    label_nll: torch.Tensor     # 0 without labels
    penalty: torch.Tensor       # an objective's term on the code (0: the paper's objective)


def reconstruction_nll(x, mean, output_logvar):
    """Per-sample Gaussian NLL (nats), summed over channels and pixels; the output log-variance is
    one value per pixel, shared by channels and samples."""
    return -gaussian_log_prob(x, mean, output_logvar).sum(dim=(1, 2, 3))


def label_nll(theta, mu, logvar):
    """Per-sample -sum_k log N(theta_k; mu_k(x), sigma_k^2(x)): known factors under the posterior."""
    return -gaussian_log_prob(theta, mu, logvar).sum(-1)


def objective(model, x, beta: float, theta_labelled=None, weights=None, generator=None, penalty=None,
              weight: float = 0.0) -> Terms:
    """All terms for a batch x. Semi-supervised: the last len(theta_labelled) rows of x are the
    labelled samples with their known factors. weights (one per row, default 1) weight each row's
    NLL and regulariser; the label term is the mean over the labelled rows whatever the weights.
    penalty: an objective's Penalty on the codes of the batch's training rows (the labelled rows
    appended to it are no sample of q(z)), added per latent with `weight` relative to the regulariser."""
    mean, z, mu, logvar = model(x, generator)
    nll = reconstruction_nll(x, mean, model.output_logvar)
    reg = model.prior.regulariser(z, mu, logvar, generator)
    weights = torch.ones_like(nll) if weights is None else weights
    total = weights.sum()
    nll_mean, reg_mean = (weights * nll).sum() / total, (weights * reg).sum() / total
    pixels = x.shape[-1] * x.shape[-2]
    nll_per_pixel = nll_mean / pixels
    reg_per_latent = reg_mean / mu.shape[1]
    if theta_labelled is None:
        labels = torch.zeros((), device=x.device)
    else:
        rows = len(theta_labelled)
        labels = label_nll(theta_labelled, mu[-rows:], logvar[-rows:]).mean()
    coded = len(x) - (0 if theta_labelled is None else len(theta_labelled))  # the labelled rows are no sample of q(z)
    extra = (torch.zeros((), device=x.device) if penalty is None
             else penalty.penalty(z[:coded], mu[:coded], logvar[:coded]))
    return Terms(nll_per_pixel + beta * (reg_per_latent + weight * extra / mu.shape[1]) + labels, nll_per_pixel,
                 reg_per_latent, reg_mean, nll_mean, labels, extra)
