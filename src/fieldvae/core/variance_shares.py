"""How much of a score's variance the objective, its weight and the seed explain.

The question comes from the image benchmarks (Locatello et al. 2019), where the random seed and the
hyperparameters mattered more than the objective. Runs of the objectives study form a nested design:
objectives, weights within an objective, seeds within a weight. Its sums of squares split exactly,

    total = between objectives + between weights within an objective + between seeds within a weight,

and a level's share is its part of the total (eta squared). With no effect at all a level's expected
share is its degrees of freedom over N - 1 (three objectives at three weights with ten seeds each:
2/89, 6/89 and 81/89), so noise alone gives the seed nearly all of it. The intervals are the
delete-one jackknife's (Efron & Tibshirani 1993, ch. 11) over the runs, the cells held fixed: the
uncertainty that more seeds would remove. The jackknife draws nothing at random, so the same runs give
the same interval.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from scipy import stats

LEVELS = ("objective", "weight", "seed")


def shares(cells: Mapping[tuple[str, float], Sequence[float]]) -> dict[str, float]:
    """{level: share} of the scores in `cells`, keyed (objective, weight), values one score per seed."""
    objectives, values = _design(cells)
    return dict(zip(LEVELS, _shares(objectives, values)))


def intervals(cells: Mapping[tuple[str, float], Sequence[float]],
              confidence: float = 0.95) -> dict[str, tuple[float, float]]:
    """{level: (low, high)}: the share plus and minus z jackknife standard errors, each run left out
    in turn, clipped to [0, 1]."""
    objectives, values = _design(cells)
    whole = np.array(_shares(objectives, values))
    left_out = np.array([_shares(objectives, [np.delete(v, j) if c == i else v for c, v in enumerate(values)])
                         for i, v in enumerate(values) for j in range(len(v))])
    n = len(left_out)
    error = np.sqrt((n - 1) / n * ((left_out - left_out.mean(axis=0)) ** 2).sum(axis=0))
    z = stats.norm.ppf(0.5 + confidence / 2)
    return {level: (float(max(0.0, s - z * e)), float(min(1.0, s + z * e)))
            for level, s, e in zip(LEVELS, whole, error)}


def compared_with_images(objective: tuple[float, float]) -> str:
    """Whether the objective's share (its interval) is above or below the half that the seed and the
    weight share: the image benchmarks' finding is that it is below."""
    low, high = objective
    if low > 0.5:
        return ("the objective explains more than the seed and the weight together, unlike the image "
                "benchmarks, where the seed and the hyperparameters mattered more than the objective")
    if high < 0.5:
        return ("the seed and the weight explain more than the objective, as on the image benchmarks, "
                "where the seed and the hyperparameters mattered more than the objective")
    return ("these trials cannot tell whether the objective or the seed and the weight together explain "
            "more (the image benchmarks found the seed and the hyperparameters)")


def _design(cells) -> tuple[list[str], list[np.ndarray]]:
    values = [np.asarray(v, dtype=float) for v in cells.values()]
    objectives = [objective for objective, _ in cells]
    if any(len(v) < 3 or not np.all(np.isfinite(v)) for v in values):
        raise ValueError("variance shares need at least three finite scores per (objective, weight) cell (the"
                         " jackknife leaves one out)")
    if len(set(objectives)) < 2:
        raise ValueError(f"variance shares need at least two objectives, got {sorted(set(objectives))}")
    return objectives, values


def _shares(objectives: list[str], values: list[np.ndarray]) -> tuple[float, float, float]:
    counts = np.array([len(v) for v in values], dtype=float)
    means = np.array([v.mean() for v in values])
    grand = means @ counts / counts.sum()
    objective_mean = means.copy()
    for name in set(objectives):
        members = [i for i, o in enumerate(objectives) if o == name]
        objective_mean[members] = means[members] @ counts[members] / counts[members].sum()
    parts = np.array([((objective_mean - grand) ** 2) @ counts, ((means - objective_mean) ** 2) @ counts,
                      sum(((v - v.mean()) ** 2).sum() for v in values)])
    total = parts.sum()
    if total == 0:
        raise ValueError("variance shares of scores that are all equal are undefined")
    return tuple(float(p) for p in parts / total)
