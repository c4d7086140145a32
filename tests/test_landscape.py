"""Loss landscapes: end points, filter normalisation, chunk independence, clipping."""

import numpy as np
import pytest
import torch

from fieldvae.core.streams import torch_seed
from fieldvae.vae import landscape, landscape_between
from fieldvae.vae.encode import encode
from fieldvae.vae.models.config import ModelConfig
from fieldvae.vae.models.densevae import DenseVAE


@pytest.fixture(scope="module")
def setup():
    torch.manual_seed(0)
    model = DenseVAE(ModelConfig(height=17, width=17))
    x = torch.from_numpy(np.random.default_rng(0).standard_normal((12, 3, 17, 17)).astype(np.float32))
    return model, landscape.flat(model), x


def test_line_end_points_are_the_two_parameter_vectors(setup):
    model, trained, x = setup
    init = landscape.initial_parameters(model.cfg, 5, 0)
    losses = landscape.line(model, init, trained, [0.0, 0.5, 1.0], x, 1.0, 2, 0)
    assert losses[0] == pytest.approx(landscape.loss_at(model, init, x, 1.0, 2, 0))
    assert losses[2] == pytest.approx(landscape.loss_at(model, trained, x, 1.0, 2, 0))
    assert losses[0] != pytest.approx(losses[2])
    assert torch.equal(landscape.initial_parameters(model.cfg, 5, 0), init)  # a seed fixes the network
    assert not torch.equal(landscape.initial_parameters(model.cfg, 5, 1), init)  # each line its own network


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_no_line_starts_from_a_training_run_initialisation(setup, seed):
    """Figure 3's lines start from networks no run trains from (line 0 once started exactly at the
    trained run's own initial weights)."""
    model, _, _ = setup
    run_init = landscape.flat(DenseVAE(model.cfg, torch.Generator().manual_seed(torch_seed("initialisation", seed))))
    for index in range(3):
        assert not torch.equal(landscape.initial_parameters(model.cfg, seed, index), run_init)


def test_between_runs_the_ends_are_the_runs_own_eval_mode_scores(setup):
    """Figure 5's S_D at t = 0 and 1 equals what the metrics score: encoder means in eval mode."""
    model, _, x = setup
    a = DenseVAE(model.cfg, torch.Generator().manual_seed(1))
    b = DenseVAE(model.cfg, torch.Generator().manual_seed(2))
    for m, shift in ((a, 0.0), (b, 1.0)):  # distinct running statistics
        m.train()
        with torch.no_grad():
            m.encode(x + shift)
    fields = x.numpy()
    assert np.array_equal(landscape_between.encoder_means_between(a, b, 0.0, fields), encode(a, fields, "cpu")[0])
    assert np.array_equal(landscape_between.encoder_means_between(a, b, 1.0, fields), encode(b, fields, "cpu")[0])
    middle = landscape_between.encoder_means_between(a, b, 0.5, fields)
    assert not np.allclose(middle, encode(a, fields, "cpu")[0]) and not np.allclose(middle, encode(b, fields, "cpu")[0])


def test_running_statistics_and_parameters_are_left_alone(setup):
    """Evaluating the loss elsewhere must not move the model: figure 5 interpolates from it next."""
    model, trained, x = setup
    before = {k: v.clone() for k, v in model.state_dict().items()}
    landscape.loss_at(model, trained * 0.5, x * 5 + 3, 1.0, 1, 0)
    assert all(torch.equal(before[k], model.state_dict()[k]) for k in before)


def test_directions_are_filter_normalised(setup):
    model, trained, _ = setup
    d = landscape.filter_normalised_direction(model, trained, 3, seed=0)
    offset = 0
    transposed = landscape._transposed(model)
    for name, p in model.named_parameters():
        piece, weights = d[offset:offset + p.numel()].view_as(p), trained[offset:offset + p.numel()].view_as(p)
        offset += p.numel()
        if p.dim() < 2 or name.startswith("prior.") or name == "output_logvar":
            assert torch.all(piece == 0), name
            continue
        axis = 1 if name in transposed else 0
        dims = [i for i in range(p.dim()) if i != axis]
        norms = torch.linalg.vector_norm(piece, dim=dims), torch.linalg.vector_norm(weights, dim=dims)
        assert torch.allclose(*norms, rtol=1e-4), name
    assert offset == len(trained)


