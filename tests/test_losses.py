"""Objective terms against theory: analytic KL, the hierarchical bound, the label term, beta update."""

import math

import numpy as np
import pytest
import torch

from fieldvae.vae.models.config import ModelConfig
from fieldvae.vae.models.densevae import DenseVAE
from fieldvae.vae.models.distributions import gaussian_log_prob
from fieldvae.vae.models.losses import label_nll, objective, reconstruction_nll
from fieldvae.vae.models.priors.gaussian import GaussianPrior
from fieldvae.vae.models.priors.hierarchical import HierarchicalPrior
from fieldvae.vae.training.method import beta_update


@pytest.fixture(autouse=True, scope="module")
def float64():
    """Double precision, so Monte Carlo error and not rounding limits the comparisons."""
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(torch.float32)


def posterior(n_latent, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(1, n_latent, generator=g), torch.randn(1, n_latent, generator=g) - 0.5


@pytest.mark.parametrize("variances", [[1.0, 1.0], [1.0, 2.0], [0.3, 4.0]])
def test_analytic_kl_matches_monte_carlo(variances):
    mu, logvar = posterior(2)
    prior = GaussianPrior(variances)
    analytic = prior.regulariser(None, mu, logvar).item()
    m = 400_000
    z = mu + torch.randn(m, 2, generator=torch.Generator().manual_seed(1)) * torch.exp(0.5 * logvar)
    log_ratio = (gaussian_log_prob(z, mu, logvar) - gaussian_log_prob(z, 0.0, torch.log(prior.variances))).sum(-1)
    se = log_ratio.std().item() / math.sqrt(m)
    assert abs(log_ratio.mean().item() - analytic) < 4 * se
    assert GaussianPrior([1.0, 1.0]).regulariser(None, torch.zeros(1, 2), torch.zeros(1, 2)).item() == 0


@pytest.mark.parametrize("n_latent", [1, 2])
def test_hierarchical_regulariser_bounds_the_exact_kl(n_latent):
    """E[log q(z|x) + KL(q(xi|z)||N(0,I)) - log p(z|xi)] >= KL(q(z|x) || p(z)), p(z) = E_xi p(z|xi);
    the exact KL by Monte Carlo with log p(z) = log mean_xi p(z|xi) over many xi."""
    torch.manual_seed(3)
    prior = HierarchicalPrior(n_latent, 8)
    with torch.no_grad():
        for p in prior.parameters():  # a non-trivial prior: larger weights, tighter p(z|xi)
            p.mul_(2.0)
        prior.decoder_logvar.fill_(-1.0)
    mu, logvar = posterior(n_latent, seed=5)
    g = torch.Generator().manual_seed(7)
    with torch.no_grad():
        z = mu + torch.randn(1000, n_latent, generator=g) * torch.exp(0.5 * logvar)
        xi_means = prior.decoder(torch.randn(50_000, n_latent, generator=g))
        log_p_z = torch.stack([torch.logsumexp(gaussian_log_prob(zi, xi_means, prior.decoder_logvar).sum(-1), 0)
                               for zi in z]) - math.log(len(xi_means))
        exact = (gaussian_log_prob(z, mu, logvar).sum(-1) - log_p_z)
        zs = mu + torch.randn(200_000, n_latent, generator=g) * torch.exp(0.5 * logvar)
        bound = prior.regulariser(zs, mu.expand_as(zs), logvar.expand_as(zs), g)
    se = math.hypot(exact.std().item() / math.sqrt(len(exact)), bound.std().item() / math.sqrt(len(bound)))
    assert bound.mean().item() >= exact.mean().item() - 3 * se
    assert exact.mean().item() > 0


def set_linear(mlp, matrix, offset=50.0):
    """Make the n -> w -> w -> n ReLU MLP compute x -> matrix x exactly (for x > -offset): the first
    n hidden units carry x + offset, always positive, so both ReLUs pass them unchanged."""
    n = matrix.shape[0]
    first, second, last = mlp[0], mlp[2], mlp[4]
    with torch.no_grad():
        for layer in (first, second, last):
            layer.weight.zero_()
            layer.bias.zero_()
        first.weight[:n, :n] = torch.eye(n)
        first.bias[:n] = offset
        second.weight[:n, :n] = torch.eye(n)
        last.weight[:, :n] = matrix
        last.bias[:] = -matrix @ torch.full((n,), offset)


def test_hierarchical_regulariser_is_exact_with_the_true_posterior():
    """Linear-Gaussian case: p(z|xi) = N(a xi, s2) gives p(z) = N(0, a^2 + s2) and the posterior
    p(xi|z) = N(a z / (a^2 + s2), s2 / (a^2 + s2)). With q(xi|z) set to it, the bound is tight:
    its expectation is the analytic KL(q(z|x) || p(z))."""
    a, s2 = torch.tensor([1.5, 0.7]), torch.tensor([0.5, 0.2])
    prior = HierarchicalPrior(2, 8)
    set_linear(prior.decoder, torch.diag(a))
    set_linear(prior.encoder, torch.diag(a / (a**2 + s2)))
    with torch.no_grad():
        prior.decoder_logvar.copy_(torch.log(s2))
        prior.encoder_logvar.copy_(torch.log(s2 / (a**2 + s2)))
    mu, logvar = posterior(2, seed=2)
    analytic = GaussianPrior(a**2 + s2).regulariser(None, mu, logvar).item()
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        zs = mu + torch.randn(400_000, 2, generator=g) * torch.exp(0.5 * logvar)
        bound = prior.regulariser(zs, mu.expand_as(zs), logvar.expand_as(zs), g)
    se = bound.std().item() / math.sqrt(len(bound))
    assert abs(bound.mean().item() - analytic) < 4 * se


def test_reconstruction_nll_is_the_gaussian_nll():
    x = torch.randn(3, 3, 5, 5)
    logvar = torch.randn(5, 5)
    nll = reconstruction_nll(x, x, logvar)  # perfect mean: only the normalisation remains
    assert torch.allclose(nll, torch.full((3,), 0.5 * 3 * (25 * math.log(2 * math.pi) + logvar.sum().item())))
    from scipy.stats import norm
    mean = torch.randn(3, 3, 5, 5)
    expected = -norm.logpdf(x.numpy(), mean.numpy(), np.exp(0.5 * logvar.numpy())).sum(axis=(1, 2, 3))
    assert np.allclose(reconstruction_nll(x, mean, logvar).numpy(), expected)


def test_label_term_is_gaussian_nll_of_labels_and_only_labelled_rows_get_gradient():
    from scipy.stats import norm
    model = DenseVAE(ModelConfig(height=17, width=17)).eval()  # eval: BatchNorm does not couple the samples
    x = torch.randn(6, 3, 17, 17, requires_grad=True)
    theta = torch.randn(3, 2)  # the labels of the last three rows
    terms = objective(model, x, 0.5, theta)
    mu, logvar = model.encode(x)
    expected = -norm.logpdf(theta.numpy(), mu[3:].detach().numpy(),
                            np.exp(0.5 * logvar[3:].detach().numpy())).sum(-1).mean()
    assert terms.label_nll.item() == pytest.approx(expected, rel=1e-10)
    assert torch.allclose(label_nll(theta, mu[3:], logvar[3:]).mean(), terms.label_nll)
    (grad,) = torch.autograd.grad(terms.label_nll, x)
    assert torch.all(grad[:3] == 0) and torch.all(grad[3:].abs().sum((1, 2, 3)) > 0)


def test_row_weights_weight_nll_and_regulariser_but_not_the_labels():
    model = DenseVAE(ModelConfig(height=17, width=17)).eval()
    x, theta = torch.randn(5, 3, 17, 17), torch.randn(2, 2)
    weights = torch.tensor([1.0, 1.0, 1.0, 0.25, 0.25])
    with torch.no_grad():
        weighted = objective(model, x, 0.5, theta, weights, torch.Generator().manual_seed(1))
        plain = objective(model, x, 0.5, theta, None, torch.Generator().manual_seed(1))
        mean, z, mu, logvar = model(x, torch.Generator().manual_seed(1))
        nll = reconstruction_nll(x, mean, model.output_logvar)
    assert weighted.distortion.item() == pytest.approx(((weights * nll).sum() / weights.sum()).item(), rel=1e-6)
    assert plain.distortion.item() == pytest.approx(nll.mean().item(), rel=1e-6)
    assert weighted.label_nll.item() == pytest.approx(plain.label_nll.item(), rel=1e-12)


def test_objective_normalisation():
    model = DenseVAE(ModelConfig(height=17, width=17, n_latent=4))
    x = torch.randn(5, 3, 17, 17)
    g = torch.Generator().manual_seed(0)
    terms = objective(model, x, 0.25, generator=g)
    assert terms.nll_per_pixel.item() == pytest.approx(terms.distortion.item() / 17**2)
    assert terms.reg_per_latent.item() == pytest.approx(terms.rate.item() / 4)
    assert terms.loss.item() == pytest.approx(terms.nll_per_pixel.item() + 0.25 * terms.reg_per_latent.item())
    assert terms.label_nll.item() == 0


def test_beta_update_follows_the_constraint():
    nu, tau = 0.005, 1.0
    beta = torch.tensor(0.01)
    # positive NLL: beta shrinks by exp(-nu L)
    assert beta_update(beta, torch.tensor(2.0), nu, tau).item() == pytest.approx(0.01 * math.exp(-nu * 2.0))
    # negative NLL: beta grows by exp(nu tanh(tau (beta - 1)) L)
    grown = beta_update(beta, torch.tensor(-3.0), nu, tau).item()
    assert grown == pytest.approx(0.01 * math.exp(nu * math.tanh(tau * (0.01 - 1)) * -3.0)) and grown > 0.01
    # capped at 1, and 1 is a fixed point while the constraint holds
    assert beta_update(torch.tensor(0.9999), torch.tensor(-1e4), nu, tau).item() == 1.0
    assert beta_update(torch.tensor(1.0), torch.tensor(-5.0), nu, tau).item() == 1.0


def test_prior_samples_follow_the_prior():
    """Figures draw p(z) from these: N(0, diag(v)) for the Gaussian priors; for the hierarchical prior
    z = MLP(xi) + sigma eps with xi ~ N(0, I), recomputed here draw by draw."""
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        z = GaussianPrior([1.0, 4.0]).sample(20000, g)
    assert np.allclose(np.cov(z.numpy().T), np.diag([1.0, 4.0]), atol=0.1) and np.allclose(z.mean(0), 0, atol=0.05)
    prior = HierarchicalPrior(2, 8)
    with torch.no_grad():
        z = prior.sample(5, torch.Generator().manual_seed(3))
        g = torch.Generator().manual_seed(3)
        xi = torch.randn((5, 2), generator=g)
        expected = prior.decoder(xi) + torch.randn((5, 2), generator=g) * torch.exp(0.5 * prior.decoder_logvar)
    assert torch.allclose(z, expected)
