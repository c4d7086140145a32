"""Figure 13: S_KL against S_D for every trial of the mixture study, without and with the
hierarchical prior."""

from __future__ import annotations

import matplotlib.pyplot as plt

from fieldvae.core import style


def draw(groups: dict[str, list[dict]]) -> plt.Figure:
    """groups: experiment name -> rows of its metrics table."""
    style.apply()
    fig, ax = plt.subplots(figsize=(style.TEXT_WIDTH / 2, 3.0), layout="constrained")
    for name, rows in groups.items():
        rows = [r for r in rows if r["s_kl"] is not None]  # not for runs without S_KL (diverged ones among them)
        ax.scatter([r["s_d"] for r in rows], [r["s_kl"] for r in rows], s=14, label=name,
                   marker="o" if "hierarchical" in name else "s")
    ax.set_xlabel("$S_D$ (higher: more disentangled)")
    ax.set_ylabel("$S_{KL}$ (lower: more disentangled)")
    ax.legend(fontsize=7)
    return fig
