"""Figure 1: one sample of each KLE dataset, its log-permeability and the three flow outputs."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from fieldvae.core import style
from fieldvae.core.dataset_file import DARCY_CHANNELS as CHANNELS
from fieldvae.core.dataset_file import load_dataset

CAPTION = """\
**Figure 1** (scale ``{scale}``): one sample of each dataset KLE\\ *s*, with
*s* the number of Karhunen-Loeve terms of the log-permeability (reading order: KLE2, KLE10, KLE100,
KLE1000 with the default configuration). Each block shows the log-permeability log *K* and the three
outputs the VAE sees: pressure *p* and velocities *u_x*, *u_y* of Darcy flow from the injection well
at the lower-left corner to the production well at the upper right. All quantities are
nondimensional. As *s* grows, the permeability gains small-scale structure while the pressure stays
smooth."""  # the report's caption ({scale}: the build's scale)

PANELS = (
    ("log_k", "log-perm.", r"$\log K$ [-]", style.FIELD_CMAP),
    ("p", "pressure", r"$p$ [-]", style.DIVERGING_CMAP),
    ("u_x", "velocity $x$", r"$u_x$ [-]", style.DIVERGING_CMAP),
    ("u_y", "velocity $y$", r"$u_y$ [-]", style.DIVERGING_CMAP),
)


def sample(arrays: dict, index: int, source="the dataset") -> dict:
    """Sample `index` of a dataset's arrays as `draw` takes it."""
    if not 0 <= index < len(arrays["fields"]):
        raise ValueError(f"--sample {index} is out of range for {source} ({len(arrays['fields'])} samples)")
    return {"title": f"KLE{arrays['theta'].shape[1]}", "log_k": arrays["log_k"][index],
            **dict(zip(CHANNELS, arrays["fields"][index]))}


def draw(samples: list[dict]) -> plt.Figure:
    """`samples`: per dataset a dict with 'title' and the (n, n) arrays log_k, p, u_x, u_y.

    Datasets fill a 2-column grid in reading order (as in the paper); each shows its four fields
    in a 2 x 2 block, every field with its own colour bar (nondimensional units).
    """
    style.apply()
    cols = min(2, len(samples))
    rows = -(-len(samples) // cols)
    fig = plt.figure(figsize=(style.TEXT_WIDTH, 3.3 * rows), layout="constrained")
    subfigs = np.atleast_1d(fig.subfigures(rows, cols, wspace=0.04, hspace=0.04)).ravel()
    for sub, sample in zip(subfigs, samples):
        sub.suptitle(sample["title"], fontsize=10, fontweight="bold")
        axes = sub.subplots(2, 2)
        for ax, (key, title, unit, cmap) in zip(axes.ravel(), PANELS):
            field = sample[key]
            kwargs = {"cmap": cmap}
            if cmap == style.DIVERGING_CMAP:  # centre diverging maps on zero
                vmax = float(np.max(np.abs(field))) or 1.0
                kwargs.update(vmin=-vmax, vmax=vmax)
            im = ax.imshow(field, origin="lower", extent=(0, 1, 0, 1), **kwargs)
            ax.set_title(title)
            ax.set_xticks([0, 1])
            ax.set_yticks([0, 1])
            ax.set_xlabel("$x$", labelpad=-6)
            ax.set_ylabel("$y$", labelpad=-6)
            sub.colorbar(im, ax=ax, shrink=0.9, label=unit)
    for sub in subfigs[len(samples):]:
        sub.set_visible(False)
    return fig


def from_files(files: dict, options: dict) -> plt.Figure:
    """datasets: dataset files, in reading order; option sample: the index shown from each."""
    index = options.get("sample", 0)
    return draw([sample(load_dataset(path)[0], index, path) for path in files["datasets"]])
