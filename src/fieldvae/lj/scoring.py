"""Anomaly scores of the distance-matrix VAE next to physics baselines, and the anomaly table.

Every score is computed from distance matrices, so every anomaly set (including blacked-out
matrices, which have no coordinates) is scored the same way. Higher is more anomalous for all:
- `reconstruction`: mean squared error of decoding the encoder mean (deterministic), one-sided;
- `reconstruction_two_sided`: its |x - median| / MAD against the training matrices' errors, so a
  matrix that is too easy to reconstruct counts as unusual too;
- `negative_elbo`: the training objective per matrix (reconstruction plus the weighted KL);
- `latent_knn`, `latent_density`: how far the encoder mean lies from the training matrices' means
  (distance to the KNN-th nearest; minus the log density of their aggregated posterior);
- `mds_residual`: how far the matrix is from any configuration in the plane (no model needed);
- the physics baselines `energy` (the Lennard-Jones pair energy, cut at 3 sigma; distances below
  0.5 sigma count as 0.5, which keeps blacked-out blocks finite) and `min_distance` (the smallest
  pair distance), each two-sided as |x - median| / MAD of the training set.
The normal set is the model's held-out test set. Every score but the baselines is judged against the
better baseline of each set by a paired bootstrap of the AUC difference (`lj.auc_comparison`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from sklearn.linear_model import LinearRegression

from fieldvae.core.io import atomic_path
from fieldvae.core.stats import wilson
from fieldvae.core.streams import rng
from fieldvae.lj.anomaly import bootstrap_auc, detection_rate
from fieldvae.lj.auc_comparison import paired_auc_difference, verdict
from fieldvae.lj.model import DistanceVAE
from fieldvae.lj.sampler import pair_energy as lj_pair_energy
from fieldvae.lj.scores.latent_density import (aggregate_posterior_nll,
                                               knn_distance)
from fieldvae.lj.scores.mds_residual import mds_residual
from fieldvae.lj.scores.negative_elbo import negative_elbo

BASELINES = ("energy", "min_distance")
SCORES = ("reconstruction", "reconstruction_two_sided", "negative_elbo", "latent_knn", "latent_density",
          "mds_residual", *BASELINES)
KNN = 5  # neighbours of the latent k-NN distance
CONTROL_PREFIX = "control"  # the set that must not be flagged


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


@torch.no_grad()
def encoded(model: DistanceVAE, matrices: np.ndarray, device="cpu", batch_size: int = 512) -> dict[str, np.ndarray]:
    """Encoder means and log-variances, and the deterministic reconstruction error, of each matrix."""
    model.eval()
    x = torch.from_numpy(np.asarray(matrices, dtype=np.float32)).to(device)
    parts = {"mean": [], "log_var": [], "error": []}
    for batch in x.split(batch_size):
        mean, log_var = model.encode(batch)
        parts["mean"].append(mean)
        parts["log_var"].append(log_var)
        parts["error"].append(torch.mean((model.decode(mean) - batch) ** 2, dim=(1, 2)))
    return {k: torch.cat(v).cpu().numpy().astype(float) for k, v in parts.items()}


@dataclass
class Reference:
    """The training matrices as every score sees them: their codes and errors, energies and minimum
    distances."""

    codes: dict[str, np.ndarray]
    energy: np.ndarray
    min_distance: np.ndarray

    @classmethod
    def of(cls, model: DistanceVAE, matrices: np.ndarray, box: float) -> Reference:
        return cls(encoded(model, matrices), pair_energy(matrices, box), min_distance(matrices, box))


def score_matrices(model: DistanceVAE, matrices: np.ndarray, reference: Reference, box: float,
                   kl_weight: float) -> dict[str, np.ndarray]:
    """Every score of a set of matrices, against the training matrices in `reference`."""
    codes, train = encoded(model, matrices), reference.codes
    return {
        "reconstruction": codes["error"],
        "reconstruction_two_sided": robust_deviation(codes["error"], train["error"]),
        "negative_elbo": negative_elbo(codes["error"], codes["mean"], codes["log_var"], kl_weight),
        "latent_knn": knn_distance(train["mean"], codes["mean"], KNN),
        "latent_density": aggregate_posterior_nll(codes["mean"], train["mean"], train["log_var"]),
        "mds_residual": mds_residual(matrices),
        "energy": robust_deviation(pair_energy(matrices, box), reference.energy),
        "min_distance": robust_deviation(min_distance(matrices, box), reference.min_distance),
    }


def gamma_r2(train_latents, train_gamma, test_latents, test_gamma) -> float:
    """How well gamma can be read off the latent means: R^2 of a linear regression on held-out data."""
    fit = LinearRegression().fit(train_latents, train_gamma)
    return float(fit.score(test_latents, test_gamma))


def score_sets(model: DistanceVAE, sets: dict[str, np.ndarray], train: np.ndarray, box: float,
               kl_weight: float) -> dict[str, np.ndarray]:
    """Every score of every set, keyed `set|score` (the arrays of a scores file)."""
    reference = Reference.of(model, train, box)
    return {f"{name}|{score}": values for name, matrices in sets.items()
            for score, values in score_matrices(model, matrices, reference, box, kl_weight).items()}


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
    train_latents, test_latents = encoded(model, train)["mean"], encoded(model, test)["mean"]
    r2 = gamma_r2(train_latents, train_gamma, test_latents, test_gamma)
    return {"train_latents": train_latents, "test_latents": test_latents, "train_gamma": train_gamma,
            "test_gamma": test_gamma, "gamma_r2": np.array(r2)}


def anomaly_table(scores: dict[str, dict[str, dict[str, np.ndarray]]], normal: str, seed: int,
                  n_boot: int = 1000) -> list[dict]:
    """One row per protocol and anomaly set, from {protocol: {set: {score: values}}}: for every score
    the ROC AUC (95% bootstrap interval) and the detection rate at 5% false positives (95% Wilson
    interval), each against the normal set's scores; for every score but the baselines, the paired
    bootstrap interval of its AUC minus that of the set's better baseline, and the verdict."""
    rows = []
    for protocol, sets in scores.items():
        for name, set_scores in sets.items():
            if name == normal:
                continue
            n = len(set_scores["reconstruction"])
            row = {"protocol": protocol, "set": name, "n": n}
            for score in SCORES:
                auc, low, high = bootstrap_auc(sets[normal][score], set_scores[score],
                                               rng("lj_bootstrap", seed, protocol, name, score), n_boot=n_boot)
                detected = detection_rate(sets[normal][score], set_scores[score], 0.05)
                detected_low, detected_high = wilson(round(detected * n), n)
                row.update({f"{score}_auc": auc, f"{score}_auc_low": low, f"{score}_auc_high": high,
                            f"{score}_detected_at_5pct": detected, f"{score}_detected_low": detected_low,
                            f"{score}_detected_high": detected_high})
            best = max(BASELINES, key=lambda b: row[f"{b}_auc"])
            row["best_baseline"] = best
            for score in SCORES:
                if score in BASELINES:
                    continue
                test = paired_auc_difference(sets[normal][score], set_scores[score], sets[normal][best],
                                             set_scores[best], rng("lj_auc_comparison", seed, protocol, name, score),
                                             n_boot=n_boot)
                row.update({f"{score}_vs_baseline_low": test["low"], f"{score}_vs_baseline_high": test["high"],
                            f"{score}_verdict": verdict(test)})
            rows.append(row)
    return rows