def test_directions_do_not_depend_on_chunking(setup):
    model, trained, x = setup
    alphas = [0.0, 1.0]
    whole = landscape.direction_losses(model, trained, range(0, 4), alphas, x, 1.0, 1, 0)
    chunks = [*landscape.direction_losses(model, trained, range(0, 2), alphas, x, 1.0, 1, 0),
              *landscape.direction_losses(model, trained, range(2, 4), alphas, x, 1.0, 1, 0)]
    assert whole == chunks
    assert len({r["loss"] for r in whole if r["alpha"] == 1.0}) == 4  # four different directions


def test_losses_are_clipped(setup):
    model, trained, x = setup
    assert landscape.loss_at(model, trained * 1e6, x, 1.0, 1, 0) == landscape.CLIP


def test_protocol_of_figure_3_lines_and_directions(setup):
    """The lines run from each random network (t = 0) to the trained one (t = 1); the directions
    start at the trained network (alpha = 0); chunks of directions are the same directions."""
    model, trained, x = setup
    rows = landscape.lines_from_initialisations(model, x, 1.0, points=3, inits=2, latent_samples=1, seed=4)
    assert [(r["init"], r["t"]) for r in rows] == [(i, t) for i in range(2) for t in (0.0, 0.5, 1.0)]
    at_trained = landscape.loss_at(model, trained, x, 1.0, 1, 4)
    assert all(r["loss"] == pytest.approx(at_trained) for r in rows if r["t"] == 1.0)
    assert rows[0]["loss"] == pytest.approx(landscape.loss_at(model, landscape.initial_parameters(model.cfg, 4, 0), x, 1.0, 1, 4))
    whole = landscape.lines_along_directions(model, x, 1.0, points=3, first=0, count=3, latent_samples=1, seed=4)
    chunk = landscape.lines_along_directions(model, x, 1.0, points=3, first=2, count=1, latent_samples=1, seed=4)
    assert chunk == [r for r in whole if r["direction"] == 2]
    assert all(r["loss"] == pytest.approx(at_trained) for r in whole if r["alpha"] == 0.0)
    assert torch.equal(landscape.flat(model), trained)  # evaluating leaves the model as it was


def test_protocol_of_figure_5_scores_the_ends_as_the_metrics_do(setup):
    from fieldvae.core.metrics.s_d import s_d

    model, _, x = setup
    other = DenseVAE(model.cfg, torch.Generator().manual_seed(9))
    fields = x.numpy()
    theta = np.random.default_rng(1).standard_normal((len(fields), 2))
    rows = landscape_between.line_between(model, other, x, 1.0, fields, theta, points=3, latent_samples=1, seed=0)
    assert [r["t"] for r in rows] == [0.0, 0.5, 1.0]
    assert rows[0]["s_d"] == s_d(encode(model, fields, "cpu")[0], theta)
    assert rows[-1]["s_d"] == s_d(encode(other, fields, "cpu")[0], theta)
    assert rows[-1]["loss"] == pytest.approx(landscape.loss_at(model, landscape.flat(other), x, 1.0, 1, 0))


@pytest.mark.parametrize("points, samples, message", [(1, 4, "points: expected at least 2"),
                                                      (3, 0, "samples: expected 1 to 8"), (3, 9, "samples: expected 1 to 8")])
def test_protocol_settings_are_checked(points, samples, message):
    arrays = {"fields": np.zeros((10, 3, 17, 17), np.float32), "train_index": np.arange(8)}
    with pytest.raises(ValueError, match=message):
        landscape.line_points(points)
        landscape.loss_samples(arrays, samples)
