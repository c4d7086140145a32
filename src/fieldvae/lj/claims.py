"""The Lennard-Jones study's own claims (SPEC E), judged per sampling protocol from the built scores
and latents, with tests, as the Darcy claims table judges the paper's:

L1, "a VAE trained on the four gammas flags configurations that do not belong": the published
detector, the VAE's reconstruction error, against every anomaly set but the control. Per set, the
one-sided Mann-Whitney test that the set scores higher than the held-out normal data (its AUC above
0.5) and the test the other way, Holm-adjusted over the sets. Reproduced when every set is flagged;
contradicted when some set scores significantly *lower* than normal data (the detector calls it
more normal than normal); otherwise inconclusive.

L2, "the latent space orders configurations by gamma": the Spearman correlation between gamma and a
linear read-out of the latent means (fitted on the training configurations, read on the held-out
ones). "Orders" is read as a correlation of at least ORDERS; reproduced when no ordering (0) is
rejected, contradicted when the correlation is significantly below ORDERS (Fisher's z with the
Spearman standard error 1.06 / sqrt(n - 3)).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats as scipy_stats
from sklearn.linear_model import LinearRegression

from fieldvae.core import stats
from fieldvae.core.io import save_rows
from fieldvae.lj.anomaly import roc_auc

DETECTOR = "reconstruction"  # the published one, fixed before looking (not the best of the scores)
ORDERS = 0.5  # L2: "orders by gamma" read as a Spearman correlation of at least 0.5
COLUMNS = ("id", "protocol", "claim", "paper", "measured", "test", "p_reproduce", "p_contradict", "verdict")
CLAIMS = {
    "L1": ("a VAE trained on the four gammas flags configurations that do not belong",
           "unseen gamma, fake potential, random and corrupted configurations flagged (judged by eye from histograms)"),
    "L2": ("the latent space orders configurations by gamma", f"by eye (PCA); read as Spearman >= {ORDERS:g}"),
}


def flags_anomalies(sets: dict[str, dict[str, np.ndarray]], normal: str, control_prefix: str) -> dict:
    """L1 for one protocol: {set: {score: values}} with the normal set among them."""
    names = [n for n in sets if n != normal and not n.startswith(control_prefix)]
    if not names:
        raise ValueError("no anomaly sets to judge L1 on")
    reference = sets[normal][DETECTOR]
    higher = stats.holm([stats.mann_whitney(sets[n][DETECTOR], reference, "greater") for n in names])
    lower = stats.holm([stats.mann_whitney(sets[n][DETECTOR], reference, "less") for n in names])
    auc = {n: roc_auc(reference, sets[n][DETECTOR]) for n in names}
    flagged = [n for n, p in zip(names, higher) if p < stats.ALPHA]
    inverted = [n for n, p in zip(names, lower) if p < stats.ALPHA]
    verdict = ("contradicted" if inverted else "reproduced" if len(flagged) == len(names)
               else f"inconclusive at {len(names)} sets")
    measured = "; ".join(f"{n}: AUC {auc[n]:.3f}, p {p:.2g}" for n, p in zip(names, higher))
    return {"measured": f"{len(flagged)}/{len(names)} sets flagged, {len(inverted)} rated more normal than normal "
                        f"({', '.join(inverted) or 'none'}); {measured}",
            "test": f"per set, one-sided Mann-Whitney of the {DETECTOR} score against the held-out set, both ways, "
                    "Holm over the sets",
            "p_reproduce": max(higher), "p_contradict": min(lower), "verdict": verdict}


def orders_by_gamma(train_latents, train_gamma, test_latents, test_gamma) -> dict:
    """L2 for one protocol."""
    read = LinearRegression().fit(train_latents, train_gamma).predict(test_latents)
    rho = float(scipy_stats.spearmanr(read, test_gamma).statistic)
    n = len(test_gamma)
    if n < 4 or not math.isfinite(rho):
        raise ValueError(f"L2 needs at least 4 held-out configurations with varying gamma, got {n}")
    se = 1.06 / math.sqrt(n - 3)
    z = math.atanh(min(max(rho, -0.999999), 0.999999))
    p_reproduce = float(scipy_stats.norm.sf(z / se))
    p_contradict = float(scipy_stats.norm.cdf((z - math.atanh(ORDERS)) / se))
    verdict = "contradicted" if p_contradict < stats.ALPHA else "reproduced" if p_reproduce < stats.ALPHA else \
        f"inconclusive at {n} configurations"
    low, high = (math.tanh(z + s * 1.96 * se) for s in (-1, 1))
    return {"measured": f"Spearman {rho:.3f} [95% CI {low:.3f}, {high:.3f}] between gamma and its linear read-out "
                        f"from the latent means, {n} held-out configurations",
            "test": f"Fisher z of Spearman: reproduce (> 0), contradict (< {ORDERS:g})",
            "p_reproduce": p_reproduce, "p_contradict": p_contradict, "verdict": verdict}


def claims(scores: dict[str, dict], latents: dict[str, dict], normal: str, control_prefix: str) -> list[dict]:
    """Rows L1 and L2 per protocol ({protocol: {set: {score: values}}}, {protocol: latents arrays})."""
    rows = []
    for protocol in scores:
        for claim_id, judged in (("L1", flags_anomalies(scores[protocol], normal, control_prefix)),
                                 ("L2", orders_by_gamma(*(latents[protocol][k] for k in (
                                     "train_latents", "train_gamma", "test_latents", "test_gamma"))))):
            claim, paper = CLAIMS[claim_id]
            rows.append({"id": claim_id, "protocol": protocol, "claim": claim, "paper": paper, **judged})
    return rows


def write(csv_path, rows: list[dict]) -> None:
    save_rows(csv_path, [{c: row[c] for c in COLUMNS} for row in rows])


def markdown(rows: list[dict]) -> list[str]:
    """The claims as a markdown section (lines), for the anomaly table's page."""
    lines = ["## The study's claims (SPEC E)", "",
             f"L1 with the published detector ({DETECTOR} error), per anomaly set a one-sided Mann-Whitney test "
             "each way against the held-out set, Holm over the sets: `reproduced` when every set is flagged, "
             "`contradicted` when some set is rated significantly more normal than normal data. L2: the Spearman "
             f"correlation of gamma with its linear read-out from the latent means, against 0 (reproduce) and "
             f"against {ORDERS:g} (contradict).", "",
             "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for row in rows:
        lines.append("| " + " | ".join(f"{row[c]:.3g}" if isinstance(row[c], float) else str(row[c]).replace("|", "/")
                                       for c in COLUMNS) + " |")
    return lines + [""]
