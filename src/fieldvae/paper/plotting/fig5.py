"""Figure 5: loss and disentanglement along the line between two trained models that differ only in
their initialisation (seed)."""

from __future__ import annotations

import matplotlib.pyplot as plt

from fieldvae.core import style


def draw(rows: list[dict]) -> plt.Figure:
    style.apply()
    fig, ax = plt.subplots(figsize=(style.TEXT_WIDTH / 2, 2.6), layout="constrained")
    t = [r["t"] for r in rows]
    ax.plot(t, [r["loss"] for r in rows], "o-", ms=3, color="C0")
    ax.set_yscale("symlog", linthresh=10)
    ax.set_xlabel("t (0: first run, 1: second run)")
    ax.set_ylabel("loss (clipped at 1000)", color="C0")
    twin = ax.twinx()
    twin.plot(t, [r["s_d"] for r in rows], "s--", ms=3, color="C1")
    twin.set_ylabel("$S_D$", color="C1")
    twin.set_ylim(0.45, 1.0)
    return fig
