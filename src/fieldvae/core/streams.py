"""Named random streams: every random draw of the pipeline comes from a stream named for its purpose.

A stream is derived from (purpose, seed, key...) by `numpy.random.SeedSequence`, with the purpose
and the key in its spawn key, so two purposes never share random numbers, even where their seeds
are equal (a run with seed 1 and the dataset with seed 1, say). The key tells apart draws of one
purpose within one seed (a landscape direction's index, a Lennard-Jones sample file's name).

Runs of different experiments with the same seed share their streams on purpose: the comparison of
two priors on the same seeds is then a paired design (common random numbers).

NumPy code takes `rng(...)`, PyTorch code `torch_generator(...)`; PyTorch is imported only there, so
jobs that need no PyTorch (datasets, scores) do not pay for importing it.
"""

from __future__ import annotations

import hashlib

import numpy as np

PURPOSES = (
    "kle_basis_reference",       # the fixed vectors that choose the KLE modes' signs and degenerate bases
    "dataset_theta",             # p(theta) draws of a Darcy dataset
    "dataset_split",             # the split of a dataset read from a file (counts, not index arrays)
    "labelled_subset",           # which samples of the labelled pool a semi-supervised run sees
    "initialisation",            # Xavier initialisation of a run's network
    "minibatch_order",           # the shuffle of every epoch
    "reparameterisation",        # z = mu + sigma eps during training (and the hierarchical prior's xi)
    "objective_initialisation",  # the initial weights of an objective's own network (FactorVAE's discriminator)
    "objective_noise",           # an objective's draws in training: MMD's prior samples, FactorVAE's permutations
    "s_kl_posterior_noise",      # samples of the aggregated posterior scored by S_KL
    "s_kl_reference",            # the fresh sample of p(theta) S_KL compares with
    "s_kl_split",                # which half of the samples fits the S_KL map and which scores it
    "landscape_initialisation",  # the random networks of figure 3's lines
    "landscape_directions",      # figure 3's filter-normalised directions
    "landscape_noise",           # latent draws of every loss evaluation along a line
    "rotation_noise",            # latent draws of the rotation study (figure 10)
    "rule_calibration",          # synthetic codes of known angle that calibrate the disentangled rule
    "rule_null",                 # codes at uniform random angles: where the rule's failures sit by chance
    "verdict_simulation",        # simulated outcomes of a claim without a count model (C14), to calibrate its verdict
    "prior_samples",             # samples of a trained model's prior p(z), for figures
    "lj_configurations",         # Metropolis chains of a Lennard-Jones sample file
    "lj_uniform",                # uniformly random configurations (an anomaly set)
    "lj_split",                  # the held-out split of the Lennard-Jones training data
    "lj_initialisation",         # the distance-matrix VAE's initial weights
    "lj_minibatch_order",
    "lj_reparameterisation",
    "lj_displacement",           # the displaced-particle anomaly sets
    "lj_blackout",               # the blacked-out-block anomaly set
    "lj_bootstrap",              # bootstrap intervals of the anomaly table
    "lj_auc_comparison",         # paired bootstrap of a score against the best physics baseline
    "benchmark_inputs",          # random inputs of benchmarks/ (their cost matters, not their values)
)


def _word(item: int | str) -> int:
    """A spawn-key word: a non-negative integer as it is, a string by its hash."""
    if isinstance(item, (int, np.integer)) and not isinstance(item, bool):
        if item < 0:
            raise ValueError(f"stream keys must be non-negative integers or strings, got {item}")
        return int(item)
    if isinstance(item, str):
        return int.from_bytes(hashlib.sha256(item.encode()).digest()[:8], "little")
    raise TypeError(f"stream keys must be non-negative integers or strings, got {item!r}")


def seed_sequence(purpose: str, seed: int, *key: int | str) -> np.random.SeedSequence:
    """The seed sequence of one purpose, seed and key."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown random-stream purpose {purpose!r}; expected one of {', '.join(PURPOSES)}")
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed: expected a non-negative integer, got {seed!r}")
    return np.random.SeedSequence(int(seed), spawn_key=(_word(purpose), *map(_word, key)))


def rng(purpose: str, seed: int, *key: int | str) -> np.random.Generator:
    """A NumPy generator for one purpose."""
    return np.random.default_rng(seed_sequence(purpose, seed, *key))


def torch_seed(purpose: str, seed: int, *key: int | str) -> int:
    """A 63-bit seed for `torch.Generator().manual_seed` (on any device) for one purpose."""
    return int(seed_sequence(purpose, seed, *key).generate_state(1, np.uint64)[0] >> np.uint64(1))


def torch_generator(purpose: str, seed: int, *key: int | str, device="cpu"):
    """A `torch.Generator` on `device` for one purpose."""
    import torch

    return torch.Generator(device=device).manual_seed(torch_seed(purpose, seed, *key))
