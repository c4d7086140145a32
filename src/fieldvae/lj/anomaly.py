"""The statistics that grade an anomaly score.

Scores follow one convention: higher means more anomalous. The grades are the ROC AUC (the
probability that an anomalous sample outscores a normal one, ties counting 1/2) with a bootstrap
interval, and the detection rate at a fixed false-positive rate. Randomness comes only from the
numpy Generator passed in. The anomaly sets themselves are made in `anomaly_sets`.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import rankdata

NORMAL = "held-out"  # the set every anomaly set is graded against


def generator(rng) -> np.random.Generator:
    """The Generator a function was handed, refused if it is anything else: a function takes its
    random state from its caller's named stream, never from a bare seed of its own."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng: expected a numpy Generator from fieldvae.core.streams.rng(purpose, seed, ...), "
                        f"got {rng!r}")
    return rng


def _scores(scores, name: str) -> np.ndarray:
    scores = np.asarray(scores, dtype=np.float64)
    if scores.ndim != 1 or len(scores) == 0:
        raise ValueError(f"{name}: expected a non-empty 1-D array of scores, got shape {scores.shape}")
    if not np.all(np.isfinite(scores)):
        raise ValueError(f"{name}: contains NaN or infinite values")
    return scores


def _auc(normal: np.ndarray, anomalous: np.ndarray) -> float:
    """Mann-Whitney U of the anomalous scores over the normal ones, divided by the number of pairs."""
    ranks = rankdata(np.concatenate([normal, anomalous]))  # ties share their mean rank
    n_anomalous = len(anomalous)
    u = ranks[len(normal):].sum() - n_anomalous * (n_anomalous + 1) / 2
    return float(u / (len(normal) * n_anomalous))


def roc_auc(normal_scores, anomalous_scores) -> float:
    """Probability that an anomalous sample scores above a normal one (ties count 1/2): 0.5 for a
    useless score, 1 for a perfect one."""
    return _auc(_scores(normal_scores, "normal scores"), _scores(anomalous_scores, "anomalous scores"))


def bootstrap_auc(normal_scores, anomalous_scores, rng, n_boot: int = 1000,
                  level: float = 0.95) -> tuple[float, float, float]:
    """(AUC, low, high): the ROC AUC and its percentile bootstrap interval at `level`, each group
    resampled with replacement on its own (the group sizes are fixed by design)."""
    normal = _scores(normal_scores, "normal scores")
    anomalous = _scores(anomalous_scores, "anomalous scores")
    if n_boot < 1:
        raise ValueError(f"n_boot: expected at least 1 resample, got {n_boot}")
    if not 0 < level < 1:
        raise ValueError(f"level: expected a confidence level in (0, 1), got {level}")
    rng = generator(rng)
    resampled = [_auc(rng.choice(normal, len(normal)), rng.choice(anomalous, len(anomalous)))
                 for _ in range(n_boot)]
    low, high = np.quantile(resampled, [(1 - level) / 2, (1 + level) / 2])
    return _auc(normal, anomalous), float(low), float(high)


def detection_rate(normal_scores, anomalous_scores, fpr: float = 0.05) -> float:
    """Fraction of anomalous scores above the threshold that flags a fraction `fpr` of the normal
    ones (their 1 - fpr quantile): what a detector tuned to that false-alarm rate would catch."""
    normal = _scores(normal_scores, "normal scores")
    anomalous = _scores(anomalous_scores, "anomalous scores")
    if not 0 < fpr < 1:
        raise ValueError(f"fpr: expected a false-positive rate in (0, 1), got {fpr}")
    return float(np.mean(anomalous > np.quantile(normal, 1 - fpr)))
