"""Figure 7: latent means against the generative factors on the test set, without and with one
posterior standard deviation, and their marginals."""

from __future__ import annotations

import matplotlib.pyplot as plt

from fieldvae.core import style
from fieldvae.core.io import load_arrays
from fieldvae.paper.plotting import panels

CAPTION = """\
**Figure 7** (scale ``{scale}``): posterior means of the latents
against the generative factors on the test set for the first run of the standard experiment, with
their correlation; right, with one posterior standard deviation as error bars."""  # the report's caption ({scale}: the build's scale)


def draw(latents: dict) -> plt.Figure:
    style.apply()
    fig = plt.figure(figsize=(style.TEXT_WIDTH, 5.2), layout="constrained")
    left, right = fig.subfigures(1, 2)
    left.suptitle("latent means vs factors", fontsize=9)
    panels.factor_scatter(left.subplots(2, 2), latents["mu_test"], latents["theta_test"])
    right.suptitle("with posterior standard deviation", fontsize=9)
    panels.factor_scatter(right.subplots(2, 2), latents["mu_test"], latents["theta_test"], latents["logvar_test"])
    return fig


def from_files(files: dict, options: dict) -> plt.Figure:
    """latents: latents.npz of one run."""
    return draw(load_arrays(files["latents"][0])[0])
