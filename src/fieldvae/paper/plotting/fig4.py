"""Figure 4: the rate-distortion plane. Training paths of a run of the training method and of an
over-regularised fixed-beta run, and the converged points of the fixed-beta sweep."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from fieldvae.core import style
from fieldvae.core.io import load_columns
from fieldvae.paper.runs import run_folder

CAPTION = """\
**Figure 4** (scale ``{scale}``): the rate-distortion plane (rate: the
per-sample KL regulariser; distortion: the per-sample reconstruction NLL, both in nats). Left: the
training path of a run of the training method and of the most strongly regularised over-regularised
fixed-beta run. Right: final points of the fixed-beta sweep (crosses: over-regularised). The paper
finds many beta between 5 and 100 over-regularised."""  # the report's caption ({scale}: the build's scale)


def draw(reference: dict, sweep: list[dict]) -> plt.Figure:
    """reference: history of a training-method run; sweep: per fixed-beta run a dict with 'beta',
    'history' and 'over_regularised'."""
    style.apply()
    fig, (left, right) = plt.subplots(1, 2, figsize=(style.TEXT_WIDTH, 3.0), layout="constrained")
    collapsed = [r for r in sweep if r["over_regularised"]]
    left.plot(reference["rate"], reference["distortion"], "-", lw=1, label="training method")
    left.plot(reference["rate"][-1], reference["distortion"][-1], "o", color="C0")
    if collapsed:
        run = max(collapsed, key=lambda r: r["beta"])
        left.plot(run["history"]["rate"], run["history"]["distortion"], "-", lw=1, color="C3",
                  label=rf"over-regularised ($\beta$ = {run['beta']:g})")
        left.plot(run["history"]["rate"][-1], run["history"]["distortion"][-1], "o", color="C3")
    left.set_xscale("symlog", linthresh=1.0)
    left.set_xlabel("rate (nats per sample)")
    left.set_ylabel("distortion (nats per sample)")
    left.set_title("training paths")
    left.legend(fontsize=7)

    betas = sorted({r["beta"] for r in sweep})
    colours = plt.cm.viridis(np.linspace(0, 1, len(betas)))
    for beta, colour in zip(betas, colours):
        runs = [r for r in sweep if r["beta"] == beta]
        rates = [r["history"]["rate"][-1] for r in runs]
        distortions = [r["history"]["distortion"][-1] for r in runs]
        right.scatter(rates, distortions, color=colour, s=18, label=rf"$\beta$ = {beta:g}",
                      marker="x" if all(r["over_regularised"] for r in runs) else "o")
    right.set_xscale("symlog", linthresh=1.0)
    right.set_xlabel("rate (nats per sample)")
    right.set_ylabel("distortion (nats per sample)")
    right.set_title(r"converged points, fixed $\beta$ (x: over-regularised)")
    right.legend(fontsize=6, ncol=2)
    return fig


def from_files(files: dict, options: dict) -> plt.Figure:
    """reference: history.csv of a run of the training method; sweep: metrics.json of each run of the
    fixed-beta sweep (its history.csv beside it)."""
    return draw(load_columns(files["reference"][0]), [run_folder(Path(p).parent) for p in files["sweep"]])
