"""How much of a score's variance the objective, its weight and the seed explain.

The question comes from the image benchmarks (Locatello et al. 2019), where the random seed and the
hyperparameters mattered more than the objective. Runs of the objectives study form a nested design:
objectives, weights within an objective, seeds within a weight. Its sums of squares split exactly,

    total = between objectives + between weights within an objective + between seeds within a weight,

and a level's share is its part of the total (eta squared). Seed noise alone puts a level's degrees
of freedom times the seeds' mean square into its sum (E = df sigma^2: 2/89 of the total for three
objectives with no effect at three weights of ten seeds), so each level's sum is corrected by that
much, at least to zero, and the seed keeps it (as omega squared corrects eta squared). The intervals
are the delete-one jackknife's (Efron & Tibshirani 1993, ch. 11) over the runs, the cells held fixed:
the uncertainty that more seeds would remove. The jackknife draws nothing at random, so the same runs
give the same interval.

The verdict against the image benchmarks asks on which side of one half the objective's share lies,
from a 97.5% interval: on simulated studies of this design the jackknife's 95% interval undercovers a
little, and at a true share of one half it read "unlike" in 4 to 6% of studies; at 97.5% that is about
2% (tests/test_variance_shares.py). Where the seed dominates, that verdict does not say whether the
objective or its weight matters more; the nested F test of objective over weight does (is the spread
between the objectives larger than that between the weights of one objective?).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from scipy import stats

LEVELS = ("objective", "weight", "seed")
CONFIDENCE = 0.975  # of the intervals the verdict reads (see above)


def shares(cells: Mapping[tuple[str, float], Sequence[float]]) -> dict[str, float]:
    """{level: share} of the scores in `cells`, keyed (objective, weight), values one score per seed."""
    objectives, values = _design(cells)
    return dict(zip(LEVELS, _shares(objectives, values)))


def intervals(cells: Mapping[tuple[str, float], Sequence[float]],
              confidence: float = CONFIDENCE) -> dict[str, tuple[float, float]]:
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
        return ("the objective explains less than the seed and the weight together, as on the image benchmarks, "
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


def objective_test(cells: Mapping[tuple[str, float], Sequence[float]]) -> float | None:
    """p of the nested F test that the objectives differ by more than their weights do: the mean
    square between objectives over the mean square between weights within an objective, the weights
    taken as drawn at random within each objective (Montgomery, Design and Analysis of Experiments,
    ch. 14). None with one weight per objective (no weight variation to compare with)."""
    objectives, values = _design(cells)
    between_objectives, between_weights, _ = _sums(objectives, values)
    df_objective, df_weight = len(set(objectives)) - 1, len(values) - len(set(objectives))
    if df_weight == 0:
        return None
    if between_weights == 0:
        return 0.0 if between_objectives > 0 else 1.0
    ratio = (between_objectives / df_objective) / (between_weights / df_weight)
    return float(stats.f.sf(ratio, df_objective, df_weight))


def _sums(objectives: list[str], values: list[np.ndarray]) -> tuple[float, float, float]:
    """The nested design's sums of squares: between objectives, between weights within an objective,
    between seeds within a weight."""
    counts = np.array([len(v) for v in values], dtype=float)
    means = np.array([v.mean() for v in values])
    grand = means @ counts / counts.sum()
    objective_mean = means.copy()
    for name in set(objectives):
        members = [i for i, o in enumerate(objectives) if o == name]
        objective_mean[members] = means[members] @ counts[members] / counts[members].sum()
    return (float(((objective_mean - grand) ** 2) @ counts), float(((means - objective_mean) ** 2) @ counts),
            float(sum(((v - v.mean()) ** 2).sum() for v in values)))


def _shares(objectives: list[str], values: list[np.ndarray]) -> tuple[float, float, float]:
    between_objectives, between_weights, seed = _sums(objectives, values)
    total = between_objectives + between_weights + seed
    if total == 0:
        raise ValueError("variance shares of scores that are all equal are undefined")
    noise = seed / (sum(map(len, values)) - len(values))  # the seeds' mean square
    objective = max(0.0, between_objectives - (len(set(objectives)) - 1) * noise)
    weight = max(0.0, between_weights - (len(values) - len(set(objectives))) * noise)
    return objective / total, weight / total, 1 - (objective + weight) / total
