"""Anomalies made on purpose, and the statistics that grade an anomaly score.

Scores follow one convention: higher means more anomalous. The grades are the ROC AUC (the
probability that an anomalous sample outscores a normal one, ties counting 1/2) with a bootstrap
interval, and the detection rate at a fixed false-positive rate. Randomness comes only from the
seed or numpy Generator passed in.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import rankdata

from fieldvae.lj.geometry import BOX, as_configurations, check_box


def _reflect_into_box(x: np.ndarray, box: float) -> np.ndarray:
    """Fold coordinates back into [0, box] as a particle bouncing off the walls would be. The fold
    fixes points of the box and never increases distances, so a step only gets shorter."""
    folded = np.mod(x, 2 * box)
    return np.where(folded > box, 2 * box - folded, folded)


def displace(positions, n_particles: int, amplitude: float, rng, box: float = BOX) -> np.ndarray:
    """Copies of the configurations (R, N, 2) in which `n_particles` randomly chosen particles of each
    moved to a uniformly random point of the disc of radius `amplitude` (box units) around where they
    were: a local defect that the rest of the configuration does not explain. Steps leaving the box
    are reflected at its walls (clipping would pile particles up on the walls, itself a giveaway)."""
    positions = as_configurations(positions).copy()
    n_configurations, n = positions.shape[:2]
    if not 1 <= n_particles <= n:
        raise ValueError(f"n_particles: expected 1 to {n} (the particles per configuration), got {n_particles}")
    if not amplitude >= 0:
        raise ValueError(f"amplitude: expected a non-negative step length, got {amplitude}")
    check_box(box)
    rng = np.random.default_rng(rng)
    chosen = np.argsort(rng.random((n_configurations, n)), axis=1)[:, :n_particles]
    length = amplitude * np.sqrt(rng.random((n_configurations, n_particles)))  # uniform over the disc
    angle = rng.uniform(0, 2 * np.pi, (n_configurations, n_particles))
    step = length[..., None] * np.stack([np.cos(angle), np.sin(angle)], axis=-1)
    rows = np.arange(n_configurations)[:, None]
    positions[rows, chosen] = _reflect_into_box(positions[rows, chosen] + step, box)
    return positions


def black_out(matrices, block: int, rng) -> np.ndarray:
    """Copies of the distance matrices (R, N, N) with one random block-by-block square set to 0 in
    each, placed anywhere (uniform top-left corner), together with its mirror image across the
    diagonal so the matrix stays symmetric: missing data rather than a different configuration."""
    matrices = np.array(matrices)
    if matrices.ndim != 3 or matrices.shape[1] != matrices.shape[2]:
        raise ValueError(f"matrices: expected shape (configurations, N, N), got {matrices.shape}")
    n = matrices.shape[1]
    if not 1 <= block <= n:
        raise ValueError(f"block: expected a side of 1 to {n}, got {block}")
    corners = np.random.default_rng(rng).integers(0, n - block + 1, size=(len(matrices), 2))
    for matrix, (i, j) in zip(matrices, corners):
        matrix[i:i + block, j:j + block] = 0
        matrix[j:j + block, i:i + block] = 0
    return matrices


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


def roc_curve(normal_scores, anomalous_scores) -> tuple[np.ndarray, np.ndarray]:
    """(false-positive rates, true-positive rates) of flagging every score >= t, for each distinct
    score t from the highest down, starting at (0, 0) and ending at (1, 1). Its trapezoidal area is
    the ROC AUC."""
    normal = np.sort(_scores(normal_scores, "normal scores"))
    anomalous = np.sort(_scores(anomalous_scores, "anomalous scores"))
    thresholds = np.unique(np.concatenate([normal, anomalous]))[::-1]
    fpr = 1 - np.searchsorted(normal, thresholds) / len(normal)
    tpr = 1 - np.searchsorted(anomalous, thresholds) / len(anomalous)
    return np.concatenate([[0.0], fpr]), np.concatenate([[0.0], tpr])


def bootstrap_auc(normal_scores, anomalous_scores, n_boot: int = 1000, seed=0,
                  level: float = 0.95) -> tuple[float, float, float]:
    """(AUC, low, high): the ROC AUC and its percentile bootstrap interval at `level`, each group
    resampled with replacement on its own (the group sizes are fixed by design)."""
    normal = _scores(normal_scores, "normal scores")
    anomalous = _scores(anomalous_scores, "anomalous scores")
    if n_boot < 1:
        raise ValueError(f"n_boot: expected at least 1 resample, got {n_boot}")
    if not 0 < level < 1:
        raise ValueError(f"level: expected a confidence level in (0, 1), got {level}")
    rng = np.random.default_rng(seed)
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
