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

from fieldvae.core.io import check_memory
from fieldvae.core.streams import rng
from fieldvae.darcy.kle import KLE
from fieldvae.darcy.solver import DarcySolver, well_source
from fieldvae.darcy.theta import sample_theta


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
