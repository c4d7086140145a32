"""Figure 13: S_KL against S_D for every trial of the mixture study, without and with the
hierarchical prior."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt

from fieldvae.core import style
from fieldvae.core.io import load_rows

CAPTION = """\
**Figure 13** (scale ``{scale}``): S_KL against S_D for every trial
of the mixture study, with and without the hierarchical prior. The paper uses S_KL as a measure that
agrees with qualitative disentanglement: low S_KL where S_D is high."""  # the report's caption ({scale}: the build's scale)


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


def from_files(files: dict, options: dict) -> plt.Figure:
    """tables: per-experiment metrics tables (named by their file names)."""
    return draw({Path(p).stem: load_rows([p]) for p in files["tables"]})