def detectors(rows: list[dict]) -> dict[str, dict]:
    """Per protocol, the study's detector: of the scores that are not physics baselines and do not
    flag the control set (its AUC interval reaches down to 0.5), the one with the highest median AUC
    over the other sets; None where every such score flags the control set."""
    out = {}
    for protocol in dict.fromkeys(r["protocol"] for r in rows):
        mine = [r for r in rows if r["protocol"] == protocol]
        control = [r for r in mine if r["set"].startswith(CONTROL_PREFIX)]
        anomalies = [r for r in mine if not r["set"].startswith(CONTROL_PREFIX)]
        quiet = [s for s in SCORES if s not in BASELINES and all(r[f"{s}_auc_low"] <= 0.5 for r in control)]
        medians = {s: float(np.median([r[f"{s}_auc"] for r in anomalies])) for s in quiet}
        best = max(medians, key=medians.get) if medians else None
        flagged = [s for s in SCORES if any(r[f"{s}_auc_low"] > 0.5 for r in control)]
        out[protocol] = {"detector": best, "median_auc": medians.get(best), "flag_control": flagged}
    return out


def write_markdown(path, rows: list[dict], r2: dict[str, float], claim_lines: list[str]) -> None:
    """The anomaly table as markdown: the study's claims (claim_lines, fieldvae.lj.claims.markdown),
    then one section per protocol: per set and score the AUC with its interval and, for the VAE's
    scores, the verdict against the better physics baseline; then the detection rates; and the
    latent-gamma R^2 of each protocol's model."""
    lines = ["# Lennard-Jones anomaly detection", "",
             "ROC AUC against the held-out test set with its 95% bootstrap interval, for every score (higher: more "
             "anomalous; AUC 0.5: not distinguishable). For the scores that are not physics baselines, the verdict "
             "against the set's better baseline (energy, min_distance): `better` or `worse` where the 95% paired "
             "bootstrap interval of the AUC difference excludes 0, else `equal`. The control set (an unseen gamma inside "
             "the training range) should not be flagged: a score whose control AUC interval lies above 0.5 is not "
             "used as a detector. Below each table, the fraction detected at 5% false positives (95% Wilson interval).",
             "", *claim_lines]
    for protocol, chosen in detectors(rows).items():
        mine = [r for r in rows if r["protocol"] == protocol]
        lines += [f"## Protocol `{protocol}`", "",
                  f"gamma read off the latent means (linear regression, held-out R^2): {r2[protocol]:.3f}. "
                  f"Scores that flag the control set: {', '.join(chosen['flag_control']) or 'none'}. "
                  + (f"The detector (of the scores that are not baselines and do not flag it, the highest median AUC): "
                     f"**{chosen['detector']}** "
                     f"(median AUC {chosen['median_auc']:.3f})." if chosen["detector"] else "No score qualifies."), "",
                  "| set | n | " + " | ".join(SCORES) + " |", "|---|---|" + "---|" * len(SCORES)]
        for row in mine:
            cells = [f"{row[f'{s}_auc']:.3f} [{row[f'{s}_auc_low']:.3f}, {row[f'{s}_auc_high']:.3f}]"
                     + (f" {_short(row[f'{s}_verdict'])}" if f"{s}_verdict" in row else "") for s in SCORES]
            lines.append(f"| {row['set']} | {row['n']} | " + " | ".join(cells) + " |")
        lines += ["", "| set | " + " | ".join(f"{s} @5% FP" for s in SCORES) + " |", "|---|" + "---|" * len(SCORES)]
        for row in mine:
            cells = [f"{row[f'{s}_detected_at_5pct']:.2f} [{row[f'{s}_detected_low']:.2f}, "
                     f"{row[f'{s}_detected_high']:.2f}]" for s in SCORES]
            lines.append(f"| {row['set']} | " + " | ".join(cells) + " |")
        lines.append("")
    with atomic_path(path) as tmp:
        tmp.write_text("\n".join(lines))


def _short(verdict_text: str) -> str:
    return "equal" if verdict_text.startswith("equal") else verdict_text
