"""Figure 3: the loss landscape around a trained model. Left: along lines from Xavier-initialised
networks to it; right: along filter-normalised random directions out of it (at most 100 drawn)."""

from __future__ import annotations

import matplotlib.pyplot as plt

from fieldvae.core import style
from fieldvae.core.io import load_rows

CAPTION = """\
**Figure 3** (scale ``{scale}``): the loss landscape of the first run of
the standard experiment. Left: the loss along straight lines from Xavier-initialised networks (t = 0; drawn from a stream no training run uses)
to the trained one (t = 1). Right: along filter-normalised random directions out of the trained
network (each filter of a Gaussian direction scaled to the norm of the trained filter; biases,
BatchNorm and prior parameters fixed; at most 100 drawn). The loss is the training objective at the
run's final beta over a subset of the training data with fixed latent draws, clipped at 1000. The
paper: an over-regularised basin lies between random initialisations and the good solution, and
there are no local minima along random directions out of it."""  # the report's caption ({scale}: the build's scale)


def draw(lines: list[dict], directions: list[dict]) -> plt.Figure:
    """lines: rows (init, t, loss); directions: rows (direction, alpha, loss)."""
    style.apply()
    fig, (left, right) = plt.subplots(1, 2, figsize=(style.TEXT_WIDTH, 2.8), layout="constrained")
    for i in sorted({r["init"] for r in lines}):
        rows = [r for r in lines if r["init"] == i]
        left.plot([r["t"] for r in rows], [r["loss"] for r in rows], lw=0.9)
    left.set_xlabel("t (0: initialisation, 1: trained)")
    left.set_ylabel("loss (clipped at 1000)")
    left.set_yscale("symlog", linthresh=10)
    left.set_title("from random initialisations")
    for k in sorted({r["direction"] for r in directions})[:100]:
        rows = [r for r in directions if r["direction"] == k]
        right.plot([r["alpha"] for r in rows], [r["loss"] for r in rows], lw=0.5, color="C0", alpha=0.5)
    right.set_xlabel(r"$\alpha$ (filter-normalised direction)")
    right.set_yscale("symlog", linthresh=10)
    right.set_title("along random directions")
    return fig


def from_files(files: dict, options: dict) -> plt.Figure:
    """lines: lines.csv of `fieldvae landscape lines`; directions: its chunks of directions."""
    return draw(load_rows(files["lines"]), load_rows(files["directions"]))
