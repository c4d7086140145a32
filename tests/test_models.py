"""DenseVAE: sizes from the fields (any height and width), the published parameter count, initialisation, configuration."""

import math

import pytest
import torch

from fieldvae.core.settings import from_dict
from fieldvae.vae.models import losses
from fieldvae.vae.models.config import ModelConfig
from fieldvae.vae.models.densevae import DenseVAE, parameter_count


@pytest.mark.parametrize("grid", [17, 33, 65])
def test_shapes_for_every_grid(grid):
    model = DenseVAE(ModelConfig(height=grid, width=grid, n_latent=3))
    x = torch.randn(4, 3, grid, grid)
    mean, z, mu, logvar = model(x)
    assert mean.shape == x.shape and z.shape == mu.shape == logvar.shape == (4, 3)
    assert model.output_logvar.shape == (grid, grid)
    assert model.decode(torch.zeros(2, 3)).shape == (2, 3, grid, grid)


def test_published_configuration_has_about_8_million_parameters():
    # 2 encoders x (2304*1152 + 1152 + 1152*2 + 2) + decoder linears 3456 + 2656512 dominate
    assert parameter_count(DenseVAE(ModelConfig(height=65, width=65))) == 7_996_642
    assert 0.5e6 < parameter_count(DenseVAE(ModelConfig(height=33, width=33))) < 0.55e6


def test_hierarchical_prior_adds_two_mlps():
    plain = parameter_count(DenseVAE(ModelConfig(height=17, width=17)))
    hier = parameter_count(DenseVAE(ModelConfig(height=17, width=17, prior="hierarchical")))
    n, w = 2, 16  # n -> 8n -> 8n -> n, twice, plus two log-variance vectors
    assert hier - plain == 2 * ((n * w + w) + (w * w + w) + (w * n + n)) + 2 * n


def test_xavier_uniform_initialisation():
    model = DenseVAE(ModelConfig(height=17, width=17))
    for module in model.modules():
        if isinstance(module, (torch.nn.Conv2d, torch.nn.ConvTranspose2d, torch.nn.Linear)):
            fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(module.weight)
            bound = math.sqrt(6 / (fan_in + fan_out))
            assert module.weight.abs().max() <= bound
            assert module.weight.abs().max() > 0.8 * bound  # really spread over the range
            if module.bias is not None:
                assert torch.all(module.bias == 0)


def test_widths_are_configurable():
    small = DenseVAE(ModelConfig(height=33, width=33, blocks=(2, 2, 2), growth=2))
    assert parameter_count(small) < parameter_count(DenseVAE(ModelConfig(height=33, width=33)))
    assert small(torch.randn(2, 3, 33, 33))[0].shape == (2, 3, 33, 33)


@pytest.mark.parametrize("height, width, channels", [(24, 40, 2), (9, 30, 1), (33, 21, 5), (31, 31, 3)])
def test_any_field_shape(height, width, channels):
    """Fields of any size: the output mean and the output log-variance have the input's shape, the
    padded side is the next 1 + k * stride (less than a stride more), the encoder sees the fields
    zero-padded at the bottom and right, and every parameter trains."""
    model = DenseVAE(ModelConfig(height=height, width=width, channels=channels)).eval()
    x = torch.randn(3, channels, height, width)
    mean, _, mu, _ = model(x)
    assert mean.shape == x.shape and model.output_logvar.shape == (height, width)
    cfg = model.cfg
    padded = [cfg.padded_size(n) for n in (height, width)]
    assert all(p >= n and (p - 1) % cfg.stride == 0 and p - n < cfg.stride for p, n in zip(padded, (height, width)))
    by_hand = torch.nn.functional.pad(x, (0, padded[1] - width, 0, padded[0] - height))
    assert torch.equal(model.encoder_mean(by_hand), mu)
    losses.objective(model, x, 1.0).loss.backward()  # trains: every parameter gets a gradient
    assert all(p.grad is not None for p in model.parameters())


def test_darcy_grids_are_not_padded():
    for grid in (9, 17, 33, 65):
        cfg = ModelConfig(height=grid, width=grid)
        assert cfg.padded_size(grid) == grid and not any(DenseVAE(cfg).padding)


@pytest.mark.parametrize("settings, message", [
    ({"prior": "gamma"}, "prior: expected one of standard, scaled, hierarchical"),
    ({"height": 5, "width": 40}, "smaller side must be at least 6 pixels"),
    ({"height": 9, "width": 9, "blocks": (1, 1, 1, 1, 1)}, "too small"),
    ({"prior": "scaled", "prior_variances": (1.0,)}, "prior_variances: expected 2 positive values"),
    ({"n_latent": 0}, "n_latent: expected an integer from 1 to 1024, got 0"),
    ({"growth": 100_000_000}, "growth: expected an integer from 1 to 1024"),
    ({"blocks": (4, 6)}, "blocks: expected an odd number"),
])
def test_bad_model_settings(settings, message):
    with pytest.raises(ValueError, match=message):
        ModelConfig(**settings)


def test_unknown_setting_is_named():
    with pytest.raises(ValueError, match="model: unknown key 'latents'"):
        from_dict(ModelConfig, {"latents": 3}, "model")
