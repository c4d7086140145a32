"""Anomaly scores of the distance-matrix VAE next to physics baselines, and the anomaly table.

Every score is computed from distance matrices, so every anomaly set (including blacked-out
matrices, which have no coordinates) is scored the same way:
- `reconstruction`: mean squared error of decoding the encoder mean (deterministic);
- `energy`: the Lennard-Jones pair energy (cut at 3 sigma; distances below 0.5 sigma count as 0.5,
  which keeps blacked-out blocks finite), scored two-sided as |E - median| / MAD of the training set;
- `min_distance`: the smallest pair distance, scored the same two-sided way.
Higher is more anomalous for all three. The normal set is the model's held-out test set.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.linear_model import LinearRegression

from fieldvae.core.io import atomic_path
from fieldvae.core.stats import wilson
from fieldvae.core.streams import rng
from fieldvae.lj.anomaly import bootstrap_auc, detection_rate
from fieldvae.lj.model import DistanceVAE, reconstruction_error
from fieldvae.lj.sampler import pair_energy as lj_pair_energy

SCORES = ("reconstruction", "energy", "min_distance")


def _pair_distances(matrices: np.ndarray, box: float) -> np.ndarray:
    """(configurations, pairs) distances in box units from normalised distance matrices."""
    i, j = np.triu_indices(matrices.shape[-1], 1)
    return matrices[:, i, j].astype(float) * box * np.sqrt(2)


def pair_energy(matrices: np.ndarray, box: float, cutoff: float = 3.0) -> np.ndarray:
    """Lennard-Jones energy of the pairs of each normalised distance matrix (gravity left out)."""
    r = np.maximum(_pair_distances(matrices, box), 0.5)
    return lj_pair_energy("lj", r ** 2, cutoff).sum(axis=1)


def min_distance(matrices: np.ndarray, box: float) -> np.ndarray:
    return _pair_distances(matrices, box).min(axis=1)


def robust_deviation(values: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """|x - median| / MAD of a reference sample: a two-sided 'how unusual' score."""
    median = np.median(reference)
    mad = np.median(np.abs(reference - median)) or 1.0
    return np.abs(values - median) / mad


def score_matrices(model: DistanceVAE, matrices: np.ndarray, reference: np.ndarray, box: float,
                   device="cpu") -> dict[str, np.ndarray]:
    """All scores of a set of matrices; `reference` (training matrices) centres the baselines."""
    x = torch.from_numpy(np.asarray(matrices, dtype=np.float32)).to(device)
    return {
        "reconstruction": reconstruction_error(model, x).cpu().numpy().astype(float),
        "energy": robust_deviation(pair_energy(matrices, box), pair_energy(reference, box)),
        "min_distance": robust_deviation(min_distance(matrices, box), min_distance(reference, box)),
    }


@torch.no_grad()
def latent_means(model: DistanceVAE, matrices: np.ndarray, device="cpu", batch_size: int = 512) -> np.ndarray:
    x = torch.from_numpy(np.asarray(matrices, dtype=np.float32)).to(device)
    return torch.cat([model.encode(b)[0] for b in x.split(batch_size)]).cpu().numpy()


def gamma_r2(train_latents, train_gamma, test_latents, test_gamma) -> float:
    """How well gamma can be read off the latent means: R^2 of a linear regression on held-out data."""
    fit = LinearRegression().fit(train_latents, train_gamma)
    return float(fit.score(test_latents, test_gamma))


def score_sets(model: DistanceVAE, sets: dict[str, np.ndarray], reference: np.ndarray, box: float) -> dict[str, np.ndarray]:
    """Every score of every set, keyed `set|score` (the arrays of a scores file)."""
    return {f"{name}|{score}": values for name, matrices in sets.items()
            for score, values in score_matrices(model, matrices, reference, box).items()}


def sets_of(arrays: dict) -> dict[str, dict[str, np.ndarray]]:
    """{set: {score: values}} from a scores file's arrays."""
    sets: dict[str, dict[str, np.ndarray]] = {}
    for key, values in arrays.items():
        name, sep, score = key.partition("|")
        if sep:
            sets.setdefault(name, {})[score] = values
    return sets


def latent_summary(model: DistanceVAE, train: np.ndarray, test: np.ndarray, train_gamma: np.ndarray,
                   test_gamma: np.ndarray) -> dict[str, np.ndarray]:
    """Latent means of the training and held-out matrices with their gammas, and how well gamma is
    read off them (held-out R^2)."""
    train_latents, test_latents = latent_means(model, train), latent_means(model, test)
    r2 = gamma_r2(train_latents, train_gamma, test_latents, test_gamma)
    return {"train_latents": train_latents, "test_latents": test_latents, "train_gamma": train_gamma,
            "test_gamma": test_gamma, "gamma_r2": np.array(r2)}


def anomaly_table(scores: dict[str, dict[str, np.ndarray]], normal: str, seed: int,
                  n_boot: int = 1000) -> list[dict]:
    """One row per anomaly set: ROC AUC (95% bootstrap interval) and detection rate at 5% false
    positives of every score, each against the normal set's scores."""
    rows = []
    for name, set_scores in scores.items():
        if name == normal:
            continue
        n = len(set_scores["reconstruction"])
        row = {"set": name, "n": n}
        for score in SCORES:
            auc, low, high = bootstrap_auc(scores[normal][score], set_scores[score], n_boot=n_boot,
                                           seed=rng("lj_bootstrap", seed, name, score))
            detected = detection_rate(scores[normal][score], set_scores[score], 0.05)
            detected_low, detected_high = wilson(round(detected * n), n)
            row.update({f"{score}_auc": auc, f"{score}_auc_low": low, f"{score}_auc_high": high,
                        f"{score}_detected_at_5pct": detected, f"{score}_detected_low": detected_low,
                        f"{score}_detected_high": detected_high})
        rows.append(row)
    return rows


def write_markdown(path, rows: list[dict], r2: float) -> None:
    """The anomaly table as markdown, with what each column means and the latent-gamma R^2."""
    lines = ["# Lennard-Jones anomaly detection", "",
             "ROC AUC against the held-out test set (95% bootstrap interval) and the fraction detected at 5% "
             "false positives (95% Wilson interval), for the VAE's reconstruction error and two physics baselines. AUC 0.5: not "
             "distinguishable; the control set (an unseen gamma inside the training range) should stay near 0.5.",
             "", f"gamma read off the latent means (linear regression, held-out R^2): {r2:.3f}", "",
             "| set | n | " + " | ".join(f"{s} AUC | {s} @5% FP" for s in SCORES) + " |",
             "|---|---|" + "---|---|" * len(SCORES)]
    for row in rows:
        cells = [f"{row[f'{s}_auc']:.3f} [{row[f'{s}_auc_low']:.3f}, {row[f'{s}_auc_high']:.3f}] | "
                 f"{row[f'{s}_detected_at_5pct']:.2f} [{row[f'{s}_detected_low']:.2f}, {row[f'{s}_detected_high']:.2f}]"
                 for s in SCORES]
        lines.append(f"| {row['set']} | {row['n']} | " + " | ".join(cells) + " |")
    with atomic_path(path) as tmp:
        tmp.write_text("\n".join(lines) + "\n")
