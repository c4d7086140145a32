"""Is score A better than score B at separating an anomaly set from the normal set?

Both scores are computed on the same normal and anomalous samples, so their AUCs are correlated: a
paired bootstrap resamples the samples once per round and grades both scores on that one resample.
The interval of AUC_A - AUC_B is then far narrower than two separate intervals would suggest, and
it is the right one for the question. Randomness comes only from the Generator passed in.
"""

from __future__ import annotations

import numpy as np

from fieldvae.lj.anomaly import _auc, _scores, generator


def paired_auc_difference(normal_a, anomalous_a, normal_b, anomalous_b, rng, n_boot: int = 1000,
                          level: float = 0.95) -> dict[str, float]:
    """{'difference': AUC_A - AUC_B on the full data, 'low', 'high': its percentile bootstrap
    interval at `level`}, each round resampling the normal and the anomalous indices with
    replacement and applying the same indices to both scores."""
    normal_a, normal_b = _scores(normal_a, "normal_a"), _scores(normal_b, "normal_b")
    anomalous_a, anomalous_b = _scores(anomalous_a, "anomalous_a"), _scores(anomalous_b, "anomalous_b")
    if len(normal_a) != len(normal_b):
        raise ValueError(f"normal_b: {len(normal_b)} scores, but normal_a has {len(normal_a)} (the same samples expected)")
    if len(anomalous_a) != len(anomalous_b):
        raise ValueError(f"anomalous_b: {len(anomalous_b)} scores, but anomalous_a has {len(anomalous_a)} "
                         "(the same samples expected)")
    if n_boot < 1:
        raise ValueError(f"n_boot: expected at least 1 resample, got {n_boot}")
    if not 0 < level < 1:
        raise ValueError(f"level: expected a confidence level in (0, 1), got {level}")
    rng = generator(rng)
    differences = np.empty(n_boot)
    for b in range(n_boot):
        normal = rng.integers(0, len(normal_a), len(normal_a))
        anomalous = rng.integers(0, len(anomalous_a), len(anomalous_a))
        differences[b] = _auc(normal_a[normal], anomalous_a[anomalous]) - _auc(normal_b[normal], anomalous_b[anomalous])
    low, high = np.quantile(differences, [(1 - level) / 2, (1 + level) / 2])
    return {"difference": _auc(normal_a, anomalous_a) - _auc(normal_b, anomalous_b),
            "low": float(low), "high": float(high)}


def verdict(result: dict[str, float]) -> str:
    """'better' when the interval of AUC_A - AUC_B lies above 0, 'worse' when below, else 'equal
    within the interval'."""
    if result["low"] > 0:
        return "better"
    if result["high"] < 0:
        return "worse"
    return "equal within the interval"
