"""Random streams: one per purpose, never shared, a seed fixes each; S_KL no longer scores a run
against a copy of its own noise."""

import re
from functools import partial

import numpy as np
import pytest
import yaml
from conftest import REPO

from fieldvae.core import streams
from fieldvae.darcy.dataset import Split, generate
from fieldvae.darcy.kle import compute_kle
from fieldvae.darcy.theta import sample_theta
from fieldvae.vae.evaluate import evaluate


def first_draws(purpose, seed, *key):
    return tuple(streams.rng(purpose, seed, *key).integers(0, 2**63, 4))


def test_streams_of_all_purposes_seeds_and_dataset_seeds_are_pairwise_different():
    config = yaml.safe_load((REPO / "config.yaml").read_text())
    seeds = sorted(set(range(16)) | {d["seed"] for d in config["datasets"].values()} | {config["lj"]["seed"]})
    draws = {(p, s): first_draws(p, s) for p in streams.PURPOSES for s in seeds}
    assert len(set(draws.values())) == len(draws)
    torch_seeds = {(p, s): streams.torch_seed(p, s) for p in streams.PURPOSES for s in seeds}
    assert len(set(torch_seeds.values())) == len(torch_seeds) and all(0 <= v < 2**63 for v in torch_seeds.values())


def test_keys_tell_draws_of_one_purpose_apart_and_a_seed_fixes_a_stream():
    keyed = [first_draws("landscape_directions", 0, k) for k in range(50)]
    assert len(set(keyed)) == 50
    assert first_draws("lj_configurations", 1, "lj", "gamma0.4") != first_draws("lj_configurations", 1, "lj", "gamma0.7")
    assert first_draws("s_kl_reference", 3) == first_draws("s_kl_reference", 3)


def test_bad_purposes_and_seeds_are_refused():
    with pytest.raises(ValueError, match="unknown random-stream purpose 'noise'"):
        streams.rng("noise", 0)
    with pytest.raises(ValueError, match="seed: expected a non-negative integer"):
        streams.rng("initialisation", -1)
    with pytest.raises(TypeError, match="stream keys"):
        streams.rng("initialisation", 0, 1.5)


@pytest.fixture(scope="module")
def standard_theta():
    """The test and training theta of the `standard` dataset (seed 1), as the pipeline draws them."""
    arrays = generate(compute_kle(9, 2), "standard", Split(512, 512, 0), seed=1, log=open("/dev/null", "w"))
    return arrays["theta"][arrays["train_index"]], arrays["theta"][arrays["test_index"]]


@pytest.mark.parametrize("seed", range(16))
def test_a_collapsed_posterior_scores_an_honest_s_kl_for_every_seed(standard_theta, seed):
    """mu = 0, sigma = 1: q(z) = N(0, I) = p(theta) of the standard data, S_KL about 0 and never far
    below. Scoring used to draw the posterior noise with the run's seed from the very stream that
    drew the dataset's theta, so seed 1 compared the samples with a copy of themselves (-2.4 to -4.2)."""
    train, test = standard_theta
    latents = {"mu_test": np.zeros((512, 2)), "logvar_test": np.zeros((512, 2)), "theta_test": test,
               "mu_train": np.zeros((512, 2)), "theta_train": train}
    history = {k: np.full(20, 0.0) for k in ("rate", "distortion", "loss", "nll_per_pixel", "label_nll")}
    scores = evaluate(latents, history, seed, partial(sample_theta, "standard"))
    assert scores["s_kl"] is not None and scores["s_kl"] >= -0.3
    assert scores["over_regularised"] and not scores["disentangled"]


def test_torch_generators_draw_from_the_named_stream():
    import torch

    a = torch.randn(4, generator=streams.torch_generator("reparameterisation", 3))
    b = torch.randn(4, generator=torch.Generator().manual_seed(streams.torch_seed("reparameterisation", 3)))
    c = torch.randn(4, generator=streams.torch_generator("minibatch_order", 3))
    assert torch.equal(a, b) and not torch.equal(a, c)


UNNAMED = re.compile(r"np\.random\.(default_rng|seed|rand\w*|normal|uniform|choice|permutation)\(|torch\.(manual_seed|seed)\("
                     r"|torch\.cuda\.manual_seed|torch\.Generator\(|\brandom\.(seed|random|uniform|randint|choice|shuffle|gauss)\("
                     r"|\brandom\.Random\((?!int\(stream\()")
DRAWS = re.compile(r"torch\.(randn|rand|randint|randperm|normal|bernoulli|multinomial)\(")


def test_every_random_draw_of_the_package_and_benchmarks_names_its_stream():
    """No seeding or generator outside core/streams.py, and no PyTorch draw from the global generator:
    a draw without generator= would move with whatever drew before it."""
    problems = []
    for path in sorted([*(REPO / "src/fieldvae").rglob("*.py"), *(REPO / "benchmarks").rglob("*.py")]):
        if path.name == "streams.py":
            continue
        text = path.read_text()
        for match in [*UNNAMED.finditer(text), *DRAWS.finditer(text)]:
            call = text[match.start():text.find(")\n", match.start()) + 1]
            if match.re is DRAWS and "generator=" in call:
                continue
            problems.append(f"{path.relative_to(REPO)}:{text.count(chr(10), 0, match.start()) + 1}: {match.group()}")
    assert problems == []
