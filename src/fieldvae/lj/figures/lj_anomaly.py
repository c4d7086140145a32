"""ROC AUC of every anomaly score against every anomaly set of the Lennard-Jones study."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from fieldvae.core import style
from fieldvae.core.io import load_rows
from fieldvae.lj.scoring import BASELINES, SCORES

CAPTION = """\
**Lennard-Jones study, anomaly** (scale ``{scale}``; N = 30, L = 10, T = 0.75,
training gammas 0.1, 0.4, 0.7, 1.0).
ROC AUC against the held-out set, with 95% bootstrap intervals, of every anomaly score (markers) for
every anomaly set (rows), one panel per sampling protocol (each protocol trains its own model on its
own sets). Circles: the VAE's scores (reconstruction error one- and two-sided, negative ELBO, latent
k-NN distance and aggregated-posterior density) and the MDS residual; filled where a paired bootstrap
says the score beats the set's better physics baseline, open where it loses, half-filled where the two
are equal within the interval. Grey: the baselines (energy, minimum pair distance). The dashed line is
AUC 0.5; the control set (an unseen gamma inside the training range) should sit on it."""


def draw(rows: list[dict]) -> plt.Figure:
    """ROC AUC with its 95% interval of every score (markers) for every anomaly set (rows), one panel
    per sampling protocol. The VAE's scores are filled where they beat the set's better physics
    baseline, open where they lose to it, half-filled where the two are equal within the interval;
    the baselines are grey."""
    style.apply()
    protocols = list(dict.fromkeys(r["protocol"] for r in rows))
    sets = list(dict.fromkeys(r["set"] for r in rows))
    fig, axes = plt.subplots(1, len(protocols), figsize=(style.TEXT_WIDTH, 1.6 + 0.42 * len(sets)),
                             layout="constrained", sharey=True, squeeze=False)
    offsets = np.linspace(-0.32, 0.32, len(SCORES))
    fills = {"better": "full", "worse": "none"}
    for ax, protocol in zip(axes[0], protocols):
        by_set = {r["set"]: r for r in rows if r["protocol"] == protocol}
        for k, (score, offset) in enumerate(zip(SCORES, offsets)):
            y = np.arange(len(sets)) + offset
            auc = np.array([by_set[s][f"{score}_auc"] for s in sets])
            low = np.array([by_set[s][f"{score}_auc_low"] for s in sets])
            high = np.array([by_set[s][f"{score}_auc_high"] for s in sets])
            color = "0.55" if score in BASELINES else f"C{k}"
            ax.errorbar(auc, y, xerr=[auc - low, high - auc], fmt="none", ecolor=color, lw=0.7)
            for yi, a, s in zip(y, auc, sets):
                fill = "full" if score in BASELINES else fills.get(by_set[s][f"{score}_verdict"], "left")
                marker = {"energy": "s", "min_distance": "D"}.get(score, "o")
                ax.plot(a, yi, marker, ms=3.2, color=color, fillstyle=fill,
                        label=score if s == sets[0] and ax is axes[0, 0] else None)
        ax.axvline(0.5, color="k", lw=0.6, ls="--")
        ax.set(xlim=(-0.02, 1.02), xlabel="ROC AUC against the held-out set", title=f"protocol {protocol}")
        ax.set_yticks(np.arange(len(sets)), sets, fontsize=7)
        ax.invert_yaxis()
    fig.legend(loc="outside lower center", ncol=4, fontsize=6, frameon=False)
    return fig


def from_files(files: dict, options: dict) -> plt.Figure:
    """table: tables/<scale>/lj_anomaly.csv of `fieldvae lj table`."""
    return draw(load_rows(files["table"]))
