"""Darcy datasets: theta ~ p(theta), log K from the KLE, fields (p, u_x, u_y) from the solver.

Samples are drawn in one shuffled sequence and split by position: the first n_train are the
training set (so every smaller training set is a prefix of it), the next n_test the test set, and
the last n_labelled a separate pool from which semi-supervised runs draw labels (never the test set).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass

import numpy as np

from fieldvae.core.io import check_memory, load_arrays, require_keys
from fieldvae.core.streams import rng
from fieldvae.darcy.kle import KLE
from fieldvae.darcy.solver import DarcySolver, well_source
from fieldvae.darcy.theta import sample_theta

CHANNELS = ("p", "u_x", "u_y")


@dataclass(frozen=True)
class Split:
    n_train: int
    n_test: int
    n_labelled: int

    def __post_init__(self):
        for name in ("n_train", "n_test", "n_labelled"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")
        if self.n_train < 1 or self.n_test < 1:
            raise ValueError("a dataset needs at least one training and one test sample")

    @property
    def total(self) -> int:
        return self.n_train + self.n_test + self.n_labelled

    def indices(self) -> dict[str, np.ndarray]:
        bounds = np.cumsum([0, self.n_train, self.n_test, self.n_labelled])
        names = ("train_index", "test_index", "labelled_index")
        return {name: np.arange(bounds[i], bounds[i + 1]) for i, name in enumerate(names)}


def generate(
    kle: KLE,
    theta_distribution: str,
    split: Split,
    seed: int,
    source_strength: float = 10.0,
    well_width: float = 0.125,
    log=sys.stderr,
) -> dict[str, np.ndarray]:
    """All arrays of one dataset: fields (m, 3, n, n) float32, theta (m, s), log_k (m, n, n) float32,
    and the split indices. Progress goes to `log`."""
    check_memory(4 * 4 * split.total * kle.grid**2, f"a dataset of {split.total} samples on the {kle.grid} x {kle.grid} grid")
    theta = sample_theta(theta_distribution, split.total, kle.terms, rng("dataset_theta", seed))
    log_k = kle.log_permeability(theta)
    solver = DarcySolver(kle.grid)
    f = well_source(kle.grid, source_strength, well_width)
    fields = np.empty((split.total, 3, kle.grid, kle.grid), dtype=np.float32)
    progress = Progress(split.total, log)
    for i, lk in enumerate(log_k):
        fields[i] = solver.solve(np.exp(lk), f)
        progress.update(i + 1)
    return {"fields": fields, "theta": theta, "log_k": log_k.astype(np.float32), **split.indices()}


class Progress:
    """Prints done/total, rate and time left about every `every` seconds, and once at the end."""

    def __init__(self, total: int, log, every: float = 5.0, what: str = "samples"):
        self.total, self.log, self.every, self.what = total, log, every, what
        self.start = self.last = time.perf_counter()

    def update(self, done: int) -> None:
        now = time.perf_counter()
        if now - self.last < self.every and done < self.total:
            return
        self.last = now
        rate = done / max(now - self.start, 1e-9)
        eta = (self.total - done) / rate
        print(f"{done}/{self.total} {self.what}, {rate:.1f} {self.what}/s, {eta:.0f} s left", file=self.log, flush=True)


KEYS = ("fields", "theta", "train_index", "test_index", "labelled_index")
SPLITS = ("train_index", "test_index", "labelled_index")  # disjoint: labels never come from the test set


def load_dataset(path) -> tuple[dict[str, np.ndarray], dict]:
    """Arrays and provenance of a dataset file, checked as `generate` (Darcy: with log_k) or
    `fieldvae.core.field_file.import_fields` (a user's file: any channels and size, theta possibly (N, 0),
    with channel_mean, channel_std and factor_names) write them, so every command that reads a dataset
    refuses a damaged or foreign one the same way, naming the file and the key."""
    arrays, prov = load_arrays(path)
    require_keys(path, arrays, KEYS, "a dataset file")
    fields, theta = arrays["fields"], arrays["theta"]
    _expect(path, "fields", fields.ndim == 4, f"shape {fields.shape}", "(N, C, H, W): samples, channels, rows, columns")
    n, channels, height, width = fields.shape
    _expect(path, "fields", min(fields.shape) > 0, f"shape {fields.shape}", "at least one sample, channel, row and column")
    _expect(path, "theta", theta.ndim == 2 and len(theta) == n, f"shape {theta.shape}", f"({n}, s): a row per sample")
    shapes = {"log_k": (n, height, width), "channel_mean": (channels,), "channel_std": (channels,),
              "factor_names": (theta.shape[1],), "channel_names": (channels,)}
    for key, shape in shapes.items():
        if key in arrays:
            _expect(path, key, arrays[key].shape == shape, f"shape {arrays[key].shape}", str(shape))
    _expect(path, "fields", fields.dtype == np.float32, f"dtype {fields.dtype}", "float32, as the model takes it")
    numbers = [k for k in ("theta", "log_k", "channel_mean", "channel_std") if k in arrays]
    for key in numbers:
        _expect(path, key, np.issubdtype(arrays[key].dtype, np.floating), f"dtype {arrays[key].dtype}", "floating point")
    for key in ("fields", *numbers):
        bad = np.count_nonzero(~np.isfinite(arrays[key]))
        _expect(path, key, bad == 0, f"non-finite values ({bad} of {arrays[key].size})", "finite values")
    for key in SPLITS:
        index = arrays[key]
        _expect(path, key, index.ndim == 1 and np.issubdtype(index.dtype, np.integer),
                f"dtype {index.dtype}, shape {index.shape}", "a 1-d integer array")
        outside = index[(index < 0) | (index >= n)]
        _expect(path, key, outside.size == 0, f"indices out of range: {outside[:5].tolist()}", f"indices in [0, {n})")
        values, counts = np.unique(index, return_counts=True)
        _expect(path, key, counts.max(initial=1) == 1, f"samples listed more than once: {values[counts > 1][:5].tolist()}",
                "each sample once")
    for key in ("train_index", "test_index"):
        _expect(path, key, arrays[key].size > 0, "no samples", "at least one sample")
    for i, a in enumerate(SPLITS):
        for b in SPLITS[i + 1:]:
            shared = np.intersect1d(arrays[a], arrays[b])
            _expect(path, a, shared.size == 0, f"{shared.size} sample(s) also in {b}: {shared[:5].tolist()}",
                    f"no sample in two of {', '.join(SPLITS)}")
    return arrays, prov


def _expect(path, key: str, ok: bool, found: str, expected: str) -> None:
    if not ok:
        raise ValueError(f"{path}: key {key!r} has {found}; expected {expected}")


def names(arrays: dict) -> tuple[list[str], list[str]]:
    """Names of the channels and of the factors: a file dataset's own, else Darcy's."""
    channels = arrays["channel_names"].tolist() if "channel_names" in arrays else list(CHANNELS)
    factors = (arrays["factor_names"].tolist() if "factor_names" in arrays
               else [f"theta_{j + 1}" for j in range(arrays["theta"].shape[1])])
    return channels, factors


def held_out_set(arrays: dict) -> tuple[np.ndarray, np.ndarray]:
    """The held-out test samples: fields (n, C, H, W) and their factors theta (n, s), which every
    score of a trained model is taken on."""
    test = arrays["test_index"]
    return arrays["fields"][test], arrays["theta"][test]
